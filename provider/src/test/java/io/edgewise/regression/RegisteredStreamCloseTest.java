package io.edgewise.regression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edgewise.conformance.ProviderTest;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import org.junit.jupiter.api.Timeout;

/**
 * Closing a connected, non-blocking stream channel that a selector still holds, on the JDK's provider
 * and on Edgewise (found by mutation testing, scripts/mutation.sh channels): the descriptor stays open
 * until the selector lets it go, but the peer sees the end of the stream at once — unless SO_LINGER is
 * 0, which asks for a reset, sent only by the real close at deregistration (no end of stream first).
 */
@Timeout(60)
class RegisteredStreamCloseTest {

    /** Reads on the blocking {@code peer} until it ends: -1, or the exception's message. */
    private static String ending(java.nio.channels.SocketChannel peer) throws Exception {
        try {
            return String.valueOf(peer.read(ByteBuffer.allocate(16)));
        } catch (SocketException e) {
            return e.getMessage();
        }
    }

    @ProviderTest
    void thePeerSeesTheEndOfStreamBeforeTheSelectorLetsTheDescriptorGo(SelectorProvider p) throws Exception {
        for (int linger : new int[] {-1, 5}) {
            try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc); Selector sel = p.openSelector()) {
                c.client.setOption(StandardSocketOptions.SO_LINGER, linger);
                c.client.configureBlocking(false);
                c.client.register(sel, SelectionKey.OP_READ);
                assertEquals(0, sel.selectNow()); // the descriptor is in the poller now
                c.client.close();
                // no selection since the close: the selector still holds the descriptor
                assertEquals("-1", ending(c.peer), "SO_LINGER " + linger);
            }
        }
    }

    @ProviderTest
    void withLingerZeroThePeerSeesOnlyTheResetAtDeregistration(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc); Selector sel = p.openSelector()) {
            c.client.setOption(StandardSocketOptions.SO_LINGER, 0);
            c.client.configureBlocking(false);
            c.client.register(sel, SelectionKey.OP_READ);
            assertEquals(0, sel.selectNow());
            c.client.close();
            c.peer.configureBlocking(false);
            assertEquals(0, c.peer.read(ByteBuffer.allocate(16)), "no end of stream while the selector holds it");
            sel.selectNow(); // deregistration: the real close, with its reset
            c.peer.configureBlocking(true);
            assertEquals("Connection reset", ending(c.peer));
            assertThrows(SocketException.class, () -> c.peer.read(ByteBuffer.allocate(1)));
        }
    }
}
