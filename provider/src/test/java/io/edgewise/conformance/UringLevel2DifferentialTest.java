package io.edgewise.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.backend.Backends;
import io.edgewise.backend.uring.UringSupport;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * io_uring level 2 against the JDK's provider: the documented difference (docs/io_uring.md, "Level 2"),
 * recorded on both providers with {@link Outcome}, and what level 2 keeps JDK-exact although its bytes are
 * no longer in the kernel's queue. The peer is always a JDK socket. Runs only with
 * {@code -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true}.
 */
@Timeout(60)
class UringLevel2DifferentialTest {
    @BeforeEach
    void levelTwo() {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "io_uring is Linux only");
        Assumptions.assumeTrue(Backends.name().equals("io_uring") && UringSupport.ioEnabled(),
                "needs -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true");
    }

    /** A selector server's accepted channel, registered for OP_READ, with the peer's bytes selected. */
    private static SocketChannel readable(Outcome o, Selector sel, Socket peer, byte[] sent) throws Exception {
        ServerSocketChannel ss = o.track(o.provider.openServerSocketChannel());
        ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        peer.connect(ss.getLocalAddress(), 10_000);
        SocketChannel c = o.track(ss.accept());
        c.configureBlocking(false);
        c.register(sel, SelectionKey.OP_READ);
        peer.getOutputStream().write(sent);
        o.call("select", () -> sel.select(10_000));
        return c;
    }

    private static String unreadDataAtClose(SelectorProvider p) throws Exception {
        try (Outcome o = new Outcome(p, StandardProtocolFamily.INET); Selector sel = p.openSelector();
             Socket peer = new Socket()) {
            readable(o, sel, peer, new byte[100]);
            SocketChannel c = (SocketChannel) sel.keys().iterator().next().channel();
            o.run("close without reading", c::close);
            o.call("selectNow (deregisters, closes)", sel::selectNow);
            peer.setSoTimeout(10_000);
            InputStream in = peer.getInputStream();
            o.call("peer read", in::read); // the FIN of the close (a registered channel's close shuts output)
            o.run("peer write", () -> peer.getOutputStream().write(1)); // fails once the reset arrived
            return o.text();
        }
    }

    /**
     * The documented difference: bytes the application never read are in the ring, not in the socket's
     * receive queue, when the channel is closed — so the kernel's close(2) ends the connection normally, where
     * the JDK's close of a socket with unread bytes sends RST: the peer's next write fails at once on the JDK,
     * and succeeds on level 2 (only a later one meets the closed socket's reset).
     */
    @Test
    void unreadBytesAtCloseGiveTheFinInsteadOfTheReset() throws Exception {
        String jdk = unreadDataAtClose(Providers.jdk());
        String edgewise = unreadDataAtClose(Providers.edgewise());
        assertTrue(jdk.contains("peer write !! java.net.SocketException"), "JDK: the peer met the reset\n" + jdk);
        assertEquals(jdk.replace("peer write !! java.net.SocketException", "peer write ok"), edgewise,
                "Edgewise level 2: the same, but no reset yet");
    }

    private static String availableAndReads(SelectorProvider p) throws Exception {
        try (Outcome o = new Outcome(p, StandardProtocolFamily.INET); Selector sel = p.openSelector();
             Socket peer = new Socket()) {
            SocketChannel c = readable(o, sel, peer, "0123456789".getBytes());
            o.call("available", () -> c.socket().getInputStream().available());
            ByteBuffer four = ByteBuffer.allocate(4);
            o.call("read 4", () -> c.read(four));
            o.call("available after", () -> c.socket().getInputStream().available());
            o.call("read rest", () -> c.read(ByteBuffer.allocate(64)));
            o.call("read nothing", () -> c.read(ByteBuffer.allocate(64)));
            o.call("read into full", () -> c.read(ByteBuffer.allocate(0)));
            o.call("read-only", () -> c.read(ByteBuffer.allocate(4).asReadOnlyBuffer()));
            peer.shutdownOutput();
            o.call("select EOF", () -> sel.select(10_000));
            o.call("read EOF", () -> c.read(ByteBuffer.allocate(64)));
            o.call("read EOF again", () -> c.read(ByteBuffer.allocate(64)));
            return o.text();
        }
    }

    /** What stays JDK-exact: available(), partial reads, nothing-yet, a full or read-only buffer, EOF. */
    @Test
    void availableReadsAndEofAreTheJdks() throws Exception {
        assertEquals(availableAndReads(Providers.jdk()), availableAndReads(Providers.edgewise()));
    }
}
