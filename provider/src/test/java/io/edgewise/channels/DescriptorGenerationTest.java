package io.edgewise.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.EdgewiseSocketOptions;
import io.edgewise.backend.Backends;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code ASYNC_RESOLVE} descriptor hand-off seen by a selector that did not run while the connect
 * was in progress: it registered the unconnected socket for OP_CONNECT before, and its first selection
 * after the winner was moved onto the number ({@code dup3}) finds the same interest. The kernel dropped
 * the registration with the replaced file, so only the changed descriptor generation makes the selector
 * register the number afresh; without it, OP_CONNECT never fires.
 */
@Timeout(60)
class DescriptorGenerationTest {
    @Test
    void aSelectionAfterTheHandOffRegistersTheNewFileAfresh() throws Exception {
        Assumptions.assumeTrue(Backends.hasReadyPoller(), "no ASYNC_RESOLVE on backend " + Backends.name());
        EdgewiseSelectorProvider provider = new EdgewiseSelectorProvider();
        try (ServerSocketChannel server = ServerSocketChannel.open();
             Selector sel = provider.openSelector();
             SocketChannel c = provider.openSocketChannel()) {
            server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            c.setOption(EdgewiseSocketOptions.ASYNC_RESOLVE, true);
            c.configureBlocking(false);
            SelectionKey k = c.register(sel, SelectionKey.OP_CONNECT);
            sel.selectNow(); // registers the unconnected socket (its hang-up may select the key, as the JDK's)
            sel.selectedKeys().clear();
            SocketChannelImpl impl = (SocketChannelImpl) c;
            int before = impl.fdGeneration();
            int fdVal = impl.fdVal();

            // a literal continues inline; the attempt runs on the ready poller's thread
            assertTrue(!c.connect(InetSocketAddress.createUnresolved("127.0.0.1", port)) || c.isConnected());
            java.lang.reflect.Field f = SocketChannelImpl.class.getDeclaredField("asyncConnect");
            f.setAccessible(true);
            AsyncConnect ac = (AsyncConnect) f.get(impl);
            ac.completion.get(20, TimeUnit.SECONDS); // the hand-off is over; the selector has not run since
            assertEquals(null, ac.failure);
            assertEquals(fdVal, impl.fdVal(), "the number never changes");
            assertNotEquals(before, impl.fdGeneration(), "the hand-off bumped the generation");

            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            int n = 0;
            while (n == 0 && System.nanoTime() < deadline) {
                n = sel.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            }
            assertEquals(1, n, "OP_CONNECT from the socket moved onto the registered number");
            assertTrue(k.isConnectable());
            assertTrue(c.finishConnect());
            try (SocketChannel peer = server.accept()) {
                sel.selectedKeys().clear();
                k.interestOps(SelectionKey.OP_READ);
                peer.write(ByteBuffer.wrap(new byte[] {7}));
                assertEquals(1, sel.select(5000));
                assertTrue(k.isReadable());
            }
        }
    }
}
