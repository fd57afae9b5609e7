package io.edgewise.uring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.backend.Backends;
import io.edgewise.backend.uring.UringSupport;
import io.edgewise.conformance.Providers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * io_uring level 2 (completion I/O) through the public API: a selector server on Edgewise whose accepted
 * channels read from the ring. Runs only with {@code -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true}
 * (skipped otherwise, like the level-1 selector tests), e.g.
 * {@code mvn -o -pl provider test -Dtest='UringCompletionIoTest' -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true}.
 */
@Timeout(120)
class UringCompletionIoTest {
    static final SelectorProvider P = Providers.edgewise();

    @BeforeEach
    void levelTwo() {
        assumeLevelTwo();
    }

    static void assumeLevelTwo() {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "io_uring is Linux only");
        Assumptions.assumeTrue(Backends.name().equals("io_uring") && UringSupport.ioEnabled(),
                "needs -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true (" + Backends.name() + ", level 2 "
                        + UringSupport.ioEnabled() + ")");
    }

    /** Whether the channel's reads are served by a ring (its input is installed). */
    static boolean served(SocketChannel ch) throws Exception {
        Class<?> c = ch.getClass();
        while (!c.getSimpleName().equals("StreamSocketChannel")) c = c.getSuperclass();
        java.lang.reflect.Field f = c.getDeclaredField("input");
        f.setAccessible(true);
        Object in = f.get(ch);
        return in != null && in.getClass().getSimpleName().equals("UringStream");
    }

    /**
     * An echo server on one Edgewise selector: every accepted channel echoes what it reads (pending bytes kept
     * with OP_WRITE when the peer is slow). Runs until closed.
     */
    static final class EchoServer implements AutoCloseable {
        final Selector sel;
        final ServerSocketChannel server;
        final Thread thread;
        final List<SocketChannel> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile Throwable failure;
        volatile boolean stop;
        /** A read found the channel served by the ring (level 2). */
        volatile boolean readFromRing;

        /** The size of the server's read buffer, so of its writes (64 KiB by default). */
        private final int readBuffer;

        EchoServer() throws IOException {
            this(65536);
        }

        /**
         * {@code readBuffer} below {@code UringSendStream.DIRECT_SEND_MIN} keeps every write small, so the
         * ring sends them all (a large write with nothing queued goes to the socket directly).
         */
        EchoServer(int readBuffer) throws IOException {
            this(readBuffer, false);
        }

        /**
         * {@code bulk}: whether the selector hands bulk streams to readiness ({@code io.edgewise.uring.bulkReceive};
         * off by default here, so the ring serves every stream these tests look at).
         */
        EchoServer(int readBuffer, boolean bulk) throws IOException {
            this.readBuffer = readBuffer;
            sel = selector(bulk);
            server = P.openServerSocketChannel();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.configureBlocking(false);
            server.register(sel, SelectionKey.OP_ACCEPT);
            thread = new Thread(this::run, "echo-server");
            thread.start();
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) server.getLocalAddress();
        }

        private void run() {
            ByteBuffer buf = ByteBuffer.allocateDirect(readBuffer);
            try {
                while (!stop) {
                    sel.select(200);
                    for (SelectionKey k : sel.selectedKeys()) {
                        if (!k.isValid()) continue;
                        if (k.isAcceptable()) {
                            SocketChannel c = server.accept();
                            if (c == null) continue;
                            c.configureBlocking(false);
                            accepted.add(c);
                            c.register(sel, SelectionKey.OP_READ, null);
                            continue;
                        }
                        SocketChannel c = (SocketChannel) k.channel();
                        ByteBuffer pending = (ByteBuffer) k.attachment();
                        if (pending != null && k.isWritable()) {
                            c.write(pending);
                            if (!pending.hasRemaining()) {
                                k.attach(null);
                                k.interestOps(SelectionKey.OP_READ);
                            }
                            continue;
                        }
                        if (k.isReadable() && pending == null) {
                            if (!readFromRing && served(c)) readFromRing = true;
                            buf.clear();
                            int n = c.read(buf);
                            if (n < 0) {
                                c.close();
                                continue;
                            }
                            buf.flip();
                            c.write(buf);
                            if (buf.hasRemaining()) {
                                ByteBuffer rest = ByteBuffer.allocate(buf.remaining());
                                rest.put(buf).flip();
                                k.attach(rest);
                                k.interestOps(SelectionKey.OP_WRITE);
                            }
                        }
                    }
                    sel.selectedKeys().clear();
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        @Override
        public void close() throws Exception {
            stop = true;
            sel.wakeup();
            thread.join(10_000);
            sel.close();
            server.close();
            synchronized (accepted) {
                for (SocketChannel c : accepted) c.close();
            }
            if (failure != null) throw new AssertionError("server failed", failure);
        }
    }

    /** Sends {@code data} through a JDK blocking socket and reads the echo back; returns what came back. */
    static byte[] echo(InetSocketAddress to, byte[] data) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(to, 10_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int off = 0; off < data.length; off += 7919) {
                        out.write(data, off, Math.min(7919, data.length - off));
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] back = new byte[data.length];
            int got = 0;
            while (got < back.length) {
                int n = in.read(back, got, back.length - got);
                if (n < 0) break;
                got += n;
            }
            writer.get(30, TimeUnit.SECONDS);
            assertEquals(data.length, got, "bytes echoed");
            return back;
        }
    }

    /** {@code connections} clients at once, client {@code i} echoing {@code data.apply(i)} and checking it. */
    static void echoAtOnce(InetSocketAddress to, int connections, java.util.function.IntFunction<byte[]> data)
            throws Exception {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            int k = i;
            all.add(CompletableFuture.runAsync(() -> {
                try {
                    byte[] sent = data.apply(k);
                    assertArrayEquals(sent, echo(to, sent));
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            }, r -> new Thread(r).start()));
        }
        CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(100, TimeUnit.SECONDS);
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void tenMegabytesEchoThroughTheRingInOrder() throws Exception {
        try (EchoServer srv = new EchoServer()) {
            byte[] data = random(10 << 20, 21);
            assertArrayEquals(data, echo(srv.address(), data));
            assertTrue(srv.readFromRing, "the accepted channel read from the ring (level 2)");
        }
    }

    @Test
    void manyConnectionsAtOnce() throws Exception {
        try (EchoServer srv = new EchoServer()) {
            echoAtOnce(srv.address(), 40, seed -> random(200_000 + seed * 977, seed));
            synchronized (srv.accepted) {
                assertEquals(40, srv.accepted.size());
            }
        }
    }

    /** A ring selector that hands bulk streams to readiness, or not ({@code io.edgewise.uring.bulkReceive}). */
    static Selector selector(boolean bulk) throws IOException {
        String before = System.getProperty(io.edgewise.sys.Settings.URING_BULK_RECEIVE);
        System.setProperty(io.edgewise.sys.Settings.URING_BULK_RECEIVE, Boolean.toString(bulk));
        try {
            return P.openSelector();
        } finally {
            if (before == null) System.clearProperty(io.edgewise.sys.Settings.URING_BULK_RECEIVE);
            else System.setProperty(io.edgewise.sys.Settings.URING_BULK_RECEIVE, before);
        }
    }

    /**
     * A stream whose receives are large, one after another, is handed to readiness and read directly (one copy,
     * as the JDK reads); every byte still comes back once and in order, and once the flow is small again the
     * ring serves the stream again.
     */
    @Test
    void aBulkStreamIsReadDirectlyAndTheRingServesItAgainLater() throws Exception {
        try (EchoServer srv = new EchoServer(65536, true); Socket s = new Socket()) {
            s.connect(srv.address(), 10_000);
            s.setSoTimeout(30_000);
            byte[] first = random(256, 5);
            assertArrayEquals(first, echoOn(s, first));
            SocketChannel ch = srv.accepted.get(0);
            assertTrue(UringReceiveTest.fed(ch), "a small flow: the ring serves it");

            byte[] bulk = random(8 << 20, 6);
            assertArrayEquals(bulk, echoOn(s, bulk), "every byte of the bulk flow, once, in order");
            assertTrue(counter(srv.sel, "bulkRuns") >= 1, "its receives were large: a bulk stream");
            assertTrue(counter(srv.sel, "bulkDemotions") >= 1, "handed to readiness once the ring's bytes were read");

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            int round = 0;
            while (!UringReceiveTest.fed(ch)) { // offered to the ring again some time after its demotion (CompletionStreams)
                assertTrue(System.nanoTime() < deadline, "the ring serves the stream again");
                byte[] small = random(100, 100 + round++);
                assertArrayEquals(small, echoOn(s, small)); // the selector polls: the retry is checked there
            }
            byte[] after = random(1000, 7);
            assertArrayEquals(after, echoOn(s, after), "and echoes through the ring again");
        }
    }

    /**
     * A stream found to be bulk while the ring still holds bytes it received stays served until they are read:
     * the kernel's readiness would not announce them (they left the socket). Then readiness serves it.
     */
    @Test
    void aBulkStreamReportsWhatTheRingHoldsUntilItIsRead() throws Exception {
        UringSendTest.assumeSends();
        try (Selector sel = selector(true); UringSendTest.Pair p = new UringSendTest.Pair(sel)) {
            long sent = 0, read = 0;
            ByteBuffer in = ByteBuffer.allocate(16 * 1024);
            for (int i = 0; i < 64 && counter(sel, "bulkRuns") == 0; i++) {
                sent = peerSends(p.peer, sent, 32 * 1024); // one large receive each
                assertEquals(1, sel.select(10_000));
                sel.selectedKeys().clear();
                in.clear();
                read = readPattern(p.ch, in, read); // less than arrives: the ring keeps some unread
            }
            assertTrue(counter(sel, "bulkRuns") >= 1, "a bulk stream");
            assertTrue(read < sent, "the ring holds bytes not read yet");
            while (read < sent) { // the peer sends no more: only the ring's bytes are left to announce
                assertEquals(1, sel.select(2_000), "OP_READ for the bytes the ring holds (" + (sent - read) + " left)");
                sel.selectedKeys().clear();
                in.clear();
                read = readPattern(p.ch, in, read);
            }
            sel.selectNow(); // read out: readiness serves it now
            assertTrue(counter(sel, "bulkDemotions") >= 1, "handed to readiness");
            sent = peerSends(p.peer, sent, 100);
            assertEquals(1, sel.select(10_000), "the kernel's readiness reports the next bytes");
            sel.selectedKeys().clear();
            in.clear();
            assertEquals(sent, readPattern(p.ch, in, read));
        }
    }

    private static long peerSends(Socket peer, long at, int n) throws IOException {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = UringSendTest.pattern(at + i);
        peer.getOutputStream().write(b);
        return at + n;
    }

    /** One read into {@code in}, checked against the pattern from {@code at}; returns the new position. */
    private static long readPattern(SocketChannel ch, ByteBuffer in, long at) throws IOException {
        int n = ch.read(in);
        for (int i = 0; i < n; i++) assertEquals(UringSendTest.pattern(at + i), in.get(i), "byte " + (at + i));
        return at + Math.max(n, 0);
    }

    /** Writes {@code data} on {@code s} (from another thread) and reads as many bytes back. */
    private static byte[] echoOn(Socket s, byte[] data) throws Exception {
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                s.getOutputStream().write(data);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        byte[] back = s.getInputStream().readNBytes(data.length);
        writer.get(30, TimeUnit.SECONDS);
        return back;
    }

    /** The selector's level-2 receive side (its poller's CompletionStreams). */
    static Object streams(Selector sel) throws Exception {
        java.lang.reflect.Field pf = sel.getClass().getDeclaredField("poller");
        pf.setAccessible(true);
        Object poller = pf.get(sel);
        java.lang.reflect.Field sf = poller.getClass().getDeclaredField("streams");
        sf.setAccessible(true);
        return sf.get(poller);
    }

    /** The selector's provided-buffer ring (CompletionStreams' BufferRing). */
    static Object bufferRing(Selector sel) throws Exception {
        Object streams = streams(sel);
        java.lang.reflect.Field bf = streams.getClass().getDeclaredField("buffers");
        bf.setAccessible(true);
        return bf.get(streams);
    }

    /** A counter of the selector's level-2 streams (CompletionStreams' starvations or throttles). */
    static long counter(Selector sel, String name) throws Exception {
        Object streams = streams(sel);
        java.lang.reflect.Field cf = streams.getClass().getDeclaredField(name);
        cf.setAccessible(true);
        return cf.getLong(streams);
    }

    @Test
    void aRingOfTwoTinyBuffersRunsOutAndEveryReceiveResumes() throws Exception {
        String before = System.getProperty("io.edgewise.uring.test.bufferRing");
        System.setProperty("io.edgewise.uring.test.bufferRing", "2x256");
        EchoServer srv;
        try {
            srv = new EchoServer();
            byte[] first = random(1000, 1);
            assertArrayEquals(first, echo(srv.address(), first)); // makes the selector's (tiny) ring
        } finally {
            if (before == null) System.clearProperty("io.edgewise.uring.test.bufferRing");
            else System.setProperty("io.edgewise.uring.test.bufferRing", before);
        }
        try (EchoServer s = srv) {
            echoAtOnce(s.address(), 6, i -> random(300_000, (100 + i)));
            assertTrue(counter(s.sel, "starvations") > 0, "the receives ran out of buffers (ENOBUFS) and resumed");
        }
    }

    @Test
    void aReaderThatStopsClosesTheWindowWithoutStarvingTheOthers() throws Exception {
        try (Selector sel = P.openSelector(); ServerSocketChannel server = P.openServerSocketChannel()) {
            ((io.edgewise.EdgewiseSelector) sel).defaultOneshot(true); // reported once: the test does not spin
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            SocketChannel slowClient = Providers.jdk().openSocketChannel(); // the JDK's channels
            slowClient.connect(server.getLocalAddress());
            SocketChannel slow = server.accept();
            SocketChannel fastClient = Providers.jdk().openSocketChannel();
            fastClient.connect(server.getLocalAddress());
            SocketChannel fast = server.accept();
            slow.configureBlocking(false);
            fast.configureBlocking(false);
            SelectionKey slowKey = slow.register(sel, SelectionKey.OP_READ);
            SelectionKey fastKey = fast.register(sel, SelectionKey.OP_READ);
            sel.selectNow(); // binds both: their recvs are armed
            assertTrue(served(slow) && served(fast));

            // the server keeps selecting; it echoes the fast connection and never reads the slow one
            java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
            CompletableFuture<Void> loop = CompletableFuture.runAsync(() -> {
                ByteBuffer b = ByteBuffer.allocate(65536);
                try {
                    while (!stop.get()) {
                        sel.select(50);
                        for (SelectionKey k : sel.selectedKeys()) {
                            if (k == fastKey) {
                                b.clear();
                                fast.read(b);
                                b.flip();
                                while (b.hasRemaining()) fast.write(b);
                                fastKey.interestOps(SelectionKey.OP_READ);
                            }
                        }
                        sel.selectedKeys().clear();
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }, r -> new Thread(r).start());

            // the slow connection's writer fills everything until its write returns 0 and stays blocked
            slowClient.configureBlocking(false);
            ByteBuffer chunk = ByteBuffer.allocateDirect(65536);
            long written = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            try (Selector jdk = Providers.jdk().openSelector()) {
                SelectionKey wk = slowClient.register(jdk, SelectionKey.OP_WRITE);
                while (true) {
                    int n;
                    do {
                        chunk.clear();
                        n = slowClient.write(chunk);
                        written += n;
                    } while (n > 0);
                    // write returned 0; the window is closed once OP_WRITE stays not ready for a second (a
                    // non-blocking write may still place a little where the kernel collapses its queue)
                    jdk.selectedKeys().clear();
                    if (jdk.select(1000) == 0) break;
                    assertTrue(System.nanoTime() < deadline, "the slow connection's window never closed");
                }
                wk.cancel();
                jdk.selectNow();
            }
            // the slow reader's recv is stopped at its bound, or (a burst the poller had not reaped yet) it took
            // the ring: then the fast connection is served through readiness until buffers come back

            // the fast connection still echoes: the slow one holds at most its bound of ring buffers
            byte[] data = random(300_000, 5);
            fastClient.configureBlocking(true);
            CompletableFuture<Void> w = CompletableFuture.runAsync(() -> {
                try {
                    fastClient.write(ByteBuffer.wrap(data));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            ByteBuffer back = ByteBuffer.allocate(data.length);
            fastClient.socket().setSoTimeout(30_000);
            java.io.InputStream in = fastClient.socket().getInputStream();
            byte[] a = back.array();
            int got = 0;
            while (got < a.length) {
                int n = in.read(a, got, a.length - got);
                assertTrue(n > 0, "echo of the fast connection");
                got += n;
            }
            w.get(30, TimeUnit.SECONDS);
            assertArrayEquals(data, a);
            stop.set(true);
            sel.wakeup();
            loop.get(30, TimeUnit.SECONDS);

            // the slow reader reads again: every byte arrives (its recv re-armed after the stop)
            slowKey.interestOps(SelectionKey.OP_READ);
            ByteBuffer sink = ByteBuffer.allocateDirect(65536);
            long read = 0;
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (read < written && System.nanoTime() < deadline) {
                sel.select(1000);
                sel.selectedKeys().clear();
                int n;
                while ((n = slow.read(sink)) > 0) {
                    read += n;
                    sink.clear();
                }
                slowKey.interestOps(SelectionKey.OP_READ);
            }
            assertEquals(written, read, "every byte of the slow connection");
            slowClient.close();
            fastClient.close();
            slow.close();
            fast.close();
        }
    }

    @Test
    void bytesReceivedBeforeDeregistrationAreReadFirst() throws Exception {
        try (Selector sel = P.openSelector(); ServerSocketChannel server = P.openServerSocketChannel();
             Socket client = new Socket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            client.connect(server.getLocalAddress());
            SocketChannel c = server.accept();
            c.configureBlocking(false);
            SelectionKey k = c.register(sel, SelectionKey.OP_READ);
            client.getOutputStream().write("hello".getBytes());
            assertEquals(1, sel.select(10_000), "readable");
            assertTrue(served(c));
            k.cancel();
            sel.selectNow(); // deregistered: the ring no longer serves the channel, "hello" is held for it
            client.getOutputStream().write(" world".getBytes());
            c.configureBlocking(true);
            ByteBuffer b = ByteBuffer.allocate(11);
            while (b.hasRemaining()) {
                assertTrue(c.read(b) > 0);
            }
            assertEquals("hello world", new String(b.array()));
            c.close();
        }
    }

    /**
     * The JDK's HttpServer pattern: cancel the key, go blocking, read in another thread; the selector
     * deregisters at its next selection. Bytes that arrive in between may be taken by the ring's receive
     * (its completion work runs on the selecting thread), so no descriptor event announces them to the
     * blocked reader; the reader must still get them once the selection has queued them.
     */
    @Test
    void aBlockingReadAfterCancelGetsBytesTheRingTookBeforeDeregistration() throws Exception {
        try (Selector sel = P.openSelector(); ServerSocketChannel server = P.openServerSocketChannel();
             Socket client = new Socket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            client.connect(server.getLocalAddress());
            SocketChannel c = server.accept();
            c.configureBlocking(false);
            SelectionKey k = c.register(sel, SelectionKey.OP_READ);
            assertEquals(0, sel.selectNow());
            assertTrue(served(c), "the ring serves the channel");
            k.cancel();
            c.configureBlocking(true);
            java.util.concurrent.CompletableFuture<String> got = new java.util.concurrent.CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try {
                    ByteBuffer b = ByteBuffer.allocate(5);
                    while (b.hasRemaining() && c.read(b) > 0) { }
                    got.complete(new String(b.array(), 0, b.position()));
                } catch (Throwable t) {
                    got.completeExceptionally(t);
                }
            });
            reader.start();
            io.edgewise.testing.Blocking.assertBlocks(reader);
            client.getOutputStream().write("hello".getBytes());
            // this thread submitted the receive: its next system call runs the receive's completion work,
            // which takes the bytes off the socket into the ring; the selection queues them and deregisters
            sel.selectNow();
            assertEquals("hello", got.get(10, java.util.concurrent.TimeUnit.SECONDS));
            c.close();
        }
    }

    @Test
    void bytesHeldAfterDeregistrationComeFirstAfterARegistration() throws Exception {
        try (Selector sel = P.openSelector(); ServerSocketChannel server = P.openServerSocketChannel();
             Socket client = new Socket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            client.connect(server.getLocalAddress());
            SocketChannel c = server.accept();
            c.configureBlocking(false);
            SelectionKey k = c.register(sel, SelectionKey.OP_READ);
            client.getOutputStream().write("abc".getBytes());
            assertEquals(1, sel.select(10_000));
            k.interestOps(0);
            sel.selectNow(); // interest 0: unbound, "abc" held by the channel
            client.getOutputStream().write("def".getBytes());
            k.interestOps(SelectionKey.OP_READ);
            ByteBuffer b = ByteBuffer.allocate(6);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (b.hasRemaining() && System.nanoTime() < deadline) {
                sel.select(1000);
                sel.selectedKeys().clear();
                c.read(b);
            }
            assertEquals("abcdef", new String(b.array()));
            assertTrue(served(c), "served by the ring again");
            c.close();
        }
    }

    /**
     * Close while the recv is armed, then a new connection on the same descriptor number: the close reaches
     * the kernel after one select (the recv no longer holds the file: with SO_LINGER 0 the peer sees the
     * reset), and nothing of the old connection reaches the new channel.
     */
    @Test
    void aClosedChannelIsReleasedAndItsNumberReusedReceivesOnlyItsOwnBytes() throws Exception {
        try (Selector sel = P.openSelector(); ServerSocketChannel server = P.openServerSocketChannel();
             Socket oldPeer = new Socket(); SocketChannel newPeer = Providers.jdk().openSocketChannel()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            oldPeer.connect(server.getLocalAddress());
            SocketChannel old = server.accept();
            old.configureBlocking(false);
            old.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
            old.register(sel, SelectionKey.OP_READ);
            oldPeer.getOutputStream().write("old-1".getBytes());
            assertEquals(1, sel.select(10_000));
            assertTrue(served(old));
            int number = ((io.edgewise.channels.SelChannel) old).fdVal();
            old.close();
            sel.selectNow(); // deregisters; the recv ends before the descriptor is closed
            oldPeer.setSoTimeout(10_000);
            try {
                int r = oldPeer.getInputStream().read();
                throw new AssertionError("the peer should see the reset of the real close, read " + r);
            } catch (java.net.SocketException expected) {
                assertTrue(expected.getMessage().contains("reset"), expected.getMessage());
            }

            newPeer.connect(server.getLocalAddress()); // its descriptor was made before the close
            SocketChannel fresh = server.accept();
            Assumptions.assumeTrue(((io.edgewise.channels.SelChannel) fresh).fdVal() == number,
                    "the new connection did not get the old number");
            fresh.configureBlocking(false);
            fresh.register(sel, SelectionKey.OP_READ);
            newPeer.write(ByteBuffer.wrap("new".getBytes()));
            ByteBuffer b = ByteBuffer.allocate(64);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (b.position() < 3 && System.nanoTime() < deadline) {
                sel.select(1000);
                sel.selectedKeys().clear();
                fresh.read(b);
            }
            assertEquals(0, sel.selectNow(), "nothing more to read");
            assertEquals("new", new String(b.array(), 0, b.position()));
            assertTrue(served(fresh));
            fresh.close();
        }
    }

    /** A recv armed by a thread that is now parked elsewhere: the next selecting thread still receives. */
    @Test
    void aRecvArmedByAThreadNowParkedServesTheNextSelectingThread() throws Exception {
        try (Selector sel = P.openSelector(); ServerSocketChannel server = P.openServerSocketChannel();
             Socket peer = new Socket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            peer.connect(server.getLocalAddress());
            SocketChannel c = server.accept();
            c.configureBlocking(false);
            c.register(sel, SelectionKey.OP_READ);
            java.util.concurrent.CountDownLatch armed = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
            Thread other = new Thread(() -> {
                try {
                    sel.selectNow(); // binds the channel: its recv is this thread's
                    armed.countDown();
                    release.await();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            other.start();
            try {
                armed.await();
                assertTrue(served(c));
                peer.getOutputStream().write("x".getBytes());
                assertEquals(1, sel.select(10_000), "seen by this thread's select");
                sel.selectedKeys().clear();
                ByteBuffer b = ByteBuffer.allocate(4);
                assertEquals(1, c.read(b));
                peer.getOutputStream().write("y".getBytes());
                assertEquals(1, sel.select(10_000), "and the next arrival too");
                assertEquals(1, c.read(b));
                assertEquals("xy", new String(b.array(), 0, 2));
            } finally {
                release.countDown();
                other.join();
            }
            c.close();
        }
    }
}
