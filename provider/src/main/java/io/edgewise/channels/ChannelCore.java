package io.edgewise.channels;

import io.edgewise.observe.ChannelKind;
import io.edgewise.observe.ChannelTrace;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The descriptor, locks, waiter and close protocol of a channel whose I/O is serialized by one lock:
 * the pipe ends ({@link PipeEnd} extends this) and the listening channels (each
 * {@link ListeningChannel} holds one).
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

    final SocketOps ops;
    final FdHandle fd;
    final int fdVal;
    final ReentrantLock ioLock = new ReentrantLock();
    final Object stateLock = new Object();
    int state;
    Waiter waiter;

    final AbstractSelectableChannel channel;
    private final boolean waitsForIoOnClose;
    /** Bytes, ending and JFR events (io.edgewise.observe; its fields follow ioLock). */
    final ChannelTrace trace;

    /** Takes ownership of {@code fd}, the descriptor of {@code channel}. */
    ChannelCore(AbstractSelectableChannel channel, SocketOps ops, int fd, boolean waitsForIoOnClose) {
        this.channel = channel;
        this.ops = ops;
        this.fdVal = fd;
        this.fd = new FdHandle(ops, fd);
        this.waitsForIoOnClose = waitsForIoOnClose;
        this.trace = ChannelTrace.open(ChannelKind.of(channel));
    }

    void ensureOpen() throws ClosedChannelException {
        if (!channel.isOpen()) throw new ClosedChannelException();
    }

    /**
     * Under ioLock: registers this thread's waiter for a blocking operation of a pipe end (a pipe
     * cannot be shut down, so the waiter has a wakeup descriptor; listeners set theirs themselves).
     */
    void beginBlocking(boolean open) throws IOException {
        assert ioLock.isHeldByCurrentThread();
        synchronized (stateLock) {
            if (!open) throw new ClosedChannelException();
            waiter = Waiter.acquire(Waiter.of(ops), false);
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
            if (waiter != null) waiter.signalClose(fd);
        }
        trace.closed(channel instanceof ListeningChannel ? ((ListeningChannel) channel).localAddress : null, null, registered);
        if (waitsForIoOnClose && !blocking) {
            ioLock.lock();
            ioLock.unlock();
        }
        synchronized (stateLock) {
            if (state == ST_CLOSING && !registered) {
                state = ST_CLOSED;
                fd.close();
                trace.released();
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
                trace.released();
            }
        }
    }
}
