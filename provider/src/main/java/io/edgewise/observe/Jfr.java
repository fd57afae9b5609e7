package io.edgewise.observe;

/**
 * Whether Edgewise emits JFR events at all: the {@code jdk.jfr} module is in the boot layer (a
 * jlinked runtime may lack it) and {@code -Dio.edgewise.jfr=false} was not given. When false no
 * event class is ever loaded. Whether a given event type is enabled is asked of its probe.
 */
final class Jfr {
    private Jfr() { }

    static final boolean ON = !"false".equals(Observe.property("io.edgewise.jfr"))
            && ModuleLayer.boot().findModule("jdk.jfr").isPresent();
}
