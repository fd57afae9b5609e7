package io.edgewise.sys.linux;

import io.edgewise.sys.SystemProps;
import java.lang.System.Logger.Level;

/**
 * Chooses the native binding once: {@code -Dio.edgewise.binding=jna|ffm} forces one; otherwise FFM on
 * JDK 22+ when its classes are in the jar (built with JDK 22+), JNA elsewhere. Logged once at DEBUG.
 */
final class Binding {
    private Binding() { }

    static final String PROPERTY = "io.edgewise.binding";
    private static final String FFM_CLASS = "io.edgewise.sys.linux.FfmLibC";
    private static volatile String chosen;

    static NativeCalls ffmOrNull() {
        String wanted = SystemProps.get(PROPERTY, "").trim().toLowerCase(java.util.Locale.ROOT);
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
    static String name() {
        String c = chosen;
        if (c == null) {
            LibC.errno(); // initializes LibC, which makes the choice
            c = chosen;
        }
        return c;
    }
}
