package io.edgewise.backend.uring;

import static io.edgewise.sys.linux.UringLayout.*;

import io.edgewise.backend.Poller;
import io.edgewise.sys.InputHost;
import java.io.IOException;

/**
 * io_uring level 2 for one {@link UringPoller}: the descriptors whose reads the ring serves, each a
 * {@link UringStream} fed by a multishot {@code recv} into the shared {@link BufferRing}.
 *
 * <ul>
 * <li>Binding: when the selector offers a channel ({@link #offer}) the poller installs a stream in it; from
 *     then on readiness for IN comes from the stream (queued bytes, EOF or an error), and the poll request,
 *     if any, watches only OUT. {@code update(fd, …, 0)} unbinds: the recv is cancelled and its last
 *     completion awaited before {@code update} returns (the selector may close the descriptor next, and
 *     no byte may be received after the reader went back to the descriptor), then the stream is detached.
 * <li>{@code ENOBUFS} (the ring had no free buffer): the recv ended; re-armed by the first poll after a
 *     buffer came back — or at once when the kernel found only the window of the ring empty (see
 *     BufferRing: the window was topped up since). Backpressure: a stream whose unread pieces keep
 *     {@link #bound} buffers or hold {@link #byteBound} bytes has its recv cancelled ({@code throttled}), so
 *     the socket's receive queue fills and the kernel closes the window; the reader re-arms it once it has
 *     read down to half the bound.
 * <li>A reader on another thread asks for a re-arm through {@code pending}; when the poller may be blocked
 *     in the kernel, a poke of the poller's {@link Nudge} makes its poll go round without returning.
 * <li>Bulk streams: a stream whose receives each bring {@link #bulkBytes} or more, {@link #BULK_RUN} in a
 *     row, is a bulk flow, which the ring serves worse than readiness (a second copy of every byte, a colder
 *     working set: docs/io_uring.md, "Bulk streams"). Its recv is cancelled and not armed again; once its
 *     reader took what the ring holds, it is detached (nothing left in it, so the kernel's readiness tells
 *     the whole truth) and its descriptor watched by a poll request, read directly into the caller's buffer
 *     as level 1 does. It is offered to the ring again after {@link #BULK_RETRY_NANOS}.
 * </ul>
 *
 * <p>Threads: everything runs under the poller's lock ({@link UringPoller#lock}: the poller's thread, or
 * a thread serving detaches while no poll runs) except {@link #requestArm}, {@link #buffersReturned} and
 * {@link #requestDetach}, called by readers and registering threads: {@code pending}/{@code pendingCount}
 * and the detach queue are guarded by {@code pendingLock}; {@code starvedCount} and {@code detachWanted} are
 * volatile. Lock order: the poller's lock → a stream's monitor → the BufferRing →
 * {@code pendingLock}.
 */
final class CompletionStreams {
    /** user_data: bit 63 (the poller's own), bit 62 (level 2), the kind in 60..61, a generation in 32..59. */
    static final long STREAM = 1L << 62;
    static final int RECV = 0, CANCEL = 1;
    /**
     * Without incremental consumption (kernels before 6.12, or the test setting "plain"), the ring has 256
     * buffers of 8 KiB (2 MiB), all in the kernel's ring (a window of 32 measured no better). It can grow by slabs ({@link BufferRing#grow}) up to
     * {@code MAX} buffers, but by default it does not: measured on 16 KiB echo (issue #21, docs/io_uring.md),
     * growing to 6 MiB removed the continual cancels and re-arms yet cost more CPU per message than it saved
     * (the kernel fills buffers in ring order, so a larger ring is a larger, colder working set).
     */
    static final int DEFAULT_ENTRIES = 256, DEFAULT_MAX = 256, DEFAULT_SIZE = 8192, DEFAULT_WINDOW = 256;
    /**
     * With incremental consumption (Linux 6.12+, {@link BufferRing#incremental}): the same 2 MiB as 32 buffers
     * of 64 KiB that receives fill in turn, at most {@code INC_WINDOW} of them (256 KiB, half this machine's L2
     * cache) in the kernel's ring at once, hot buffers first (see BufferRing). Measured on 16 KiB echo (issue
     * #21, docs/io_uring.md "16 KiB receive"): windows of 2, 4, 8 and 32 buffers; 4 cost the least CPU per
     * message. The other 28 buffers are there for streams that hold data unread (bursts, slow readers).
     */
    static final int INC_ENTRIES = 32, INC_SIZE = 65536, INC_WINDOW = 4;
    /**
     * Bulk streams (see the class comment): receives of 16 KiB or more (or a whole buffer, when buffers are
     * smaller), 8 in a row; 64 B pipelined echo brings about 1 KiB per receive. Tried on the ring again after
     * 250 ms: a flow that turned small gets the ring back, one still large goes back to readiness after its
     * next 8 receives.
     */
    static final int BULK_BYTES = 16 * 1024, BULK_RUN = 8;
    static final long BULK_RETRY_NANOS = 250_000_000L;

