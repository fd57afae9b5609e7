package io.edgewise.conformance;

import java.lang.reflect.Method;
import java.net.StandardProtocolFamily;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The two providers every conformance test runs on: the JDK's own (the reference) and Edgewise.
 *
 * <p>Both are single shared instances, so channels and selectors of one provider always agree on
 * {@code provider()}. Nothing here is mutable after class initialisation (the fields are final and
 * set in the static initialiser, which the JVM publishes safely).
 *
 * <p>Debugging aid: {@code -Dedgewise.conformance.providers=jdk} (or {@code edgewise}) restricts the
 * parameterized tests to one provider; the default, and what CI runs, is both. With {@code jdk} the
 * differential tests compare the JDK provider with itself (a determinism check of the scenarios).
 */
public final class Providers {
    private static final String SELECT = System.getProperty("edgewise.conformance.providers", "both");
    private static final SelectorProvider JDK = loadJdk();
    private static SelectorProvider edgewise;   // guarded by Providers.class

    private Providers() { }

    /** The JDK's default provider ({@code sun.nio.ch.DefaultSelectorProvider.get()}). */
    public static SelectorProvider jdk() {
        return JDK;
    }

    /** The Edgewise provider (one shared instance; a constructor failure propagates to the test). */
    public static synchronized SelectorProvider edgewise() {
        if (edgewise == null) {
            edgewise = new io.edgewise.EdgewiseSelectorProvider();
        }
        return edgewise;
    }

    /** "jdk" or "edgewise". */
    public static String name(SelectorProvider p) {
        return p == JDK ? "jdk" : "edgewise";
    }

    static boolean runJdk() {
        return !SELECT.equals("edgewise");
    }

    static boolean runEdgewise() {
        return !SELECT.equals("jdk");
    }

    /** The reference provider for differential runs. */
    static SelectorProvider reference() {
        return runJdk() ? jdk() : edgewise();
    }

    /** The provider under test for differential runs. */
    static SelectorProvider candidate() {
        return runEdgewise() ? edgewise() : jdk();
    }

    /** Method source: both providers. */
    public static Stream<Arguments> both() {
        List<Arguments> out = new ArrayList<>();
        if (runJdk()) {
            out.add(Arguments.of(Named.of("jdk", jdk())));
        }
        if (runEdgewise()) {
            SelectorProvider p;
            try {
                p = edgewise();
            } catch (Throwable t) {   // a broken constructor fails the Edgewise runs only
                p = new BrokenProvider(t);
            }
            out.add(Arguments.of(Named.of("edgewise", p)));
        }
        return out.stream();
    }

    /** Method source: both providers x {INET, INET6}. */
    public static Stream<Arguments> bothWithFamilies() {
        return both().flatMap(a -> Stream.of(
                Arguments.of(a.get()[0], StandardProtocolFamily.INET),
                Arguments.of(a.get()[0], StandardProtocolFamily.INET6)));
    }

    private static SelectorProvider loadJdk() {
        try {
            Class<?> c = Class.forName("sun.nio.ch.DefaultSelectorProvider");
            Method get = c.getMethod("get");
            return (SelectorProvider) get.invoke(null);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
