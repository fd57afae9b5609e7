package io.edgewise.channels;

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
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;

/**
 * A listening Unix domain {@link ServerSocketChannel} with the JDK's semantics: {@code bind(null)}
 * picks a path in the temporary directory, the empty path is a {@code BindException}, the socket file
 * stays after close (the application deletes it), {@link #socket()} is unsupported. Accepted channels
 * are {@link UnixSocketChannelImpl}s in blocking mode.
 *
 * <h2>Locks</h2>
 * {@link ListeningChannel}'s.
 *
 * <p>{@code close} does not wait for operations in progress: a blocking one holds its lock until
 * {@code end()}, which would deadlock with an interrupting thread running the close. It signals their
 * waiters instead; {@link FdHandle} defers the real {@code close(2)} until the last call has left.
 */
public final class UnixServerSocketChannelImpl extends ListeningChannel {
    private final UnixOps uops;

    public UnixServerSocketChannelImpl(SelectorProvider provider) throws IOException {
        super(provider, Platform.ops(), Platform.unixOps().socket(true), SocketOps.INET, false);
        this.uops = Platform.unixOps();
    }

    /** A channel for an inherited listening descriptor. */
    UnixServerSocketChannelImpl(SelectorProvider provider, SocketOps ops, int fdVal) throws IOException {
        super(provider, ops, fdVal, SocketOps.INET, false);
        this.uops = Platform.unixOps();
        try {
            this.localAddress = uops.localAddress(fdVal);
        } catch (IOException e) {
            fd.close();
            throw e;
        }
    }

    /** Unsupported for Unix domain channels, as on the JDK. */
    @Override
    public ServerSocket socket() {
        throw new UnsupportedOperationException("Not supported");
    }

    @Override
    public ServerSocketChannel bind(SocketAddress local, int backlog) throws IOException {
        synchronized (stateLock) {
            core.ensureOpen();
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

    private static final class Options {
        static final Set<SocketOption<?>> SET = Collections.unmodifiableSet(new HashSet<>(
                java.util.List.of(StandardSocketOptions.SO_RCVBUF)));
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Options.SET;
    }

    @Override
    public SocketChannel accept() throws IOException {
        core.ioLock.lock();
        try {
            int nfd = acceptDescriptor(uops::accept, -1);
            if (nfd < 0) {
                return null;
            }
            return new UnixSocketChannelImpl(provider(), ops, nfd);
        } finally {
            core.ioLock.unlock();
        }
    }
}
