package io.edgewise.channels;

import io.edgewise.backend.Poller;
import io.edgewise.sys.DatagramOps;
import io.edgewise.sys.Platform;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.UnixOps;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.SelectorProvider;
import java.util.Collections;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link DatagramChannel} for UDP over IPv4/IPv6 (an INET6 channel is dual-stack: IPv4 peers
 * appear as {@link Inet4Address}es) and, as an Edgewise extension, for Unix domain datagram sockets
 * ({@link DatagramOps#UNIX}). The descriptor is always non-blocking; blocking mode is a loop of the
 * non-blocking call and a wait on the descriptor plus a {@link Waiter} that {@code close} and
 * interrupts signal, as in {@link SocketChannelImpl}.
 *
 * <p>Unix datagram channels: {@code bind(null)} binds to an automatically chosen path in the
 * temporary directory (as the JDK's Unix server channel does); a channel that never binds sends as
 * the unnamed address and receives only what is sent to it while connected; multicast and
 * {@link #socket()} are not available.
 *
 * <h2>Locks</h2>
 * {@code readLock} serializes receives and reads, {@code writeLock} sends and writes (bind, connect,
 * disconnect and configureBlocking hold both); each is the lock of a {@code Direction} ({@code reads},
 * {@code writes}). {@code stateLock} guards {@code state}, {@code localAddress},
 * {@code remoteAddress}, {@code initialLocalAddress}, each {@code Direction}'s {@code waiter},
 * {@code memberships}' state (and every {@link MembershipKeyImpl}'s blocked set) and {@code socket};
 * {@code state}, {@code localAddress} and {@code remoteAddress} are volatile so the non-blocking paths
 * read them without it. Order: readLock → writeLock → stateLock. The descriptor's lifetime is
 * {@link FdHandle}'s.
 *
 * <p>{@code close} does not wait for operations in progress: a blocking one holds its lock until
 * {@code end()}, which would deadlock with an interrupting thread running the close. It signals their
 * waiters instead; {@link FdHandle} defers the real {@code close(2)} until the last call has left.
 */
public final class DatagramChannelImpl extends DatagramChannel implements SelChannel {
    private static final int ST_UNCONNECTED = 0, ST_CONNECTED = 1, ST_CLOSING = 2, ST_CLOSED = 3;

    private final SocketOps ops;
    private final DatagramOps dops;
    private final int family;
    private final FdHandle fd;
    private final int fdVal;

    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    final Object stateLock = new Object();
    private final Direction reads = new Direction(readLock, SocketOps.POLL_IN);
    private final Direction writes = new Direction(writeLock, SocketOps.POLL_OUT);

    private volatile int state;
    private volatile SocketAddress localAddress;
    private volatile SocketAddress remoteAddress;
    private SocketAddress initialLocalAddress;
    /** Bytes, ending and JFR events (io.edgewise.observe; its fields follow readLock/writeLock). */
    private final io.edgewise.observe.ChannelTrace trace;
    /** Multicast memberships (null for Unix datagram channels). */
    private final Memberships memberships;
    private DatagramSocketAdaptor socket;

    /** A new channel of {@code family} (SocketOps.INET, INET6 or DatagramOps.UNIX). */
    public DatagramChannelImpl(SelectorProvider provider, int family) throws IOException {
        super(provider);
        this.ops = Platform.ops();
        this.dops = Platform.datagramOps();
        this.family = family;
        this.fdVal = dops.socket(family);
        this.fd = new FdHandle(ops, fdVal);
        this.trace = traceFor(family);
        this.memberships = family == DatagramOps.UNIX ? null : new Memberships(this, stateLock, dops, fd, family);
    }

    private static io.edgewise.observe.ChannelTrace traceFor(int family) {
        return io.edgewise.observe.ChannelTrace.open(family == DatagramOps.UNIX
                ? io.edgewise.observe.ChannelKind.UNIX_DATAGRAM : io.edgewise.observe.ChannelKind.UDP);
    }

    @Override
    public io.edgewise.observe.ChannelTrace trace() {
        return trace;
    }

    /** A channel for an existing (inherited) datagram descriptor, bound and perhaps connected. */
    DatagramChannelImpl(SelectorProvider provider, SocketOps ops, int family, int fdVal) throws IOException {
        super(provider);
        this.ops = ops;
        this.dops = Platform.datagramOps();
        this.family = family;
        this.fdVal = fdVal;
        this.fd = new FdHandle(ops, fdVal);
        this.trace = traceFor(family);
        this.memberships = family == DatagramOps.UNIX ? null : new Memberships(this, stateLock, dops, fd, family);
        try {
            this.localAddress = localAddressOf(fdVal);
            SocketAddress remote = null;
            try {
                remote = family == DatagramOps.UNIX ? Platform.unixOps().remoteAddress(fdVal) : ops.remoteAddress(fdVal);
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

    int family() {
        return family;
    }

    private boolean isUnix() {
        return family == DatagramOps.UNIX;
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private SocketAddress localAddressOf(int f) throws IOException {
        if (isUnix()) {
            return Platform.unixOps().localAddress(f);
        }
        return ops.localAddress(f);
    }

    private SocketAddress checkAddress(SocketAddress sa) {
        return isUnix() ? UnixNet.checkAddress(sa) : Net.checkAddress(sa, family);
    }

    // ---- addresses and options

    @Override
    public DatagramSocket socket() {
        if (isUnix()) {
            throw new UnsupportedOperationException("Not supported for Unix domain datagram channels");
        }
        synchronized (stateLock) {
            if (socket == null) {
                socket = DatagramSocketAdaptor.create(this);
            }
            return socket;
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

    SocketAddress localAddressUnchecked() {
        return localAddress;
    }

    SocketAddress remoteAddressUnchecked() {
        return remoteAddress;
    }

    private static final class Options {
        static final Set<SocketOption<?>> INET = build(false);
        static final Set<SocketOption<?>> UNIX = build(true);

        private static Set<SocketOption<?>> build(boolean unix) {
            Set<SocketOption<?>> s = new HashSet<>();
            s.add(StandardSocketOptions.SO_SNDBUF);
            s.add(StandardSocketOptions.SO_RCVBUF);
            if (!unix) {
                s.add(StandardSocketOptions.SO_REUSEADDR);
                s.add(StandardSocketOptions.SO_REUSEPORT);
                s.add(StandardSocketOptions.SO_BROADCAST);
                s.add(StandardSocketOptions.IP_TOS);
                s.add(StandardSocketOptions.IP_MULTICAST_IF);
                s.add(StandardSocketOptions.IP_MULTICAST_TTL);
                s.add(StandardSocketOptions.IP_MULTICAST_LOOP);
                s.addAll(Platform.datagramOps().extendedOptions());
            }
            return Collections.unmodifiableSet(s);
        }
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return isUnix() ? Options.UNIX : Options.INET;
    }

    /** The family for SOL_SOCKET-level calls through SocketOps (Unix sockets have only those). */
    private int optionFamily() {
        return isUnix() ? SocketOps.INET : family;
    }

    @Override
    public <T> DatagramChannel setOption(SocketOption<T> name, T value) throws IOException {
        Net.checkOption(supportedOptions(), name, value);
        synchronized (stateLock) {
            ensureOpen();
            T v = Net.optionValue(name, value);
            int f = fd.acquire();
            try {
                if (dops.handlesOption(name)) {
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
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Net.checkGetOption(supportedOptions(), name);
        synchronized (stateLock) {
            ensureOpen();
            int f = fd.acquire();
            try {
                if (dops.handlesOption(name)) {
                    return dops.getOption(f, family, name);
                }
                return ops.getOption(f, optionFamily(), name);
            } finally {
                fd.release();
            }
        }
    }

    // ---- bind, connect

    @Override
    public DatagramChannel bind(SocketAddress local) throws IOException {
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

    /** Binds under stateLock; {@code null}: the wildcard address and an ephemeral port (or a temp path). */
    private void bindInternal(SocketAddress local) throws IOException {
        int f = fd.acquire();
        try {
            if (isUnix()) {
                UnixOps u = Platform.unixOps();
                if (local == null) {
                    UnixNet.bindTemp(sa -> u.bind(f, sa));
                } else if (!UnixNet.isUnnamed(UnixNet.checkAddress(local))) {
                    u.bind(f, local);
                }
                localAddress = u.localAddress(f);
            } else {
                InetSocketAddress isa = Security.checkListen(local == null ? Net.anyLocal(family) : Net.checkAddress(local, family));
                ops.bind(f, family, isa);
                localAddress = ops.localAddress(f);
            }
        } finally {
            fd.release();
        }
    }

    /** Before a receive or send: an unbound IP channel binds to an ephemeral port, as the JDK's does. */
    private void ensureBound() throws IOException {
        if (localAddress == null && !isUnix()) {
            synchronized (stateLock) {
                ensureOpen();
                if (localAddress == null) {
                    bindInternal(null);
                }
            }
        }
    }

    @Override
    public boolean isConnected() {
        return state == ST_CONNECTED;
    }

    @Override
    public DatagramChannel connect(SocketAddress remote) throws IOException {
        return connect(remote, true);
    }

    DatagramChannel connect(SocketAddress remote, boolean check) throws IOException {
        SocketAddress target = checkAddress(remote);
        if (!isUnix()) Security.checkDatagramConnect((InetSocketAddress) target);
        underAllLocks(() -> {
            ensureOpen();
            if (check && state == ST_CONNECTED) {
                throw new AlreadyConnectedException();
            }
            if (!isUnix() && ((InetSocketAddress) target).getPort() == 0) {
                throw new SocketException("Can't connect to port 0");
            }
            if (localAddress == null && !isUnix()) {
                bindInternal(null);
            }
            initialLocalAddress = localAddress;
            int f = fd.acquire();
            try {
                int n;
                do {
                    n = isUnix() ? Platform.unixOps().connect(f, target) : ops.connect(f, family, (InetSocketAddress) target);
                } while (n == SocketOps.INTERRUPTED);
                if (n != 1) {
                    throw new SocketException("connect did not complete");
                }
                remoteAddress = target;
                state = ST_CONNECTED;
                localAddress = localAddressOf(f);
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
        });
        return this;
    }

    @Override
    public DatagramChannel disconnect() throws IOException {
        underAllLocks(() -> {
            if (!isOpen() || state != ST_CONNECTED) {
                return;
            }
            int f = fd.acquire();
            try {
                dops.disconnect(f);
                remoteAddress = null;
                state = ST_UNCONNECTED;
                localAddress = localAddressOf(f);
                SocketAddress initial = initialLocalAddress;
                initialLocalAddress = null;
                if (!isUnix() && initial != null && !initial.equals(localAddress)
                        && ((InetSocketAddress) localAddress).getPort() == 0) {
                    // Linux drops an implicitly chosen port on disconnect: take it back
                    ops.bind(f, family, (InetSocketAddress) initial);
                    localAddress = ops.localAddress(f);
                }
            } finally {
                fd.release();
            }
        });
        return this;
    }

    // ---- the frame of every receive, read, send and write

    /**
     * One non-blocking call on the acquired descriptor, its buffers in {@code d}: a count, 0, or a
     * {@link SocketOps} status.
     */
    @FunctionalInterface
    private interface FdCall {
        long call(int f, Direction d) throws IOException;
    }

    // Created once per channel: a lambda that captures the channel or its arguments would be a new
    // object on every receive, read, send and write.
    private final FdCall receiveCall = (f, d) -> receiveInto(f, d.one, d.connected);
    private final FdCall readCall = (f, d) -> readInto(f, d.one);
    private final FdCall readvCall = (f, d) -> readInto(f, d.many, d.offset, d.length);
    private final FdCall sendCall = (f, d) -> sendFrom(f, d.one, d.target);
    private final FdCall writeCall = (f, d) -> writeFrom(f, d.one);
    private final FdCall writeIfAnyCall = (f, d) -> d.one.hasRemaining() ? writeFrom(f, d.one) : 0;
    private final FdCall writevCall = (f, d) -> writeFrom(f, d.many, d.offset, d.length);
    private final IovecCall readv = (f, iov, count) -> dops().readv(f, iov, count);
    private final IovecCall writev = (f, iov, count) -> dops().writev(f, iov, count);

    // for the call objects above, which field initializers build before the constructor sets it
    private DatagramOps dops() {
        return dops;
    }

    /**
     * One direction of I/O: its lock ({@code readLock} for receive and read, {@code writeLock} for
     * send and write), the poll event a blocked call waits for, the waiter of the thread blocked in
     * it (set and cleared under stateLock by that thread, which alone awaits on it), and the
     * arguments of the call in progress (set and cleared under {@code lock}).
     */
    private final class Direction {
        final ReentrantLock lock;
        private final int event;
        private Waiter waiter;
        ByteBuffer one;
        ByteBuffer[] many;
        int offset, length;
        SocketAddress target;
        boolean connected;

        /** Under lock: the buffers of the call about to be made. */
        void args(ByteBuffer one, ByteBuffer[] many, int offset, int length) {
            this.one = one;
            this.many = many;
            this.offset = offset;
            this.length = length;
        }

        /** Under lock, when the call is over: no reference to the caller's buffers is kept. */
        void clearArgs() {
            one = null;
            many = null;
            target = null;
        }

        Direction(ReentrantLock lock, int event) {
            this.lock = lock;
            this.event = event;
        }

        /** Under lock, in blocking mode: {@code begin()} and a waiter that close can signal. */
        void begin(boolean blocking) throws IOException {
            if (blocking) {
                DatagramChannelImpl.this.begin();
                synchronized (stateLock) {
                    ensureOpen();
                    waiter = Waiter.acquire(ops, true);
                }
            }
        }

        void end(boolean blocking, boolean completed) throws AsynchronousCloseException {
            if (blocking) {
                synchronized (stateLock) {
                    if (waiter != null) {
                        waiter.release();
                        waiter = null;
                    }
                }
                DatagramChannelImpl.this.end(completed);
            }
        }

        /** Under stateLock: wakes the thread blocked in this direction, if any. */
        void signal() {
            if (waiter != null) waiter.signalClose(fd);
        }

        /**
         * Makes {@code call}; in blocking mode repeats it after a wait while it would block and the
         * channel is open. {@code timeoutMillis} (> 0) bounds the waits of a receive (the adaptor's
         * SO_TIMEOUT); -1: no bound.
         */
        long callBlocking(int f, boolean blocking, int timeoutMillis, FdCall call) throws IOException {
            boolean in = event == SocketOps.POLL_IN;
            Object ev = blocking ? trace.beginBlocking(in) : null;
            long n = SocketOps.UNAVAILABLE;
            try {
                return n = callOrWait(f, blocking, timeoutMillis, call);
            } finally {
                trace.io(in, n);
                if (blocking) trace.endBlocking(in, ev, n, n < 0 && timeoutMillis > 0, remoteAddress);
            }
        }

        private long callOrWait(int f, boolean blocking, int timeoutMillis, FdCall call) throws IOException {
            long n = call.call(f, this);
            if (blocking) {
                long deadline = StreamSocketChannel.deadline(timeoutMillis);
                while (StreamSocketChannel.retry(n) && isOpen()) {
                    int wait = StreamSocketChannel.remainingMillis(deadline);
                    if (wait == 0) throw new SocketTimeoutException("Receive timed out");
                    waiter.await(f, event, wait);
                    if (!isOpen()) break;
                    n = call.call(f, this);
                }
            }
            return n;
        }
    }

    private void ensureConnected() throws ClosedChannelException {
        if (state != ST_CONNECTED) {
            ensureOpen();
            throw new NotYetConnectedException();
        }
    }

    /** The frame of read and write: a connected channel, {@code call} under the direction's lock. */
    private long connectedIo(Direction d, FdCall call, ByteBuffer one, ByteBuffer[] many, int offset, int length)
            throws IOException {
        d.lock.lock();
        try {
            d.args(one, many, offset, length);
            boolean blocking = isBlocking();
            if (!isOpen()) throw JdkBehaviour.closedBeforeCall(blocking);
            ensureConnected();
            long n = 0;
            try {
                d.begin(blocking);
                ensureConnected();
                int f = fd.acquire();
                try {
                    n = d.callBlocking(f, blocking, -1, call);
                } finally {
                    fd.release();
                }
            } finally {
                d.end(blocking, n >= 0);
            }
            return StreamSocketChannel.normalize(n);
        } finally {
            d.clearArgs();
            d.lock.unlock();
        }
    }

    /** The bytes remaining in {@code bufs[offset, offset + length)}. */
    private static long remaining(ByteBuffer[] bufs, int offset, int length) {
        long total = 0;
        for (int i = offset; i < offset + length; i++) {
            total += bufs[i].remaining();
        }
        return total;
    }

    /**
     * Whether {@code bufs[offset, offset + length)} (at most IOV_MAX non-empty ones: {@link BufferIO#iovLength})
     * can go to readv/writev as they are.
     */
    private boolean iovecCapable(ByteBuffer[] bufs, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (!bufs[i].isDirect()) return false;
        }
        return true;
    }

    /** A readv or writev on {@code f} of {@code count} iovecs at {@code iov}. */
    @FunctionalInterface
    private interface IovecCall {
        long call(int f, long iov, int count) throws IOException;
    }

    /**
     * A readv/writev through {@code call} of the non-empty (direct) buffers among
     * {@code bufs[offset, offset + length)}, put in the thread's iovec array; advances the buffers.
     */
    private long throughIovecs(int f, ByteBuffer[] bufs, int offset, int length, IovecCall call) throws IOException {
        TempBuffers t = TempBuffers.get();
        ByteBuffer iov = t.iov(ops.iovecSize(), ops.iovMax());
        int cnt = 0;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer b = bufs[i];
            if (b.hasRemaining()) ops.putIovec(iov, cnt++, DirectAddress.of(b) + b.position(), b.remaining());
        }
        long n = call.call(f, t.iovAddress(), cnt);
        if (n > 0) advance(bufs, offset, length, n);
        return n;
    }

    private static void advance(ByteBuffer[] bufs, int offset, int length, long n) {
        for (int i = offset; i < offset + length && n > 0; i++) {
            ByteBuffer b = bufs[i];
            int k = (int) Math.min(b.remaining(), n);
            b.position(b.position() + k);
            n -= k;
        }
    }

    // ---- receive and read

    @Override
    public SocketAddress receive(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        return receive(dst, -1);
    }

    /** Receive; {@code timeoutMillis} (> 0) bounds a blocking receive (adaptor's SO_TIMEOUT). */
    SocketAddress receive(ByteBuffer dst, int timeoutMillis) throws IOException {
        if (Security.screensReceive(isUnix() || state == ST_CONNECTED)) {
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
                reads.begin(blocking);
                reads.args(dst, null, 0, 0);
                reads.connected = state == ST_CONNECTED;
                int f = fd.acquire();
                try {
                    long n = reads.callBlocking(f, blocking, timeoutMillis, receiveCall);
                    if (n >= 0) {
                        sender = dops.sender(family);
                        if (sender == null) sender = isUnix() ? UnixNet.UNNAMED : remoteAddress;
                    }
                } finally {
                    fd.release();
                }
            } finally {
                reads.clearArgs();
                reads.end(blocking, sender != null);
            }
            return sender;
        } finally {
            readLock.unlock();
        }
    }

    private int receiveInto(int f, ByteBuffer dst, boolean connected) throws IOException {
        int pos = dst.position();
        int lim = dst.limit();
        int rem = pos <= lim ? lim - pos : 0;
        if (dst.isDirect() && rem > 0) {
            int n = dops.receive(f, DirectAddress.of(dst) + pos, rem, connected);
            if (n > 0) dst.position(pos + n);
            return n;
        }
        // heap or full buffer: receive into a temporary buffer of at least one byte (a zero-length
        // receive would not consume the datagram); the part that does not fit is discarded
        TempBuffers t = TempBuffers.get();
        int slot = t.take(Math.max(rem, 1));
        try {
            ByteBuffer tmp = t.buffer(slot);
            int n = dops.receive(f, t.address(slot), Math.max(1, Math.min(rem, tmp.capacity())), connected);
            if (n > 0 && rem > 0) {
                int k = Math.min(n, rem);
                dst.put(pos, tmp, 0, k);
                dst.position(pos + k);
                n = k;
            }
            return n;
        } finally {
            t.give(slot);
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        BufferIO.checkWritable(dst);
        return (int) connectedIo(reads, readCall, dst, null, 0, 0);
    }

    private int readInto(int f, ByteBuffer dst) throws IOException {
        int pos = dst.position();
        int lim = dst.limit();
        int rem = pos <= lim ? lim - pos : 0;
        if (rem == 0) {
            return 0;
        }
        if (dst.isDirect()) {
            int n = dops.read(f, DirectAddress.of(dst) + pos, rem);
            if (n > 0) dst.position(pos + n);
            return n;
        }
        TempBuffers t = TempBuffers.get();
        int slot = t.take(rem);
        try {
            ByteBuffer tmp = t.buffer(slot);
            int n = dops.read(f, t.address(slot), Math.min(rem, tmp.capacity()));
            if (n > 0) {
                dst.put(pos, tmp, 0, n);
                dst.position(pos + n);
            }
            return n;
        } finally {
            t.give(slot);
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        for (int i = offset; i < offset + length; i++) {
            BufferIO.checkWritable(dsts[i]);
        }
        return connectedIo(reads, readvCall, null, dsts, offset, length);
    }

    private long readInto(int f, ByteBuffer[] dsts, int offset, int length) throws IOException {
        length = BufferIO.iovLength(dsts, offset, length, ops.iovMax());
        long total = remaining(dsts, offset, length);
        if (total == 0) {
            return 0;
        }
        if (iovecCapable(dsts, offset, length)) {
            return throughIovecs(f, dsts, offset, length, readv);
        }
        DirectAddress.checkUsable(dsts, offset, length);
        TempBuffers t = TempBuffers.get();
        int slot = t.take((int) Math.min(total, Integer.MAX_VALUE));
        try {
            ByteBuffer tmp = t.buffer(slot);
            int n = dops.read(f, t.address(slot), (int) Math.min(total, tmp.capacity()));
            if (n > 0) {
                int from = 0;
                for (int i = offset; i < offset + length && from < n; i++) {
                    ByteBuffer b = dsts[i];
                    int k = Math.min(b.remaining(), n - from);
                    b.put(b.position(), tmp, from, k);
                    b.position(b.position() + k);
                    from += k;
                }
            }
            return n;
        } finally {
            t.give(slot);
        }
    }


    // ---- send and write

    @Override
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
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
                writes.begin(blocking);
                SocketAddress remote = remoteAddress;
                int f = fd.acquire();
                try {
                    FdCall call;
                    if (remote != null) {
                        if (!target.equals(remote)) {
                            throw new AlreadyConnectedException();
                        }
                        call = writeCall;
                    } else {
                        if (!isUnix() && Security.checkSend((InetSocketAddress) checked).getPort() == 0) {
                            throw new SocketException("Can't send to port 0");
                        }
                        call = sendCall;
                    }
                    writes.args(src, null, 0, 0);
                    writes.target = checked;
                    n = writes.callBlocking(f, blocking, -1, call);
                    completed = n >= 0;
                } finally {
                    fd.release();
                }
            } finally {
                writes.clearArgs();
                writes.end(blocking, completed);
            }
            return (int) StreamSocketChannel.normalize(n);
        } finally {
            writeLock.unlock();
        }
    }

    /** One send to {@code target}, or a write when it is null, of {@code length} bytes at {@code address}. */
    private int datagram(int f, long address, int length, SocketAddress target) throws IOException {
        return target == null ? dops.write(f, address, length) : dops.send(f, family(), address, length, target);
    }

    /**
     * Sends {@code src}'s remaining bytes as one datagram to {@code target} (null: written to the
     * connected peer): a direct buffer by address, a heap buffer through a temporary copy (a
     * {@code SocketException} when the datagram is larger than a temporary buffer). Moves the position
     * by the count sent. A plain branch rather than a call object: the fewer call levels between a
     * send and its downcall, the more the JIT inlines, which decides whether a send allocates on JDK 24+.
     */
    private int datagramFrom(int f, ByteBuffer src, SocketAddress target) throws IOException {
        int pos = src.position();
        int lim = src.limit();
        int rem = pos <= lim ? lim - pos : 0;
        int n;
        if (src.isDirect()) {
            n = datagram(f, DirectAddress.of(src) + pos, rem, target);
        } else {
            TempBuffers t = TempBuffers.get();
            int slot = t.take(rem);
            try {
                ByteBuffer tmp = t.buffer(slot);
                if (tmp.capacity() < rem) {
                    throw new SocketException("Message too long");
                }
                tmp.put(0, src, pos, rem);
                n = datagram(f, t.address(slot), rem, target);
            } finally {
                t.give(slot);
            }
        }
        if (n > 0) src.position(pos + n);
        return n;
    }

    private int sendFrom(int f, ByteBuffer src, SocketAddress target) throws IOException {
        int pos = src.position();
        try {
            return datagramFrom(f, src, target);
        } catch (PortUnreachableException e) {
            if (state == ST_CONNECTED) throw e;
            // an ICMP error left by an earlier datagram: this one was not refused
            int rem = Math.max(0, src.limit() - pos);
            if (rem > 0) src.position(pos + rem);
            return rem;
        }
    }

    private int writeFrom(int f, ByteBuffer src) throws IOException {
        return datagramFrom(f, src, null);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        return (int) connectedIo(writes, writeIfAnyCall, src, null, 0, 0);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        return connectedIo(writes, writevCall, null, srcs, offset, length);
    }

    private long writeFrom(int f, ByteBuffer[] srcs, int offset, int length) throws IOException {
        length = BufferIO.iovLength(srcs, offset, length, ops.iovMax());
        long total = remaining(srcs, offset, length);
        if (total == 0) {
            return 0;
        }
        if (iovecCapable(srcs, offset, length)) {
            return throughIovecs(f, srcs, offset, length, writev);
        }
        if (total > TempBuffers.MAX_SIZE) {
            throw new SocketException("Message too long");
        }
        TempBuffers t = TempBuffers.get();
        int slot = t.take((int) total);
        try {
            ByteBuffer tmp = t.buffer(slot);
            int len = 0;
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer b = srcs[i];
                int k = b.remaining();
                tmp.put(len, b, b.position(), k);
                len += k;
            }
            int n = dops.write(f, t.address(slot), len);
            if (n > 0) advance(srcs, offset, length, n);
            return n;
        } finally {
            t.give(slot);
        }
    }

    // ---- multicast

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf) throws IOException {
        return memberships().join(group, interf, null);
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source) throws IOException {
        Objects.requireNonNull(source);
        return memberships().join(group, interf, source);
    }

    private Memberships memberships() {
        if (isUnix()) {
            throw new UnsupportedOperationException("Multicast is not supported on Unix domain sockets");
        }
        return memberships;
    }

    /** The socket adaptor's joinGroup/leaveGroup: see {@link Memberships#findAnySource}. */
    MembershipKey findMembership(InetAddress group, NetworkInterface interf) {
        return memberships.findAnySource(group, interf);
    }

    // ---- blocking mode, close

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        // the descriptor stays non-blocking: blocking mode is emulated with waits
        underAllLocks(this::ensureOpen);
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        synchronized (stateLock) {
            trace.closed(localAddress, remoteAddress, isRegistered());
            state = ST_CLOSING;
            if (memberships != null) {
                memberships.invalidateAll();
            }
            reads.signal();
            writes.signal();
        }
        synchronized (stateLock) {
            if (state == ST_CLOSING && !isRegistered()) {
                state = ST_CLOSED;
                fd.close();
                trace.released();
            }
        }
    }

    @Override
    public void kill() {
        synchronized (stateLock) {
            if (state == ST_CLOSING) {
                state = ST_CLOSED;
                fd.close();
                trace.released();
            }
        }
    }

    // ---- selector support

    @Override
    public int fdVal() {
        return fdVal;
    }

    @Override
    public int translateInterestOps(int ops) {
        int ev = 0;
        if ((ops & SelectionKey.OP_READ) != 0) ev |= Poller.IN;
        if ((ops & SelectionKey.OP_WRITE) != 0) ev |= Poller.OUT;
        return ev;
    }

    @Override
    public int translateReadyOps(int events, int interest) {
        if ((events & (Poller.ERR | Poller.HUP)) != 0) {
            return interest;
        }
        int ready = 0;
        if ((events & Poller.IN) != 0 && (interest & SelectionKey.OP_READ) != 0) ready |= SelectionKey.OP_READ;
        if ((events & Poller.OUT) != 0 && (interest & SelectionKey.OP_WRITE) != 0) ready |= SelectionKey.OP_WRITE;
        return ready;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSuperclass().getName()).append('[');
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
}
