package io.edgewise.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.sys.Settings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Level 2 on a ring made with {@code SINGLE_ISSUER | DEFER_TASKRUN} (the test-only
 * {@code io.edgewise.uring.test.deferTaskrun}, docs/io_uring.md): the first thread that enters the ring owns
 * it and serves everything, another thread's select fails with an IOException that says why, and a blocking
 * writer on another thread is served by the owner's selects. Runs only with
 * {@code -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true} (skipped otherwise).
 */
@Timeout(120)
class UringDeferTaskrunTest {
    @BeforeEach
    void levelTwo() {
        UringSendTest.assumeSends();
    }

    /** A ring selector opened with the setting on; skipped when the kernel has no DEFER_TASKRUN (before 6.1). */
    private static Selector deferSelector() throws Exception {
        System.setProperty(Settings.URING_TEST_DEFER_TASKRUN, "true");
        Selector sel;
        try {
            sel = UringCompletionIoTest.P.openSelector();
        } finally {
            System.clearProperty(Settings.URING_TEST_DEFER_TASKRUN);
        }
        if (!(Boolean) pollerField(sel, "deferTaskrun")) {
            sel.close();
            Assumptions.abort("this kernel cannot make a DEFER_TASKRUN ring (Linux 6.1+)");
        }
        return sel;
    }

    private static Object pollerField(Selector sel, String name) throws Exception {
        java.lang.reflect.Field pf = sel.getClass().getDeclaredField("poller");
        pf.setAccessible(true);
        Object poller = pf.get(sel);
        java.lang.reflect.Field f = poller.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(poller);
    }

    @Test
    void theFirstThreadToSelectOwnsTheRingAndEchoesThroughIt() throws Exception {
        try (Selector sel = deferSelector(); UringSendTest.Pair p = new UringSendTest.Pair(sel)) {
            assertSame(Thread.currentThread(), pollerField(sel, "issuer"), "the ring is this thread's");
            assertTrue(UringSendTest.sendsThroughRing(p.ch));
            byte[] ping = "ping over a deferred ring".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            for (int round = 0; round < 50; round++) {
                p.peer.getOutputStream().write(ping);
                ByteBuffer in = ByteBuffer.allocate(ping.length);
                while (in.hasRemaining()) {
                    assertTrue(sel.select(10_000) >= 0);
                    if (p.ch.read(in) < 0) throw new AssertionError("EOF");
                }
                in.flip();
                while (in.hasRemaining()) {
                    p.ch.write(in); // into the send buffer: the next select's enter submits it
                    sel.selectNow();
                }
                byte[] back = p.peer.getInputStream().readNBytes(ping.length);
                assertEquals(new String(ping, java.nio.charset.StandardCharsets.US_ASCII),
                        new String(back, java.nio.charset.StandardCharsets.US_ASCII), "round " + round);
            }
        }
    }

