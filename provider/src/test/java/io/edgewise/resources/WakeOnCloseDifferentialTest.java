package io.edgewise.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.conformance.Providers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16 item 13: Edgewise wakes a thread blocked on a socket being closed by shutting the socket
 * down (a reset first under {@code SO_LINGER} 0). The peer must see what it sees on the JDK: the end
 * of the stream after an ordinary close, a reset after a close with {@code SO_LINGER} 0.
 */
@Timeout(60)
class WakeOnCloseDifferentialTest {

    @Test
    void peerSeesEndOfStreamWhenABlockedSocketCloses() throws Exception {
        for (SelectorProvider p : List.of(Providers.jdk(), Providers.edgewise())) {
            assertEquals("-1", peerSeesAfterClose(p, -1), Providers.name(p));
        }
    }

    @Test
    void peerSeesResetWhenABlockedSocketClosesWithLingerZero() throws Exception {
        for (SelectorProvider p : List.of(Providers.jdk(), Providers.edgewise())) {
            assertEquals("java.net.SocketException: Connection reset", peerSeesAfterClose(p, 0), Providers.name(p));
        }
    }

    /** What the peer's read returns (or throws) after a socket blocked in read was closed. */
    private static String peerSeesAfterClose(SelectorProvider p, int linger) throws Exception {
        try (ServerSocketChannel l = p.openServerSocketChannel()) {
            l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel peer = p.openSocketChannel()) {
                peer.connect(l.getLocalAddress());
                SocketChannel s = l.accept();
                if (linger >= 0) s.setOption(StandardSocketOptions.SO_LINGER, linger);
                AtomicReference<Throwable> readerEnd = new AtomicReference<>();
                Thread reader = new Thread(() -> {
                    try {
                        s.read(ByteBuffer.allocate(1));
                    } catch (Throwable t) {
                        readerEnd.set(t);
                    }
                });
                reader.start();
                assertTrue(Blocked.awaitAll(List.of(reader), 10_000), "reader did not block");
                s.close();
                reader.join(10_000);
                assertTrue(!reader.isAlive(), "reader still blocked after close");
                assertEquals("java.nio.channels.AsynchronousCloseException", String.valueOf(readerEnd.get()));
                try {
                    return Integer.toString(peer.read(ByteBuffer.allocate(1)));
                } catch (Exception e) {
                    return e.toString();
                }
            }
        }
    }
}
