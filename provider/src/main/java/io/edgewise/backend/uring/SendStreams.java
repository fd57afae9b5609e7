package io.edgewise.backend.uring;

import static io.edgewise.sys.linux.Linux.MSG_NOSIGNAL;
import static io.edgewise.sys.linux.Linux.POLLOUT;
import static io.edgewise.sys.linux.UringLayout.*;

import io.edgewise.backend.Poller;
import io.edgewise.sys.OutputHost;
import io.edgewise.sys.posix.LibC;
import java.io.IOException;

/**
 * io_uring level 2, the send side, for one {@link UringPoller}: the descriptors whose writes the ring sends,
 * each a {@link UringSendStream} of chunks from one {@link SendChunks} pool.
 *
 * <ul>
 * <li>Binding: offered with the receive side; from then on readiness for OUT comes from the stream's room
 *     (LEVEL while it has room, EDGE once per freed room or interest change, ONESHOT once until re-armed),
 *     and the poll request, if any, no longer watches OUT; only at binding one single-shot POLLOUT waits for
 *     the socket's own room (it may be full of bytes written to the descriptor before). A receive error
 *     (a reset) seen by the receive side fails the send side too.
 * <li>Submission: a writer with bytes and no SEND in flight puts its stream in {@code pending}; the next poll
 *     queues one {@code IORING_OP_SEND} ({@code MSG_NOSIGNAL}) per stream, submitted by its enter. A writer
 *     on another thread while the poller waits in the kernel pokes the poller's {@link Nudge} (the SQ is
 *     single-producer: only the poller's thread writes SQEs). A partial send continues from where it stopped
 *     (queued at its completion, submitted by the next enter).
 * <li>An interest of 0 ({@code update(fd, …, 0)}) keeps the stream: the ring goes on sending what writes
 *     accepted (a Netty channel with auto-read off and its writes done has no interest, and its peer waits for
 *     those bytes); only OP_WRITE is not reported.
 * <li>Unbinding ({@link Poller#deregistered}: the key left the selector): the SEND in flight is cancelled and
 *     its end awaited, then the stream detaches: the unsent bytes go to the socket as far as it takes them
 *     without waiting, and what it leaves goes to the channel, written before any newer byte (no
 *     reordering). After {@link UringSendStream#finishWithFin} (a shutdownOutput or a close) the channel
 *     writes nothing more: its {@code LeftoverDrain} sends what is left and then the FIN, and the stream's
 *     hold on the descriptor passes to it (so the real close waits for the last byte, and a peer that takes
 *     nothing for a while cannot keep the descriptor).
 * </ul>
 *
 * <p>Threads: everything runs on the poller's thread except {@link #requestSend} (writers):
 * {@code pending}/{@code pendingCount} are guarded by {@code pendingLock}; and except {@link #requestDetach}
 * (a blocking writer, a second registration): the detach queue under {@code pendingLock}, {@code detachWanted} volatile; it unbinds
 * only while holding the poller's lock. Lock order: the poller's lock → a stream → pendingLock.
 */
final class SendStreams {
    /** user_data: bits 63, 62 and kind 3 in 60..61 (level 2's, apart from the receive side's kinds), sub-kind in 58..59. */
    static final long TAG = Long.MIN_VALUE | (1L << 62) | (3L << 60);
    static final int SEND = 0, CANCEL = 1, KERNEL_ROOM = 3;

    private final UringPoller poller;
    /** The poller's ring (replaced when it is taken over: {@link #moveTo}). */
    private Ring ring;
    final SendChunks pool;
    private UringSendStream[] byFd = new UringSendStream[64];
    private int nextGen;

    private final Object pendingLock = new Object();
    private UringSendStream[] pending = new UringSendStream[16];
    private int pendingCount;
    /** Continuations decided at completions (poller thread). */
    private UringSendStream[] again = new UringSendStream[16];
    private int againCount;
    /** Streams to look at for OUT readiness (poller thread). */
    private UringSendStream[] ready = new UringSendStream[16];
    private int readyCount;
    /** Streams that asked for OUT and had no room only because the pool was empty (poller thread). */
    private UringSendStream[] poolWait = new UringSendStream[16];
    private int poolWaitCount;

