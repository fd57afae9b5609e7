package io.edgewise.channels;

import io.edgewise.sys.PollEvents;
import io.edgewise.sys.PrivateOptions;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/**
 * A TCP {@link SocketChannel}: addresses, options, connect (with {@code ASYNC_RESOLVE}) and the
 * {@link SocketAdaptor}; reads, writes, shutdown and close are {@link StreamSocketChannel}'s.
 *
 * <h2>Locks</h2>
 * As in {@link StreamSocketChannel} (readLock → writeLock → stateLock); {@code stateLock} also
 * guards {@code socket}, {@code asyncConnect} changes and {@code optionsSet}.
 */
public final class SocketChannelImpl extends StreamSocketChannel {
    private final int family;
    private SocketAdaptor socket;

    // ASYNC_RESOLVE (see AsyncConnect): the option, the connect in progress, options to carry over
    // to the winning socket (guarded by stateLock), and the channel's keys
    private volatile boolean asyncResolve;

    /** Whether ASYNC_RESOLVE is on: an unresolved address is then the channel's to resolve. */
    boolean asyncResolve() {
        return asyncResolve;
    }
    private volatile AsyncConnect asyncConnect;
    // both made on first use, and only before the channel is connected (an accepted channel never
    // has them): most channels never connect with ASYNC_RESOLVE, and these were a fifth of a
    // connection's heap (HeapPerConnectionTest)
    private java.util.Map<SocketOption<?>, Object> optionsSet; // guarded by stateLock
    private AsyncConnect.Keys keys; // guarded by stateLock

    /** An unconnected channel. */
    public SocketChannelImpl(SelectorProvider provider, SocketOps ops, int family) throws IOException {
        super(provider, ops, ops.socket(family, true), family);
        this.family = family;
    }

    /** A channel for an accepted connection. */
    SocketChannelImpl(SelectorProvider provider, SocketOps ops, int family, int fd, InetSocketAddress remote)
            throws IOException {
        super(provider, ops, fd, family);
        this.family = family;
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
                    InetSocketAddress isa = Security.checkListen(local == null ? Net.anyLocal(family) : Net.checkAddress(local, family));
                    int f = fd.acquire();
                    try {
                        ops.bind(f, family, isa);
                        localAddress = ops.localAddress(f);
                    } finally {
                        fd.release();
                    }
                }
            } finally {
                unlockWrite();
            }
        } finally {
            readLock.unlock();
        }
        return this;
    }

    /** Local address without the open check, for the adaptor. */
    InetSocketAddress localAddressUnchecked() {
        synchronized (stateLock) {
            return (InetSocketAddress) localAddress;
        }
    }

    InetSocketAddress remoteAddressUnchecked() {
        return (InetSocketAddress) remoteAddress;
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
            if (io.edgewise.backend.Backends.hasReadyPoller()) {
                // the connect attempts are watched by the backend's ready poller; a backend without
                // one (IOCP today) does not offer the option, so setOption refuses it clearly
                s.add(io.edgewise.EdgewiseSocketOptions.ASYNC_RESOLVE);
            }
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
        Net.checkOption(Options.SET, name, value);
        synchronized (stateLock) {
            ensureOpen();
            T v = Net.optionValue(name, value);
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
                if (optionsSet == null) optionsSet = new java.util.LinkedHashMap<>();
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

    // ---- connect

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
     * from JDK 23 on ({@link JdkBehaviour#CLOSED_CHECK_BEFORE_BEGIN}; before, a blocking one throws
     * AsynchronousCloseException); the adaptor's blocking connect throws AsynchronousCloseException on
     * every version, as the JDK's.
     */
    private boolean connect(SocketAddress remote, int timeoutMillis, boolean checkOpenFirst) throws IOException {
        if (asyncResolve && remote instanceof InetSocketAddress && ((InetSocketAddress) remote).isUnresolved()) {
            return connectUnresolved((InetSocketAddress) remote, timeoutMillis, checkOpenFirst);
        }
        InetSocketAddress isa = Net.connectTarget(Security.checkConnect(Net.checkAddress(remote, family)));
        return connectStep(() -> {
            if (checkOpenFirst && JdkBehaviour.CLOSED_CHECK_BEFORE_BEGIN) {
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
                            readWaiter.await(f, PollEvents.OUT, wait);
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
        });
    }

    @Override
    SocketAddress queryLocalAddress(int f) throws IOException {
        return ops.localAddress(f);
    }

    @Override
    boolean completeConnect(int f, boolean blocking) throws IOException {
        boolean connected = ops.finishConnect(f);
        while (blocking && !connected && isOpen()) {
            readWaiter.await(f, PollEvents.OUT, -1);
            if (isOpen()) connected = ops.finishConnect(f);
        }
        return connected;
    }

    @Override
    boolean beforeFinishConnect() throws IOException {
        return asyncConnect == null || finishAsync();
    }

    @Override
    boolean watching() {
        AsyncConnect ac = asyncConnect;
        return ac == null || ac.watching(); // ASYNC_RESOLVE: the descriptor is not the connection yet
    }

    @Override
    void closing() {
        assert Thread.holdsLock(stateLock);
        AsyncConnect ac = asyncConnect;
        if (ac != null) ac.cancel(); // no resolution result or attempt outlives the channel
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

    // ---- for the adaptor

    int available() throws IOException {
        int f = fd.acquire();
        try {
            int held = queuedInput(); // level 2: received into the ring, no longer in the kernel's queue
            int kernel = ops.available(f);
            return (int) Math.min(Integer.MAX_VALUE, (long) held + kernel);
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
            unlockWrite();
        }
    }

    // ---- ASYNC_RESOLVE hook (io.edgewise.EdgewiseSocketOptions; the mechanics are in AsyncConnect)

    FdHandle fdHandle() {
        return fd;
    }

    @Override
    public int fdGeneration() {
        return fd.generation();
    }

    @Override
    public void keyRegistered(SelectionKey k) {
        super.keyRegistered(k);
        AsyncConnect.Keys ks;
        synchronized (stateLock) {
            if (state >= ST_CONNECTED) {
                return; // connected or closed: no ASYNC_RESOLVE connect can come, nothing to requeue
            }
            ks = keys;
            if (ks == null) keys = ks = new AsyncConnect.Keys();
        }
        ks.add(k);
    }

    java.util.List<SelectionKey> keysSnapshot() {
        AsyncConnect.Keys ks;
        synchronized (stateLock) {
            ks = keys;
        }
        return ks == null ? java.util.List.of() : ks.snapshot();
    }

    /** connect(unresolved) with ASYNC_RESOLVE: non-blocking returns false at once; blocking waits. */
    private boolean connectUnresolved(InetSocketAddress isa, int timeoutMillis, boolean checkOpenFirst) throws IOException {
        return connectStep(() -> {
            if (checkOpenFirst && JdkBehaviour.CLOSED_CHECK_BEFORE_BEGIN) ensureOpen();
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
                            localAddress != null, optionsSet != null ? optionsSet : java.util.Map.of());
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
        });
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
}