    @Test
    void anotherThreadsSelectFailsAndSaysWhyAndTheOwnerGoesOn() throws Exception {
        try (Selector sel = deferSelector(); UringSendTest.Pair p = new UringSendTest.Pair(sel)) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread other = new Thread(() -> {
                try {
                    sel.selectNow();
                } catch (Throwable t) {
                    failure.set(t);
                }
            }, "not-the-owner");
            other.start();
            other.join(30_000);
            assertTrue(failure.get() instanceof IOException, "an IOException, not " + failure.get());
            String m = failure.get().getMessage();
            assertTrue(m.contains(Thread.currentThread().getName()) && m.contains("not-the-owner")
                    && m.contains(Settings.URING_TEST_DEFER_TASKRUN), m);
            // the owner is unaffected: it still reads what the peer sends
            p.peer.getOutputStream().write(7);
            ByteBuffer one = ByteBuffer.allocate(1);
            while (one.hasRemaining()) {
                sel.select(10_000);
                assertTrue(p.ch.read(one) >= 0);
            }
            assertEquals(7, one.get(0));
        }
    }

    /**
     * A blocking write on another thread after {@code key.cancel()} needs the ring to hand the send buffer
     * back. With the owner outside any select (the poller's lock free) a usual ring lets the writer do that
     * itself; this one may only be entered by its owner, so the writer waits until the owner selects again.
     */
    @Test
    void aBlockingWriterOnAnotherThreadWaitsForTheOwnersNextSelect() throws Exception {
        try (Selector sel = deferSelector(); UringSendTest.Pair p = new UringSendTest.Pair(sel, 16 * 1024)) {
            long written = 0;
            for (int i = 0; i < 100 && !sendInFlight(p.ch); i++) {
                written = UringSendTest.fill(p.ch, written);
                sel.selectNow(); // submits a SEND, which waits in the kernel while the socket stays full
            }
            assertTrue(sendInFlight(p.ch), "a SEND waits in the kernel");
            long buffered = UringSendTest.fill(p.ch, written); // and the send buffer fills behind it
            SelectionKey key = p.key;
            CompletableFuture<Long> peer = UringSendTest.readToEof(p.peer);
            java.util.concurrent.atomic.AtomicBoolean handedBack = new java.util.concurrent.atomic.AtomicBoolean();
            CompletableFuture<Long> writer = CompletableFuture.supplyAsync(() -> {
                try {
                    key.cancel();
                    p.ch.configureBlocking(true);
                    long end = UringSendTest.blockingWrite(p.ch, buffered, 300_000);
                    handedBack.set(!UringSendTest.sendsThroughRing(p.ch));
                    p.ch.shutdownOutput();
                    return end;
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (detachWanted(sel) == 0 && !writer.isDone() && System.nanoTime() < deadline) {
                Thread.onSpinWait(); // the writer asks for its hand-back (a state, not a time)
            }
            assertTrue(detachWanted(sel) > 0, "the writer asked the ring for its buffer; writer: " + writer);
            // it cannot take it itself (a usual ring lets it, and it would be done at once: the peer reads)
            assertThrows(java.util.concurrent.TimeoutException.class, () -> writer.get(500, TimeUnit.MILLISECONDS));
            while (!writer.isDone()) {
                sel.select(50); // the owner's selects serve the writer's hand-back
            }
            long end = writer.get();
            assertTrue(handedBack.get(), "handed back to the channel");
            assertEquals(end, peer.get(60, TimeUnit.SECONDS), "every byte, in order");
        }
    }

    /**
     * A virtual thread moves between carriers, and the kernel binds the ring to one of them: its select fails
     * with an IOException that says so, and changes nothing (a platform thread then owns the ring).
     */
    @Test
    void aVirtualThreadCannotOwnTheRing() throws Exception {
        Object builder;
        try {
            builder = Thread.class.getMethod("ofVirtual").invoke(null);
        } catch (NoSuchMethodException before21) {
            Assumptions.abort("virtual threads: Java 21+");
            return;
        }
        try (Selector sel = deferSelector()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Runnable select = () -> {
                try {
                    sel.selectNow();
                } catch (Throwable t) {
                    failure.set(t);
                }
            };
            Thread vt = (Thread) Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class)
                    .invoke(builder, select);
            vt.join(30_000);
            assertFalse(vt.isAlive());
            assertTrue(failure.get() instanceof IOException, "an IOException, not " + failure.get());
            assertTrue(failure.get().getMessage().contains("virtual thread"), failure.get().getMessage());
            assertEquals(null, pollerField(sel, "issuer"), "nobody owns the ring yet");
            try (UringSendTest.Pair p = new UringSendTest.Pair(sel)) { // its selectNow claims the ring
                assertSame(Thread.currentThread(), pollerField(sel, "issuer"), "a platform thread owns it now");
                assertTrue(UringSendTest.sendsThroughRing(p.ch));
            }
        }
    }

    private static boolean sendInFlight(java.nio.channels.SocketChannel ch) throws Exception {
        Class<?> c = ch.getClass();
        while (!c.getSimpleName().equals("StreamSocketChannel")) c = c.getSuperclass();
        java.lang.reflect.Field of = c.getDeclaredField("output");
        of.setAccessible(true);
        Object out = of.get(ch);
        java.lang.reflect.Field f = out.getClass().getDeclaredField("inFlight");
        f.setAccessible(true);
        synchronized (out) {
            return ((Number) f.get(out)).intValue() != 0;
        }
    }

    private static int detachWanted(Selector sel) throws Exception {
        Object sends = pollerField(sel, "sends");
        java.lang.reflect.Field f = sends.getClass().getDeclaredField("detachWanted");
        f.setAccessible(true);
        return (Integer) f.get(sends);
    }
}
