package io.edgewise.backend.iocp;

import static io.edgewise.sys.windows.Win64.*;

import io.edgewise.backend.Poller;
import io.edgewise.sys.windows.CompletionPort;
import io.edgewise.sys.windows.WindowsSocketOps;
import io.edgewise.sys.windows.WouldBlock;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntToLongFunction;

/**
 * The IOCP backend: readiness from completions, the technique of wepoll, mio and the JDK's Windows
 * selector. Each registered socket has at most one {@code IOCTL_AFD_POLL} outstanding on an AFD helper
 * handle associated with one completion port; a completed poll is a readiness event.
 *
 * <h2>Per-socket state machine</h2>
 * <pre>
 *   IDLE --submit--> PENDING --completion--> IDLE (report, maybe resubmit at the next poll)
 *                    PENDING --interest needs events not submitted, or delete--> CANCELLING
 *   CANCELLING --completion (STATUS_CANCELLED, or events that raced the cancel)--> IDLE
 *   deleted: freed at once when IDLE, else when its (cancelled) poll's completion is dequeued;
 *   a completion with AFD_POLL_LOCAL_CLOSE means the socket was closed: forgotten, nothing reported.
 * </pre>
 * A pending poll whose events are a superset of what is now wanted is left alone: the surplus is
 * filtered when it completes (fewer system calls than cancel + resubmit).
 *
 * <h2>Trigger modes ({@link Poller})</h2>
 * AFD polls are one-shot by nature. Per socket an <em>armed</em> set of {@code IN}/{@code OUT} says what
 * may still be reported; a poll is submitted for {@code interest & armed}.
 * <ul>
 * <li>LEVEL: armed stays full, so every completion is followed by a resubmission (at the start of the
 *     next {@link #poll}) which completes at once while the condition holds.
 * <li>EDGE: a reported bit is disarmed until the socket's registration hears that the reader or
 *     writer saw "would block" for it ({@link WouldBlock} routes the Windows socket ops' report to
 *     that registration's re-arm hook only; {@link #sawWouldBlock} for tests) (the Windows socket ops also count a short read or write), or until the next
 *     {@link #update}, which re-evaluates like {@code EPOLL_CTL_MOD}. {@code ERR}/{@code HUP} disarm every
 *     interest bit. Weaker than {@code EPOLLET}: new data arriving while earlier data is unread is not a
 *     new report (an AFD poll cannot tell new data from unread data) — mio's contract on Windows.
 * <li>ONESHOT: after one report nothing is armed until {@link #update} is called again.
 * </ul>
 *
 * <h2>Poll groups</h2>
 * Sockets share AFD helper handles, at most {@link #GROUP_SIZE} per handle (the kernel keeps one list of
 * polls per helper); an empty group's handle is closed.
 *
 * <h2>Wakeup</h2>
 * {@link #wakeup()} posts a packet with {@link CompletionPort#WAKEUP_KEY}. A wakeup packet that is
 * still queued when the selector calls {@link #clearWakeup()} is counted and ignored when dequeued.
 * A re-arm hook called from another thread queues the socket and, when the selector is blocked in the
 * port, posts a {@link CompletionPort#KICK_KEY} packet that makes it resubmit and wait again (never
 * reported as a wakeup).
 *
 * <h2>Threads and guards</h2>
 * The {@link Poller} rules hold: everything but {@link #wakeup()} and the re-arm hooks
 * ({@code SockState.rearm(int)}, {@link #sawWouldBlock}) runs on the selecting thread, and so do all
 * fields without a note. Shared: {@code byFd} (concurrent map, written by the selecting thread, read by
 * {@code sawWouldBlock}); {@code rearms} (concurrent queue);
 * {@code SockState.rearm} (atomic); {@code SockState.edge} and {@code waiting} (volatile);
 * {@code kickPosted} (atomic: at most one kick packet in the port); {@code posted} (atomic count of
 * wakeup packets); {@code closed} guarded by {@code kickLock} (so no kick is posted to a closed port).
 */
public final class IocpPoller implements Poller {
    /** Sockets per AFD helper handle. */
    public static final int GROUP_SIZE = 32;

    /** Per-socket states (see the class comment); exposed for tests through {@link #stateOf}. */
    public static final int IDLE = 0, PENDING = 1, CANCELLING = 2;
    private static final int DIRS = IN | OUT;

    /** One AFD helper handle and the number of sockets using it. */
    private static final class Group {
        final long afd;
        int members;

        Group(long afd) {
            this.afd = afd;
        }
    }

