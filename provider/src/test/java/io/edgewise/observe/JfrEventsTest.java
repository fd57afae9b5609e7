package io.edgewise.observe;

import static io.edgewise.observe.Jfrs.named;
import static io.edgewise.observe.Jfrs.record;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.EdgewiseSelectionKey;
import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.EdgewiseSocketOptions;
import io.edgewise.Trigger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Each Edgewise JFR event, recorded from a real scenario and read back with jdk.jfr.consumer. */
@Timeout(60)
class JfrEventsTest {
    private static final EdgewiseSelectorProvider P = new EdgewiseSelectorProvider();
    private static final InetAddress LO = InetAddress.getLoopbackAddress();
    private static String anomalyMillis;

    @BeforeAll
    static void reportAnomaliesAtOnce() {
        anomalyMillis = System.getProperty("io.edgewise.anomalyMillis");
        System.setProperty("io.edgewise.anomalyMillis", "0");
    }

    @AfterAll
    static void restore() {
        if (anomalyMillis == null) System.clearProperty("io.edgewise.anomalyMillis");
        else System.setProperty("io.edgewise.anomalyMillis", anomalyMillis);
    }

    private static long id(Selector sel) throws Exception {
        for (SelectorStats s : Observe.selectors()) {
            if (s.keys().isEmpty() && sel.keys().isEmpty()) continue;
            for (SelectionKey k : s.keys()) {
                if (k.selector() == sel) return s.id;
            }
        }
        throw new AssertionError("selector not registered with observe");
    }

    @Test
    void selectEventsCarryKeysTimeoutAndWakeup() throws Exception {
        Pipe pipe = P.openPipe();
        try (Selector sel = P.openSelector(); Pipe.SourceChannel src = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
            src.configureBlocking(false);
            src.register(sel, SelectionKey.OP_READ);
            long id = id(sel);
            List<RecordedEvent> all = record(() -> {
                sink.write(ByteBuffer.wrap(new byte[] {1}));
                assertEquals(1, sel.select(5_000));
                sel.selectedKeys().clear();
                src.read(ByteBuffer.allocate(8));
                sel.wakeup();
                assertEquals(0, sel.select(5_000));
            }, "edgewise.Select");
            List<RecordedEvent> sel1 = named(all, "edgewise.Select");
            sel1.removeIf(e -> e.getLong("selectorId") != id);
            assertEquals(2, sel1.size(), sel1.toString());
            RecordedEvent ready = sel1.get(0), woken = sel1.get(1);
            assertEquals(EdgewiseSelectorProvider.backend(), ready.getString("backend"));
            assertEquals(1, ready.getInt("keysReady"));
            assertEquals(1, ready.getInt("polledEvents"));
            assertEquals(1, ready.getInt("registeredKeys"));
            assertEquals(5_000, ready.getDuration("timeout").toMillis());
            assertFalse(ready.getBoolean("wokenUp"));
            assertEquals(0, woken.getInt("keysReady"));
            assertTrue(woken.getBoolean("wokenUp"));
        }
    }

    @Test
    void wakeupOfABlockedSelectIsSignalledAndDrained() throws Exception {
        try (Selector sel = P.openSelector()) {
            Pipe pipe = P.openPipe();
            pipe.source().configureBlocking(false).register(sel, SelectionKey.OP_READ);
            SelectorStats stats = Observe.SELECTORS.get(id(sel));
            Thread waker = new Thread(() -> {
                while (!inPoll(selecting)) {
                    Thread.onSpinWait();
                }
                sel.wakeup();
            });
            selecting = Thread.currentThread();
            waker.start();
            assertEquals(0, sel.select()); // blocks until the waker signals
            waker.join();
            assertEquals(1, stats.getWakeupSignals());
            assertEquals(1, stats.getWakeupDrains());
            assertEquals(1, stats.getWakeups());
            pipe.source().close();
            pipe.sink().close();
        }
    }

    private static volatile Thread selecting;

