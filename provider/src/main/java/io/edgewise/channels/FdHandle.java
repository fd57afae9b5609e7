package io.edgewise.channels;

import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Owns one descriptor and closes it exactly once, only when no thread is inside a call on it.
 *
 * <p>The kernel reuses a descriptor number at once; a call through a stale number would act on
 * another connection. So every system call on the descriptor runs between {@link #acquire()} and
 * {@link #release()}, and {@link #close()} only marks the handle: the real {@code close(2)} is made by
 * whoever drops the last use. (The channel additionally defers {@link #close()} until no selector
 * has the descriptor registered.)
 *
 * <p>{@code state} (atomic through {@code STATE}; a field rather than an {@code AtomicInteger}, which
 * would cost every channel 16 bytes more): bit 30 = closed, bit 29 = descriptor released, low bits =
 * threads in a call.
 */
final class FdHandle {
    private static final int CLOSED = 1 << 30, DONE = 1 << 29, USES = DONE - 1;

    private final SocketOps ops;
    private final int fd;
    private volatile int state;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(FdHandle.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    FdHandle(SocketOps ops, int fd) {
        this.ops = ops;
        this.fd = fd;
    }

    /** The descriptor number, for selectors (which register only open channels) and diagnostics. */
    int fd() {
        return fd;
    }

    /** Starts a call on the descriptor; returns it. */
    int acquire() throws ClosedChannelException {
        // one atomic add, undone when the handle turned out closed (the undo may do the real close)
        if (((int) STATE.getAndAdd(this, 1) & CLOSED) != 0) {
            release();
            throw new ClosedChannelException();
        }
        return fd;
    }

    /** Ends a call started by {@link #acquire()}. */
    void release() {
        int s = (int) STATE.getAndAdd(this, -1) - 1;
        if (s == CLOSED) {
            closeNow();
        }
    }

    /**
     * For a close while threads wait in {@code poll} on the descriptor: makes those polls, and any
     * that start later, return ({@link SocketOps#unblock}). Nothing when already closed (then no
     * thread is inside a call on it).
     */
    void unblock() {
        int f;
        try {
            f = acquire();
        } catch (ClosedChannelException e) {
            return;
        }
        try {
            ops.unblock(f);
        } finally {
            release();
        }
    }

    boolean isClosed() {
        return (state & CLOSED) != 0;
    }

    /** Marks the descriptor closed; it is closed now, or by the last thread still using it. */
    void close() {
        int s = (int) STATE.getAndBitwiseOr(this, CLOSED);
        if ((s & CLOSED) == 0 && (s & USES) == 0) {
            closeNow();
        }
    }

    private void closeNow() {
        if (STATE.compareAndSet(this, CLOSED, CLOSED | DONE)) {
            try {
                ops.close(fd);
            } catch (IOException ignore) {
                // close(2) failures leave nothing to retry: the number is released either way
            }
        }
    }
}