    private final UringPoller poller;
    /** The poller's ring (replaced when it is taken over: {@link #moveTo}). */
    private Ring ring;
    final BufferRing buffers;
    /** Receive size that counts towards a bulk run; 0: bulk streams off ({@code io.edgewise.uring.bulkReceive}). */
    private final int bulkBytes;
    private UringStream[] byFd = new UringStream[64];
    private int bound0;
    private int nextGen;

    /** Streams with something to report (poller thread). */
    private UringStream[] ready = new UringStream[16];
    private int readyCount;
    /** Streams whose recv ENOBUFS ended (poller thread). */
    private UringStream[] starved = new UringStream[16];
    private int starvedAt;
    private volatile int starvedCount;
    /**
     * Receives ended by ENOBUFS, recvs stopped by the bound, slabs added to the ring, streams found to be bulk
     * flows (tests; poller thread).
     */
    long starvations, throttles, grows, cancels, bulkRuns;
    /** Detaches asked for by a blocked reader or a second selector and done (tests). */
    volatile long released;

    private final Object pendingLock = new Object();
    private UringStream[] pending = new UringStream[16];
    private int pendingCount;
    /** Re-arms decided on the poller's thread, done before the next enter. */
    private UringStream[] rearm = new UringStream[16];
    private int rearmCount;

    /** The poller's internal wake: readers poke it when they queued work the poller must submit. */
    private final Nudge nudge;
    /** Detaches asked for by other threads (see the detach section below). */
    private final HandBacks handBacks;

    CompletionStreams(UringPoller poller, Ring ring, Nudge nudge, String testRing) throws IOException {
        this.poller = poller;
        this.ring = ring;
        this.nudge = nudge;
        this.handBacks = new HandBacks(poller, nudge, () -> detachWanted != 0, () -> serveDetaches(true));
        boolean inc = !io.edgewise.sys.Settings.uringTestBufferMode().equals("plain");
        BufferRing b;
        if (!testRing.isEmpty()) {
            String[] p = testRing.split("x");
            int entries = Integer.parseInt(p[0].trim());
            int size = Integer.parseInt(p[1].trim());
            int max = p.length > 2 ? Integer.parseInt(p[2].trim()) : entries; // a test ring does not grow unless asked
            int window = p.length > 3 ? Integer.parseInt(p[3].trim()) : max;
            b = new BufferRing(ring.fd, entries, max, size, inc, window);
        } else {
            b = inc ? new BufferRing(ring.fd, INC_ENTRIES, INC_ENTRIES, INC_SIZE, true, INC_WINDOW) : null;
            if (b != null && !b.incremental) {
                b.close(); // a kernel before 6.12: buffers of 8 KiB, a whole one per receive
                b = null;
            }
            if (b == null) {
                b = new BufferRing(ring.fd, DEFAULT_ENTRIES, DEFAULT_MAX, DEFAULT_SIZE, false, DEFAULT_WINDOW);
            }
        }
        buffers = b;
        bulkBytes = io.edgewise.sys.Settings.uringBulkReceive() ? Math.min(BULK_BYTES, b.size) : 0;
    }

    /**
     * Unread buffers a stream may hold before its recv is stopped: an eighth of the buffers made so far
     * (32 of 256), so it follows the ring if it grows.
     */
    int bound() {
        return Math.max(2, buffers.provided() / 8);
    }

