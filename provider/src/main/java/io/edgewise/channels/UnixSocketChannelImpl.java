package io.edgewise.channels;

import io.edgewise.EdgewiseSocketOptions;
import io.edgewise.PeerCredentials;
import io.edgewise.backend.Poller;
import io.edgewise.sys.Platform;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.UnixOps;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
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
import java.util.concurrent.locks.ReentrantLock;

/**
 * A Unix domain stream {@link SocketChannel} ({@code StandardProtocolFamily.UNIX}), with the JDK's
 * semantics: {@code bind(null)} or the empty path leaves the socket unnamed, addresses are
 * {@link java.net.UnixDomainSocketAddress}es, {@link #socket()} is unsupported. Edgewise extensions:
 * {@link io.edgewise.AbstractUnixSocketAddress} (Linux abstract namespace) and
 * {@link EdgewiseSocketOptions#SO_PEERCRED}.
 *
 * <p>A Unix connect either completes at once or fails with "would block" when the listener's
 * backlog is full; the channel then stays connection-pending and {@link #finishConnect()} retries the
 * connect (a blocking connect retries every few milliseconds until it succeeds, or close/interrupt).
 *
 * <h2>Locks</h2>
 * As in {@link SocketChannelImpl}: {@code readLock} serializes reads, {@code writeLock} writes (both
 * held by connect, finishConnect, bind and configureBlocking); {@code stateLock} guards {@code state},
 * {@code localAddress}, {@code remoteAddress}, {@code isInputClosed}, {@code isOutputClosed},
 * {@code readWaiter} and {@code writeWaiter}. Order: readLock → writeLock → stateLock.
 *
 * <p>{@code close} does not wait for operations in progress: a blocking one holds its lock until
 * {@code end()}, which would deadlock with an interrupting thread running the close. It signals their
 * waiters instead; {@link FdHandle} defers the real {@code close(2)} until the last call has left.
 */
public final class UnixSocketChannelImpl extends SocketChannel implements SelChannel {
    private static final int ST_UNCONNECTED = 0, ST_CONNECTIONPENDING = 1, ST_CONNECTED = 2, ST_CLOSING = 3,
            ST_CLOSED = 4;
    /** How long a blocking connect waits before retrying when the listener's backlog is full. */
    private static final int CONNECT_RETRY_MILLIS = 5;

    private final SocketOps ops;
    private final UnixOps uops;
    private final FdHandle fd;
    private final int fdVal;

    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final Object stateLock = new Object();

    private volatile int state;
    private SocketAddress localAddress;
    private volatile SocketAddress remoteAddress;
    private volatile boolean isInputClosed;
    private volatile boolean isOutputClosed;
    private Waiter readWaiter, writeWaiter;

    public UnixSocketChannelImpl(SelectorProvider provider) throws IOException {
        super(provider);
        this.ops = Platform.ops();
        this.uops = Platform.unixOps();
        this.fdVal = uops.socket(true);
        this.fd = new FdHandle(ops, fdVal);
    }

