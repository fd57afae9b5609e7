package io.edgewise.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.backend.Backends;
import io.edgewise.backend.ReadyPoller;
import io.edgewise.sys.Platform;
import io.edgewise.sys.PollEvents;
import io.edgewise.sys.WaitOps;
import java.lang.reflect.Method;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Waiter#await}'s contract, for each kind of waiter: it returns the descriptor's ready events
 * when the descriptor is ready, and 0 when signalled, interrupted or timed out — never before the
 * timeout, and promptly after a signal. A virtual thread's wait parks (WAITING / TIMED_WAITING: its
 * carrier is free, as with the JDK's provider), and its fallback for a descriptor the ready poller
 * already watches (short native polls) keeps the same contract. The channels ignore the returned
 * events and loop on their own state, so a wrong return value, a lost timeout or a busy wait went
 * unnoticed by the channel tests (found by mutation testing, scripts/mutation.sh channels).
 */
@Timeout(60)
class WaiterWaitTest {
    private static final EdgewiseSelectorProvider P = new EdgewiseSelectorProvider();
    private static final WaitOps OPS = Platform.waitOps();

    private ServerSocketChannel listener;
    private SocketChannel a;
    private SocketChannel b;

    @BeforeEach
    void connectedPair() throws Exception {
        listener = P.openServerSocketChannel().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        a = P.openSocketChannel();
        a.connect(listener.getLocalAddress());
        b = listener.accept();
    }

    @AfterEach
    void close() throws Exception {
        a.close();
        b.close();
        listener.close();
    }

    /** The descriptor of {@code b} (readable once {@code a} writes). */
    private int fdB() {
        return ((SelChannel) b).fdVal();
    }

    private void sendOneByte() throws Exception {
        assertEquals(1, a.write(ByteBuffer.wrap(new byte[] {7})));
    }