    private final Nudge nudge;
    /** Hand-backs asked for by blocking writers and second registrations (see below). */
    private final HandBacks handBacks;

    /** SENDs submitted, and their completions that were partial (tests). */
    long sends, partials;

    SendStreams(UringPoller poller, Ring ring, Nudge nudge, long poolBytes) {
        this.poller = poller;
        this.ring = ring;
        this.nudge = nudge;
        this.handBacks = new HandBacks(poller, nudge, () -> detachWanted != 0, this::serveDetaches);
        this.pool = new SendChunks(poolBytes);
    }

    static boolean isSend(long data) {
        return (data & TAG) == TAG;
    }

    private static long userData(int kind, int gen, int fd) {
        return TAG | ((long) kind << 58) | ((long) (gen & 0x03ffffff) << 32) | (fd & 0xffffffffL);
    }

    boolean bound(int fd) {
        return fd < byFd.length && byFd[fd] != null;
    }

    /** The poll events the descriptor still needs from a poll request: OUT comes from its stream. */
    int pollInterest(int fd, int interest) {
        return bound(fd) ? interest & ~Poller.OUT : interest;
    }

    // ---- binding

    /** Installs a send stream in the channel unless one serves it; true when a new one was bound. */
    boolean offer(int fd, Object host) throws IOException {
        if (!(host instanceof OutputHost) || (fd < byFd.length && byFd[fd] != null)) {
            return false;
        }
        int g = nextGen = (nextGen + 1) & 0x03ffffff;
        UringSendStream s = new UringSendStream(this, pool, fd, g, (OutputHost) host);
        if (!s.host.adoptOutput(s)) {
            return false;
        }
        if (fd >= byFd.length) {
            byFd = java.util.Arrays.copyOf(byFd, Math.max(fd + 1, byFd.length * 2));
        }
        byFd[fd] = s;
        armKernelRoom(s);
        markReady(s);
        return true;
    }

    /**
     * At binding the socket's own buffer may be full (the channel wrote to its descriptor before), and later a
     * write may take nothing: OP_WRITE then waits until the kernel has room, as on the JDK, through one
     * single-shot poll for OUT; otherwise the stream's room tells.
     */
    private void armKernelRoom(UringSendStream s) throws IOException {
        s.kernelFull(true);
        int off = poller.sqe();
        ring.prepPollAdd(off, s.fd, POLLOUT, false, userData(KERNEL_ROOM, s.gen, s.fd));
        ring.publish();
        s.roomPollArmed = true;
    }

    /** Removes the stream's kernel-room poll (it holds the file open) before the descriptor may close. */
    private void removeKernelRoom(UringSendStream s) throws IOException {
        if (!s.roomPollArmed) return;
        s.roomPollArmed = false;
        int off = poller.sqe();
        ring.prepPollRemove(off, userData(KERNEL_ROOM, s.gen, s.fd), userData(CANCEL, s.gen, s.fd));
        ring.publish();
        poller.submitPending();
    }

    /**
     * The receive side met an error on {@code fd} (a reset): the connection can send no more, and its recv
     * took the socket's error, so the kernel would answer a send with EPIPE. Later writes throw that at once
     * (nothing is accepted into the buffer), as the JDK's write to the socket does.
     */
    void receiveFailed(long data, int res) throws IOException {
        if (((data >>> 60) & 3) != 0 || res >= 0 || res == -ENOBUFS || res == -ECANCELED) return; // not a recv's error
        int fd = (int) data;
        UringSendStream s = fd < byFd.length ? byFd[fd] : null;
        if (s == null) return;
        s.connectionFailed();
        s.fresh = true;
        markReady(s);
    }

    /** The selector's interest changed (not to 0): EDGE and ONESHOT report the room again. */
    void interestChanged(int fd, int events) {
        if (!bound(fd)) return;
        UringSendStream s = byFd[fd];
        s.oneshotArmed = true;
        s.fresh = true;
        if ((events & Poller.OUT) != 0) markReady(s);
    }

