package io.edgewise.uring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * io_uring level 2, the send side, through the public API: an Edgewise channel registered with a ring
 * selector writes into its send buffer and the ring sends it. Runs only with
 * {@code -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true} (skipped otherwise).
 */
@Timeout(120)
class UringSendTest {
    @BeforeEach
    void levelTwo() {
        assumeSends();
    }

    /** Level 2 with its send side (on unless {@code -Dio.edgewise.uring.send=false}); skipped otherwise. */
    static void assumeSends() {
        UringCompletionIoTest.assumeLevelTwo();
        org.junit.jupiter.api.Assumptions.assumeTrue(io.edgewise.sys.Settings.uringSend(),
                "needs level 2's send side (off with -Dio.edgewise.uring.send=false)");
    }

    /** Whether the channel's writes go to a ring's send buffer. */
    static boolean sendsThroughRing(SocketChannel ch) throws Exception {
        Object out = field(streamChannel(ch), ch, "output");
        return out != null && out.getClass().getSimpleName().equals("UringSendStream");
    }

    static int fdVal(SocketChannel ch) throws Exception {
        java.lang.reflect.Method m = streamChannel(ch).getDeclaredMethod("fdVal");
        m.setAccessible(true);
        return (Integer) m.invoke(ch);
    }

    private static Class<?> streamChannel(SocketChannel ch) {
        Class<?> c = ch.getClass();
        while (!c.getSimpleName().equals("StreamSocketChannel")) c = c.getSuperclass();
        return c;
    }

    private static Object field(Class<?> c, Object o, String name) throws Exception {
        java.lang.reflect.Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(o);
    }

    /** SENDs the selector's ring submitted so far. */
    static long ringSends(Selector sel) throws Exception {
        Object poller = field(sel.getClass(), sel, "poller");
        Object sends = field(poller.getClass(), poller, "sends");
        return sends == null ? 0 : (Long) field(sends.getClass(), sends, "sends");
    }

    static byte pattern(long at) {
        return io.edgewise.testing.PatternBytes.at(at);
    }

    /** An accepted Edgewise channel on {@code sel} (OP_READ) and its JDK peer. */
    static final class Pair implements AutoCloseable {
        final ServerSocketChannel server;
        final Socket peer = new Socket();
        final SocketChannel ch;
        final SelectionKey key;

        Pair(Selector sel) throws Exception {
            this(sel, 0);
        }

        /** {@code peerBuffer > 0}: the peer's SO_RCVBUF (set before connecting, so the window is small). */
        Pair(Selector sel, int peerBuffer) throws Exception {
            if (peerBuffer > 0) peer.setReceiveBufferSize(peerBuffer);
            server = UringCompletionIoTest.P.openServerSocketChannel();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            peer.connect(server.getLocalAddress(), 10_000);
            peer.setSoTimeout(30_000);
            ch = server.accept();
            ch.configureBlocking(false);
            key = ch.register(sel, SelectionKey.OP_READ);
            sel.selectNow(); // binds it to the ring
        }

        @Override
        public void close() throws Exception {
            ch.close();
            peer.close();
            server.close();
        }
    }

    /**
     * Writes the pattern from {@code at} until a write returns 0 (the send buffer and the socket are full);
     * returns the new position.
     */
    static long fill(SocketChannel ch, long at) throws Exception {
        return fill(ch, at, Long.MAX_VALUE);
    }

    /** {@link #fill(SocketChannel, long)}, stopping at {@code max} too. */
    static long fill(SocketChannel ch, long at, long max) throws Exception {
        ByteBuffer b = ByteBuffer.allocateDirect(4000); // small writes: copied into the ring's send buffer
        while (at < max) {
            b.clear();
            if (max - at < b.capacity()) b.limit((int) (max - at));
            for (int i = 0; i < b.limit(); i++) b.put(i, pattern(at + i));
            int n = ch.write(b);
            if (n == 0) return at;
            at += n;
        }
        return at;
    }

    /** The peer reads to EOF and checks the pattern; returns the count. */
    static CompletableFuture<Long> readToEof(Socket peer) {
        return io.edgewise.testing.PatternBytes.readToEof(peer);
    }

    /** The peer reads exactly {@code len} bytes and checks the pattern (no EOF needed). */
    static CompletableFuture<Long> readExactly(Socket peer, long len) {
        return io.edgewise.testing.PatternBytes.readExactly(peer, len);
    }