    /**
     * What the backend knows about one registered (or deleted, poll not yet completed) socket; also the
     * registration's {@link WouldBlock} re-arm hook.
     */
    private static final class SockState implements WouldBlock.Rearm {
        final IocpPoller owner;
        final int fd;
        final long base;
        final Group group;
        final int slot;
        int interest;          // Poller events incl. EDGE/ONESHOT
        int armed = DIRS;      // IN/OUT that may still be reported
        int state = IDLE;
        int submitted;         // AFD events of the outstanding poll
        boolean deleted;
        boolean failed;        // submission failed: nothing watched until the next update
        boolean queued;        // in resubmit
        boolean released;      // slot freed: the state is dead
        volatile boolean edge;
        final AtomicInteger rearm = new AtomicInteger();

        SockState(IocpPoller owner, int fd, long base, Group group, int slot) {
            this.owner = owner;
            this.fd = fd;
            this.base = base;
            this.group = group;
            this.slot = slot;
        }

        int desiredAfd() {
            if (deleted || failed) return 0;
            return AfdEvents.toAfd(interest & armed & DIRS);
        }

        /** A call on this socket saw "would block" (any thread). */
        @Override
        public void rearm(int events) {
            owner.rearm(this, events);
        }
    }

    private final CompletionPort port;
    private final IntToLongFunction socketOf;
    /** Whether registrations watch their descriptor's {@link WouldBlock} reports (written once). */
    private final boolean hooked;
    private final ConcurrentHashMap<Integer, SockState> byFd = new ConcurrentHashMap<>();
    private SockState[] bySlot = new SockState[64];
    private final List<Group> groups = new ArrayList<>();
    private final ArrayList<SockState> resubmit = new ArrayList<>();
    private final ConcurrentLinkedQueue<SockState> rearms = new ConcurrentLinkedQueue<>();
    private int outstanding; // polls whose completion has not been dequeued

    private int[] batchFd = new int[64];
    private int[] batchEvents = new int[64];
    private int batchSize;
    private boolean wokenUp;
    /** Whether {@link #poll} is running; reports made outside it wait in {@code deferred} for the next one. */
    private boolean inPoll;
    private int[] deferred = new int[8]; // fd, events pairs
    private int deferredSize;

    private final AtomicLong posted = new AtomicLong();
    private long consumed;
    private long ignoreWakeups;

    private volatile boolean waiting;
    private final AtomicBoolean kickPosted = new AtomicBoolean();
    private final Object kickLock = new Object();
    private boolean closed;

    /**
     * @param port     the completion port (native, or a fake in tests)
     * @param socketOf the Windows {@code SOCKET} handle behind a descriptor number
     */
    public IocpPoller(CompletionPort port, IntToLongFunction socketOf) {
        this(port, socketOf, false);
    }

    /**
     * @param rearmOnWouldBlock whether each registration watches its descriptor's {@link WouldBlock}
     *                          reports (the socket ops in use report there); else only
     *                          {@link #sawWouldBlock} re-arms
     */
    public IocpPoller(CompletionPort port, IntToLongFunction socketOf, boolean rearmOnWouldBlock) {
        this.port = port;
        this.socketOf = socketOf;
        this.hooked = rearmOnWouldBlock;
    }

    /**
     * The Windows backend: a native completion port over {@link WindowsSocketOps}' handle table; each
     * registration hears the would-block reports of those socket ops for its socket (edge re-arm).
     */
    public static IocpPoller openNative() throws IOException {
        WindowsSocketOps ops = WindowsSocketOps.get();
        return new IocpPoller(new io.edgewise.sys.windows.NativeCompletionPort(), ops::handle, true);
    }

    // ---- registration

    @Override
    public void update(int fd, int registered, int events) throws IOException {
        SockState st = byFd.get(fd);
        if (events == 0) {
            if (st == null) return;
            byFd.remove(fd);
            if (hooked) WouldBlock.unwatch(fd, st);
            st.deleted = true;
            st.edge = false;
            apply(st);
            return;
        }
        if (st == null) {
            st = create(fd);
            byFd.put(fd, st);
        }
        st.interest = events;
        st.edge = (events & EDGE) != 0;
        st.armed = DIRS; // an update re-evaluates readiness, as EPOLL_CTL_MOD does; re-arms ONESHOT
        st.failed = false;
        st.rearm.set(0);
        apply(st);
    }

    private SockState create(int fd) throws IOException {
        long base = port.baseSocket(socketOf.applyAsLong(fd));
        Group g = null;
        for (Group x : groups) {
            if (x.members < GROUP_SIZE) { g = x; break; }
        }
        if (g == null) {
            g = new Group(port.openAfd());
            groups.add(g);
        }
        g.members++;
        int slot = port.newSlot();
        if (slot >= bySlot.length) bySlot = Arrays.copyOf(bySlot, Math.max(slot + 1, bySlot.length * 2));
        SockState st = new SockState(this, fd, base, g, slot);
        bySlot[slot] = st;
        if (hooked) WouldBlock.watch(fd, st);
        return st;
    }

