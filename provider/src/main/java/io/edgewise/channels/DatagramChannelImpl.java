package io.edgewise.channels;

import io.edgewise.backend.Poller;
import io.edgewise.sys.DatagramOps;
import io.edgewise.sys.Platform;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.UnixOps;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
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
import java.util.concurrent.TimeUnit;
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
 * disconnect and configureBlocking hold both). {@code stateLock} guards {@code state},
 * {@code localAddress}, {@code remoteAddress}, {@code initialLocalAddress}, {@code readWaiter},
 * {@code writeWaiter}, {@code registry} (and every {@link MembershipKeyImpl}'s blocked set) and
 * {@code socket}; {@code state}, {@code localAddress} and {@code remoteAddress} are volatile so the
 * non-blocking paths read them without it. Order: readLock → writeLock → stateLock. The descriptor's
 * lifetime is {@link FdHandle}'s.
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

    private volatile int state;
    private volatile SocketAddress localAddress;
    private volatile SocketAddress remoteAddress;
    private SocketAddress initialLocalAddress;
    private Waiter readWaiter, writeWaiter;
    private MembershipKeyImpl.Registry registry;
    private DatagramSocketAdaptor socket;

    /** A new channel of {@code family} (SocketOps.INET, INET6 or DatagramOps.UNIX). */
    public DatagramChannelImpl(SelectorProvider provider, int family) throws IOException {
        super(provider);
        this.ops = Platform.ops();
        this.dops = Platform.datagramOps();
        this.family = family;
        this.fdVal = dops.socket(family);
        this.fd = new FdHandle(ops, fdVal);
    }

    /** A channel for an existing (inherited) datagram descriptor, bound and perhaps connected. */
    DatagramChannelImpl(SelectorProvider provider, SocketOps ops, int family, int fdVal) throws IOException {
        super(provider);
        this.ops = ops;
        this.dops = Platform.datagramOps();
        this.family = family;
        this.fdVal = fdVal;
        this.fd = new FdHandle(ops, fdVal);
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
            return localAddress;
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
        @SuppressWarnings("unchecked")
        T v = (T) Net.checkOption(supportedOptions(), name, value);
        synchronized (stateLock) {
            ensureOpen();
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
        readLock.lock();
        try {
            writeLock.lock();
            try {
                synchronized (stateLock) {
                    ensureOpen();
                    if (localAddress != null) {
                        throw new AlreadyBoundException();
                    }
                    bindInternal(local);
                }
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
        return this;
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
                InetSocketAddress isa = local == null ? Net.anyLocal(family) : Net.checkAddress(local, family);
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
        readLock.lock();
        try {
            writeLock.lock();
            try {
                synchronized (stateLock) {
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
                }
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
        return this;
    }

    @Override
    public DatagramChannel disconnect() throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                synchronized (stateLock) {
                    if (!isOpen() || state != ST_CONNECTED) {
                        return this;
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
                }
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
        return this;
    }

    // ---- receive and read

    private void beginRead(boolean blocking) throws IOException {
        if (blocking) {
            begin();
            synchronized (stateLock) {
                ensureOpen();
                readWaiter = Waiter.acquire(ops);
            }
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

    private static long deadline(int timeoutMillis) {
        return timeoutMillis > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : 0;
    }

    /** -1 without deadline; else the millis left, at least 1, or 0 when passed. */
    private static int remainingMillis(long deadline) {
        if (deadline == 0) return -1;
        long left = deadline - System.nanoTime();
        if (left <= 0) return 0;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
    }

    private static boolean retry(long n) {
        return n == SocketOps.UNAVAILABLE || n == SocketOps.INTERRUPTED;
    }

    @Override
    public SocketAddress receive(ByteBuffer dst) throws IOException {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
        return receive(dst, -1);
    }

    /** Receive; {@code timeoutMillis} (> 0) bounds a blocking receive (adaptor's SO_TIMEOUT). */
    SocketAddress receive(ByteBuffer dst, int timeoutMillis) throws IOException {
        readLock.lock();
        try {
            ensureOpen();
            ensureBound();
            boolean blocking = isBlocking();
            SocketAddress sender = null;
            try {
                beginRead(blocking);
                boolean connected = state == ST_CONNECTED;
                int f = fd.acquire();
                try {
                    int n = receiveInto(f, dst, connected);
                    if (blocking) {
                        long deadline = deadline(timeoutMillis);
                        while (retry(n) && isOpen()) {
                            int wait = remainingMillis(deadline);
                            if (wait == 0) throw new SocketTimeoutException("Receive timed out");
                            readWaiter.await(f, SocketOps.POLL_IN, wait);
                            if (!isOpen()) break;
                            n = receiveInto(f, dst, connected);
                        }
                    }
                    if (n >= 0) {
                        sender = dops.sender(family);
                        if (sender == null) sender = isUnix() ? UnixNet.UNNAMED : remoteAddress;
                    }
                } finally {
                    fd.release();
                }
            } finally {
                endRead(blocking, sender != null);
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

    private void ensureConnected() throws ClosedChannelException {
        if (state != ST_CONNECTED) {
            ensureOpen();
            throw new NotYetConnectedException();
        }
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        BufferIO.checkWritable(dst);
        readLock.lock();
        try {
            ensureOpen();
            ensureConnected();
            boolean blocking = isBlocking();
            int n = 0;
            try {
                beginRead(blocking);
                ensureConnected();
                int f = fd.acquire();
                try {
                    n = readInto(f, dst);
                    while (blocking && retry(n) && isOpen()) {
                        readWaiter.await(f, SocketOps.POLL_IN, -1);
                        if (!isOpen()) break;
                        n = readInto(f, dst);
                    }
                } finally {
                    fd.release();
                }
            } finally {
                endRead(blocking, n >= 0);
            }
            return retry(n) ? 0 : n;
        } finally {
            readLock.unlock();
        }
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
        readLock.lock();
        try {
            ensureOpen();
            ensureConnected();
            boolean blocking = isBlocking();
            long n = 0;
            try {
                beginRead(blocking);
                ensureConnected();
                int f = fd.acquire();
                try {
                    n = readInto(f, dsts, offset, length);
                    while (blocking && retry(n) && isOpen()) {
                        readWaiter.await(f, SocketOps.POLL_IN, -1);
                        if (!isOpen()) break;
                        n = readInto(f, dsts, offset, length);
                    }
                } finally {
                    fd.release();
                }
            } finally {
                endRead(blocking, n >= 0);
            }
            return retry(n) ? 0 : n;
        } finally {
            readLock.unlock();
        }
    }

    private long readInto(int f, ByteBuffer[] dsts, int offset, int length) throws IOException {
        long total = 0;
        boolean allDirect = true;
        for (int i = offset; i < offset + length; i++) {
            total += dsts[i].remaining();
            allDirect &= dsts[i].isDirect();
        }
        if (total == 0) {
            return 0;
        }
        if (allDirect && length <= ops.iovMax()) {
            TempBuffers t = TempBuffers.get();
            ByteBuffer iov = t.iov(ops.iovecSize(), ops.iovMax());
            int cnt = 0;
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer b = dsts[i];
                if (b.hasRemaining()) ops.putIovec(iov, cnt++, DirectAddress.of(b) + b.position(), b.remaining());
            }
            long n = dops.readv(f, t.iovAddress(), cnt);
            if (n > 0) advance(dsts, offset, length, n);
            return n;
        }
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

    private static void advance(ByteBuffer[] bufs, int offset, int length, long n) {
        for (int i = offset; i < offset + length && n > 0; i++) {
            ByteBuffer b = bufs[i];
            int k = (int) Math.min(b.remaining(), n);
            b.position(b.position() + k);
            n -= k;
        }
    }

    // ---- send and write

    private void beginWrite(boolean blocking) throws IOException {
        if (blocking) {
            begin();
            synchronized (stateLock) {
                ensureOpen();
                writeWaiter = Waiter.acquire(ops);
            }
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
    public int send(ByteBuffer src, SocketAddress target) throws IOException {
        Objects.requireNonNull(src);
        SocketAddress checked = checkAddress(target);
        writeLock.lock();
        try {
            ensureOpen();
            ensureBound();
            boolean blocking = isBlocking();
            int n = 0;
            boolean completed = false;
            try {
                beginWrite(blocking);
                SocketAddress remote = remoteAddress;
                int f = fd.acquire();
                try {
                    if (remote != null) {
                        if (!target.equals(remote)) {
                            throw new AlreadyConnectedException();
                        }
                        n = writeFrom(f, src);
                        while (blocking && retry(n) && isOpen()) {
                            writeWaiter.await(f, SocketOps.POLL_OUT, -1);
                            if (!isOpen()) break;
                            n = writeFrom(f, src);
                        }
                    } else {
                        if (!isUnix() && ((InetSocketAddress) checked).getPort() == 0) {
                            throw new SocketException("Can't send to port 0");
                        }
                        n = sendFrom(f, src, checked);
                        while (blocking && retry(n) && isOpen()) {
                            writeWaiter.await(f, SocketOps.POLL_OUT, -1);
                            if (!isOpen()) break;
                            n = sendFrom(f, src, checked);
                        }
                    }
                    completed = n >= 0;
                } finally {
                    fd.release();
                }
            } finally {
                endWrite(blocking, completed);
            }
            return retry(n) ? 0 : n;
        } finally {
            writeLock.unlock();
        }
    }

    private int sendFrom(int f, ByteBuffer src, SocketAddress target) throws IOException {
        int pos = src.position();
        int lim = src.limit();
        int rem = pos <= lim ? lim - pos : 0;
        int n;
        try {
            if (src.isDirect()) {
                n = dops.send(f, family, DirectAddress.of(src) + pos, rem, target);
            } else {
                TempBuffers t = TempBuffers.get();
                int slot = t.take(rem);
                try {
                    ByteBuffer tmp = t.buffer(slot);
                    if (tmp.capacity() < rem) {
                        throw new SocketException("Message too long");
                    }
                    tmp.put(0, src, pos, rem);
                    n = dops.send(f, family, t.address(slot), rem, target);
                } finally {
                    t.give(slot);
                }
            }
        } catch (java.net.PortUnreachableException e) {
            if (state == ST_CONNECTED) throw e;
            n = rem; // an ICMP error left by an earlier datagram: this one was not refused
        }
        if (n > 0) src.position(pos + n);
        return n;
    }

    private int writeFrom(int f, ByteBuffer src) throws IOException {
        int pos = src.position();
        int lim = src.limit();
        int rem = pos <= lim ? lim - pos : 0;
        int n;
        if (src.isDirect()) {
            n = dops.write(f, DirectAddress.of(src) + pos, rem);
        } else {
            TempBuffers t = TempBuffers.get();
            int slot = t.take(rem);
            try {
                ByteBuffer tmp = t.buffer(slot);
                if (tmp.capacity() < rem) {
                    throw new SocketException("Message too long");
                }
                tmp.put(0, src, pos, rem);
                n = dops.write(f, t.address(slot), rem);
            } finally {
                t.give(slot);
            }
        }
        if (n > 0) src.position(pos + n);
        return n;
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        writeLock.lock();
        try {
            ensureOpen();
            ensureConnected();
            boolean blocking = isBlocking();
            int n = 0;
            try {
                beginWrite(blocking);
                ensureConnected();
                int f = fd.acquire();
                try {
                    n = src.hasRemaining() ? writeFrom(f, src) : 0;
                    while (blocking && retry(n) && isOpen()) {
                        writeWaiter.await(f, SocketOps.POLL_OUT, -1);
                        if (!isOpen()) break;
                        n = writeFrom(f, src);
                    }
                } finally {
                    fd.release();
                }
            } finally {
                endWrite(blocking, n >= 0);
            }
            return retry(n) ? 0 : n;
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        writeLock.lock();
        try {
            ensureOpen();
            ensureConnected();
            boolean blocking = isBlocking();
            long n = 0;
            try {
                beginWrite(blocking);
                ensureConnected();
                int f = fd.acquire();
                try {
                    n = writeFrom(f, srcs, offset, length);
                    while (blocking && retry(n) && isOpen()) {
                        writeWaiter.await(f, SocketOps.POLL_OUT, -1);
                        if (!isOpen()) break;
                        n = writeFrom(f, srcs, offset, length);
                    }
                } finally {
                    fd.release();
                }
            } finally {
                endWrite(blocking, n >= 0);
            }
            return retry(n) ? 0 : n;
        } finally {
            writeLock.unlock();
        }
    }

    private long writeFrom(int f, ByteBuffer[] srcs, int offset, int length) throws IOException {
        long total = 0;
        boolean allDirect = true;
        for (int i = offset; i < offset + length; i++) {
            total += srcs[i].remaining();
            allDirect &= srcs[i].isDirect();
        }
        if (total == 0) {
            return 0;
        }
        if (allDirect && length <= ops.iovMax()) {
            TempBuffers t = TempBuffers.get();
            ByteBuffer iov = t.iov(ops.iovecSize(), ops.iovMax());
            int cnt = 0;
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer b = srcs[i];
                if (b.hasRemaining()) ops.putIovec(iov, cnt++, DirectAddress.of(b) + b.position(), b.remaining());
            }
            long n = dops.writev(f, t.iovAddress(), cnt);
            if (n > 0) advance(srcs, offset, length, n);
            return n;
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
        return innerJoin(group, interf, null);
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source) throws IOException {
        Objects.requireNonNull(source);
        return innerJoin(group, interf, source);
    }

    private static void checkSource(InetAddress source, InetAddress group) {
        if (source.isAnyLocalAddress()) {
            throw new IllegalArgumentException("Source address is a wildcard address");
        }
        if (source.isMulticastAddress()) {
            throw new IllegalArgumentException("Source address is multicast address");
        }
        if (source.getClass() != group.getClass()) {
            throw new IllegalArgumentException("Source address is different type to group");
        }
    }

    private MembershipKey innerJoin(InetAddress group, NetworkInterface interf, InetAddress source) throws IOException {
        if (isUnix()) {
            throw new UnsupportedOperationException("Multicast is not supported on Unix domain sockets");
        }
        if (!group.isMulticastAddress()) {
            throw new IllegalArgumentException("Group not a multicast address");
        }
        if (group instanceof Inet6Address) {
            if (family != SocketOps.INET6) {
                throw new IllegalArgumentException("Only IPv6 sockets can join IPv6 multicast group");
            }
        } else if (!(group instanceof Inet4Address)) {
            throw new IllegalArgumentException("Address type not supported");
        }
        if (source != null) {
            checkSource(source, group);
        }
        synchronized (stateLock) {
            ensureOpen();
            if (registry == null) {
                registry = new MembershipKeyImpl.Registry();
            } else {
                MembershipKey key = registry.check(group, interf, source);
                if (key != null) {
                    return key;
                }
            }
            int index = interf.getIndex();
            if (group instanceof Inet6Address) {
                if (index == -1) throw new IOException("Network interface cannot be identified");
            } else if (DatagramOps.anyInet4Address(interf) == null) {
                throw new IOException("Network interface not configured for IPv4");
            }
            int f = fd.acquire();
            try {
                dops.membership(f, family, DatagramOps.JOIN, group, index, source);
            } finally {
                fd.release();
            }
            MembershipKeyImpl key = new MembershipKeyImpl(this, group, interf, source);
            registry.add(key);
            return key;
        }
    }

    /** Drops a membership; a no-op when the key is already invalid. Called by the key. */
    void drop(MembershipKeyImpl key) {
        synchronized (stateLock) {
            if (!key.isValid()) {
                return;
            }
            try {
                int f = fd.acquire();
                try {
                    dops.membership(f, family, DatagramOps.DROP, key.group(), key.networkInterface().getIndex(),
                            key.sourceAddress());
                } finally {
                    fd.release();
                }
            } catch (IOException e) {
                // the channel is closing (its keys are invalidated then) or the kernel forgot the group
            }
            key.invalidate();
            registry.remove(key);
        }
    }

    /** Blocks {@code source} for an any-source membership. Called by the key under stateLock. */
    void block(MembershipKeyImpl key, InetAddress source) throws IOException {
        if (!key.isValid()) {
            throw new IllegalStateException("key is no longer valid");
        }
        checkSource(source, key.group());
        int f = fd.acquire();
        try {
            dops.membership(f, family, DatagramOps.BLOCK, key.group(), key.networkInterface().getIndex(), source);
        } finally {
            fd.release();
        }
    }

    void unblock(MembershipKeyImpl key, InetAddress source) {
        if (!key.isValid()) {
            throw new IllegalStateException("key is no longer valid");
        }
        try {
            int f = fd.acquire();
            try {
                dops.membership(f, family, DatagramOps.UNBLOCK, key.group(), key.networkInterface().getIndex(), source);
            } finally {
                fd.release();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- blocking mode, close

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                synchronized (stateLock) {
                    ensureOpen();
                    // the descriptor stays non-blocking: blocking mode is emulated with waits
                }
            } finally {
                writeLock.unlock();
            }
        } finally {
            readLock.unlock();
        }
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        synchronized (stateLock) {
            state = ST_CLOSING;
            if (registry != null) {
                registry.invalidateAll();
            }
            if (readWaiter != null) readWaiter.signal();
            if (writeWaiter != null) writeWaiter.signal();
        }
        synchronized (stateLock) {
            if (state == ST_CLOSING && !isRegistered()) {
                state = ST_CLOSED;
                fd.close();
            }
        }
    }

    @Override
    public void kill() {
        synchronized (stateLock) {
            if (state == ST_CLOSING) {
                state = ST_CLOSED;
                fd.close();
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