    /**
     * Unread bytes a stream may hold before its recv is stopped: an eighth of the ring's bytes. With whole
     * buffers per receive the buffer bound above comes first; with incremental buffers (pieces of buffers
     * shared by several streams) either may: the buffer bound counts the buffers its pieces keep from coming
     * back, so a reader whose pieces are spread thin cannot pin more than its eighth of the ring either.
     */
    long byteBound() {
        return Math.max(2L, buffers.provided() / 8) * buffers.size;
    }

    static boolean isStream(long data) {
        return data < 0 && (data & STREAM) != 0;
    }

    private static long userData(int kind, int gen, int fd) {
        return Long.MIN_VALUE | STREAM | ((long) kind << 60) | ((long) (gen & 0x0fffffff) << 32) | (fd & 0xffffffffL);
    }

    boolean bound(int fd) {
        return fd < byFd.length && byFd[fd] != null;
    }

    /** The poll events the descriptor still needs from a poll request: IN comes from its stream. */
    int pollInterest(int fd, int interest) {
        return bound(fd) ? interest & ~Poller.IN : interest;
    }

    // ---- binding

    /** Installs a stream in the channel unless one serves it already; true when a new one was bound. */
    boolean offer(int fd, InputHost host) {
        if (bound(fd)) {
            return false;
        }
        int g = nextGen = (nextGen + 1) & 0x0fffffff;
        UringStream s = new UringStream(this, fd, g, host);
        byte[] left = host.adoptInput(s);
        if (left == null) {
            return false;
        }
        s.inherit(left); // before its recv is armed: these bytes come first
        if (fd >= byFd.length) {
            byFd = java.util.Arrays.copyOf(byFd, Math.max(fd + 1, byFd.length * 2));
        }
        byFd[fd] = s;
        bound0++;
        queueRearm(s);
        if (s.readable()) {
            s.fresh = true;
            markReady(s);
        }
        return true;
    }

    /** The selector's interest changed (not to 0): a ONESHOT stream is armed again. */
    void interestChanged(int fd, int events) {
        UringStream s = fd < byFd.length ? byFd[fd] : null;
        if (s == null) return;
        s.oneshotArmed = true;
        if ((events & Poller.IN) != 0 && s.readable()) {
            markReady(s);
        }
    }

    /** Unbinds the descriptor (see the class comment); returns when its recv has ended. */
    void unbind(int fd) throws IOException {
        forgetDemoted(fd);
        UringStream s = fd < byFd.length ? byFd[fd] : null;
        if (s == null) return;
        s.unbinding = true;
        if (s.recvArmed && !s.cancelling) {
            cancel(s);
        }
        if (s.recvArmed) {
            poller.submitPending();
            while (s.recvArmed) {
                poller.awaitCompletions();
            }
        }
        finishDetach(s);
    }

    /**
     * The stream no longer serves its descriptor (its recv has ended): its queued bytes are copied out of
     * the ring and read before the descriptor, and a reader waiting for this is woken.
     */
    private void finishDetach(UringStream s) {
        if (s.fd < byFd.length && byFd[s.fd] == s) {
            byFd[s.fd] = null;
            bound0--;
        }
        s.detach();
        for (int i = 0; i < detachingCount; i++) {
            if (detaching[i] == s) {
                detaching[i] = detaching[--detachingCount];
                detaching[detachingCount] = null;
                released++;
                break;
            }
        }
    }

    // ---- detaches asked for from other threads (issue #21: cross-thread detach)
    //
    // A blocking reader whose channel is still fed (the JDK's HttpServer: key.cancel(), configureBlocking(true),
    // a read in a worker before any selection deregistered the key), or a channel registered with a second
    // selector, must stop being served without waiting for this selector's next selection: a recv still armed
    // takes the socket's bytes into the ring, where no descriptor event announces them. The asking thread
    // queues the stream (detachQueue, under pendingLock) and then either does the work itself, when it can
    // take the poller's lock (no poll and no interest change in progress), or nudges the poller, whose
    // enter then goes round without returning to the application (an internal wake: the poller's Nudge, not
    // the selector's wakeup) and starts the cancel before it waits again (HandBacks, shared with the send side).
    // Lock: detachQueue/detachQueued under pendingLock; detaching[] under the poller's lock.

