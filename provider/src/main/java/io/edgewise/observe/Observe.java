package io.edgewise.observe;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The registry of open selectors and the switches of the observability layer.
 *
 * <ul>
 * <li>{@code -Dio.edgewise.jfr=false}: no JFR event class is loaded, no hook is installed.
 * <li>{@code -Dio.edgewise.jmx=auto} (default): the MXBeans are registered in the platform
 *     MBeanServer if it exists already when a selector opens (a JMX agent, a framework or the
 *     application made it); Edgewise never creates it, because creating it early initializes
 *     {@code java.util.logging} before applications that install their own LogManager. {@code true}:
 *     creates it at the first selector's opening. {@code false}: no MXBean.
 * </ul>
 * Selectors are kept here from open to close (JFR's periodic hooks and JMX read them).
 * {@code SELECTORS} is concurrent; {@code started} is guarded by the class monitor.
 */
public final class Observe {
    private Observe() { }

    static final ConcurrentHashMap<Long, SelectorStats> SELECTORS = new ConcurrentHashMap<>();

    /**
     * Whether the JDK module {@code name} is in the boot layer and Edgewise's module reads it (always,
     * on the class path; on the module path only where the graph resolved it: module-info requires
     * jdk.jfr and java.management {@code static}).
     */
    static boolean readable(String name) {
        return ModuleLayer.boot().findModule(name).map(m -> Observe.class.getModule().canRead(m)).orElse(false);
    }

    /** The native binding, or null if it cannot be told. */
    static String binding() {
        try {
            return io.edgewise.EdgewiseSelectorProvider.binding();
        } catch (RuntimeException | LinkageError e) {
            return null;
        }
    }

    static void selectorOpened(SelectorStats s) {
        ProviderStats.SELECTORS_OPENED.increment();
        SELECTORS.put(s.id, s);
        if (Jfr.active()) {
            startJfr();
        }
        Jmx.selectorOpened(s);
    }

    static void selectorClosed(SelectorStats s) {
        if (SELECTORS.remove(s.id) != null) {
            ProviderStats.SELECTORS_CLOSED.increment();
            Jmx.selectorClosed(s);
        }
    }

    static Collection<SelectorStats> selectors() {
        return SELECTORS.values();
    }

    /** JFR is initialized: make sure the periodic events are installed (once; see {@link JfrHooks}). */
    private static void startJfr() {
        Emit.init();
    }
}
