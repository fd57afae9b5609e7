package io.edgewise.channels;

import io.edgewise.backend.Poller;
import io.edgewise.sys.PrivateOptions;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Collections;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A TCP {@link SocketChannel} on a non-blocking descriptor. Blocking mode is a loop of the
 * non-blocking call and a wait on the descriptor plus the thread's {@link Waiter}, which
 * {@code close}, {@code shutdown*} and interrupts signal: no signals, no descriptor tricks.
 *
 * <h2>Locks</h2>
 * {@code readLock} serializes reads, {@code writeLock} writes (and both are held by connect,
 * finishConnect, bind and configureBlocking); {@code stateLock} guards {@code state},
 * {@code localAddress}, {@code remoteAddress}, {@code isInputClosed}, {@code isOutputClosed},
 * {@code readWaiter}, {@code writeWaiter} and {@code socket}. Order: readLock → writeLock → stateLock.
 * {@code connectionReset} is written under readLock. The descriptor's lifetime is {@link FdHandle}'s.
 */
public final class SocketChannelImpl extends SocketChannel implements SelChannel {
    static final int ST_UNCONNECTED = 0, ST_CONNECTIONPENDING = 1, ST_CONNECTED = 2, ST_CLOSING = 3,
            ST_CLOSED = 4;

    private final SocketOps ops;
    private final int family;
    private final FdHandle fd;
    private final int fdVal;

    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object stateLock = new Object();

    private volatile int state;
    private InetSocketAddress localAddress;
    private volatile InetSocketAddress remoteAddress;
    private volatile boolean isInputClosed;
    private volatile boolean isOutputClosed;
    private boolean connectionReset;
    private Waiter readWaiter, writeWaiter;
    private SocketAdaptor socket;

    // ASYNC_RESOLVE (see AsyncConnect): the option, the connect in progress, options to carry over
    // to the winning socket (guarded by stateLock), and the channel's keys
    private volatile boolean asyncResolve;

    /** Whether ASYNC_RESOLVE is on: an unresolved address is then the channel's to resolve. */
    boolean asyncResolve() {
        return asyncResolve;
    }
    private volatile AsyncConnect asyncConnect;
    private final java.util.Map<SocketOption<?>, Object> optionsSet = new java.util.LinkedHashMap<>();
    private final AsyncConnect.Keys keys = new AsyncConnect.Keys();

    /** An unconnected channel. */
    public SocketChannelImpl(SelectorProvider provider, SocketOps ops, int family) throws IOException {
        super(provider);
        this.ops = ops;
        this.family = family;
        this.fdVal = ops.socket(family, true);
        this.fd = new FdHandle(ops, fdVal);
    }

    /** A channel for an accepted connection. */
    SocketChannelImpl(SelectorProvider provider, SocketOps ops, int family, int fd, InetSocketAddress remote)
            throws IOException {
        super(provider);
        this.ops = ops;
        this.family = family;
        this.fdVal = fd;
        this.fd = new FdHandle(ops, fd);
        this.remoteAddress = remote;
        this.state = ST_CONNECTED;
        try {
            this.localAddress = ops.localAddress(fd);
        } catch (IOException e) {
            this.fd.close();
            throw e;
        }
    }

    int family() {
        return family;
    }

    // ---- state checks

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private void ensureOpenAndConnected() throws ClosedChannelException {
        int s = state;
        if (s < ST_CONNECTED) {
            throw new NotYetConnectedException();
        } else if (s > ST_CONNECTED) {
            throw new ClosedChannelException();
        }
    }

    // ---- addresses and options

