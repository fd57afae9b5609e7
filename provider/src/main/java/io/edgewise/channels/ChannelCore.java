package io.edgewise.channels;

import io.edgewise.backend.Poller;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The descriptor, locks, waiter and close protocol of a channel whose I/O is serialized by one lock:
 * the pipe ends ({@link PipeEnd} extends this) and the listening channels
 * ({@link ServerSocketChannelImpl} and {@link UnixServerSocketChannelImpl} each hold one). The owner
 * extends a JDK channel class and hands over its {@code begin()} and {@code end(boolean)}, which are
 * protected there.
 *
 * <h2>Locks</h2>
 * {@code ioLock} serializes the owner's reads, writes or accepts; {@code stateLock} guards
 * {@code state} and {@code waiter} (and the owner fields its class comment names).
 * Order: ioLock → stateLock.
 *
 * <p>{@code close} never waits for a blocked operation (its {@code end()} would deadlock with an
 * interrupting thread running the close); it signals the waiter instead and {@link FdHandle} defers
 * the real {@code close(2)}. With {@code waitsForIoOnClose}, close in non-blocking mode and
 * {@link #kill} first wait for the (short) operation in progress to leave.
 */
class ChannelCore {
    static final int ST_INUSE = 0, ST_CLOSING = 1, ST_CLOSED = 2;

    /** The owner's {@code end(boolean)}. */
    @FunctionalInterface
    interface EndHook {
        void end(boolean completed) throws AsynchronousCloseException;
    }

    /** One non-blocking accept on the acquired descriptor: the new descriptor or a SocketOps status. */
    @FunctionalInterface
    interface AcceptCall {
        int accept(int f) throws IOException;
    }

    final SocketOps ops;
    final FdHandle fd;
    final int fdVal;
    final ReentrantLock ioLock = new ReentrantLock();
    final Object stateLock = new Object();
    int state;
    Waiter waiter;

    final AbstractSelectableChannel channel;
    final Runnable begin;
    final EndHook end;
    private final boolean waitsForIoOnClose;

    ChannelCore(AbstractSelectableChannel channel, Runnable begin, EndHook end, SocketOps ops, int fd,
                boolean waitsForIoOnClose) {
        this.channel = channel;
        this.begin = begin;
        this.end = end;
        this.ops = ops;
        this.fdVal = fd;
        this.fd = new FdHandle(ops, fd);
        this.waitsForIoOnClose = waitsForIoOnClose;
    }

    void ensureOpen() throws ClosedChannelException {
        if (!channel.isOpen()) throw new ClosedChannelException();
    }

    /** Under ioLock: registers this thread's waiter for a blocking operation. */
    void beginBlocking(boolean open) throws IOException {
        synchronized (stateLock) {
            if (!open) throw new ClosedChannelException();
            waiter = Waiter.acquire(ops);
        }
    }

    void endBlocking() {
        synchronized (stateLock) {
            if (waiter != null) {
                waiter.release();
                waiter = null;
            }
        }
    }

    /**
     * A listening owner's accept, under ioLock: {@code NotYetBoundException} unless {@code bound};
     * in blocking mode waits until a connection comes, the channel closes, or {@code timeoutMillis}
     * (> 0; -1: none) passes. The accepted descriptor, or a negative {@link SocketOps} status.
     */
    int accept(AcceptCall call, int timeoutMillis, BooleanSupplier bound) throws IOException {
        boolean blocking = channel.isBlocking();
        int nfd = SocketOps.UNAVAILABLE;
        try {
            if (blocking) begin.run();
            synchronized (stateLock) {
                ensureOpen();
                if (!bound.getAsBoolean()) throw new NotYetBoundException();
                if (blocking) waiter = Waiter.acquire(ops);
            }
            int f = fd.acquire();
            try {
                nfd = call.accept(f);
                if (blocking) {
                    long deadline = StreamSocketChannel.deadline(timeoutMillis);
                    while (nfd < 0 && channel.isOpen()) {
                        int wait = StreamSocketChannel.remainingMillis(deadline);
                        if (wait == 0) throw new SocketTimeoutException("Accept timed out");
                        waiter.await(f, SocketOps.POLL_IN, wait);
                        nfd = call.accept(f);
                    }
                }
            } finally {
                fd.release();
            }
        } finally {
            if (blocking) {
                endBlocking();
                end.end(nfd >= 0);
            }
        }
        return nfd;
    }

    /** setOption for an owner whose options all go through {@link SocketOps} at {@code family}'s level. */
    <T> void setOption(Set<SocketOption<?>> supported, int family, SocketOption<T> name, T value) throws IOException {
        @SuppressWarnings("unchecked")
        T v = (T) Net.checkOption(supported, name, value);
        synchronized (stateLock) {
            ensureOpen();
            int f = fd.acquire();
            try {
                ops.setOption(f, family, name, v);
            } finally {
                fd.release();
            }
        }
    }

    <T> T getOption(Set<SocketOption<?>> supported, int family, SocketOption<T> name) throws IOException {
        Net.checkGetOption(supported, name);
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

    /** implConfigureBlocking: waits for the I/O in progress; the descriptor stays non-blocking. */
    void configureBlocking() throws ClosedChannelException {
        ioLock.lock();
        try {
            synchronized (stateLock) {
                ensureOpen();
            }
        } finally {
            ioLock.unlock();
        }
    }

    /** implCloseSelectableChannel: signal, perhaps wait for I/O in progress, close unless registered. */
    void close(boolean registered, boolean blocking) {
        synchronized (stateLock) {
            state = ST_CLOSING;
            if (waiter != null) waiter.signal();
        }
        if (waitsForIoOnClose && !blocking) {
            ioLock.lock();
            ioLock.unlock();
        }
        synchronized (stateLock) {
            if (state == ST_CLOSING && !registered) {
                state = ST_CLOSED;
                fd.close();
            }
        }
    }

    /** SelChannel.kill: closes the descriptor of a closed channel that is no longer registered. */
    void kill() {
        if (waitsForIoOnClose) {
            ioLock.lock();
            ioLock.unlock();
        }
        synchronized (stateLock) {
            if (state == ST_CLOSING) {
                state = ST_CLOSED;
                fd.close();
            }
        }
    }

    /** A listener's translateInterestOps: OP_ACCEPT waits for input. */
    static int acceptInterestOps(int ops) {
        return (ops & SelectionKey.OP_ACCEPT) != 0 ? Poller.IN : 0;
    }

    /** A listener's translateReadyOps. */
    static int acceptReadyOps(int events, int interest) {
        if ((events & (Poller.ERR | Poller.HUP)) != 0) {
            return interest;
        }
        return (events & Poller.IN) != 0 && (interest & SelectionKey.OP_ACCEPT) != 0 ? SelectionKey.OP_ACCEPT : 0;
    }

    /** A listener's toString: its JDK type, then closed, unbound or its local address. */
    String listenerToString(SocketAddress localAddress) {
        StringBuilder sb = new StringBuilder(channel.getClass().getSuperclass().getName()).append('[');
        if (!channel.isOpen()) {
            sb.append("closed");
        } else {
            sb.append(localAddress == null ? "unbound" : localAddress.toString());
        }
        return sb.append(']').toString();
    }
}
