package io.edgewise.regression;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.conformance.ProviderTest;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import org.junit.jupiter.api.Timeout;

/**
 * The ready-set rule of a selection: a key already in the selected-key set gets the new ready ops OR-ed
 * into its ready set, and counts only when that added a bit; a key not in the set gets its ready set
 * replaced. Deterministic: the first readiness (OP_READ) is gone before the second (OP_WRITE) is asked
 * for, so only the OR keeps it. JDK's provider and Edgewise.
 */
@Timeout(60)
class ReadySetOrRuleTest {

    /** A key selected with OP_READ only, whose data has been read since (not readable any more). */
    private static SelectionKey selectedForReadThenDrained(Selector sel, Pair pair) throws Exception {
        pair.client.configureBlocking(false);
        SelectionKey k = pair.client.register(sel, OP_READ);
        Pair.send(pair.peer, 4, (byte) 1);
        assertTrue(Pair.awaitSelected(sel, k, OP_READ));
        assertEquals(OP_READ, k.readyOps());
        assertEquals(4, pair.client.read(ByteBuffer.allocate(16)));
        assertEquals(0, pair.client.read(ByteBuffer.allocate(16)), "drained");
        return k;
    }

    @ProviderTest
    void readyOpsAreOredIntoAKeyStillSelected(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Selector sel = p.openSelector(); Pair pair = Pair.open(p, ssc)) {
            SelectionKey k = selectedForReadThenDrained(sel, pair);
            k.interestOps(OP_WRITE); // the key stays in the selected set
            assertEquals(1, sel.selectNow(), "OP_WRITE is a new bit: counted");
            assertEquals(OP_READ | OP_WRITE, k.readyOps(), "OP_READ kept, OP_WRITE added");
            assertEquals(0, sel.selectNow(), "still writable, nothing new: not counted");
            assertEquals(OP_READ | OP_WRITE, k.readyOps(), "unchanged");
            assertEquals(1, sel.selectedKeys().size());
        }
    }

    @ProviderTest
    void readyOpsOfAKeyNotSelectedAreReplaced(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Selector sel = p.openSelector(); Pair pair = Pair.open(p, ssc)) {
            SelectionKey k = selectedForReadThenDrained(sel, pair);
            sel.selectedKeys().remove(k);
            k.interestOps(OP_WRITE);
            assertEquals(1, sel.selectNow());
            assertEquals(OP_WRITE, k.readyOps(), "replaced: OP_READ is gone");
            // and once more through the OR path: OP_READ comes back only with new data
            k.interestOps(OP_READ | OP_WRITE);
            assertEquals(0, sel.selectNow(), "nothing new");
            Pair.send(pair.peer, 1, (byte) 2);
            assertTrue(Pair.awaitSelected(sel, k, OP_READ | OP_WRITE));
            assertEquals(OP_READ | OP_WRITE, k.readyOps());
        }
    }

    @ProviderTest
    void aKeyInTheSetCountsOnlyForNewBits(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Selector sel = p.openSelector(); Pair pair = Pair.open(p, ssc)) {
            pair.client.configureBlocking(false);
            SelectionKey k = pair.client.register(sel, OP_WRITE);
            assertEquals(1, sel.selectNow());
            assertEquals(0, sel.selectNow(), "writable again, already selected with OP_WRITE");
            k.interestOps(OP_READ | OP_WRITE);
            Pair.send(pair.peer, 1, (byte) 1);
            long deadline = System.nanoTime() + 10_000_000_000L;
            int n = 0;
            while (n == 0 && System.nanoTime() < deadline) {
                n = sel.select(100);
            }
            assertEquals(1, n, "OP_READ is new: the key counts once");
            assertEquals(OP_READ | OP_WRITE, k.readyOps());
            assertEquals(0, sel.selectNow(), "both still ready, nothing new");
        }
    }
}
