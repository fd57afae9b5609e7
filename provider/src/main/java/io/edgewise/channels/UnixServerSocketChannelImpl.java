package io.edgewise.channels;

import io.edgewise.backend.Poller;
import io.edgewise.sys.Platform;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.UnixOps;
import java.io.IOException;
import java.net.BindException;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A listening Unix domain {@link ServerSocketChannel} with the JDK's semantics: {@code bind(null)}
 * picks a path in the temporary directory, the empty path is a {@code BindException}, the socket file
 * stays after close (the application deletes it), {@link #socket()} is unsupported. Accepted channels
 * are {@link UnixSocketChannelImpl}s in blocking mode.
 *
 * <h2>Locks</h2>
 * {@code acceptLock} serializes accepts; {@code stateLock} guards {@code state}, {@code localAddress}
 * and {@code waiter}. Order: acceptLock → stateLock.
 *
 * <p>{@code close} does not wait for operations in progress: a blocking one holds its lock until
 * {@code end()}, which would deadlock with an interrupting thread running the close. It signals their
 * waiters instead; {@link FdHandle} defers the real {@code close(2)} until the last call has left.
 */
public final class UnixServerSocketChannelImpl extends ServerSocketChannel implements SelChannel {
    private static final int ST_INUSE = 0, ST_CLOSING = 1, ST_CLOSED = 2;

    private final SocketOps ops;
    private final UnixOps uops;
    private final FdHandle fd;
    private final int fdVal;
    private final ReentrantLock acceptLock = new ReentrantLock();
    private final Object stateLock = new Object();
    private int state;
    private volatile SocketAddress localAddress;
    private Waiter waiter;

    public UnixServerSocketChannelImpl(SelectorProvider provider) throws IOException {
        super(provider);
        this.ops = Platform.ops();
        this.uops = Platform.unixOps();
        this.fdVal = uops.socket(true);
        this.fd = new FdHandle(ops, fdVal);
    }

    /** A channel for an inherited listening descriptor. */
    UnixServerSocketChannelImpl(SelectorProvider provider, SocketOps ops, int fdVal) throws IOException {
        super(provider);
        this.ops = ops;
        this.uops = Platform.unixOps();
        this.fdVal = fdVal;
        this.fd = new FdHandle(ops, fdVal);
        try {
            this.localAddress = uops.localAddress(fdVal);
        } catch (IOException e) {
            fd.close();
            throw e;
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) throw new ClosedChannelException();
    }

    /** Unsupported for Unix domain channels, as on the JDK. */
    @Override
    public ServerSocket socket() {
        throw new UnsupportedOperationException("Not supported");
    }

    @Override
    public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (localAddress != null) throw new AlreadyBoundException();
            int f = fd.acquire();
            try {
                if (local == null) {
                    UnixNet.bindTemp(sa -> uops.bind(f, sa));
                } else {
                    if (UnixNet.isUnnamed(UnixNet.checkAddress(local))) {
                        throw new BindException("Server socket cannot bind to unnamed address");
                    }
                    uops.bind(f, local);
                }
                ops.listen(f, backlog < 1 ? 50 : backlog);
                localAddress = uops.localAddress(f);
            } finally {
                fd.release();
            }
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

    private static final class Options {
        static final Set<SocketOption<?>> SET = Collections.unmodifiableSet(new HashSet<>(
                java.util.List.of(StandardSocketOptions.SO_RCVBUF)));
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Options.SET;
    }

    @Override
    public <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        @SuppressWarnings("unchecked")
        T v = (T) Net.checkOption(Options.SET, name, value);
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
    public <T> T getOption(SocketOption<T> name) throws IOException {
        Net.checkGetOption(Options.SET, name);
        synchronized (stateLock) {
            ensureOpen();
            int f = fd.acquire();
            try {
                return ops.getOption(f, SocketOps.INET, name);
            } finally {
                fd.release();
            }
        }
    }

    @Override
    public SocketChannel accept() throws IOException {
        acceptLock.lock();
        try {
            boolean blocking = isBlocking();
            int nfd = SocketOps.UNAVAILABLE;
            try {
                if (blocking) begin();
                synchronized (stateLock) {
                    ensureOpen();
                    if (localAddress == null) throw new NotYetBoundException();
                    if (blocking) waiter = Waiter.acquire(ops);
                }
                int f = fd.acquire();
                try {
                    nfd = uops.accept(f);
                    while (blocking && nfd < 0 && isOpen()) {
                        waiter.await(f, SocketOps.POLL_IN, -1);
                        nfd = uops.accept(f);
                    }
                } finally {
                    fd.release();
                }
            } finally {
                if (blocking) {
                    synchronized (stateLock) {
                        if (waiter != null) {
                            waiter.release();
                            waiter = null;
                        }
                    }
                    end(nfd >= 0);
                }
            }
            if (nfd < 0) {
                return null;
            }
            return new UnixSocketChannelImpl(provider(), ops, nfd);
        } finally {
            acceptLock.unlock();
        }
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        acceptLock.lock();
        try {
            synchronized (stateLock) {
                ensureOpen();
            }
        } finally {
            acceptLock.unlock();
        }
    }

    @Override
    protected void implCloseSelectableChannel() throws IOException {
        synchronized (stateLock) {
            state = ST_CLOSING;
            if (waiter != null) waiter.signal();
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

    @Override
    public int fdVal() {
        return fdVal;
    }

    @Override
    public int translateInterestOps(int ops) {
        return (ops & SelectionKey.OP_ACCEPT) != 0 ? Poller.IN : 0;
    }

    @Override
    public int translateReadyOps(int events, int interest) {
        if ((events & (Poller.ERR | Poller.HUP)) != 0) {
            return interest;
        }
        return (events & Poller.IN) != 0 && (interest & SelectionKey.OP_ACCEPT) != 0 ? SelectionKey.OP_ACCEPT : 0;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(getClass().getSuperclass().getName()).append('[');
        if (!isOpen()) {
            sb.append("closed");
        } else {
            SocketAddress la = localAddress;
            sb.append(la == null ? "unbound" : la.toString());
        }
        return sb.append(']').toString();
    }
}
