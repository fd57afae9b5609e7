package io.edgewise.resources;

/**
 * Whether a thread is inside a blocking channel call's wait: its stack shows a native frame or
 * Edgewise's {@code Waiter.await} below a channel operation. Observable state, polled with a deadline,
 * instead of a sleep.
 */
final class Blocked {
    private Blocked() { }

    static boolean inWait(Thread t) {
        if (t.getState() != Thread.State.RUNNABLE && t.getState() != Thread.State.WAITING
                && t.getState() != Thread.State.TIMED_WAITING) {
            return false;
        }
        boolean waiting = false;
        for (StackTraceElement e : t.getStackTrace()) {
            String c = e.getClassName();
            if (e.isNativeMethod() || (c.equals("io.edgewise.channels.Waiter") && e.getMethodName().startsWith("await"))) {
                waiting = true;
            } else if (waiting && (c.startsWith("sun.nio.ch.") || c.startsWith("io.edgewise.channels."))) {
                return true;
            }
        }
        return false;
    }

    /** Waits until every thread is in a wait or has ended; false when {@code millis} passed first. */
    static boolean awaitAll(Iterable<Thread> threads, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        for (Thread t : threads) {
            while (t.isAlive() && !inWait(t)) {
                if (System.nanoTime() > deadline) return false;
                Thread.sleep(1); // polling an observable state with a deadline
            }
        }
        return true;
    }
}
