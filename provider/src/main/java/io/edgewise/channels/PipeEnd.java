package io.edgewise.channels;

import io.edgewise.backend.Poller;
import io.edgewise.sys.Platform;
import io.edgewise.sys.PollEvents;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.AbstractSelectableChannel;

/**
 * The state and I/O of one end of a pipe, shared by {@link SourceChannelImpl} and
 * {@link SinkChannelImpl} (which must extend different JDK classes and so hold a {@code PipeEnd}):
 * everything but the names of their read/write methods and their interest and ready sets.
 *
 * <h2>Locks</h2>
 * {@link ChannelCore}'s: {@code ioLock} serializes reads (source) or writes (sink); {@code stateLock}
 * guards {@code state} and {@code waiter}. Order: ioLock → stateLock.
 */
final class PipeEnd extends ChannelCore {
    /** The owning channel's {@code end(boolean)} (protected in the JDK class). */
    @FunctionalInterface
    interface EndHook {
        void end(boolean completed) throws AsynchronousCloseException;
    }

    private final boolean source;
    private final Runnable begin;
    private final EndHook end;

    /**
     * The end owned by {@code channel}: the read end if {@code source}, else the write end;
     * {@code begin} and {@code end} are the channel's own {@code begin()} and {@code end(boolean)}.
     */
    PipeEnd(AbstractSelectableChannel channel, boolean source, Runnable begin, EndHook end, int fd) {
        super(channel, Platform.ops(), fd, true);
        this.source = source;
        this.begin = begin;
        this.end = end;
    }

    /** The poll event for {@code ops}: this end's one operation, reading (source) or writing (sink). */
    int interestEvents(int ops) {
        return (ops & operation()) != 0 ? (source ? Poller.IN : Poller.OUT) : 0;
    }

    /** The ready operations for the poll {@code events}: an error or hang-up readies every one asked for. */
    int readyOps(int events, int interestOps) {
        if ((events & (Poller.ERR | Poller.HUP)) != 0) return interestOps;
        return (events & (source ? Poller.IN : Poller.OUT)) != 0 ? interestOps & operation() : 0;
    }

    private int operation() {
        return source ? SelectionKey.OP_READ : SelectionKey.OP_WRITE;
    }

    /**
     * The channel's read (source) or write (sink) of {@code one} or of {@code many[offset, offset +
     * length)}: under ioLock, waiting in blocking mode; a count, or 0 when it would block.
     */
    long io(ByteBuffer one, ByteBuffer[] many, int offset, int length) throws IOException {
        ioLock.lock();
        try {
            if (!channel.isOpen()) throw JdkBehaviour.closedBeforeCall(channel.isBlocking());
            boolean blocking = channel.isBlocking();
            long n = 0;
            Object event = null;
            try {
                if (blocking) {
                    begin.run();
                    beginBlocking(channel.isOpen());
                    event = trace.beginBlocking(source);
                }
                n = transfer(source, one, many, offset, length, blocking);
            } finally {
                trace.io(source, n);
                if (blocking) trace.endBlocking(source, event, n, false, null);
                if (blocking) {
                    endBlocking();
                    end.end(n > 0);
                }
            }
            return StreamSocketChannel.normalize(n);
        } finally {
            ioLock.unlock();
        }
    }

    /** One read or write (count > 0, 0, or a SocketOps status), waiting in blocking mode. */
    private long transfer(boolean read, ByteBuffer one, ByteBuffer[] many, int offset, int length,
                          boolean blocking) throws IOException {
        int f = fd.acquire();
        try {
            long total = 0;
            for (;;) {
                long n = read
                        ? BufferIO.read(Platform.byteIo(), f, one, many, offset, length)
                        : BufferIO.write(Platform.byteIo(), f, one, many, offset, length);
                if (!blocking) {
                    return n;
                }
                if (n > 0) {
                    if (read) return n;
                    total += n;
                    if (!BufferIO.hasRemaining(one, many, offset, length)) return total;
                } else if (n == SocketOps.UNAVAILABLE) {
                    if (!channel.isOpen()) return total > 0 ? total : n;
                    waiter.await(f, read ? PollEvents.IN : PollEvents.OUT, -1);
                } else if (n != SocketOps.INTERRUPTED) {
                    return total > 0 ? total : n; // EOF or nothing to transfer
                }
                if (!channel.isOpen()) return total > 0 ? total : n;
            }
        } finally {
            fd.release();
        }
    }
}
