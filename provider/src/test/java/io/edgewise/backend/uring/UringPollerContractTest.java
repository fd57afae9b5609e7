package io.edgewise.backend.uring;

import static io.edgewise.backend.Poller.EDGE;
import static io.edgewise.backend.Poller.IN;
import static io.edgewise.backend.Poller.OUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.backend.PollerContract;
import io.edgewise.testing.Blocking;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link io.edgewise.backend.Poller} contract over the io_uring backend directly ({@link PollerContract}:
 * where io_uring must behave as epoll does), plus what only a ring has:
 * completions of an old request ignored by generation, a CQ smaller than the ready set (overflow), and a
 * removal that reaches the kernel before {@code update} returns. Skipped where io_uring is unavailable.
 */
@Timeout(60)
class UringPollerContractTest extends PollerContract<UringPoller> {
    @Override
    protected UringPoller newPoller() throws IOException {
        return new UringPoller();
    }

    @BeforeEach
    void uringOnly() {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "io_uring is Linux only");
        Assumptions.assumeTrue(UringSupport.problem() == null, () -> "io_uring unavailable: " + UringSupport.problem());
    }

    @Test
    void aTimedPollWaitsAndReturnsZero() throws IOException {
        UringPoller p = poller();
        Pipe a = pipe();
        p.update(fd(a.source()), 0, IN);
        long t0 = System.nanoTime();
        int n = p.poll(200);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(n == 0 || n == -1, "timed out (0) or retry with the time left (-1): " + n);
        assertTrue(ms >= 190 || n == -1, "waited " + ms + " ms");
        assertFalse(p.wokenUp());
    }

    @Test
    void dataArrivingDuringABlockingPollEndsIt() throws Exception {
        UringPoller p = poller();
        Pipe a = pipe();
        int r = fd(a.source());
        p.update(r, 0, IN);
        AtomicInteger result = new AtomicInteger(-2);
        Thread t = new Thread(() -> {
            try {
                int n;
                do { n = p.poll(-1); } while (n < 0);
                result.set(n == 1 ? p.descriptor(0) : -4);
            } catch (IOException e) {
                result.set(-3);
            }
        }, "uring-poller");
        t.start();
        try {
            Blocking.assertBlocks(t);
            send(a);
            t.join(10_000);
        } finally {
            if (t.isAlive()) {
                p.wakeup(); // never close the poller under a polling thread
                t.join(10_000);
            }
        }
        assertFalse(t.isAlive());
        assertEquals(r, result.get());
    }

    @Test
    void completionsOfAnOldRequestAreIgnored() throws IOException {
        UringPoller p = poller();
        Pipe a = pipe();
        int r = fd(a.source());
        p.update(r, 0, IN | EDGE);
        assertEquals(Map.of(), pollNow(p), "armed, nothing ready");
        // the multishot request completes while this thread returns from write(): its CQE waits in the CQ
        send(a);
        assertEquals(1, a.source().read(ByteBuffer.allocate(8)), "drained: no longer readable");
        // replace the registration by the same interest: the new request finds nothing ready
        p.update(r, IN | EDGE, 0);
        p.update(r, 0, IN);
        assertEquals(Map.of(), pollNow(p), "the old request's IN belongs to a former generation");
        send(a);
        assertEquals(Map.of(r, IN), pollNow(p), "the new request sees new data");
    }

    @Test
    void aTimedPollOnANewThreadLastsItsTimeoutThroughThePollersOwnCompletions() throws Exception {
        UringPoller p = poller();
        Pipe a = pipe();
        int r = fd(a.source());
        p.update(r, 0, IN);
        p.poll(0); // armed by this thread
        // each round polls on a new thread: the poller moves its requests there, and the completions of
        // that move (cancelled requests, removals) report nothing, so they must not end the wait early
        for (int round = 0; round < 20; round++) {
            long[] out = new long[2];
            Thread t = new Thread(() -> {
                try {
                    long t0 = System.nanoTime();
                    out[0] = p.poll(100);
                    out[1] = System.nanoTime() - t0;
                } catch (IOException e) {
                    out[0] = -100;
                }
            }, "poll-round-" + round);
            t.start();
            t.join(10_000);
            assertFalse(t.isAlive());
            assertTrue(out[0] == 0 || out[0] == -1, "round " + round + ": poll returned " + out[0]);
            if (out[0] == 0) {
                assertTrue(out[1] >= TimeUnit.MILLISECONDS.toNanos(100),
                        "round " + round + ": poll(100) reported nothing after " + out[1] / 1000 + " us");
            }
        }
    }

    @Test
    void aRequestArmedByAnotherThreadIsSeenAtOnce() throws Exception {
        UringPoller p = poller();
        Pipe a = pipe();
        int r = fd(a.source());
        p.update(r, 0, IN);
        // the kernel posts a request's completion on the thread that submitted it; while that thread is
        // parked this is a race with the poll below, so the scenario is repeated to make a miss visible
        for (int round = 0; round < 100; round++) {
            CountDownLatch armed = new CountDownLatch(1), done = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                try {
                    p.poll(0); // this thread submits the request, then parks on a latch
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
                armed.countDown();
                try {
                    done.await();
                } catch (InterruptedException ignore) {
                    // ends the thread
                }
            }, "arming-thread");
            t.start();
            try {
                assertTrue(armed.await(10, TimeUnit.SECONDS));
                send(a);
                assertEquals(Map.of(r, IN), pollNow(p), "round " + round + ": a request another (parked) thread armed");
                assertEquals(1, a.source().read(ByteBuffer.allocate(8)));
            } finally {
                done.countDown();
                t.join(10_000);
            }
        }
        // the last arming thread has exited (its requests cancelled by the kernel): still reported
        send(a);
        Map<Integer, Integer> m = pollNow(p);
        if (m.isEmpty()) m = pollNow(p);
        assertEquals(Map.of(r, IN), m, "after its thread's exit");
    }

    @Test
    void aPollWithCompletionsWaitingAndNothingToSubmitMakesNoSystemCall() throws IOException {
        UringPoller p = poller();
        Pipe e = pipe();
        int r = fd(e.source());
        p.update(r, 0, IN | EDGE);
        assertEquals(Map.of(), pollNow(p), "armed (multishot: nothing to re-arm later)");
        // the request completes while this thread returns from write(): its CQE waits in the CQ
        send(e);
        long before = p.enters();
        assertEquals(Map.of(r, IN), pollNow(p));
        if (p.deferTaskrun()) {
            // level 2's DEFER_TASKRUN ring posts completions only inside this thread's enters: exactly one, which
            // the kernel's flag (IORING_SQ_TASKRUN) asked for
            assertEquals(before + 1, p.enters(), "one io_uring_enter runs the completion work");
            before = p.enters();
        } else {
            assertEquals(before, p.enters(), "read from the CQ without io_uring_enter");
        }
        assertEquals(Map.of(), pollNow(p));
        assertEquals(before, p.enters(), "an empty CQ and no completion work waiting: no io_uring_enter either");
    }

    @Test
    void aPollWithNothingReadyMakesNoSystemCallAndStillSeesWhatArrivesLater() throws Exception {
        UringPoller p = poller();
        Pipe e = pipe(), w = pipe();
        int r = fd(e.source());
        p.update(r, 0, IN);
        assertEquals(Map.of(), pollNow(p), "armed (one enter submits the request)");
        long before = p.enters();
        for (int i = 0; i < 3; i++) {
            assertEquals(Map.of(), pollNow(p));
        }
        assertEquals(before, p.enters(), "nothing in the CQ, no completion work waiting: selectNow makes no system call");
        // readiness and a wakeup from another thread: their completion work is queued for this thread, and
        // the kernel's SQ flag (or the work having run on this thread's last system call) tells poll(0)
        Thread t = new Thread(() -> {
            try {
                send(e);
                p.wakeup();
            } catch (IOException x) {
                throw new java.io.UncheckedIOException(x);
            }
        });
        t.start();
        t.join();
        assertEquals(Map.of(r, IN), pollNow(p), "the arrival is reported by the next poll(0)");
        assertTrue(p.wokenUp(), "and the wakeup");
        p.clearWakeup();
        assertEquals(Map.of(r, IN), pollNow(p), "LEVEL: still readable");
        assertFalse(p.wokenUp());
        int wr = fd(w.sink());
        p.update(wr, 0, OUT);
        assertEquals(Map.of(r, IN, wr, OUT), pollNow(p), "a new registration is submitted by poll(0)");
    }

    @Test
    void anArrivalWhileThePollingThreadRunsIsSeenByTheNextPollWithoutWaiting() throws Exception {
        // The completion work of an arrival while this thread runs without system calls is left for its next
        // entry into the kernel (COOP_TASKRUN): the CQ is still empty, only the SQ ring's IORING_SQ_TASKRUN
        // flag tells poll(0) to enter. Several rounds: a timer interrupt may run the work first in one.
        UringPoller p = poller();
        Pipe e = pipe();
        int r = fd(e.source());
        p.update(r, 0, IN);
        AtomicInteger go = new AtomicInteger(), written = new AtomicInteger();
        int rounds = 20;
        Thread writer = new Thread(() -> {
            try {
                for (int i = 1; i <= rounds; i++) {
                    while (go.get() < i) Thread.onSpinWait();
                    send(e);
                    written.set(i);
                }
            } catch (IOException x) {
                throw new java.io.UncheckedIOException(x);
            }
        });
        writer.start();
        ByteBuffer one = ByteBuffer.allocate(1);
        for (int i = 1; i <= rounds; i++) {
            assertEquals(Map.of(), pollNow(p), "round " + i + ": armed, nothing ready");
            go.set(i);
            while (written.get() < i) Thread.onSpinWait(); // no system call on this thread meanwhile
            assertEquals(Map.of(r, IN), pollNow(p), "round " + i + ": the arrival is reported at once");
            one.clear();
            assertEquals(1, e.source().read(one));
        }
        writer.join();
    }

    @Test
    void moreReadyDescriptorsThanTheCompletionQueueHoldsAreAllReported() throws IOException {
        UringPoller p = closedAfter(new UringPoller(4, 8)); // the kernel may round up; still far below the 48 ready pipes
        Set<Integer> level = new HashSet<>(), edge = new HashSet<>();
        registerReadyPipes(p, level, edge);
        Set<Integer> seenLevel = new HashSet<>(), seenEdge = new HashSet<>();
        for (int round = 0; round < 50 && (seenLevel.size() < level.size() || seenEdge.size() < edge.size()); round++) {
            for (Map.Entry<Integer, Integer> en : pollNow(p).entrySet()) {
                assertEquals(IN, en.getValue());
                if (level.contains(en.getKey())) seenLevel.add(en.getKey());
                else if (edge.contains(en.getKey())) seenEdge.add(en.getKey());
            }
        }
        assertEquals(level, seenLevel, "every level descriptor, through the overflowed CQ");
        assertEquals(edge, seenEdge, "every edge descriptor, through the overflowed CQ");
    }

    /** 24 readable pipes registered LEVEL (into {@code level}) and 24 EDGE (into {@code edge}): 48 completions. */
    private void registerReadyPipes(UringPoller p, Set<Integer> level, Set<Integer> edge) throws IOException {
        for (int i = 0; i < 24; i++) {
            Pipe l = pipe(), e = pipe();
            send(l);
            send(e);
            p.update(fd(l.source()), 0, IN);
            p.update(fd(e.source()), 0, IN | EDGE);
            level.add(fd(l.source()));
            edge.add(fd(e.source()));
        }
    }

    /**
     * Level 2's DEFER_TASKRUN ring (only then): an operation of its owner that overflows the CQ leaves no
     * completion in the kernel's overflow list, which no other thread could read, and another thread then takes
     * the ring over and every ready descriptor is still reported.
     */
    @Test
    void anOwnersOverflowIsFlushedBeforeItLeavesAndATakeoverKeepsEveryEvent() throws Exception {
        UringPoller p = closedAfter(new UringPoller(4, 8));
        Assumptions.assumeTrue(p.deferTaskrun(), "a DEFER_TASKRUN ring: level 2 (-Dio.edgewise.uring.io=true)");
        Set<Integer> all = new HashSet<>(), seen = new HashSet<>();
        java.util.concurrent.ExecutorService owner = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            int flags = owner.submit(() -> {
                registerReadyPipes(p, all, all); // the owner registers (its first enter claims the ring) and polls
                seen.addAll(pollNow(p).keySet()); // 48 completions into a CQ of 8
                java.lang.reflect.Field rf = UringPoller.class.getDeclaredField("ring");
                rf.setAccessible(true);
                return ((Ring) rf.get(p)).sqFlags();
            }).get(30, TimeUnit.SECONDS);
            assertEquals(0, flags & io.edgewise.sys.linux.UringLayout.IORING_SQ_CQ_OVERFLOW,
                    "no completion left in the overflow list when the owner's poll returned");
        } finally {
            owner.shutdown();
        }
        seen.addAll(pollNow(p).keySet()); // this thread's first poll takes the ring over
        assertFalse(p.deferTaskrun(), "taken over");
        for (int round = 0; round < 50 && seen.size() < all.size(); round++) {
            seen.addAll(pollNow(p).keySet());
        }
        assertEquals(all, seen, "every ready descriptor, through the overflow and the takeover");
    }

    @Test
    void aClosedRegisteredChannelIsReleasedWithoutAnotherSelect() throws Exception {
        Assumptions.assumeTrue(io.edgewise.backend.Backends.name().equals("io_uring"),
                "needs the selector on io_uring: -Dio.edgewise.backend=io_uring (" + io.edgewise.backend.Backends.name() + ")");
        removedChannelIsClosedWithoutAnotherSelect(provider);
    }

    /**
     * A registered channel is closed while its selector waits; the selector wakes, deregisters (update to 0)
     * and closes the descriptor, and then selects no more. The peer must see the close: an armed poll
     * request holds the socket's file, so a removal left in the SQ would keep it open until the next
     * io_uring_enter. SO_LINGER 0 makes only the real close(2) visible (a reset): without it, closing a
     * registered channel already shuts its output down (FIN) while the selector still holds the descriptor.
     */
    static void removedChannelIsClosedWithoutAnotherSelect(SelectorProvider provider) throws Exception {
        try (ServerSocketChannel ssc = provider.openServerSocketChannel();
             Selector sel = provider.openSelector()) {
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (Socket peer = new Socket()) {
                peer.connect(ssc.getLocalAddress());
                SocketChannel ch = ssc.accept();
                ch.configureBlocking(false);
                ch.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
                ch.register(sel, SelectionKey.OP_READ);
                CountDownLatch selecting = new CountDownLatch(1);
                CountDownLatch selected = new CountDownLatch(1);
                Thread t = new Thread(() -> {
                    try {
                        sel.selectNow(); // the poll request is armed
                        selecting.countDown();
                        sel.select();    // ended by wakeup; deregisters the closed channel on its way out
                        selected.countDown();
                    } catch (IOException e) {
                        throw new RuntimeException(e);
                    }
                }, "selector");
                t.start();
                assertTrue(selecting.await(10, TimeUnit.SECONDS));
                Blocking.assertBlocks(t);
                ch.close();
                sel.wakeup();
                assertTrue(selected.await(10, TimeUnit.SECONDS));
                t.join(10_000);
                peer.setSoTimeout(5_000);
                IOException e = assertThrows(IOException.class, () -> peer.getInputStream().read(),
                        "the real close(2) resets the connection; no request held the socket open");
                assertFalse(e instanceof java.net.SocketTimeoutException, "no reset within 5 s: " + e);
            }
        }
    }
}
