package io.edgewise.compat;

import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails every test class of the run (Netty's included) unless the JVM really uses the expected
 * {@link SelectorProvider}: a compat run that silently fell back to the JDK's provider proves nothing.
 *
 * <p>Registered through {@code META-INF/services/org.junit.jupiter.api.extension.Extension}; surefire
 * enables {@code junit.jupiter.extensions.autodetection.enabled}. The expected class name comes from
 * the system property {@value #EXPECTED_PROPERTY}, set by the pom from the same Maven property that
 * chooses {@code -Djava.nio.channels.spi.SelectorProvider}; it is checked against what the JVM and
 * Netty actually hold, not against that flag.
 *
 * <p>Concurrency: {@link #verdict} is written once under the class lock and read under it; JUnit
 * may call {@link #beforeAll} from several threads if parallel execution is ever enabled.
 */
public final class ProviderGuard implements BeforeAllCallback, AfterAllCallback {
    public static final String EXPECTED_PROPERTY = "compat.expectedProvider";

    /** Null until checked; then "" when fine, or the reason the provider is wrong. Guarded by the class lock. */
    private static String verdict;

    /** Netty classes that capture {@code SelectorProvider.provider()} in a static field. */
    private static final String[] NETTY_HOLDERS = {
        "io.netty.channel.socket.nio.NioSocketChannel",
        "io.netty.channel.socket.nio.NioServerSocketChannel",
        "io.netty.channel.socket.nio.NioDatagramChannel",
    };

    @Override
    public void beforeAll(ExtensionContext context) {
        StdioWatch.start();
        StdioWatch.currentClass = context.getDisplayName();
        String problem = check();
        if (!problem.isEmpty()) {
            throw new IllegalStateException("Wrong SelectorProvider for this compat run: " + problem);
        }
    }

    /** Fails the class during which the JVM's stdin/stdout/stderr descriptors were closed or replaced. */
    @Override
    public void afterAll(ExtensionContext context) {
        String stdio = StdioWatch.changed();
        if (stdio != null) {
            throw new IllegalStateException("descriptors 0-2 of the test JVM changed: " + stdio);
        }
    }

    /** The expected provider class name; fails when the run did not say which provider it wants. */
    public static String expectedProviderClass() {
        String expected = System.getProperty(EXPECTED_PROPERTY);
        if (expected == null || expected.isBlank()) {
            throw new IllegalStateException("system property " + EXPECTED_PROPERTY + " is not set");
        }
        return expected;
    }

    /** Returns "" when the JVM, a freshly opened channel and Netty's static fields all use the expected provider. */
    public static synchronized String check() {
        if (verdict == null) {
            verdict = computeVerdict();
        }
        return verdict;
    }

    private static String computeVerdict() {
        List<String> problems = new ArrayList<>();
        String expected;
        try {
            expected = expectedProviderClass();
        } catch (IllegalStateException e) {
            return e.getMessage();
        }
        SelectorProvider provider = SelectorProvider.provider();
        if (!provider.getClass().getName().equals(expected)) {
            problems.add("SelectorProvider.provider() is " + provider.getClass().getName() + ", expected " + expected);
        }
        try (var channel = java.nio.channels.SocketChannel.open()) {
            if (channel.provider() != provider) {
                problems.add("SocketChannel.open() came from " + channel.provider().getClass().getName());
            }
        } catch (IOException e) {
            problems.add("SocketChannel.open() failed: " + e);
        }
        for (String holder : NETTY_HOLDERS) {
            try {
                Field f = Class.forName(holder).getDeclaredField("DEFAULT_SELECTOR_PROVIDER");
                f.setAccessible(true);
                Object held = f.get(null);
                if (held != provider) {
                    problems.add(holder + ".DEFAULT_SELECTOR_PROVIDER is "
                            + (held == null ? "null" : held.getClass().getName()));
                }
            } catch (ClassNotFoundException e) {
                // Netty not on this class path: nothing of Netty's to verify.
            } catch (ReflectiveOperationException | RuntimeException e) {
                problems.add("cannot read " + holder + ".DEFAULT_SELECTOR_PROVIDER: " + e);
            }
        }
        return String.join("; ", problems);
    }
}
