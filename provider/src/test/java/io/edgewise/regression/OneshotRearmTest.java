package io.edgewise.regression;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.EdgewiseSelectionKey;
import io.edgewise.EdgewiseSelector;
import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.Trigger;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A oneshot key that the application re-arms while it is still in the selected-key set, and that fires
 * again there: that firing adds no new ready bit (not counted) but used up the kernel's one shot, so the
 * selector must arm it again, and the data that is still unread, or arrives later, must be reported once
 * the application removes the key. Edgewise only (oneshot is an Edgewise extension); level and edge.
 */
@Timeout(60)
class OneshotRearmTest {
    private static final EdgewiseSelectorProvider PROVIDER = new EdgewiseSelectorProvider();

    private static int drain(Pair pair) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(1024);
        int total = 0, n;
        while ((n = pair.client.read(b.clear())) > 0) total += n;
        return total;
    }

    @ParameterizedTest
    @EnumSource(Trigger.class)
    void firedAgainWhileSelectedIsArmedAgain(Trigger trigger) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(PROVIDER); EdgewiseSelector sel = (EdgewiseSelector) PROVIDER.openSelector();
             Pair pair = Pair.open(PROVIDER, ssc)) {
            pair.client.configureBlocking(false);
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) pair.client.register(sel, OP_READ);
            k.oneshot(true).trigger(trigger);
            Pair.send(pair.peer, 10, (byte) 1);
            assertTrue(Pair.awaitSelected(sel, k, OP_READ), "first data selected");
            assertEquals(0, k.interestOps(), "oneshot: interest cleared when selected");

            // re-armed without removing the key from the selected set; new data makes it fire again there
            k.interestOps(OP_READ);
            Pair.send(pair.peer, 10, (byte) 2);
            List<Integer> counts = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                counts.add(sel.select(50)); // fires in the set: no new ready bit, nothing counted
            }
            assertTrue(counts.stream().allMatch(c -> c == 0), "a key already selected with OP_READ: " + counts);
            assertTrue(sel.selectedKeys().contains(k));
            assertEquals(OP_READ, k.interestOps(), "a firing that selected nothing leaves the interest armed");

            // the application handles the key now: reads everything, removes it, more data arrives
            assertEquals(20, drain(pair));
            sel.selectedKeys().remove(k);
            Pair.send(pair.peer, 5, (byte) 3);
            assertTrue(Pair.awaitSelected(sel, k, OP_READ), "new data after the key fired in the set is reported");
            assertEquals(0, k.interestOps());
            assertEquals(5, drain(pair));
        }
    }

    @ParameterizedTest
    @EnumSource(Trigger.class)
    void unreadDataIsReportedAgainAfterFiringWhileSelected(Trigger trigger) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(PROVIDER); EdgewiseSelector sel = (EdgewiseSelector) PROVIDER.openSelector();
             Pair pair = Pair.open(PROVIDER, ssc)) {
            pair.client.configureBlocking(false);
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) pair.client.register(sel, OP_READ);
            k.oneshot(true).trigger(trigger);
            Pair.send(pair.peer, 10, (byte) 1);
            assertTrue(Pair.awaitSelected(sel, k, OP_READ));
            k.interestOps(OP_READ);
            Pair.send(pair.peer, 10, (byte) 2); // a new arrival: fires even in edge mode
            assertEquals(0, sel.select(1_000) + sel.selectNow(), "fired while selected: nothing new");
            sel.selectedKeys().remove(k);
            if (trigger == Trigger.EDGE) {
                Pair.send(pair.peer, 1, (byte) 3); // edge: only a new arrival is reported
            }
            assertTrue(Pair.awaitSelected(sel, k, OP_READ), "unread data reported once the key left the set");
        }
    }

    @ParameterizedTest
    @EnumSource(Trigger.class)
    void newReadyBitWhileSelectedDisarmsAndRearmsLikeASelection(Trigger trigger) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(PROVIDER); EdgewiseSelector sel = (EdgewiseSelector) PROVIDER.openSelector();
             Pair pair = Pair.open(PROVIDER, ssc)) {
            pair.client.configureBlocking(false);
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) pair.client.register(sel, OP_WRITE);
            k.oneshot(true).trigger(trigger);
            assertTrue(Pair.awaitSelected(sel, k, OP_WRITE), "writable");
            assertEquals(0, k.interestOps());
            k.interestOps(OP_READ | OP_WRITE); // still in the set
            Pair.send(pair.peer, 10, (byte) 1);
            assertTrue(Pair.awaitSelected(sel, k, OP_READ | OP_WRITE), "OP_READ added to the ready set");
            assertEquals(0, k.interestOps(), "a counted firing clears the interest, as a selection does");
            assertEquals(10, drain(pair));
            sel.selectedKeys().remove(k);
            assertEquals(0, sel.selectNow(), "disarmed: nothing reported");
            k.interestOps(OP_READ);
            Pair.send(pair.peer, 3, (byte) 2);
            assertTrue(Pair.awaitSelected(sel, k, OP_READ), "re-armed by interestOps");
            assertEquals(OP_READ, k.readyOps());
        }
    }
}
