package io.edgewise.channels;

import io.edgewise.backend.Poller;
import io.edgewise.observe.ChannelTrace;
import io.edgewise.sys.ByteIo;
import io.edgewise.sys.DatagramOps;
import io.edgewise.sys.Platform;
import io.edgewise.sys.PollEvents;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.WaitOps;
import java.io.IOException;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the UDP ({@link DatagramChannelImpl}) and the Unix domain ({@link UnixDatagramChannelImpl})
 * datagram channels share: state, bind/connect/disconnect frames, receive, read, send and write in
 * blocking and non-blocking mode, SOL_SOCKET options, close and the selector's view. The subclasses
 * add their addresses, options and family rules through the hooks below. The descriptor is always
 * non-blocking; blocking mode is a loop of the non-blocking call and a wait through a
 * {@link BlockingSide} per direction, as the stream channels do.
 *
 * <h2>Locks</h2>
 * {@code readLock} serializes receives and reads, {@code writeLock} sends and writes (bind, connect,
 * disconnect and configureBlocking hold both). {@code stateLock} guards {@code state},
 * {@code localAddress}, {@code remoteAddress}, {@code initialLocalAddress}, the waiters of
 * {@code reads} and {@code writes} (plus the subclass fields they name); {@code state},
 * {@code localAddress} and {@code remoteAddress} are volatile so the non-blocking paths read them
 * without it. Order: readLock → writeLock → stateLock. The descriptor's lifetime is {@link FdHandle}'s.
 *
 * <p>{@code close} does not wait for operations in progress: a blocking one holds its lock until
 * {@code end()}, which would deadlock with an interrupting thread running the close. It signals their
 * waiters instead; {@link FdHandle} defers the real {@code close(2)} until the last call has left.
 */
abstract class DatagramChannelBase extends DatagramChannel implements SelChannel {
    static final int ST_UNCONNECTED = 0, ST_CONNECTED = 1, ST_CLOSING = 2, ST_CLOSED = 3;

    /** What one non-blocking call on the descriptor does ({@link #once}). */
    private static final int RECEIVE = 0, READ = 1, SEND = 2, WRITE = 3;

    final SocketOps ops;
    final DatagramOps dops;
    /** SocketOps.INET, INET6 or DatagramOps.UNIX. */
    final int family;
    final FdHandle fd;
    private final int fdVal;
    /** read/readv/writev on the connected socket, for {@link BufferIO}. */
    private final ByteIo connectedIo;

    final ReentrantLock readLock = new ReentrantLock();
    final ReentrantLock writeLock = new ReentrantLock();
    final Object stateLock = new Object();
    private final BlockingSide reads;
    private final BlockingSide writes;

    volatile int state;
    volatile SocketAddress localAddress;
    volatile SocketAddress remoteAddress;
    private SocketAddress initialLocalAddress;
    /** Bytes, ending and JFR events (io.edgewise.observe; its fields follow readLock/writeLock). */
    final ChannelTrace trace;

    /** Takes ownership of {@code fdVal}, a non-blocking datagram socket of {@code family}. */
    DatagramChannelBase(SelectorProvider provider, SocketOps ops, DatagramOps dops, int family, int fdVal,
            ChannelTrace trace) {
        super(provider);
        this.ops = ops;
        this.dops = dops;
        this.family = family;
        this.fdVal = fdVal;
        WaitOps waits = Waiter.of(ops);
        this.fd = new FdHandle(ops, fdVal);
        this.connectedIo = new ConnectedIo(Platform.byteIo(), dops);
        this.reads = new BlockingSide(waits, stateLock, PollEvents.IN);
        this.writes = new BlockingSide(waits, stateLock, PollEvents.OUT);
        this.trace = trace;
    }

    /** For an inherited descriptor: reads its addresses (connected when it has a peer); closes it on failure. */
    final void adoptInherited() throws IOException {
        try {
            localAddress = queryAddress(fdVal, true);
            SocketAddress remote = null;
            try {
                remote = queryAddress(fdVal, false);
            } catch (IOException notConnected) {
                // ENOTCONN: unconnected
            }
            if (remote != null) {
                remoteAddress = remote;
                state = ST_CONNECTED;
            }
        } catch (IOException e) {
            fd.close();
            throw e;
        }
    }

