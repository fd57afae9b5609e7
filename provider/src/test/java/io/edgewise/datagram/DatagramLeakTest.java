package io.edgewise.datagram;

import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.testing.OpenDescriptors;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Open/use/close cycles of every datagram and Unix domain scenario on Edgewise must leave the
 * number of open descriptors ({@code /proc/self/fd}) where it was.
 */
class DatagramLeakTest {
    static final int CYCLES = 200;
    static final InetAddress LO = DatagramDifferentialTest.addr("127.0.0.1");

    @TempDir
    Path dir;

    interface Scenario {
        void run(SelectorProvider p, int i) throws Exception;
    }

    private static void assertNoLeak(String what, Scenario s) throws Exception {
        SelectorProvider p = TestProviders.edgewise();
        s.run(p, -1); // warm-up: waiters, temporary buffers, lazily opened descriptors
        OpenDescriptors.assertNoLeak(what + ", " + CYCLES + " cycles", () -> {
            for (int i = 0; i < CYCLES; i++) {
                s.run(p, i);
            }
        });
    }

    @Test
    void udpSendReceiveConnectSelect() throws Exception {
        assertNoLeak("udp", (p, i) -> {
            try (DatagramChannel a = p.openDatagramChannel(StandardProtocolFamily.INET6);
                 DatagramChannel b = p.openDatagramChannel(StandardProtocolFamily.INET).bind(new InetSocketAddress(LO, 0));
                 Selector sel = p.openSelector()) {
                a.send(ByteBuffer.wrap(new byte[] {1}), b.getLocalAddress());
                assertNotNull(b.receive(ByteBuffer.allocate(4)));
                a.connect(b.getLocalAddress());
                a.disconnect();
                b.configureBlocking(false);
                b.register(sel, SelectionKey.OP_READ);
                sel.selectNow();
                b.socket().getLocalPort();
            }
        });
    }

    @Test
    void udpInterruptAndFailedBind() throws Exception {
        assertNoLeak("udp interrupt", (p, i) -> {
            DatagramChannel a = p.openDatagramChannel(StandardProtocolFamily.INET).bind(new InetSocketAddress(LO, 0));
            Thread.currentThread().interrupt();
            try {
                a.receive(ByteBuffer.allocate(1));
                fail("interrupted receive returned");
            } catch (ClosedByInterruptException expected) {
                // closed by the interrupt
            } finally {
                Thread.interrupted();
            }
            try (DatagramChannel held = p.openDatagramChannel(StandardProtocolFamily.INET).bind(new InetSocketAddress(LO, 0));
                 DatagramChannel b = p.openDatagramChannel(StandardProtocolFamily.INET)) {
                assertThrows(java.net.BindException.class, () -> b.bind(held.getLocalAddress()));
            }
        });
    }

    @Test
    void multicastJoinDrop() throws Exception {
        NetworkInterface lo = NetworkInterface.getByName("lo");
        org.junit.jupiter.api.Assumptions.assumeTrue(lo != null, "no loopback interface named lo");
        InetAddress group = DatagramDifferentialTest.addr("239.255.77.2");
        assertNoLeak("multicast", (p, i) -> {
            try (DatagramChannel r = p.openDatagramChannel(StandardProtocolFamily.INET)) {
                r.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                r.bind(new InetSocketAddress(0));
                r.join(group, lo).drop();
                r.join(group, lo);
            }
        });
    }

    @Test
    void unixStreamAndDatagram() throws Exception {
        assertNoLeak("unix", (p, i) -> {
            Path path = dir.resolve("leak" + i + ".sock");
            try (ServerSocketChannel ssc = p.openServerSocketChannel(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(path));
                 SocketChannel c = p.openSocketChannel(StandardProtocolFamily.UNIX)) {
                c.connect(ssc.getLocalAddress());
                try (SocketChannel s = ssc.accept()) {
                    c.write(ByteBuffer.wrap(new byte[] {1}));
                    s.read(ByteBuffer.allocate(1));
                }
            }
            try (SocketChannel bad = p.openSocketChannel(StandardProtocolFamily.UNIX)) {
                bad.connect(UnixDomainSocketAddress.of(dir.resolve("none.sock")));
            } catch (java.io.IOException expected) {
                // refused: the channel is closed by the failed connect
            }
            try (DatagramChannel d = p.openDatagramChannel(StandardProtocolFamily.UNIX)) {
                d.bind(UnixDomainSocketAddress.of(dir.resolve("d" + i + ".sock")));
            }
            Files.deleteIfExists(path);
            Files.deleteIfExists(dir.resolve("d" + i + ".sock"));
        });
    }
}