    private void release(SockState st) {
        st.released = true;
        bySlot[st.slot] = null;
        port.freeSlot(st.slot);
        Group g = st.group;
        if (--g.members == 0) {
            groups.remove(g);
            port.closeAfd(g.afd);
        }
    }

    /** Brings the kernel in line with what the socket state wants now. */
    private void apply(SockState st) {
        if (st.released) return;
        switch (st.state) {
            case IDLE: {
                if (st.deleted) {
                    release(st);
                    return;
                }
                int want = st.desiredAfd();
                if (want == 0) return;
                int status = port.submitPoll(st.group.afd, st.slot, st.base, want);
                if (status == STATUS_PENDING || status == STATUS_SUCCESS) {
                    st.state = PENDING;
                    st.submitted = want;
                    outstanding++;
                } else {
                    // the socket cannot be polled (closed under us, or not a socket): report the error once
                    st.failed = true;
                    report(st, ERR | HUP);
                }
                return;
            }
            case PENDING: {
                int want = st.desiredAfd();
                if (st.deleted || (want & ~st.submitted) != 0) {
                    port.cancelPoll(st.group.afd, st.slot); // STATUS_NOT_FOUND: completion already queued
                    st.state = CANCELLING;
                }
                return;
            }
            default: // CANCELLING: the completion will bring it back here
        }
    }

    private void completed(int slot) {
        SockState st = slot >= 0 && slot < bySlot.length ? bySlot[slot] : null;
        if (st == null) return; // not ours (cannot happen with a well-behaved port)
        st.state = IDLE;
        outstanding--;
        if (st.deleted) {
            release(st);
            return;
        }
        int status = port.slotStatus(slot);
        if (status == STATUS_CANCELLED) {
            queueResubmit(st);
            return;
        }
        if (ntError(status) || ntWarning(status)) {
            // e.g. STATUS_INVALID_HANDLE, or STATUS_HANDLES_CLOSED (a warning) when the helper went away
            st.failed = true;
            report(st, ERR | HUP);
            return;
        }
        int afd = port.slotEvents(slot);
        if ((afd & AFD_POLL_LOCAL_CLOSE) != 0) {
            // closed without being deleted first: forget it, report nothing
            if (byFd.remove(st.fd, st) && hooked) WouldBlock.unwatch(st.fd, st);
            st.deleted = true;
            release(st);
            return;
        }
        int bits = AfdEvents.fromAfd(afd);
        if (bits != 0) report(st, bits);
        queueResubmit(st);
    }

    private void queueResubmit(SockState st) {
        if (!st.queued) {
            st.queued = true;
            resubmit.add(st);
        }
    }

    /** Adds a batch entry for what the socket's interest and armed set allow; updates the armed set. */
    private void report(SockState st, int bits) {
        int want = st.interest & st.armed & DIRS;
        if (want == 0) return;
        boolean error = (bits & (ERR | HUP)) != 0;
        int dirs = bits & want;
        if (dirs == 0 && !error) return;
        int r = dirs | (bits & (ERR | HUP));
        if ((bits & RDHUP) != 0 && (want & IN) != 0) r |= RDHUP | IN;
        if ((st.interest & ONESHOT) != 0) {
            st.armed = 0;
        } else if ((st.interest & EDGE) != 0) {
            st.armed &= ~(error ? want : (r & DIRS));
        }
        if (!inPoll) {
            if (deferredSize + 2 > deferred.length) deferred = Arrays.copyOf(deferred, deferred.length * 2);
            deferred[deferredSize++] = st.fd;
            deferred[deferredSize++] = r;
            return;
        }
        add(st.fd, r);
    }

    private void add(int fd, int r) {
        if (batchSize == batchFd.length) {
            batchFd = Arrays.copyOf(batchFd, batchSize * 2);
            batchEvents = Arrays.copyOf(batchEvents, batchSize * 2);
        }
        batchFd[batchSize] = fd;
        batchEvents[batchSize] = r;
        batchSize++;
    }

    // ---- edge re-arm

    /**
     * Tells the backend that a read ({@code IN}) or write ({@code OUT}) on {@code fd} returned "would
     * block", so an EDGE registration may watch that direction again. Any thread; a no-op for sockets
     * not registered here in EDGE mode. What {@link WouldBlock#report} does through the registration's
     * own hook, for tests and for socket ops that do not report there.
     */
    public void sawWouldBlock(int fd, int events) {
        SockState st = byFd.get(fd);
        if (st != null) rearm(st, events);
    }

