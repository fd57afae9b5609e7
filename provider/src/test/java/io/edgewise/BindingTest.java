package io.edgewise;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** The binding chosen at start-up follows the JDK and the io.edgewise.binding property. */
class BindingTest {
    @Test
    void bindingMatchesJdkAndProperty() {
        String forced = System.getProperty("io.edgewise.binding", "");
        String binding = EdgewiseSelectorProvider.binding();
        if (!forced.isEmpty()) {
            assertEquals(forced, binding);
        } else if (Runtime.version().feature() < 22) {
            assertEquals("jna", binding, "JNA is the only binding before JDK 22");
        } else {
            assertEquals("ffm", binding, "FFM is the default on JDK 22+ (build with JDK 22+ to include it)");
        }
    }
}
