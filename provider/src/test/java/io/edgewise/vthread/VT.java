package io.edgewise.vthread;

import java.lang.reflect.Method;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;

/** Virtual threads from code compiled for Java 17 (reflection; tests are skipped before JDK 21). */
final class VT {
    private VT() { }

    static void assumeVirtualThreads() {
        Assumptions.assumeTrue(Runtime.version().feature() >= 21,
                "virtual threads need JDK 21+ (running " + Runtime.version() + "); runs in CI on JDK 25");
    }

    /**
     * Skips an Edgewise case where the backend has no ready poller (IOCP, or a backend class named
     * by tests): there a virtual thread waits in the kernel, holding its carrier, instead of parking.
     */
    static void assumeParking(java.nio.channels.spi.SelectorProvider p) {
        if (p instanceof io.edgewise.EdgewiseSelectorProvider) {
            assumeEdgewiseParks();
        }
    }

    static void assumeEdgewiseParks() {
        Assumptions.assumeTrue(io.edgewise.backend.Backends.hasReadyPoller(),
                "backend " + io.edgewise.backend.Backends.name() + " has no ready poller: virtual threads do not park");
    }

    static Thread start(Runnable r) {
        try {
            Method m = Thread.class.getMethod("startVirtualThread", Runnable.class);
            return (Thread) m.invoke(null, r);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** A parked virtual thread reports WAITING/TIMED_WAITING; one held in native code RUNNABLE. */
    static boolean parked(Thread t) {
        Thread.State s = t.getState();
        return s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING;
    }

    /** Polls {@code cond} until true or {@code seconds} pass (a bounded wait for a state, not a sleep). */
    static boolean await(BooleanSupplier cond, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(5);
        }
        return true;
    }
}