    /** Whether {@code t} is inside the selector's poll (its stack shows the backend's poll). */
    private static boolean inPoll(Thread t) {
        if (t == null) return false;
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getMethodName().equals("pollWithRetry")) return true;
        }
        return false;
    }

    @Test
    void selectorAndProviderStatistics() throws Exception {
        Pipe pipe = P.openPipe();
        try (Selector sel = P.openSelector(); Pipe.SourceChannel src = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
            src.configureBlocking(false);
            SelectionKey key = src.register(sel, SelectionKey.OP_READ);
            long id = id(sel);
            List<RecordedEvent> all = record(() -> {
                sink.write(ByteBuffer.wrap(new byte[] {1}));
                assertEquals(1, sel.select(5_000));
                assertEquals(0, sel.selectNow()); // already selected: nothing new
                key.interestOps(0);
                sel.selectNow();
                sel.wakeup();
                sel.select();
            }, "edgewise.SelectorStatistics", "edgewise.ProviderStatistics");
            RecordedEvent s = named(all, "edgewise.SelectorStatistics").stream()
                    .filter(e -> e.getLong("selectorId") == id).findFirst().orElseThrow();
            assertEquals(4, s.getLong("selects"));
            assertEquals(3, s.getLong("emptySelects"));
            assertEquals(1, s.getLong("keysSelected"));
            assertEquals(0.25, s.getDouble("eventsPerSelect"), 1e-9);
            assertEquals(1, s.getLong("wakeups"));
            assertEquals(2, s.getLong("interestUpdates")); // the registration, then interestOps(0)
            assertEquals(2, s.getLong("controlCalls"));    // add, then delete
            assertEquals(4, s.getLong("pollCalls"));
            assertEquals(0, s.getLong("wakeupSignals"));   // the wakeup came before select: no signal needed
            assertEquals(0, s.getLong("wakeupDrains"));
            assertEquals(1, s.getInt("registeredKeys"));
            RecordedEvent p = named(all, "edgewise.ProviderStatistics").get(0);
            assertTrue(p.getLong("pipeEnds") >= 2, p.toString());
            assertTrue(p.getLong("openSelectors") >= 1, p.toString());
            assertTrue(p.getLong("descriptors") >= 2, p.toString());
        }
    }

    @Test
    void blockingConnectAcceptReadWriteAndClose() throws Exception {
        byte[] msg = new byte[1000];
        AtomicReference<InetSocketAddress> clientLocal = new AtomicReference<>();
        List<RecordedEvent> all = record(() -> {
            try (ServerSocketChannel ss = P.openServerSocketChannel().bind(new InetSocketAddress(LO, 0))) {
                SocketChannel c = P.openSocketChannel();
                c.connect(ss.getLocalAddress());
                clientLocal.set((InetSocketAddress) c.getLocalAddress());
                try (SocketChannel s = ss.accept()) {
                    c.write(ByteBuffer.wrap(msg));
                    ByteBuffer in = ByteBuffer.allocate(2000);
                    while (in.position() < msg.length) s.read(in);
                    c.close(); // local close, 1000 bytes out
                    assertEquals(-1, s.read(in)); // EOF, then the server closes: ending "eof"
                }
            }
        }, "edgewise.Connect", "edgewise.Accept", "edgewise.Read", "edgewise.Write", "edgewise.ChannelClosed");
        String client = clientLocal.get().toString();

        RecordedEvent connect = only(named(all, "edgewise.Connect"), e -> client.equals(e.getString("localAddress")));
        assertEquals("tcp", connect.getString("channelKind"));
        assertTrue(connect.getBoolean("blocking"));
        assertFalse(connect.getBoolean("asyncResolve"));
        assertNull(connect.getString("failure"));

        RecordedEvent accept = only(named(all, "edgewise.Accept"), e -> client.equals(e.getString("remoteAddress")));
        assertEquals("tcp-listener", accept.getString("channelKind"));
        assertTrue(accept.getBoolean("blocking"));

        RecordedEvent write = only(named(all, "edgewise.Write"), e -> e.getLong("bytesWritten") == 1000);
        assertEquals("tcp", write.getString("channelKind"));
        assertTrue(named(all, "edgewise.Read").stream().anyMatch(e -> e.getBoolean("endOfStream")));
        assertEquals(1000, named(all, "edgewise.Read").stream().mapToLong(e -> e.getLong("bytesRead")).sum());

        List<RecordedEvent> closed = named(all, "edgewise.ChannelClosed");
        RecordedEvent cc = only(closed, e -> client.equals(e.getString("localAddress")));
        assertEquals("local-close", cc.getString("ending"));
        assertEquals(1000, cc.getLong("bytesOut"));
        assertEquals(0, cc.getLong("bytesIn"));
        assertTrue(cc.getDuration("lifetime").toNanos() > 0);
        RecordedEvent sc = only(closed, e -> client.equals(e.getString("remoteAddress")));
        assertEquals("eof", sc.getString("ending"));
        assertEquals(1000, sc.getLong("bytesIn"));
        assertTrue(closed.stream().anyMatch(e -> "tcp-listener".equals(e.getString("channelKind"))));
    }

    @Test
    void resetAndInterruptEndings() throws Exception {
        AtomicReference<String> resetSide = new AtomicReference<>(), interruptedSide = new AtomicReference<>();
        List<RecordedEvent> all = record(() -> {
            try (ServerSocketChannel ss = P.openServerSocketChannel().bind(new InetSocketAddress(LO, 0))) {
                SocketChannel c = P.openSocketChannel();
                c.connect(ss.getLocalAddress());
                try (SocketChannel s = ss.accept()) {
                    resetSide.set(c.getLocalAddress().toString()); // the server side's remote address
                    c.setOption(StandardSocketOptions.SO_LINGER, 0);
                    c.close(); // RST
                    assertThrows(java.net.SocketException.class, () -> s.read(ByteBuffer.allocate(10)));
                }
                SocketChannel c2 = P.openSocketChannel();
                c2.connect(ss.getLocalAddress());
                try (SocketChannel s2 = ss.accept()) {
                    interruptedSide.set(c2.getLocalAddress().toString());
                    CountDownLatch reading = new CountDownLatch(1);
                    AtomicReference<Throwable> thrown = new AtomicReference<>();
                    Thread t = new Thread(() -> {
                        try {
                            reading.countDown();
                            c2.read(ByteBuffer.allocate(10));
                        } catch (Throwable e) {
                            thrown.set(e);
                        }
                    });
                    t.start();
                    reading.await();
                    while (t.getState() != Thread.State.RUNNABLE || !blockedInRead(t)) {
                        Thread.onSpinWait();
                    }
                    t.interrupt();
                    t.join();
                    assertInstanceOf(ClosedByInterruptException.class, thrown.get());
                }
            }
        }, "edgewise.ChannelClosed");
        List<RecordedEvent> closed = named(all, "edgewise.ChannelClosed");
        assertEquals("reset", only(closed, e -> resetSide.get().equals(e.getString("remoteAddress"))).getString("ending"));
        assertEquals("interrupt", only(closed, e -> interruptedSide.get().equals(e.getString("localAddress"))).getString("ending"));
    }

    /** Whether {@code t} is inside the wait of a blocking read (its stack shows the waiter's poll). */
    private static boolean blockedInRead(Thread t) {
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().endsWith("Waiter") && f.getMethodName().equals("await")) return true;
        }
        return false;
    }

    @Test
    void datagramReceiveAndSend() throws Exception {
        List<RecordedEvent> all = record(() -> {
            try (DatagramChannel a = P.openDatagramChannel().bind(new InetSocketAddress(LO, 0));
                 DatagramChannel b = P.openDatagramChannel().bind(new InetSocketAddress(LO, 0))) {
                b.send(ByteBuffer.wrap(new byte[77]), a.getLocalAddress());
                assertNotNull(a.receive(ByteBuffer.allocate(100)));
            }
        }, "edgewise.Receive", "edgewise.Send", "edgewise.ChannelClosed");
        RecordedEvent rcv = only(named(all, "edgewise.Receive"), e -> true);
        assertEquals(77, rcv.getLong("bytesReceived"));
        assertEquals("udp", rcv.getString("channelKind"));
        assertEquals(77, only(named(all, "edgewise.Send"), e -> true).getLong("bytesSent"));
        List<RecordedEvent> closed = named(all, "edgewise.ChannelClosed");
        assertEquals(2, closed.size());
        assertEquals(77, closed.stream().mapToLong(e -> e.getLong("bytesIn")).sum());
        assertEquals(77, closed.stream().mapToLong(e -> e.getLong("bytesOut")).sum());
    }

    @Test
    void pipeReadAndWrite() throws Exception {
        List<RecordedEvent> all = record(() -> {
            Pipe pipe = P.openPipe();
            try (Pipe.SourceChannel src = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
                sink.write(ByteBuffer.wrap(new byte[33]));
                assertEquals(33, src.read(ByteBuffer.allocate(100)));
            }
        }, "edgewise.Read", "edgewise.Write", "edgewise.ChannelClosed");
        RecordedEvent read = only(named(all, "edgewise.Read"), e -> true);
        assertEquals("pipe-source", read.getString("channelKind"));
        assertEquals(33, read.getLong("bytesRead"));
        assertEquals("pipe-sink", only(named(all, "edgewise.Write"), e -> true).getString("channelKind"));
        RecordedEvent sinkClosed = only(named(all, "edgewise.ChannelClosed"), e -> "pipe-sink".equals(e.getString("channelKind")));
        assertEquals(33, sinkClosed.getLong("bytesOut"));
    }

    @Test
    void asyncResolveConnectTellsResolutionAttemptsAndWinner() throws Exception {
        List<RecordedEvent> all = record(() -> {
            try (ServerSocketChannel ss = P.openServerSocketChannel().bind(new InetSocketAddress(LO, 0));
                 Selector sel = P.openSelector();
                 SocketChannel c = P.openSocketChannel()) {
                int port = ((InetSocketAddress) ss.getLocalAddress()).getPort();
                c.setOption(EdgewiseSocketOptions.ASYNC_RESOLVE, true);
                c.configureBlocking(false);
                c.register(sel, SelectionKey.OP_CONNECT);
                assertFalse(c.connect(InetSocketAddress.createUnresolved(LO.getHostAddress(), port)));
                while (!c.finishConnect()) {
                    sel.select(1000);
                    sel.selectedKeys().clear();
                }
            }
        }, "edgewise.Connect");
        RecordedEvent connect = only(named(all, "edgewise.Connect"), e -> e.getBoolean("asyncResolve"));
        assertFalse(connect.getBoolean("blocking"));
        assertEquals(1, connect.getInt("addressesTried"));
        assertTrue(connect.getString("winner").contains(LO.getHostAddress()), connect.toString());
        assertTrue(connect.getDuration("resolveTime").toNanos() >= 0, connect.toString());
        assertNotNull(connect.getString("remoteAddress"));
        assertNull(connect.getString("failure"));
    }

    @Test
    void failedConnectIsReported() throws Exception {
        int port;
        try (ServerSocketChannel ss = P.openServerSocketChannel().bind(new InetSocketAddress(LO, 0))) {
            port = ((InetSocketAddress) ss.getLocalAddress()).getPort();
        }
        List<RecordedEvent> all = record(() -> {
            try (SocketChannel c = P.openSocketChannel()) {
                assertThrows(java.net.ConnectException.class, () -> c.connect(new InetSocketAddress(LO, port)));
            }
        }, "edgewise.Connect");
        RecordedEvent connect = only(named(all, "edgewise.Connect"), e -> e.getString("failure") != null);
        assertTrue(connect.getString("failure").contains("ConnectException"), connect.toString());
    }

    @Test
    void spinningSelectorIsReported() throws Exception {
        Pipe pipe = P.openPipe();
        try (Selector sel = P.openSelector(); Pipe.SourceChannel src = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
            src.configureBlocking(false);
            src.register(sel, SelectionKey.OP_READ);
            sink.write(ByteBuffer.wrap(new byte[1]));
            long id = id(sel);
            SelectorStats stats = Observe.SELECTORS.get(id);
            long threshold = SelectorStats.SPIN_THRESHOLD;
            List<RecordedEvent> all = record(() -> {
                assertEquals(1, sel.select());
                // a classic loop bug: the selected key is never removed, so every select(timeout)
                // returns at once with 0 (the key is selected already; its readiness is not new)
                for (long i = 0; i < threshold; i++) {
                    assertEquals(0, sel.select(10_000));
                }
            }, "edgewise.SelectorSpin");
            RecordedEvent spin = only(named(all, "edgewise.SelectorSpin"), e -> e.getLong("selectorId") == id);
            assertEquals(threshold, spin.getLong("consecutiveSelects"));
            assertEquals(1, spin.getInt("selectedKeys"));
            assertEquals(1, spin.getInt("registeredKeys"));
            assertEquals(1, spin.getInt("polledEvents"));
            assertEquals(1, stats.getSpins());
            // removing the key ends the spin: the next select blocks (here: until data comes)
            sel.selectedKeys().clear();
            assertEquals(1, sel.selectNow());
        }
    }

    @Test
    void wakeupsAndTimeoutsAreNotSpins() throws Exception {
        try (Selector sel = P.openSelector()) {
            long id = -1;
            Pipe pipe = P.openPipe();
            pipe.source().configureBlocking(false);
            pipe.source().register(sel, SelectionKey.OP_READ);
            id = id(sel);
            SelectorStats stats = Observe.SELECTORS.get(id);
            for (long i = 0; i < SelectorStats.SPIN_THRESHOLD + 1; i++) {
                sel.wakeup();
                assertEquals(0, sel.select(10_000));
            }
            assertEquals(0, sel.select(1));
            assertEquals(0, stats.getSpins());
            pipe.source().close();
            pipe.sink().close();
        }
    }

    @Test
    void closedChannelStillRegisteredIsReported() throws Exception {
        try (Selector sel = P.openSelector(); ServerSocketChannel ss = P.openServerSocketChannel()) {
            ss.bind(new InetSocketAddress(LO, 0)).configureBlocking(false);
            ss.register(sel, SelectionKey.OP_ACCEPT);
            long id = id(sel);
            List<RecordedEvent> all = record(ss::close, "edgewise.ClosedChannelRegistered");
            RecordedEvent e = only(named(all, "edgewise.ClosedChannelRegistered"), x -> x.getLong("selectorId") == id);
            assertEquals("tcp-listener", e.getString("channelKind"));
            sel.selectNow(); // flushes the key: the scan has nothing more to report
            List<RecordedEvent> after = record(() -> { }, "edgewise.ClosedChannelRegistered");
            assertTrue(named(after, "edgewise.ClosedChannelRegistered").stream().noneMatch(x -> x.getLong("selectorId") == id));
        }
    }

    @Test
    void edgeKeyNotDrainedIsReportedUntilDrained() throws Exception {
        try (Selector sel = P.openSelector(); ServerSocketChannel ss = P.openServerSocketChannel()) {
            ss.bind(new InetSocketAddress(LO, 0));
            try (SocketChannel c = P.openSocketChannel(); ) {
                c.connect(ss.getLocalAddress());
                try (SocketChannel s = ss.accept()) {
                    s.configureBlocking(false);
                    EdgewiseSelectionKey k = (EdgewiseSelectionKey) s.register(sel, SelectionKey.OP_READ);
                    k.trigger(Trigger.EDGE);
                    long id = id(sel);
                    c.write(ByteBuffer.wrap(new byte[100]));
                    assertEquals(1, sel.select(5_000));
                    sel.selectedKeys().clear();
                    ByteBuffer part = ByteBuffer.allocate(10);
                    assertEquals(10, s.read(part)); // read some, not until "would block"
                    List<RecordedEvent> all = record(() -> { }, "edgewise.EdgeNotDrained");
                    RecordedEvent e = only(named(all, "edgewise.EdgeNotDrained"), x -> x.getLong("selectorId") == id);
                    assertEquals("tcp", e.getString("channelKind"));
                    ByteBuffer rest = ByteBuffer.allocate(1000);
                    while (s.read(rest) > 0) { } // drained: read returned 0
                    List<RecordedEvent> after = record(() -> { }, "edgewise.EdgeNotDrained");
                    assertTrue(named(after, "edgewise.EdgeNotDrained").stream().noneMatch(x -> x.getLong("selectorId") == id));
                }
            }
        }
    }

    private static RecordedEvent only(List<RecordedEvent> events, java.util.function.Predicate<RecordedEvent> which) {
        List<RecordedEvent> m = events.stream().filter(which).collect(java.util.stream.Collectors.toList());
        assertEquals(1, m.size(), () -> "expected one matching event in " + events);
        return m.get(0);
    }
}