    private static long millisSince(long start) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    /** Polls {@code cond} until true or 10 s pass (a bounded wait for a state, not a sleep). */
    private static boolean eventually(BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(2);
        }
        return true;
    }

    private static boolean inMethod(Thread t, String method) {
        return Arrays.stream(t.getStackTrace())
                .anyMatch(e -> e.getClassName().equals(Waiter.class.getName()) && e.getMethodName().equals(method));
    }

    @FunctionalInterface
    interface Body<T> {
        T run() throws Exception;
    }

    /** Runs {@code body} on a new virtual thread (JDK 21+, through reflection: the build targets 17). */
    private static <T> Thread virtual(CompletableFuture<T> result, Body<T> body) throws Exception {
        Method m = Thread.class.getMethod("startVirtualThread", Runnable.class);
        return (Thread) m.invoke(null, (Runnable) () -> {
            try {
                result.complete(body.run());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
    }

    private static void assumeParking() {
        Assumptions.assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+");
        Assumptions.assumeTrue(Backends.hasReadyPoller(), "no ready poller: virtual threads do not park");
    }

    // ---- platform threads

    @Test
    void platformThreadsOnASocketShareOneKernelWokenWaiter() throws Exception {
        Assumptions.assumeTrue(OPS.shutdownWakesPoll(), "this OS needs wakeup descriptors");
        Waiter w1 = Waiter.acquire(OPS, true);
        Waiter w2 = Waiter.acquire(OPS, true);
        assertSame(w1, w2, "one shared, stateless waiter: no descriptor or object per blocked thread");
        w1.release();
        w2.release();
    }

    @Test
    void kernelWokenWaitReturnsTheReadyEventsOrZeroAfterTheTimeout() throws Exception {
        Waiter w = Waiter.acquire(OPS, true);
        long start = System.nanoTime();
        assertEquals(0, w.await(fdB(), PollEvents.IN, 100), "nothing to read: timed out");
        assertTrue(millisSince(start) >= 95, "returned after " + millisSince(start) + " ms of a 100 ms wait");
        sendOneByte();
        assertEquals(PollEvents.IN, w.await(fdB(), PollEvents.IN, -1) & PollEvents.IN);
        w.release();
    }

    @Test
    void pooledWaitReturnsTheReadyEventsAndASignalIsConsumedOnce() throws Exception {
        Pipe pipe = P.openPipe();
        try {
            int fd = ((SelChannel) pipe.source()).fdVal();
            Waiter w = Waiter.acquire(OPS, false);
            try {
                w.signal();
                assertEquals(0, w.await(fd, PollEvents.IN, -1), "a signal ends the wait with 0");
                long start = System.nanoTime();
                assertEquals(0, w.await(fd, PollEvents.IN, 100), "the signal was consumed: this one times out");
                assertTrue(millisSince(start) >= 95, "returned after " + millisSince(start) + " ms of a 100 ms wait");
                pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
                assertEquals(PollEvents.IN, w.await(fd, PollEvents.IN, -1) & PollEvents.IN);
            } finally {
                w.release();
            }
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
    }

    // ---- virtual threads: parked on the ready poller

    @Test
    void virtualThreadsGetTheirOwnWaiter() throws Exception {
        assumeParking();
        CompletableFuture<Waiter[]> r = new CompletableFuture<>();
        virtual(r, () -> new Waiter[] {Waiter.acquire(OPS, true), Waiter.acquire(OPS, true)});
        Waiter[] w = r.get(10, TimeUnit.SECONDS);
        assertNotSame(w[0], w[1]);
        assertNotSame(Waiter.acquire(OPS, true), w[0], "not the platform threads' kernel-woken waiter");
    }

    @Test
    void parkedUntimedWaitReturnsTheReadyEvents() throws Exception {
        assumeParking();
        CompletableFuture<Integer> r = new CompletableFuture<>();
        Thread t = virtual(r, () -> Waiter.acquire(OPS, true).await(fdB(), PollEvents.IN, -1));
        assertTrue(eventually(() -> t.getState() == Thread.State.WAITING && inMethod(t, "awaitParked")),
                "the virtual thread parks while it waits (state " + t.getState() + ")");
        sendOneByte();
        assertEquals(PollEvents.IN, r.get(10, TimeUnit.SECONDS) & PollEvents.IN);
    }

    @Test
    void parkedTimedWaitParksUntilItsTimeoutAndReturnsZero() throws Exception {
        assumeParking();
        CompletableFuture<Integer> r = new CompletableFuture<>();
        long start = System.nanoTime();
        // long enough that a loaded machine still samples the thread inside the wait
        Thread t = virtual(r, () -> Waiter.acquire(OPS, true).await(fdB(), PollEvents.IN, 2_000));
        assertTrue(eventually(() -> t.getState() == Thread.State.TIMED_WAITING || r.isDone()));
        assertEquals(Thread.State.TIMED_WAITING, t.getState(), "parked while it waits, not spinning");
        assertEquals(0, r.get(10, TimeUnit.SECONDS));
        assertTrue(millisSince(start) >= 1_995, "returned after " + millisSince(start) + " ms of a 2 s wait");
        // a zero timeout: a look, not an untimed wait
        CompletableFuture<Integer> now = new CompletableFuture<>();
        virtual(now, () -> Waiter.acquire(OPS, true).await(fdB(), PollEvents.IN, 0));
        assertEquals(0, now.get(10, TimeUnit.SECONDS));
    }

    @Test
    void parkedWaitEndsWithZeroOnASignalOrAnInterrupt() throws Exception {
        assumeParking();
        Waiter[] w = new Waiter[1];
        CompletableFuture<Integer> r = new CompletableFuture<>();
        Thread t = virtual(r, () -> {
            synchronized (w) {
                w[0] = Waiter.acquire(OPS, true);
            }
            return w[0].await(fdB(), PollEvents.IN, -1);
        });
        assertTrue(eventually(() -> t.getState() == Thread.State.WAITING && inMethod(t, "awaitParked")));
        synchronized (w) {
            w[0].signal();
        }
        assertEquals(0, r.get(10, TimeUnit.SECONDS));

        // a signal that came before the wait ends it at once, and only that one wait
        CompletableFuture<int[]> early = new CompletableFuture<>();
        virtual(early, () -> {
            Waiter v = Waiter.acquire(OPS, true);
            v.signal();
            int first = v.await(fdB(), PollEvents.IN, -1);
            long start = System.nanoTime();
            int second = v.await(fdB(), PollEvents.IN, 100);
            return new int[] {first, second, (int) millisSince(start)};
        });
        int[] e = early.get(10, TimeUnit.SECONDS);
        assertEquals(0, e[0]);
        assertEquals(0, e[1]);
        assertTrue(e[2] >= 95, "the second wait returned after " + e[2] + " ms of 100");

        CompletableFuture<Integer> i = new CompletableFuture<>();
        Thread u = virtual(i, () -> Waiter.acquire(OPS, true).await(fdB(), PollEvents.IN, -1));
        assertTrue(eventually(() -> u.getState() == Thread.State.WAITING && inMethod(u, "awaitParked")));
        u.interrupt();
        assertEquals(0, i.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aStaleTokenDoesNotEndAWait() throws Exception {
        assumeParking();
        Waiter[] w = new Waiter[1];
        CompletableFuture<Integer> r = new CompletableFuture<>();
        long start = System.nanoTime();
        Thread t = virtual(r, () -> {
            synchronized (w) {
                w[0] = Waiter.acquire(OPS, true);
            }
            return w[0].await(fdB(), PollEvents.IN, 2_000); // outlasts a loaded machine's sampling
        });
        assertTrue(eventually(() -> t.getState() == Thread.State.TIMED_WAITING && inMethod(t, "awaitParked")));
        synchronized (w) {
            w[0].ready(0, PollEvents.IN); // 0 is never a registration's token
        }
        assertEquals(0, r.get(10, TimeUnit.SECONDS), "a callback for another registration is ignored");
        assertTrue(millisSince(start) >= 1_995);
    }

    // ---- virtual threads: the fallback when the ready poller already watches the descriptor

    /** Runs {@code check} while {@code fdB()} is already registered for input with the ready poller. */
    private void withInputAlreadyWatched(Body<Void> check) throws Exception {
        // the poller a virtual thread's wait on it uses (a virtual sub-poller, or the platform one)
        ReadyPoller poller = io.edgewise.channels.vthread.VirtualPollers.forWait(fdB(), PollEvents.IN);
        long token = poller.newToken();
        poller.register(fdB(), PollEvents.IN, token, (tok, ev) -> { });
        try {
            check.run();
        } finally {
            poller.deregister(fdB(), token);
        }
    }

    @Test
    void pollingFallbackReturnsTheReadyEvents() throws Exception {
        assumeParking();
        withInputAlreadyWatched(() -> {
            CompletableFuture<Integer> r = new CompletableFuture<>();
            Thread t = virtual(r, () -> Waiter.acquire(OPS, true).await(fdB(), PollEvents.IN, -1));
            assertTrue(eventually(() -> inMethod(t, "awaitPolling") || r.isDone()));
            // several 20 ms slices pass with nothing to read
            long since = System.nanoTime();
            assertTrue(eventually(() -> millisSince(since) >= 100 || r.isDone()));
            assertTrue(!r.isDone() && inMethod(t, "awaitPolling"), "the wait ended with nothing to read: " + r);
            sendOneByte();
            assertEquals(PollEvents.IN, r.get(10, TimeUnit.SECONDS) & PollEvents.IN);
            return null;
        });
    }

    @Test
    void pollingFallbackTimesOutAfterItsTimeout() throws Exception {
        assumeParking();
        withInputAlreadyWatched(() -> {
            CompletableFuture<Integer> r = new CompletableFuture<>();
            long start = System.nanoTime();
            virtual(r, () -> Waiter.acquire(OPS, true).await(fdB(), PollEvents.IN, 150));
            assertEquals(0, r.get(10, TimeUnit.SECONDS));
            long took = millisSince(start);
            assertTrue(took >= 145, "returned after " + took + " ms of a 150 ms wait");
            // a zero timeout: a look, not an untimed wait
            CompletableFuture<Integer> now = new CompletableFuture<>();
            virtual(now, () -> Waiter.acquire(OPS, true).await(fdB(), PollEvents.IN, 0));
            assertEquals(0, now.get(10, TimeUnit.SECONDS));
            return null;
        });
    }

    @Test
    void pollingFallbackEndsWithZeroOnASignalOrAnInterrupt() throws Exception {
        assumeParking();
        withInputAlreadyWatched(() -> {
            Waiter[] w = new Waiter[1];
            CompletableFuture<Integer> r = new CompletableFuture<>();
            Thread t = virtual(r, () -> {
                synchronized (w) {
                    w[0] = Waiter.acquire(OPS, true);
                }
                return w[0].await(fdB(), PollEvents.IN, -1);
            });
            assertTrue(eventually(() -> inMethod(t, "awaitPolling")));
            synchronized (w) {
                w[0].signal();
            }
            assertEquals(0, r.get(10, TimeUnit.SECONDS));

            CompletableFuture<Integer> i = new CompletableFuture<>();
            Thread u = virtual(i, () -> Waiter.acquire(OPS, true).await(fdB(), PollEvents.IN, -1));
            assertTrue(eventually(() -> inMethod(u, "awaitPolling")));
            u.interrupt();
            assertEquals(0, i.get(10, TimeUnit.SECONDS));
            return null;
        });
    }
}
