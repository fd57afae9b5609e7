package io.edgewise.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.sys.Settings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Level 2 on a ring made with {@code SINGLE_ISSUER | DEFER_TASKRUN} ({@code io.edgewise.uring.deferTaskrun},
 * docs/io_uring.md "DEFER_TASKRUN"): the first thread that enters the ring owns it; any other thread that needs
 * it (a select, a close, a hand-back, a virtual thread) takes it over — the requests move to an ordinary ring,
 * with no byte lost, repeated or reordered either way — while the owner is parked elsewhere or gone. Runs only
 * with {@code -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true} (skipped otherwise).
 */
@Timeout(120)
class UringDeferTaskrunTest {
    @BeforeEach
    void levelTwo() {
        UringSendTest.assumeSends();
    }

    /** A ring selector opened with the setting on; skipped when the kernel has no DEFER_TASKRUN (before 6.1). */
    static Selector deferSelector() throws Exception {
        String before = System.getProperty(Settings.URING_DEFER_TASKRUN);
        System.setProperty(Settings.URING_DEFER_TASKRUN, "true");
        Selector sel;
        try {
            sel = UringCompletionIoTest.P.openSelector();
        } finally {
            if (before == null) System.clearProperty(Settings.URING_DEFER_TASKRUN);
            else System.setProperty(Settings.URING_DEFER_TASKRUN, before);
        }
        if (!(Boolean) pollerField(sel, "deferTaskrun")) {
            sel.close();
            Assumptions.abort("this kernel cannot make a DEFER_TASKRUN ring (Linux 6.1+)");
        }
        return sel;
    }

    static Object pollerField(Selector sel, String name) throws Exception {
        java.lang.reflect.Field pf = sel.getClass().getDeclaredField("poller");
        pf.setAccessible(true);
        Object poller = pf.get(sel);
        java.lang.reflect.Field f = poller.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(poller);
    }

    /** A platform thread that owns the ring: it runs what it is given and stays alive, parked, in between. */
    private static final class Owner implements AutoCloseable {
        final ExecutorService thread = Executors.newSingleThreadExecutor(r -> new Thread(r, "ring-owner"));

        <T> T run(Callable<T> work) throws Exception {
            try {
                return thread.submit(work).get(60, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception ? (Exception) e.getCause() : e;
            }
        }

        /** The owner thread ends (its requests stay in the ring: the kernel does not end them at its exit). */
        void exit() throws InterruptedException {
            thread.shutdown();
            assertTrue(thread.awaitTermination(30, TimeUnit.SECONDS));
        }

        @Override
        public void close() {
            thread.shutdownNow();
        }
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
            assertEquals(0L, pollerField(sel, "takeovers"), "one thread: the ring stays its own");
        }
    }

    /**
     * The owner selected last with a SEND waiting in the kernel (the peer's window full) and a multishot recv
     * armed, and is now parked elsewhere; the peer sends meanwhile. Another thread selects: it takes the ring
     * over, and then every byte goes both ways exactly once and in order — what the peer sent while nobody
     * entered the ring, and the SEND's bytes, sent again from the new ring. The owner can select again later.
     */
    @Test
    void anotherThreadsSelectTakesTheRingOverAndNoByteIsLostOrRepeated() throws Exception {
        try (Owner owner = new Owner(); Selector sel = deferSelector();
             UringSendTest.Pair p = owner.run(() -> new UringSendTest.Pair(sel, 16 * 1024))) {
            long written = owner.run(() -> fillUntilASendWaits(sel, p));
            assertTrue(pollerField(sel, "issuer") != Thread.currentThread() && (Boolean) pollerField(sel, "deferTaskrun"));
            int incoming = 300_000;
            CompletableFuture<Void> peerWrites = CompletableFuture.runAsync(() -> writePattern(p.peer, incoming));
            CompletableFuture<Long> peerReads = UringSendTest.readExactly(p.peer, written);

            long got = readPattern(sel, p.ch, 0, incoming / 2); // this thread's selects take the ring over
            assertEquals(1L, pollerField(sel, "takeovers"), "taken over once");
            assertFalse((Boolean) pollerField(sel, "deferTaskrun"), "an ordinary ring from now on");
            assertEquals(written, drainSends(sel, peerReads), "the peer got every byte written, once, in order");
            got = owner.run(() -> readPattern(sel, p.ch, incoming / 2, incoming)); // the old owner selects again
            peerWrites.get(30, TimeUnit.SECONDS);
            assertEquals(incoming, got, "every byte the peer sent arrived, once, in order");
            assertEquals(1L, pollerField(sel, "takeovers"));
        }
    }

