package io.edgewise.backend.uring;

import static io.edgewise.sys.linux.Linux.EAGAIN;
import static io.edgewise.sys.linux.Linux.EFD_CLOEXEC;
import static io.edgewise.sys.linux.Linux.EFD_NONBLOCK;
import static io.edgewise.sys.linux.Linux.EINTR;
import static io.edgewise.sys.linux.Linux.POLLERR;
import static io.edgewise.sys.linux.Linux.POLLHUP;
import static io.edgewise.sys.linux.Linux.POLLIN;
import static io.edgewise.sys.linux.Linux.POLLOUT;
import static io.edgewise.sys.linux.Linux.EPOLLRDHUP;
import static io.edgewise.sys.linux.UringLayout.*;

import io.edgewise.backend.Poller;
import io.edgewise.sys.posix.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The io_uring backend, level 1: readiness through poll requests in a ring, JDK-exact like epoll.
 *
 * <ul>
 * <li>LEVEL and ONESHOT: a single-shot {@code IORING_OP_POLL_ADD}. After its completion a LEVEL
 *     descriptor is queued for re-arming, and the next {@link #poll} submits the new request; the kernel
 *     completes it at once while the condition holds, which is level semantics. ONESHOT stays disarmed
 *     until {@link #update} re-arms it.
 * <li>EDGE: a multishot poll ({@code IORING_POLL_ADD_MULTI}, edge-triggered in the kernel): every new
 *     arrival is one completion. When the kernel ends it (a completion without {@code IORING_CQE_F_MORE},
 *     e.g. after a CQ overflow) it is posted again by the next poll.
 * <li>Interest changes: remove the old request and add a new one, batched into the SQ and submitted with
 *     the next {@code io_uring_enter}. A removal ({@code events == 0}) is submitted before {@code update}
 *     returns: the selector may close the descriptor next, and an armed poll holds the file open.
 * <li>user_data = generation (bits 32..62) | descriptor (bits 0..31); each POLL_ADD gets a new
 *     generation, so completions of a replaced or removed request, or of a descriptor number since
 *     reused, are recognised and dropped. Bit 63 marks the poller's own requests (the wakeup, removals).
 * <li>A poll request belongs to the thread that submitted it: the kernel runs its completion work on that
 *     thread (a parked thread posts it late), and cancels it when that thread exits ({@code -ECANCELED}:
 *     re-armed by the next poll). So when {@link #poll} runs on another thread than the last one, it first
 *     moves every armed request to the calling thread (remove + add, submitted with this poll's enter).
 * <li>{@link #poll} makes one {@code io_uring_enter} (submit + wait, a timespec through
 *     {@code IORING_ENTER_EXT_ARG}); {@code poll(0)} with nothing to submit makes none when completions
 *     are already in the CQ, nor when the CQ is empty and the kernel's SQ flags say no completion work
 *     waits for this thread ({@code IORING_SQ_TASKRUN}, {@code IORING_SQ_CQ_OVERFLOW}): nothing is ready.
 * </ul>
 *
 * <p>Threads: everything but {@link #wakeup()} runs on the thread holding the selection lock (see
 * {@link Poller}); {@code wakeup} only writes the eventfd, whose descriptor is final and closed last. With
 * level 2, every operation also holds {@link #lock}, and a thread that serves a detach asked for from
 * another thread ({@link CompletionStreams#requestDetach}) may hold it while no operation runs: then the
 * ring, the per-descriptor state and the deferred completions are guarded by {@code lock}. Lock order:
 * the selection lock → {@code lock} → a channel's read lock (only tried) → a stream's monitor.
 *
 * <p>A level-2 ring made with {@code DEFER_TASKRUN} ({@link io.edgewise.sys.Settings#uringDeferTaskrun}) is
 * entered by {@link #issuer} alone (the kernel refuses the others): any other thread's operation, and a
 * virtual thread's first, takes it over first ({@link #takeOver}, under {@code lock}, so the owner is in no
 * operation), after which {@code ring} is an ordinary one for good. {@code issuer} is written once, by that
 * thread, and volatile; {@code ring}, {@code deferTaskrun} and {@code takeovers} are guarded by {@code lock}.
 */
public final class UringPoller implements Poller {
    /** Events per poll, the same for every selector of this process. */
    private static final int EVENTS = Poller.batchSize(LibC.fdLimit());
    /** Default SQ size: interest changes beyond it in one turn are submitted in several enters. */
    private static final int SQ_ENTRIES = 256;

    /** user_data of the poller's own requests: bit 63, a kind in bits 0..31, a generation in 32..62. */
    private static final long INTERNAL = Long.MIN_VALUE;
    private static final int WAKEUP_KIND = 1;
    /** user_data of POLL_REMOVE requests: their completions carry nothing the selector needs. */
    private static final long REMOVE_DATA = INTERNAL | 2;

    // per-descriptor state, indexed by descriptor, grown on demand
    private static final byte ARMED = 1, QUEUED = 2;
    /** The registered events with mode flags; 0 = not registered. */
    private int[] interest = new int[64];
    /** The generation of the descriptor's current poll request. */
    private int[] gen = new int[64];
    private byte[] state = new byte[64];
    /** The poll stamp at which the descriptor entered the batch, and its index there (coalescing). */
    private int[] batchStamp = new int[64];
    private int[] batchIndex = new int[64];

    /** Descriptors whose poll request ended and must be posted again by the next poll. */
    private int[] rearm = new int[64];
    private int rearmCount;

    private final int[] batchFd = new int[EVENTS];
    private final int[] batchEvents = new int[EVENTS];
    private int stamp;
    private int nextGen;

    /** The thread whose enter submitted the current requests (see the class comment). */
    private Thread owner;

    /** The ring; replaced once when another thread takes a DEFER_TASKRUN ring over ({@link #takeOver}). */
    private Ring ring;
    private final int eventfd;
    private boolean wakeArmed;
    private boolean wokenUp;
    /** The generation of the latest wakeup poll request, and the latest one a clearWakeup made stale. */
    private int wakeGen, wakeStale;

    /** io_uring_getevents_arg (0..23), its timespec (24..39), the eventfd's counter (40..47). */
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(48).order(ByteOrder.nativeOrder());
    private final long scratchAddr = LibC.address(scratch);
    private static final int TS = GETEVENTS_ARG_SIZE, COUNTER = TS + TIMESPEC_SIZE;

    public UringPoller() throws IOException {
        this(SQ_ENTRIES, Integer.highestOneBit(Math.max(2 * EVENTS, 2 * SQ_ENTRIES) - 1) << 1);
    }

    /** A ring of {@code sqEntries} submissions and {@code cqEntries} completions (tests: a small CQ). */
    UringPoller(int sqEntries, int cqEntries) throws IOException {
        String problem = UringSupport.problem();
        if (problem != null) {
            throw new IOException("io_uring unavailable: " + problem);
        }
        streamsOn = UringSupport.ioEnabled();
        boolean defer = streamsOn && io.edgewise.sys.Settings.uringDeferTaskrun();
        ring = defer ? Ring.forOneThread(sqEntries, cqEntries, UringSupport.SETUP_FLAGS)
                : new Ring(sqEntries, cqEntries, UringSupport.SETUP_FLAGS);
        deferTaskrun = ring.deferTaskrun();
        eventfd = LibC.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (eventfd < 0) {
            int e = -eventfd;
            ring.close();
            throw new IOException("eventfd: " + LibC.strerror(e));
        }
        scratch.putLong(GETEVENTS_ARG_TS, scratchAddr + TS);
        sendsOn = streamsOn && io.edgewise.sys.Settings.uringSend();
    }

    static int toPoll(int events) {
        int ev = 0;
        if ((events & IN) != 0) ev |= POLLIN | EPOLLRDHUP;
        if ((events & OUT) != 0) ev |= POLLOUT;
        return ev;
    }

    static int fromPoll(int ev) {
        int r = 0;
        if ((ev & POLLIN) != 0) r |= IN;
        if ((ev & POLLOUT) != 0) r |= OUT;
        if ((ev & POLLERR) != 0) r |= ERR;
        if ((ev & POLLHUP) != 0) r |= HUP;
        if ((ev & EPOLLRDHUP) != 0) r |= RDHUP | IN;
        return r;
    }

    private static long userData(int fd, int generation) {
        return ((long) generation << 32) | (fd & 0xffffffffL);
    }

    // ---- interest ----

    @Override
    public void update(int fd, int registered, int events) throws IOException {
        acquire();
        try {
            update0(fd, registered, events);
        } finally {
            release();
        }
    }

    private void update0(int fd, int registered, int events) throws IOException {
        if (fd < 0) {
            throw new IOException("io_uring: bad descriptor " + fd);
        }
        int cur = fd < interest.length ? interest[fd] : 0;
        if (events == 0) {
            if (registered == 0 || cur == 0) {
                return; // nothing registered (or dropped with a replaced file: see Poller.update)
            }
            interest[fd] = 0;
            if (streams != null) {
                streams.unbind(fd); // level 2: its recv ends before the selector may close the descriptor
            }
            // level 2's send side stays: its buffered bytes go on to the peer until the key leaves (deregistered)
            if ((state[fd] & ARMED) != 0) {
                state[fd] &= ~ARMED;
                queueRemove(fd);
                submitNow(); // before the selector may close the descriptor: the request holds the file
            }
            return;
        }
        if (registered == 0 && cur != 0) {
            throw new IOException("io_uring: descriptor " + fd + " is already registered");
        }
        if (registered != 0 && cur == 0) {
            throw new IOException("io_uring: descriptor " + fd + " is not registered");
        }
        grow(fd);
        boolean armed = (state[fd] & ARMED) != 0;
        if (cur == events && (armed || (events & ONESHOT) == 0)) {
            return; // the same request is in the kernel, or a LEVEL/EDGE one is queued for re-arming
        }
        interest[fd] = events;
        if (streams != null) {
            streams.interestChanged(fd, events);
        }
        if (sends != null) {
            sends.interestChanged(fd, events);
        }
        if (armed) {
            queueRemove(fd);
        }
        arm(fd);
    }

    private void grow(int fd) {
        if (fd < interest.length) return;
        int n = Integer.highestOneBit(fd) << 1;
        interest = java.util.Arrays.copyOf(interest, n);
        gen = java.util.Arrays.copyOf(gen, n);
        state = java.util.Arrays.copyOf(state, n);
        batchStamp = java.util.Arrays.copyOf(batchStamp, n);
        batchIndex = java.util.Arrays.copyOf(batchIndex, n);
    }

    /** Queues a POLL_ADD for the descriptor's interest under a new generation. */
    private void arm(int fd) throws IOException {
        int ev = streams == null ? interest[fd] : streams.pollInterest(fd, interest[fd]);
        if (sends != null) {
            ev = sends.pollInterest(fd, ev); // level 2 serves OUT from the send buffer's room
        }
        if ((ev & (IN | OUT)) == 0) {
            return; // level 2 serves IN and nothing else is asked: no poll request
        }
        int g = nextGen = nextGen == 0x7fffffff ? 1 : nextGen + 1; // 0 marks "no request"
        gen[fd] = g;
        state[fd] |= ARMED;
        int off = sqe();
        ring.prepPollAdd(off, fd, toPoll(ev), (ev & EDGE) != 0, userData(fd, g));
        ring.publish();
    }

    /** Queues the removal of the descriptor's current poll request (whatever it became meanwhile). */
    private void queueRemove(int fd) throws IOException {
        int off = sqe();
        ring.prepPollRemove(off, userData(fd, gen[fd]), REMOVE_DATA);
        ring.publish();
        gen[fd] = 0; // generation 0 is never armed: late completions of the removed request are dropped
    }

    private void armWakeup() throws IOException {
        int off = sqe();
        wakeGen = wakeGen == 0x3fffffff ? 1 : wakeGen + 1; // bit 62 tags level 2's requests
        ring.prepPollAdd(off, eventfd, POLLIN, false, INTERNAL | ((long) wakeGen << 32) | WAKEUP_KIND);
        ring.publish();
        wakeArmed = true;
    }

    /** The next free SQE; when the SQ is full, what is queued is submitted first. */
    int sqe() throws IOException {
        if (ring.sqSpace() == 0) {
            submitNow();
        }
        return ring.nextSqe();
    }

    // ---- DEFER_TASKRUN rings (level 2's default: Settings.uringDeferTaskrun), and their takeover

    /**
     * Whether the ring was made with {@code SINGLE_ISSUER | DEFER_TASKRUN}: the kernel runs its completion
     * work only inside the enters of one thread, {@link #issuer}, and refuses every other thread's enter and
     * register. False once another thread took it over (the ring is then an ordinary one for good).
     */
    private boolean deferTaskrun;
    /** The one thread that may enter a DEFER_TASKRUN ring: the first that did (written once, by it). */
    private volatile Thread issuer;
    /** Rings taken over from their owner thread (tests). */
    long takeovers;

    /** Every enter of this poller: a DEFER_TASKRUN ring is claimed by its first caller. */
    private long enter(int toSubmit, int minComplete, int flags, long arg, int argSize) throws IOException {
        if (deferTaskrun && issuer != Thread.currentThread()) {
            claim();
        }
        return ring.enter(toSubmit, minComplete, flags, arg, argSize);
    }

    private void claim() throws IOException {
        if (issuer != null) {
            // acquire() takes the ring over before another thread's operation: never reached
            throw new IOException("io_uring: a DEFER_TASKRUN ring entered by a thread that does not own it");
        }
        ring.enable();
        issuer = Thread.currentThread();
    }

    /**
     * Whether the calling thread must take the ring over before it may use it (under {@link #lock}): the ring
     * is another thread's, or nobody's yet and this is a virtual thread (it moves between carriers, so it
     * cannot own one).
     */
    private boolean mustTakeOver() {
        if (!deferTaskrun) return false;
        Thread me = Thread.currentThread();
        Thread o = issuer;
        return o != me && (o != null || isVirtual(me));
    }

    /**
     * Moves everything to a new, ordinary ring (under {@link #lock}), without the owner thread, which may be
     * parked elsewhere, busy, or gone, and never enters again: the kernel lets no other thread enter or register
     * on its ring, only read its memory and close it. What the ring posted is read from its CQ and handled; the
     * ring is unmapped and closed, which ends every request it holds without effect: a multishot recv or a
     * SEND runs only inside its owner's enters, so no byte was received into the buffers nor sent since the
     * owner's last enter (benchmarks/native/defer-takeover-probe.c shows it on the kernel: the bytes stay in the
     * socket, the SEND's bytes never leave, the files are released). Then every request is made again on the new
     * ring from this side's state: the polls, each recv (after the buffer ring moved over), each SEND from its
     * first unsent byte, the kernel-room polls, the wakeup and the nudge. Fails, changing nothing, if the new ring
     * cannot be made.
     */
    private void takeOver() throws IOException {
        Ring old = ring;
        if ((old.sqFlags() & IORING_SQ_CQ_OVERFLOW) != 0) {
            // the owner flushes an overflow before it leaves an operation (release): never reached
            throw new IOException("io_uring: completions of this selector's ring overflowed in the kernel, and thread \""
                    + issuer.getName() + "\", which owns the ring, is the only one that can read them");
        }
        Ring fresh = new Ring(old.sqEntries, old.cqEntries, UringSupport.SETUP_FLAGS);
        BufferRing.Registration entries = null;
        if (streams != null) {
            try {
                entries = streams.buffers.registerOn(fresh.fd);
            } catch (IOException e) {
                fresh.close();
                throw e;
            }
        }
        int posted = old.cqReady();
        long[] data = new long[posted];
        int[] res = new int[posted], flags = new int[posted];
        for (int i = 0; i < posted; i++) {
            int off = old.cqe(i);
            data[i] = old.cqeUserData(off);
            res[i] = old.cqeRes(off);
            flags[i] = old.cqeFlags(off);
        }
        old.consume(posted);
        old.close(); // unmapped and closed: the kernel ends its requests (a mapping alone would keep the ring)
        ring = fresh;
        deferTaskrun = false;
        owner = Thread.currentThread(); // its next enter submits every request made again below
        wakeArmed = false;
        for (int fd = 0; fd < interest.length; fd++) {
            if (interest[fd] != 0 && (state[fd] & ARMED) != 0) {
                state[fd] &= ~ARMED;
                arm(fd); // a new generation: a posted completion of the old request is dropped, the new one reports
            }
        }
        if (nudge != null) nudge.moveTo(fresh);
        if (streams != null) streams.moveTo(fresh);
        if (sends != null) sends.moveTo(fresh);
        for (int i = 0; i < posted; i++) {
            dispatch(data[i], res[i], flags[i]); // in order: a recv's bytes before the end made up below
        }
        if (streams != null) streams.endedWithRing(entries); // buffers moved over, each recv ends and is armed again
        if (sends != null) sends.endedWithRing(); // each SEND in flight is sent again from its first unsent byte
        takeovers++;
        Thread was = issuer;
        System.getLogger("io.edgewise").log(System.Logger.Level.DEBUG, () -> "Edgewise: thread \""
                + Thread.currentThread().getName() + "\" took over an io_uring selector ring that "
                + (was == null ? "no thread owned yet" : "thread \"" + was.getName() + "\" owned")
                + "; the selector keeps an ordinary ring from now on");
    }

    /**
     * An owner thread leaves no completion in the kernel's overflow list, which no other thread could read: it is
     * flushed into the CQ (and handled) before the owner leaves an operation.
     */
    private void flushOverflow() throws IOException {
        while ((ring.sqFlags() & IORING_SQ_CQ_OVERFLOW) != 0) {
            drainPosted();
            long r = enter(0, 0, IORING_ENTER_GETEVENTS, 0, 0);
            if (r < 0 && r != -EINTR && r != -EAGAIN && r != -EBUSY) {
                throw new IOException("io_uring_enter: " + LibC.strerror((int) -r));
            }
        }
    }

    /** Thread.isVirtual (Java 21+) without compiling against it; asked until a ring has its owner. */
    private static boolean isVirtual(Thread t) {
        if (IS_VIRTUAL == null) return false;
        try {
            return (boolean) IS_VIRTUAL.invokeExact(t);
        } catch (Throwable e) {
            return false;
        }
    }

    private static final java.lang.invoke.MethodHandle IS_VIRTUAL = isVirtualHandle();

    private static java.lang.invoke.MethodHandle isVirtualHandle() {
        try {
            return java.lang.invoke.MethodHandles.publicLookup().findVirtual(Thread.class, "isVirtual",
                    java.lang.invoke.MethodType.methodType(boolean.class));
        } catch (ReflectiveOperationException before21) {
            return null;
        }
    }

    /**
     * Submits every queued SQE without waiting. On a DEFER_TASKRUN ring the same enter also runs the completion
     * work the submission queued (GETEVENTS, no minimum): a removed request holds its file until that work ran,
     * and an ordinary ring runs it as this thread leaves the system call anyway.
     */
    private void submitNow() throws IOException {
        int n;
        while ((n = ring.unsubmitted()) > 0) {
            long entered = enter(n, 0, deferTaskrun ? IORING_ENTER_GETEVENTS : 0, 0, 0);
            if (entered < 0) {
                int e = (int) -entered;
                if (e == EINTR) continue;
                if (e == EAGAIN || e == EBUSY) {
                    // the CQ is full and its overflow cannot be flushed: make room by waiting for nothing
                    long waited = enter(0, 0, IORING_ENTER_GETEVENTS, 0, 0);
                    if (waited < 0 && waited != -EINTR) {
                        throw new IOException("io_uring_enter: " + LibC.strerror((int) -waited));
                    }
                    if (ring.unsubmitted() == n) {
                        throw new IOException("io_uring_enter: " + LibC.strerror(e) + " (completion queue full)");
                    }
                    continue;
                }
                throw new IOException("io_uring_enter: " + LibC.strerror(e));
            }
        }
    }

    private void queueRearm(int fd) {
        if ((state[fd] & QUEUED) != 0) return;
        state[fd] |= QUEUED;
        if (rearmCount == rearm.length) {
            rearm = java.util.Arrays.copyOf(rearm, rearmCount * 2);
        }
        rearm[rearmCount++] = fd;
    }

    // ---- polling ----

    /**
     * Waits as {@link Poller#poll} says. A wait can end with nothing to report: only the poller's own
     * completions (a request moved to a new selecting thread, a removal, a stale wakeup), or a signal after a
     * submission, which hides EINTR. That is not the end of the wait: it goes on, with the time left, until
     * an event, a wakeup, EINTR or the timeout.
     */
    @Override
    public int poll(long timeoutMillis) throws IOException {
        acquire();
        try {
            return poll0(timeoutMillis);
        } finally {
            release();
        }
    }

    private int poll0(long timeoutMillis) throws IOException {
        if (timeoutMillis == 0) {
            return pollOnce(0);
        }
        long deadline = timeoutMillis > 0
                ? System.nanoTime() + Math.min(timeoutMillis, Long.MAX_VALUE / 2_000_000) * 1_000_000L : 0;
        long left = timeoutMillis;
        while (true) {
            int n = pollOnce(left);
            if (n != 0 || wokenUp) {
                return n;
            }
            if (timeoutMillis > 0) {
                long ns = deadline - System.nanoTime();
                if (ns <= 0) {
                    return 0;
                }
                left = (ns + 999_999) / 1_000_000;
            }
        }
    }

    private int pollOnce(long timeoutMillis) throws IOException {
        wokenUp = false;
        Thread me = Thread.currentThread();
        if (owner != me) {
            if (owner != null) adopt();
            owner = me;
        }
        for (int i = 0; i < rearmCount; i++) {
            int fd = rearm[i];
            state[fd] &= ~QUEUED;
            if (interest[fd] != 0 && (state[fd] & ARMED) == 0) {
                arm(fd);
            }
        }
        rearmCount = 0;
        if (!wakeArmed) {
            armWakeup();
        }
        if (nudge != null) {
            nudge.beforeEnter(); // before the sides take their queued work: work queued after it pokes
        }
        boolean streamsReady = streams != null && streams.beforeEnter();
        if (sends != null && sends.beforeEnter()) {
            streamsReady = true;
        }
        int toSubmit = ring.unsubmitted();
        boolean ready = ring.cqReady() > 0 || streamsReady || deferredCount > 0; // deferred: read by an unbind
        boolean kernelWork = (ring.sqFlags() & (IORING_SQ_TASKRUN | IORING_SQ_CQ_OVERFLOW)) != 0;
        if (!ready && toSubmit == 0 && timeoutMillis == 0 && !kernelWork) {
            if (nudge != null) nudge.afterEnter();
            return 0; // nothing posted, nothing on its way to the CQ: an enter would find nothing either
        }
        // a DEFER_TASKRUN ring posts completions only inside an enter: with work waiting there, enter even when
        // something is ready already (an ordinary ring posts them when this thread next enters the kernel)
        if (!ready || toSubmit > 0 || (deferTaskrun && kernelWork)) {
            long r;
            if (ready || timeoutMillis == 0) {
                // submit; GETEVENTS without a minimum runs pending completion work and flushes an overflow
                r = enter(toSubmit, 0, IORING_ENTER_GETEVENTS, 0, 0);
            } else {
                long arg = 0;
                if (timeoutMillis > 0) {
                    scratch.putLong(TS + TIMESPEC_TV_SEC, timeoutMillis / 1000);
                    scratch.putLong(TS + TIMESPEC_TV_NSEC, (timeoutMillis % 1000) * 1_000_000L);
                    scratch.putLong(GETEVENTS_ARG_TS, scratchAddr + TS);
                } else {
                    scratch.putLong(GETEVENTS_ARG_TS, 0L); // no timespec: wait without limit
                }
                arg = scratchAddr;
                r = enter(toSubmit, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, arg, GETEVENTS_ARG_SIZE);
            }
            if (r < 0) {
                int e = (int) -r;
                if (e == EINTR) {
                    return -1;
                }
                // ETIME (the timeout) reports what is there, usually nothing; poll() decides whether time is left
                if (e != ETIME && e != EAGAIN && e != EBUSY) {
                    throw new IOException("io_uring_enter: " + LibC.strerror(e));
                }
            }
        }
        return reap();
    }

    /** Re-submits every armed request (and the wakeup's) from the calling thread: a new selecting thread. */
    private void adopt() throws IOException {
        if (streams != null) {
            streams.adopt(); // level 2: every recv ends here and is armed again by this poll, from this thread
            nudge.adopt(REMOVE_DATA);
        }
        for (int fd = 0; fd < interest.length; fd++) {
            if (interest[fd] != 0 && (state[fd] & ARMED) != 0) {
                queueRemove(fd);
                arm(fd);
            }
        }
        if (wakeArmed) {
            int off = sqe();
            ring.prepPollRemove(off, INTERNAL | ((long) wakeGen << 32) | WAKEUP_KIND, REMOVE_DATA);
            ring.publish();
            wakeArmed = false; // armed again below, under a new generation
        }
    }

    /** Reads up to a batch of completions; the rest stay in the CQ for the next poll. */
    private int reap() throws IOException {
        if (nudge != null) {
            nudge.afterEnter();
        }
        int s = stamp = stamp == Integer.MAX_VALUE ? 1 : stamp + 1;
        int n = replayDeferred(s);
        int avail = ring.cqReady();
        int used = 0;
        while (used < avail && n < EVENTS) {
            int off = ring.cqe(used++);
            n = handle(ring.cqeUserData(off), ring.cqeRes(off), ring.cqeFlags(off), s, n);
        }
        ring.consume(used);
        if (streams != null) {
            n = streams.report(s, n, EVENTS);
        }
        if (sends != null) {
            n = sends.report(s, n, EVENTS);
        }
        return n;
    }

    /** One completion: the batch grows by at most one entry; returns its size. */
    private int handle(long data, int res, int flags, int s, int n) throws IOException {
        if (data < 0) {
            if (SendStreams.isSend(data)) {
                if (sends != null) sends.complete(data, res, flags);
                return n;
            }
            if (CompletionStreams.isStream(data)) {
                if (sends != null && res < 0) sends.receiveFailed(data, res); // a reset ends the sends too
                if (streams != null) streams.complete(data, res, flags);
                return n;
            }
            if (Nudge.isNudge(data)) {
                nudge.completed(data); // level 2's internal wake: the queued work is taken by the next poll
                return n;
            }
            if ((int) data == WAKEUP_KIND) {
                int g = (int) (data >>> 32) & 0x7fffffff;
                // only the current request counts (an older one was replaced: see adopt); and not
                // for a signal clearWakeup already consumed: the next poll re-arms, and the new
                // request completes at once if a later wakeup is pending
                if (g == wakeGen) {
                    wakeArmed = false;
                    if (res > 0 && g != wakeStale) wokenUp = true;
                }
            }
            return n;
        }
        int fd = (int) data;
        int g = (int) (data >>> 32);
        if (fd >= interest.length || interest[fd] == 0 || gen[fd] != g) {
            return n; // a removed or replaced request
        }
        int mode = interest[fd];
        if ((flags & IORING_CQE_F_MORE) == 0) {
            state[fd] &= ~ARMED;
            if (res == -ECANCELED || (res >= 0 && (mode & ONESHOT) == 0)) {
                queueRearm(fd); // LEVEL and ended EDGE requests, and any cancelled by a thread's exit
            }
        }
        int ev;
        if (res >= 0) {
            ev = fromPoll(res & (toPoll(mode) | POLLERR | POLLHUP));
        } else {
            ev = res == -ECANCELED ? 0 : ERR; // the request failed: let the next operation tell why
        }
        if (ev == 0) return n;
        return emit(fd, ev, s, n);
    }

    /** Adds (or merges) a batch entry; returns the batch size. */
    int emit(int fd, int ev, int s, int n) {
        if (batchStamp[fd] == s) {
            batchEvents[batchIndex[fd]] |= ev; // an EDGE descriptor twice: one entry
            return n;
        }
        batchStamp[fd] = s;
        batchIndex[fd] = n;
        batchFd[n] = fd;
        batchEvents[n] = ev;
        return n + 1;
    }

    /** Whether the ring is a DEFER_TASKRUN one that no other thread took over (tests). */
    boolean deferTaskrun() {
        return deferTaskrun;
    }

    /** io_uring_enter calls so far (tests). */
    long enters() {
        return ring.enters;
    }

    @Override
    public int descriptor(int i) {
        return batchFd[i];
    }

    @Override
    public int events(int i) {
        return batchEvents[i];
    }

    @Override
    public boolean wokenUp() {
        return wokenUp;
    }

    // ---- wakeup ----

    /** The eventfd increment, 1; never written after construction, so every thread may use it. */
    private static final ByteBuffer ONE = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).putLong(0, 1L);
    private static final long ONE_ADDR = LibC.address(ONE);

    @Override
    public void wakeup() throws IOException {
        long r = LibC.write(eventfd, ONE_ADDR, 8);
        if (r < 0) {
            int e = (int) -r; // a data call: -errno with the result (LibC's errno rule)
            if (e != EAGAIN) throw new IOException("eventfd write: " + LibC.strerror(e));
        }
    }

    @Override
    public void clearWakeup() throws IOException {
        long r = LibC.read(eventfd, scratchAddr + COUNTER, 8);
        if (r < 0) {
            int e = (int) -r;
            if (e != EAGAIN && e != EINTR) throw new IOException("eventfd read: " + LibC.strerror(e));
        } else if (wakeArmed) {
            // the signal is consumed: the current request's completion (already posted, or on its way)
            // reports it, and must not end another poll
            wakeStale = wakeGen;
        }
    }

    @Override
    public void close() throws IOException {
        acquire();
        try {
            close0();
        } finally {
            release();
        }
    }

    private void close0() throws IOException {
        if (streams != null) {
            streams.close(); // level 2: every recv ends and its stream keeps what it received
        }
        if (sends != null) {
            try {
                sends.endInFlight(); // level 2: no SEND's completion may be lost with the ring
            } catch (IOException e) {
                // the ring failed: it ends below all the same
            }
        }
        ring.close(); // the kernel cancels every request with the ring
        deferTaskrun = false; // closed: release() must not look at its memory
        if (sends != null) {
            sends.close(); // level 2: every send stream detaches and ends its hold on its descriptor
        }
        if (nudge != null) {
            nudge.close();
        }
        LibC.close(eventfd);
    }

    // ---- level 2 (completion I/O, CompletionStreams): hooks

    /** Whether level 2 runs on this poller ({@link UringSupport#ioEnabled()}); its state made at first use. */
    private final boolean streamsOn;
    /** Whether level 2's send side runs too ({@code io.edgewise.uring.send}, on unless set to false). */
    private final boolean sendsOn;
    /** Made at the first offer (under {@link #lock}); volatile for {@link #release()}'s look after unlocking. */
    private volatile CompletionStreams streams;
    /** Level 2's send side, made with the receive side's (under {@link #lock}); volatile as {@link #streams}. */
    private volatile SendStreams sends;
    /** Level 2's internal wake for both sides, made with the receive side (under {@link #lock}). */
    private Nudge nudge;
    /** Completions read while waiting for a level-2 unbind, handled by the next reap (data, res, flags). */
    private long[] deferredData = new long[16];
    private int[] deferredRes = new int[16], deferredFlags = new int[16];
    private int deferredHead, deferredCount;

    /**
     * Level 2 only: held by every poller operation (poll, update, offer, close) and by a thread that serves
     * level-2 detaches asked for from other threads while no operation runs ({@link CompletionStreams});
     * released with {@link #release()}, which serves detaches asked for meanwhile. Level 1 never takes it.
     */
    final java.util.concurrent.locks.ReentrantLock lock = new java.util.concurrent.locks.ReentrantLock();

    /** Work another thread does under this poller's lock (level 2's hand-backs). */
    interface LockedWork {
        void run() throws IOException;
    }

    /**
     * Runs {@code work} under this poller's lock if no other thread holds it (its holder then serves the work,
     * or looks again when it releases the lock); false if it was taken. A ring failure is left to the
     * selector's next operation, which reports it.
     */
    boolean runIfFree(LockedWork work) {
        if (!lock.tryLock()) {
            return false;
        }
        try {
            if (mustTakeOver()) takeOver(); // the owner is not in an operation: it may never come back
            work.run();
        } catch (IOException e) {
            // the ring failed: the selector's next operation reports it
        } finally {
            lock.unlock();
        }
        return true;
    }

    /** Takes {@link #lock} (level 2), and the ring over when it is another thread's (see {@link #takeOver}). */
    private void acquire() throws IOException {
        if (!streamsOn) return;
        lock.lock();
        if (mustTakeOver()) {
            try {
                takeOver();
            } catch (IOException | RuntimeException | Error e) {
                lock.unlock();
                throw e;
            }
        }
    }

    private void release() {
        if (streamsOn) {
            if (deferTaskrun && issuer == Thread.currentThread() && (ring.sqFlags() & IORING_SQ_CQ_OVERFLOW) != 0) {
                try {
                    flushOverflow();
                } catch (IOException e) {
                    // the ring failed: the selector's next operation reports it
                }
            }
            lock.unlock();
            CompletionStreams s = streams;
            if (s != null && !lock.isHeldByCurrentThread()) s.afterRelease();
            SendStreams o = sends;
            if (o != null && !lock.isHeldByCurrentThread()) o.afterRelease();
        }
    }

    @Override
    public void offer(int fd, io.edgewise.sys.InputHost host) throws IOException {
        if (!streamsOn || fd < 0) {
            return;
        }
        acquire();
        try {
            offer0(fd, host);
        } finally {
            release();
        }
    }

    @Override
    public void deregistered(int fd, io.edgewise.sys.InputHost host) throws IOException {
        if (sends == null) return;
        acquire();
        try {
            sends.unbind(fd, host); // its send ends; a closed channel's drain takes the rest (SendStreams)
        } finally {
            release();
        }
    }

    private void offer0(int fd, io.edgewise.sys.InputHost host) throws IOException {
        if (nudge == null) {
            nudge = new Nudge(this, ring);
        }
        if (streams == null) {
            streams = new CompletionStreams(this, ring, nudge,
                    io.edgewise.sys.Settings.uringTestBufferRing());
        }
        if (sends == null && sendsOn) {
            sends = new SendStreams(this, ring, nudge, io.edgewise.sys.Settings.uringSendPoolBytes());
        }
        boolean in = streams.offer(fd, host);
        boolean out = sends != null && sends.offer(fd, host); // the send side (SendStreams)
        if ((in || out) && fd < interest.length && (state[fd] & ARMED) != 0) {
            queueRemove(fd); // its poll watched IN or OUT, which the streams serve now
            state[fd] &= ~ARMED;
            arm(fd);
        }
    }

    /** Level 2 no longer serves {@code fd}: its poll request watches every registered event again. */
    void watchAgain(int fd) throws IOException {
        if (fd >= interest.length || interest[fd] == 0) return;
        if ((state[fd] & ARMED) != 0) {
            queueRemove(fd);
            state[fd] &= ~ARMED;
        }
        arm(fd);
    }

    /** The registered events of {@code fd} with mode flags (0: none). */
    int interestOf(int fd) {
        return fd < interest.length ? interest[fd] : 0;
    }

    /** Submits what is queued, without waiting. */
    void submitPending() throws IOException {
        submitNow();
    }

    /**
     * Waits for at least one completion and handles level 2's; the others are kept for the next reap
     * (a removal runs between a poll and the selector's reading of its batch).
     */
    void awaitCompletions() throws IOException {
        long entered = ring.cqReady() == 0 ? enter(0, 1, IORING_ENTER_GETEVENTS, 0, 0) : 0;
        if (entered < 0) {
            int e = (int) -entered;
            if (e != EINTR && e != EAGAIN && e != EBUSY) throw new IOException("io_uring_enter: " + LibC.strerror(e));
        }
        drainPosted();
    }

    /** Handles every completion in the CQ now: level 2's at once, the others kept for the next reap. */
    private void drainPosted() throws IOException {
        int avail = ring.cqReady();
        for (int i = 0; i < avail; i++) {
            int off = ring.cqe(i);
            dispatch(ring.cqeUserData(off), ring.cqeRes(off), ring.cqeFlags(off));
        }
        ring.consume(avail);
    }

    private void dispatch(long data, int res, int flags) throws IOException {
        if (SendStreams.isSend(data)) {
            if (sends != null) sends.complete(data, res, flags);
        } else if (CompletionStreams.isStream(data)) {
            if (sends != null && res < 0) sends.receiveFailed(data, res);
            if (streams != null) streams.complete(data, res, flags);
        } else if (Nudge.isNudge(data)) {
            if (nudge != null) nudge.completed(data);
        } else {
            defer(data, res, flags);
        }
    }

    private void defer(long data, int res, int flags) {
        if (deferredHead + deferredCount == deferredData.length) {
            int cap = Math.max(16, deferredCount * 2);
            deferredData = java.util.Arrays.copyOfRange(deferredData, deferredHead, deferredHead + cap);
            deferredRes = java.util.Arrays.copyOfRange(deferredRes, deferredHead, deferredHead + cap);
            deferredFlags = java.util.Arrays.copyOfRange(deferredFlags, deferredHead, deferredHead + cap);
            deferredHead = 0;
        }
        int at = deferredHead + deferredCount++;
        deferredData[at] = data;
        deferredRes[at] = res;
        deferredFlags[at] = flags;
    }

    private int replayDeferred(int s) throws IOException {
        int n = 0;
        while (deferredCount > 0 && n < EVENTS) {
            int at = deferredHead++;
            deferredCount--;
            n = handle(deferredData[at], deferredRes[at], deferredFlags[at], s, n);
        }
        if (deferredCount == 0) {
            deferredHead = 0;
        }
        return n;
    }
}