    @Override
    public final ChannelTrace trace() {
        return trace;
    }

    @Override
    public final int fdVal() {
        return fdVal;
    }

    // ---- what the subclasses supply

    /** The address checked for this family ({@code connect}, {@code send}); bad input throws. */
    abstract SocketAddress checkAddress(SocketAddress sa);

    /** The descriptor's local address, or its peer's when {@code local} is false. */
    abstract SocketAddress queryAddress(int f, boolean local) throws IOException;

    /** Under stateLock: binds {@code f} to {@code local} ({@code null}: the family's automatic address). */
    abstract void bindTo(int f, SocketAddress local) throws IOException;

    /** Before connect takes its locks: the security manager's say on {@code target}. */
    void permitConnect(SocketAddress target) {
    }

    /** Under all locks, before connect asks the kernel: the family's checks (and an implicit bind). */
    abstract void beforeConnect(SocketAddress target) throws IOException;

    /** One connect(2) attempt; a {@link SocketOps} status or 1. */
    abstract int connectOnce(int f, SocketAddress target) throws IOException;

    /** Under all locks, after disconnect: {@code initial} is the local address before connect. */
    void afterDisconnect(int f, SocketAddress initial) throws IOException {
    }

    /** Before a send to {@code target} on an unconnected channel: the family's checks. */
    abstract void checkSend(SocketAddress target) throws IOException;

    /** Before a receive or send: an unbound channel that binds on demand does so. */
    void ensureBound() throws IOException {
    }

    /** Whether receive screens senders through the security manager; see {@link Security#screensReceive}. */
    abstract boolean screensReceive();

    /** The sender reported when the kernel names none. */
    abstract SocketAddress unnamedSender();

    /** The family for SOL_SOCKET-level calls through SocketOps. */
    abstract int optionFamily();

    /** Whether {@link DatagramOps} (rather than SocketOps) handles {@code name}. */
    boolean datagramOption(SocketOption<?> name) {
        return false;
    }

    /** Runs under stateLock when close begins. */
    void closing() {
    }

    // ---- state and addresses

    final void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private void ensureConnected() throws ClosedChannelException {
        if (state != ST_CONNECTED) {
            ensureOpen();
            throw new NotYetConnectedException();
        }
    }

