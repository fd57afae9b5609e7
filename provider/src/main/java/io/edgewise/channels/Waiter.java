package io.edgewise.channels;

import io.edgewise.backend.Backends;
import io.edgewise.backend.ReadyPoller;
import io.edgewise.channels.vthread.VirtualThreads;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What a thread blocked in a channel operation waits on besides its descriptor.
 *
 * <p><b>Platform threads</b>: a wakeup descriptor that {@code close}, {@code shutdown} and interrupts
 * signal, waited on together with the channel's descriptor in one {@code poll}. Such waiters are
 * pooled, not per thread, so a thread that dies leaves no descriptor behind; the pool holds as many as
 * threads ever blocked at once.
 *
 * <p><b>Virtual threads</b> (JDK 21+): no descriptor at all. The waiter registers the channel's
 * descriptor with the shared {@link ReadyPoller} (oneshot) and parks; the poller thread, a signal or an
 * interrupt unparks it; the registration is removed before {@link #await} returns, so the descriptor
 * is never left in the poller's set after the operation (the caller holds its {@code FdHandle} use
 * across the wait, so it cannot be closed meanwhile). The carrier thread is free while the virtual
 * thread waits. Such waiters are not pooled (they own nothing).
 *
 * <p>A signal that arrives after the operation ended only makes a later wait return early, which
 * every wait loop treats as "check again".
 *
 * <p>Threads: a waiter is used by one blocked thread at a time ({@link #await}); {@link #signal} comes
 * from any thread. {@code parked}, {@code token}, {@code ready} and {@code signalled} are volatile;
 * {@code ready} is written by the poller thread for the current {@code token} only.
 */
final class Waiter implements ReadyPoller.Callback {
    private static final ConcurrentLinkedQueue<Waiter> POOL = new ConcurrentLinkedQueue<>();

    private final SocketOps ops;
    /** The eventfd of a platform-thread waiter; -1 for a virtual-thread waiter. */
    private final int wakeFd;

    // virtual-thread waits only
    private volatile Thread parked;
    private volatile long token;
    private volatile int ready;
    private volatile boolean signalled;

    private Waiter(SocketOps ops, int wakeFd) {
        this.ops = ops;
        this.wakeFd = wakeFd;
    }

    /** A waiter for the calling thread (which is the one that will {@link #await}). */
    static Waiter acquire(SocketOps ops) throws IOException {
        if (VirtualThreads.parkCurrent() && Backends.hasReadyPoller()) {
            return new Waiter(ops, -1);
        }
        Waiter w = POOL.poll();
        return w != null ? w : new Waiter(ops, ops.wakeupDescriptor());
    }

    void release() {
        if (wakeFd >= 0) {
            POOL.offer(this);
        }
    }

    /**
     * Waits until {@code fd} is ready for {@code events}, the waiter is signalled, the thread is
     * interrupted, or the timeout ({@code -1} = none) passes. Returns the descriptor's ready events
     * (0: woken or timed out).
     */
    int await(int fd, int events, int timeoutMillis) throws IOException {
        if (wakeFd < 0) {
            return awaitParked(fd, events, timeoutMillis);
        }
        int r = ops.poll(fd, events, wakeFd, timeoutMillis);
        if (r <= 0) {
            ops.drain(wakeFd);
            return 0;
        }
        return r;
    }

    private int awaitParked(int fd, int events, int timeoutMillis) throws IOException {
        Thread self = Thread.currentThread();
        if (signalled) {
            signalled = false;
            return 0;
        }
        ReadyPoller poller = ReadyPoller.forEvents(events);
        long t = poller.newToken();
        ready = 0;
        parked = self;
        token = t;
        try {
            poller.register(fd, events, t, this);
        } catch (IOException e) {
            // the descriptor is already watched by this poller (two waits of one direction): wait
            // in short native polls instead, still honouring signals and interrupts
            parked = null;
            token = 0;
            return awaitPolling(fd, events, timeoutMillis);
        }
        try {
            long deadline = timeoutMillis >= 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : 0;
            while (ready == 0 && !signalled && !self.isInterrupted()) {
                if (timeoutMillis < 0) {
                    LockSupport.park(this);
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) break;
                    LockSupport.parkNanos(this, left);
                }
            }
        } finally {
            token = 0;
            parked = null;
            poller.deregister(fd, t);
        }
        signalled = false;
        int r = ready;
        ready = 0;
        return Math.max(r, 0);
    }

    private int awaitPolling(int fd, int events, int timeoutMillis) throws IOException {
        long deadline = timeoutMillis >= 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : 0;
        while (!signalled && !Thread.currentThread().isInterrupted()) {
            int slice = 20;
            if (timeoutMillis >= 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) break;
                slice = (int) Math.min(slice, left);
            }
            int r = ops.poll(fd, events, -1, slice);
            if (r > 0) return r;
        }
        signalled = false;
        return 0;
    }

    /** Poller thread: the registered descriptor is ready. */
    @Override
    public void ready(long tok, int ev) {
        if (tok == token) {
            ready = ev == 0 ? -1 : ev;
            Thread t = parked;
            if (t != null) LockSupport.unpark(t);
        }
    }

    void signal() {
        if (wakeFd < 0) {
            signalled = true;
            Thread t = parked;
            if (t != null) LockSupport.unpark(t);
            return;
        }
        try {
            ops.signal(wakeFd);
        } catch (IOException ignore) {
            // an eventfd write fails only when the counter is saturated, i.e. already signalled
        }
    }
}
