package io.edgewise.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.testing.Blocking;
import io.edgewise.testing.OpenDescriptors;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The pool of wakeup descriptors of {@link Waiter} (pipe reads wait on one: a pipe cannot be shut down):
 * after more threads than {@link Waiter#IDLE_BOUND} blocked at once and were woken, exactly the bound
 * stays open and pooled, every other wakeup descriptor is closed, and a second such round reuses the
 * pooled ones (opens no more than it closes). The JDK spends no descriptor on a blocked thread; the
 * resource tests only bound the count loosely (found by mutation testing, scripts/mutation.sh channels).
 */
@Timeout(60)
class WaiterPoolTest {
    private static final String EVENTFD = "anon_inode:[eventfd]";

    private static int eventfds() {
        return OpenDescriptors.snapshot().getOrDefault(EVENTFD, 0);
    }

    /** {@code n} threads blocked in {@code read} on a pipe each, then each woken by a byte. */
    private static void blockedPipeReads(int n) throws Exception {
        EdgewiseSelectorProvider p = new EdgewiseSelectorProvider();
        List<Pipe> pipes = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        AtomicInteger read = new AtomicInteger();
        try {
            for (int i = 0; i < n; i++) {
                Pipe pipe = p.openPipe();
                pipes.add(pipe);
                Thread t = new Thread(() -> {
                    try {
                        if (pipe.source().read(ByteBuffer.allocate(1)) == 1) read.incrementAndGet();
                    } catch (Exception e) {
                        // counted as not read
                    }
                }, "pipe-reader-" + i);
                t.start();
                readers.add(t);
            }
            for (Thread t : readers) Blocking.assertBlocks(t); // all wait at once: n waiters in use
            for (Pipe pipe : pipes) pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
            for (Thread t : readers) {
                t.join(10_000);
                assertFalse(t.isAlive(), t.getName() + " still blocked after its byte came");
            }
            assertEquals(n, read.get());
        } finally {
            for (Pipe pipe : pipes) {
                pipe.source().close();
                pipe.sink().close();
            }
        }
    }

    @Test
    void moreBlockedThreadsThanTheBoundLeaveExactlyTheBoundPooled() throws Exception {
        int n = Waiter.IDLE_BOUND + 4;
        blockedPipeReads(n);
        assertEquals(Waiter.IDLE_BOUND, Waiter.idleDescriptors(), "pooled after " + n + " waits");
        int open = eventfds();
        blockedPipeReads(n); // takes the pooled waiters, opens 4 more, closes 4 on release
        assertEquals(Waiter.IDLE_BOUND, Waiter.idleDescriptors(), "pooled after a second round");
        assertEquals(open, eventfds(), "wakeup descriptors beyond the bound are closed, pooled ones reused");
    }

    @Test
    void aWaitTakesAPooledWaiterAndGivesItBack() throws Exception {
        blockedPipeReads(1); // at least one pooled
        int pooled = Waiter.idleDescriptors();
        int open = eventfds();
        blockedPipeReads(1);
        assertEquals(pooled, Waiter.idleDescriptors());
        assertEquals(open, eventfds(), "the pooled wakeup descriptor was reused");
    }
}
