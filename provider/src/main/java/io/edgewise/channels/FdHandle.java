package io.edgewise.channels;

import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedChannelException;

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
 * would cost every channel 16 bytes more): bit 30 = closed, bit 29 = descriptor released, bits 25-28 =
 * {@linkplain #generation() generation}, low bits = threads in a call.
 *
 * <p><b>Generation</b>: a small counter a selector compares with the one it registered the descriptor
 * under; when they differ it removes and re-adds the descriptor (a fresh registration). It is bumped
 * by {@link #replace} (the file behind the number changed: an {@code ASYNC_RESOLVE} hand-off, after
 * which the kernel has dropped or never saw a registration for the new file) and by
 * {@link #renewGeneration} (what the channel wants watched changed in a way a kept registration would
 * miss, e.g. an edge already consumed). It lives in {@code state} so that no channel grows for it.
 */
final class FdHandle {
    private static final int CLOSED = 1 << 30, DONE = 1 << 29;
    private static final int GEN_SHIFT = 25, GEN_ONE = 1 << GEN_SHIFT, GEN = 0xF << GEN_SHIFT;
    /** Threads in a call: far more than any process has threads. */
    private static final int USES = GEN_ONE - 1;

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
        if ((s & ~GEN) == CLOSED) {
            closeNow();
        }
    }

    /**
     * For a close while threads wait in {@code poll} on the descriptor: makes those polls, and any
     * that start later, return ({@link io.edgewise.sys.WaitOps#unblock}). Nothing when already closed (then no
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
            Waiter.of(ops).unblock(f); // not a field: no channel grows for it
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
        for (;;) {
            int s = state;
            if ((s & ~GEN) != CLOSED) {
                return; // closed already, or a thread is in a call again (acquire undoes and may come here)
            }
            if (STATE.compareAndSet(this, s, s | DONE)) {
                break;
            }
            // the generation moved under us: look again
        }
        try {
            ops.close(fd);
        } catch (IOException ignore) {
            // close(2) failures leave nothing to retry: the number is released either way
        }
    }

    /** The descriptor's generation (0-15, wrapping); see the class comment. */
    int generation() {
        return (state & GEN) >>> GEN_SHIFT;
    }

    /** Bumps the generation: selectors holding the descriptor register it afresh at their next update. */
    void renewGeneration() {
        for (;;) {
            int s = state;
            int next = (s & ~GEN) | ((s + GEN_ONE) & GEN);
            if (STATE.compareAndSet(this, s, next)) {
                return;
            }
        }
    }

    /**
     * Makes this descriptor number refer to {@code source}'s file (atomically where the OS can; see
     * {@link SocketOps#replace}), closes {@code source} whatever happens, and bumps the generation. The
     * caller makes sure no other thread starts a call that depends on the old file meanwhile.
     */
    void replace(int source) throws IOException {
        int f;
        try {
            f = acquire();
        } catch (ClosedChannelException e) {
            closeSource(source);
            throw e;
        }
        try {
            ops.replace(source, f);
        } finally {
            // also after a failure: a BSD dup2 may have moved the file before its fcntl failed, and a
            // needless fresh registration costs two calls where a missed one loses every event
            renewGeneration();
            closeSource(source);
            release();
        }
    }

    private void closeSource(int source) {
        try {
            ops.close(source);
        } catch (IOException ignore) {
            // the source is spent either way
        }
    }
}