    private UringStream[] detachQueue = new UringStream[4];
    private int detachQueueCount;
    /** Queued, or started and not finished: afterRelease has work (volatile: read after the lock's release). */
    private volatile int detachWanted;
    /** Detaches started (cancel submitted) and not finished (the poller's lock). */
    private UringStream[] detaching = new UringStream[4];
    private int detachingCount;
    private boolean closed;

    /**
     * Asks for {@code s} to be detached (any thread holding no stream monitor; a reader holds its channel's
     * read lock, which the poller only ever tries); does it at once when the poller's lock is free, else
     * nudges the poller. Does not wait for the poller.
     */
    void requestDetach(UringStream s) {
        synchronized (pendingLock) {
            if (!s.detachQueued) {
                s.detachQueued = true;
                if (detachQueueCount == detachQueue.length) {
                    detachQueue = java.util.Arrays.copyOf(detachQueue, detachQueueCount * 2);
                }
                detachQueue[detachQueueCount++] = s;
                detachWanted = detachQueueCount + detachingCount;
            }
        }
        handBacks.ask();
    }

    /** The poller's lock was released: hand-backs asked for meanwhile are served now if nobody took it again. */
    void afterRelease() {
        handBacks.afterRelease();
    }

    /**
     * Starts every queued detach (poller's lock held): a stream whose recv is armed has it cancelled, the
     * others are detached at once. With {@code toTheEnd}, waits for the cancelled recvs' last completions.
     */
    void serveDetaches(boolean toTheEnd) throws IOException {
        if (detachWanted == 0) return;
        synchronized (pendingLock) {
            for (int i = 0; i < detachQueueCount; i++) {
                UringStream s = detachQueue[i];
                detachQueue[i] = null;
                s.detachQueued = false;
                if (detachingCount == detaching.length) {
                    detaching = java.util.Arrays.copyOf(detaching, detachingCount * 2);
                }
                if (!s.detachAsked) {
                    detaching[detachingCount++] = s;
                }
            }
            detachQueueCount = 0;
        }
        for (int i = 0; i < detachingCount; i++) {
            UringStream s = detaching[i];
            if (s.detachAsked) continue; // started before
            s.detachAsked = true;
            if (closed || s.fd >= byFd.length || byFd[s.fd] != s || s.unbinding) {
                finishDetach(s); // no longer served here (unbound, demoted): nothing to cancel
                i--;
                continue;
            }
            s.unbinding = true;
            if (s.recvArmed) {
                if (!s.cancelling) cancel(s);
            } else {
                finishDetach(s);
                poller.watchAgain(s.fd);
                i--;
            }
        }
        if (toTheEnd && detachingCount > 0) {
            poller.submitPending();
            while (detachingCount > 0) {
                poller.awaitCompletions(); // complete() finishes each as its recv ends
            }
        }
        synchronized (pendingLock) {
            detachWanted = detachQueueCount + detachingCount;
        }
    }

    /** The poller's ring was taken over ({@code UringPoller.takeOver}): requests go to {@code fresh} from now on. */
    void moveTo(Ring fresh) {
        ring = fresh;
    }

    /**
     * After a takeover, once the old ring's posted completions were handled: the buffers move to the new ring's
     * entries ({@code reg}), and every recv the old ring held ended there without a byte more (its owner never
     * entered again): each ends here as a cancelled one does, so a detach asked for finishes and the others are
     * armed again by the next poll.
     */
    void endedWithRing(BufferRing.Registration reg) throws IOException {
        buffers.moveTo(reg);
        for (int fd = 0; fd < byFd.length; fd++) {
            UringStream s = byFd[fd];
            if (s != null && s.recvArmed) {
                complete(userData(RECV, s.gen, s.fd), -ECANCELED, 0);
            }
        }
    }

