package io.edgewise.observe;

import io.edgewise.sys.Platform;

/**
 * Whether Edgewise emits JFR events: the {@code jdk.jfr} module is in the boot layer (a jlinked
 * runtime may lack it), {@code -Dio.edgewise.jfr=false} was not given ({@link #ON}), and JFR has been
 * initialized in this JVM ({@link #active()}: a recording was started, by a flag, {@code jcmd} or the
 * API). Until then no event class is loaded: loading the first {@code jdk.jfr.Event} subclass costs
 * hundreds of classes and tens of milliseconds, which a JVM that never records must not pay.
 * Whether a given event type is enabled is then asked of its probe ({@link Events}).
 */
final class Jfr {
    private Jfr() { }

    static final boolean ON = Platform.current().settings().jfr()
            && Observe.readable("jdk.jfr");

    /** Whether events may be wanted now (a static volatile read once JIT-compiled). */
    static boolean active() {
        return ON && jdk.jfr.FlightRecorder.isInitialized();
    }
}