    @Override
    public final SocketAddress getLocalAddress() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            return Security.revealed(localAddress);
        }
    }

    @Override
    public final SocketAddress getRemoteAddress() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            return remoteAddress;
        }
    }

    @Override
    public final boolean isConnected() {
        return state == ST_CONNECTED;
    }

    // ---- options

    @Override
    public final <T> DatagramChannel setOption(SocketOption<T> name, T value) throws IOException {
        Net.checkOption(supportedOptions(), name, value);
        synchronized (stateLock) {
            ensureOpen();
            T v = Net.optionValue(name, value);
            int f = fd.acquire();
            try {
                if (datagramOption(name)) {
                    dops.setOption(f, family, name, v);
                } else {
                    ops.setOption(f, optionFamily(), name, v);
                }
            } finally {
                fd.release();
            }
        }
        return this;
    }

    @Override
    public final <T> T getOption(SocketOption<T> name) throws IOException {
        Net.checkGetOption(supportedOptions(), name);
        synchronized (stateLock) {
            ensureOpen();
            int f = fd.acquire();
            try {
                if (datagramOption(name)) {
                    return dops.getOption(f, family, name);
                }
                return ops.getOption(f, optionFamily(), name);
            } finally {
                fd.release();
            }
        }
    }

    // ---- bind, connect, disconnect: under all three locks

    @Override
    public final DatagramChannel bind(SocketAddress local) throws IOException {
        underAllLocks(() -> {
            ensureOpen();
            if (localAddress != null) {
                throw new AlreadyBoundException();
            }
            bindInternal(local);
        });
        return this;
    }

    /** What bind, connect, disconnect and configureBlocking do under all three locks. */
    @FunctionalInterface
    private interface LockedAction {
        void run() throws IOException;
    }

    /** Runs {@code action} holding readLock, writeLock and stateLock (in the lock order). */
    private void underAllLocks(LockedAction action) throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                synchronized (stateLock) {
                    action.run();
                }
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    /** Under stateLock: binds and records the local address. */
    final void bindInternal(SocketAddress local) throws IOException {
        int f = fd.acquire();
        try {
            bindTo(f, local);
            localAddress = queryAddress(f, true);
        } finally {
            fd.release();
        }
    }

    @Override
    public final DatagramChannel connect(SocketAddress remote) throws IOException {
        return connect(remote, true);
    }

    /** Connect; {@code check}: an already connected channel is an error (the adaptor reconnects). */
    DatagramChannel connect(SocketAddress remote, boolean check) throws IOException {
        SocketAddress target = checkAddress(remote);
        permitConnect(target);
        underAllLocks(() -> {
            ensureOpen();
            if (check && state == ST_CONNECTED) {
                throw new AlreadyConnectedException();
            }
            beforeConnect(target);
            associate(target);
        });
        return this;
    }

    /** Under all locks: connect(2) to {@code target}, then drop what other senders left queued. */
    private void associate(SocketAddress target) throws IOException {
        initialLocalAddress = localAddress;
        int f = fd.acquire();
        try {
            int n;
            do {
                n = connectOnce(f, target);
            } while (n == SocketOps.INTERRUPTED);
            if (n != 1) {
                throw new SocketException("connect did not complete");
            }
            dops.connected(f);
            remoteAddress = target;
            state = ST_CONNECTED;
            localAddress = queryAddress(f, true);
            // flush datagrams that arrived from other senders before the association
            TempBuffers t = TempBuffers.get();
            int slot = t.take(1);
            try {
                for (int i = 0; i < 10_000; i++) {
                    if (dops.receive(f, t.address(slot), 1, false) < 0) break;
                }
            } finally {
                t.give(slot);
            }
        } finally {
            fd.release();
        }
    }

    @Override
    public final DatagramChannel disconnect() throws IOException {
        underAllLocks(() -> {
            if (isOpen() && state == ST_CONNECTED) {
                dissociate();
            }
        });
        return this;
    }

    private void dissociate() throws IOException {
        int f = fd.acquire();
        try {
            dops.disconnect(f);
            remoteAddress = null;
            state = ST_UNCONNECTED;
            localAddress = queryAddress(f, true);
            SocketAddress initial = initialLocalAddress;
            initialLocalAddress = null;
            afterDisconnect(f, initial);
        } finally {
            fd.release();
        }
    }

    // ---- the frame of every receive, read, send and write

    /**
     * One non-blocking call of kind {@code what} on the acquired descriptor: a count, 0, or a
     * {@link SocketOps} status. The buffers are {@code one}, or when null {@code many[offset, offset + length)}.
     */
    private long once(int what, int f, ByteBuffer one, ByteBuffer[] many, int offset, int length,
            SocketAddress target, boolean connected) throws IOException {
        switch (what) {
            case RECEIVE:
                return BufferIO.receiveDatagram(dops, f, one, connected);
            case READ:
                return BufferIO.read(connectedIo, f, one, many, offset, length);
            case SEND:
                return sendOnce(f, one, target);
            default: // WRITE
                if (one != null) {
                    return one.hasRemaining() ? BufferIO.sendDatagram(dops, f, family, one, null) : 0;
                }
                return BufferIO.writeDatagram(connectedIo, f, many, offset, length);
        }
    }

    /** A send to {@code target} (null: to the connected peer). */
    private int sendOnce(int f, ByteBuffer src, SocketAddress target) throws IOException {
        int pos = src.position();
        try {
            return BufferIO.sendDatagram(dops, f, family, src, target);
        } catch (PortUnreachableException e) {
            if (state == ST_CONNECTED) throw e;
            // an ICMP error left by an earlier datagram: this one was not refused
            int rem = Math.max(0, src.limit() - pos);
            if (rem > 0) src.position(pos + rem);
            return rem;
        }
    }

    /**
     * The call of kind {@code what} under its direction's lock, with {@code begin()}/{@code end()} in
     * blocking mode; in blocking mode it is repeated after a wait while it would block and the channel
     * is open. {@code timeoutMillis} (> 0) bounds the waits of a receive (the adaptor's SO_TIMEOUT).
     */
    private long blockingCall(int what, boolean blocking, int timeoutMillis, ByteBuffer one, ByteBuffer[] many,
            int offset, int length, SocketAddress target, boolean connected) throws IOException {
        boolean in = what <= READ;
        BlockingSide side = in ? reads : writes;
        int f = fd.acquire();
        Object ev = blocking ? trace.beginBlocking(in) : null;
        long n = SocketOps.UNAVAILABLE;
        try {
            n = once(what, f, one, many, offset, length, target, connected);
            if (blocking) {
                long deadline = BlockingSide.deadline(timeoutMillis);
                while (BlockingSide.retry(n) && isOpen()) {
                    side.await(f, deadline, "Receive timed out");
                    // closed meanwhile: no further call on a socket the close may have shut down
                    // (what a call answers there differs between kernels and socket kinds)
                    if (!isOpen()) break;
                    n = once(what, f, one, many, offset, length, target, connected);
                }
            }
            return n;
        } finally {
            trace.io(in, n);
            if (blocking) trace.endBlocking(in, ev, n, n < 0 && timeoutMillis > 0, remoteAddress);
            fd.release();
        }
    }

    /** Under the direction's lock, in blocking mode: {@code begin()} and a waiter that close can signal. */
    private void beginBlocking(BlockingSide side, boolean blocking) throws IOException {
        if (blocking) {
            begin();
            synchronized (stateLock) {
                ensureOpen();
                side.arm(true);
            }
        }
    }

    private void endBlocking(BlockingSide side, boolean blocking, boolean completed) throws AsynchronousCloseException {
        if (blocking) {
            side.disarm();
            end(completed);
        }
    }

    /** The frame of read and write: a connected channel, the call under the direction's lock. */
    private long connectedIo(int what, ByteBuffer one, ByteBuffer[] many, int offset, int length) throws IOException {
        boolean in = what == READ;
        ReentrantLock lock = in ? readLock : writeLock;
        BlockingSide side = in ? reads : writes;
        lock.lock();
        try {
            boolean blocking = isBlocking();
            if (!isOpen()) throw JdkBehaviour.closedBeforeCall(blocking);
            ensureConnected();
            long n = 0;
            try {
                beginBlocking(side, blocking);
                ensureConnected();
                n = blockingCall(what, blocking, -1, one, many, offset, length, null, false);
            } finally {
                endBlocking(side, blocking, n >= 0);
            }
            return BlockingSide.normalize(n);
        } finally {
            lock.unlock();
        }
    }

    // ---- receive and read

    @Override
    public final SocketAddress receive(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        return receive(dst, -1);
    }

    /** Receive; {@code timeoutMillis} (> 0) bounds a blocking receive (adaptor's SO_TIMEOUT). */
    final SocketAddress receive(ByteBuffer dst, int timeoutMillis) throws IOException {
        if (Security.screensReceive(screensReceive())) {
            return Security.receiveAccepted(dst, b -> receiveAny(b, timeoutMillis));
        }
        return receiveAny(dst, timeoutMillis);
    }

    private SocketAddress receiveAny(ByteBuffer dst, int timeoutMillis) throws IOException {
        readLock.lock();
        try {
            boolean blocking = isBlocking();
            if (!isOpen()) throw JdkBehaviour.closedBeforeCall(blocking);
            ensureBound();
            SocketAddress sender = null;
            try {
                beginBlocking(reads, blocking);
                long n = blockingCall(RECEIVE, blocking, timeoutMillis, dst, null, 0, 0, null, state == ST_CONNECTED);
                if (n >= 0) {
                    sender = dops.sender(family);
                    if (sender == null) sender = unnamedSender();
                }
            } finally {
                endBlocking(reads, blocking, sender != null);
            }
            return sender;
        } finally {
            readLock.unlock();
        }
    }

    @Override
    public final int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        BufferIO.checkWritable(dst);
        return (int) connectedIo(READ, dst, null, 0, 0);
    }

    @Override
    public final long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        for (int i = offset; i < offset + length; i++) {
            BufferIO.checkWritable(dsts[i]);
        }
        return connectedIo(READ, null, dsts, offset, length);
    }

    // ---- send and write

    @Override
    public final int send(ByteBuffer src, SocketAddress target) throws IOException {
        Objects.requireNonNull(src);
        SocketAddress checked = checkAddress(target);
        writeLock.lock();
        try {
            boolean blocking = isBlocking();
            if (!isOpen()) throw JdkBehaviour.closedBeforeCall(blocking);
            ensureBound();
            long n = 0;
            boolean completed = false;
            try {
                beginBlocking(writes, blocking);
                SocketAddress remote = remoteAddress;
                if (remote != null) {
                    if (!target.equals(remote)) {
                        throw new AlreadyConnectedException();
                    }
                    checked = null; // written to the connected peer
                } else {
                    checkSend(checked);
                }
                n = blockingCall(SEND, blocking, -1, src, null, 0, 0, checked, false);
                completed = n >= 0;
            } finally {
                endBlocking(writes, blocking, completed);
            }
            return (int) BlockingSide.normalize(n);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public final int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        return (int) connectedIo(WRITE, src, null, 0, 0);
    }

    @Override
    public final long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        return connectedIo(WRITE, null, srcs, offset, length);
    }

    // ---- blocking mode, close

    @Override
    protected final void implConfigureBlocking(boolean block) throws IOException {
        // the descriptor stays non-blocking: blocking mode is emulated with waits
        underAllLocks(this::ensureOpen);
    }

    @Override
    protected final void implCloseSelectableChannel() throws IOException {
        synchronized (stateLock) {
            trace.closed(localAddress, remoteAddress, isRegistered());
            state = ST_CLOSING;
            closing();
            reads.signalClose(fd);
            writes.signalClose(fd);
        }
        synchronized (stateLock) {
            if (!isRegistered()) {
                release();
            }
        }
    }

    @Override
    public final void kill() {
        synchronized (stateLock) {
            release();
        }
    }

    /** Under stateLock: the real close of a closing channel, once. */
    private void release() {
        if (state == ST_CLOSING) {
            state = ST_CLOSED;
            fd.close();
            trace.released();
        }
    }

    // ---- selector support

    @Override
    public final int translateInterestOps(int ops) {
        int ev = 0;
        if ((ops & SelectionKey.OP_READ) != 0) ev |= Poller.IN;
        if ((ops & SelectionKey.OP_WRITE) != 0) ev |= Poller.OUT;
        return ev;
    }

    @Override
    public final int translateReadyOps(int events, int interest) {
        if ((events & (Poller.ERR | Poller.HUP)) != 0) {
            return interest;
        }
        int ready = 0;
        if ((events & Poller.IN) != 0 && (interest & SelectionKey.OP_READ) != 0) ready |= SelectionKey.OP_READ;
        if ((events & Poller.OUT) != 0 && (interest & SelectionKey.OP_WRITE) != 0) ready |= SelectionKey.OP_WRITE;
        return ready;
    }

    @Override
    public final String toString() {
        StringBuilder sb = new StringBuilder(DatagramChannel.class.getName()).append('[');
        if (!isOpen()) {
            sb.append("closed");
        } else {
            synchronized (stateLock) {
                sb.append(state == ST_CONNECTED ? "connected" : "unconnected");
                if (localAddress != null) sb.append(" local=").append(localAddress);
                if (remoteAddress != null) sb.append(" remote=").append(remoteAddress);
            }
        }
        return sb.append(']').toString();
    }

    /** The data calls of a connected datagram socket, as a {@link ByteIo} for {@link BufferIO}. */
    private static final class ConnectedIo implements ByteIo {
        /** For the iovec layout. */
        private final ByteIo ops;
        private final DatagramOps dops;

        ConnectedIo(ByteIo ops, DatagramOps dops) {
            this.ops = ops;
            this.dops = dops;
        }

        @Override public int read(int fd, long address, int length) throws IOException {
            return dops.read(fd, address, length);
        }

        @Override public int write(int fd, long address, int length) throws IOException {
            return dops.write(fd, address, length);
        }

        @Override public long readv(int fd, long iov, int count) throws IOException {
            return dops.readv(fd, iov, count);
        }

        @Override public long writev(int fd, long iov, int count) throws IOException {
            return dops.writev(fd, iov, count);
        }

        @Override public int iovecSize() {
            return ops.iovecSize();
        }

        @Override public int iovMax() {
            return ops.iovMax();
        }

        @Override public void putIovec(ByteBuffer iov, int index, long base, long length) {
            ops.putIovec(iov, index, base, length);
        }
    }
}
