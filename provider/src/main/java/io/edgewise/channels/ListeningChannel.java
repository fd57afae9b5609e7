package io.edgewise.channels;

import io.edgewise.sys.PollEvents;
import io.edgewise.backend.Poller;
import io.edgewise.observe.ChannelTrace;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * What a TCP ({@link ServerSocketChannelImpl}) and a Unix domain ({@link UnixServerSocketChannelImpl})
 * listening channel share, as in the JDK, where one class serves both: the descriptor and its
 * {@link ChannelCore}, the local address, options, the blocking accept, close and the selector's
 * view. The subclasses add bind, their option set, the accept call and the channel it yields.
 *
 * <h2>Locks</h2>
 * Those of {@code core} ({@code fd} and {@code stateLock} here are the core's): {@code core.ioLock}
 * serializes accepts; {@code stateLock} guards the core's {@code state} and {@code waiter},
 * {@code localAddress} (volatile, so the selector and adaptor read it without the lock) and the
 * subclass fields they name. Order: ioLock → stateLock.
 */
abstract class ListeningChannel extends ServerSocketChannel implements SelChannel {
    /** One non-blocking accept on the acquired descriptor: the new descriptor or a SocketOps status. */
    @FunctionalInterface
    interface AcceptCall {
        int accept(int f) throws IOException;
    }

    final SocketOps ops;
    final ChannelCore core;
    final FdHandle fd;
    final Object stateLock;
    volatile SocketAddress localAddress;
    /** The family {@link SocketOps} option calls take for this channel. */
    private final int optionFamily;

    /** Takes ownership of {@code fdVal}, a non-blocking stream socket; see {@link ChannelCore} for {@code waitsForIoOnClose}. */
    ListeningChannel(SelectorProvider provider, SocketOps ops, int fdVal, int optionFamily, boolean waitsForIoOnClose) {
        super(provider);
        this.ops = ops;
        this.core = new ChannelCore(this, ops, fdVal, waitsForIoOnClose);
        this.fd = core.fd;
        this.stateLock = core.stateLock;
        this.optionFamily = optionFamily;
    }

    @Override
    public final SocketAddress getLocalAddress() throws IOException {
        synchronized (stateLock) {
            core.ensureOpen();
            return Security.revealed(localAddress);
        }
    }

    @Override
    public final <T> ServerSocketChannel setOption(SocketOption<T> name, T value) throws IOException {
        Net.checkOption(supportedOptions(), name, value);
        synchronized (stateLock) {
            core.ensureOpen();
            T v = Net.optionValue(name, value);
            int f = fd.acquire();
            try {
                ops.setOption(f, optionFamily, name, v);
            } finally {
                fd.release();
            }
        }
        return this;
    }

    @Override
    public final <T> T getOption(SocketOption<T> name) throws IOException {
        Net.checkGetOption(supportedOptions(), name);
        synchronized (stateLock) {
            core.ensureOpen();
            int f = fd.acquire();
            try {
                return ops.getOption(f, optionFamily, name);
            } finally {
                fd.release();
            }
        }
    }

    /**
     * Under {@code core.ioLock}: {@code NotYetBoundException} while unbound; in blocking mode waits
     * until a connection comes, the channel closes, or {@code timeoutMillis} (> 0; -1: none) passes.
     * The accepted descriptor, or a negative {@link SocketOps} status.
     */
    final int acceptDescriptor(AcceptCall call, int timeoutMillis) throws IOException {
        assert core.ioLock.isHeldByCurrentThread();
        if (timeoutMillis < 0 && JdkBehaviour.CLOSED_CHECK_BEFORE_BEGIN) {
            core.ensureOpen();   // accept() only: the adaptor's timed accept still begins first
        }
        boolean blocking = isBlocking();
        int nfd = SocketOps.UNAVAILABLE;
        Object event = core.trace.beginAccept();
        try {
            if (blocking) begin();
            synchronized (stateLock) {
                core.ensureOpen();
                if (localAddress == null) throw new NotYetBoundException();
                if (blocking) core.waiter = Waiter.acquire(Waiter.of(ops), true);
            }
            int f = fd.acquire();
            try {
                nfd = call.accept(f);
                if (blocking) {
                    long deadline = StreamSocketChannel.deadline(timeoutMillis);
                    while (nfd < 0 && isOpen()) {
                        int wait = StreamSocketChannel.remainingMillis(deadline);
                        if (wait == 0) throw new SocketTimeoutException("Accept timed out");
                        core.waiter.await(f, PollEvents.IN, wait);
                        nfd = call.accept(f);
                    }
                }
            } finally {
                fd.release();
            }
        } finally {
            if (blocking) {
                core.endBlocking();
                end(nfd >= 0);
            }
        }
        if (nfd == SocketOps.UNAVAILABLE) core.trace.acceptDrained();
        if (nfd >= 0 && event != null) core.trace.endAccept(event, blocking, localAddress, peerOf(nfd));
        return nfd;
    }

    /** The peer of an accepted TCP descriptor, for the Accept event only (one getpeername). */
    private Object peerOf(int nfd) {
        try {
            return localAddress instanceof java.net.InetSocketAddress ? ops.remoteAddress(nfd) : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @Override
    protected final void implConfigureBlocking(boolean block) throws IOException {
        core.configureBlocking();
    }

    @Override
    protected final void implCloseSelectableChannel() throws IOException {
        core.close(isRegistered(), isBlocking());
    }

    @Override
    public final void kill() {
        core.kill();
    }

    @Override
    public final ChannelTrace trace() {
        return core.trace;
    }

    // ---- selector support

    @Override
    public final int fdVal() {
        return core.fdVal;
    }

    @Override
    public final int translateInterestOps(int ops) {
        return (ops & SelectionKey.OP_ACCEPT) != 0 ? Poller.IN : 0;
    }

    @Override
    public final int translateReadyOps(int events, int interest) {
        if ((events & (Poller.ERR | Poller.HUP)) != 0) {
            return interest;
        }
        return (events & Poller.IN) != 0 && (interest & SelectionKey.OP_ACCEPT) != 0 ? SelectionKey.OP_ACCEPT : 0;
    }

    @Override
    public final String toString() {
        StringBuilder sb = new StringBuilder(ServerSocketChannel.class.getName()).append('[');
        if (!isOpen()) {
            sb.append("closed");
        } else {
            SocketAddress la = localAddress;
            sb.append(la == null ? "unbound" : la.toString());
        }
        return sb.append(']').toString();
    }
}
