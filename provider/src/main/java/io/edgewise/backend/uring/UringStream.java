package io.edgewise.backend.uring;

import io.edgewise.sys.CompletionInput;
import io.edgewise.sys.ConnectionResetException;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.posix.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * One connected stream socket served by io_uring level 2: the provided buffers its multishot {@code recv}
 * filled, in arrival order, then an end (EOF or an error). A read copies from them and hands each emptied
 * buffer back to the {@link BufferRing} (a store, no system call). Once detached (the selector removed the
 * descriptor), what is left is copied out of the ring and read first; then {@link #DRAINED}.
 *
 * <p>Threads: the queue, the end, {@code detached}, {@code leftover}, {@code throttled}, {@code bulk},
 * {@code armRequested} and {@code readerWaits} are guarded by this object's monitor (the poller's thread
 * appends, any reading thread takes; a blocked reader waits on it, see {@link #awaitDetach}). The fields
 * marked "poller" are guarded by the poller's lock (its thread, or a thread that serves detaches while no
 * poll runs); {@code detachQueued} by the streams' pending lock. Lock order: this → the BufferRing's
 * monitor → the streams' pending lock; a thread waiting in {@link #awaitDetach} holds none of them while
 * it asks for the detach.
 */
final class UringStream implements CompletionInput {
    private static final int ECONNRESET = 104;

    final CompletionStreams owner;
    final int fd;
    /** This binding's generation (28 bits): in every user_data of its requests. */
    final int gen;
    /** The channel it serves (to serve it again after a demotion, see CompletionStreams). */
    final io.edgewise.sys.InputHost host;

    // guarded by this
    private int[] bids = new int[16];
    private int[] offs = new int[16];
    private int[] lens = new int[16];
    private int head, count;
    /**
     * Buffers the queue holds a piece of (a stream's pieces of one buffer are consecutive: the kernel fills
     * buffers in turn, and a buffer comes back only when none of its pieces is left), and bytes queued.
     */
    private int pins;
    private long bytes;
    /** Bytes of the head buffer already read. */
    private int headOff;
    private boolean eof;
    private int error;
    private boolean detached;
    private byte[] leftover;
    private int leftoverPos;
    /** The recv was stopped because too many buffers wait unread; re-armed when the reader catches up. */
    boolean throttled;
    /** A re-arm was asked for and not yet done by the poller. */
    boolean armRequested;
    /**
     * A bulk flow (see CompletionStreams, "bulk streams"): its recv is not armed again; once the reader took
     * everything queued, readiness and direct reads serve the descriptor.
     */
    private boolean bulk;

    /** Readers waiting in {@link #awaitDetach}: the poller notifies when it queues, ends or detaches. */
    private int readerWaits;

    // poller (its lock)
    /** Receives of at least the bulk size in a row (CompletionStreams). */
    int bigRun;
    boolean recvArmed, cancelling, inReady, starved, fresh, oneshotArmed = true, unbinding, detachAsked;
    // the streams' pending lock
    boolean detachQueued;

    UringStream(CompletionStreams owner, int fd, int gen, io.edgewise.sys.InputHost host) {
        this.host = host;
        this.owner = owner;
        this.fd = fd;
        this.gen = gen;
    }

    /** The bytes a previous, detached input of the channel still held: read first. */
    synchronized void inherit(byte[] left) {
        if (left.length > 0) {
            leftover = left;
            leftoverPos = 0;
        }
    }

    // ---- the poller's side

    /**
     * Appends {@code len} bytes at {@code off} of buffer {@code bid}; returns whether the stream now holds
     * too much of the ring unread (see {@link #overBound}).
     */
    synchronized boolean enqueue(int bid, int off, int len) {
        if (detached) {
            owner.buffers.release(bid); // cannot happen: the recv ended before detach; keep the ring whole
            return false;
        }
        if (count == bids.length) {
            int[] nb = new int[count * 2], no = new int[count * 2], nl = new int[count * 2];
            for (int i = 0; i < count; i++) {
                nb[i] = bids[(head + i) % bids.length];
                no[i] = offs[(head + i) % bids.length];
                nl[i] = lens[(head + i) % bids.length];
            }
            bids = nb;
            offs = no;
            lens = nl;
            head = 0;
        }
        if (count == 0 || bids[(head + count - 1) % bids.length] != bid) {
            pins++;
        }
        int at = (head + count) % bids.length;
        bids[at] = bid;
        offs[at] = off;
        lens[at] = len;
        bytes += len;
        count++;
        if (readerWaits > 0) notifyAll();
        return overBound(1);
    }

    /**
     * Whether the unread pieces hold {@code 1/divisor} of the stream's bound or more: of buffers (each
     * pinned buffer is kept from the kernel) or of bytes ({@link CompletionStreams#bound}).
     */
    synchronized boolean overBound(int divisor) {
        return pins >= owner.bound() / divisor || bytes >= owner.byteBound() / divisor;
    }

    /** The receive ended: {@code errno} 0 for EOF. */
    synchronized void end(int errno) {
        if (errno == 0) {
            eof = true;
        } else if (!eof && error == 0) {
            error = errno;
        }
        if (readerWaits > 0) notifyAll();
    }

    synchronized int queued() {
        return count;
    }

    synchronized void markBulk() {
        bulk = true;
    }

    synchronized boolean bulk() {
        return bulk;
    }

    /**
     * A bulk stream whose recv has ended: false when nothing is left to read here (the descriptor can go back to
     * readiness); else true, and the reader that takes the rest asks the poller again ({@link #wantsArm}).
     */
    synchronized boolean holdUntilDrained() {
        if (emptied()) {
            return false;
        }
        throttled = true;
        return true;
    }

    /** Nothing left to read here (under this monitor). */
    private boolean emptied() {
        return count == 0 && leftover == null;
    }

    /** Whether a read would return something other than "nothing yet". */
    synchronized boolean readable() {
        return count > 0 || leftover != null || eof || error != 0;
    }

    /** Whether the receive is over (EOF or an error): never re-armed. */
    synchronized boolean ended() {
        return eof || error != 0;
    }

    /**
     * The descriptor is no longer served (its recv has ended): the queued bytes are copied out of the
     * ring, whose buffers go back, and are read before the descriptor.
     */
    synchronized void detach() {
        if (count > 0) {
            int total = 0;
            for (int i = 0; i < count; i++) {
                total += lens[(head + i) % bids.length];
            }
            total -= headOff;
            int lp = leftover == null ? 0 : leftover.length - leftoverPos;
            byte[] all = new byte[lp + total];
            if (lp > 0) System.arraycopy(leftover, leftoverPos, all, 0, lp);
            int at = lp;
            while (count > 0) {
                int bid = bids[head], len = lens[head] - headOff;
                owner.buffers.slabOf(bid).get(owner.buffers.offset(bid) + offs[head] + headOff, all, at, len);
                at += len;
                popHead();
            }
            leftover = all;
            leftoverPos = 0;
        }
        detached = true;
        if (readerWaits > 0) notifyAll();
    }

    private void popHead() {
        int bid = bids[head];
        bytes -= lens[head];
        owner.buffers.release(bid);
        head = (head + 1) % bids.length;
        count--;
        headOff = 0;
        if (count == 0 || bids[head] != bid) {
            pins--;
        }
    }

    // ---- the reader's side

    @Override
    public int read(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        if (!dst.hasRemaining()) {
            return 0;
        }
        int n;
        boolean arm;
        synchronized (this) {
            n = take(dst);
            if (n == 0) {
                return ending();
            }
            arm = wantsArm();
        }
        afterTake(arm);
        return n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        for (int i = offset; i < offset + length; i++) {
            if (dsts[i].isReadOnly()) throw new IllegalArgumentException("Read-only buffer");
        }
        long n = 0;
        boolean arm;
        synchronized (this) {
            boolean room = false;
            for (int i = offset; i < offset + length; i++) {
                if (dsts[i].hasRemaining()) {
                    room = true;
                    n += take(dsts[i]);
                    if (dsts[i].hasRemaining()) break; // nothing more queued
                }
            }
            if (n == 0) {
                return room ? ending() : 0;
            }
            arm = wantsArm();
        }
        afterTake(arm);
        return n;
    }

    private void afterTake(boolean arm) {
        if (arm) {
            owner.requestArm(this);
        } else {
            owner.buffersReturned();
        }
    }

    /** Copies what is queued into {@code dst}, up to its room; returns the bytes copied. */
    private int take(ByteBuffer dst) {
        int pos = dst.position(), room = dst.limit() - pos, n = 0;
        if (leftover != null) {
            int len = Math.min(room, leftover.length - leftoverPos);
            dst.put(pos, leftover, leftoverPos, len);
            leftoverPos += len;
            n = len;
            if (leftoverPos == leftover.length) {
                leftover = null;
                leftoverPos = 0;
            }
        }
        BufferRing buffers = owner.buffers;
        while (n < room && count > 0) {
            int bid = bids[head];
            int len = Math.min(room - n, lens[head] - headOff);
            dst.put(pos + n, buffers.slabOf(bid), buffers.offset(bid) + offs[head] + headOff, len);
            n += len;
            headOff += len;
            if (headOff == lens[head]) {
                popHead();
            }
        }
        dst.position(pos + n);
        return n;
    }

    /** Nothing queued: the end (once for an error, then EOF), or "nothing yet", or drained. */
    private int ending() throws IOException {
        if (error != 0) {
            int e = error;
            error = 0;
            eof = true;
            throw e == ECONNRESET ? new ConnectionResetException() : new IOException(LibC.strerror(e));
        }
        if (eof) {
            return SocketOps.EOF;
        }
        return detached ? DRAINED : SocketOps.UNAVAILABLE;
    }

    /**
     * A throttled recv is re-armed once the reader took it to half the bound (asked once); a bulk stream's
     * reader asks once it took everything (the poller then hands the descriptor to readiness).
     */
    private boolean wantsArm() {
        if (throttled && !armRequested && !detached && (bulk ? emptied() : !overBound(2))) {
            armRequested = true;
            return true;
        }
        return false;
    }

    /**
     * A blocking read found nothing here while the ring still feeds this input: asks the poller to stop
     * feeding it (done at once by this thread when no poll runs, else by the nudged poller) and waits until
     * something is queued, the end is known or the input is detached — no polling slices, and no selection
     * by the application needed. Returns false when {@code millis} (-1: none) passed first.
     */
    @Override
    public boolean awaitDetach(long millis) throws java.io.InterruptedIOException {
        long deadline = millis < 0 ? 0 : System.nanoTime() + millis * 1_000_000L;
        synchronized (this) {
            if (readable() || detached) return true;
        }
        owner.requestDetach(this); // no lock held: it may take the poller's lock and wait for the cancel
        synchronized (this) {
            readerWaits++;
            try {
                while (!readable() && !detached) {
                    long left = deadline == 0 ? 0 : (deadline - System.nanoTime()) / 1_000_000L;
                    if (deadline != 0 && left <= 0) return false;
                    wait(left);
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the channel's interrupt handling closes it
                return true;
            } finally {
                readerWaits--;
            }
        }
    }

    /** The channel is also registered with another selector: this ring stops feeding it (no waiting). */
    @Override
    public void release() {
        synchronized (this) {
            if (detached) return;
        }
        owner.requestDetach(this);
    }

    @Override
    public synchronized int available() {
        long total = leftover == null ? 0 : leftover.length - leftoverPos;
        for (int i = 0; i < count; i++) {
            total += lens[(head + i) % bids.length];
        }
        return (int) Math.min(Integer.MAX_VALUE, total - headOff);
    }

    @Override
    public synchronized byte[] takeLeftover() {
        if (!detached || eof || error != 0) {
            return null; // still fed, or its end must be reported by it
        }
        byte[] b;
        if (leftover == null) {
            b = new byte[0];
        } else {
            b = java.util.Arrays.copyOfRange(leftover, leftoverPos, leftover.length);
        }
        leftover = null;
        leftoverPos = 0;
        return b;
    }
}
