package io.edgewise.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.conformance.Allocations;
import io.edgewise.conformance.Providers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Level 2's hot path allocates nothing once compiled: a connection served by a ring selector receives 64 bytes
 * through the ring, its reader takes them in a {@code select(Consumer)} action and writes them back (copied into
 * the send buffer, sent by the next enter), and the peer reads them. Runs in a JVM of its own with
 * {@code -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true} (surefire execution "allocation-uring"), for
 * the reason {@code HotPathAllocationTest} gives, and on JDK < 22 only, as that test is.
 */
@Timeout(120)
class UringHotPathAllocationTest {
    private static final int OPS = 20_000, ROUNDS = 30, SIZE = 64;

    /** The server side's action for a ready key: reads what the ring holds and writes it back. */
    private static final class Echo implements Consumer<SelectionKey> {
        final ByteBuffer buf = ByteBuffer.allocateDirect(SIZE);
        int echoed;

        @Override
        public void accept(SelectionKey k) {
            try {
                SocketChannel ch = (SocketChannel) k.channel();
                buf.clear();
                int n = ch.read(buf);
                if (n <= 0) return;
                buf.flip();
                while (buf.hasRemaining()) ch.write(buf);
                echoed += n;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void aRingServedEchoAllocatesNothing() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() < 22,
                "JDK 22+: whether C2 removes the FFM segments varies from run to run (HotPathAllocationTest)");
        UringCompletionIoTest.assumeLevelTwo();
        SelectorProvider p = Providers.edgewise();
        InetAddress lo = InetAddress.getLoopbackAddress();
        ByteBuffer out = ByteBuffer.allocateDirect(SIZE);
        ByteBuffer back = ByteBuffer.allocateDirect(SIZE);
        Echo echo = new Echo();
        try (ServerSocketChannel ss = p.openServerSocketChannel().bind(new InetSocketAddress(lo, 0));
             SocketChannel client = p.openSocketChannel();
             Selector sel = p.openSelector()) {
            client.connect(ss.getLocalAddress());
            try (SocketChannel served = ss.accept()) {
                served.configureBlocking(false);
                served.register(sel, SelectionKey.OP_READ);
                sel.selectNow(); // the registration's recv is armed by the selector's first enter
                assertTrue(UringCompletionIoTest.served(served), "the ring serves the accepted connection");
                double bytes = Allocations.leastBytesPerOp(OPS, ROUNDS, () -> {
                    out.clear();
                    client.write(out);
                    int target = echo.echoed + SIZE;
                    while (echo.echoed < target) {
                        sel.select(echo, 10_000);
                    }
                    sel.selectNow(); // submits the echo's SEND
                    back.clear();
                    while (back.hasRemaining()) {
                        client.read(back);
                    }
                });
                assertEquals(0.0, bytes, "bytes per 64-byte echo through a ring selector");
                assertTrue(UringCompletionIoTest.served(served), "the ring still serves the connection");
            }
        }
    }
}
