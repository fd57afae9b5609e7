package io.edgewise.channels;

import io.edgewise.EdgewiseSocketOptions;
import io.edgewise.sys.Platform;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.UnixOps;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

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
 * As in {@link StreamSocketChannel}, which also holds the reads, writes, shutdown and close.
 */
public final class UnixSocketChannelImpl extends StreamSocketChannel {
    /** How long a blocking connect waits before retrying when the listener's backlog is full. */
    private static final int CONNECT_RETRY_MILLIS = 5;

    private final UnixOps uops;

    public UnixSocketChannelImpl(SelectorProvider provider) throws IOException {
        super(provider, Platform.ops(), Platform.unixOps().socket(true), SocketOps.INET);
        this.uops = Platform.unixOps();
    }

    /** A connected channel for an accepted or inherited descriptor. */
    UnixSocketChannelImpl(SelectorProvider provider, SocketOps ops, int fdVal) throws IOException {
        super(provider, ops, fdVal, SocketOps.INET);
        this.uops = Platform.unixOps();
        try {
            this.localAddress = uops.localAddress(fdVal);
            this.remoteAddress = uops.remoteAddress(fdVal);
        } catch (IOException e) {
            fd.close();
            throw e;
        }
        this.state = ST_CONNECTED;
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
                unlockWrite();
            }
        } finally {
            readLock.unlock();
        }
        return this;
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
            if (Platform.unixOps().peerCredentialsSupported()) { // not on Windows, as the JDK
                if (JDK_PEERCRED != null) s.add(JDK_PEERCRED);
                s.add(EdgewiseSocketOptions.SO_PEERCRED);
            }
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
            if (name == EdgewiseSocketOptions.SO_PEERCRED || name == Options.JDK_PEERCRED) {
                throw new java.net.SocketException("SO_PEERCRED cannot be set ");   // the JDK's words, space included
            }
            T v = Net.optionValue(name, value);
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
                    return (T) peerCredentials(f);
                }
                if (name == Options.JDK_PEERCRED) {
                    return (T) UnixPrincipals.of(peerCredentials(f));
                }
                return ops.getOption(f, SocketOps.INET, name);
            } finally {
                fd.release();
            }
        }
    }

    /** The peer's credentials; without a peer (unconnected: uid -1) a SocketException, as the JDK's. */
    private io.edgewise.PeerCredentials peerCredentials(int f) throws IOException {
        io.edgewise.PeerCredentials c = uops.peerCredentials(f);
        if (c.uid() == -1) {
            throw new java.net.SocketException("get SO_PEERCRED failed");
        }
        return c;
    }

    // ---- connection

    @Override
    public boolean connect(SocketAddress remote) throws IOException {
        SocketAddress target = UnixNet.checkAddress(remote);
        return connectStep(() -> {
            if (JdkBehaviour.CLOSED_CHECK_BEFORE_BEGIN) {
                ensureOpen();
            }
            boolean blocking = isBlocking();
            boolean connected = false;
            try {
                beginConnect(blocking, target);
                int f = fd.acquire();
                try {
                    connected = completeConnect(f, blocking);
                } finally {
                    fd.release();
                }
            } finally {
                endConnect(blocking, connected);
            }
            return connected;
        });
    }

    /** One connect attempt, or (blocking) attempts until connected or closed. */
    @Override
    boolean completeConnect(int f, boolean blocking) throws IOException {
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
    }

    /** A Unix-domain socket's poll ignores its own output shutdown: a blocked writer needs a waiter signal. */
    @Override
    boolean shutdownWakesWriter() {
        return false;
    }

    @Override
    SocketAddress queryLocalAddress(int f) throws IOException {
        return uops.localAddress(f);
    }

    /** Unsupported for Unix domain channels, as on the JDK. */
    @Override
    public Socket socket() {
        throw new UnsupportedOperationException("Not supported");
    }
}
