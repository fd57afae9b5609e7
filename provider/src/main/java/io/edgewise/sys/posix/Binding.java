package io.edgewise.sys.posix;

import io.edgewise.sys.Platform;
import io.edgewise.sys.Settings;
import java.lang.System.Logger.Level;

/**
 * Chooses the native binding once: {@code -Dio.edgewise.binding=jna|ffm} forces one; otherwise FFM on
 * JDK 22+ when its classes are visible (the jar's META-INF/versions/22), JNA elsewhere ({@link #planned}, which
 * {@link Platform#binding()} holds). Logged once at DEBUG. {@link #configurationProblem()} is checked first, when
 * the provider is constructed. The property is read once, into {@link Platform#current()}.
 */
public final class Binding {
    private Binding() { }

    public static final String PROPERTY = Settings.BINDING;
    private static final String FFM_CLASS = "io.edgewise.sys.posix.FfmLibC";
    /**
     * The class whose visibility says "JNA is on the class path" ({@code Startup}, the agent): a
     * compile-time constant, so naming it loads nothing, and JNA's name stays inside the binding packages.
     */
    public static final String JNA_PROBE_CLASS = "com.sun.jna.Native";
    private static volatile String chosen;

    /** The property's value as given (null when unset). */
    private static String given() {
        return Platform.current().settings().binding();
    }

    private static String wanted() {
        return normalized(given());
    }

    private static String normalized(String given) {
        return given == null ? "" : given.trim().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * The binding a property value (null when unset) leads to: "jna" when it says so, before JDK 22, or
     * without the FFM classes; "ffm" otherwise. A bad value is {@link #configurationProblem()}'s to report.
     */
    public static String planned(String given) {
        String w = normalized(given);
        if (w.equals("jna")) return "jna";
        return Runtime.version().feature() < 22 || !ffmPresent() ? "jna" : "ffm";
    }

    /** Whether the FFM binding's classes are visible (JDK 22+ reading the jar's META-INF/versions/22). */
    private static boolean ffmPresent() {
        return Binding.class.getClassLoader() != null
                ? Binding.class.getClassLoader().getResource(FFM_CLASS.replace('.', '/') + ".class") != null
                : ClassLoader.getSystemResource(FFM_CLASS.replace('.', '/') + ".class") != null;
    }

    /**
     * What is wrong with {@code -Dio.edgewise.binding} here, as a message naming the property, the value,
     * the valid values and the fix; null when it is fine. Checked when the provider is constructed.
     */
    public static String configurationProblem() {
        String w = wanted();
        if (w.isEmpty() || w.equals("jna")) {
            return null;
        }
        String valid = "valid values: jna (JDK 17+), ffm (JDK 22+, the default there)";
        if (!w.equals("ffm")) {
            return "-D" + PROPERTY + "=" + given() + ": not a binding; " + valid
                    + ". Fix: remove the property (Edgewise picks one) or set one of these.";
        }
        int feature = Runtime.version().feature();
        if (feature < 22) {
            return "-D" + PROPERTY + "=ffm: the FFM binding needs JDK 22+ and this is JDK " + Runtime.version() + "; "
                    + valid + ". Fix: remove the property (JNA serves JDK " + feature + ") or run on JDK 22+.";
        }
        if (!ffmPresent()) {
            return "-D" + PROPERTY + "=ffm: this copy of Edgewise has no FFM binding (" + FFM_CLASS + " is not visible;"
                    + " it lives in the jar's META-INF/versions/22, read only from a jar whose manifest says"
                    + " Multi-Release: true). Fix: use edgewise-provider.jar as built (a repackaged or unpacked copy"
                    + " must keep META-INF/versions and Multi-Release: true), or remove the property to use JNA.";
        }
        return null;
    }

    /**
     * The one JNA/FFM choice for the doors other than the C library's (Windows' {@code WinLibrary}; the
     * C library's is {@link #ffmOrNull}): an instance of {@code ffmClass} (a class of the jar's
     * {@code META-INF/versions/22} with a no-argument constructor) when the platform's binding is "ffm",
     * else {@code jna.get()}. Its failures propagate: -Dio.edgewise.binding=jna is the way back to JNA.
     */
    public static <T> T choose(Class<T> door, String ffmClass, java.util.function.Supplier<? extends T> jna) {
        if (!Platform.current().binding().equals("ffm")) {
            return jna.get();
        }
        try {
            return door.cast(Class.forName(ffmClass).getDeclaredConstructor().newInstance());
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof RuntimeException) throw (RuntimeException) c;
            if (c instanceof Error) throw (Error) c;
            throw new UnsupportedOperationException(ffmClass + ": " + c, c);
        } catch (ReflectiveOperationException e) {
            throw new UnsupportedOperationException(ffmClass + ": " + e, e);
        }
    }

    /** Whether the Linux bindings will call through JNA (JNA must then be on the class path). */
    public static boolean usesJna() {
        return Platform.current().binding().equals("jna");
    }

    static NativeCalls ffmOrNull() {
        String wanted = wanted();
        NativeCalls ffm = null;
        if (!wanted.equals("jna")) {
            if (!wanted.isEmpty() && !wanted.equals("ffm")) {
                throw new IllegalArgumentException(PROPERTY + " must be jna or ffm, not '" + wanted + "'");
            }
            if (Runtime.version().feature() >= 22) {
                try {
                    ffm = (NativeCalls) Class.forName(FFM_CLASS).getDeclaredConstructor().newInstance();
                } catch (ReflectiveOperationException | LinkageError e) {
                    if (wanted.equals("ffm")) {
                        throw new UnsupportedOperationException("FFM binding unavailable: " + e, e);
                    }
                }
            } else if (wanted.equals("ffm")) {
                throw new UnsupportedOperationException("FFM binding needs JDK 22+, this is " + Runtime.version());
            }
        }
        chosen = ffm != null ? "ffm" : "jna";
        System.getLogger("io.edgewise").log(Level.DEBUG, "Edgewise native binding: {0}", chosen);
        return ffm;
    }

    /** "jna" or "ffm". */
    public static String name() {
        String c = chosen;
        if (c == null) {
            LibC.load(); // initializes LibC, which makes the choice
            c = chosen;
        }
        return c;
    }
}
