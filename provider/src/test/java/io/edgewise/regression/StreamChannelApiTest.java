package io.edgewise.regression;

import static java.nio.channels.SelectionKey.OP_CONNECT;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.conformance.ProviderTest;
import io.edgewise.testing.Blocking;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;

/**
 * Stream-socket behaviours of the JDK's contract that the channel suites did not pin down (found by
 * mutation testing, scripts/mutation.sh channels), run on the JDK's provider and Edgewise: read-only
 * destinations, the IOV_MAX bound of a gathering write, a blocking write that returns only when all is
 * written, shutdown's return value and order, calls after close from another thread (no lock left
 * held), ready sets that never hold an op outside the interest set, and a registered channel's close
 * seen by the peer before any selection.
 */
@Timeout(60)
class StreamChannelApiTest {
    /** Linux's IOV_MAX, the JDK's bound of one gathering write. */
    private static final int IOV_MAX = 1024;

    @ProviderTest
    void readIntoAReadOnlyBufferIsRejected(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc)) {
            c.client.configureBlocking(false);
            for (ByteBuffer ro : new ByteBuffer[] {ByteBuffer.allocate(8).asReadOnlyBuffer(),
                    ByteBuffer.allocateDirect(8).asReadOnlyBuffer()}) {
                assertThrows(IllegalArgumentException.class, () -> c.client.read(ro), "no data yet: checked first");
                assertThrows(IllegalArgumentException.class,
                        () -> c.client.read(new ByteBuffer[] {ByteBuffer.allocate(4), ro}));
                assertEquals(0, ro.position());
            }
            Pair.send(c.peer, 4, (byte) 1);
            ByteBuffer ro = ByteBuffer.allocateDirect(8).asReadOnlyBuffer();
            assertThrows(IllegalArgumentException.class, () -> c.client.read(ro), "with data: still rejected");
            assertEquals(0, ro.position());
        }
    }

    @ProviderTest
    void aGatheringWriteTakesAtMostIovMaxNonEmptyBuffers(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc)) {
            for (boolean direct : new boolean[] {true, false}) {
                // IOV_MAX + 100 one-byte buffers, with an empty one after each: the empty ones do not count
                ByteBuffer[] bufs = new ByteBuffer[2 * (IOV_MAX + 100)];
                for (int i = 0; i < bufs.length; i++) {
                    int cap = i % 2 == 0 ? 1 : 0;
                    bufs[i] = direct ? ByteBuffer.allocateDirect(cap) : ByteBuffer.allocate(cap);
                    if (cap == 1) bufs[i].put(0, (byte) i);
                }
                assertEquals(IOV_MAX, c.client.write(bufs), "direct " + direct);
                int consumed = 0;
                for (ByteBuffer b : bufs) consumed += b.position();
                assertEquals(IOV_MAX, consumed, "positions moved by what was written");
                ByteBuffer got = ByteBuffer.allocate(IOV_MAX);
                while (got.hasRemaining()) c.peer.read(got);
                assertEquals((byte) 0, got.get(0));
                assertEquals((byte) 2, got.get(1), "the empty buffers were skipped");
            }
        }
    }

    @ProviderTest
    void aBlockingWriteReturnsOnlyWhenEverythingIsWritten(SelectorProvider p) throws Exception {
        int size = 8 << 20; // far more than the socket buffers hold
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc)) {
            CompletableFuture<Long> reader = CompletableFuture.supplyAsync(() -> {
                ByteBuffer b = ByteBuffer.allocate(64 << 10);
                long total = 0;
                try {
                    while (total < 2L * size) {
                        b.clear();
                        int n = c.peer.read(b);
                        if (n < 0) break;
                        total += n;
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
                return total;
            });
            assertEquals(size, c.client.write(ByteBuffer.allocate(size)), "one buffer");
            ByteBuffer[] two = {ByteBuffer.allocateDirect(size / 2), ByteBuffer.allocate(size / 2)};
            assertEquals(size, c.client.write(two), "gathered");
            assertFalse(two[0].hasRemaining() || two[1].hasRemaining());
            assertEquals(2L * size, reader.get(30, TimeUnit.SECONDS));
        }
    }

    @ProviderTest
    void shutdownReturnsTheChannelAndEachSideIsIndependent(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc)) {
            assertSame(c.client, c.client.shutdownOutput());
            assertSame(c.client, c.client.shutdownOutput(), "again: no effect");
            assertEquals(-1, c.peer.read(ByteBuffer.allocate(4)), "the peer sees the end of stream");
            Pair.send(c.peer, 3, (byte) 5);
            assertSame(c.client, c.client.shutdownInput(), "input after output: still shut down");
            assertEquals(-1, c.client.read(ByteBuffer.allocate(4)), "input shut down: end of stream");
            c.client.close();
            assertThrows(ClosedChannelException.class, c.client::shutdownInput);
            assertThrows(ClosedChannelException.class, c.client::shutdownOutput);
            assertThrows(ClosedChannelException.class, c.client::getLocalAddress);
            assertThrows(ClosedChannelException.class, c.client::getRemoteAddress);
        }
    }

    @ProviderTest
    void afterACloseOtherThreadsAreNotBlockedByItsLocks(SelectorProvider p) throws Exception {
        for (boolean registered : new boolean[] {false, true}) {
            try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc);
                    Selector sel = p.openSelector()) {
                c.client.configureBlocking(false);
                if (registered) c.client.register(sel, OP_READ);
                c.client.read(ByteBuffer.allocate(4));
                c.client.write(ByteBuffer.allocate(4));
                c.client.close();
                if (registered) sel.selectNow(); // deregisters: the selecting thread releases the descriptor
                AtomicInteger closedSeen = new AtomicInteger();
                Thread t = new Thread(() -> {
                    try {
                        c.client.read(ByteBuffer.allocate(4));
                    } catch (ClosedChannelException e) {
                        closedSeen.incrementAndGet();
                    } catch (IOException e) {
                        // counted as not seen
                    }
                    try {
                        c.client.write(ByteBuffer.allocate(4));
                    } catch (ClosedChannelException e) {
                        closedSeen.incrementAndGet();
                    } catch (IOException e) {
                        // counted as not seen
                    }
                }, "after-close");
                t.start();
                t.join(10_000);
                assertFalse(t.isAlive(), "read/write after close blocked (registered " + registered + ")");
                assertEquals(2, closedSeen.get());
            }
        }
    }

    @ProviderTest
    void aClosedBlockingChannelThrowsClosedChannelException(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc)) {
            c.client.close();
            assertThrows(ClosedChannelException.class, () -> c.client.read(ByteBuffer.allocate(4)));
            assertThrows(ClosedChannelException.class, () -> c.client.write(ByteBuffer.allocate(4)));
        }
    }

    @ProviderTest
    void readyOpsStayWithinTheInterestSet(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc);
                Selector sel = p.openSelector()) {
            c.client.configureBlocking(false);
            SelectionKey k = c.client.register(sel, OP_READ | OP_WRITE);
            assertEquals(1, sel.selectNow());
            assertEquals(OP_WRITE, k.readyOps(), "writable, nothing to read");
            sel.selectedKeys().clear();

            k.interestOps(OP_CONNECT);
            assertEquals(0, sel.selectNow(), "connected: OP_CONNECT is never ready, though it watches output");
            sel.selectedKeys().clear();

            // fill the send buffer: then only input can make the key ready
            k.interestOps(0);
            sel.selectNow();
            ByteBuffer chunk = ByteBuffer.allocateDirect(64 << 10);
            while (c.client.write(chunk.clear()) > 0) { }
            k.interestOps(OP_READ | OP_WRITE);
            Pair.send(c.peer, 1, (byte) 9);
            assertTrue(Pair.awaitSelected(sel, k, OP_READ));
            assertEquals(OP_READ, k.readyOps(), "not writable: OP_READ alone");
        }
    }

    @ProviderTest
    void aSelectWatchingOnlyInputBlocksUntilInputComes(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc);
                Selector sel = p.openSelector()) {
            c.client.configureBlocking(false);
            SelectionKey k = c.client.register(sel, OP_READ);
            AtomicInteger n = new AtomicInteger(-1);
            Thread t = new Thread(() -> {
                try {
                    n.set(sel.select());
                } catch (IOException e) {
                    n.set(-2);
                }
            }, "select-input");
            t.start();
            Blocking.assertBlocks(t); // a writable socket must not end it
            Pair.send(c.peer, 1, (byte) 1);
            t.join(10_000);
            assertFalse(t.isAlive());
            assertEquals(1, n.get());
            assertEquals(OP_READ, k.readyOps());
        }
    }

    @ProviderTest
    void thePeerSeesTheCloseOfARegisteredChannelBeforeAnySelection(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc);
                Selector sel = p.openSelector()) {
            c.client.configureBlocking(false);
            c.client.register(sel, OP_READ);
            sel.selectNow();
            c.client.close(); // deregistration waits for the next selection; the peer must not wait
            assertEquals(-1, c.peer.read(ByteBuffer.allocate(4)), "end of stream at once");
        }
    }
}
