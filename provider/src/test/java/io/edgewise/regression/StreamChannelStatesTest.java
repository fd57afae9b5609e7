package io.edgewise.regression;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.conformance.ProviderTest;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Stream-channel behaviours the suite did not pin down, each run on the JDK's provider and on Edgewise
 * (found by mutation testing, scripts/mutation.sh channels): the exact exception of a read on a closed
 * blocking channel (not its subclass {@code AsynchronousCloseException}), read after shutdownInput, a
 * blocking write of nothing, a reset connection (selected for reading, and each later read throws again),
 * ready sets that follow the poll's events (writable only with buffer space, readable only with data),
 * a key with an empty interest set not waking a selection, and a failed read leaving no lock held.
 */
@Timeout(60)
class StreamChannelStatesTest {

    @ProviderTest
    void aReadOrWriteOnAClosedBlockingChannelThrowsExactlyClosedChannelException(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc)) {
            c.client.close();
            assertEquals(ClosedChannelException.class,
                    assertThrows(ClosedChannelException.class, () -> c.client.read(ByteBuffer.allocate(4))).getClass());
            assertEquals(ClosedChannelException.class, assertThrows(ClosedChannelException.class,
                    () -> c.client.read(new ByteBuffer[] {ByteBuffer.allocate(4)})).getClass());
            assertEquals(ClosedChannelException.class,
                    assertThrows(ClosedChannelException.class, () -> c.client.write(ByteBuffer.allocate(4))).getClass());
        }
    }

    @ProviderTest
    void readAfterShutdownInputIsEndOfStreamInBothModes(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc)) {
            c.client.shutdownInput();
            assertEquals(-1, c.client.read(ByteBuffer.allocate(4)));
            assertEquals(-1, c.client.read(new ByteBuffer[] {ByteBuffer.allocate(4)}));
            c.client.configureBlocking(false);
            assertEquals(-1, c.client.read(ByteBuffer.allocate(4)));
        }
    }

    @ProviderTest
    void aBlockingWriteOfNothingReturnsZero(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc)) {
            assertEquals(0, c.client.write(ByteBuffer.allocate(0)));
            assertEquals(0, c.client.write(new ByteBuffer[] {ByteBuffer.allocate(0), ByteBuffer.allocateDirect(0)}));
            assertEquals(0, c.client.read(ByteBuffer.allocate(0)));
        }
    }

    @ProviderTest
    void aResetConnectionIsSelectedForReadingAndEveryReadThrows(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc); Selector sel = p.openSelector()) {
            c.client.configureBlocking(false);
            SelectionKey k = c.client.register(sel, OP_READ);
            c.peer.setOption(StandardSocketOptions.SO_LINGER, 0);
            c.peer.close(); // a reset, not an orderly close
            assertTrue(Pair.awaitSelected(sel, k, OP_READ), "a reset connection is selected for reading");
            assertEquals(OP_READ, k.readyOps());
            SocketException first = assertThrows(SocketException.class, () -> c.client.read(ByteBuffer.allocate(4)));
            assertEquals("Connection reset", first.getMessage());
            SocketException again = assertThrows(SocketException.class, () -> c.client.read(ByteBuffer.allocate(4)));
            assertEquals("Connection reset", again.getMessage());
        }
    }

    @ProviderTest
    void readyOpsFollowThePollEvents(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc); Selector sel = p.openSelector()) {
            c.client.configureBlocking(false);
            SelectionKey k = c.client.register(sel, OP_READ | OP_WRITE);
            // nothing to read, space to write: writable only
            assertEquals(1, sel.select(10_000));
            assertEquals(OP_WRITE, k.readyOps());
            sel.selectedKeys().clear();
            // fill the send buffer (the peer reads nothing), then the peer writes: readable only
            ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                chunk.clear();
                if (c.client.write(chunk) == 0) break;
            }
            assertEquals(0, c.client.write(ByteBuffer.allocate(1)), "the send buffer is full");
            sel.selectNow();
            sel.selectedKeys().clear();
            Pair.send(c.peer, 1, (byte) 7);
            assertTrue(Pair.awaitSelected(sel, k, OP_READ));
            assertEquals(OP_READ, k.readyOps(), "readable, not writable: the send buffer is still full");
        }
    }

    @ProviderTest
    void anEmptyInterestSetDoesNotWakeASelectionWhileDataWaits(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc); Selector sel = p.openSelector()) {
            c.client.configureBlocking(false);
            SelectionKey k = c.client.register(sel, 0);
            Pair.send(c.peer, 1, (byte) 1);
            // a selection that watches for input sees it: the byte has arrived
            k.interestOps(OP_READ);
            assertTrue(Pair.awaitSelected(sel, k, OP_READ));
            sel.selectedKeys().clear();
            k.interestOps(0);
            long t0 = System.nanoTime();
            assertEquals(0, sel.select(150));
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(150),
                    "select(150) returned early: the key with no interest was watched for input");
        }
    }

    @ProviderTest
    void aReadThatFailedLeavesNoLockHeld(SelectorProvider p) throws Exception {
        try (SocketChannel c = p.openSocketChannel()) {
            assertThrows(NotYetConnectedException.class, () -> c.read(ByteBuffer.allocate(1)));
            assertThrows(NotYetConnectedException.class, () -> c.write(ByteBuffer.allocate(1)));
            // another thread's calls must not wait for a lock the failed calls kept
            CompletableFuture<Object> other = CompletableFuture.supplyAsync(() -> {
                try {
                    c.read(ByteBuffer.allocate(1));
                    return "read returned";
                } catch (Exception e) {
                    try {
                        c.write(ByteBuffer.allocate(1));
                        return "write returned";
                    } catch (Exception w) {
                        return e.getClass().getSimpleName() + "," + w.getClass().getSimpleName();
                    }
                }
            });
            assertEquals("NotYetConnectedException,NotYetConnectedException", other.get(10, TimeUnit.SECONDS));
        }
    }

    @ProviderTest
    void aFailedFinishConnectClosesTheChannel(SelectorProvider p) throws Exception {
        InetSocketAddress refused;
        try (ServerSocketChannel tmp = Pair.listen(p)) {
            refused = (InetSocketAddress) tmp.getLocalAddress();
        }
        try (SocketChannel c = p.openSocketChannel(); Selector sel = p.openSelector()) {
            c.configureBlocking(false);
            if (c.connect(refused)) throw new AssertionError("connected to a closed port");
            SelectionKey k = c.register(sel, SelectionKey.OP_CONNECT);
            assertTrue(Pair.awaitSelected(sel, k, SelectionKey.OP_CONNECT));
            assertThrows(java.net.ConnectException.class, c::finishConnect);
            assertFalse(c.isOpen(), "a failed finishConnect closes the channel");
        }
    }
}
