package io.edgewise.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.lang.reflect.Field;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;

/**
 * Reads private fields of JDK programs (HttpClient, HttpServer) to find the channels and selectors
 * they opened; the pom opens those packages with {@code --add-opens}. Field names checked on JDK 17
 * and 25. Stateless.
 */
final class Reach {
    private Reach() { }

    static Object field(Object owner, String name) throws ReflectiveOperationException {
        for (Class<?> c = owner.getClass(); c != null; c = c.getSuperclass()) {
            try {
                Field f = c.getDeclaredField(name);
                f.setAccessible(true);
                return f.get(owner);
            } catch (NoSuchFieldException e) {
                // look in the superclass
            }
        }
        throw new NoSuchFieldException(owner.getClass().getName() + "." + name);
    }

    /** Asserts that a selector or channel a program opened itself came from the expected provider. */
    static void assertServedByExpectedProvider(String what, Object selectorOrChannel) {
        assertNotNull(selectorOrChannel, what);
        String expected = ProviderGuard.expectedProviderClass();
        Object provider;
        if (selectorOrChannel instanceof AbstractSelector) {
            provider = ((AbstractSelector) selectorOrChannel).provider();
        } else {
            provider = ((AbstractSelectableChannel) selectorOrChannel).provider();
        }
        assertEquals(expected, provider.getClass().getName(), what + " was opened by another provider");
    }
}
