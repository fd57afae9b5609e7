package io.edgewise.modes;

import static java.nio.channels.SelectionKey.OP_READ;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.EdgeReader;
import io.edgewise.EdgewiseSelectionKey;
import io.edgewise.EdgewiseSelector;
import io.edgewise.Trigger;
import java.nio.channels.SelectionKey;
import org.junit.jupiter.api.Test;

/** The edge reader's budget stops a turn early and its backlog finishes the job without a new edge. */
class EdgeReaderTest {
    @Test
    void budgetSpentKeyIsServedFromBacklogWithoutNewEdge() throws Exception {
        try (Loopback lb = new Loopback(); EdgewiseSelector sel = Loopback.selector()) {
            lb.accepted.configureBlocking(false);
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) lb.accepted.register(sel, OP_READ);
            k.trigger(Trigger.EDGE);
            int total = 200_000;
            Loopback.send(lb.client, total);
            long[] got = {0};
            EdgeReader reader = new EdgeReader(16 * 1024, (key, data) -> {
                assertSame(k, key);
                got[0] += data.remaining();
            });
            long end = System.currentTimeMillis() + 5000;
            while (!sel.selectedKeys().contains(k) && System.currentTimeMillis() < end) sel.select(100);
            assertTrue(sel.selectedKeys().remove(k));
            assertEquals(EdgeReader.Result.BUDGET_SPENT, reader.read(k));
            assertEquals(16 * 1024, got[0], "one turn reads exactly the budget");
            assertTrue(reader.hasBacklog());
            // the edge is spent: the selector alone would never report this key again
            assertEquals(0, sel.selectNow());
            while (reader.hasBacklog() && got[0] < total) {
                reader.serveBacklog();
            }
            assertEquals(total, got[0]);
            reader.serveBacklog(); // final turn sees read() == 0
            assertFalse(reader.hasBacklog());
        }
    }

    @Test
    void endOfStreamIsReported() throws Exception {
        try (Loopback lb = new Loopback()) {
            lb.accepted.configureBlocking(false);
            try (EdgewiseSelector sel = Loopback.selector()) {
                SelectionKey k = lb.accepted.register(sel, OP_READ);
                Loopback.send(lb.client, 10);
                lb.client.shutdownOutput();
                EdgeReader reader = new EdgeReader(1 << 20, (key, data) -> { });
                long end = System.currentTimeMillis() + 5000;
                EdgeReader.Result r = EdgeReader.Result.DRAINED;
                while (r == EdgeReader.Result.DRAINED && System.currentTimeMillis() < end) {
                    sel.select(100);
                    r = reader.read(k);
                }
                assertEquals(EdgeReader.Result.END_OF_STREAM, r);
                assertThrows(IllegalArgumentException.class, () -> new EdgeReader(0, (key, d) -> { }));
            }
        }
    }
}