    /** The re-arm hook of {@code st}'s registration (any thread). */
    private void rearm(SockState st, int events) {
        if (!st.edge) return; // also false once deleted
        int bits = events & DIRS;
        if (bits == 0) return;
        int old = st.rearm.getAndUpdate(v -> v | bits);
        if (old != 0) return; // already queued
        rearms.offer(st);
        if (waiting && kickPosted.compareAndSet(false, true)) {
            synchronized (kickLock) {
                if (!closed) {
                    try {
                        port.post(CompletionPort.KICK_KEY);
                    } catch (IOException e) {
                        kickPosted.set(false); // the next poll picks the queue up anyway
                    }
                }
            }
        }
    }

    private void drainRearms() {
        SockState st;
        while ((st = rearms.poll()) != null) {
            int bits = st.rearm.getAndSet(0);
            if (st.deleted || (st.interest & EDGE) == 0 || (st.interest & ONESHOT) != 0) continue;
            int before = st.armed;
            st.armed |= bits & DIRS;
            if (st.armed != before) apply(st);
        }
    }

    private void flushResubmits() {
        int n = resubmit.size();
        if (n == 0) return;
        for (int i = 0; i < n; i++) {
            SockState st = resubmit.get(i);
            st.queued = false;
            apply(st);
        }
        resubmit.subList(0, n).clear();
    }

    // ---- polling

    @Override
    public int poll(long timeoutMillis) throws IOException {
        batchSize = 0;
        wokenUp = false;
        inPoll = true;
        for (int i = 0; i < deferredSize; i += 2) {
            if (byFd.containsKey(deferred[i])) add(deferred[i], deferred[i + 1]);
        }
        deferredSize = 0;
        long deadline = timeoutMillis > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : 0;
        long to = timeoutMillis;
        try {
            for (;;) {
                waiting = true;
                drainRearms();
                flushResubmits();
                int n = port.dequeue(batchSize > 0 ? 0 : to);
                waiting = false;
                for (int i = 0; i < n; i++) {
                    long key = port.entryKey(i);
                    if (key == CompletionPort.AFD_KEY) {
                        completed(port.entrySlot(i));
                    } else if (key == CompletionPort.WAKEUP_KEY) {
                        consumed++;
                        if (ignoreWakeups > 0) {
                            ignoreWakeups--;
                        } else {
                            wokenUp = true;
                        }
                    } else if (key == CompletionPort.KICK_KEY) {
                        kickPosted.set(false);
                    }
                }
                if (batchSize > 0 || wokenUp || to == 0 || n == 0) { // n == 0: timed out
                    return batchSize;
                }
                if (to > 0) {
                    to = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (to <= 0) return 0;
                }
                // only kicks, ignored wakeups or filtered completions: wait again for the time left
            }
        } finally {
            waiting = false;
            inPoll = false;
        }
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

    @Override
    public void wakeup() throws IOException {
        posted.incrementAndGet();
        port.post(CompletionPort.WAKEUP_KEY);
    }

    @Override
    public void clearWakeup() {
        // wakeup packets posted but not yet dequeued are stale: skip them when they come
        ignoreWakeups = posted.get() - consumed;
    }

    /** Sockets known to the backend, deleted ones still waiting for their completion included. */
    int trackedSockets() {
        int n = 0;
        for (SockState s : bySlot) if (s != null) n++;
        return n;
    }

    /** For tests: the state of {@code fd}'s socket ({@link #IDLE}...), or -1 when not registered. */
    public int stateOf(int fd) {
        SockState st = byFd.get(fd);
        return st == null ? -1 : st.state;
    }

    /** For tests: the number of AFD helper handles open. */
    public int groupCount() {
        return groups.size();
    }

    /** For tests: sockets whose slot is still held (registered, or deleted with a poll outstanding). */
    public int slotsInUse() {
        return trackedSockets();
    }

    /** How long {@link #close()} waits for cancelled polls to complete before it leaks their memory. */
    private static final long CLOSE_DRAIN_MILLIS = 2000;

    @Override
    public void close() throws IOException {
        if (hooked) {
            for (SockState st : byFd.values()) WouldBlock.unwatch(st.fd, st);
        }
        synchronized (kickLock) {
            closed = true;
        }
        for (SockState st : bySlot) {
            if (st != null && st.state == PENDING) {
                port.cancelPoll(st.group.afd, st.slot);
                st.state = CANCELLING;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_DRAIN_MILLIS);
        while (outstanding > 0) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) break;
            int n = port.dequeue(left);
            if (n == 0) break;
            for (int i = 0; i < n; i++) {
                if (port.entryKey(i) == CompletionPort.AFD_KEY) {
                    int slot = port.entrySlot(i);
                    SockState st = slot >= 0 && slot < bySlot.length ? bySlot[slot] : null;
                    if (st != null && st.state != IDLE) {
                        st.state = IDLE;
                        outstanding--;
                    }
                }
            }
        }
        byFd.clear();
        port.close(outstanding > 0);
    }
}
