package io.edgewise.datagram;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The same datagram scenarios on the JDK's provider and on Edgewise; both must pass. */
class DatagramDifferentialTest {
    static final InetAddress LO4 = InetAddress.getLoopbackAddress() instanceof Inet4Address
            ? InetAddress.getLoopbackAddress() : addr("127.0.0.1");

    static InetAddress addr(String s) {
        try {
            return InetAddress.getByName(s);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static DatagramChannel bound(SelectorProvider p, StandardProtocolFamily f, InetAddress a) throws IOException {
        DatagramChannel dc = p.openDatagramChannel(f);
        dc.bind(new InetSocketAddress(a, 0));
        return dc;
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    static String str(ByteBuffer b) {
        b.flip();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, StandardCharsets.UTF_8);
    }

    /** Receives with a bound on time, through a selector (never hangs a test). */
    static SocketAddress receive(DatagramChannel dc, ByteBuffer dst, long millis) throws IOException {
        boolean blocking = dc.isBlocking();
        dc.configureBlocking(false);
        try (Selector sel = dc.provider().openSelector()) {
            dc.register(sel, SelectionKey.OP_READ);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            for (;;) {
                SocketAddress sa = dc.receive(dst);
                if (sa != null) return sa;
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                if (left <= 0) return null;
                sel.select(left);
                sel.selectedKeys().clear();
            }
        } finally {
            deregisterAndRestore(dc, blocking);
        }
    }

    private static void deregisterAndRestore(DatagramChannel dc, boolean blocking) throws IOException {
        if (!blocking || !dc.isOpen()) return;
        // a closed selector deregisters its keys at the next selection on it; wait until done
        for (int i = 0; i < 200 && dc.isRegistered(); i++) {
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        dc.configureBlocking(true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void sendReceiveEveryBufferKind(String name, SelectorProvider p) throws Exception {
        for (StandardProtocolFamily f : new StandardProtocolFamily[] {StandardProtocolFamily.INET, StandardProtocolFamily.INET6}) {
            InetAddress lo = f == StandardProtocolFamily.INET ? LO4 : addr("::1");
            try (DatagramChannel a = bound(p, f, lo); DatagramChannel b = bound(p, f, lo)) {
                SocketAddress to = b.getLocalAddress();
                assertEquals(5, a.send(bytes("heap1"), to));
                ByteBuffer direct = ByteBuffer.allocateDirect(16);
                direct.put("direct".getBytes(StandardCharsets.UTF_8)).flip();
                assertEquals(6, a.send(direct, to));
                assertFalse(direct.hasRemaining());
                assertEquals(8, a.send(bytes("readonly").asReadOnlyBuffer(), to));

                ByteBuffer heap = ByteBuffer.allocate(32);
                assertEquals(a.getLocalAddress(), b.receive(heap));
                assertEquals("heap1", str(heap));
                ByteBuffer d2 = ByteBuffer.allocateDirect(32);
                assertEquals(a.getLocalAddress(), b.receive(d2));
                assertEquals("direct", str(d2));
                heap.clear();
                assertEquals(a.getLocalAddress(), b.receive(heap));
                assertEquals("readonly", str(heap));
                assertThrows(IllegalArgumentException.class, () -> b.receive(ByteBuffer.allocate(4).asReadOnlyBuffer()));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void truncatesOversizedDatagramAndReceivesZeroLength(String name, SelectorProvider p) throws Exception {
        try (DatagramChannel a = bound(p, StandardProtocolFamily.INET, LO4);
             DatagramChannel b = bound(p, StandardProtocolFamily.INET, LO4)) {
            a.send(bytes("0123456789abcdef"), b.getLocalAddress());
            a.send(ByteBuffer.allocate(0), b.getLocalAddress());
            ByteBuffer small = ByteBuffer.allocate(4);
            assertNotNull(b.receive(small));
            assertEquals("0123", str(small));
            ByteBuffer any = ByteBuffer.allocate(64);
            assertEquals(a.getLocalAddress(), b.receive(any)); // the rest was discarded: next is the empty one
            assertEquals(0, any.position());
            b.configureBlocking(false);
            assertNull(b.receive(any));
            // a full buffer still consumes a datagram
            a.send(bytes("xyz"), b.getLocalAddress());
            ByteBuffer full = ByteBuffer.allocate(0);
            assertEquals(a.getLocalAddress(), receive(b, full, 2000));
            assertNull(b.receive(any));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void connectedReadWriteScatterGatherDisconnect(String name, SelectorProvider p) throws Exception {
        try (DatagramChannel a = bound(p, StandardProtocolFamily.INET, LO4);
             DatagramChannel b = bound(p, StandardProtocolFamily.INET, LO4);
             DatagramChannel other = bound(p, StandardProtocolFamily.INET, LO4)) {
            assertThrows(NotYetConnectedException.class, () -> a.write(bytes("x")));
            assertThrows(NotYetConnectedException.class, () -> a.read(ByteBuffer.allocate(1)));
            SocketAddress bAddr = b.getLocalAddress();
            a.connect(bAddr);
            b.connect(a.getLocalAddress());
            assertTrue(a.isConnected());
            assertEquals(bAddr, a.getRemoteAddress());
            assertThrows(AlreadyConnectedException.class, () -> a.connect(bAddr));
            // a datagram from a third party is filtered out by the association
            other.send(bytes("intruder"), bAddr);
            assertEquals(5, a.write(bytes("hello")));
            ByteBuffer r = ByteBuffer.allocate(16);
            assertEquals(5, b.read(r));
            assertEquals("hello", str(r));
            // gathering write: one datagram; scattering read
            ByteBuffer[] out = {bytes("ab"), ByteBuffer.allocateDirect(3).put((byte) 'c').put((byte) 'd').put((byte) 'e').flip()};
            assertEquals(5, a.write(out));
            ByteBuffer[] in = {ByteBuffer.allocate(2), ByteBuffer.allocate(10)};
            assertEquals(5, b.read(in));
            assertEquals("ab", str(in[0]));
            assertEquals("cde", str(in[1]));
            assertThrows(AlreadyConnectedException.class, () -> a.send(bytes("x"), other.getLocalAddress()));
            assertEquals(1, a.send(bytes("y"), bAddr));
            r.clear();
            assertEquals(a.getLocalAddress(), b.receive(r));
            SocketAddress before = a.getLocalAddress();
            a.disconnect();
            assertFalse(a.isConnected());
            assertNull(a.getRemoteAddress());
            assertEquals(before, a.getLocalAddress());
            assertEquals(1, a.send(bytes("z"), other.getLocalAddress()));
            r.clear();
            assertEquals(a.getLocalAddress(), other.receive(r));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void portUnreachableOnConnectedChannel(String name, SelectorProvider p) throws Exception {
        SocketAddress dead;
        try (DatagramChannel tmp = bound(p, StandardProtocolFamily.INET, LO4)) {
            dead = tmp.getLocalAddress();
        }
        try (DatagramChannel a = bound(p, StandardProtocolFamily.INET, LO4)) {
            a.connect(dead);
            a.write(bytes("ping"));
            a.configureBlocking(false);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            IOException seen = null;
            while (seen == null && System.nanoTime() < end) {
                try {
                    a.read(ByteBuffer.allocate(8));
                    Thread.sleep(5);
                } catch (PortUnreachableException e) {
                    seen = e;
                }
            }
            assertNotNull(seen, "PortUnreachableException expected");
            assertTrue(a.isOpen());
        }
        // unconnected: the refusal is not reported
        try (DatagramChannel a = bound(p, StandardProtocolFamily.INET, LO4)) {
            a.send(bytes("ping"), dead);
            a.configureBlocking(false);
            assertNull(receive(a, ByteBuffer.allocate(8), 200));
            assertEquals(4, a.send(bytes("ping"), dead));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void inet6ChannelTalksToIPv4Peer(String name, SelectorProvider p) throws Exception {
        try (DatagramChannel v6 = p.openDatagramChannel(StandardProtocolFamily.INET6).bind(new InetSocketAddress(0));
             DatagramChannel v4 = bound(p, StandardProtocolFamily.INET, LO4)) {
            int port = ((InetSocketAddress) v6.getLocalAddress()).getPort();
            v4.send(bytes("four"), new InetSocketAddress(LO4, port));
            ByteBuffer b = ByteBuffer.allocate(16);
            SocketAddress from = v6.receive(b);
            assertEquals(v4.getLocalAddress(), from);
            assertTrue(((InetSocketAddress) from).getAddress() instanceof Inet4Address);
            assertEquals(3, v6.send(bytes("six"), from));
            b.clear();
            assertEquals(new InetSocketAddress(LO4, port), v4.receive(b));
            assertEquals("six", str(b));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void bindStateAndBadInput(String name, SelectorProvider p) throws Exception {
        try (DatagramChannel a = p.openDatagramChannel(StandardProtocolFamily.INET)) {
            assertNull(a.getLocalAddress());
            assertFalse(a.isConnected());
            assertThrows(UnresolvedAddressException.class,
                    () -> a.send(bytes("x"), InetSocketAddress.createUnresolved("nowhere.invalid", 9)));
            assertThrows(UnsupportedAddressTypeException.class,
                    () -> a.send(bytes("x"), new SocketAddress() { }));
            assertThrows(UnsupportedAddressTypeException.class,
                    () -> a.bind(new InetSocketAddress(addr("::1"), 0)));
            assertThrows(SocketException.class, () -> a.send(bytes("x"), new InetSocketAddress(LO4, 0)));
            // sending binds implicitly
            assertNotNull(a.getLocalAddress());
            assertThrows(AlreadyBoundException.class, () -> a.bind(null));
            try (DatagramChannel b = bound(p, StandardProtocolFamily.INET, LO4)) {
                ByteBuffer big = ByteBuffer.allocate(70_000);
                IOException e = assertThrows(IOException.class, () -> a.send(big, b.getLocalAddress()));
                assertEquals(SocketException.class, e.getClass());
                assertEquals(0, big.position());
            }
            assertThrows(SocketException.class, () -> a.connect(new InetSocketAddress(LO4, 0)));
        }
        DatagramChannel c = p.openDatagramChannel();
        c.close();
        assertThrows(ClosedChannelException.class, () -> c.send(bytes("x"), new InetSocketAddress(LO4, 9)));
        assertThrows(ClosedChannelException.class, () -> c.receive(ByteBuffer.allocate(1)));
        assertThrows(ClosedChannelException.class, () -> c.getLocalAddress());
        assertThrows(ClosedChannelException.class, () -> c.bind(null));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void optionsAndDefaults(String name, SelectorProvider p) throws Exception {
        for (StandardProtocolFamily f : new StandardProtocolFamily[] {StandardProtocolFamily.INET, StandardProtocolFamily.INET6}) {
            try (DatagramChannel a = p.openDatagramChannel(f)) {
                assertTrue(a.supportedOptions().containsAll(java.util.List.of(StandardSocketOptions.SO_SNDBUF,
                        StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR,
                        StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_BROADCAST,
                        StandardSocketOptions.IP_TOS, StandardSocketOptions.IP_MULTICAST_IF,
                        StandardSocketOptions.IP_MULTICAST_TTL, StandardSocketOptions.IP_MULTICAST_LOOP)));
                assertFalse(a.getOption(StandardSocketOptions.SO_BROADCAST));
                assertEquals(1, a.getOption(StandardSocketOptions.IP_MULTICAST_TTL));
                assertTrue(a.getOption(StandardSocketOptions.IP_MULTICAST_LOOP));
                assertNull(a.getOption(StandardSocketOptions.IP_MULTICAST_IF));
                a.setOption(StandardSocketOptions.SO_BROADCAST, true);
                assertTrue(a.getOption(StandardSocketOptions.SO_BROADCAST));
                a.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 7);
                assertEquals(7, a.getOption(StandardSocketOptions.IP_MULTICAST_TTL));
                a.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
                assertFalse(a.getOption(StandardSocketOptions.IP_MULTICAST_LOOP));
                a.setOption(StandardSocketOptions.IP_TOS, 0x10);
                assertEquals(0x10, a.getOption(StandardSocketOptions.IP_TOS));
                a.setOption(StandardSocketOptions.SO_RCVBUF, 65536);
                assertEquals(65536, a.getOption(StandardSocketOptions.SO_RCVBUF));
                a.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                assertTrue(a.getOption(StandardSocketOptions.SO_REUSEADDR));
                java.net.NetworkInterface lo = java.net.NetworkInterface.getByName("lo");
                if (lo != null) {
                    a.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
                    assertEquals(lo, a.getOption(StandardSocketOptions.IP_MULTICAST_IF));
                }
                assertThrows(IllegalArgumentException.class, () -> a.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 256));
                assertThrows(UnsupportedOperationException.class, () -> a.setOption(StandardSocketOptions.TCP_NODELAY, true));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void supportedOptionsMatchTheJdkIncludingExtendedOnes(String name, SelectorProvider p) throws Exception {
        for (StandardProtocolFamily f : new StandardProtocolFamily[] {StandardProtocolFamily.INET, StandardProtocolFamily.INET6}) {
            try (DatagramChannel a = p.openDatagramChannel(f);
                 DatagramChannel ref = TestProviders.jdk().openDatagramChannel(f)) {
                // under the POSIX layer on Linux, less what it lacks there (SocketLayer.expectedMissing)
                java.util.Set<java.net.SocketOption<?>> expected = new java.util.HashSet<>(ref.supportedOptions());
                if (name.equals("edgewise")) expected.removeIf(io.edgewise.testing.SocketLayer::expectedMissing);
                assertEquals(expected, a.supportedOptions());
                for (java.net.SocketOption<?> o : a.supportedOptions()) {
                    if (o.name().equals("IP_DONTFRAGMENT")) {
                        @SuppressWarnings("unchecked")
                        java.net.SocketOption<Boolean> df = (java.net.SocketOption<Boolean>) o;
                        assertEquals(ref.getOption(df), a.getOption(df));
                        a.setOption(df, true);
                        assertTrue(a.getOption(df));
                        a.setOption(df, false);
                        assertFalse(a.getOption(df));
                    } else if (o.name().equals("SO_INCOMING_NAPI_ID")) {
                        assertEquals(ref.getOption(o), a.getOption(o));
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void selectorReportsReadAndWrite(String name, SelectorProvider p) throws Exception {
        try (DatagramChannel a = bound(p, StandardProtocolFamily.INET, LO4);
             DatagramChannel b = bound(p, StandardProtocolFamily.INET, LO4);
             Selector sel = p.openSelector()) {
            b.configureBlocking(false);
            SelectionKey k = b.register(sel, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            assertEquals(1, sel.select(2000));
            assertEquals(SelectionKey.OP_WRITE, k.readyOps());
            sel.selectedKeys().clear();
            k.interestOps(SelectionKey.OP_READ);
            assertEquals(0, sel.selectNow());
            a.send(bytes("r"), b.getLocalAddress());
            assertEquals(1, sel.select(2000));
            assertEquals(SelectionKey.OP_READ, k.readyOps());
            assertNotNull(b.receive(ByteBuffer.allocate(4)));
            b.close();
            sel.selectNow(); // deregisters and really closes
            assertFalse(k.isValid());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void asyncCloseAndInterruptEndBlockingReceive(String name, SelectorProvider p) throws Exception {
        DatagramChannel a = bound(p, StandardProtocolFamily.INET, LO4);
        CompletableFuture<Throwable> r = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                a.receive(ByteBuffer.allocate(8));
                r.complete(null);
            } catch (Throwable e) {
                r.complete(e);
            }
        });
        t.start();
        TestProviders.awaitBlocked(t);
        a.close();
        assertEquals(AsynchronousCloseException.class, r.get(5, TimeUnit.SECONDS).getClass());

        DatagramChannel b = bound(p, StandardProtocolFamily.INET, LO4);
        CompletableFuture<Throwable> r2 = new CompletableFuture<>();
        Thread t2 = new Thread(() -> {
            try {
                b.receive(ByteBuffer.allocate(8));
                r2.complete(null);
            } catch (Throwable e) {
                r2.complete(e);
            }
        });
        t2.start();
        TestProviders.awaitBlocked(t2);
        t2.interrupt();
        assertEquals(ClosedByInterruptException.class, r2.get(5, TimeUnit.SECONDS).getClass());
        assertFalse(b.isOpen());

        // interrupted before the call: closes at once
        DatagramChannel c = bound(p, StandardProtocolFamily.INET, LO4);
        Thread.currentThread().interrupt();
        try {
            assertThrows(ClosedByInterruptException.class, () -> c.receive(ByteBuffer.allocate(8)));
        } finally {
            Thread.interrupted();
        }
        assertFalse(c.isOpen());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void datagramSocketAdaptor(String name, SelectorProvider p) throws Exception {
        try (DatagramChannel a = p.openDatagramChannel(StandardProtocolFamily.INET);
             DatagramChannel b = bound(p, StandardProtocolFamily.INET, LO4)) {
            DatagramSocket s = a.socket();
            assertSame(s, a.socket());
            assertSame(a, s.getChannel());
            assertFalse(s.isBound());
            s.bind(new InetSocketAddress(LO4, 0));
            assertTrue(s.isBound());
            assertEquals(a.getLocalAddress(), s.getLocalSocketAddress());
            assertEquals(LO4, s.getLocalAddress());
            s.setBroadcast(true);
            assertTrue(s.getBroadcast());
            s.setReceiveBufferSize(32768);
            assertEquals(32768, s.getReceiveBufferSize());
            s.setSoTimeout(100);
            assertEquals(100, s.getSoTimeout());
            byte[] buf = new byte[32];
            DatagramPacket in = new DatagramPacket(buf, buf.length);
            assertThrows(SocketTimeoutException.class, () -> s.receive(in));

            b.send(bytes("packet-one"), a.getLocalAddress());
            s.receive(in);
            assertEquals("packet-one", new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8));
            assertEquals(b.getLocalAddress(), in.getSocketAddress());
            // the same packet takes a longer datagram next time (its capacity is kept)
            b.send(bytes("the-second-packet"), a.getLocalAddress());
            s.receive(in);
            assertEquals("the-second-packet", new String(in.getData(), 0, in.getLength(), StandardCharsets.UTF_8));

            s.send(new DatagramPacket("back".getBytes(StandardCharsets.UTF_8), 4, b.getLocalAddress()));
            ByteBuffer r = ByteBuffer.allocate(8);
            assertEquals(a.getLocalAddress(), b.receive(r));
            assertEquals("back", str(r));

            s.connect(b.getLocalAddress());
            assertTrue(s.isConnected());
            assertEquals(b.getLocalAddress(), s.getRemoteSocketAddress());
            DatagramPacket wrong = new DatagramPacket(new byte[1], 1, new InetSocketAddress(LO4, 9));
            assertThrows(IllegalArgumentException.class, () -> s.send(wrong));
            s.disconnect();
            assertFalse(s.isConnected());
            a.configureBlocking(false);
            assertThrows(java.nio.channels.IllegalBlockingModeException.class, () -> s.receive(in));
            s.close();
            assertTrue(s.isClosed());
            assertFalse(a.isOpen());
            assertNull(s.getLocalSocketAddress());
        }
    }
}
