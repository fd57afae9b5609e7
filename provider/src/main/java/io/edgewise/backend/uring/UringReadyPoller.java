package io.edgewise.backend.uring;

import static io.edgewise.sys.linux.Linux.EAGAIN;
import static io.edgewise.sys.linux.Linux.EFD_CLOEXEC;
import static io.edgewise.sys.linux.Linux.EFD_NONBLOCK;
import static io.edgewise.sys.linux.Linux.EINTR;
import static io.edgewise.sys.linux.Linux.EPOLLRDHUP;
import static io.edgewise.sys.linux.Linux.POLLERR;
import static io.edgewise.sys.linux.Linux.POLLHUP;
import static io.edgewise.sys.linux.Linux.POLLIN;
import static io.edgewise.sys.linux.Linux.POLLOUT;
import static io.edgewise.sys.linux.UringLayout.*;

import io.edgewise.backend.ReadyPoller;
import io.edgewise.sys.posix.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * The io_uring {@link ReadyPoller}: one ring and one daemon platform thread per poller; every registration is
 * a single-shot {@code IORING_OP_POLL_ADD} whose completion runs the callback on the poller thread.
 *
 * <p><b>Only the poller thread touches the submission queue.</b> A poll request belongs to the thread that
 * submitted it: the kernel runs its completion work on that thread, and cancels it when the thread exits.
 * Submitting from the caller (a virtual thread's carrier) would post readiness only when that carrier next
 * enters the kernel and lose it when the carrier pool shrinks. So {@link #register} pushes the request on a
 * lock-free stack and nudges the poller thread, which writes the SQE and submits it in the same
 * {@code io_uring_enter} that waits for completions. The nudge is a write to an eventfd that a multishot poll
 * of the ring watches (every write posts a completion; the counter is never read, which saves a system
 * call), and only when the poller thread said it is going to sleep.
 *
 * <p><b>Deregistration never waits for the poller thread</b> (callers deregister under locks that callbacks
 * take, e.g. {@code HappyEyeballs}). What makes that safe: a request still on the stack is marked dropped and
 * never reaches the ring; a request whose SQE was written is first seen consumed by the kernel (the SQ head
 * passed it: from then on the poll holds the <em>file</em>, not the number, so a reused number cannot reach
 * it), then a {@code POLL_REMOVE} is queued like a registration. Until that removal completes the armed poll
 * keeps the old file referenced, so a close right after deregistration releases the socket after the poller's
 * next turn (it is nudged), not at once. The callback is forgotten first; one that was already taken may
 * still run (callbacks compare the token).
 *
 * <p>Request states: QUEUED (on the stack) → ARMING (poller writing its SQE) → ARMED → GONE (its completion
 * was read; the slot is free); deregistration moves QUEUED → DROPPED, or ARMED → CANCELLING (stacked again
 * for the removal) → GONE.
 *
 * <p>Threads and locks: {@code byFd} (which request watches a descriptor: duplicate registrations throw) is
 * guarded by its own monitor, held only for the lookup, never while calling out. {@code Req.state} and
 * {@code Req.callback} are volatile, {@code state} changed by CAS; {@code stack} and {@code asleep} are
 * atomics. The ring, {@code slots}, {@code free} and every SQE/CQE access belong to the poller thread, except
 * {@link Ring#sqHeadNow()} (a kernel-written word read with acquire). Lock order: only {@code byFd}; nothing
 * is called while it is held.
 */
public final class UringReadyPoller implements ReadyPoller {
    private static final int SQ_ENTRIES = 256, CQ_ENTRIES = 1024;
    /** user_data bit of the poller's own requests (the nudge's poll, removals); low bits = slot. */
    private static final long INTERNAL = 1L << 63, NUDGE = INTERNAL | 0xFFFF_FFFFL;

    private static final int QUEUED = 0, ARMING = 1, ARMED = 2, CANCELLING = 3, GONE = 4, DROPPED = 5;

    private static final class Holder {
        static final UringReadyPoller IN = startShared("edgewise-uring-read-poller");
        static final UringReadyPoller OUT = startShared("edgewise-uring-write-poller");

        private static UringReadyPoller startShared(String name) {
            try {
                return start(name);
            } catch (IOException e) {
                throw new ExceptionInInitializerError(e);
            }
        }
    }

    /**
     * The shared poller for a wait on {@code pollEvents} ({@code POLLIN}: the input poller, else the output
     * one): two, because one poller watches a descriptor once and a reader and a writer may wait together.
     */
    public static UringReadyPoller forEvents(int pollEvents) {
        return (pollEvents & POLLIN) != 0 ? Holder.IN : Holder.OUT;
    }

    /** A new poller with its own ring and thread (tests; the shared ones come from {@link #forEvents}). */
    public static UringReadyPoller start(String threadName) throws IOException {
        UringReadyPoller p = new UringReadyPoller();
        Thread t = new Thread(p::loop, threadName);
        t.setDaemon(true);
        p.thread = t;
        t.start();
        return p;
    }

    /** One registration (or, when CANCELLING, its pending removal). */
    private static final class Req {
        final int fd;
        final int events;
        final long token;
        volatile Callback callback;
        volatile int state;
        /** Poller thread: the slot (user_data) while in the ring; the SQ tail after its SQE (consumed check). */
        int slot;
        volatile int sqSeq;
        /** The next request on the stack. */
        Req next;

        Req(int fd, int events, long token, Callback cb) {
            this.fd = fd;
            this.events = events;
            this.token = token;
            this.callback = cb;
        }
    }

    private static final AtomicIntegerFieldUpdater<Req> STATE = AtomicIntegerFieldUpdater.newUpdater(Req.class, "state");

    private final Ring ring;
    private final int eventfd;
    private volatile Thread thread;
    private final AtomicLong tokens = new AtomicLong();
    private final AtomicReference<Req> stack = new AtomicReference<>();
    private volatile boolean asleep;
    private volatile boolean closed;

    /** guarded by itself: the registration watching each descriptor number (null: none). */
    private Req[] byFd = new Req[64];

    // poller thread only
    private Req[] slots = new Req[64];
    private int[] free = new int[64];
    private int freeTop;
    private int nextSlot;

    /** Nudges written (tests, diagnostics; racy increments: approximate under contention). */
    private volatile long nudges;
    /** POLL_ADDs written (the poller thread writes, anyone reads). */
    private volatile long armed;

    private UringReadyPoller() throws IOException {
        ring = new Ring(SQ_ENTRIES, CQ_ENTRIES, UringSupport.SETUP_FLAGS);
        int e = LibC.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (e < 0) {
            ring.close();
            throw new IOException("eventfd: " + LibC.strerror(-e));
        }
        eventfd = e;
    }

    @Override
    public long newToken() {
        return tokens.incrementAndGet();
    }

    @Override
    public void register(int fd, int pollEvents, long token, Callback cb) throws IOException {
        if (fd < 0) throw new IOException("invalid descriptor " + fd);
        if (closed) throw new IOException("ready poller closed");
        Req r = new Req(fd, pollEvents, token, cb);
        synchronized (this) {
            if (fd >= byFd.length) {
                Req[] a = new Req[Math.max(fd + 1, byFd.length * 2)];
                System.arraycopy(byFd, 0, a, 0, byFd.length);
                byFd = a;
            }
            if (byFd[fd] != null) {
                throw new IOException("descriptor " + fd + " is already watched by this poller");
            }
            byFd[fd] = r;
        }
        push(r);
    }

    @Override
    public void deregister(int fd, long token) {
        Req r;
        synchronized (this) {
            if (fd < 0 || fd >= byFd.length || (r = byFd[fd]) == null || r.token != token) {
                return;
            }
            byFd[fd] = null;
        }
        r.callback = null;
        if (STATE.compareAndSet(r, QUEUED, DROPPED)) {
            return; // never reached the ring
        }
        int s;
        while ((s = r.state) == ARMING) {
            Thread.onSpinWait(); // the poller thread is writing its SQE: a few stores
        }
        if (s != ARMED) {
            return; // GONE: fired, nothing in the ring
        }
        awaitConsumed(r);
        if (STATE.compareAndSet(r, ARMED, CANCELLING)) {
            push(r);
        }
    }

    /**
     * Returns once the kernel has taken {@code r}'s SQE: from then on its poll names the file, and the
     * caller may close the number. The poller thread enters at once after writing SQEs, so this waits a
     * few microseconds unless that thread is descheduled; on the poller thread itself (a callback
     * deregistering another request) it submits them.
     */
    private void awaitConsumed(Req r) {
        boolean self = Thread.currentThread() == thread;
        for (int spins = 0; r.sqSeq - ring.sqHeadNow() > 0; spins++) {
            if (self) {
                ring.enter(ring.unsubmitted(), 0, 0, 0, 0);
            } else if (spins < 100) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
    }

    /** Hands {@code r} to the poller thread and wakes it if it sleeps. */
    private void push(Req r) {
        Req h;
        do {
            h = stack.get();
            r.next = h;
        } while (!stack.compareAndSet(h, r));
        if (asleep) {
            nudge();
        }
    }

    private static final ByteBuffer ONE = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).putLong(0, 1L);
    private static final long ONE_ADDR = LibC.address(ONE);

    private void nudge() {
        asleep = false; // one nudge per sleep is enough; a second is only a spare completion
        nudges++;
        long rc = LibC.write(eventfd, ONE_ADDR, 8);
        if (rc < 0 && (int) -rc != EAGAIN) {
            throw new IllegalStateException("eventfd write: " + LibC.strerror((int) -rc));
        }
    }

    /** Stops the poller thread and releases its ring (tests; the shared pollers live as long as the JVM). */
    public void close() throws InterruptedException {
        closed = true;
        asleep = true;
        nudge();
        Thread t = thread;
        if (t != Thread.currentThread()) t.join();
    }

    /** io_uring_enter calls made by this poller so far (tests, benchmarks). */
    public long enters() {
        return ring.enters;
    }

    /** POLL_ADD requests submitted so far (tests: which poller served a wait). */
    public long armed() {
        return armed;
    }

    /** Nudges written so far (tests, benchmarks). */
    public long nudges() {
        return nudges;
    }

    // ---- the poller thread ----

    private void loop() {
        try {
            armNudge();
            for (;;) {
                reap();
                if (closed) break;
                take();
                asleep = true;
                boolean work = stack.get() != null || ring.cqReady() > 0
                        || (ring.sqFlags() & IORING_SQ_CQ_OVERFLOW) != 0;
                long rc = ring.enter(ring.unsubmitted(), work ? 0 : 1, IORING_ENTER_GETEVENTS, 0, 0);
                asleep = false;
                if (rc < 0 && (int) -rc != EINTR && (int) -rc != EBUSY && (int) -rc != EAGAIN) {
                    throw new IllegalStateException("io_uring_enter: " + LibC.strerror((int) -rc));
                }
            }
        } catch (Throwable t) {
            System.getLogger("io.edgewise").log(System.Logger.Level.ERROR, "Edgewise: io_uring ready poller stopped", t);
        } finally {
            ring.close();
            LibC.close(eventfd);
        }
    }

    /** A multishot poll on the eventfd: each write posts a completion (the counter is never drained). */
    private void armNudge() {
        ensureSq();
        int off = ring.nextSqe();
        ring.prepPollAdd(off, eventfd, POLLIN, true, NUDGE);
        ring.publish();
    }

    /** Moves every stacked request into the SQ: POLL_ADD for new ones, POLL_REMOVE for cancelled ones. */
    private void take() {
        Req r = stack.getAndSet(null);
        while (r != null) {
            Req next = r.next; // read before any state change: a deregistration may stack r again
            r.next = null;
            if (STATE.compareAndSet(r, QUEUED, ARMING)) {
                arm(r);
            } else if (r.state == CANCELLING) {
                remove(r);
            } // DROPPED, or GONE before its removal was taken: nothing in the ring
            r = next;
        }
    }

    private void arm(Req r) {
        int slot = allocSlot(r);
        ensureSq();
        int off = ring.nextSqe();
        ring.prepPollAdd(off, r.fd, toKernel(r.events), false, slot);
        ring.publish();
        r.sqSeq = ring.sqTailNow();
        armed++;
        r.state = ARMED;
    }

    private void remove(Req r) {
        ensureSq();
        int off = ring.nextSqe();
        ring.prepPollRemove(off, r.slot, INTERNAL | r.slot);
        ring.publish();
    }

    /** Room for one SQE: submits what is queued when the SQ is full. */
    private void ensureSq() {
        while (ring.sqSpace() == 0) {
            ring.enter(ring.unsubmitted(), 0, 0, 0, 0);
        }
    }

    /**
     * Reads every completion; a registration's runs its callback. SQEs an enter left unsubmitted (it failed
     * before taking them) are submitted first: a callback may block on a lock whose holder waits in
     * {@link #awaitConsumed} for exactly those.
     */
    private void reap() {
        if (ring.unsubmitted() > 0) {
            ring.enter(ring.unsubmitted(), 0, 0, 0, 0);
        }
        int n;
        while ((n = ring.cqReady()) > 0) {
            for (int i = 0; i < n; i++) {
                int off = ring.cqe(i);
                long ud = ring.cqeUserData(off);
                int res = ring.cqeRes(off);
                int flags = ring.cqeFlags(off);
                if (ud == NUDGE) {
                    if ((flags & IORING_CQE_F_MORE) == 0 && !closed) armNudge();
                } else if ((ud & INTERNAL) == 0) {
                    complete((int) ud, res);
                } // a removal's own completion: the request's says what happened
            }
            ring.consume(n);
        }
    }

    private void complete(int slot, int res) {
        Req r = slots[slot];
        slots[slot] = null;
        free[freeTop++] = slot;
        STATE.set(r, GONE);
        Callback cb = r.callback;
        if (cb == null) return; // deregistered: a removal's -ECANCELED, or a fire nobody waits for
        int ev = res >= 0 ? fromKernel(res) : POLLERR; // a failed poll: the waiter retries and sees the error
        try {
            cb.ready(r.token, ev);
        } catch (Throwable t) {
            // a callback failure must not stop the poller every waiter depends on
        }
    }

    private int allocSlot(Req r) {
        int s;
        if (freeTop > 0) {
            s = free[--freeTop];
        } else {
            s = nextSlot++;
            if (s == slots.length) {
                Req[] a = new Req[s * 2];
                System.arraycopy(slots, 0, a, 0, s);
                slots = a;
                free = new int[s * 2];
            }
        }
        slots[s] = r;
        r.slot = s;
        return s;
    }

    private static int toKernel(int pollEvents) {
        int ev = 0;
        if ((pollEvents & POLLIN) != 0) ev |= POLLIN | EPOLLRDHUP;
        if ((pollEvents & POLLOUT) != 0) ev |= POLLOUT;
        return ev;
    }

    /** Kernel poll bits to the contract's (errors and hang-up as they are; peer shutdown reads as IN). */
    private static int fromKernel(int ev) {
        int r = ev & (POLLIN | POLLOUT | POLLERR | POLLHUP);
        if ((ev & EPOLLRDHUP) != 0) r |= POLLIN;
        return r;
    }
}
