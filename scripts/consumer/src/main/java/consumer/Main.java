package consumer;

import io.edgewise.EdgewiseSelectorProvider;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;

/** Compiles against Edgewise's API and runs with the jar on the class path (its service entry selects it). */
public class Main {
    public static void main(String[] args) throws Exception {
        try (Selector s = Selector.open()) {
            System.out.println("consumer: provider " + SelectorProvider.provider().getClass().getName()
                    + ", backend " + EdgewiseSelectorProvider.backend() + ", binding " + EdgewiseSelectorProvider.binding());
        }
    }
}