    /** Selects in the background (the ring sends) until {@code peer} completes; returns its count. */
    static long whileSelecting(Selector sel, CompletableFuture<Long> peer, int seconds) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Void> loop = keepSelecting(sel, stop);
        try {
            return peer.get(seconds, TimeUnit.SECONDS);
        } finally {
            stop.set(true);
            loop.get(10, TimeUnit.SECONDS);
        }
    }

    /** Selects in the background until stopped (the ring submits and completes the sends). */
    static CompletableFuture<Void> keepSelecting(Selector sel, AtomicBoolean stop) {
        return CompletableFuture.runAsync(() -> {
            try {
                while (!stop.get()) {
                    sel.select(20);
                    sel.selectedKeys().clear();
                }
            } catch (java.io.IOException e) {
                throw new RuntimeException(e);
            }
        }, r -> new Thread(r).start());
    }

    /** An echo server's read buffer, so its largest write: below the size a write sends directly. */
    private static final int SMALL_WRITES = 4096;

    /** The large writes a channel's send stream made itself ({@code UringSendStream.largeSends}). */
    static long largeSends(SocketChannel ch) throws Exception {
        Object out = field(streamChannel(ch), ch, "output");
        return (Long) field(out.getClass(), out, "largeSends");
    }

    /**
     * Small writes go through the ring, a large write with nothing queued straight to the socket, a large
     * write behind queued bytes is copied after them: the peer gets every byte in order either way.
     */
    @Test
    void largeAndSmallWritesInterleavedArriveInOrder() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
            assertTrue(sendsThroughRing(p.ch));
            CompletableFuture<Long> got = readToEof(p.peer);
            long at = 0;
            ByteBuffer b = ByteBuffer.allocateDirect(20_000);
            for (int round = 0; round < 400; round++) {
                int size = round % 3 == 0 ? 20_000 : 100; // large after small: the small ones may still be queued
                b.clear().limit(size);
                for (int i = 0; i < size; i++) b.put(i, pattern(at + i));
                while (b.hasRemaining()) {
                    int n = p.ch.write(b);
                    if (n == 0) sel.select(5); // the ring sends what is queued
                }
                at += size;
                if (round % 2 == 0) sel.selectNow();
            }
            long large = largeSends(p.ch);
            p.ch.shutdownOutput();
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Void> selecting = keepSelecting(sel, stop);
            assertEquals(at, got.get(60, TimeUnit.SECONDS), "every byte, in order (the peer checks the order)");
            stop.set(true);
            selecting.get(10, TimeUnit.SECONDS);
            assertTrue(large > 0, "some large writes went to the socket directly");
            assertTrue(ringSends(sel) > 0, "the small ones through the ring");
        }
    }

    @Test
    void tenMegabytesEchoThroughRingSendsInOrder() throws Exception {
        try (UringCompletionIoTest.EchoServer s = new UringCompletionIoTest.EchoServer(SMALL_WRITES)) {
            byte[] data = new byte[10 << 20];
            new Random(21).nextBytes(data);
            assertArrayEquals(data, UringCompletionIoTest.echo(s.address(), data));
            assertTrue(sendsThroughRing(s.accepted.get(0)), "the echo channel writes into the ring's buffer");
            assertTrue(ringSends(s.sel) > 0, "the ring sent");
        }
    }

    @Test
    void manyConnectionsEchoThroughRingSends() throws Exception {
        try (UringCompletionIoTest.EchoServer s = new UringCompletionIoTest.EchoServer(SMALL_WRITES)) {
            UringCompletionIoTest.echoAtOnce(s.address(), 40, seed -> UringCompletionIoTest.random(200_000, seed));
            assertTrue(ringSends(s.sel) >= 40, "the ring sent for every connection");
        }
    }

    /** Backpressure: a full send buffer gives write 0 and OP_WRITE stays not ready until the peer reads. */
    @Test
    void aFullSendBufferReturnsZeroAndOpWriteWaitsForRoom() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
            assertTrue(sendsThroughRing(p.ch));
            long written = fill(p.ch, 0);
            p.key.interestOps(SelectionKey.OP_WRITE);
            sel.selectedKeys().clear();
            assertEquals(0, sel.select(300), "OP_WRITE is not ready while the send buffer is full");
            assertEquals(0, p.ch.write(ByteBuffer.allocate(10)), "a full buffer takes nothing");
            CompletableFuture<Long> peer = readToEof(p.peer);
            assertEquals(1, sel.select(10_000), "OP_WRITE is ready once the peer read and room came back");
            assertTrue(p.key.isWritable());
            written = fill(p.ch, written, written + (4 << 20)); // more, while the peer reads
            p.key.interestOps(SelectionKey.OP_READ);
            p.ch.shutdownOutput();
            assertEquals(written, whileSelecting(sel, peer, 60), "every byte write() accepted, in order");
        }
    }

    /**
     * A large write with nothing buffered goes to the socket directly and returns what the socket took, as the
     * JDK's does: once the socket is full nothing is copied into the send buffer (not even a small write), and
     * OP_WRITE waits for the socket's room.
     */
    @Test
    void aLargeWriteTakesOnlyWhatTheSocketTakes() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel, 16 * 1024)) {
            assertTrue(sendsThroughRing(p.ch));
            long written = fillWithLargeWrites(p.ch);
            assertEquals(0, chunksHeld(p.ch), "nothing was copied");
            assertEquals(0, ringSends(sel), "the socket took every byte written: the ring sent none");
            ByteBuffer small = ByteBuffer.allocate(10);
            for (int j = 0; j < small.limit(); j++) small.put(j, pattern(written + j));
            written += p.ch.write(small); // what the kernel takes (usually nothing; a tail segment may take it)
            assertEquals(0, chunksHeld(p.ch), "a small write is not copied either");
            p.key.interestOps(SelectionKey.OP_WRITE);
            sel.selectedKeys().clear();
            assertEquals(0, sel.select(300), "OP_WRITE is not ready while the socket is full");
            CompletableFuture<Long> peer = readToEof(p.peer);
            assertEquals(1, sel.select(10_000), "OP_WRITE is ready once the peer read");
            assertTrue(p.key.isWritable());
            written = fill(p.ch, written, written + 100_000); // small writes are copied again
            p.key.interestOps(SelectionKey.OP_READ);
            p.ch.shutdownOutput();
            assertEquals(written, whileSelecting(sel, peer, 60), "every byte write() took, once, in order");
        }
    }

    /** Writes the pattern in 64 KiB writes (each large: direct) until one returns 0; returns the count. */
    private static long fillWithLargeWrites(SocketChannel ch) throws Exception {
        ByteBuffer big = ByteBuffer.allocateDirect(64 * 1024);
        long written = 0;
        for (int n = -1; n != 0; written += n) {
            big.clear();
            for (int j = 0; j < big.limit(); j++) big.put(j, pattern(written + j));
            n = ch.write(big);
        }
        return written;
    }

    /** The chunks the channel's send stream holds (bytes copied in and not yet sent). */
    private static int chunksHeld(SocketChannel ch) throws Exception {
        Object out = field(streamChannel(ch), ch, "output");
        synchronized (out) {
            return ((Number) field(out.getClass(), out, "count")).intValue();
        }
    }

    /**
     * After a large write found the socket full, a writer that never selects (it loops on small writes) still
     * makes progress as the peer reads, as on the JDK: until the room poll fires, writes go to the socket.
     */
    @Test
    void aWriterThatNeverSelectsProgressesAfterALargeWriteFoundTheSocketFull() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel, 16 * 1024)) {
            long written = fillWithLargeWrites(p.ch);
            CompletableFuture<Long> peer = readToEof(p.peer);
            long target = written + 200_000, deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            ByteBuffer small = ByteBuffer.allocate(100);
            while (written < target) { // no select on any thread meanwhile
                assertTrue(System.nanoTime() < deadline, "the writer makes progress (" + written + " written)");
                small.clear();
                for (int j = 0; j < small.limit(); j++) small.put(j, pattern(written + j));
                written += p.ch.write(small);
            }
            p.ch.shutdownOutput();
            assertEquals(written, whileSelecting(sel, peer, 60), "every byte write() took, once, in order");
        }
    }

    /** A socket buffer smaller than a chunk: SENDs complete in part and go on from where they stopped. */
    @Test
    void partialSendsContinueWhereTheyStopped() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel, 4096)) {
            p.ch.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 4096);
            CompletableFuture<Long> peer = readToEof(p.peer);
            long total = 2 << 20, at = 0;
            while ((at = fill(p.ch, at, total)) < total) {
                p.key.interestOps(SelectionKey.OP_WRITE);
                sel.select(1000);
                sel.selectedKeys().clear();
            }
            p.key.interestOps(SelectionKey.OP_READ);
            p.ch.shutdownOutput();
            assertEquals(total, whileSelecting(sel, peer, 60), "every byte, in order");
            Object poller = field(sel.getClass(), sel, "poller");
            Object sends = field(poller.getClass(), poller, "sends");
            assertTrue((Long) field(sends.getClass(), sends, "partials") > 0, "some SENDs completed in part");
        }
    }

    /** shutdownOutput sends every buffered byte before the FIN. */
    @Test
    void shutdownOutputSendsEveryBufferedByteBeforeTheFin() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
            long written = fill(p.ch, 0);
            p.ch.shutdownOutput();
            assertEquals(written, whileSelecting(sel, readToEof(p.peer), 60), "every buffered byte, then EOF");
        }
    }

    /** A blocking write of the pattern from {@code at} to {@code at + len}, in 30 000-byte writes. */
    static long blockingWrite(SocketChannel ch, long at, long len) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(30_000);
        long end = at + len;
        while (at < end) {
            b.clear();
            if (end - at < b.capacity()) b.limit((int) (end - at));
            for (int i = 0; i < b.limit(); i++) b.put(i, pattern(at + i));
            while (b.hasRemaining()) at += ch.write(b);
        }
        return at;
    }

    /**
     * Deregistration hands the channel back to direct writes only after the bytes its send buffer held:
     * they come first (cancelled SEND included), then what blocking writes add — no reordering.
     */
    @Test
    void afterDeregistrationTheBufferedBytesGoFirst() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
            long written = fill(p.ch, 0);
            p.key.cancel();
            sel.selectNow(); // deregistration: the SEND in flight is cancelled, the unsent bytes go to the channel
            p.ch.configureBlocking(true);
            CompletableFuture<Long> peer = readToEof(p.peer);
            written = blockingWrite(p.ch, written, 300_000);
            p.ch.shutdownOutput();
            assertEquals(written, peer.get(60, TimeUnit.SECONDS), "every byte, in order");
        }
    }

    /**
     * The JDK HttpServer pattern: key.cancel(), configureBlocking(true) and a blocking write before the
     * selector's next selection deregisters the channel: the write waits for the buffer, and the bytes keep
     * their order across the hand-back.
     */
    @Test
    void aBlockingWriteBetweenCancelAndDeregistrationKeepsTheOrder() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
            long written = fill(p.ch, 0);
            p.key.cancel();
            p.ch.configureBlocking(true);
            assertTrue(sendsThroughRing(p.ch), "still the ring's until the selector deregisters it");
            CompletableFuture<Long> peer = readToEof(p.peer);
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Void> loop = keepSelecting(sel, stop);
            written = blockingWrite(p.ch, written, 300_000);
            p.ch.shutdownOutput();
            assertEquals(written, peer.get(60, TimeUnit.SECONDS), "every byte, in order");
            stop.set(true);
            loop.get(10, TimeUnit.SECONDS);
        }
    }

    /** The bytes a detached send buffer left to the channel, not yet written (0: none, or still the ring's). */
    static int leftover(SocketChannel ch) throws Exception {
        Object out = field(streamChannel(ch), ch, "output");
        ByteBuffer left = out == null ? null : ((io.edgewise.sys.CompletionOutput) out).leftover();
        return left == null ? 0 : left.remaining();
    }

    /** A key cancelled while the socket was full: the deregistration leaves the channel bytes it did not send. */
    private static long leaveBytesToTheChannel(Selector sel, Pair p) throws Exception {
        long written = fill(p.ch, 0);
        p.key.cancel();
        sel.selectNow(); // deregistration: the socket takes what it can, the rest stays with the channel
        assertTrue(leftover(p.ch) > 0, "the socket was full: bytes are left to the channel");
        return written;
    }

    /**
     * Bytes a deregistration left to the channel, and then no write but a shutdownOutput: the peer gets every
     * accepted byte before the FIN, as on the JDK, where they were in the kernel when write returned (they
     * were dropped: the FIN went first).
     */
    @Test
    void aShutdownOutputSendsTheBytesADeregistrationLeftBeforeTheFin() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
            long written = leaveBytesToTheChannel(sel, p);
            p.ch.shutdownOutput();
            assertEquals(written, readToEof(p.peer).get(60, TimeUnit.SECONDS), "every accepted byte, then EOF");
        }
    }

    /**
     * The same with a close, of a non-blocking and of a blocking channel: the close waits for nothing, and the
     * descriptor number stays the socket's until the last byte is out.
     */
    @Test
    void aCloseSendsTheBytesADeregistrationLeftBeforeTheFin() throws Exception {
        for (boolean blocking : new boolean[] {false, true}) {
            try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
                long written = leaveBytesToTheChannel(sel, p);
                if (blocking) p.ch.configureBlocking(true);
                int oldFd = fdVal(p.ch);
                String oldLink = link(oldFd);
                p.ch.close();
                assertEquals(oldLink, link(oldFd), "the number is still the socket's while its bytes wait");
                assertEquals(written, readToEof(p.peer).get(60, TimeUnit.SECONDS),
                        "every accepted byte, then EOF (blocking: " + blocking + ")");
                assertNotEquals(oldLink, io.edgewise.testing.OpenDescriptors.awaitNotTarget(oldFd, oldLink, 10),
                        "the descriptor is closed once everything was sent");
            }
        }
    }

    /**
     * Bytes a deregistration left to a channel made blocking, whose writer waits for room (they go before its
     * own): a {@code shutdownOutput} from another thread returns that writer as the JDK's does
     * ({@code AsynchronousCloseException}, none of its bytes written), and the peer still gets every byte write
     * had accepted, then EOF. (The kernel's shutdown woke the writer and the bytes were dropped; and the writer
     * spun without waiting while the socket was full.)
     */
    @Test
    void aShutdownOutputWhileAWriterWaitsSendsTheLeftBytesThenTheFin() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
            long written = leaveBytesToTheChannel(sel, p);
            p.ch.configureBlocking(true);
            CompletableFuture<Object> writer = blockedWrite(p.ch, written);
            p.ch.shutdownOutput();
            assertTrue(writer.get(30, TimeUnit.SECONDS) instanceof java.nio.channels.AsynchronousCloseException,
                    "the writer ends as on the JDK: " + writer.get());
            assertEquals(written, readToEof(p.peer).get(60, TimeUnit.SECONDS), "every accepted byte, then EOF");
        }
    }

    /**
     * The same with a close while a writer and a reader wait: both end with {@code AsynchronousCloseException}, as
     * on the JDK, the peer gets every accepted byte then EOF, and the number stays the socket's until then.
     */
    @Test
    void aCloseWhileAWriterAndAReaderWaitSendsTheLeftBytesThenTheFin() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
            long written = leaveBytesToTheChannel(sel, p);
            p.ch.configureBlocking(true);
            CompletableFuture<Object> writer = blockedWrite(p.ch, written);
            CompletableFuture<Object> reader = blocked("reader", () -> p.ch.read(ByteBuffer.allocate(16)));
            int oldFd = fdVal(p.ch);
            String oldLink = link(oldFd);
            p.ch.close();
            assertTrue(writer.get(30, TimeUnit.SECONDS) instanceof java.nio.channels.AsynchronousCloseException,
                    "the writer ends as on the JDK: " + writer.get());
            assertTrue(reader.get(30, TimeUnit.SECONDS) instanceof java.nio.channels.AsynchronousCloseException,
                    "the reader ends as on the JDK: " + reader.get());
            assertEquals(oldLink, link(oldFd), "the number is still the socket's while its bytes wait");
            assertEquals(written, readToEof(p.peer).get(60, TimeUnit.SECONDS), "every accepted byte, then EOF");
            assertNotEquals(oldLink, io.edgewise.testing.OpenDescriptors.awaitNotTarget(oldFd, oldLink, 10),
                    "the descriptor is closed once everything was sent");
        }
    }

    /**
     * The same when the waiting writer is interrupted: the channel closes as on the JDK
     * ({@code ClosedByInterruptException} for the writer) and the bytes still go, then EOF.
     */
    @Test
    void anInterruptedWriterClosesTheChannelAndTheLeftBytesStillGo() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
            long written = leaveBytesToTheChannel(sel, p);
            p.ch.configureBlocking(true);
            Thread[] writerThread = new Thread[1];
            CompletableFuture<Object> writer = blockedWrite(p.ch, written, writerThread);
            writerThread[0].interrupt();
            assertTrue(writer.get(30, TimeUnit.SECONDS) instanceof java.nio.channels.ClosedByInterruptException,
                    "the writer ends as on the JDK: " + writer.get());
            assertTrue(!p.ch.isOpen(), "the interrupt closed the channel");
            // the pattern goes on in the writer's buffer: the kernel may have taken part of it before the interrupt
            long got = readToEof(p.peer).get(60, TimeUnit.SECONDS);
            assertTrue(got >= written && got <= written + 100_000,
                    "every accepted byte, then what the writer wrote before its interrupt, then EOF: " + (got - written));
        }
    }

    /** A blocking write of the pattern from {@code at} on a thread that must block in it; its result or throwable. */
    private static CompletableFuture<Object> blockedWrite(SocketChannel ch, long at) {
        return blockedWrite(ch, at, new Thread[1]);
    }

    /** {@link #blockedWrite(SocketChannel, long)}, its thread put into {@code thread[0]}. */
    private static CompletableFuture<Object> blockedWrite(SocketChannel ch, long at, Thread[] thread) {
        return blocked("writer", () -> {
            ByteBuffer b = ByteBuffer.allocate(100_000);
            for (int i = 0; i < b.capacity(); i++) b.put(i, pattern(at + i));
            return ch.write(b);
        }, thread);
    }

    /** Runs {@code call} on a new thread, asserts that the thread blocks in it; completes with its result or throwable. */
    private static CompletableFuture<Object> blocked(String name, java.util.concurrent.Callable<Object> call) {
        return blocked(name, call, new Thread[1]);
    }

    /** {@link #blocked(String, java.util.concurrent.Callable)}, its thread put into {@code thread[0]}. */
    private static CompletableFuture<Object> blocked(String name, java.util.concurrent.Callable<Object> call,
            Thread[] thread) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(call.call());
            } catch (Throwable e) {
                result.complete(e);
            }
        }, name);
        t.setDaemon(true);
        thread[0] = t;
        t.start();
        io.edgewise.testing.Blocking.assertBlocks(t);
        return result;
    }

    /**
     * {@code SO_LINGER 0} asks close for a reset, which drops what is queued (as the kernel drops its queue on
     * the JDK): the bytes a deregistration left to the channel are not sent — the descriptor is closed at once,
     * no drain holds it — and the peer meets the reset instead of every byte and EOF.
     */
    @Test
    void aCloseWithLingerZeroDropsTheBytesADeregistrationLeftAndResets() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
            long written = leaveBytesToTheChannel(sel, p);
            p.ch.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
            int fd = fdVal(p.ch);
            String before = link(fd);
            p.ch.close();
            assertNotEquals(before, link(fd), "closed at once: no drain holds the descriptor for the bytes");
            long got;
            try {
                got = readToEof(p.peer).get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable c = e.getCause() instanceof java.io.UncheckedIOException ? e.getCause().getCause() : e.getCause();
                assertTrue(c instanceof java.net.SocketException, "the reset, not " + c);
                return;
            }
            assertTrue(got < written, "not every byte and EOF: the reset dropped the rest (" + got + " of " + written + ")");
        }
    }

    /**
     * A closed channel's bytes wait (the peer reads nothing yet) when the selector is closed: the channel still
     * sends every one before the FIN (they were dropped while they lingered in the ring).
     */
    @Test
    void aSelectorsCloseLeavesAClosedChannelsBytesToBeSentBeforeTheFin() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
            long written = fill(p.ch, 0);
            p.ch.close();
            sel.selectNow(); // deregistration
            sel.close();
            assertEquals(written, readToEof(p.peer).get(60, TimeUnit.SECONDS), "every accepted byte, then EOF");
        }
    }

    /**
     * A selector closed while another thread keeps calling {@code write} on a channel whose output is shut down
     * (each call throws, holding the channel's writeLock for a moment): when the selector's hand-back finds that
     * lock taken, the writer's release of it must start the drain — the peer still gets every accepted byte,
     * then EOF, every time.
     */
    @Test
    void aSelectorsCloseRacingAWriterStillSendsEveryByte() throws Exception {
        for (int round = 0; round < 40; round++) {
            AtomicBoolean stop = new AtomicBoolean();
            try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
                long written = fill(p.ch, 0);
                p.ch.shutdownOutput(); // the ring owns the bytes and is asked for the FIN after them
                java.util.concurrent.CountDownLatch writing = new java.util.concurrent.CountDownLatch(1);
                Thread writer = new Thread(() -> {
                    ByteBuffer b = ByteBuffer.allocate(1);
                    while (!stop.get()) {
                        try {
                            p.ch.write(b);
                            throw new AssertionError("a write after shutdownOutput succeeded");
                        } catch (java.nio.channels.ClosedChannelException expected) {
                            writing.countDown();
                        } catch (java.io.IOException e) {
                            throw new RuntimeException(e);
                        }
                    }
                }, "racing-writer");
                writer.start();
                writing.await();
                sel.close(); // hands the bytes back: the channel's drain must send them and the FIN
                assertEquals(written, readToEof(p.peer).get(30, TimeUnit.SECONDS),
                        "round " + round + ": every accepted byte, then EOF");
                stop.set(true);
                writer.join(10_000);
            } finally {
                stop.set(true);
            }
        }
    }

    /**
     * A selector closed while an open channel's bytes wait in its ring: they go to the channel, and its close
     * sends them before the FIN.
     */
    @Test
    void aSelectorsCloseHandsTheBytesBackAndTheChannelsCloseSendsThem() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
            long written = fill(p.ch, 0);
            sel.close();
            assertTrue(leftover(p.ch) > 0, "the socket was full: bytes are left to the channel");
            p.ch.close();
            assertEquals(written, readToEof(p.peer).get(60, TimeUnit.SECONDS), "every accepted byte, then EOF");
        }
    }

    /** Writes the pattern from {@code at} in heap writes of 4 KiB (copied into the send buffer, not sent yet). */
    static long writeBuffered(SocketChannel ch, long at, int len) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(4096);
        long end = at + len;
        while (at < end) {
            b.clear();
            if (end - at < b.capacity()) b.limit((int) (end - at));
            for (int i = 0; i < b.limit(); i++) b.put(i, pattern(at + i));
            int n = ch.write(b);
            assertEquals(b.limit(), n, "the send buffer has room for every write");
            at += n;
        }
        return at;
    }

    /**
     * Netty with auto-read off: the channel's writes are done (no OP_WRITE) and it does not read (no OP_READ),
     * so its interest is 0 while bytes wait in the send buffer. They must still reach the peer, with no
     * further write — as on the JDK, where they are in the kernel once write returned. (Netty's
     * SocketFileRegionTest hung here: interest 0 used to hand the bytes back to the channel.)
     */
    @Test
    void bytesBufferedWhenTheInterestBecomesZeroStillReachThePeer() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
            long written = writeBuffered(p.ch, 0, 40_000);
            p.key.interestOps(0);
            assertEquals(written, whileSelecting(sel, readExactly(p.peer, written), 30), "every byte, in order");
            assertTrue(sendsThroughRing(p.ch), "an interest of 0 keeps the ring's send buffer");
            p.key.interestOps(SelectionKey.OP_WRITE);
            assertEquals(1, sel.select(10_000), "OP_WRITE again from the buffer's room");
        }
    }

    /**
     * A key cancelled with bytes in the send buffer, and then neither a write nor a selection more: the
     * deregistration hands the bytes to the socket, so the peer gets them.
     */
    @Test
    void bytesBufferedAtDeregistrationReachThePeerWithoutAnotherWrite() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
            long written = writeBuffered(p.ch, 0, 40_000);
            p.key.cancel();
            sel.selectNow(); // deregistration
            assertEquals(written, readExactly(p.peer, written).get(30, TimeUnit.SECONDS), "every byte, in order");
        }
    }

    /**
     * A selector's send pool (1 MiB here: 16 connections of 64 KiB) taken by connections whose peers do not
     * read: a seventeenth connection's write returns 0 with nothing of its own buffered. When one peer reads
     * and that connection's chunks come back, the seventeenth gets OP_WRITE (before: only its own completion
     * could report room, and it had none in flight).
     */
    @Test
    void aConnectionWaitingForThePoolGetsOpWriteWhenAnotherGivesChunksBack() throws Exception {
        String before = System.getProperty(io.edgewise.sys.Settings.URING_SEND_POOL_BYTES);
        System.setProperty(io.edgewise.sys.Settings.URING_SEND_POOL_BYTES, Integer.toString(1 << 20));
        java.util.List<Pair> pairs = new java.util.ArrayList<>();
        try (Selector sel = UringCompletionIoTest.P.openSelector()) {
            long[] written = new long[16];
            for (int i = 0; i < 16; i++) {
                pairs.add(new Pair(sel, 16 * 1024));
            }
            boolean more = true;
            while (more) { // until every socket and every buffer is full (SENDs in flight take some first)
                more = false;
                sel.selectNow();
                for (int i = 0; i < 16; i++) {
                    long w = fill(pairs.get(i).ch, written[i]);
                    more |= w != written[i];
                    written[i] = w;
                }
            }
            Pair last = new Pair(sel, 16 * 1024); // its socket is empty: only the pool stops its writes
            pairs.add(last);
            assertEquals(0, last.ch.write(ByteBuffer.wrap(new byte[100])), "the pool is taken");
            last.key.interestOps(SelectionKey.OP_WRITE);
            assertEquals(0, sel.selectNow(), "no room for it yet");
            CompletableFuture<Long> reader = readExactly(pairs.get(0).peer, written[0]);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            boolean writable = false;
            while (!writable && System.nanoTime() < deadline) {
                sel.select(1000);
                writable = sel.selectedKeys().contains(last.key) && last.key.isWritable();
                sel.selectedKeys().clear();
            }
            assertTrue(writable, "OP_WRITE once the first connection's chunks came back");
            assertTrue(last.ch.write(ByteBuffer.wrap(new byte[100])) > 0, "and the write takes bytes");
            assertEquals(written[0], whileSelecting(sel, reader, 30), "the first connection's bytes, in order");
        } finally {
            for (Pair p : pairs) p.close();
            if (before == null) System.clearProperty(io.edgewise.sys.Settings.URING_SEND_POOL_BYTES);
            else System.setProperty(io.edgewise.sys.Settings.URING_SEND_POOL_BYTES, before);
        }
    }

    /**
     * The JDK HttpServer pattern with no selection at all after the cancel: a SEND is in flight on a full
     * socket, the key is cancelled, the channel made blocking, and a blocking write finds the buffer full.
     * The ring's buffer drains only through polls nobody makes, so the writer has the backend hand it back
     * and goes on with the descriptor (before: it looked again every 10 ms for ever).
     */
    @Test
    void aBlockingWriteAfterCancelNeedsNoSelection() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel, 16 * 1024)) {
            long written = fill(p.ch, 0);
            // the selecting thread submits the SEND (it waits in the kernel: the socket is full), then parks
            java.util.concurrent.CountDownLatch selected = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
            Thread selector = new Thread(() -> {
                try {
                    sel.selectNow();
                    selected.countDown();
                    done.await();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, "selects-once");
            selector.start();
            assertTrue(selected.await(10, TimeUnit.SECONDS));
            written = fill(p.ch, written);
            p.key.cancel();
            p.ch.configureBlocking(true);
            CompletableFuture<Long> peer = readToEof(p.peer);
            written = blockingWrite(p.ch, written, 300_000);
            assertTrue(!sendsThroughRing(p.ch), "handed back to the channel");
            p.ch.shutdownOutput();
            assertEquals(written, peer.get(60, TimeUnit.SECONDS), "every byte, in order");
            done.countDown();
            selector.join(10_000);
        }
    }

    /**
     * Bytes spread over several chunks leave in one send (a SENDMSG over the chunks), not one send per chunk:
     * 60 000 bytes in 4 chunks, a socket with room for them, one submission, every byte in order.
     */
    @Test
    void bytesInSeveralChunksLeaveInOneSend() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
            p.ch.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 1 << 20);
            long before = ringSends(sel);
            long written = writeBuffered(p.ch, 0, 60_000);
            CompletableFuture<Long> peer = readExactly(p.peer, written);
            assertEquals(written, whileSelecting(sel, peer, 30), "every byte, in order");
            assertEquals(1, ringSends(sel) - before, "one send for the four chunks");
        }
    }

    /**
     * A gathering write of small buffers that add up to a large write, with nothing queued, goes to the
     * socket in one call (the channel's writev, as the JDK's), not through the ring and not one call per
     * buffer (Netty flushes its outbound buffer this way).
     */
    @Test
    void aLargeGatheringWriteGoesToTheSocketInOneCall() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Pair p = new Pair(sel)) {
            ByteBuffer[] parts = new ByteBuffer[3];
            for (int k = 0; k < 3; k++) {
                parts[k] = ByteBuffer.allocateDirect(4096);
                for (int i = 0; i < 4096; i++) parts[k].put(i, pattern(k * 4096L + i));
            }
            long large = largeSends(p.ch), ring = ringSends(sel);
            assertEquals(3 * 4096, p.ch.write(parts), "the socket took it all");
            sel.selectNow();
            assertEquals(large + 1, largeSends(p.ch), "one direct write for the three buffers");
            assertEquals(ring, ringSends(sel), "nothing through the ring");
            assertEquals(3 * 4096L, readExactly(p.peer, 3 * 4096).get(30, TimeUnit.SECONDS));
        }
    }

    /**
     * Bytes waiting in one ring selector's send buffer when the channel is registered with a second selector,
     * and the first is never selected again: the registration hands them back, so the peer gets them.
     */
    @Test
    void aSecondSelectorsRegistrationHandsTheBufferBack() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector(); Selector other = UringCompletionIoTest.P.openSelector();
                Pair p = new Pair(sel)) {
            long written = writeBuffered(p.ch, 0, 40_000); // queued: sel's next poll would send them
            p.ch.register(other, SelectionKey.OP_READ);
            assertEquals(written, readExactly(p.peer, written).get(30, TimeUnit.SECONDS), "every byte, in order");
        }
    }

    private static String link(int fd) {
        return io.edgewise.testing.OpenDescriptors.target(fd);
    }

    /**
     * Close with sends in flight (a peer that has not read): the peer still receives every byte write()
     * accepted, then EOF; the descriptor number stays taken until then (so a new socket gets another), and a
     * socket that gets the number afterwards receives only its own bytes.
     */
    @Test
    void aCloseWithSendsInFlightDeliversEveryByteAndNoByteReachesTheNumbersNextSocket() throws Exception {
        try (Selector sel = UringCompletionIoTest.P.openSelector()) {
            Pair p = new Pair(sel);
            int oldFd = fdVal(p.ch);
            String oldLink = link(oldFd);
            long written = fill(p.ch, 0);
            p.ch.close();
            sel.selectNow(); // deregisters: the channel's drain sends the buffered bytes, holding the descriptor
            assertEquals(oldLink, link(oldFd), "the number is still the old socket's");
            try (Pair q = new Pair(sel)) {
                assertNotEquals(oldFd, fdVal(q.ch), "a new socket cannot get the number whose bytes are still sent");
            }
            AtomicBoolean stop = new AtomicBoolean();
            CompletableFuture<Void> loop = keepSelecting(sel, stop);
            assertEquals(written, readToEof(p.peer).get(60, TimeUnit.SECONDS), "every accepted byte, then EOF");
            // the real close follows the last send's completion
            assertNotEquals(oldLink, io.edgewise.testing.OpenDescriptors.awaitNotTarget(oldFd, oldLink, 10),
                    "the descriptor is closed once everything was sent");
            stop.set(true);
            loop.get(10, TimeUnit.SECONDS);
            // a new socket (probably on the freed number) receives only its own bytes
            try (Pair r = new Pair(sel)) {
                r.ch.write(ByteBuffer.wrap("own".getBytes()));
                r.ch.shutdownOutput();
                sel.selectNow();
                byte[] got = r.peer.getInputStream().readAllBytes();
                assertEquals("own", new String(got));
            }
            p.peer.close();
            p.server.close();
        }
    }
}
