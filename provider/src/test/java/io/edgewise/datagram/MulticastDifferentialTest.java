package io.edgewise.datagram;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.spi.SelectorProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Multicast on the loopback interface (never on a real network), same scenarios on both providers.
 * Skipped, with the reason, only when the JDK's own provider cannot loop a multicast datagram back
 * on {@code lo} (no multicast-capable loopback on this machine).
 */
class MulticastDifferentialTest {
    static final InetAddress GROUP = DatagramDifferentialTest.addr("239.255.77.1");
    static final InetAddress LO4 = DatagramDifferentialTest.addr("127.0.0.1");
    static NetworkInterface lo;

    @BeforeAll
    static void probe() throws Exception {
        lo = NetworkInterface.getByName("lo");
        Assumptions.assumeTrue(lo != null, "no loopback interface named lo");
        String reason = null;
        try (DatagramChannel r = TestProviders.jdk().openDatagramChannel(StandardProtocolFamily.INET);
             DatagramChannel s = TestProviders.jdk().openDatagramChannel(StandardProtocolFamily.INET)) {
            r.bind(new InetSocketAddress(0));
            r.join(GROUP, lo);
            s.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
            s.send(ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress(GROUP, ((InetSocketAddress) r.getLocalAddress()).getPort()));
            if (DatagramDifferentialTest.receive(r, ByteBuffer.allocate(4), 2000) == null) {
                reason = "the JDK's provider receives no multicast looped back on lo";
            }
        } catch (Exception e) {
            reason = "multicast on lo is not available here: " + e;
        }
        Assumptions.assumeTrue(reason == null, reason);
    }

    static DatagramChannel receiver(SelectorProvider p, StandardProtocolFamily f) throws Exception {
        DatagramChannel r = p.openDatagramChannel(f);
        r.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        r.bind(new InetSocketAddress(0));
        return r;
    }

    static DatagramChannel sender(SelectorProvider p, InetAddress from) throws Exception {
        DatagramChannel s = p.openDatagramChannel(StandardProtocolFamily.INET);
        s.bind(new InetSocketAddress(from, 0));
        s.setOption(StandardSocketOptions.IP_MULTICAST_IF, lo);
        s.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true);
        return s;
    }

    static SocketAddress sendAndReceive(DatagramChannel s, DatagramChannel r, String msg, long millis) throws Exception {
        int port = ((InetSocketAddress) r.getLocalAddress()).getPort();
        s.send(ByteBuffer.wrap(msg.getBytes()), new InetSocketAddress(GROUP, port));
        ByteBuffer b = ByteBuffer.allocate(64);
        SocketAddress from = DatagramDifferentialTest.receive(r, b, millis);
        if (from != null) {
            assertEquals(msg, DatagramDifferentialTest.str(b));
        }
        return from;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void joinReceiveBlockUnblockDrop(String name, SelectorProvider p) throws Exception {
        for (StandardProtocolFamily f : new StandardProtocolFamily[] {StandardProtocolFamily.INET, StandardProtocolFamily.INET6}) {
            try (DatagramChannel r = receiver(p, f); DatagramChannel s = sender(p, LO4)) {
                MembershipKey k = r.join(GROUP, lo);
                assertTrue(k.isValid());
                assertSame(r, k.channel());
                assertEquals(GROUP, k.group());
                assertEquals(lo, k.networkInterface());
                assertNull(k.sourceAddress());
                assertSame(k, r.join(GROUP, lo)); // joining twice returns the same key
                assertEquals(s.getLocalAddress(), sendAndReceive(s, r, "m1", 2000));

                k.block(LO4);
                assertNull(sendAndReceive(s, r, "blocked", 300));
                k.unblock(LO4);
                assertEquals(s.getLocalAddress(), sendAndReceive(s, r, "m2", 2000));
                assertThrows(IllegalStateException.class, () -> k.unblock(LO4));
                assertThrows(IllegalStateException.class, () -> r.join(GROUP, lo, LO4));

                k.drop();
                assertFalse(k.isValid());
                k.drop(); // no-op
                assertThrows(IllegalStateException.class, () -> k.block(LO4));
                assertNull(sendAndReceive(s, r, "dropped", 300));
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void sourceSpecificMembership(String name, SelectorProvider p) throws Exception {
        try (DatagramChannel r = receiver(p, StandardProtocolFamily.INET);
             DatagramChannel s = sender(p, LO4);
             DatagramChannel other = sender(p, DatagramDifferentialTest.addr("127.0.0.2"))) {
            MembershipKey k = r.join(GROUP, lo, LO4);
            assertEquals(LO4, k.sourceAddress());
            assertSame(k, r.join(GROUP, lo, LO4));
            assertThrows(IllegalStateException.class, () -> r.join(GROUP, lo));
            assertThrows(IllegalStateException.class, () -> k.block(LO4));
            assertNull(sendAndReceive(other, r, "not-from-source", 300));
            assertEquals(s.getLocalAddress(), sendAndReceive(s, r, "from-source", 2000));
            r.close();
            assertFalse(k.isValid());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void ipv6GroupMembership(String name, SelectorProvider p) throws Exception {
        InetAddress g6 = DatagramDifferentialTest.addr("ff02::1:3");
        try (DatagramChannel v6 = receiver(p, StandardProtocolFamily.INET6)) {
            MembershipKey k = v6.join(g6, lo);
            assertTrue(k.isValid());
            MembershipKey k4 = v6.join(GROUP, lo); // an IPv4 group on a dual-stack channel
            assertNotSame(k, k4);
            MembershipKey ks = v6.join(DatagramDifferentialTest.addr("ff02::1:4"), lo, DatagramDifferentialTest.addr("::1"));
            k.block(DatagramDifferentialTest.addr("::1"));
            k.unblock(DatagramDifferentialTest.addr("::1"));
            k.drop();
            ks.drop();
            assertFalse(k.isValid());
            assertTrue(k4.isValid());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void badInput(String name, SelectorProvider p) throws Exception {
        try (DatagramChannel v4 = p.openDatagramChannel(StandardProtocolFamily.INET);
             DatagramChannel v6 = p.openDatagramChannel(StandardProtocolFamily.INET6)) {
            assertThrows(IllegalArgumentException.class, () -> v4.join(LO4, lo));
            assertThrows(IllegalArgumentException.class, () -> v4.join(DatagramDifferentialTest.addr("ff02::1:3"), lo));
            assertThrows(IllegalArgumentException.class, () -> v4.join(GROUP, lo, DatagramDifferentialTest.addr("0.0.0.0")));
            assertThrows(IllegalArgumentException.class, () -> v4.join(GROUP, lo, GROUP));
            assertThrows(IllegalArgumentException.class, () -> v6.join(GROUP, lo, DatagramDifferentialTest.addr("::1")));
            assertThrows(NullPointerException.class, () -> v4.join(GROUP, lo, null));
            MembershipKey k = v4.join(GROUP, lo);
            assertThrows(IllegalArgumentException.class, () -> k.block(GROUP));
            assertThrows(IllegalArgumentException.class, () -> k.block(DatagramDifferentialTest.addr("::1")));
            v4.close();
            assertFalse(k.isValid());
            assertThrows(java.nio.channels.ClosedChannelException.class, () -> v4.join(GROUP, lo));
        }
    }
}