    /**
     * A new selecting thread: a recv belongs to the thread that submitted it (its completion work runs
     * there, and it is cancelled when that thread exits), so every armed recv is cancelled and its end
     * awaited — two recvs on one socket would split its bytes — and the next {@link #beforeEnter} arms it
     * again from the calling thread.
     */
    void adopt() throws IOException {
        boolean any = false;
        for (UringStream s : byFd) {
            if (s != null && s.recvArmed) {
                if (!s.cancelling) cancel(s);
                any = true;
            }
        }
        if (!any) return;
        poller.submitPending();
        for (UringStream s : byFd) {
            while (s != null && s.recvArmed) {
                poller.awaitCompletions();
            }
        }
    }

    // ---- requests

    private void armRecv(UringStream s) throws IOException {
        int off = poller.sqe();
        ring.sqes.put(off + SQE_OPCODE, (byte) IORING_OP_RECV);
        ring.sqes.put(off + SQE_FLAGS, (byte) IOSQE_BUFFER_SELECT);
        ring.sqes.putShort(off + SQE_IOPRIO, (short) IORING_RECV_MULTISHOT);
        ring.sqes.putInt(off + SQE_FD, s.fd);
        ring.sqes.putShort(off + SQE_BUF_INDEX, (short) BufferRing.GROUP);
        ring.sqes.putLong(off + SQE_USER_DATA, userData(RECV, s.gen, s.fd));
        ring.publish();
        s.recvArmed = true;
        s.cancelling = false;
    }

    private void cancel(UringStream s) throws IOException {
        cancels++;
        int off = poller.sqe();
        ring.prepCancel(off, userData(RECV, s.gen, s.fd), userData(CANCEL, s.gen, s.fd));
        ring.publish();
        s.cancelling = true;
    }

    private void queueRearm(UringStream s) {
        if (rearmCount == rearm.length) rearm = java.util.Arrays.copyOf(rearm, rearmCount * 2);
        rearm[rearmCount++] = s;
    }

    private boolean current(UringStream s) {
        return s.fd < byFd.length && byFd[s.fd] == s && !s.unbinding;
    }

    /**
     * Before the poller's enter: queues the re-arms readers asked for, those decided here, and those of
     * starved streams once buffers came back. Returns whether a stream has something to report (the enter
     * must not wait).
     */
    boolean beforeEnter() throws IOException {
        promoteDemoted();
        if (bound0 == 0 && pendingCount == 0 && rearmCount == 0 && detachWanted == 0) {
            return false;
        }
        serveDetaches(false); // the poller set its Nudge blocked before: a request added from now pokes it
        synchronized (pendingLock) {
            for (int i = 0; i < pendingCount; i++) {
                UringStream s = pending[i];
                pending[i] = null;
                synchronized (s) {
                    s.armRequested = false;
                    s.throttled = false;
                }
                queueRearm(s);
            }
            pendingCount = 0;
        }
        int sc = starvedCount;
        if (sc > 0 && buffers.returned() != starvedAt) {
            for (int i = 0; i < sc; i++) {
                starved[i].starved = false;
                queueRearm(starved[i]);
                starved[i] = null;
            }
            starvedCount = 0;
        }
        for (int i = 0; i < rearmCount; i++) {
            UringStream s = rearm[i];
            rearm[i] = null;
            if (current(s) && !s.recvArmed && !s.starved && !s.ended()) {
                if (!s.bulk()) {
                    armRecv(s);
                } else if (!s.holdUntilDrained()) {
                    demote(s, bulk); // its reader took the rest
                }
            }
        }
        rearmCount = 0;
        return readyCount > 0;
    }

