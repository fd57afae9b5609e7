package io.edgewise.backend.uring;

import static io.edgewise.sys.linux.Linux.EAGAIN;
import static io.edgewise.sys.linux.Linux.EINTR;
import static io.edgewise.sys.linux.Linux.EPIPE;
import static io.edgewise.sys.linux.Linux.IOVEC_SIZE;
import static io.edgewise.sys.linux.Linux.MSG_DONTWAIT;
import static io.edgewise.sys.linux.Linux.MSG_NOSIGNAL;

import io.edgewise.sys.CompletionOutput;
import io.edgewise.sys.OutputHost;
import io.edgewise.sys.posix.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The send side of one connected stream socket served by io_uring level 2: up to {@link #MAX_CHUNKS} chunks
 * of the selector's {@link SendChunks} (64 KiB), filled by writes in order and sent by one send at a time
 * (a SEND, or a SENDMSG over several chunks); a completion frees the chunks it finished. A small write copies
 * and returns the count (0 when full); it makes no system call, except a nudge when another thread is
 * waiting in the ring. A large one with nothing queued is left to the channel ({@link #DIRECT}).
 *
 * <p>Threads: the chunk queue ({@code ids}, {@code head}, {@code count}, {@code sendOff}, {@code fill}),
 * {@code inFlight}, {@code vectored} and {@code vector}, {@code error}, {@code failed}, {@code detached},
 * {@code leftover}, {@code fin}, {@code queued}, {@code kernelFull}, {@code directFull} and {@code roomWanted} are guarded by
 * this object's monitor (writers copy in, the poller's thread submits and completes); {@code detachQueued}
 * by SendStreams' pending lock. Fields marked "poller" are the poller thread's alone. Lock order: this →
 * SendChunks → SendStreams' pending lock.
 */
final class UringSendStream implements CompletionOutput {
    static final int MAX_CHUNKS = 4;

    final SendStreams owner;
    final SendChunks pool;
    final int fd;
    /** This binding's generation (26 bits), in every user_data of its requests. */
    final int gen;
    final OutputHost host;

    // guarded by this
    private final int[] ids = new int[MAX_CHUNKS];
    private int head, count;
    /** The first unsent byte in the head chunk; the bytes written into the tail chunk. */
    private int sendOff, fill;
    /** Bytes of the SEND in the kernel (0: none). */
    int inFlight;
    /** A send error not yet thrown (errno), and whether one happened (later writes: EPIPE). */
    private int error;
    private boolean failed;
    private boolean detached;
    private ByteBuffer leftover;
    /** The output is to be shut down once every buffered byte is sent. */
    boolean fin;
    /** In the owner's pending list (a send to submit). */
    boolean queued;
    /** In the owner's detach queue (guarded by the owner's pending lock). */
    boolean detachQueued;

    // poller
    boolean inReady, fresh = true, oneshotArmed = true, cancelling, finDone, roomPollArmed, inPoolWait;
    /**
     * A SENDMSG's msghdr (zero but for the iovec pointer and count, at 0) and its iovecs (at {@link #VEC_IOV}),
     * made at the stream's first send of more than one chunk (an idle connection has none); written by the
     * poller under this monitor, read by the kernel while that send is in flight. {@code vectored}: the send in
     * flight is that SENDMSG.
     */
    private ByteBuffer vector;
    private long vectorAddr;
    boolean vectored;
    private static final int MSG_IOV = 16, MSG_IOVLEN = 24, VEC_IOV = 64;

    /**
     * Guarded by this: the socket's own buffer was full (at binding, or when a write took nothing) and has not
     * shown room since; {@code roomWanted}: the poller is to watch for that room (a POLLOUT poll).
     */
    private boolean kernelFull, roomWanted;
    /**
     * A direct write found the socket full: until the room poll fires, every write goes to the socket directly
     * ({@link #goesDirect}) and nothing is copied, as on the JDK.
     */
    private boolean directFull;

    synchronized void kernelFull(boolean full) {
        kernelFull = full;
        if (!full) directFull = false;
    }

    /** Whether the poller should arm a poll for the socket's room; asks once. */
    synchronized boolean takeRoomWanted() {
        boolean w = roomWanted;
        roomWanted = false;
        return w;
    }

    /** The connection failed on the receive side: nothing more can be sent (later writes: EPIPE). */
    synchronized void connectionFailed() {
        if (!failed) {
            failed = true;
            freeAll();
        }
    }

    UringSendStream(SendStreams owner, SendChunks pool, int fd, int gen, OutputHost host) {
        this.owner = owner;
        this.pool = pool;
        this.fd = fd;
        this.gen = gen;
        this.host = host;
    }

    // ---- writers

    @Override
    public int write(ByteBuffer src) throws IOException {
        synchronized (this) {
            if (detached) return DETACHED;
            throwError();
            if (goesDirect(src.remaining())) return DIRECT;
        }
        return (int) accept(src, null, 0, 0);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        synchronized (this) {
            if (detached) return DETACHED;
            throwError();
            long total = 0;
            for (int i = offset; i < offset + length && total < DIRECT_SEND_MIN; i++) total += srcs[i].remaining();
            if (goesDirect(total)) return DIRECT;
        }
        return accept(null, srcs, offset, length);
    }

    /**
     * Copies {@code one}, or (when null) {@code many[offset, offset + length)}, in; the count, or
     * {@link #DETACHED}. Never reached while {@code directFull}: every write is direct then ({@link #goesDirect}).
     */
    private long accept(ByteBuffer one, ByteBuffer[] many, int offset, int length) throws IOException {
        long n = 0;
        boolean submit;
        synchronized (this) {
            if (detached) return DETACHED;
            throwError();
            if (one != null) {
                n = copyIn(one);
            } else {
                for (int i = offset; i < offset + length; i++) {
                    n += copyIn(many[i]);
                    if (many[i].hasRemaining()) break;
                }
            }
            submit = n > 0 && inFlight == 0 && !queued;
            submit |= n == 0 && tookNothing();
            if (submit) queued = true;
        }
        if (submit) owner.requestSend(this);
        return n;
    }

    /** Copies what fits, sending the oldest bytes directly when the buffer is full and nothing is in flight. */
    private int copyIn(ByteBuffer src) throws IOException {
        int n = copy(src);
        if (src.hasRemaining() && drainDirect()) {
            n += copy(src);
        }
        return n;
    }

    /**
     * A large write with nothing buffered or in flight goes to the socket directly, by the channel, in one
     * call ({@link #DIRECT}: a gathering write stays one {@code writev}, as the JDK's): from this size on,
     * copying into a chunk costs as much as the system call it saves, and the copy pollutes the cache (16 KiB
     * echo ran at 0.44x the JDK with every byte copied). The channel returns what the kernel took, as the JDK's
     * write; what it left is not copied either ({@link #socketFull}: OP_WRITE waits for the socket's room).
     * No byte overtakes another, as nothing is queued (writes are serialized by the channel).
     */
    static final int DIRECT_SEND_MIN = SendChunks.CHUNK / 2;

    private boolean goesDirect(long len) {
        if (count != 0 || inFlight != 0) return false;
        // once a direct write found the socket full, every write is direct until the room poll fires: a
        // writer that never selects still makes progress as the socket drains, as on the JDK
        if (len < DIRECT_SEND_MIN && !directFull) return false;
        largeSends++;
        return true;
    }

    /**
     * Writes handed to the channel to write directly: large ones, and any while the socket is full
     * ({@link #goesDirect}; tests; under this monitor).
     */
    long largeSends;

    @Override
    public void socketFull() {
        boolean ask;
        synchronized (this) {
            if (detached) return;
            directFull = true;
            ask = tookNothing();
            if (ask) queued = true;
        }
        if (ask) owner.requestSend(this); // the next poll arms the poll for the socket's room
    }

    /**
     * A write took nothing: besides the buffer, the socket is full (its SEND waits, or a direct send met
     * EAGAIN; or the pool is taken, and then the poll fires at once). As on the JDK, OP_WRITE now waits for
     * the socket's own room too — the kernel's threshold, not the first chunk a SEND frees — so the poller is
     * asked to watch for it. True when it must be asked.
     */
    private boolean tookNothing() {
        if (kernelFull || failed || error != 0) return false;
        kernelFull = true;
        roomWanted = true;
        return !queued; // a queued stream is looked at by the next poll anyway
    }

    private void throwError() throws IOException {
        if (error != 0) {
            int e = error;
            error = 0;
            throw new IOException(LibC.strerror(e)); // as the kernel's write(2) error reads on the JDK
        }
        if (failed) {
            throw new IOException(LibC.strerror(EPIPE));
        }
    }

    /**
     * The buffer is full and no SEND is in flight (its bytes wait for the selecting thread's next poll — a
     * writer that loops on write without selecting would wait for ever): the oldest bytes go to the socket
     * directly, {@code send(2)} with {@code MSG_DONTWAIT}, as far as the kernel takes them. Nothing is in
     * flight, so no byte overtakes another. True when room was made. Costs system calls only when full.
     */
    private boolean drainDirect() throws IOException {
        if (inFlight != 0 || count == 0) return false;
        boolean freed = false;
        while (count > 0) {
            int limit = count == 1 ? fill : SendChunks.CHUNK;
            int len = limit - sendOff;
            long r = LibC.send(fd, pool.address(ids[head]) + sendOff, len, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (r < 0) {
                int e = (int) -r;
                if (e == EINTR) continue;
                if (e == EAGAIN) break;
                failed = true;
                freeAll();
                throw new IOException(LibC.strerror(e));
            }
            directSends++;
            sendOff += (int) r;
            if (sendOff < limit) break; // the kernel took part: it is full
            pool.give(ids[head]);
            head = (head + 1) % MAX_CHUNKS;
            count--;
            sendOff = 0;
            if (count == 0) fill = 0;
            freed = true;
        }
        return freed;
    }

    /** Direct sends made by full buffers (tests; under this monitor). */
    long directSends;

    /** Copies what fits; returns the count. */
    private int copy(ByteBuffer src) {
        int n = 0;
        while (src.hasRemaining()) {
            if (count == 0 || fill == SendChunks.CHUNK) {
                if (count == MAX_CHUNKS) break;
                int id = pool.take();
                if (id < 0) break;
                ids[(head + count) % MAX_CHUNKS] = id;
                count++;
                fill = 0;
            }
            int id = ids[(head + count - 1) % MAX_CHUNKS];
            int len = Math.min(src.remaining(), SendChunks.CHUNK - fill);
            int p = src.position();
            pool.slab(id).put(SendChunks.offset(id) + fill, src, p, len);
            src.position(p + len);
            fill += len;
            n += len;
        }
        return n;
    }

    @Override
    public boolean awaitDetach(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        synchronized (this) {
            if (detached) return true;
        }
        owner.requestDetach(this); // no lock held: it may take the poller's lock and wait for the SEND's end
        synchronized (this) {
            try {
                while (!detached) {
                    long left = (deadline - System.nanoTime()) / 1_000_000L;
                    if (left <= 0) return false;
                    wait(left);
                }
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // the channel's interrupt handling closes it
                return false;
            }
        }
    }

    @Override
    public void release() {
        synchronized (this) {
            if (detached) return;
        }
        owner.requestDetach(this); // no lock held: it may take the poller's lock
    }

    @Override
    public synchronized ByteBuffer leftover() {
        return detached ? leftover : null;
    }

    @Override
    public boolean finishWithFin() {
        synchronized (this) {
            if (detached || failed || count == 0) return false;
            fin = true;
        }
        return true;
    }

    // ---- the poller's side (under this monitor where noted)

    /** Bytes buffered, in flight included. */
    synchronized int buffered() {
        if (count == 0) return 0;
        return (count - 1) * SendChunks.CHUNK + fill - sendOff;
    }

    /** Whether a write would copy at least one byte, or would throw (OP_WRITE readiness). */
    synchronized boolean writable() {
        if (detached) return false;
        if (error != 0 || failed) return true;
        if (kernelFull) return false;
        if (count > 0 && fill < SendChunks.CHUNK) return true;
        return count < MAX_CHUNKS && pool.available();
    }

    /**
     * Whether the only thing between a write and the buffer is the selector's pool (every chunk taken by other
     * streams): such a stream gets room back when any stream's chunks come back, not at its own completion.
     */
    synchronized boolean waitsForPool() {
        if (detached || failed || error != 0 || kernelFull || count == MAX_CHUNKS) return false;
        return (count == 0 || fill == SendChunks.CHUNK) && !pool.available();
    }

    /**
     * Starts the next send: every unsent byte, the head chunk's from {@code sendOff} to the tail's fill. One
     * chunk: returns the bytes' address (a SEND). Several: one SENDMSG over all of them, so a message of more
     * than a chunk is one completion, not one per chunk; returns the address of {@link #vector}'s msghdr,
     * {@code vectored} set. Sets {@code inFlight} to the count; 0 when nothing is to send (or one is in flight).
     */
    synchronized long nextSend() {
        queued = false;
        if (inFlight != 0 || count == 0 || detached || failed) return 0;
        int limit = count == 1 ? fill : SendChunks.CHUNK;
        int len = limit - sendOff;
        if (len <= 0) return 0;
        if (count == 1) {
            vectored = false;
            inFlight = len;
            return pool.address(ids[head]) + sendOff;
        }
        if (vector == null) {
            vector = ByteBuffer.allocateDirect(VEC_IOV + MAX_CHUNKS * IOVEC_SIZE).order(ByteOrder.nativeOrder());
            vectorAddr = LibC.address(vector);
        }
        int total = 0;
        for (int i = 0; i < count; i++) {
            int id = ids[(head + i) % MAX_CHUNKS];
            int from = i == 0 ? sendOff : 0;
            int to = i == count - 1 ? fill : SendChunks.CHUNK;
            vector.putLong(VEC_IOV + i * IOVEC_SIZE, pool.address(id) + from);
            vector.putLong(VEC_IOV + i * IOVEC_SIZE + 8, to - from);
            total += to - from;
        }
        vector.putLong(MSG_IOV, vectorAddr + VEC_IOV);
        vector.putLong(MSG_IOVLEN, count);
        vectored = true;
        inFlight = total;
        return vectorAddr;
    }

    /** A send ended with {@code res}; frees every chunk it finished; true when more bytes wait to be sent. */
    synchronized boolean sent(int res) {
        inFlight = 0;
        if (res < 0) {
            if (!failed) {
                error = -res;
                failed = true;
            }
            freeAll();
            return false;
        }
        int left = res;
        while (left > 0 && count > 0) {
            int limit = count == 1 ? fill : SendChunks.CHUNK;
            int took = Math.min(left, limit - sendOff);
            sendOff += took;
            left -= took;
            if (sendOff < limit) break;
            pool.give(ids[head]);
            head = (head + 1) % MAX_CHUNKS;
            count--;
            sendOff = 0;
            if (count == 0) fill = 0;
        }
        return count > 0 && !detached;
    }

    /** The poller's cancelled (or never-sent) request: nothing was sent; true when bytes wait. */
    synchronized boolean unsent() {
        inFlight = 0;
        return count > 0 && !detached && !failed;
    }

    /** Whether the output must now be shut down (everything sent after {@link #finishWithFin}). */
    synchronized boolean finDue() {
        return fin && (count == 0 || failed) && inFlight == 0;
    }

    synchronized boolean failed() {
        return failed;
    }

    /**
     * No longer the channel's output: the unsent bytes go to the socket as far as it takes them now (the
     * channel may never write again, and its peer waits for them), the rest moves to the heap for the
     * channel's next write; chunks go back. With nothing in flight only (a SEND's bytes are the kernel's).
     */
    synchronized void detach() {
        if (detached) return;
        try {
            drainDirect();
        } catch (IOException e) {
            // the connection failed (drainDirect dropped the bytes): the channel's next write meets the socket's error
        }
        int n = count == 0 ? 0 : (count - 1) * SendChunks.CHUNK + fill - sendOff;
        byte[] b = new byte[Math.max(0, n)];
        int at = 0;
        for (int i = 0; i < count; i++) {
            int id = ids[(head + i) % MAX_CHUNKS];
            int from = i == 0 ? sendOff : 0;
            int to = i == count - 1 ? fill : SendChunks.CHUNK;
            pool.slab(id).get(SendChunks.offset(id) + from, b, at, to - from);
            at += to - from;
        }
        leftover = ByteBuffer.wrap(b);
        freeAll();
        detached = true;
        notifyAll(); // a blocking writer in awaitDetach
    }

    private void freeAll() {
        for (int i = 0; i < count; i++) {
            pool.give(ids[(head + i) % MAX_CHUNKS]);
        }
        head = count = sendOff = fill = 0;
    }
}