    /** As above, with the owner thread gone: its requests stayed in its ring, and the takeover ends them. */
    @Test
    void aRingWhoseOwnerExitedIsTakenOver() throws Exception {
        Owner owner = new Owner();
        try (Selector sel = deferSelector(); UringSendTest.Pair p = owner.run(() -> new UringSendTest.Pair(sel, 16 * 1024))) {
            long written = owner.run(() -> fillUntilASendWaits(sel, p));
            owner.exit();
            int incoming = 100_000;
            CompletableFuture<Void> peerWrites = CompletableFuture.runAsync(() -> writePattern(p.peer, incoming));
            CompletableFuture<Long> peerReads = UringSendTest.readExactly(p.peer, written);
            assertEquals(incoming, readPattern(sel, p.ch, 0, incoming), "every byte the peer sent, once, in order");
            assertEquals(written, drainSends(sel, peerReads), "every byte written, once, in order");
            peerWrites.get(30, TimeUnit.SECONDS);
            assertEquals(1L, pollerField(sel, "takeovers"));
        } finally {
            owner.close();
        }
    }

    /**
     * A blocking write on another thread after {@code key.cancel()} needs the ring to hand the send buffer back;
     * with the owner parked elsewhere the writer takes the ring over and does it itself, and every byte arrives in
     * order.
     */
    @Test
    void aBlockingWriterOnAnotherThreadTakesTheRingOverItself() throws Exception {
        try (Owner owner = new Owner(); Selector sel = deferSelector();
             UringSendTest.Pair p = owner.run(() -> new UringSendTest.Pair(sel, 16 * 1024))) {
            long buffered = owner.run(() -> {
                long w = fillUntilASendWaits(sel, p);
                return UringSendTest.fill(p.ch, w); // and the send buffer fills behind it
            });
            SelectionKey key = p.key;
            CompletableFuture<Long> peer = UringSendTest.readToEof(p.peer);
            key.cancel();
            p.ch.configureBlocking(true); // the key is not deregistered yet: no select ran
            long end = UringSendTest.blockingWrite(p.ch, buffered, 300_000);
            assertFalse(UringSendTest.sendsThroughRing(p.ch), "handed back to the channel");
            p.ch.shutdownOutput();
            assertEquals(end, peer.get(60, TimeUnit.SECONDS), "every byte, in order");
            assertEquals(1L, pollerField(sel, "takeovers"), "the writer took the ring over");
        }
    }

    /**
     * A close on another thread takes the ring over and closes it: the channel stays open and keeps every byte
     * either way — the buffered ones reach the peer before later writes, the peer's are read after.
     */
    @Test
    void aCloseOnAnotherThreadTakesTheRingOverAndLosesNothing() throws Exception {
        try (Owner owner = new Owner()) {
            Selector sel = deferSelector();
            UringSendTest.Pair p = owner.run(() -> new UringSendTest.Pair(sel, 16 * 1024));
            try (p) {
                long written = owner.run(() -> fillUntilASendWaits(sel, p));
                writePattern(p.peer, 1000);
                CompletableFuture<Long> peer = UringSendTest.readToEof(p.peer);
                sel.close();
                assertEquals(1L, pollerField(sel, "takeovers"));
                assertTrue(p.ch.isOpen() && !p.ch.isRegistered());
                p.ch.configureBlocking(true);
                long end = UringSendTest.blockingWrite(p.ch, written, 100_000);
                p.ch.shutdownOutput();
                assertEquals(end, peer.get(60, TimeUnit.SECONDS), "every byte written, before the later ones, in order");
                ByteBuffer in = ByteBuffer.allocate(1000);
                while (in.hasRemaining()) assertTrue(p.ch.read(in) > 0, "the peer's bytes are still there");
                for (int i = 0; i < 1000; i++) assertEquals(UringSendTest.pattern(i), in.get(i), "byte " + i);
            }
        }
    }

