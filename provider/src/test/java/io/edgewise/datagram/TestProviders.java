package io.edgewise.datagram;

import io.edgewise.EdgewiseSelectorProvider;
import java.nio.channels.spi.SelectorProvider;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** The two providers every differential scenario runs on: the JDK's (the reference) and Edgewise. */
public final class TestProviders {
    private TestProviders() { }

    public static SelectorProvider jdk() {
        try {
            Class<?> c = Class.forName("sun.nio.ch.DefaultSelectorProvider");
            return (SelectorProvider) c.getMethod("get").invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("JDK provider unavailable (needs --add-exports java.base/sun.nio.ch)", e);
        }
    }

    public static SelectorProvider edgewise() {
        return new EdgewiseSelectorProvider();
    }

    /** Arguments (name, provider) for {@code @MethodSource}. */
    public static Stream<Arguments> both() {
        return Stream.of(Arguments.of("jdk", jdk()), Arguments.of("edgewise", edgewise()));
    }

    public static boolean isJdk(SelectorProvider p) {
        return !(p instanceof EdgewiseSelectorProvider);
    }

    /** Open descriptors of this process. */
    public static int openFds() {
        return io.edgewise.testing.OpenDescriptors.count();
    }

    /** Waits until {@code t} is blocked in its call; fails the test if it never blocks there. */
    public static void awaitBlocked(Thread t) {
        io.edgewise.testing.Blocking.assertBlocks(t);
    }
}
