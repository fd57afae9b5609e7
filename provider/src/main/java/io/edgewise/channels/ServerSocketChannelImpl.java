package io.edgewise.channels;

import io.edgewise.backend.Poller;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
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
 * A listening TCP {@link ServerSocketChannel}; accepted channels are non-blocking descriptors in
 * blocking mode, as the JDK's are.
 *
 * <h2>Locks</h2>
 * {@code acceptLock} serializes accepts; {@code stateLock} guards {@code state}, {@code localAddress},
 * {@code waiter} and {@code socket}. Order: acceptLock → stateLock.
 */
public final class ServerSocketChannelImpl extends ServerSocketChannel implements SelChannel {
    private static final int ST_INUSE = 0, ST_CLOSING = 1, ST_CLOSED = 2;

    private final SocketOps ops;
    private final int family;
    private final FdHandle fd;
    private final int fdVal;
    private final ReentrantLock acceptLock = new ReentrantLock();
    private final Object stateLock = new Object();
    private int state;
    private volatile InetSocketAddress localAddress;
    private Waiter waiter;
    private ServerSocketAdaptor socket;

    public ServerSocketChannelImpl(SelectorProvider provider, SocketOps ops, int family) throws IOException {
        super(provider);
        this.ops = ops;
        this.family = family;
        this.fdVal = ops.socket(family, true);
        this.fd = new FdHandle(ops, fdVal);
        try {
            ops.setOption(fdVal, family, StandardSocketOptions.SO_REUSEADDR, Boolean.TRUE);
        } catch (IOException e) {
            fd.close();
            throw e;
        }
    }

    /** A channel for an existing listening descriptor (System.inheritedChannel). */
    ServerSocketChannelImpl(SelectorProvider provider, SocketOps ops, int family, int fd) throws IOException {
        super(provider);
        this.ops = ops;
        this.family = family;
        this.fdVal = fd;
        this.fd = new FdHandle(ops, fd);
        try {
            this.localAddress = ops.localAddress(fd);
        } catch (IOException e) {
            this.fd.close();
            throw e;
        }
    }

    private void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) throw new ClosedChannelException();
    }

    @Override
    public ServerSocket socket() {
        synchronized (stateLock) {
            if (socket == null) socket = ServerSocketAdaptor.create(this);
            return socket;
        }
    }

    @Override
    public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        synchronized (stateLock) {
            ensureOpen();
            if (localAddress != null) throw new AlreadyBoundException();
            InetSocketAddress isa = local == null ? Net.anyLocal(family) : Net.checkAddress(local, family);
            int f = fd.acquire();
            try {
                ops.bind(f, family, isa);
                ops.listen(f, backlog < 1 ? 50 : backlog);
                localAddress = ops.localAddress(f);
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

    InetSocketAddress localAddressUnchecked() {
        return localAddress;
    }

    boolean isBound() {
        return localAddress != null;
    }

    private static final class Options {
        static final Set<SocketOption<?>> SET = build();

        private static Set<SocketOption<?>> build() {
            Set<SocketOption<?>> s = new HashSet<>();
            s.add(StandardSocketOptions.SO_RCVBUF);
            s.add(StandardSocketOptions.SO_REUSEADDR);
            s.add(StandardSocketOptions.SO_REUSEPORT);
            s.addAll(io.edgewise.sys.Platform.ops().extendedOptions(true, true));
            return Collections.unmodifiableSet(s);
        }
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
                ops.setOption(f, family, name, v);
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
                return ops.getOption(f, family, name);
            } finally {
                fd.release();
            }
        }
    }

    @Override
    public SocketChannel accept() throws IOException {
        return accept(-1);
    }

    /** Accept; {@code timeoutMillis} (> 0) bounds a blocking accept (adaptor's SO_TIMEOUT). */
    SocketChannel accept(int timeoutMillis) throws IOException {
        acceptLock.lock();
        try {
            boolean blocking = isBlocking();
            int nfd = SocketOps.UNAVAILABLE;
            InetSocketAddress[] remote = new InetSocketAddress[1];
            try {
                if (blocking) begin();
                synchronized (stateLock) {
                    ensureOpen();
                    if (localAddress == null) throw new NotYetBoundException();
                    if (blocking) waiter = Waiter.acquire(ops);
                }
                int f = fd.acquire();
                try {
                    nfd = ops.accept(f, family, remote);
                    if (blocking) {
                        long deadline = SocketChannelImpl.deadline(timeoutMillis);
                        while (nfd < 0 && isOpen()) {
                            int wait = SocketChannelImpl.remainingMillis(deadline);
                            if (wait == 0) throw new SocketTimeoutException("Accept timed out");
                            waiter.await(f, SocketOps.POLL_IN, wait);
                            nfd = ops.accept(f, family, remote);
                        }
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
            // on failure the constructor has already closed nfd (its FdHandle owns it)
            return new SocketChannelImpl(provider(), ops, family, nfd, remote[0]);
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
        if (!isBlocking()) {   // never wait for a blocked accept (JDK 17 interrupt deadlock; FdHandle defers the close)
            acceptLock.lock();
            acceptLock.unlock();
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
        acceptLock.lock();
        acceptLock.unlock();
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
            InetSocketAddress la = localAddress;
            sb.append(la == null ? "unbound" : la.toString());
        }
        return sb.append(']').toString();
    }
}
