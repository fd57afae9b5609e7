package io.edgewise.channels;

import io.edgewise.backend.Backends;
import io.edgewise.backend.ReadyPoller;
import io.edgewise.channels.vthread.VirtualPollers;
import io.edgewise.channels.vthread.VirtualThreads;
import io.edgewise.sys.Platform;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.WaitOps;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * What a thread blocked in a channel operation waits on besides its descriptor, and how
 * {@code close}, {@code shutdown*} and interrupts (which close the channel) wake it.
 *
 * <p><b>Platform threads on a socket whose kernel wakes pollers on shutdown</b> (Linux, every socket
 * kind: {@link WaitOps#shutdownWakesPoll()}): no descriptor at all. The thread polls the socket
 * alone; a close wakes it with {@link WaitOps#unblock} (the socket shut down both ways, or reset
 * first when {@code SO_LINGER} 0 asks close for a reset), a {@code shutdownInput}/{@code shutdownOutput}
 * wakes it with the shutdown itself. All such waiters are one shared, stateless instance.
 * Why this design: the JDK spends no descriptor on a blocked thread (it signals the thread), so
 * anything that costs one per blocked thread fails a thread-per-connection server at a third fewer
 * connections under the same descriptor limit; signals are not available through JNA. A shared
 * wakeup descriptor would wake every blocked thread of the process on each close, and nobody could
 * tell when to drain it. The shutdown is a <em>state</em> of the socket, not an event: a poll that
 * starts after it returns at once, so no wake-up can be lost between a thread's last check and its
 * poll, and nothing needs draining. It wakes exactly the threads blocked on that socket. The peer sees
 * nothing the close would not show it at once (the JDK shuts the output down on such a close too).
 * Two exceptions use the next kind: a Unix-domain stream socket's {@code SHUT_WR} does not wake a writer
 * waiting for buffer space (its poll ignores the send shutdown); and a channel with an io_uring send buffer
 * may hold bytes a write accepted, which its close or shutdown still sends, so it must wake its blocked
 * threads without shutting the socket down.
 *
 * <p><b>Other platform-thread waits</b> (pipes; Unix-domain writes; BSD and Windows): a wakeup
 * descriptor (eventfd, or the OS's substitute) that close, shutdown and interrupts signal, waited on
 * together with the channel's descriptor in one {@code poll}. These are pooled, not per thread; at
 * most {@link #IDLE_BOUND} stay open while unused, so threads that blocked once and ended leave no
 * more than that behind. The count survives a poll that returned for the channel's descriptor; the
 * wait loops treat such a stale wake as "check again". A waiter is signalled only under its channel's
 * state lock while it is set in the channel, and released (perhaps closed) under the same lock after
 * it was cleared, so no signal can reach a closed (and reused) descriptor number.
 *
 * <p><b>Virtual threads</b> (JDK 21+): no descriptor at all. The waiter registers the channel's
 * descriptor with the shared {@link ReadyPoller} (oneshot) and parks; the poller thread, a signal or an
 * interrupt unparks it; the registration is removed before {@link #await} returns, so the descriptor
 * is never left in the poller's set after the operation (the caller holds its {@code FdHandle} use
 * across the wait, so it cannot be closed meanwhile). The carrier thread is free while the virtual
 * thread waits. Such waiters are not pooled (they own nothing).
 *
 * <p>No wake-up is lost: every waker changes the state the wait loops check ({@code isOpen()}, the
 * input/output-closed flags) <em>before</em> it wakes, and every wake persists until the waiter looks
 * (socket shutdown state, the counter of a wakeup descriptor, {@code signalled} checked after
 * {@code parked} is published). A wake that arrives after the operation ended only makes a later wait
 * return early, which every wait loop treats as "check again".
 *
 * <p>Threads: a waiter is used by one blocked thread at a time ({@link #await}) except the shared
 * kernel-woken one, which has no state; {@link #signal} comes from any thread. {@code POOL_LOCK}
 * guards the free stack ({@code freeTop}, {@code nextFree}, {@code idle}). {@code parked},
 * {@code token}, {@code ready} and {@code signalled} are volatile; {@code ready} is written by the
 * poller thread for the current {@code token} only.
 */
final class Waiter implements ReadyPoller.Callback {
    /** Unused wakeup descriptors kept open for the next blocked thread; more are closed on release. */
    static final int IDLE_BOUND = Math.min(64, Math.max(8, 2 * Runtime.getRuntime().availableProcessors()));

    /** {@code wakeFd} of the shared kernel-woken waiter and of virtual-thread waiters. */
    private static final int KERNEL = -2, VIRTUAL = -1;

    /** Free platform-thread waiters: a stack linked through {@code nextFree} (no node per release). */
    private static final Object POOL_LOCK = new Object();
    private static Waiter freeTop; // guarded by POOL_LOCK
    private static int idle; // guarded by POOL_LOCK: the stack's length
    private Waiter nextFree; // guarded by POOL_LOCK

    /**
     * The waiting part that goes with a channel's socket ops: the ops themselves where they also wait
     * (an inherited channel's, which keep wakeup descriptors), else the platform's.
     */
    static WaitOps of(SocketOps ops) {
        return ops instanceof WaitOps ? (WaitOps) ops : Platform.waitOps();
    }

    /** The shared kernel-woken waiter, for the one {@link WaitOps} it was made for. */
    private static volatile Waiter kernelWoken;

    private final WaitOps ops;
    /** The wakeup descriptor of a pooled waiter; {@link #KERNEL} or {@link #VIRTUAL} otherwise. */
    private final int wakeFd;

    // virtual-thread waits only
    private volatile Thread parked;
    private volatile long token;
    private volatile int ready;
    private volatile boolean signalled;

    private Waiter(WaitOps ops, int wakeFd) {
        this.ops = ops;
        this.wakeFd = wakeFd;
    }

    /**
     * A waiter for the calling thread (which is the one that will {@link #await}). {@code socket}:
     * the descriptor is a socket and its poll for this operation returns once the socket is shut down
     * in the operation's direction (false for pipes and Unix-domain writes).
     */
    static Waiter acquire(WaitOps ops, boolean socket) throws IOException {
        if (VirtualThreads.parkCurrent() && Backends.hasReadyPoller()) {
            return new Waiter(ops, VIRTUAL);
        }
        if (socket && ops.shutdownWakesPoll()) {
            Waiter k = kernelWoken;
            if (k == null || k.ops != ops) {
                kernelWoken = k = new Waiter(ops, KERNEL); // benign race: instances are interchangeable
            }
            return k;
        }
        Waiter w;
        synchronized (POOL_LOCK) {
            w = freeTop;
            if (w != null) {
                freeTop = w.nextFree;
                w.nextFree = null;
                idle--;
            }
        }
        return w != null ? w : new Waiter(ops, ops.wakeupDescriptor());
    }

    /** The blocked operation is over; the caller cleared its reference under the channel's state lock. */
    void release() {
        if (wakeFd < 0) {
            return;
        }
        synchronized (POOL_LOCK) {
            if (idle < IDLE_BOUND) {
                nextFree = freeTop;
                freeTop = this;
                idle++;
                return;
            }
        }
        try {
            ops.close(wakeFd);
        } catch (IOException ignore) {
            // close(2) failures leave nothing to retry: the number is released either way
        }
    }

    /** Open wakeup descriptors held by the pool (tests). */
    static int idleDescriptors() {
        synchronized (POOL_LOCK) {
            return idle;
        }
    }

    /**
     * Waits until {@code fd} is ready for {@code events}, the waiter is signalled, the thread is
     * interrupted, or the timeout ({@code -1} = none) passes. Returns the descriptor's ready events
     * (0: woken or timed out).
     */
    int await(int fd, int events, int timeoutMillis) throws IOException {
        if (wakeFd == KERNEL) {
            int r = ops.poll(fd, events, -1, timeoutMillis);
            return Math.max(r, 0);
        }
        if (wakeFd == VIRTUAL) {
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
        ReadyPoller poller = VirtualPollers.forWait(fd, events);
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

    /**
     * Wakes the thread after its channel shut down the direction it waits in (the shutdown already
     * woke a kernel-woken waiter). The caller holds the channel's state lock.
     */
    void signal() {
        if (wakeFd == KERNEL) {
            return;
        }
        if (wakeFd == VIRTUAL) {
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

    /**
     * Whether {@link #signal} wakes {@code w}'s thread (true for none): a kernel-woken waiter is woken only by
     * the socket's shutdown.
     */
    static boolean wakesBySignal(Waiter w) {
        return w == null || w.wakeFd != KERNEL;
    }

    /** Wakes the thread because its channel, whose descriptor is {@code fd}, is closing. */
    void signalClose(FdHandle fd) {
        if (wakeFd == KERNEL) {
            fd.unblock();
        } else {
            signal();
        }
    }
}
