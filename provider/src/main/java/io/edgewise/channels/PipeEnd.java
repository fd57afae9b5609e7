package io.edgewise.channels;

import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * The state and I/O of one end of a pipe, shared by {@link SourceChannelImpl} and
 * {@link SinkChannelImpl} (which must extend different JDK classes and so hold a {@code PipeEnd}):
 * everything but the names of their read/write methods and their interest and ready sets.
 *
 * <h2>Locks</h2>
 * {@code ioLock} serializes reads (source) or writes (sink); {@code stateLock} guards {@code state}
 * and {@code waiter}. Order: ioLock → stateLock.
 */
final class PipeEnd {
    static final int ST_INUSE = 0, ST_CLOSING = 1, ST_CLOSED = 2;

    /** The owning channel's {@code end(boolean)} (protected in the JDK class). */
    @FunctionalInterface
    interface EndHook {
        void end(boolean completed) throws AsynchronousCloseException;
    }

    final SocketOps ops;
    final FdHandle fd;
    final int fdVal;
    final ReentrantLock ioLock = new ReentrantLock();
    final Object stateLock = new Object();
    int state;
    Waiter waiter;

    private final AbstractSelectableChannel channel;
    private final boolean source;
    private final Runnable begin;
    private final EndHook end;

    /**
     * The end owned by {@code channel}: the read end if {@code source}, else the write end;
     * {@code begin} and {@code end} are the channel's own {@code begin()} and {@code end(boolean)}.
     */
    PipeEnd(AbstractSelectableChannel channel, boolean source, Runnable begin, EndHook end, SocketOps ops, int fd) {
        this.channel = channel;
        this.source = source;
        this.begin = begin;
        this.end = end;
        this.ops = ops;
        this.fdVal = fd;
        this.fd = new FdHandle(ops, fd);
    }

    /**
     * The channel's read (source) or write (sink) of {@code one} or of {@code many[offset, offset +
     * length)}: under ioLock, waiting in blocking mode; a count, or 0 when it would block.
     */
    long io(ByteBuffer one, ByteBuffer[] many, int offset, int length) throws IOException {
        ioLock.lock();
        try {
            if (!channel.isOpen()) throw new ClosedChannelException();
            boolean blocking = channel.isBlocking();
            long n = 0;
            try {
                if (blocking) {
                    begin.run();
                    beginBlocking(channel.isOpen());
                }
                n = transfer(source, one, many, offset, length, blocking, channel::isOpen);
            } finally {
                if (blocking) {
                    endBlocking();
                    end.end(n > 0);
                }
            }
            return SocketChannelImpl.normalize(n);
        } finally {
            ioLock.unlock();
        }
    }

    /** implConfigureBlocking: waits for I/O in progress; the descriptor stays non-blocking. */
    void configureBlocking() throws ClosedChannelException {
        ioLock.lock();
        try {
            if (!channel.isOpen()) throw new ClosedChannelException();
        } finally {
            ioLock.unlock();
        }
    }

    /** Under ioLock: registers this thread's waiter for a blocking operation. */
    private void beginBlocking(boolean open) throws IOException {
        synchronized (stateLock) {
            if (!open) throw new ClosedChannelException();
            waiter = Waiter.acquire(ops);
        }
    }

    private void endBlocking() {
        synchronized (stateLock) {
            if (waiter != null) {
                waiter.release();
                waiter = null;
            }
        }
    }

    /** One read or write (count > 0, 0, or a SocketOps status), waiting in blocking mode. */
    private long transfer(boolean read, ByteBuffer one, ByteBuffer[] many, int offset, int length,
                          boolean blocking, BooleanSupplier open) throws IOException {
        int f = fd.acquire();
        try {
            long total = 0;
            for (;;) {
                long n = read
                        ? (one != null ? BufferIO.read(ops, f, one) : BufferIO.read(ops, f, many, offset, length))
                        : (one != null ? BufferIO.write(ops, f, one) : BufferIO.write(ops, f, many, offset, length));
                if (!blocking) {
                    return n;
                }
                if (n > 0) {
                    if (read) return n;
                    total += n;
                    boolean more = one != null ? one.hasRemaining() : SocketChannelImpl.hasRemaining(many, offset, length);
                    if (!more) return total;
                } else if (n == SocketOps.UNAVAILABLE) {
                    if (!open.getAsBoolean()) return total > 0 ? total : n;
                    waiter.await(f, read ? SocketOps.POLL_IN : SocketOps.POLL_OUT, -1);
                } else if (n != SocketOps.INTERRUPTED) {
                    return total > 0 ? total : n; // EOF or nothing to transfer
                }
                if (!open.getAsBoolean()) return total > 0 ? total : n;
            }
        } finally {
            fd.release();
        }
    }

    /** implCloseSelectableChannel: signal, wait for I/O in progress, close unless registered. */
    void close(boolean registered, boolean blocking) {
        synchronized (stateLock) {
            state = ST_CLOSING;
            if (waiter != null) waiter.signal();
        }
        if (!blocking) {   // never wait for blocked I/O (JDK 17 interrupt deadlock; FdHandle defers the close)
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

    void kill() {
        ioLock.lock();
        ioLock.unlock();
        synchronized (stateLock) {
            if (state == ST_CLOSING) {
                state = ST_CLOSED;
                fd.close();
            }
        }
    }
}