    /** Unbinds the descriptor from {@code host} (see the class comment); nothing when another channel's. */
    void unbind(int fd, Object host) throws IOException {
        UringSendStream s = fd < byFd.length ? byFd[fd] : null;
        if (s == null || s.host != host) return;
        removeKernelRoom(s);
        boolean inFlight;
        synchronized (s) {
            inFlight = s.inFlight != 0;
        }
        if (inFlight) {
            if (!s.cancelling) cancel(s);
            poller.submitPending();
            while (inFlight(s)) {
                poller.awaitCompletions();
            }
        }
        byFd[fd] = null;
        s.detach();
        s.host.releaseOutput(s);
    }

    private static boolean inFlight(UringSendStream s) {
        synchronized (s) {
            return s.inFlight != 0;
        }
    }

    // ---- hand-backs asked for by other threads (CompletionOutput.awaitDetach and release)
    // A channel whose key was cancelled and which was made blocking before a selection deregistered it, or
    // which is registered with a second selector, still has its stream here; its bytes leave only through
    // this selector's polls, which may never come. The asking thread queues the stream (under pendingLock);
    // HandBacks has it unbound under the poller's lock, by this thread or the poller's.

    private UringSendStream[] detachQueue = new UringSendStream[4];
    private int detachQueueCount;
    /** Requests queued and not yet served (volatile: read after the poller's lock is released). */
    private volatile int detachWanted;

    void requestDetach(UringSendStream s) {
        synchronized (pendingLock) {
            if (s.detachQueued) return;
            s.detachQueued = true;
            if (detachQueueCount == detachQueue.length) {
                detachQueue = java.util.Arrays.copyOf(detachQueue, detachQueueCount * 2);
            }
            detachQueue[detachQueueCount++] = s;
            detachWanted = detachQueueCount;
        }
        handBacks.ask();
    }

    /** The poller's lock was released: hand-backs asked for meanwhile are served now if nobody took it again. */
    void afterRelease() {
        handBacks.afterRelease();
    }

    /** Unbinds every queued stream (poller's lock held): its SEND ends, its bytes go back to the channel. */
    void serveDetaches() throws IOException {
        if (detachWanted == 0) return;
        UringSendStream[] todo;
        int n;
        synchronized (pendingLock) {
            todo = java.util.Arrays.copyOf(detachQueue, detachQueueCount);
            n = detachQueueCount;
            for (int i = 0; i < n; i++) {
                detachQueue[i].detachQueued = false;
                detachQueue[i] = null;
            }
            detachQueueCount = 0;
            detachWanted = 0;
        }
        for (int i = 0; i < n; i++) {
            unbind(todo[i].fd, todo[i].host); // nothing when it is no longer bound here
        }
    }

    // ---- requests

    /** A writer has bytes and no send in flight: the next poll submits one. */
    void requestSend(UringSendStream s) {
        synchronized (pendingLock) {
            if (pendingCount == pending.length) pending = java.util.Arrays.copyOf(pending, pendingCount * 2);
            pending[pendingCount++] = s;
        }
        nudge.poke();
    }

    private void submitSend(UringSendStream s) throws IOException {
        if (byFd[s.fd] != s) {
            synchronized (s) {
                s.queued = false;
            }
            return; // unbound meanwhile
        }
        long addr = s.nextSend();
        if (addr == 0) return;
        int len;
        boolean vectored;
        synchronized (s) {
            len = s.inFlight;
            vectored = s.vectored;
        }
        int off = poller.sqe();
        ring.sqes.put(off + SQE_OPCODE, (byte) (vectored ? IORING_OP_SENDMSG : IORING_OP_SEND));
        ring.sqes.putInt(off + SQE_FD, s.fd);
        ring.sqes.putLong(off + SQE_ADDR, addr); // SENDMSG: the msghdr
        ring.sqes.putInt(off + SQE_LEN, vectored ? 1 : len);
        ring.sqes.putInt(off + SQE_POLL32_EVENTS, MSG_NOSIGNAL); // msg_flags
        ring.sqes.putLong(off + SQE_USER_DATA, userData(SEND, s.gen, s.fd));
        ring.publish();
        s.cancelling = false;
        sends++;
    }

