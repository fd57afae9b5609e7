package io.edgewise.regression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.conformance.ProviderTest;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;

/**
 * Unix-domain stream channels and pipes in the calls the TCP tests do not reach, on the JDK's provider
 * and on Edgewise (found by mutation testing, scripts/mutation.sh channels: these take the stream
 * channel's default hooks, which the TCP channel overrides): finishConnect without a connect, a
 * connected Unix-domain channel selected for reading and writing, and a pipe's non-blocking counts
 * (0 when nothing is there, the bytes moved otherwise).
 */
@Timeout(60)
class UnixStreamAndPipeTest {

    @ProviderTest
    void finishConnectOnAnUnconnectedUnixChannelThrows(SelectorProvider p) throws Exception {
        try (SocketChannel c = p.openSocketChannel(StandardProtocolFamily.UNIX)) {
            assertThrows(NoConnectionPendingException.class, c::finishConnect);
            assertTrue(c.isOpen(), "not a failure of the channel");
            c.configureBlocking(false);
            assertThrows(NoConnectionPendingException.class, c::finishConnect);
        }
    }

    @ProviderTest
    void aConnectedUnixChannelIsSelectedForReadingAndWriting(SelectorProvider p) throws Exception {
        Path dir = Files.createTempDirectory("edgewise-unix");
        UnixDomainSocketAddress addr = UnixDomainSocketAddress.of(dir.resolve("s.sock"));
        try (ServerSocketChannel ssc = p.openServerSocketChannel(StandardProtocolFamily.UNIX);
             Selector sel = p.openSelector()) {
            ssc.bind(addr);
            try (SocketChannel c = p.openSocketChannel(StandardProtocolFamily.UNIX)) {
                assertTrue(c.connect(addr));
                assertTrue(c.finishConnect());
                try (SocketChannel s = ssc.accept()) {
                    c.configureBlocking(false);
                    SelectionKey k = c.register(sel, SelectionKey.OP_WRITE);
                    assertTrue(Pair.awaitSelected(sel, k, SelectionKey.OP_WRITE));
                    sel.selectedKeys().clear();
                    k.interestOps(SelectionKey.OP_READ);
                    s.write(ByteBuffer.wrap(new byte[] {42}));
                    assertTrue(Pair.awaitSelected(sel, k, SelectionKey.OP_READ));
                    assertEquals(SelectionKey.OP_READ, k.readyOps());
                    ByteBuffer b = ByteBuffer.allocate(4);
                    assertEquals(1, c.read(b));
                    assertEquals(0, c.read(b), "nothing more");
                }
            }
        } finally {
            Files.deleteIfExists(addr.getPath());
            Files.deleteIfExists(dir);
        }
    }

    @ProviderTest
    void aNonBlockingPipeReturnsZeroWhenEmptyAndTheCountOtherwise(SelectorProvider p) throws Exception {
        Pipe pipe = p.openPipe();
        try (Pipe.SinkChannel sink = pipe.sink(); Pipe.SourceChannel source = pipe.source()) {
            source.configureBlocking(false);
            ByteBuffer dst = ByteBuffer.allocate(8);
            assertEquals(0, source.read(dst));
            assertEquals(3, sink.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
            int n = 0;
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (n < 3 && System.nanoTime() < deadline) n += source.read(dst);
            assertEquals(3, n);
            assertEquals(0, source.read(dst));
            sink.close();
            assertEquals(-1, source.read(dst));
            assertFalse(sink.isOpen());
        }
    }
}
