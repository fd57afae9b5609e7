package io.edgewise.channels;

import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/**
 * A listening TCP {@link ServerSocketChannel}; accepted channels are non-blocking descriptors in
 * blocking mode, as the JDK's are.
 *
 * <h2>Locks</h2>
 * {@link ListeningChannel}'s; {@code stateLock} also guards {@code socket}. Close in non-blocking
 * mode waits for an accept in progress; close in blocking mode signals it instead.
 */
public final class ServerSocketChannelImpl extends ListeningChannel {
    private final int family;
    private ServerSocketAdaptor socket;

    public ServerSocketChannelImpl(SelectorProvider provider, SocketOps ops, int family) throws IOException {
        super(provider, ops, ops.socket(family, true), family, true);
        this.family = family;
        try {
            ops.setOption(fdVal(), family, StandardSocketOptions.SO_REUSEADDR, Boolean.TRUE);
        } catch (IOException e) {
            fd.close();
            throw e;
        }
    }

    /** A channel for an existing listening descriptor (System.inheritedChannel). */
    ServerSocketChannelImpl(SelectorProvider provider, SocketOps ops, int family, int fd) throws IOException {
        super(provider, ops, fd, family, true);
        this.family = family;
        try {
            this.localAddress = ops.localAddress(fd);
        } catch (IOException e) {
            this.fd.close();
            throw e;
        }
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
            core.ensureOpen();
            if (localAddress != null) throw new AlreadyBoundException();
            InetSocketAddress isa = Security.checkListen(local == null ? Net.anyLocal(family) : Net.checkAddress(local, family));
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

    InetSocketAddress localAddressUnchecked() {
        return (InetSocketAddress) localAddress;
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
    public SocketChannel accept() throws IOException {
        return accept(-1);
    }

    /** Accept; {@code timeoutMillis} (> 0) bounds a blocking accept (adaptor's SO_TIMEOUT). */
    SocketChannel accept(int timeoutMillis) throws IOException {
        core.ioLock.lock();
        try {
            InetSocketAddress[] remote = new InetSocketAddress[1];
            int nfd = acceptDescriptor(f -> ops.accept(f, family, remote), timeoutMillis);
            if (nfd < 0) {
                return null;
            }
            Security.checkAccept(remote[0], ops, nfd);
            // on failure the constructor has already closed nfd (its FdHandle owns it)
            return new SocketChannelImpl(provider(), ops, family, nfd, remote[0]);
        } finally {
            core.ioLock.unlock();
        }
    }
}