    private void cancel(UringSendStream s) throws IOException {
        int off = poller.sqe();
        ring.prepCancel(off, userData(SEND, s.gen, s.fd), userData(CANCEL, s.gen, s.fd));
        ring.publish();
        s.cancelling = true;
    }

    /**
     * Before the poller's enter: queues a SEND for every stream that asked and every continuation. Returns
     * whether a stream has OUT readiness to report (the enter must not wait).
     */
    boolean beforeEnter() throws IOException {
        serveDetaches(); // the Nudge is blocked already: a request queued from now pokes it
        synchronized (pendingLock) {
            for (int i = 0; i < pendingCount; i++) {
                UringSendStream s = pending[i];
                pending[i] = null;
                if (s.takeRoomWanted() && !s.roomPollArmed && byFd[s.fd] == s) {
                    armKernelRoom(s); // a write took nothing: OP_WRITE waits for the socket's room too
                }
                addAgain(s);
            }
            pendingCount = 0;
        }
        for (int i = 0; i < againCount; i++) {
            UringSendStream s = again[i];
            again[i] = null;
            submitSend(s);
        }
        againCount = 0;
        if (poolWaitCount > 0 && pool.available()) {
            for (int i = 0; i < poolWaitCount; i++) { // chunks came back (any stream's): room for these again
                UringSendStream s = poolWait[i];
                poolWait[i] = null;
                s.inPoolWait = false;
                s.fresh = true;
                markReady(s);
            }
            poolWaitCount = 0;
        }
        for (int i = 0; i < readyCount; i++) {
            if (reportable(ready[i])) return true;
        }
        return false;
    }

    private void addAgain(UringSendStream s) {
        if (againCount == again.length) again = java.util.Arrays.copyOf(again, againCount * 2);
        again[againCount++] = s;
    }

    /** A completion of a send-side request. */
    void complete(long data, int res, int flags) throws IOException {
        int kind = (int) (data >>> 58) & 3;
        if (kind == CANCEL) return; // a cancel's own completion: the send's tells
        int fd = (int) data;
        int g = (int) (data >>> 32) & 0x03ffffff;
        UringSendStream s = fd < byFd.length ? byFd[fd] : null;
        if (s == null || s.gen != g) return;
        if (kind == KERNEL_ROOM) {
            s.roomPollArmed = false;
            s.kernelFull(false); // writable now (or an error, which the next write reports)
            s.fresh = true;
            markReady(s);
            return;
        }
        boolean more;
        if (res == -ECANCELED) {
            more = s.unsent(); // our cancel, or the submitting thread exited: nothing was sent
            if (s.cancelling) {
                s.cancelling = false;
                return; // unbind takes it from here
            }
        } else {
            int before = s.inFlight;
            more = s.sent(res);
            if (res >= 0 && res < before) partials++;
            s.fresh = true;
            markReady(s);
        }
        s.cancelling = false;
        if (s.failed() || s.finDue()) {
            finish(s);
            return;
        }
        if (more) addAgain(s); // submitted by the next enter
    }

    /** Every buffered byte is out (or failed): shut the output down if asked. */
    private void finish(UringSendStream s) {
        if (s.finDue() && !s.finDone && !s.failed()) {
            s.finDone = true;
            LibC.shutdown(s.fd, 1); // the descriptor is held by this stream: still this socket
        }
    }

    private void markReady(UringSendStream s) {
        if (s.inReady) return;
        s.inReady = true;
        if (readyCount == ready.length) ready = java.util.Arrays.copyOf(ready, readyCount * 2);
        ready[readyCount++] = s;
    }

