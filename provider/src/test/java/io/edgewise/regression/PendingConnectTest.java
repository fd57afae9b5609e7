package io.edgewise.regression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.conformance.ProviderTest;
import io.edgewise.testing.Blocking;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * A connect that stays pending, on the JDK's provider and on Edgewise (found by mutation testing,
 * scripts/mutation.sh channels: every finishConnect in the suite found the connect already done): a
 * listener whose accept queue is full drops the next SYN, so that client's connect waits for the SYN's
 * retransmission (1 s later on Linux). A blocking finishConnect then waits, completes once the
 * listener accepted one connection, and an interrupt while it waits closes the channel. Once
 * connected, a key that still asks only for OP_CONNECT is not selected although the socket is
 * writable.
 */
@Timeout(60)
class PendingConnectTest {

    /** A listener (backlog 1) whose accept queue is full: two connections made, none accepted. */
    private static final class FullListener implements AutoCloseable {
        final ServerSocketChannel ssc;
        final List<SocketChannel> queued = new ArrayList<>();

        FullListener(SelectorProvider p) throws Exception {
            ssc = p.openServerSocketChannel();
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
            for (int i = 0; i < 2; i++) {
                SocketChannel c = p.openSocketChannel();
                queued.add(c);
                assertTrue(c.connect(ssc.getLocalAddress()));
            }
        }

        /** A non-blocking connect that the full queue leaves pending. */
        SocketChannel pending(SelectorProvider p) throws Exception {
            SocketChannel c = p.openSocketChannel();
            c.configureBlocking(false);
            assertFalse(c.connect(ssc.getLocalAddress()), "the full queue dropped the SYN");
            assertFalse(c.finishConnect(), "still pending");
            return c;
        }

        @Override
        public void close() throws Exception {
            for (SocketChannel c : queued) c.close();
            ssc.close();
        }
    }

    @ProviderTest
    void aBlockingFinishConnectWaitsUntilTheConnectionIsMade(SelectorProvider p) throws Exception {
        try (FullListener l = new FullListener(p); SocketChannel c = l.pending(p)) {
            c.configureBlocking(true);
            CompletableFuture<Boolean> done = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    done.complete(c.finishConnect());
                } catch (Throwable e) {
                    done.completeExceptionally(e);
                }
            });
            t.start();
            Blocking.assertBlocks(t);
            assertTrue(c.isConnectionPending());
            l.ssc.accept().close(); // room in the queue: the retransmitted SYN gets through
            assertTrue(done.get(20, TimeUnit.SECONDS));
            assertTrue(c.isConnected());
            assertTrue(c.finishConnect());
            t.join();
        }
    }

    @ProviderTest
    void anInterruptClosesAChannelWaitingInABlockingFinishConnect(SelectorProvider p) throws Exception {
        try (FullListener l = new FullListener(p); SocketChannel c = l.pending(p)) {
            c.configureBlocking(true);
            CompletableFuture<Object> done = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    done.complete(c.finishConnect());
                } catch (Throwable e) {
                    done.complete(e.getClass().getSimpleName() + (Thread.currentThread().isInterrupted() ? " interrupted" : ""));
                }
            });
            t.start();
            Blocking.assertBlocks(t);
            t.interrupt();
            assertEquals(ClosedByInterruptException.class.getSimpleName() + " interrupted", done.get(20, TimeUnit.SECONDS));
            assertFalse(c.isOpen());
            t.join();
        }
    }

    @ProviderTest
    void aConnectedKeyThatAsksOnlyForConnectIsNotSelected(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); SocketChannel c = p.openSocketChannel(); Selector sel = p.openSelector()) {
            c.configureBlocking(false);
            c.connect(ssc.getLocalAddress());
            SelectionKey k = c.register(sel, SelectionKey.OP_CONNECT);
            assertTrue(Pair.awaitSelected(sel, k, SelectionKey.OP_CONNECT));
            assertTrue(c.finishConnect());
            sel.selectedKeys().clear();
            // writable now, but the key asks for OP_CONNECT only: nothing to report
            assertEquals(0, sel.selectNow());
            assertEquals(0, sel.select(50));
            assertTrue(sel.selectedKeys().isEmpty());
        }
    }

    @ProviderTest
    void aKeyAskingForWriteWhileTheConnectIsPendingHasNothingReady(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); SocketChannel c = p.openSocketChannel(); Selector sel = p.openSelector()) {
            c.configureBlocking(false);
            if (c.connect(ssc.getLocalAddress())) return; // connected at once: nothing pending to look at
            // the kernel has connected (loopback), the channel is pending until finishConnect: the socket
            // is writable, but neither OP_WRITE (not connected) nor OP_CONNECT (not asked for) is ready
            SelectionKey k = c.register(sel, SelectionKey.OP_WRITE);
            for (int i = 0; i < 3; i++) {
                assertEquals(0, sel.select(20));
                assertEquals(0, k.readyOps());
            }
            assertTrue(c.isConnectionPending());
        }
    }
}
