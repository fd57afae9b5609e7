package io.edgewise.channels.vthread;

import io.edgewise.sys.Platform;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Virtual-thread support, compiled for Java 17 and active on 21+: {@code Thread.isVirtual()} is
 * looked up once through a method handle. On 17 the handle is absent and {@link #parkCurrent()} is one
 * test of a {@code static final} field the JIT folds away.
 *
 * <p>{@code -Dio.edgewise.virtualThreadParking=false} turns parking off (virtual threads then block
 * their carrier in {@code poll}, as platform threads do) — for comparison and as an escape hatch.
 */
public final class VirtualThreads {
    private static final MethodHandle IS_VIRTUAL = lookup();

    private VirtualThreads() { }

    private static MethodHandle lookup() {
        if (!Platform.current().settings().virtualThreadParking()) {
            return null;
        }
        try {
            return MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual", MethodType.methodType(boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null; // JDK 17-20: no virtual threads
        }
    }

    /**
     * A new, unstarted virtual thread for the provider's own work (JDK 21+, {@link #supported()}):
     * {@code Thread.ofVirtual().name(name).inheritInheritableThreadLocals(false).unstarted(task)}, looked up
     * reflectively as this class compiles for Java 17, with no context class loader, so that it holds nothing
     * of the application thread that happened to start it. Not for hot paths.
     */
    public static Thread newVirtual(String name, Runnable task) {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> b = Class.forName("java.lang.Thread$Builder");
            builder = b.getMethod("name", String.class).invoke(builder, name);
            builder = b.getMethod("inheritInheritableThreadLocals", boolean.class).invoke(builder, false);
            Thread t = (Thread) b.getMethod("unstarted", Runnable.class).invoke(builder, task);
            t.setContextClassLoader(null);
            return t;
        } catch (ReflectiveOperationException e) {
            throw new UnsupportedOperationException("no virtual threads in this runtime", e);
        }
    }

    /** Whether virtual threads exist in this runtime (and parking is enabled). */
    public static boolean supported() {
        return IS_VIRTUAL != null;
    }

    /** Whether the current thread is virtual, i.e. must park rather than block in native code. */
    public static boolean parkCurrent() {
        if (IS_VIRTUAL == null) {
            return false;
        }
        try {
            return (boolean) IS_VIRTUAL.invokeExact(Thread.currentThread());
        } catch (Throwable t) {
            return false;
        }
    }
}
