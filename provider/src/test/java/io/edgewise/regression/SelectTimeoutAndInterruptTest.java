package io.edgewise.regression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.EdgewiseSocketOptions;
import io.edgewise.backend.Backends;
import io.edgewise.resolve.AsyncResolver;
import io.edgewise.testing.Blocking;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code select(timeout)} returns 0 only once its timeout has passed, or on {@code wakeup()} or an
 * interrupt that comes while it selects (found by mutation testing, scripts/mutation.sh selector):
 * <ul>
 * <li>a selection that ended must stop being the thread's interrupt target: an interrupt that comes
 * later (and is cleared) must not wake the next selection, on the JDK's provider as on Edgewise;
 * <li>the time left after an internal wake-up ({@code ASYNC_RESOLVE}) is rounded up, so the
 * selection never ends before its deadline.
 * </ul>
 */
@Timeout(60)
class SelectTimeoutAndInterruptTest {
    private static final long TIMEOUT_MS = 150;

    /** Selects with the timeout on an idle selector; returns the milliseconds it took (at least). */
    private static long timedIdleSelect(Selector sel) throws Exception {
        long t0 = System.nanoTime();
        assertEquals(0, sel.select(TIMEOUT_MS));
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }

    @ParameterizedTest
    @MethodSource("io.edgewise.conformance.Providers#both")
    void anInterruptAfterASelectionDoesNotWakeTheNext(SelectorProvider p) throws Exception {
        Pipe pipe = p.openPipe();
        try (Selector sel = p.openSelector(); Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
            source.configureBlocking(false);
            source.register(sel, SelectionKey.OP_READ);
            // a blocking selection, ended by its timeout and by a key; then an interrupt after each
            assertEquals(0, sel.select(1));
            interruptAndClear();
            assertTrue(timedIdleSelect(sel) >= TIMEOUT_MS, "the earlier selection's interrupt hook woke this one");
            sink.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
            assertEquals(1, sel.select());
            interruptAndClear();
            sel.selectedKeys().clear();
            source.read(java.nio.ByteBuffer.allocate(1));
            assertTrue(timedIdleSelect(sel) >= TIMEOUT_MS, "the earlier selection's interrupt hook woke this one");
        }
    }

    /**
     * An interrupt of this thread from another (a thread's interrupt of itself never runs the hook) while
     * it selects nothing; the status is cleared at once.
     */
    private static void interruptAndClear() throws InterruptedException {
        Thread me = Thread.currentThread();
        Thread other = new Thread(me::interrupt, "interrupter");
        other.start();
        while (other.isAlive()) {
            Thread.onSpinWait(); // join() would throw: this thread is the one being interrupted
        }
        assertTrue(Thread.interrupted());
    }

    @Test
    void aTimedSelectionOutlastsInternalWakeupsToItsDeadline() throws Exception {
        Assumptions.assumeTrue(Backends.hasReadyPoller(), "ASYNC_RESOLVE is not offered on backend " + Backends.name());
        CountDownLatch gate = new CountDownLatch(1);
        AsyncResolver previous = AsyncResolver.install(new AsyncResolver(host -> {
            try {
                gate.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new InetAddress[] {InetAddress.getLoopbackAddress()};
        }, 0, 0, 20_000, 2, System::nanoTime));
        SelectorProvider p = new EdgewiseSelectorProvider();
        try (ServerSocketChannel server = ServerSocketChannel.open(); Selector sel = p.openSelector()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            for (int round = 0; round < 3; round++) {
                try (SocketChannel c = p.openSocketChannel()) {
                    c.setOption(EdgewiseSocketOptions.ASYNC_RESOLVE, true);
                    c.configureBlocking(false);
                    c.register(sel, 0); // nothing the connect does is selectable
                    AtomicLong took = new AtomicLong(-1);
                    Thread t = new Thread(() -> {
                        try {
                            long t0 = System.nanoTime();
                            int n = sel.select(TIMEOUT_MS);
                            long ns = System.nanoTime() - t0;
                            took.set(n == 0 ? ns : -2 - n);
                        } catch (Exception e) {
                            took.set(-100);
                        }
                    }, "timed-select");
                    t.start();
                    Blocking.assertBlocks(t);
                    assertFalse(c.connect(InetSocketAddress.createUnresolved("r" + round + ".test", port)));
                    gate.countDown();
                    server.accept().close(); // the connect ended (its rewatch is the internal wake-up)
                    t.join(10_000);
                    assertFalse(t.isAlive());
                    assertTrue(took.get() >= TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MS),
                            "round " + round + ": select(" + TIMEOUT_MS + ") returned 0 after " + took.get() + " ns (or "
                                    + "-2-n: selected n keys, -100: threw)");
                }
                sel.selectNow(); // deregister the closed channel
            }
        } finally {
            gate.countDown();
            AsyncResolver.install(previous);
        }
    }
}
