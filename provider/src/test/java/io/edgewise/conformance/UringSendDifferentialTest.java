package io.edgewise.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.backend.Backends;
import io.edgewise.backend.uring.UringSupport;
import java.io.IOException;
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
 * io_uring level 2's send side against the JDK's provider: the documented difference (docs/io_uring.md,
 * "Level 2", differences), recorded on both providers with {@link Outcome}. The peer is a JDK socket. Runs
 * only with {@code -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true}.
 */
@Timeout(60)
class UringSendDifferentialTest {
    @BeforeEach
    void levelTwo() {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "io_uring is Linux only");
        Assumptions.assumeTrue(io.edgewise.sys.Settings.uringSend(), "needs level 2's send side (off with -Dio.edgewise.uring.send=false)");
        Assumptions.assumeTrue(Backends.name().equals("io_uring") && UringSupport.ioEnabled(),
                "needs -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true");
    }

    /** A write's count, or its exception's class and message (programs match on both). */
    private static Object write(SocketChannel c) {
        try {
            return c.write(ByteBuffer.wrap(new byte[10]));
        } catch (IOException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private static String writesAfterTheReset(SelectorProvider p) throws Exception {
        try (Outcome o = new Outcome(p, StandardProtocolFamily.INET); Selector sel = p.openSelector();
             Socket peer = new Socket()) {
            ServerSocketChannel ss = o.track(p.openServerSocketChannel());
            ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            peer.connect(ss.getLocalAddress(), 10_000);
            SocketChannel c = o.track(ss.accept());
            c.configureBlocking(false);
            c.register(sel, SelectionKey.OP_READ);
            o.call("selectNow", sel::selectNow);
            peer.setSoLinger(true, 0);
            peer.close(); // the reset
            o.call("select (the reset)", () -> sel.select(10_000));
            o.call("write 1", () -> write(c));
            sel.selectedKeys().clear();
            o.call("selectNow 1", sel::selectNow);
            o.call("write 2", () -> write(c));
            sel.selectedKeys().clear();
            o.call("selectNow 2", sel::selectNow);
            o.call("write 3", () -> write(c));
            return o.text();
        }
    }

    /**
     * The documented difference: after the peer's reset, the JDK's first write meets the socket's pending
     * error ("Connection reset by peer"); on level 2 the ring's recv has taken that error off the socket (the
     * reset is thrown by read), so the send side knows the connection is dead and the first write throws what
     * the kernel then answers, "Broken pipe". Same type, and the same from the second write on.
     */
    @Test
    void aResetMeetsTheFirstWriteAsBrokenPipe() throws Exception {
        String jdk = writesAfterTheReset(Providers.jdk());
        String edgewise = writesAfterTheReset(Providers.edgewise());
        assertTrue(jdk.contains("write 1 = java.io.IOException: Connection reset by peer"), jdk);
        assertEquals(jdk.replace("write 1 = java.io.IOException: Connection reset by peer",
                "write 1 = java.io.IOException: Broken pipe"), edgewise, "Edgewise level 2: the message of write 1");
    }
}
