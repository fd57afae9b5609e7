package io.edgewise.channels;

import io.edgewise.backend.Poller;
import io.edgewise.observe.ChannelKind;
import io.edgewise.observe.ChannelTrace;
import io.edgewise.sys.ByteIo;
import io.edgewise.sys.CompletionInput;
import io.edgewise.sys.InputHost;
import io.edgewise.sys.CompletionOutput;
import io.edgewise.sys.OutputHost;
import io.edgewise.sys.Platform;
import io.edgewise.sys.PollEvents;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What a TCP ({@link SocketChannelImpl}) and a Unix domain ({@link UnixSocketChannelImpl}) stream
 * channel share, as in the JDK, where one class serves both: connection state, reads and writes,
 * shutdown, close and the selector's view. The subclasses add addresses, options and connect.
 *
 * <p>The descriptor is always non-blocking. Blocking mode is a loop of the non-blocking call and a
 * wait on the descriptor plus the thread's {@link Waiter}, which {@code close}, {@code shutdown*}
 * and interrupts signal: no signals, no descriptor tricks.
 *
 * <h2>Locks</h2>
 * {@code readLock} serializes reads, {@code writeLock} writes (and both are held by connect,
 * finishConnect, bind and configureBlocking); {@code stateLock} guards {@code state},
 * {@code localAddress}, {@code remoteAddress}, {@code isInputClosed}, {@code isOutputClosed},
 * {@code readWaiter} and {@code writeWaiter} (plus the subclass fields they name). Order:
 * readLock → writeLock → stateLock. {@code connectionReset} and {@code input} are written under readLock;
 * {@code output} (and a detached output's leftover) under writeLock ({@code output} is volatile for shutdown
 * and close, which read it under stateLock alone); {@code outputFinAsked} under stateLock;
 * {@code leftoverFinWanted} set under stateLock and served under writeLock (volatile: every release of
 * writeLock, {@link #unlockWrite}, looks again, so a request that found writeLock taken is never left behind).
 * {@code close} does not wait for blocking operations in progress (see
 * {@link #implCloseSelectableChannel}); {@link FdHandle} defers the real {@code close(2)} until the
 * last call on the descriptor has left.
 */
abstract class StreamSocketChannel extends SocketChannel implements SelChannel, InputHost, OutputHost {
    static final int ST_UNCONNECTED = 0, ST_CONNECTIONPENDING = 1, ST_CONNECTED = 2, ST_CLOSING = 3,
            ST_CLOSED = 4;

    final SocketOps ops;
    /** The data calls for this socket ({@link ByteIo#streamIo()}). */
    private final ByteIo io;
    /**
     * io_uring level 2: the received bytes a backend queued for this channel, read before the descriptor
     * (null: none). Installed by a selecting thread ({@link #adoptInput}) and cleared when drained, both
     * under readLock; volatile for {@link #queuedInput} (available()), which reads it without.
     */
    private volatile CompletionInput input;
    /**
     * io_uring level 2: the backend's send buffer for this channel, written before the descriptor (null:
     * none); once detached, kept until the bytes it left unsent are written to the descriptor.
     */
    private volatile CompletionOutput output;
    /**
     * A shutdownOutput or close (or a selector's close, for an output asked to finish with the FIN) found the
     * unsent bytes of a detached output: they go to the peer before the FIN, started by whoever holds
     * writeLock next ({@link #serveLeftoverFin}). Whoever sets it (under stateLock) holds a use of the
     * descriptor for it, which the drain takes over: the bytes go out even when the channel's descriptor is
     * marked closed meanwhile. Cleared under writeLock; volatile for the writers' look after unlocking.
     */
    private volatile boolean leftoverFinWanted;
    /** The output was asked to finish with the FIN ({@link CompletionOutput#finishWithFin()}; stateLock). */
    private boolean outputFinAsked;
    /**
     * The keys Edgewise selectors made for this channel — null, one {@link SelectionKey}, or an array for
     * several (no allocation for the usual one) — since level 2 serves a channel with one only (stateLock).
     */
    private Object selectorKeys;
    final FdHandle fd;
    /** The family {@link SocketOps} option calls take for this channel. */
    private final int optionFamily;

    final ReentrantLock readLock = new ReentrantLock();
    final ReentrantLock writeLock = new ReentrantLock();
    final Object stateLock = new Object();

    volatile int state;
    SocketAddress localAddress;
    volatile SocketAddress remoteAddress;
    volatile boolean isInputClosed;
    volatile boolean isOutputClosed;
    private boolean connectionReset;
    Waiter readWaiter, writeWaiter;
    /** Bytes, ending and JFR events (io.edgewise.observe; its fields follow readLock/writeLock). */
    final ChannelTrace trace;

    /** Takes ownership of {@code fdVal}, a non-blocking stream socket. */
    StreamSocketChannel(SelectorProvider provider, SocketOps ops, int fdVal, int optionFamily) {
        super(provider);
        this.ops = ops;
        this.io = Platform.streamIo();
        this.fd = new FdHandle(ops, fdVal); // the number lives there only: a channel is 4 bytes smaller
        this.optionFamily = optionFamily;
        this.trace = ChannelTrace.open(this instanceof UnixSocketChannelImpl ? ChannelKind.UNIX : ChannelKind.TCP);
    }

    @Override
    public final ChannelTrace trace() {
        return trace;
    }

    // ---- what the subclasses supply

    /** The descriptor's local address, read when a connect completes. */
    abstract SocketAddress queryLocalAddress(int f) throws IOException;

    /**
     * Completes a pending connect on {@code f}: one attempt when non-blocking, else attempts and
     * waits until connected or closed. True when connected.
     */
    abstract boolean completeConnect(int f, boolean blocking) throws IOException;

    /** Whether the selector should watch the descriptor now (false while it is not the connection yet). */
    boolean watching() {
        return true;
    }

    /** Whether shutting the output down wakes a writer polling for buffer space (see {@link Waiter}). */
    boolean shutdownWakesWriter() {
        return true;
    }

    /** Runs under {@code stateLock} when close begins. */
    void closing() {
    }

    /** Called by finishConnect before the descriptor is asked; false: the connect is still in progress. */
    boolean beforeFinishConnect() throws IOException {
        return true;
    }

    // ---- state checks

    final void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    final void ensureOpenAndConnected() throws ClosedChannelException {
        int s = state;
        if (s < ST_CONNECTED) {
            throw new NotYetConnectedException();
        } else if (s > ST_CONNECTED) {
            throw new ClosedChannelException();
        }
    }

    @Override
    public SocketAddress getLocalAddress() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            return Security.revealed(localAddress);
        }
    }

    @Override
    public SocketAddress getRemoteAddress() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            return remoteAddress;
        }
    }

    @Override
    public final boolean isConnected() {
        return state == ST_CONNECTED;
    }

    @Override
    public final boolean isConnectionPending() {
        return state == ST_CONNECTIONPENDING;
    }

    final boolean isInputClosed() {
        return isInputClosed;
    }

    final boolean isOutputClosed() {
        return isOutputClosed;
    }

    // ---- connect: the parts both families share

    /** Moves to connection-pending towards {@code target}; with {@code begin()} first when blocking. */
    final void beginConnect(boolean blocking, SocketAddress target) throws IOException {
        if (blocking) {
            begin();
        }
        synchronized (stateLock) {
            ensureOpen();
            int s = state;
            if (s == ST_CONNECTED) throw new AlreadyConnectedException();
            if (s == ST_CONNECTIONPENDING) throw new ConnectionPendingException();
            state = ST_CONNECTIONPENDING;
            remoteAddress = target;
            trace.connectStarted(target, blocking, false);
            if (blocking) {
                readWaiter = Waiter.acquire(Waiter.of(ops), true);
            }
        }
    }

    final void endConnect(boolean blocking, boolean completed) throws IOException {
        try {
            synchronized (stateLock) {
                if (readWaiter != null) {
                    readWaiter.release();
                    readWaiter = null;
                }
                if (completed && state == ST_CONNECTIONPENDING) {
                    state = ST_CONNECTED;
                    int f = fd.acquire();
                    try {
                        localAddress = queryLocalAddress(f);
                    } finally {
                        fd.release();
                    }
                    trace.connected(localAddress, remoteAddress);
                }
            }
        } finally {
            if (blocking) {
                end(completed);
            }
        }
    }

    @Override
    public final boolean finishConnect() throws IOException {
        return connectStep(() -> {
            if (isConnected()) {
                return true;
            }
            if (!isOpen()) {
                throw JdkBehaviour.closedBeforeCall(isBlocking());
            }
            if (!beforeFinishConnect()) {
                return false;
            }
            boolean blocking = isBlocking();
            boolean connected = false;
            try {
                if (blocking) begin();
                synchronized (stateLock) {
                    ensureOpen();
                    if (state != ST_CONNECTIONPENDING) {
                        throw new NoConnectionPendingException();
                    }
                    if (blocking) readWaiter = Waiter.acquire(Waiter.of(ops), true);
                }
                int f = fd.acquire();
                try {
                    connected = completeConnect(f, blocking);
                } finally {
                    fd.release();
                }
                connected = connected && isOpen();
            } finally {
                endConnect(blocking, connected);
            }
            return connected;
        });
    }

    /** The body of a connect step, run under readLock and writeLock. */
    @FunctionalInterface
    interface ConnectStep {
        boolean run() throws IOException;
    }

    /**
     * Runs {@code step} holding readLock and writeLock (connect, finishConnect); a failure closes the
     * channel, as the JDK does.
     */
    final boolean connectStep(ConnectStep step) throws IOException {
        try {
            readLock.lock();
            try {
                writeLock.lock();
                try {
                    return step.run();
                } finally {
                    unlockWrite();
                }
            } finally {
                readLock.unlock();
            }
        } catch (IOException e) {
            trace.connectFailed(e);
            close();
            throw e;
        }
    }

    // ---- shutdown

    @Override
    public final SocketChannel shutdownInput() throws IOException {
        shutdown(0);
        return this;
    }

    @Override
    public final SocketChannel shutdownOutput() throws IOException {
        shutdown(1);
        return this;
    }

    /** Shuts down input (0) or output (1) once, and wakes the thread blocked on that side. */
    private void shutdown(int how) throws IOException {
        boolean leftoverFirst, writerBlocked;
        synchronized (stateLock) {
            ensureOpen();
            if (!isConnected()) throw new NotYetConnectedException();
            if (how == 0 ? isInputClosed : isOutputClosed) {
                return;
            }
            // the flag before the kernel's shutdown, which wakes a blocked thread at once: a writer must
            // see it and return the bytes it wrote (as the JDK's), not write again into EPIPE
            setShutdown(how, true);
            CompletionOutput out = how == 1 ? output : null;
            if (out != null && out.finishWithFin()) {
                // level 2: the backend sends every buffered byte first, then shuts the output down
                outputFinAsked = true;
                if (writeWaiter != null) writeWaiter.signal();
                return;
            }
            // a detached output's unsent bytes go first, then the FIN
            leftoverFirst = out != null && Waiter.wakesBySignal(writeWaiter) && leftoverOf(out) != null
                    && wantLeftoverFin();
            writerBlocked = writeWaiter != null;
            if (!leftoverFirst) {
                shutdownNow(how);
            } else if (writerBlocked) {
                writeWaiter.signal(); // it returns as the JDK's does after a shutdown; its unlockWrite serves the FIN
            }
        }
        if (leftoverFirst) {
            serveLeftoverFin(writerBlocked);
        }
    }

    /** The kernel's shutdown, which wakes the thread blocked on that side (stateLock). */
    private void shutdownNow(int how) throws IOException {
        int f = fd.acquire();
        try {
            ops.shutdown(f, how);
        } catch (IOException | RuntimeException e) {
            setShutdown(how, false);
            throw e;
        } finally {
            fd.release();
        }
        Waiter blocked = how == 0 ? readWaiter : writeWaiter;
        if (blocked != null) blocked.signal();
    }

    private void setShutdown(int how, boolean closed) {
        if (how == 0) {
            isInputClosed = closed;
        } else {
            isOutputClosed = closed;
        }
    }

    // ---- reads

    private void beginRead(boolean blocking) throws IOException {
        if (blocking) {
            begin();
            synchronized (stateLock) {
                ensureOpenAndConnected();
                readWaiter = Waiter.acquire(Waiter.of(ops), output == null); // see beginWrite
            }
        } else {
            ensureOpenAndConnected();
        }
    }

    private void endRead(boolean blocking, boolean completed) throws AsynchronousCloseException {
        if (blocking) {
            synchronized (stateLock) {
                if (readWaiter != null) {
                    readWaiter.release();
                    readWaiter = null;
                }
            }
            end(completed);
        }
    }

    @Override
    public final int read(ByteBuffer dst) throws IOException {
        return read(dst, -1);
    }

    /** Read; {@code timeoutMillis} (> 0) bounds a blocking read (adaptor's SO_TIMEOUT). */
    final int read(ByteBuffer dst, int timeoutMillis) throws IOException {
        Objects.requireNonNull(dst);
        return (int) read(dst, null, 0, 0, timeoutMillis);
    }

    @Override
    public final long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        return read(null, dsts, offset, length, -1);
    }

    /** A read into {@code one}, or scattered into {@code many[offset, offset + length)}. */
    private long read(ByteBuffer one, ByteBuffer[] many, int offset, int length, int timeoutMillis)
            throws IOException {
        readLock.lock();
        try {
            ensureOpenAndConnected();
            boolean blocking = isBlocking();
            long n = 0;
            Object event = null;
            try {
                beginRead(blocking);
                if (blocking) event = trace.beginBlockingRead();
                if (connectionReset) throw new java.net.SocketException("Connection reset");
                if (isInputClosed) return -1;
                int f = fd.acquire();
                try {
                    n = readData(f, one, many, offset, length);
                    if (blocking) {
                        long deadline = deadline(timeoutMillis);
                        while (retry(n)) {
                            if (!isOpen() || isInputClosed) break;
                            CompletionInput in = input;
                            if (in != null) {
                                awaitFedInput(in, deadline);
                            } else {
                                BlockingSide.await(readWaiter, f, PollEvents.IN, deadline, "Read timed out");
                            }
                            n = readData(f, one, many, offset, length);
                        }
                    }
                } finally {
                    fd.release();
                }
            } catch (java.net.SocketException e) {
                throw noteReset(e);
            } finally {
                trace.read(n);
                if (blocking) trace.endBlockingRead(event, n, retry(n) && timeoutMillis > 0, remoteAddress);
                endRead(blocking, n > 0);
                if (n <= 0 && isInputClosed) return -1;
            }
            return normalize(n);
        } finally {
            readLock.unlock();
        }
    }

    /**
     * The wait step of a blocking read while a backend still feeds this channel (level 2: its key was
     * cancelled and configureBlocking(true) came before a selection deregistered it). The backend may have
     * taken the next bytes off the descriptor into the queue, where no descriptor event announces them, so
     * the channel asks it to stop feeding the queue and waits for that (or for queued bytes) instead of
     * polling the descriptor; once the queue is detached and read empty, reads go to the descriptor.
     */
    private void awaitFedInput(CompletionInput in, long deadline) throws IOException {
        int wait = remainingMillis(deadline);
        if (wait == 0 || !in.awaitDetach(wait)) throw new java.net.SocketTimeoutException("Read timed out");
    }

    /**
     * How long a blocking write whose level-2 send buffer is full, while the backend still owns it, waits for
     * the hand-back before it looks again (at the channel's state too: a close or shutdown ends the write).
     */
    private static final int FED_OUTPUT_WAIT_MILLIS = 200;

    /** One read: from the queued input first (level 2), else the descriptor. */
    private long readData(int f, ByteBuffer one, ByteBuffer[] many, int offset, int length) throws IOException {
        CompletionInput in = input;
        if (in != null) {
            long n = one != null ? in.read(one) : in.read(many, offset, length);
            if (n != CompletionInput.DRAINED) {
                return n;
            }
            input = null;
        }
        return BufferIO.read(io, f, one, many, offset, length);
    }

    /** Bytes received for this channel and held by a backend (level 2), which the kernel no longer counts. */
    final int queuedInput() {
        CompletionInput in = input; // a racy read, as any available() is
        return in == null ? 0 : in.available();
    }

    @Override
    public final byte[] adoptInput(CompletionInput in) {
        if (!readLock.tryLock()) {
            return null; // a read is in progress (perhaps a blocking one): level 1 serves this registration
        }
        try {
            synchronized (stateLock) {
                if (state != ST_CONNECTED || isBlocking() || isInputClosed || connectionReset
                        || validKeys() > 1) {
                    return null; // on several selectors: each sees the kernel's readiness (level 1)
                }
                byte[] left = new byte[0];
                if (input != null) {
                    left = input.takeLeftover();
                    if (left == null) {
                        return null; // fed by another selector's backend
                    }
                }
                input = in;
                return left;
            }
        } finally {
            readLock.unlock();
        }
    }

    /**
     * A reset connection stays reset: later reads throw again without asking the kernel (JDK). The sys
     * layer signals a reset by type; the application gets the JDK's own class and message.
     */
    private java.net.SocketException noteReset(java.net.SocketException e) {
        assert readLock.isHeldByCurrentThread(); // connectionReset is written under readLock
        if (!(e instanceof io.edgewise.sys.ConnectionResetException)) {
            return e;
        }
        connectionReset = true;
        trace.reset();
        return new java.net.SocketException(e.getMessage());
    }

    // ---- writes

    private void beginWrite(boolean blocking) throws IOException {
        if (!blocking) {
            // state and isOutputClosed are volatile: no lock needed to check them
            ensureOpenAndConnected();
            if (isOutputClosed) {
                throw new ClosedChannelException();
            }
            return;
        }
        begin();
        synchronized (stateLock) {
            ensureOpenAndConnected();
            if (isOutputClosed) {
                throw new ClosedChannelException();
            }
            // with a level-2 output, bytes may be left to the channel that a close or shutdown must still send:
            // such a wait is woken by a signal, not by the socket's shutdown (the same for reads)
            writeWaiter = Waiter.acquire(Waiter.of(ops), shutdownWakesWriter() && output == null);
        }
    }

    private void endWrite(boolean blocking, boolean completed) throws AsynchronousCloseException {
        if (blocking) {
            synchronized (stateLock) {
                if (writeWaiter != null) {
                    writeWaiter.release();
                    writeWaiter = null;
                }
            }
            end(completed);
        }
    }

    @Override
    public final int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        return (int) write(src, null, 0, 0);
    }

    @Override
    public final long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        // a blocking write returns once the first IOV_MAX non-empty buffers are written, as the JDK's
        return write(null, srcs, offset, BufferIO.iovLength(srcs, offset, length, io.iovMax()));
    }

    /**
     * A write of {@code one}, or gathered from {@code many[offset, offset + length)}; in blocking
     * mode it returns only when every byte is written (or the channel is closed or shut down).
     */
    private long write(ByteBuffer one, ByteBuffer[] many, int offset, int length) throws IOException {
        writeLock.lock();
        try {
            ensureOpenAndConnected();
            boolean blocking = isBlocking();
            long n = 0;
            long total = 0;
            Object event = null;
            try {
                beginWrite(blocking);
                if (blocking) event = trace.beginBlockingWrite();
                int f = fd.acquire();
                try {
                    n = writeData(f, blocking, one, many, offset, length);
                    if (blocking) {
                        while (isOpen() && !isOutputClosed) {
                            if (n > 0) {
                                total += n;
                                if (!BufferIO.hasRemaining(one, many, offset, length)) break;
                            } else if (n == SocketOps.UNAVAILABLE && output != null && output.leftover() == null) {
                                // still fed to a backend (its key cancelled, not yet deregistered): its
                                // buffer drains only through the selector, so the backend hands it back
                                output.awaitDetach(FED_OUTPUT_WAIT_MILLIS);
                                if (isOutputClosed) break;
                            } else if (n == SocketOps.UNAVAILABLE) {
                                // the socket is full (also while a detached buffer's leftover goes first)
                                writeWaiter.await(f, PollEvents.OUT, -1);
                                // woken by shutdownOutput: return what was written, as the JDK's write
                                // does, instead of writing again into EPIPE (a close goes round: the next
                                // call reports it as the JDK's does for each kind of thread)
                                if (isOutputClosed) break;
                            } else if (n == 0) {
                                break;
                            }
                            n = writeData(f, true, one, many, offset, length);
                        }
                        n = total > 0 ? total : n;
                    }
                } finally {
                    fd.release();
                }
            } finally {
                trace.wrote(n);
                if (blocking) trace.endBlockingWrite(event, n, remoteAddress);
                endWrite(blocking, n > 0);
                if (n <= 0 && isOutputClosed) throw new AsynchronousCloseException();
            }
            return normalize(n);
        } finally {
            unlockWrite(); // a shutdown or close that met this write is served there
        }
    }

    /**
     * One write: into the backend's send buffer while one serves this channel (level 2), else the
     * descriptor, after the bytes a detached send buffer left (so no byte overtakes an older one).
     */
    private long writeData(int f, boolean blocking, ByteBuffer one, ByteBuffer[] many, int offset, int length)
            throws IOException {
        CompletionOutput out = output;
        if (out != null) {
            long n = one != null ? out.write(one) : out.write(many, offset, length);
            if (n == CompletionOutput.DIRECT) {
                n = writeDirect(out, f, one, many, offset, length);
            }
            if (n != CompletionOutput.DETACHED) {
                return n == 0 && blocking ? SocketOps.UNAVAILABLE : n;
            }
            ByteBuffer left = out.leftover(); // what it did not send goes first
            while (left.hasRemaining()) {
                if (BufferIO.write(io, f, left, null, 0, 0) <= 0) {
                    return SocketOps.UNAVAILABLE;
                }
            }
            output = null;
        }
        return BufferIO.write(io, f, one, many, offset, length);
    }

    /**
     * A large write with nothing in the send buffer: to the descriptor in one call, returning what the kernel
     * took, as the JDK's write (copying the rest would double the work for bytes that must wait anyway).
     * Writes are serialized by writeLock, so nothing is queued meanwhile and no byte overtakes another.
     */
    private long writeDirect(CompletionOutput out, int f, ByteBuffer one, ByteBuffer[] many, int offset, int length)
            throws IOException {
        long d = BufferIO.write(io, f, one, many, offset, length);
        long done = Math.max(d, 0); // UNAVAILABLE: the socket is full
        if (BufferIO.hasRemaining(one, many, offset, length)) {
            out.socketFull(); // OP_WRITE waits for the socket's room
        }
        return done;
    }

    @Override
    public final boolean adoptOutput(CompletionOutput out) {
        writeLock.lock();
        try {
            synchronized (stateLock) {
                if (state != ST_CONNECTED || isBlocking() || isOutputClosed || validKeys() > 1) {
                    return false;
                }
                if (output != null) {
                    ByteBuffer left = output.leftover();
                    if (left == null || left.hasRemaining()) {
                        return false; // another selector's, or its unsent bytes go to the descriptor first
                    }
                    output = null;
                }
                try {
                    fd.acquire(); // held until releaseOutput: no send meets a reused number
                } catch (ClosedChannelException e) {
                    return false;
                }
                output = out;
                return true;
            }
        } finally {
            unlockWrite();
        }
    }

    @Override
    public final void releaseOutput(CompletionOutput out) {
        synchronized (stateLock) {
            // an output asked to finish with the FIN and let go before (deregistered, or its selector closed):
            // its unsent bytes, then the FIN, by the drain, to which its use of the descriptor passes
            if (outputFinAsked && output == out && !leftoverFinWanted) {
                leftoverFinWanted = true;
            } else {
                out = null;
            }
        }
        if (out != null) {
            serveLeftoverFinIfFree();
            return;
        }
        fd.release(); // may make the deferred close(2): nothing of this output is in the kernel any more
    }

    /**
     * Asks for the leftover, then the FIN, with a use of the descriptor for it (stateLock); false when asked
     * already or the descriptor is closed.
     */
    private boolean wantLeftoverFin() {
        if (leftoverFinWanted) return false;
        try {
            fd.acquire();
        } catch (ClosedChannelException e) {
            return false;
        }
        leftoverFinWanted = true;
        return true;
    }

    /** The unsent bytes of a detached output, when any are left; else null. */
    private static ByteBuffer leftoverOf(CompletionOutput out) {
        ByteBuffer left = out == null ? null : out.leftover();
        return left != null && left.hasRemaining() ? left : null;
    }

    /**
     * Starts the drain {@link #wantLeftoverFin} asked for. With no blocked writer, writeLock's holders leave
     * promptly, so it waits for the lock; a blocked writer, woken, serves it when it lets go ({@link #unlockWrite}):
     * a close must not wait for it (on JDK 17 an interrupt closes while holding the blocked thread's blockerLock).
     */
    private void serveLeftoverFin(boolean writerBlocked) {
        if (writerBlocked) {
            serveLeftoverFinIfFree();
            return;
        }
        writeLock.lock();
        try {
            serveLeftoverFin();
        } finally {
            unlockWrite();
        }
    }

    /** Every release of writeLock: then serves a {@link #leftoverFinWanted} that found it taken. */
    final void unlockWrite() {
        writeLock.unlock();
        if (leftoverFinWanted) serveLeftoverFinIfFree();
    }

    /** Serves {@link #leftoverFinWanted} if writeLock is free; else its holder does ({@link #unlockWrite}). */
    private void serveLeftoverFinIfFree() {
        while (leftoverFinWanted && writeLock.tryLock()) {
            try {
                serveLeftoverFin();
            } finally {
                writeLock.unlock();
            }
        }
    }

    /**
     * (writeLock) The detached output's unsent bytes go to the peer, then the FIN, through a {@link LeftoverDrain}
     * that takes over the use of the descriptor held for it; just the FIN when a write took them meanwhile.
     */
    private void serveLeftoverFin() {
        if (!leftoverFinWanted) return;
        leftoverFinWanted = false;
        CompletionOutput out = output;
        ByteBuffer left = leftoverOf(out);
        if (out != null && out.leftover() != null) output = null; // detached: the drain has its bytes
        LeftoverDrain.start(fd, fd.fd(), ops, io, left != null ? left : ByteBuffer.allocate(0));
    }

    // ---- blocking mode, close

    @Override
    protected final void implConfigureBlocking(boolean block) throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                synchronized (stateLock) {
                    ensureOpen();
                    // the descriptor stays non-blocking: blocking mode is emulated with waits
                }
            } finally {
                unlockWrite();
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    protected final void implCloseSelectableChannel() throws IOException {
        boolean connected;
        boolean leftoverFirst, writerBlocked;
        synchronized (stateLock) {
            connected = state == ST_CONNECTED;
            trace.closed(localAddress, remoteAddress, isRegistered());
            state = ST_CLOSING;
            // a detached output's unsent bytes were accepted by a write: they go before the FIN. Decided before
            // the blocked threads are woken, as a kernel-woken one is woken by shutting the socket down
            leftoverFirst = connected && !isOutputClosed && Waiter.wakesBySignal(readWaiter)
                    && Waiter.wakesBySignal(writeWaiter) && leftoverOf(output) != null
                    && lingerAllowsLeftover() && wantLeftoverFin();
            writerBlocked = writeWaiter != null;
            if (readWaiter != null) readWaiter.signalClose(fd);
            if (writeWaiter != null) writeWaiter.signalClose(fd);
            closing();
        }
        // Non-blocking I/O in progress ends promptly: wait for it. Blocking I/O must not be waited
        // for: on JDK 17 an interrupt runs this close while holding the blocked thread's blockerLock,
        // which that thread needs in end() (deadlock). The signalled thread leaves on its own, and
        // FdHandle defers the real close(2) until it released the descriptor.
        if (!isBlocking()) {
            readLock.lock();
            readLock.unlock();
            writeLock.lock();
            unlockWrite();
        }
        if (leftoverFirst) {
            serveLeftoverFin(writerBlocked); // the drain's use of the descriptor defers its real close(2)
        }
        synchronized (stateLock) {
            if (state != ST_CLOSING) {
                return;
            }
            if (!isRegistered()) {
                state = ST_CLOSED;
                fd.close();
                trace.released();
            } else if (connected && !isBlocking() && !leftoverFirst) {
                // a selector still holds the descriptor: let the peer see the close now, unless
                // SO_LINGER 0 asks for a reset, which only the real close(2) sends
                try {
                    int f = fd.acquire();
                    try {
                        int linger = ops.getOption(f, optionFamily, StandardSocketOptions.SO_LINGER);
                        if (linger != 0) {
                            if (linger > 0) ops.setOption(f, optionFamily, StandardSocketOptions.SO_LINGER, -1);
                            CompletionOutput out = output;
                            if (out != null && out.finishWithFin()) {
                                outputFinAsked = true; // the backend sends its buffered bytes, then the FIN
                            } else {
                                ops.shutdown(f, 1);
                            }
                        }
                    } finally {
                        fd.release();
                    }
                } catch (IOException ignore) {
                    // best effort; the descriptor is closed at deregistration
                }
            }
        }
    }

    /**
     * Close with a detached output's unsent bytes (stateLock): false for SO_LINGER 0, whose reset drops them
     * as the kernel drops its queue; a positive linger is turned off, so that the real close(2), which the
     * drain's end may make on a poller's thread, does not block there.
     */
    private boolean lingerAllowsLeftover() {
        try {
            int f = fd.acquire();
            try {
                int linger = ops.getOption(f, optionFamily, StandardSocketOptions.SO_LINGER);
                if (linger > 0) ops.setOption(f, optionFamily, StandardSocketOptions.SO_LINGER, -1);
                return linger != 0;
            } finally {
                fd.release();
            }
        } catch (IOException e) {
            return false; // the socket failed: nothing can be sent
        }
    }

    @Override
    public final void kill() {
        readLock.lock();
        readLock.unlock();
        writeLock.lock();
        unlockWrite();
        synchronized (stateLock) {
            if (state == ST_CLOSING) {
                state = ST_CLOSED;
                fd.close();
                trace.released();
            }
        }
    }

    // ---- selector support

    /** Subclasses that override this call it first. */
    @Override
    public void keyRegistered(SelectionKey k) {
        CompletionInput fed;
        CompletionOutput sent;
        synchronized (stateLock) {
            if (validKeys() == 0) {
                selectorKeys = k;
                return;
            }
            SelectionKey[] old = selectorKeys instanceof SelectionKey
                    ? new SelectionKey[] {(SelectionKey) selectorKeys} : (SelectionKey[]) selectorKeys;
            SelectionKey[] now = new SelectionKey[old.length + 1];
            int n = 0;
            for (SelectionKey x : old) {
                if (x != null && x.isValid()) now[n++] = x;
            }
            now[n++] = k;
            selectorKeys = java.util.Arrays.copyOf(now, n);
            fed = n > 1 ? input : null;
            sent = n > 1 ? output : null;
        }
        if (fed != null) {
            // a second selector: each must see the kernel's readiness, so the ring that feeds this channel
            // stops (no lock of this channel held: the backend may take its poller's lock)
            fed.release();
        }
        if (sent != null) {
            sent.release(); // and the ring that sends for it, which may not be selected again, hands back
        }
    }

    /** How many of the recorded keys are valid (stateLock). */
    private int validKeys() {
        Object ks = selectorKeys;
        if (ks == null) return 0;
        if (ks instanceof SelectionKey) return ((SelectionKey) ks).isValid() ? 1 : 0;
        int n = 0;
        for (SelectionKey x : (SelectionKey[]) ks) {
            if (x.isValid()) n++;
        }
        return n;
    }

    @Override
    public final int fdVal() {
        return fd.fd();
    }

    @Override
    public final int translateInterestOps(int ops) {
        if (!watching()) {
            return 0;
        }
        int ev = 0;
        if ((ops & SelectionKey.OP_READ) != 0) ev |= Poller.IN;
        if ((ops & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) ev |= Poller.OUT;
        return ev;
    }

    @Override
    public final int translateReadyOps(int events, int interest) {
        if (!watching()) {
            return 0;
        }
        if ((events & (Poller.ERR | Poller.HUP)) != 0) {
            return interest;
        }
        int s = state;
        boolean connected = s == ST_CONNECTED;
        int ready = 0;
        if ((events & Poller.IN) != 0 && (interest & SelectionKey.OP_READ) != 0 && connected) {
            ready |= SelectionKey.OP_READ;
        }
        if ((events & Poller.OUT) != 0 && (interest & SelectionKey.OP_CONNECT) != 0 && s == ST_CONNECTIONPENDING) {
            ready |= SelectionKey.OP_CONNECT;
        }
        if ((events & Poller.OUT) != 0 && (interest & SelectionKey.OP_WRITE) != 0 && connected) {
            ready |= SelectionKey.OP_WRITE;
        }
        return ready;
    }

    @Override
    public final String toString() {
        StringBuilder sb = new StringBuilder(SocketChannel.class.getName()).append('[');
        if (!isOpen()) {
            sb.append("closed");
        } else {
            synchronized (stateLock) {
                switch (state) {
                    case ST_UNCONNECTED: sb.append("unconnected"); break;
                    case ST_CONNECTIONPENDING: sb.append("connection-pending"); break;
                    case ST_CONNECTED:
                        sb.append("connected");
                        if (isInputClosed) sb.append(" ishut");
                        if (isOutputClosed) sb.append(" oshut");
                        break;
                    default: break;
                }
                if (localAddress != null) sb.append(" local=").append(localAddress);
                if (remoteAddress != null) sb.append(" remote=").append(remoteAddress);
            }
        }
        return sb.append(']').toString();
    }

    // ---- helpers shared with the other channels

    /** Whether a non-blocking call's result means "try again"; see {@link BlockingSide#retry}. */
    static boolean retry(long n) {
        return BlockingSide.retry(n);
    }

    static long normalize(long n) {
        return BlockingSide.normalize(n);
    }

    /** See {@link BlockingSide#deadline}. */
    static long deadline(int timeoutMillis) {
        return BlockingSide.deadline(timeoutMillis);
    }

    /** See {@link BlockingSide#remainingMillis}. */
    static int remainingMillis(long deadline) {
        return BlockingSide.remainingMillis(deadline);
    }

}
