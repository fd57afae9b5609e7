package io.edgewise.channels;

import io.edgewise.backend.ReadyPoller;
import io.edgewise.sys.ByteIo;
import io.edgewise.sys.PollEvents;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Sends the bytes a detached io_uring send buffer left unsent ({@link io.edgewise.sys.CompletionOutput#leftover()})
 * when the channel's output is shut down, or the channel closed, before another write took them; then shuts
 * the output down. A write had accepted those bytes, so — as on the JDK, where they were in the kernel when
 * write returned — the peer gets them before the FIN.
 *
 * <p>It holds one use of the descriptor ({@link FdHandle#acquire()}, taken by the starter) from start to end:
 * a closed channel's real {@code close(2)} waits for it, and no byte meets a reused number. Writes are
 * non-blocking; while the socket is full it waits through the shared output {@link ReadyPoller}, whose
 * callback runs on the poller's thread and never blocks. A peer that takes no byte over a whole check interval
 * of {@link #STALL_SECONDS} ends it: the rest is dropped and the output shut down (a closed socket's
 * zero-window probing in the kernel gives up after a time of that order).
 *
 * <p>Threads: started by a thread holding the channel's writeLock (no writer runs then, and none comes: the
 * output is shut); then the poller's thread and the stall check. {@code this} guards {@code token},
 * {@code progress}, {@code seen}, {@code done} and {@code left}.
 */
final class LeftoverDrain implements ReadyPoller.Callback {
    /** How long a peer may take no byte before the rest is dropped. */
    static final int STALL_SECONDS = 120;

    private final FdHandle handle;
    private final int fd;
    private final SocketOps ops;
    private final ByteIo io;
    /** The bytes still to send; null once ended (the stall check may hold this drain up to its interval). */
    private ByteBuffer left;
    private final int stallSeconds;
    private final ReadyPoller poller = ReadyPoller.forEvents(PollEvents.OUT);
    /** The registration waiting for room (0: none). */
    private long token;
    /** Writes that moved bytes, and their count at the last stall check. */
    private long progress, seen;
    private boolean done;

    private LeftoverDrain(FdHandle handle, int fd, SocketOps ops, ByteIo io, ByteBuffer left, int stallSeconds) {
        this.handle = handle;
        this.fd = fd;
        this.ops = ops;
        this.io = io;
        this.left = left;
        this.stallSeconds = stallSeconds;
    }

    /**
     * Sends {@code left}, then shuts the output of {@code fd} down and releases the use of {@code handle} the
     * caller acquired for it ({@code fd}); at once when the socket takes everything now.
     */
    static void start(FdHandle handle, int fd, SocketOps ops, ByteIo io, ByteBuffer left) {
        start(handle, fd, ops, io, left, STALL_SECONDS);
    }

    /** {@link #start(FdHandle, int, SocketOps, ByteIo, ByteBuffer)} with another stall limit (tests). */
    static void start(FdHandle handle, int fd, SocketOps ops, ByteIo io, ByteBuffer left, int stallSeconds) {
        LeftoverDrain d = new LeftoverDrain(handle, fd, ops, io, left, stallSeconds);
        d.step();
        synchronized (d) {
            if (d.done) return;
        }
        d.checkStallLater();
    }

    /** Writes while the socket takes bytes; then waits for room, or ends. */
    private synchronized void step() {
        if (done) return;
        try {
            while (left.hasRemaining()) {
                long n = BufferIO.write(io, fd, left, null, 0, 0);
                if (n <= 0) {
                    token = poller.newToken();
                    poller.register(fd, PollEvents.OUT, token, this);
                    return;
                }
                progress++;
            }
        } catch (IOException e) {
            // the connection failed (or the room cannot be waited for): nothing more can be sent
        }
        finish();
    }

    @Override
    public void ready(long t, int events) {
        synchronized (this) {
            if (t != token || done) return; // an older registration's
            poller.deregister(fd, t);
            token = 0;
        }
        step();
    }

    private void checkStallLater() {
        CompletableFuture.delayedExecutor(stallSeconds, TimeUnit.SECONDS).execute(this::checkStall);
    }

    private void checkStall() {
        synchronized (this) {
            if (done) return;
            if (progress != seen) {
                seen = progress;
            } else {
                finish(); // the peer took nothing meanwhile
                return;
            }
        }
        checkStallLater();
    }

    /** Shuts the output down and ends the descriptor's use (under this monitor). */
    private void finish() {
        done = true;
        left = null;
        if (token != 0) {
            poller.deregister(fd, token); // before the use ends: the poller never watches a closed number
            token = 0;
        }
        try {
            ops.shutdown(fd, 1);
        } catch (IOException ignore) {
            // a failed connection has nothing to shut down
        }
        handle.release(); // may make a closed channel's deferred close(2)
    }
}
