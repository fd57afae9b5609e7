package io.edgewise.regression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.conformance.ProviderTest;
import io.edgewise.testing.OpenDescriptors;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import org.junit.jupiter.api.Timeout;

/**
 * Every call on a stream channel gives back the descriptor it used, on the JDK's provider and on
 * Edgewise (found by mutation testing, scripts/mutation.sh channels): a call that kept it would make
 * the deferred close wait for ever, so the socket outlives close. The work runs a non-blocking connect
 * finished by finishConnect, blocking and non-blocking reads and writes (single and scattering /
 * gathering), both shutdowns, and close.
 */
@Timeout(60)
class StreamCallsLeaveNoDescriptorTest {

    @ProviderTest
    void readsWritesShutdownsAndFinishConnectGiveTheDescriptorBack(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p)) {
            OpenDescriptors.assertNoLeak("stream calls", () -> {
                for (int round = 0; round < 3; round++) {
                    try (SocketChannel c = p.openSocketChannel(); Selector sel = p.openSelector()) {
                        c.configureBlocking(false);
                        if (!c.connect(ssc.getLocalAddress())) {
                            SelectionKey k = c.register(sel, SelectionKey.OP_CONNECT);
                            assertTrue(Pair.awaitSelected(sel, k, SelectionKey.OP_CONNECT));
                            k.cancel();
                            sel.selectNow();
                        }
                        assertTrue(c.finishConnect());
                        try (SocketChannel s = ssc.accept()) {
                            assertEquals(0, c.read(ByteBuffer.allocate(4)), "non-blocking, nothing there");
                            assertEquals(3, c.write(ByteBuffer.wrap(new byte[] {1, 2, 3})));
                            assertEquals(3, s.read(ByteBuffer.allocate(3)));
                            assertEquals(2, s.write(new ByteBuffer[] {ByteBuffer.allocate(1), ByteBuffer.allocate(1)}));
                            c.configureBlocking(true);
                            assertEquals(2, c.read(new ByteBuffer[] {ByteBuffer.allocate(1), ByteBuffer.allocate(1)}));
                            c.shutdownOutput();
                            assertEquals(-1, s.read(ByteBuffer.allocate(1)));
                            c.shutdownInput();
                            assertEquals(-1, c.read(ByteBuffer.allocate(1)));
                        }
                    }
                }
            });
        }
    }
}
