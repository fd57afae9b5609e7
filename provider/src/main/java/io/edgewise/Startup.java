package io.edgewise;

import io.edgewise.sys.SystemProps;
import io.edgewise.backend.Backends;
import io.edgewise.sys.Platform;
import io.edgewise.sys.Settings;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.posix.Binding;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.ServiceConfigurationError;

/**
 * Checks, once per JVM and before anything native is bound, that Edgewise can run as configured: the
 * {@code io.edgewise.*} properties, JNA where the binding needs it, JNA's native part. A problem becomes
 * one message naming the property or artifact, the bad value, the valid values and the fix, thrown by
 * the provider's constructor, i.e. at the first {@code SelectorProvider.provider()}, not at the first
 * {@code Selector.open()}.
 *
 * <p>One case does not fail: JNA missing on JDK 17-21 while nobody asked for Edgewise (no
 * {@code java.nio.channels.spi.SelectorProvider} property, the jar merely on the class path). The JDK
 * (before 24) skips a service provider whose constructor throws {@link SecurityException}, so the
 * constructor warns in one line and throws that: the JVM keeps the JDK's provider and NIO keeps working.
 *
 * <p>Thread safety: the outcome is computed in a class initializer (the JVM's lock), then immutable; the
 * two print-once flags are atomics.
 */
final class Startup {
    private Startup() { }

    static final String PROVIDER_PROPERTY = "java.nio.channels.spi.SelectorProvider";
    static final String VERBOSE_PROPERTY = Settings.VERBOSE;

    /** The JNA version this Edgewise was built and tested with (the pom's). */
    static final String JNA_VERSION = buildProperty("jna.version", "5.19.1");
    static final String JNA_ARTIFACT = "net.java.dev.jna:jna:" + JNA_VERSION;

    /** Set by the first report and the first verbose line: each is printed once per JVM. */
    private static final java.util.concurrent.atomic.AtomicBoolean REPORTED = new java.util.concurrent.atomic.AtomicBoolean();
    private static final java.util.concurrent.atomic.AtomicBoolean VERBOSE_DONE = new java.util.concurrent.atomic.AtomicBoolean();

    private static final class Outcome {
        /** The platform and its settings, read once, first: everything below asks it. */
        static final Platform PLATFORM = Platform.current();
        /** The ops, or null when {@link #PROBLEM} says why not. */
        static final SocketOps OPS;
        static final String PROBLEM;
        /** Whether the problem is the environment (JNA missing) rather than a property. */
        static final boolean ENVIRONMENT;
        static {
            SocketOps ops = null;
            String problem = propertyProblem();
            boolean environment = false;
            if (problem == null) {
                problem = jnaProblem();
                environment = problem != null;
            }
            if (problem == null) {
                try {
                    ops = Platform.ops();
                    ops.binding(); // binds the natives now
                } catch (LinkageError | RuntimeException e) {
                    problem = "the native binding could not be loaded: " + e
                            + ". Fix: check that " + JNA_ARTIFACT + " matches this platform and that its native"
                            + " library can be unpacked (-Djna.tmpdir=DIR on a writable, executable directory);"
                            + " on JDK 22+ remove -D" + Binding.PROPERTY + "=jna to use FFM.";
                    ops = null;
                }
            }
            OPS = ops;
            PROBLEM = problem;
            ENVIRONMENT = environment;
        }
    }

    /** A misconfigured {@code io.edgewise.*} property, or null. */
    static String propertyProblem() {
        String p = Backends.configurationProblem();
        if (p == null && linux()) {
            p = Binding.configurationProblem();
        }
        return p;
    }

    /** JNA missing although this configuration needs it, or null. */
    static String jnaProblem() {
        if (!needsJna() || jnaVisible()) {
            return null;
        }
        String why = Runtime.version().feature() < 22
                ? "JDK " + Runtime.version().feature() + " has no FFM binding (JDK 22+ needs no JNA)"
                : "-D" + Binding.PROPERTY + "=jna, the kqueue and IOCP backends, and copies without the"
                        + " FFM binding need it";
        return "JNA (" + JNA_ARTIFACT + ") is not on the class path and " + why
                + ". Fix: add jna-" + JNA_VERSION + ".jar (Maven " + JNA_ARTIFACT + ") next to the Edgewise jar"
                + " on the class path or module path, or run on JDK 22+.";
    }

    private static boolean needsJna() {
        if (!linux()) return true; // the BSD and Windows bindings are JNA's
        String backend = Backends.name();
        if (backend.equals("kqueue") || backend.equals("iocp")) return true;
        if (!Platform.current().settings().socketops().isEmpty()) return true;
        return Binding.usesJna();
    }

    private static boolean jnaVisible() {
        try {
            Class.forName(io.edgewise.sys.posix.Binding.JNA_PROBE_CLASS, false, Startup.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static boolean linux() {
        return io.edgewise.sys.Platform.Os.isLinux();
    }

    /**
     * The socket ops the provider uses, or the failure: {@link ServiceConfigurationError} with the
     * message (printed once to stderr as well, since the JDK may wrap it), or {@link SecurityException}
     * when the JDK's service lookup should pass over Edgewise (see the class comment).
     */
    static SocketOps ops() {
        SocketOps ops = Outcome.OPS;
        if (ops != null) {
            verbose();
            return ops;
        }
        String message = "Edgewise: " + Outcome.PROBLEM;
        if (Outcome.ENVIRONMENT && skippable()) {
            report("Edgewise is not in use, the JDK's provider serves: " + Outcome.PROBLEM);
            throw new SecurityException(message);
        }
        report(message);
        throw new ServiceConfigurationError(message);
    }

    /**
     * Whether the JDK is choosing a provider from the class path on its own: no property names one,
     * the service loader is calling, and the JDK passes over a provider that throws SecurityException
     * (JDK 17-23; from 24 it takes the first provider that loads).
     */
    private static boolean skippable() {
        if (SystemProps.get(PROVIDER_PROPERTY) != null || Runtime.version().feature() >= 24) {
            return false;
        }
        return StackWalker.getInstance().walk(frames ->
                frames.anyMatch(f -> f.getClassName().startsWith("java.util.ServiceLoader")));
    }

    private static void report(String line) {
        if (REPORTED.compareAndSet(false, true)) {
            System.err.println(line);
        }
    }

    private static void verbose() {
        if (Outcome.PLATFORM.settings().verbose() && VERBOSE_DONE.compareAndSet(false, true)) {
            System.err.println(describe());
        }
    }

    /** One line naming provider, backend and binding. */
    static String describe() {
        return "Edgewise " + buildProperty("version", "") + ": provider " + EdgewiseSelectorProvider.class.getName()
                + ", backend " + Backends.name() + ", binding " + Outcome.OPS.binding()
                + ", JDK " + Runtime.version();
    }

    private static String buildProperty(String key, String fallback) {
        try (InputStream in = Startup.class.getResourceAsStream("version.properties")) {
            if (in == null) return fallback;
            Properties p = new Properties();
            p.load(in);
            return p.getProperty(key, fallback);
        } catch (IOException e) {
            return fallback;
        }
    }
}