    /** A completion of a level-2 request. */
    void complete(long data, int res, int flags) throws IOException {
        int kind = (int) (data >>> 60) & 3;
        if (kind != RECV) {
            return; // a cancel's own completion: the recv's tells
        }
        int fd = (int) data;
        int g = (int) (data >>> 32) & 0x0fffffff;
        UringStream s = fd < byFd.length ? byFd[fd] : null;
        int bid = flags >>> IORING_CQE_BUFFER_SHIFT, at = 0;
        if (res > 0 && (flags & IORING_CQE_F_BUFFER) != 0) {
            at = buffers.took(bid, res, (flags & IORING_CQE_F_BUF_MORE) != 0);
        }
        if (s == null || s.gen != g) {
            if (res > 0 && (flags & IORING_CQE_F_BUFFER) != 0) {
                buffers.release(bid); // no reader left: give it back
            }
            return;
        }
        boolean more = (flags & IORING_CQE_F_MORE) != 0;
        if (res > 0) {
            boolean over = s.enqueue(bid, at, res);
            s.fresh = true;
            markReady(s);
            if (buffers.low() && buffers.grow()) {
                grows++; // every connection has data in flight: more buffers, rather than stopping receives
            }
            boolean bulkNow = bulkRun(s, res);
            if ((over || bulkNow) && more && !s.cancelling) {
                cancel(s);
            }
        } else if (res == 0 || (res != -ENOBUFS && res != -ECANCELED)) {
            s.end(-res);
            s.fresh = true;
            markReady(s);
        }
        if (!more) {
            s.recvArmed = false;
            s.cancelling = false;
            if (s.detachAsked && byFd[s.fd] == s) {
                finishDetach(s); // asked for by a blocked reader or a second selector
                poller.watchAgain(s.fd); // readiness from the kernel again, for every key of the descriptor
                synchronized (pendingLock) {
                    detachWanted = detachQueueCount + detachingCount;
                }
                return;
            }
            if (s.unbinding || s.ended()) {
                return;
            }
            if (s.bulk()) {
                if (!s.holdUntilDrained()) demote(s, bulk);
                return; // else its reader asks again once it took the rest (UringStream.wantsArm)
            }
            if (res == -ENOBUFS) {
                starvations++;
                if (buffers.handedOver()) {
                    queueRearm(s); // the window ran dry and was topped up since: buffers are there again
                    return;
                }
                if (buffers.grow()) {
                    grows++;
                    queueRearm(s); // the ring was too small for the selector's connections: it is larger now
                    return;
                }
                if (s.queued() == 0) {
                    demote(s, starvedOut); // it holds nothing: others hold the ring; readiness serves it meanwhile
                    return;
                }
                s.starved = true;
                int sc = starvedCount;
                if (sc == starved.length) starved = java.util.Arrays.copyOf(starved, sc * 2);
                starved[sc] = s;
                starvedAt = buffers.returned();
                starvedCount = sc + 1;
                return;
            }
            synchronized (s) {
                if (s.overBound(1)) {
                    s.throttled = true; // the reader re-arms it (UringStream.wantsArm)
                    throttles++;
                    return;
                }
            }
            queueRearm(s);
        }
    }

    /** Whether a receive of {@code res} bytes makes {@code s} a bulk stream (see the class comment). */
    private boolean bulkRun(UringStream s, int res) {
        if (bulkBytes == 0) return false;
        if (res < bulkBytes) {
            if (res < bulkBytes / 8) s.bigRun = 0; // a small receive; a middling one (a buffer's tail) neither
            return false;
        }
        if (++s.bigRun < BULK_RUN || s.bulk()) return false;
        s.markBulk();
        bulkRuns++;
        return true;
    }

    /**
     * Descriptors served by readiness (level 1) for now, with their channels: {@code starvedOut} until buffers
     * come back, {@code bulk} until {@link #BULK_RETRY_NANOS} passed.
     */
    private final Demoted starvedOut = new Demoted(), bulk = new Demoted();
    private int demotedAt;
    /** Demotions of starved streams, and of bulk streams (tests). */
    long demotions, bulkDemotions;

    /**
     * The stream no longer serves its descriptor, and holds nothing: its reader goes back to the descriptor,
     * watched for IN by a poll request, until {@link #promoteDemoted} offers it to the ring again. A stream
     * whose recv found the ring empty while it held nothing is a victim of others' unread buffers (without
     * this, a reader that stops could starve every other connection of the selector); a bulk stream is read
     * better that way (see the class comment).
     */
    private void demote(UringStream s, Demoted list) throws IOException {
        byFd[s.fd] = null;
        bound0--;
        s.detach();
        list.add(s.fd, s.host, list == bulk ? System.nanoTime() : 0);
        if (list == starvedOut) {
            demotions++;
            demotedAt = buffers.returned();
        } else {
            bulkDemotions++;
        }
        poller.watchAgain(s.fd);
    }

