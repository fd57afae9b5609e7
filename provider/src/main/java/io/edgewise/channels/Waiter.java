package io.edgewise.channels;

import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * What a thread blocked in a channel operation waits on besides its descriptor: a wakeup descriptor
 * that {@code close}, {@code shutdown} and interrupts signal. Waiters are pooled, not per thread, so
 * a thread that dies leaves no descriptor behind; the pool holds as many as threads ever blocked at
 * once. A signal that arrives after the operation ended only makes a later wait return early, which
 * every wait loop treats as "check again".
 */
final class Waiter {
    private static final ConcurrentLinkedQueue<Waiter> POOL = new ConcurrentLinkedQueue<>();

    private final SocketOps ops;
    private final int wakeFd;

    private Waiter(SocketOps ops) throws IOException {
        this.ops = ops;
        this.wakeFd = ops.wakeupDescriptor();
    }

    static Waiter acquire(SocketOps ops) throws IOException {
        Waiter w = POOL.poll();
        return w != null ? w : new Waiter(ops);
    }

    void release() {
        POOL.offer(this);
    }

    /**
     * Waits until {@code fd} is ready for {@code events}, the waiter is signalled, or the timeout
     * ({@code -1} = none) passes. Returns the descriptor's ready events (0: woken or timed out).
     */
    int await(int fd, int events, int timeoutMillis) throws IOException {
        int r = ops.poll(fd, events, wakeFd, timeoutMillis);
        if (r <= 0) {
            ops.drain(wakeFd);
            return 0;
        }
        return r;
    }

    void signal() {
        try {
            ops.signal(wakeFd);
        } catch (IOException ignore) {
            // an eventfd write fails only when the counter is saturated, i.e. already signalled
        }
    }
}