    @Override
    public SocketChannel bind(SocketAddress local) throws IOException {
        readLock.lock();
        try {
            writeLock.lock();
            try {
                synchronized (stateLock) {
                    ensureOpen();
                    if (state == ST_CONNECTIONPENDING) {
                        throw new ConnectionPendingException();
                    }
                    if (localAddress != null) {
                        throw new AlreadyBoundException();
                    }
                    InetSocketAddress isa = local == null ? Net.anyLocal(family) : Net.checkAddress(local, family);
                    int f = fd.acquire();
                    try {
                        ops.bind(f, family, isa);
                        localAddress = ops.localAddress(f);
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

    /** Local address without the open check, for the adaptor. */
    InetSocketAddress localAddressUnchecked() {
        synchronized (stateLock) {
            return localAddress;
        }
    }

    InetSocketAddress remoteAddressUnchecked() {
        return remoteAddress;
    }

    private static final class Options {
        static final Set<SocketOption<?>> SET = build();

        private static Set<SocketOption<?>> build() {
            Set<SocketOption<?>> s = new HashSet<>();
            s.add(StandardSocketOptions.SO_SNDBUF);
            s.add(StandardSocketOptions.SO_RCVBUF);
            s.add(StandardSocketOptions.SO_KEEPALIVE);
            s.add(StandardSocketOptions.SO_REUSEADDR);
            s.add(StandardSocketOptions.SO_REUSEPORT);
            s.add(StandardSocketOptions.SO_LINGER);
            s.add(StandardSocketOptions.TCP_NODELAY);
            s.add(StandardSocketOptions.IP_TOS);
            s.add(PrivateOptions.SO_OOBINLINE);
            s.add(io.edgewise.EdgewiseSocketOptions.ASYNC_RESOLVE);
            s.addAll(io.edgewise.sys.Platform.ops().extendedOptions(true, false));
            return Collections.unmodifiableSet(s);
        }
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Options.SET;
    }

    @Override
    public <T> SocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        @SuppressWarnings("unchecked")
        T v = (T) Net.checkOption(Options.SET, name, value);
        synchronized (stateLock) {
            ensureOpen();
            if (name == io.edgewise.EdgewiseSocketOptions.ASYNC_RESOLVE) {
                asyncResolve = (Boolean) v;
                return this;
            }
            int f = fd.acquire();
            try {
                ops.setOption(f, family, name, v);
            } finally {
                fd.release();
            }
            if (state == ST_UNCONNECTED) {
                optionsSet.put(name, v); // replayed on the winner of an ASYNC_RESOLVE connect
            }
        }
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Net.checkGetOption(Options.SET, name);
        synchronized (stateLock) {
            ensureOpen();
            if (name == io.edgewise.EdgewiseSocketOptions.ASYNC_RESOLVE) {
                @SuppressWarnings("unchecked")
                T t = (T) Boolean.valueOf(asyncResolve);
                return t;
            }
            int f = fd.acquire();
            try {
                return ops.getOption(f, family, name);
            } finally {
                fd.release();
            }
        }
    }

    // ---- connection state

    @Override
    public boolean isConnected() {
        return state == ST_CONNECTED;
    }

    @Override
    public boolean isConnectionPending() {
        return state == ST_CONNECTIONPENDING;
    }

    boolean isInputClosed() {
        return isInputClosed;
    }

    boolean isOutputClosed() {
        return isOutputClosed;
    }

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        return connect(remote, -1, true);
    }

    /** Connect; {@code timeoutMillis} (> 0) bounds a blocking connect (adaptor). */
    boolean connect(SocketAddress remote, int timeoutMillis) throws IOException {
        return connect(remote, timeoutMillis, false);
    }

    /**
     * {@code checkOpenFirst}: SocketChannel.connect on a closed channel throws ClosedChannelException
     * (JDK 25); the adaptor's blocking connect throws AsynchronousCloseException there, as the JDK's.
     */
    private boolean connect(SocketAddress remote, int timeoutMillis, boolean checkOpenFirst) throws IOException {
        if (asyncResolve && remote instanceof InetSocketAddress && ((InetSocketAddress) remote).isUnresolved()) {
            return connectUnresolved((InetSocketAddress) remote, timeoutMillis, checkOpenFirst);
        }
        InetSocketAddress isa = Net.connectTarget(Net.checkAddress(remote, family));
        try {
            readLock.lock();
            try {
                writeLock.lock();
                try {
                    if (checkOpenFirst) {
                        ensureOpen();   // closed before the call: ClosedChannelException, not AsynchronousCloseException
                    }
                    boolean blocking = isBlocking();
                    boolean connected = false;
                    try {
                        beginConnect(blocking, isa);
                        int f = fd.acquire();
                        try {
                            int n;
                            do {
                                n = ops.connect(f, family, isa);
                            } while (n == SocketOps.INTERRUPTED && isOpen());
                            if (n > 0) {
                                connected = true;
                            } else if (blocking) {
                                long deadline = deadline(timeoutMillis);
                                while (!connected && isOpen()) {
                                    int wait = remainingMillis(deadline);
                                    if (wait == 0) {
                                        throw new SocketTimeoutException("Connect timed out");
                                    }
                                    readWaiter.await(f, SocketOps.POLL_OUT, wait);
                                    if (isOpen()) connected = ops.finishConnect(f);
                                }
                            }
                        } finally {
                            fd.release();
                        }
                    } finally {
                        endConnect(blocking, connected);
                    }
                    return connected;
                } finally {
                    writeLock.unlock();
                }
            } finally {
                readLock.unlock();
            }
        } catch (IOException e) {
            // a failed connect closes the channel, as the JDK does
            close();
            throw e;
        }
    }

    /** -1 when there is no deadline; else the millis left, at least 1, or 0 when passed. */
    static int remainingMillis(long deadline) {
        if (deadline == 0) return -1;
        long left = deadline - System.nanoTime();
        if (left <= 0) return 0;
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, TimeUnit.NANOSECONDS.toMillis(left + 999_999)));
    }

    private void beginConnect(boolean blocking, InetSocketAddress isa) throws IOException {
        if (blocking) {
            begin();
        }
        synchronized (stateLock) {
            ensureOpen();
            int s = state;
            if (s == ST_CONNECTED) throw new AlreadyConnectedException();
            if (s == ST_CONNECTIONPENDING) throw new ConnectionPendingException();
            state = ST_CONNECTIONPENDING;
            remoteAddress = isa;
            if (blocking) {
                readWaiter = Waiter.acquire(ops);
            }
        }
    }

    private void endConnect(boolean blocking, boolean completed) throws IOException {
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
                        localAddress = ops.localAddress(f);
                    } finally {
                        fd.release();
                    }
                }
            }
        } finally {
            if (blocking) {
                end(completed);
            }
        }
    }

    @Override
    public boolean finishConnect() throws IOException {
        try {
            readLock.lock();
            try {
                writeLock.lock();
                try {
                    if (isConnected()) {
                        return true;
                    }
                    ensureOpen();
                    if (asyncConnect != null && !finishAsync()) {
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
                            if (blocking) readWaiter = Waiter.acquire(ops);
                        }
                        int f = fd.acquire();
                        try {
                            connected = ops.finishConnect(f);
                            while (blocking && !connected && isOpen()) {
                                readWaiter.await(f, SocketOps.POLL_OUT, -1);
                                if (isOpen()) connected = ops.finishConnect(f);
                            }
                        } finally {
                            fd.release();
                        }
                        connected = connected && isOpen();
                    } finally {
                        endConnect(blocking, connected);
                    }
                    return connected;
                } finally {
                    writeLock.unlock();
                }
            } finally {
                readLock.unlock();
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    @Override
    public SocketChannel shutdownInput() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (!isConnected()) throw new NotYetConnectedException();
            if (!isInputClosed) {
                int f = fd.acquire();
                try {
                    ops.shutdown(f, 0);
                } finally {
                    fd.release();
                }
                isInputClosed = true;
                if (readWaiter != null) readWaiter.signal();
            }
        }
        return this;
    }

    @Override
    public SocketChannel shutdownOutput() throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (!isConnected()) throw new NotYetConnectedException();
            if (!isOutputClosed) {
                int f = fd.acquire();
                try {
                    ops.shutdown(f, 1);
                } finally {
                    fd.release();
                }
                isOutputClosed = true;
                if (writeWaiter != null) writeWaiter.signal();
            }
        }
        return this;
    }

    @Override
    public Socket socket() {
        synchronized (stateLock) {
            if (socket == null) {
                socket = SocketAdaptor.create(this);
            }
            return socket;
        }
    }

    // ---- reads

    private void beginRead(boolean blocking) throws IOException {
        if (blocking) {
            begin();
            synchronized (stateLock) {
                ensureOpenAndConnected();
                readWaiter = Waiter.acquire(ops);
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
    public int read(ByteBuffer dst) throws IOException {
        return read(dst, -1);
    }

    /** Read; {@code timeoutMillis} (> 0) bounds a blocking read (adaptor's SO_TIMEOUT). */
    int read(ByteBuffer dst, int timeoutMillis) throws IOException {
        Objects.requireNonNull(dst);
        readLock.lock();
        try {
            ensureOpenAndConnected();
            boolean blocking = isBlocking();
            int n = 0;
            try {
                beginRead(blocking);
                if (connectionReset) throw new java.net.SocketException("Connection reset");
                if (isInputClosed) return -1;
                int f = fd.acquire();
                try {
                    n = BufferIO.read(ops, f, dst);
                    if (blocking) {
                        long deadline = deadline(timeoutMillis);
                        while (n == SocketOps.UNAVAILABLE || n == SocketOps.INTERRUPTED) {
                            if (!isOpen() || isInputClosed) break;
                            int wait = remainingMillis(deadline);
                            if (wait == 0) throw new SocketTimeoutException("Read timed out");
                            readWaiter.await(f, SocketOps.POLL_IN, wait);
                            n = BufferIO.read(ops, f, dst);
                        }
                    }
                } finally {
                    fd.release();
                }
            } catch (java.net.SocketException e) {
                if ("Connection reset".equals(e.getMessage())) connectionReset = true;
                throw e;
            } finally {
                endRead(blocking, n > 0);
                if (n <= 0 && isInputClosed) return -1;
            }
            return normalize(n);
        } finally {
            readLock.unlock();
        }
    }

    /** The nanoTime deadline of a wait bounded by {@code timeoutMillis} (> 0), or 0 for none. */
    static long deadline(int timeoutMillis) {
        return timeoutMillis > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : 0;
    }

    static int normalize(int n) {
        return n == SocketOps.UNAVAILABLE || n == SocketOps.INTERRUPTED ? 0 : n;
    }

    static long normalize(long n) {
        return n == SocketOps.UNAVAILABLE || n == SocketOps.INTERRUPTED ? 0 : n;
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        readLock.lock();
        try {
            ensureOpenAndConnected();
            boolean blocking = isBlocking();
            long n = 0;
            try {
                beginRead(blocking);
                if (connectionReset) throw new java.net.SocketException("Connection reset");
                if (isInputClosed) return -1;
                int f = fd.acquire();
                try {
                    n = BufferIO.read(ops, f, dsts, offset, length);
                    if (blocking) {
                        while ((n == SocketOps.UNAVAILABLE || n == SocketOps.INTERRUPTED) && isOpen() && !isInputClosed) {
                            readWaiter.await(f, SocketOps.POLL_IN, -1);
                            n = BufferIO.read(ops, f, dsts, offset, length);
                        }
                    }
                } finally {
                    fd.release();
                }
            } catch (java.net.SocketException e) {
                if ("Connection reset".equals(e.getMessage())) connectionReset = true;
                throw e;
            } finally {
                endRead(blocking, n > 0);
                if (n <= 0 && isInputClosed) return -1;
            }
            return normalize(n);
        } finally {
            readLock.unlock();
        }
    }

    // ---- writes

    private void beginWrite(boolean blocking) throws IOException {
        if (blocking) {
            begin();
        }
        synchronized (stateLock) {
            ensureOpenAndConnected();
            if (isOutputClosed) {
                throw new ClosedChannelException();
            }
            if (blocking) {
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
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        writeLock.lock();
        try {
            ensureOpenAndConnected();
            boolean blocking = isBlocking();
            int n = 0;
            int total = 0;
            try {
                beginWrite(blocking);
                int f = fd.acquire();
                try {
                    n = BufferIO.write(ops, f, src);
                    if (blocking) {
                        // a blocking write returns only when every byte is written
                        while (isOpen() && !isOutputClosed) {
                            if (n > 0) {
                                total += n;
                                if (!src.hasRemaining()) break;
                            } else if (n == SocketOps.UNAVAILABLE) {
                                writeWaiter.await(f, SocketOps.POLL_OUT, -1);
                            } else if (n == 0) {
                                break;
                            }
                            n = BufferIO.write(ops, f, src);
                        }
                        n = total > 0 ? total : n;
                    }
                } finally {
                    fd.release();
                }
            } finally {
                endWrite(blocking, n > 0);
                if (n <= 0 && isOutputClosed) throw new AsynchronousCloseException();
            }
            return normalize(n);
        } finally {
            writeLock.unlock();
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        writeLock.lock();
        try {
            ensureOpenAndConnected();
            boolean blocking = isBlocking();
            long n = 0;
            long total = 0;
            try {
                beginWrite(blocking);
                int f = fd.acquire();
                try {
                    n = BufferIO.write(ops, f, srcs, offset, length);
                    if (blocking) {
                        while (isOpen() && !isOutputClosed) {
                            if (n > 0) {
                                total += n;
                                if (!hasRemaining(srcs, offset, length)) break;
                            } else if (n == SocketOps.UNAVAILABLE) {
                                writeWaiter.await(f, SocketOps.POLL_OUT, -1);
                            } else if (n == 0) {
                                break;
                            }
                            n = BufferIO.write(ops, f, srcs, offset, length);
                        }
                        n = total > 0 ? total : n;
                    }
                } finally {
                    fd.release();
                }
            } finally {
                endWrite(blocking, n > 0);
                if (n <= 0 && isOutputClosed) throw new AsynchronousCloseException();
            }
            return normalize(n);
        } finally {
            writeLock.unlock();
        }
    }

    static boolean hasRemaining(ByteBuffer[] bufs, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            if (bufs[i].hasRemaining()) return true;
        }
        return false;
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
        boolean connected;
        synchronized (stateLock) {
            connected = state == ST_CONNECTED;
            state = ST_CLOSING;
            if (readWaiter != null) readWaiter.signal();
            if (writeWaiter != null) writeWaiter.signal();
            AsyncConnect ac = asyncConnect;
            if (ac != null) ac.cancel(); // no resolution result or attempt outlives the channel
        }
        // Non-blocking I/O in progress ends promptly: wait for it. Blocking I/O must not be waited
        // for: on JDK 17 an interrupt runs this close while holding the blocked thread's blockerLock,
        // which that thread needs in end() (deadlock). The signalled thread leaves on its own, and
        // FdHandle defers the real close(2) until it released the descriptor.
        if (!isBlocking()) {
            readLock.lock();
            readLock.unlock();
            writeLock.lock();
            writeLock.unlock();
        }
        synchronized (stateLock) {
            if (state != ST_CLOSING) {
                return;
            }
            if (!isRegistered()) {
                state = ST_CLOSED;
                fd.close();
            } else if (connected && !isBlocking()) {
                // a selector still holds the descriptor: let the peer see the close now
                try {
                    int f = fd.acquire();
                    try {
                        int linger = ops.getOption(f, family, StandardSocketOptions.SO_LINGER);
                        if (linger != 0) {
                            if (linger > 0) ops.setOption(f, family, StandardSocketOptions.SO_LINGER, -1);
                            ops.shutdown(f, 1);
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

    @Override
    public void kill() {
        readLock.lock();
        readLock.unlock();
        writeLock.lock();
        writeLock.unlock();
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
        AsyncConnect ac = asyncConnect;
        if (ac != null && !ac.watching()) {
            return 0; // ASYNC_RESOLVE connect in progress: the descriptor is not the connection yet
        }
        int ev = 0;
        if ((ops & SelectionKey.OP_READ) != 0) ev |= Poller.IN;
        if ((ops & SelectionKey.OP_WRITE) != 0) ev |= Poller.OUT;
        if ((ops & SelectionKey.OP_CONNECT) != 0) ev |= Poller.OUT;
        return ev;
    }

    @Override
    public int translateReadyOps(int events, int interest) {
        AsyncConnect ac = asyncConnect;
        if (ac != null && !ac.watching()) {
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

    // ---- for the adaptor

    int available() throws IOException {
        int f = fd.acquire();
        try {
            return ops.available(f);
        } finally {
            fd.release();
        }
    }

    int sendUrgentData(int data) throws IOException {
        writeLock.lock();
        try {
            ensureOpenAndConnected();
            if (isOutputClosed) throw new java.net.SocketException("Socket output is shutdown");
            int f = fd.acquire();
            try {
                return ops.sendUrgent(f, data);
            } finally {
                fd.release();
            }
        } catch (ClosedChannelException e) {
            throw new java.net.SocketException("Socket is closed");
        } catch (NotYetConnectedException e) {
            throw new java.net.SocketException("Socket is not connected");
        } finally {
            writeLock.unlock();
        }
    }

    /** Waits up to {@code timeoutMillis} for input; true when readable (or in error/EOF). */
    boolean pollRead(int timeoutMillis) throws IOException {
        int f = fd.acquire();
        try {
            return ops.poll(f, SocketOps.POLL_IN, -1, timeoutMillis) != 0;
        } finally {
            fd.release();
        }
    }

    // ---- ASYNC_RESOLVE hook (io.edgewise.EdgewiseSocketOptions; the mechanics are in AsyncConnect)

    FdHandle fdHandle() {
        return fd;
    }

    @Override
    public void keyRegistered(SelectionKey k) {
        keys.add(k);
    }

    java.util.List<SelectionKey> keysSnapshot() {
        return keys.snapshot();
    }

    /** connect(unresolved) with ASYNC_RESOLVE: non-blocking returns false at once; blocking waits. */
    private boolean connectUnresolved(InetSocketAddress isa, int timeoutMillis, boolean checkOpenFirst) throws IOException {
        try {
            readLock.lock();
            try {
                writeLock.lock();
                try {
                    if (checkOpenFirst) ensureOpen();
                    boolean blocking = isBlocking();
                    AsyncConnect ac;
                    boolean completed = false;
                    try {
                        if (blocking) begin();
                        synchronized (stateLock) {
                            ensureOpen();
                            if (state == ST_CONNECTED) throw new AlreadyConnectedException();
                            if (state == ST_CONNECTIONPENDING) throw new ConnectionPendingException();
                            state = ST_CONNECTIONPENDING;
                            remoteAddress = isa;
                            ac = new AsyncConnect(this, stateLock, ops, family, isa, timeoutMillis,
                                    localAddress != null, optionsSet);
                            asyncConnect = ac;
                        }
                        AsyncConnect.requeueKeys(this); // selectors stop watching until it is done
                        if (!blocking) {
                            ac.start();
                            return false;
                        }
                        ac.startOnCallerThread();
                        ac.completion.join(); // close and interrupt (via close) complete it
                        completed = ac.done && ac.failure == null;
                    } finally {
                        if (blocking) end(completed);
                    }
                    return finishConnect();
                } finally {
                    writeLock.unlock();
                }
            } finally {
                readLock.unlock();
            }
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /**
     * finishConnect with an ASYNC_RESOLVE connect: false while it runs (non-blocking; blocking waits);
     * throws its failure; else takes over its result and lets the ordinary finishConnect complete.
     */
    private boolean finishAsync() throws IOException {
        AsyncConnect ac = asyncConnect;
        if (!ac.done) {
            if (!isBlocking()) return false;
            boolean completed = false;
            try {
                begin();
                ac.completion.join();
                completed = ac.failure == null;
            } finally {
                end(completed);
            }
        }
        synchronized (stateLock) {
            asyncConnect = null;
            if (ac.failure != null) throw ac.failure;
            if (ac.remote != null) remoteAddress = ac.remote;
        }
        return true;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSuperclass().getName()).append('[');
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
}