    private void forgetDemoted(int fd) {
        starvedOut.remove(fd);
        bulk.remove(fd);
    }

    private void promoteDemoted() throws IOException {
        if (starvedOut.count > 0 && buffers.returned() != demotedAt) {
            promote(starvedOut, Long.MAX_VALUE);
        }
        if (bulk.count > 0) {
            promote(bulk, System.nanoTime() - BULK_RETRY_NANOS);
        }
    }

    /** Offers the ring again every descriptor of {@code list} demoted at {@code before} or earlier. */
    private void promote(Demoted list, long before) throws IOException {
        for (int i = list.count - 1; i >= 0; i--) {
            if (list.at[i] - before > 0) continue;
            int fd = list.fd[i];
            InputHost h = list.host[i];
            list.removeAt(i);
            if ((poller.interestOf(fd) & Poller.IN) != 0) {
                poller.offer(fd, h);
            }
        }
    }

    /** Demoted descriptors with their channels and the time of their demotion (poller's lock). */
    private static final class Demoted {
        int[] fd = new int[16];
        InputHost[] host = new InputHost[16];
        long[] at = new long[16];
        int count;

        void add(int d, InputHost h, long time) {
            if (count == fd.length) {
                fd = java.util.Arrays.copyOf(fd, count * 2);
                host = java.util.Arrays.copyOf(host, count * 2);
                at = java.util.Arrays.copyOf(at, count * 2);
            }
            fd[count] = d;
            host[count] = h;
            at[count++] = time;
        }

        void remove(int d) {
            for (int i = 0; i < count; i++) {
                if (fd[i] == d) {
                    removeAt(i);
                    return;
                }
            }
        }

        void removeAt(int i) {
            count--;
            fd[i] = fd[count];
            host[i] = host[count];
            at[i] = at[count];
            host[count] = null;
        }
    }

    private void markReady(UringStream s) {
        if (s.inReady) return;
        s.inReady = true;
        if (readyCount == ready.length) ready = java.util.Arrays.copyOf(ready, readyCount * 2);
        ready[readyCount++] = s;
    }

    /**
     * Appends to the poller's batch the streams whose state answers their interest: LEVEL while readable,
     * EDGE once per arrival, ONESHOT once until re-armed. Returns the new batch size.
     */
    int report(int stamp, int n, int max) {
        int keep = 0;
        for (int i = 0; i < readyCount; i++) {
            UringStream s = ready[i];
            ready[i] = null;
            boolean stay = false;
            if (current(s) && n < max) {
                int mode = poller.interestOf(s.fd);
                if ((mode & Poller.IN) != 0 && s.readable()) {
                    boolean report;
                    if ((mode & Poller.EDGE) != 0) {
                        report = s.fresh;
                    } else if ((mode & Poller.ONESHOT) != 0) {
                        report = s.oneshotArmed;
                    } else {
                        report = true;
                        stay = true;
                    }
                    if (report) {
                        s.fresh = false;
                        if ((mode & Poller.ONESHOT) != 0) s.oneshotArmed = false;
                        n = poller.emit(s.fd, Poller.IN, stamp, n);
                    }
                }
            } else if (current(s)) {
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

    // ---- readers

    /** A reader took a throttled stream down to half its bound: the poller re-arms its recv. */
    void requestArm(UringStream s) {
        synchronized (pendingLock) {
            if (pendingCount == pending.length) pending = java.util.Arrays.copyOf(pending, pendingCount * 2);
            pending[pendingCount++] = s;
        }
        nudge();
    }

    /** A reader gave buffers back: starved streams can receive again. */
    void buffersReturned() {
        if (starvedCount > 0) {
            nudge();
        }
    }

    private void nudge() {
        nudge.poke();
    }

    /** Detaches every stream (their recvs end with the ring) and gives the buffer ring back. */
    void close() throws IOException {
        closed = true;
        for (int fd = 0; fd < byFd.length; fd++) {
            if (byFd[fd] != null) {
                unbind(fd);
            }
        }
        while (detachingCount > 0) {
            finishDetach(detaching[0]); // their recvs ended with the unbinds above
        }
        buffers.close();
    }
}