    /**
     * A virtual thread moves between carriers, and the kernel binds the ring to one of them: its select takes the
     * still unclaimed ring over (an ordinary ring), and goes on.
     */
    @Test
    void aVirtualThreadsSelectTakesTheRingOver() throws Exception {
        Object builder;
        try {
            builder = Thread.class.getMethod("ofVirtual").invoke(null);
        } catch (NoSuchMethodException before21) {
            Assumptions.abort("virtual threads: Java 21+");
            return;
        }
        try (Selector sel = deferSelector()) {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            AtomicReference<UringSendTest.Pair> pair = new AtomicReference<>();
            Runnable select = () -> {
                try {
                    pair.set(new UringSendTest.Pair(sel)); // its selectNow
                } catch (Throwable t) {
                    failure.set(t);
                }
            };
            Thread vt = (Thread) Class.forName("java.lang.Thread$Builder").getMethod("start", Runnable.class)
                    .invoke(builder, select);
            vt.join(30_000);
            assertFalse(vt.isAlive());
            assertEquals(null, failure.get());
            try (UringSendTest.Pair p = pair.get()) {
                assertFalse((Boolean) pollerField(sel, "deferTaskrun"), "an ordinary ring");
                assertEquals(1L, pollerField(sel, "takeovers"));
                assertTrue(UringSendTest.sendsThroughRing(p.ch));
                writePattern(p.peer, 5000);
                assertEquals(5000, readPattern(sel, p.ch, 0, 5000));
            }
        }
    }

    /** Fills until a SEND waits in the kernel behind the peer's full window (the caller's selects submit it). */
    private static long fillUntilASendWaits(Selector sel, UringSendTest.Pair p) throws Exception {
        long written = 0;
        for (int i = 0; i < 100 && !sendInFlight(p.ch); i++) {
            written = UringSendTest.fill(p.ch, written);
            sel.selectNow();
        }
        assertTrue(sendInFlight(p.ch), "a SEND waits in the kernel");
        return written;
    }

    private static void writePattern(java.net.Socket peer, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = UringSendTest.pattern(i);
        try {
            peer.getOutputStream().write(b);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Reads the pattern from {@code from} to {@code to} with selects; returns {@code to}. */
    private static long readPattern(Selector sel, java.nio.channels.SocketChannel ch, long from, long to) throws Exception {
        ByteBuffer in = ByteBuffer.allocate(8192);
        long at = from;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (at < to) {
            assertTrue(System.nanoTime() < deadline, "stalled at byte " + at);
            sel.select(100);
            sel.selectedKeys().clear();
            in.clear();
            if (to - at < in.capacity()) in.limit((int) (to - at));
            int n = ch.read(in);
            if (n < 0) throw new AssertionError("EOF at byte " + at);
            for (int i = 0; i < n; i++, at++) {
                if (in.get(i) != UringSendTest.pattern(at)) throw new AssertionError("byte " + at + " out of order");
            }
        }
        return at;
    }

    /** Selects until the peer has read what it expects (the ring submits what waits); returns its count. */
    private static long drainSends(Selector sel, CompletableFuture<Long> peerReads) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!peerReads.isDone() && System.nanoTime() < deadline) {
            sel.select(20);
            sel.selectedKeys().clear();
        }
        return peerReads.get(1, TimeUnit.SECONDS);
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