    private boolean reportable(UringSendStream s) {
        if (!bound(s.fd) || byFd[s.fd] != s) return false;
        int mode = poller.interestOf(s.fd);
        if ((mode & Poller.OUT) == 0) return false;
        if ((mode & Poller.EDGE) != 0 && !s.fresh) return false;
        if ((mode & Poller.ONESHOT) != 0 && !s.oneshotArmed) return false;
        return s.writable();
    }

    /** Appends to the batch the streams whose room answers their OUT interest; returns the batch size. */
    int report(int stamp, int n, int max) {
        int keep = 0;
        for (int i = 0; i < readyCount; i++) {
            UringSendStream s = ready[i];
            ready[i] = null;
            boolean stay = false;
            boolean current = bound(s.fd) && byFd[s.fd] == s;
            if (current && n < max) {
                int mode = poller.interestOf(s.fd);
                if (reportable(s)) {
                    if ((mode & Poller.ONESHOT) != 0) s.oneshotArmed = false;
                    s.fresh = false;
                    n = poller.emit(s.fd, Poller.OUT, stamp, n);
                    stay = (mode & (Poller.EDGE | Poller.ONESHOT)) == 0; // LEVEL: again while writable
                } else if ((mode & Poller.OUT) != 0 && !s.inPoolWait && s.waitsForPool()) {
                    s.inPoolWait = true; // the pool is empty: chunks coming back put it back (beforeEnter)
                    if (poolWaitCount == poolWait.length) poolWait = java.util.Arrays.copyOf(poolWait, poolWaitCount * 2);
                    poolWait[poolWaitCount++] = s;
                }
                // otherwise full (its own chunks) or not asked: its completion or an interest change puts it back
            } else if (current) {
                stay = true; // the batch is full: next time
            }
            if (stay) {
                ready[keep++] = s;
            } else {
                s.inReady = false;
            }
        }
        readyCount = keep;
        return n;
    }

    /**
     * The poller's ring was taken over ({@code UringPoller.takeOver}): requests go to {@code fresh} from now on,
     * and each kernel-room poll the old ring held is made again there.
     */
    void moveTo(Ring fresh) throws IOException {
        ring = fresh;
        for (UringSendStream s : byFd) {
            if (s != null && s.roomPollArmed) {
                s.roomPollArmed = false;
                armKernelRoom(s);
            }
        }
    }

    /**
     * After a takeover, once the old ring's posted completions were handled: a SEND still in flight there sent
     * nothing (it runs only inside its owner's enters, which never came), so it ends here as a cancelled one
     * does and its bytes go again from the first unsent one, by the next poll.
     */
    void endedWithRing() throws IOException {
        for (int fd = 0; fd < byFd.length; fd++) {
            UringSendStream s = byFd[fd];
            if (s != null && inFlight(s)) {
                s.cancelling = false;
                complete(userData(SEND, s.gen, s.fd), -ECANCELED, 0);
            }
        }
    }

    /**
     * Before the selector's ring ends: every SEND in flight is cancelled and its end awaited, so what each stream
     * still holds is exactly what the socket has not taken (a completion the ring's end discarded would have
     * its bytes sent twice by {@link #close}).
     */
    void endInFlight() throws IOException {
        boolean any = false;
        for (UringSendStream s : byFd) {
            if (s != null && inFlight(s)) {
                if (!s.cancelling) cancel(s);
                any = true;
            }
        }
        if (!any) return;
        poller.submitPending();
        for (int fd = 0; fd < byFd.length; fd++) {
            UringSendStream s = byFd[fd];
            while (s != null && byFd[fd] == s && inFlight(s)) {
                poller.awaitCompletions();
            }
        }
    }

    /**
     * The selector closes (after {@link #endInFlight}): every stream detaches — its unsent bytes go to the socket
     * as far as it takes them, the rest to its channel — and ends its hold (see unbinding in the class comment).
     */
    void close() {
        for (int fd = 0; fd < byFd.length; fd++) {
            UringSendStream s = byFd[fd];
            if (s != null) {
                byFd[fd] = null;
                s.detach();
                s.host.releaseOutput(s);
            }
        }
    }
}
