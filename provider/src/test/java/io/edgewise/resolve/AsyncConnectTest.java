package io.edgewise.resolve;

import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.EdgewiseSocketOptions;
import io.edgewise.testing.OpenDescriptors;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code connect(createUnresolved(...))} with {@link EdgewiseSocketOptions#ASYNC_RESOLVE}, through a
 * name service the test controls (installed as the default resolver for the test; no real DNS).
 */
class AsyncConnectTest {
    private final SelectorProvider provider = new EdgewiseSelectorProvider();
    private final Map<String, InetAddress[]> names = new ConcurrentHashMap<>();
    private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
    private final AtomicReference<Thread> lastLookupThread = new AtomicReference<>();
    private AsyncResolver resolver;
    private AsyncResolver previous;
    private ServerSocketChannel server;
    private int port;

    /** Every other test needs the option; a backend without a ready poller does not offer it. */
    @Test
    void asyncResolveIsOfferedWhereTheBackendCanWatchTheAttempts() throws IOException {
        try (SocketChannel c = provider.openSocketChannel()) {
            boolean offered = c.supportedOptions().contains(EdgewiseSocketOptions.ASYNC_RESOLVE);
            assertEquals(io.edgewise.backend.Backends.hasReadyPoller(), offered);
            if (!offered) {
                assertThrows(UnsupportedOperationException.class,
                        () -> c.setOption(EdgewiseSocketOptions.ASYNC_RESOLVE, true));
                assertThrows(UnsupportedOperationException.class,
                        () -> c.getOption(EdgewiseSocketOptions.ASYNC_RESOLVE));
            }
        }
    }

    @BeforeEach
    void setUp() throws IOException {
        resolver = new AsyncResolver(host -> {
            lastLookupThread.set(Thread.currentThread());
            CountDownLatch gate = gates.get(host);
            if (gate != null) {
                try {
                    gate.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new UnknownHostException(host);
                }
            }
            InetAddress[] a = names.get(host);
            if (a == null) throw new UnknownHostException(host);
            return a;
        }, 30, 10, 10_000, 2, System::nanoTime);
        previous = AsyncResolver.install(resolver);
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
        port = ((InetSocketAddress) server.getLocalAddress()).getPort();
    }

    @AfterEach
    void tearDown() throws IOException {
        AsyncResolver.install(previous);
        gates.values().forEach(CountDownLatch::countDown);
        server.close();
    }

    /** Skips where the backend has no ready poller, so ASYNC_RESOLVE is not offered. */
    private static void assumeAsyncResolve() {
        org.junit.jupiter.api.Assumptions.assumeTrue(io.edgewise.backend.Backends.hasReadyPoller(),
                "backend " + io.edgewise.backend.Backends.name() + " has no ready poller: no ASYNC_RESOLVE");
    }

    private SocketChannel asyncChannel(boolean blocking) throws IOException {
        assumeAsyncResolve();
        SocketChannel c = provider.openSocketChannel();
        c.setOption(EdgewiseSocketOptions.ASYNC_RESOLVE, true);
        c.configureBlocking(blocking);
        return c;
    }

    /** select until a key is selected (a wakeup may end a select with 0), bounded by 10 s. */
    private static int selectOne(Selector sel) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        int n = 0;
        while (n == 0 && System.nanoTime() < deadline) {
            n = sel.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        return n;
    }

    @Test
    void offByDefaultAndAnOrdinaryOption() throws IOException {
        assumeAsyncResolve();
        try (SocketChannel c = provider.openSocketChannel()) {
            assertTrue(c.supportedOptions().contains(EdgewiseSocketOptions.ASYNC_RESOLVE));
            assertFalse(c.getOption(EdgewiseSocketOptions.ASYNC_RESOLVE));
            assertThrows(UnresolvedAddressException.class, () -> c.connect(InetSocketAddress.createUnresolved("a.test", port)));
            c.setOption(EdgewiseSocketOptions.ASYNC_RESOLVE, true);
            assertTrue(c.getOption(EdgewiseSocketOptions.ASYNC_RESOLVE));
        }
    }

    @Test
    void nonBlockingConnectReturnsAtOnceAndOpConnectFiresOnlyWhenConnected() throws Exception {
        names.put("slow.test", new InetAddress[] {InetAddress.getByName("127.0.0.1")});
        CountDownLatch gate = new CountDownLatch(1);
        gates.put("slow.test", gate);
        try (Selector sel = provider.openSelector(); SocketChannel c = asyncChannel(false)) {
            c.setOption(StandardSocketOptions.TCP_NODELAY, true);
            SelectionKey k = c.register(sel, 0); // Netty's order: register, connect, then OP_CONNECT
            assertFalse(c.connect(InetSocketAddress.createUnresolved("slow.test", port)));
            assertTrue(c.isConnectionPending());
            k.interestOps(SelectionKey.OP_CONNECT);
            long quiet = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            while (System.nanoTime() < quiet) { // a wakeup may end one select early: keep selecting for 300 ms
                assertEquals(0, sel.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(quiet - System.nanoTime()))),
                        "no OP_CONNECT while the name is being resolved");
            }
            assertFalse(c.finishConnect());
            assertNotSame(Thread.currentThread(), lastLookupThread.get(), "looked up off the caller's thread");
            gate.countDown();
            assertEquals(1, selectOne(sel));
            assertTrue(k.isConnectable());
            assertTrue(c.finishConnect());
            assertTrue(c.isConnected());
            InetSocketAddress remote = (InetSocketAddress) c.getRemoteAddress();
            assertEquals("slow.test", remote.getHostString());
            assertEquals(port, remote.getPort());
            assertTrue(c.getOption(StandardSocketOptions.TCP_NODELAY), "options set before connect carried over");
            // the selector watches the connected socket under the same key
            try (SocketChannel peer = server.accept()) {
                assertEquals(c.getLocalAddress(), peer.getRemoteAddress());
                k.interestOps(SelectionKey.OP_READ);
                peer.write(ByteBuffer.wrap(new byte[] {5}));
                assertEquals(1, selectOne(sel));
                assertTrue(k.isReadable());
                ByteBuffer b = ByteBuffer.allocate(1);
                assertEquals(1, c.read(b));
                assertEquals(5, b.get(0));
            }
        }
    }

    @Test
    void unknownNameFiresOpConnectAndFinishConnectThrows() throws Exception {
        try (Selector sel = provider.openSelector(); SocketChannel c = asyncChannel(false)) {
            assertFalse(c.connect(InetSocketAddress.createUnresolved("nowhere.test", port)));
            SelectionKey k = c.register(sel, SelectionKey.OP_CONNECT);
            assertEquals(1, selectOne(sel));
            assertTrue(k.isConnectable());
            UnknownHostException e = assertThrows(UnknownHostException.class, c::finishConnect);
            assertTrue(e.getMessage().contains("nowhere.test"));
            assertFalse(c.isOpen(), "a failed connect closes the channel, as the JDK's does");
        }
    }

    @Test
    void refusedConnectFiresOpConnectAndFinishConnectThrowsConnectException() throws Exception {
        int closed;
        try (ServerSocketChannel tmp = ServerSocketChannel.open()) {
            tmp.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            closed = ((InetSocketAddress) tmp.getLocalAddress()).getPort();
        }
        names.put("refused.test", new InetAddress[] {InetAddress.getByName("127.0.0.1")});
        try (Selector sel = provider.openSelector(); SocketChannel c = asyncChannel(false)) {
            c.connect(InetSocketAddress.createUnresolved("refused.test", closed));
            c.register(sel, SelectionKey.OP_CONNECT);
            assertEquals(1, selectOne(sel));
            assertThrows(ConnectException.class, c::finishConnect);
        }
    }

    @Test
    void multipleAddressesFallBackToTheOneThatAnswers() throws Exception {
        // 127.0.0.3 and 127.0.0.4 refuse (the server listens on 127.0.0.1 only, and its bind would have
        // failed had anything held the wildcard address on that port); 127.0.0.1 answers
        names.put("multi.test", new InetAddress[] {
                InetAddress.getByName("127.0.0.3"), InetAddress.getByName("127.0.0.4"), InetAddress.getByName("127.0.0.1")});
        try (Selector sel = provider.openSelector(); SocketChannel c = asyncChannel(false)) {
            c.connect(InetSocketAddress.createUnresolved("multi.test", port));
            c.register(sel, SelectionKey.OP_CONNECT);
            assertEquals(1, selectOne(sel));
            assertTrue(c.finishConnect());
            assertEquals(InetAddress.getByName("127.0.0.1"), ((InetSocketAddress) c.getRemoteAddress()).getAddress());
            try (SocketChannel peer = server.accept()) {
                assertEquals(c.getLocalAddress(), peer.getRemoteAddress());
            }
        }
    }

    /**
     * A listener on 127.0.0.2 at the test's port whose accept queue is full, so a further connect to it
     * stays pending (Linux drops the SYN). Returns what must be closed afterwards, listener first.
     */
    private List<SocketChannel> blackHole(ServerSocketChannel[] listener) throws Exception {
        listener[0] = ServerSocketChannel.open();
        listener[0].bind(new InetSocketAddress(InetAddress.getByName("127.0.0.2"), port), 1);
        List<SocketChannel> fillers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            SocketChannel f = SocketChannel.open();
            f.configureBlocking(false);
            fillers.add(f);
            if (f.connect(listener[0].getLocalAddress())) continue;
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300);
            boolean done = false;
            while (!done && System.nanoTime() < end) {
                done = f.finishConnect();
                if (!done) Thread.onSpinWait();
            }
            if (!done) return fillers; // this one stays pending: the queue is full
        }
        throw new AssertionError("could not fill the accept queue of the black-hole listener");
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void aStalledFirstAddressIsRacedByTheNextAfterTheStagger() throws Exception {
        ServerSocketChannel[] hole = new ServerSocketChannel[1];
        List<SocketChannel> fillers = blackHole(hole);
        names.put("stall.test", new InetAddress[] {InetAddress.getByName("127.0.0.2"), InetAddress.getByName("127.0.0.1")});
        try (Selector sel = provider.openSelector(); SocketChannel c = asyncChannel(false)) {
            c.connect(InetSocketAddress.createUnresolved("stall.test", port));
            c.register(sel, SelectionKey.OP_CONNECT);
            // the first attempt never completes; only a second attempt started beside it can connect
            assertEquals(1, selectOne(sel));
            assertTrue(c.finishConnect());
            assertEquals(InetAddress.getByName("127.0.0.1"), ((InetSocketAddress) c.getRemoteAddress()).getAddress());
            try (SocketChannel peer = server.accept()) {
                assertEquals(c.getLocalAddress(), peer.getRemoteAddress());
            }
        } finally {
            hole[0].close();
            for (SocketChannel f : fillers) f.close();
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(30)
    void adaptorConnectTimeoutBoundsAnAsyncConnect() throws Exception {
        ServerSocketChannel[] hole = new ServerSocketChannel[1];
        List<SocketChannel> fillers = blackHole(hole);
        names.put("hole.test", new InetAddress[] {InetAddress.getByName("127.0.0.2")});
        try (SocketChannel c = asyncChannel(true)) {
            assertThrows(java.net.SocketTimeoutException.class,
                    () -> c.socket().connect(InetSocketAddress.createUnresolved("hole.test", port), 300));
            assertFalse(c.isOpen(), "a timed-out connect closes the channel, as the JDK's adaptor does");
        } finally {
            hole[0].close();
            for (SocketChannel f : fillers) f.close();
        }
    }

    @Test
    void aCachedNameIsNotLookedUpAgain() throws Exception {
        names.put("cached.test", new InetAddress[] {InetAddress.getByName("127.0.0.1")});
        for (int i = 0; i < 2; i++) {
            try (SocketChannel c = asyncChannel(true)) {
                assertTrue(c.connect(InetSocketAddress.createUnresolved("cached.test", port)));
                server.accept().close();
            }
        }
        assertEquals(1, resolver.lookups());
    }

    @Test
    void blockingConnectResolvesOnTheCallersThread() throws Exception {
        names.put("blocking.test", new InetAddress[] {InetAddress.getByName("127.0.0.1")});
        try (SocketChannel c = asyncChannel(true)) {
            assertTrue(c.connect(InetSocketAddress.createUnresolved("blocking.test", port)));
            assertSame(Thread.currentThread(), lastLookupThread.get());
            assertTrue(c.isConnected());
            try (SocketChannel peer = server.accept()) {
                c.write(ByteBuffer.wrap(new byte[] {9}));
                ByteBuffer b = ByteBuffer.allocate(1);
                assertEquals(1, peer.read(b));
            }
        }
    }

    @Test
    void closeCancelsAPendingResolutionWithoutLeaks() throws Exception {
        names.put("stuck.test", new InetAddress[] {InetAddress.getByName("127.0.0.1")});
        CountDownLatch gate = new CountDownLatch(1);
        gates.put("stuck.test", gate);
        // warm up lazily created machinery (pollers, timer, pools) so only leaks are counted
        names.put("warm.test", new InetAddress[] {InetAddress.getByName("127.0.0.1")});
        try (Selector sel = provider.openSelector(); SocketChannel c = asyncChannel(false)) {
            c.connect(InetSocketAddress.createUnresolved("warm.test", port));
            c.register(sel, SelectionKey.OP_CONNECT);
            selectOne(sel);
            c.finishConnect();
            server.accept().close();
        }
        Map<String, Integer> before = OpenDescriptors.snapshot();
        for (int i = 0; i < 20; i++) {
            SocketChannel c = asyncChannel(false);
            assertFalse(c.connect(InetSocketAddress.createUnresolved("stuck.test", port)));
            c.close();
        }
        gate.countDown(); // the look-up ends after the channels are gone: its result must go nowhere
        // the coalesced look-up completes; give its callbacks a bounded chance to run
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (resolver.cached("stuck.test") == null && System.nanoTime() < deadline) Thread.sleep(5);
        assertNotNull(resolver.cached("stuck.test"));
        // the sockets made meanwhile and still open (not a count: the JVM may close one of its own meanwhile)
        List<String> left = OpenDescriptors.added(before, OpenDescriptors.snapshot());
        while (!left.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(5);
            left = OpenDescriptors.added(before, OpenDescriptors.snapshot());
        }
        assertEquals(List.of(), left, "no descriptor outlives a cancelled connect");
        server.configureBlocking(false);
        assertNull(server.accept(), "no connection was made for a closed channel");
    }
}