    /** A connected channel for an accepted or inherited descriptor. */
    UnixSocketChannelImpl(SelectorProvider provider, SocketOps ops, int fdVal) throws IOException {
        super(provider);
        this.ops = ops;
        this.uops = Platform.unixOps();
        this.fdVal = fdVal;
        this.fd = new FdHandle(ops, fdVal);
        try {
            this.localAddress = uops.localAddress(fdVal);
            this.remoteAddress = uops.remoteAddress(fdVal);
        } catch (IOException e) {
            fd.close();
            throw e;
        }
        this.state = ST_CONNECTED;
    }

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
                    if (state == ST_CONNECTIONPENDING) throw new ConnectionPendingException();
                    if (localAddress != null) throw new AlreadyBoundException();
                    if (local == null || UnixNet.isUnnamed(UnixNet.checkAddress(local))) {
                        localAddress = UnixNet.UNNAMED;
                    } else {
                        int f = fd.acquire();
                        try {
                            uops.bind(f, local);
                            localAddress = uops.localAddress(f);
                        } finally {
                            fd.release();
                        }
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

    static final class Options {
        static final SocketOption<?> JDK_PEERCRED = jdkPeerCred();
        static final Set<SocketOption<?>> SET = build();

        private static SocketOption<?> jdkPeerCred() {
            try {
                return (SocketOption<?>) Class.forName("jdk.net.ExtendedSocketOptions").getField("SO_PEERCRED").get(null);
            } catch (ReflectiveOperationException | LinkageError e) {
                return null;
            }
        }

        private static Set<SocketOption<?>> build() {
            Set<SocketOption<?>> s = new HashSet<>();
            s.add(StandardSocketOptions.SO_SNDBUF);
            s.add(StandardSocketOptions.SO_RCVBUF);
            s.add(StandardSocketOptions.SO_LINGER);
            if (JDK_PEERCRED != null) s.add(JDK_PEERCRED);
            s.add(EdgewiseSocketOptions.SO_PEERCRED);
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
        if (name == EdgewiseSocketOptions.SO_PEERCRED || name == Options.JDK_PEERCRED) {
            throw new java.net.SocketException("Attempt to set read only option");
        }
        synchronized (stateLock) {
            ensureOpen();
            int f = fd.acquire();
            try {
                ops.setOption(f, SocketOps.INET, name, v);
            } finally {
                fd.release();
            }
        }
        return this;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Net.checkGetOption(Options.SET, name);
        synchronized (stateLock) {
            ensureOpen();
            int f = fd.acquire();
            try {
                if (name == EdgewiseSocketOptions.SO_PEERCRED) {
                    return (T) uops.peerCredentials(f);
                }
                if (name == Options.JDK_PEERCRED) {
                    return (T) UnixPrincipals.of(uops.peerCredentials(f));
                }
                return ops.getOption(f, SocketOps.INET, name);
            } finally {
                fd.release();
            }
        }
    }

    // ---- connection

    @Override
    public boolean isConnected() {
        return state == ST_CONNECTED;
    }

    @Override
    public boolean isConnectionPending() {
        return state == ST_CONNECTIONPENDING;
    }

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        SocketAddress target = UnixNet.checkAddress(remote);
        try {
            readLock.lock();
            try {
                writeLock.lock();
                try {
                    boolean blocking = isBlocking();
                    boolean connected = false;
                    try {
                        if (blocking) begin();
                        synchronized (stateLock) {
                            ensureOpen();
                            if (state == ST_CONNECTED) throw new AlreadyConnectedException();
                            if (state == ST_CONNECTIONPENDING) throw new ConnectionPendingException();
                            state = ST_CONNECTIONPENDING;
                            remoteAddress = target;
                            if (blocking) readWaiter = Waiter.acquire(ops);
                        }
                        connected = tryConnect(blocking);
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

    /** One connect attempt, or (blocking) attempts until connected or closed. */
    private boolean tryConnect(boolean blocking) throws IOException {
        int f = fd.acquire();
        try {
            for (;;) {
                int n = uops.connect(f, remoteAddress);
                if (n == 1) return true;
                if (!isOpen()) return false;
                if (n == SocketOps.UNAVAILABLE) {
                    if (!blocking) return false;
                    readWaiter.await(-1, 0, CONNECT_RETRY_MILLIS); // backlog full: sleep (close/interrupt wake), retry
                    if (!isOpen()) return false;
                }
            }
        } finally {
            fd.release();
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
                        localAddress = uops.localAddress(f);
                    } finally {
                        fd.release();
                    }
                }
            }
        } finally {
            if (blocking) end(completed);
        }
    }

    @Override
    public boolean finishConnect() throws IOException {
        try {
            readLock.lock();
            try {
                writeLock.lock();
                try {
                    if (isConnected()) return true;
                    ensureOpen();
                    boolean blocking = isBlocking();
                    boolean connected = false;
                    try {
                        if (blocking) begin();
                        synchronized (stateLock) {
                            ensureOpen();
                            if (state != ST_CONNECTIONPENDING) throw new NoConnectionPendingException();
                            if (blocking) readWaiter = Waiter.acquire(ops);
                        }
                        connected = tryConnect(blocking) && isOpen();
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

    /** Unsupported for Unix domain channels, as on the JDK. */
    @Override
    public Socket socket() {
        throw new UnsupportedOperationException("Not supported");
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

    private static boolean retry(long n) {
        return n == SocketOps.UNAVAILABLE || n == SocketOps.INTERRUPTED;
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        readLock.lock();
        try {
            ensureOpenAndConnected();
            boolean blocking = isBlocking();
            int n = 0;
            try {
                beginRead(blocking);
                if (isInputClosed) return -1;
                int f = fd.acquire();
                try {
                    n = BufferIO.read(ops, f, dst);
                    while (blocking && retry(n) && isOpen() && !isInputClosed) {
                        readWaiter.await(f, SocketOps.POLL_IN, -1);
                        n = BufferIO.read(ops, f, dst);
                    }
                } finally {
                    fd.release();
                }
            } finally {
                endRead(blocking, n > 0);
                if (n <= 0 && isInputClosed) return -1;
            }
            return retry(n) ? 0 : n;
        } finally {
            readLock.unlock();
        }
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
                if (isInputClosed) return -1;
                int f = fd.acquire();
                try {
                    n = BufferIO.read(ops, f, dsts, offset, length);
                    while (blocking && retry(n) && isOpen() && !isInputClosed) {
                        readWaiter.await(f, SocketOps.POLL_IN, -1);
                        n = BufferIO.read(ops, f, dsts, offset, length);
                    }
                } finally {
                    fd.release();
                }
            } finally {
                endRead(blocking, n > 0);
                if (n <= 0 && isInputClosed) return -1;
            }
            return retry(n) ? 0 : n;
        } finally {
            readLock.unlock();
        }
    }

    // ---- writes

    private void beginWrite(boolean blocking) throws IOException {
        if (blocking) begin();
        synchronized (stateLock) {
            ensureOpenAndConnected();
            if (isOutputClosed) throw new ClosedChannelException();
            if (blocking) writeWaiter = Waiter.acquire(ops);
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
                                if (!SocketChannelImpl.hasRemaining(srcs, offset, length)) break;
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
            return retry(n) ? 0 : n;
        } finally {
            writeLock.unlock();
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
        }
        synchronized (stateLock) {
            if (state != ST_CLOSING) return;
            if (!isRegistered()) {
                state = ST_CLOSED;
                fd.close();
            } else if (connected) {
                // a selector still holds the descriptor: let the peer see the close now
                try {
                    int f = fd.acquire();
                    try {
                        ops.shutdown(f, 1);
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
        if ((ops & (SelectionKey.OP_WRITE | SelectionKey.OP_CONNECT)) != 0) ev |= Poller.OUT;
        return ev;
    }

    @Override
    public int translateReadyOps(int events, int interest) {
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
