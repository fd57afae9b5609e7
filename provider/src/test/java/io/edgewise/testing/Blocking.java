package io.edgewise.testing;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Whether a thread is blocked inside an I/O or selection call, read from its state and stack (no hook
 * in the code under test). Stateless; safe from any thread.
 */
public final class Blocking {
    private static final long WAIT_NANOS = 10_000_000_000L;

    private Blocking() { }

    /**
     * Waits (up to 10 s) until {@code t} is blocked in a call: five samples in a row, 1 ms apart, that see
     * it {@linkplain #looksBlocked blocked}. Returns whether it was; {@code false} also when it ended.
     */
    public static boolean awaitBlocked(Thread t) {
        long deadline = System.nanoTime() + WAIT_NANOS;
        int streak = 0;
        while (System.nanoTime() < deadline && t.isAlive()) {
            streak = looksBlocked(t) ? streak + 1 : 0;
            if (streak >= 5) {
                return true;
            }
            try {
                Thread.sleep(1); // sampling interval of an observable state, not synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** {@link #awaitBlocked}, failing the test when {@code t} does not block in a call. */
    public static void assertBlocks(Thread t) {
        if (!awaitBlocked(t)) {
            fail(t.getName() + " did not block in the call (state " + t.getState() + "): "
                    + java.util.List.of(t.getStackTrace()));
        }
    }

    /**
     * One sample: {@code t} is inside a native call (JNI or JNA frame on top; an FFM downcall shows the
     * binding's waiting method as innermost project frame), or waiting/parked with an I/O or selector
     * frame of Edgewise or the JDK on its stack (a thread waiting on a test's latch is not blocked "in
     * the call").
     */
    public static boolean looksBlocked(Thread t) {
        Thread.State st = t.getState();
        StackTraceElement[] trace = t.getStackTrace();
        if (st == Thread.State.WAITING || st == Thread.State.TIMED_WAITING) {
            for (StackTraceElement e : trace) {
                String c = e.getClassName();
                if (c.startsWith("io.edgewise.") || c.startsWith("sun.nio.ch.")) {
                    return true;
                }
            }
            return false;
        }
        if (st != Thread.State.RUNNABLE) {
            return false;
        }
        if (trace.length > 0 && trace[0].isNativeMethod()) {
            return true; // JNI and JNA calls
        }
        // FFM downcalls have no native frame: the innermost Edgewise frame is the binding's waiting call
        for (StackTraceElement e : trace) {
            if (e.getClassName().startsWith("io.edgewise.")) {
                String m = e.getMethodName();
                switch (e.getClassName()) {
                    case "io.edgewise.sys.posix.FfmLibC":
                        return m.equals("poll") || m.equals("epoll_wait") || m.equals("syscall"); // syscall: io_uring_enter
                    case "io.edgewise.sys.bsd.FfmKqueue":
                        return m.equals("kevent");
                    default:
                        return false;
                }
            }
        }
        return false;
    }
}
