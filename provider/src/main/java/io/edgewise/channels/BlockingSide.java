package io.edgewise.channels;

import io.edgewise.sys.PollEvents;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.WaitOps;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * The blocking mode of one direction (receives/reads or sends/writes) of a channel whose descriptor
 * is always non-blocking: the {@link Waiter} of the thread blocked in it, which close, shutdown and
 * interrupts signal, and the wait step of every blocking loop ({@link #await}, with the deadline of an
 * {@code SO_TIMEOUT}). The channel keeps its own {@code begin()}/{@code end()} around it (they are
 * protected in {@code AbstractInterruptibleChannel}): {@code begin(); arm under stateLock; loop of call
 * and await; disarm; end(completed)}. The datagram channels hold one per direction; the stream
 * channels keep their two waiters as fields (two more objects per connection would cost 64 bytes of
 * heap per connection end, see HeapPerConnectionTest) and share the wait step and the result and
 * deadline rules through the static methods.
 *
 * <h2>Locks</h2>
 * {@code waiter} is guarded by the owning channel's {@code stateLock}: set ({@link #arm}) and cleared
 * ({@link #disarm}) by the blocked thread, which alone awaits on it; signalled by others under that lock.
 */
final class BlockingSide {
    private final WaitOps ops;
    private final Object stateLock;
    /** The poll event a blocked call waits for ({@link io.edgewise.sys.PollEvents#IN} or {@link io.edgewise.sys.PollEvents#OUT}). */
    private final int event;
    private Waiter waiter;

    BlockingSide(WaitOps ops, Object stateLock, int event) {
        this.ops = ops;
        this.stateLock = stateLock;
        this.event = event;
    }

    /** Under stateLock, after the channel's {@code begin()}: the waiter of this thread's blocking call. */
    void arm(boolean socket) throws IOException {
        waiter = Waiter.acquire(ops, socket);
    }

    /** Before the channel's {@code end()}: gives the waiter back. */
    void disarm() {
        synchronized (stateLock) {
            if (waiter != null) {
                waiter.release();
                waiter = null;
            }
        }
    }

    /** Under stateLock, when the channel closes: wakes the thread blocked in this direction, if any. */
    void signalClose(FdHandle fd) {
        if (waiter != null) waiter.signalClose(fd);
    }

    /**
     * One wait of the blocked thread for the descriptor {@code f} to be ready (or a signal), bounded by
     * {@code deadline} ({@link #deadline}); {@code SocketTimeoutException} with {@code timeoutMessage}
     * once the deadline has passed.
     */
    void await(int f, long deadline, String timeoutMessage) throws IOException {
        await(waiter, f, event, deadline, timeoutMessage);
    }

    /** The wait step of a blocking loop on {@code w}, for the channels that keep their waiter themselves. */
    static void await(Waiter w, int f, int event, long deadline, String timeoutMessage) throws IOException {
        int wait = remainingMillis(deadline);
        if (wait == 0) throw new SocketTimeoutException(timeoutMessage);
        w.await(f, event, wait);
    }

    // ---- results and deadlines

    /** Whether a non-blocking call's result means "try again" (would block, or interrupted by a signal). */
    static boolean retry(long n) {
        return n == SocketOps.UNAVAILABLE || n == SocketOps.INTERRUPTED;
    }

    /** A call's result as the channel reports it: "try again" becomes 0. */
    static long normalize(long n) {
        return retry(n) ? 0 : n;
    }

    /** The nanoTime deadline of a wait bounded by {@code timeoutMillis} (> 0), or 0 for none. */
    static long deadline(int timeoutMillis) {
        return timeoutMillis > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : 0;
    }

    /** -1 when there is no deadline; else the millis left, at least 1, or 0 when passed. */
    static int remainingMillis(long deadline) {
        if (deadline == 0) return -1;
        long left = deadline - System.nanoTime();
        if (left <= 0) return 0;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
    }
}
