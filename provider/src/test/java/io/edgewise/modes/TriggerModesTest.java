package io.edgewise.modes;

import static java.nio.channels.SelectionKey.*;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.EdgewiseSelectionKey;
import io.edgewise.EdgewiseSelector;
import io.edgewise.Trigger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;

/**
 * Level, edge and oneshot keys: each reported exactly when the modes issue says, for read, write,
 * accept and connect, re-armed as documented, switchable on a live key and mixable in one selector.
 */
class TriggerModesTest {
    private static final long WAIT = 5_000;

    /** Selects until the key is selected (or the wait ends); returns whether it was. */
    private static boolean selected(EdgewiseSelector sel, SelectionKey key) throws Exception {
        long end = System.currentTimeMillis() + WAIT;
        while (System.currentTimeMillis() < end) {
            sel.select(100);
            if (sel.selectedKeys().remove(key)) return true;
        }
        return false;
    }

    /** A selectNow that must not report the key. */
    private static void notSelected(EdgewiseSelector sel, SelectionKey key) throws Exception {
        sel.selectNow();
        assertFalse(sel.selectedKeys().contains(key), "key must not be selected");
    }

    @Test
    void keysAreEdgewiseKeysWithLevelDefault() throws Exception {
        try (Loopback lb = new Loopback(); EdgewiseSelector sel = Loopback.selector()) {
            lb.accepted.configureBlocking(false);
            SelectionKey k = lb.accepted.register(sel, OP_READ);
            EdgewiseSelectionKey ek = assertInstanceOf(EdgewiseSelectionKey.class, k);
            assertEquals(Trigger.LEVEL, ek.trigger());
            assertFalse(ek.oneshot());
            assertEquals(Trigger.LEVEL, sel.defaultTrigger());
            assertFalse(sel.defaultOneshot());
        }
    }

    @Test
    void levelReportsAgainWhileDataRemains() throws Exception {
        try (Loopback lb = new Loopback(); EdgewiseSelector sel = Loopback.selector()) {
            lb.accepted.configureBlocking(false);
            SelectionKey k = lb.accepted.register(sel, OP_READ);
            Loopback.send(lb.client, 10);
            assertTrue(selected(sel, k));
            assertTrue(selected(sel, k), "level: unread data is reported again");
        }
    }

    @Test
    void edgeReadReportsOncePerArrival() throws Exception {
        try (Loopback lb = new Loopback(); EdgewiseSelector sel = Loopback.selector()) {
            lb.accepted.configureBlocking(false);
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) lb.accepted.register(sel, OP_READ);
            k.trigger(Trigger.EDGE);
            Loopback.send(lb.client, 10);
            assertTrue(selected(sel, k));
            assertTrue((k.readyOps() & OP_READ) != 0);
            notSelected(sel, k); // data still unread, but no new edge
            Loopback.send(lb.client, 10);
            assertTrue(selected(sel, k), "new data is a new edge");
            ByteBuffer b = ByteBuffer.allocate(100);
            assertEquals(20, lb.accepted.read(b));
            notSelected(sel, k);
        }
    }

    @Test
    void edgeWriteReportsWhenSpaceReturns() throws Exception {
        try (Loopback lb = new Loopback(); EdgewiseSelector sel = Loopback.selector()) {
            lb.client.configureBlocking(false);
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) lb.client.register(sel, OP_WRITE);
            k.trigger(Trigger.EDGE);
            assertTrue(selected(sel, k), "writable at registration");
            notSelected(sel, k);                 // still writable, no new edge
            assertTrue(Loopback.fill(lb.client) > 0);
            notSelected(sel, k);                 // full: not writable
            // drain the peer: space returns, a new edge
            ByteBuffer sink = ByteBuffer.allocateDirect(1 << 20);
            boolean seen = false;
            long end = System.currentTimeMillis() + WAIT;
            while (!seen && System.currentTimeMillis() < end) {
                sink.clear();
                lb.accepted.read(sink);
                sel.select(50);
                seen = sel.selectedKeys().remove(k);
            }
            assertTrue(seen, "space after a full buffer is an edge");
        }
    }

    @Test
    void edgeAcceptReportsEachNewConnection() throws Exception {
        try (EdgewiseSelector sel = Loopback.selector();
             ServerSocketChannel server = Loopback.PROVIDER.openServerSocketChannel()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.configureBlocking(false);
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) server.register(sel, OP_ACCEPT);
            k.trigger(Trigger.EDGE);
            try (SocketChannel c1 = Loopback.connect(server.getLocalAddress())) {
                assertTrue(selected(sel, k));
                notSelected(sel, k); // not accepted yet, but no new connection
                try (SocketChannel c2 = Loopback.connect(server.getLocalAddress())) {
                    assertTrue(selected(sel, k), "a second connection is a new edge");
                    assertNotNull(server.accept());
                    assertNotNull(server.accept());
                }
            }
        }
    }

    @Test
    void edgeConnectReportsOnce() throws Exception {
        try (EdgewiseSelector sel = Loopback.selector();
             ServerSocketChannel server = Loopback.PROVIDER.openServerSocketChannel();
             SocketChannel c = Loopback.PROVIDER.openSocketChannel()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            c.configureBlocking(false);
            c.connect(server.getLocalAddress());
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) c.register(sel, OP_CONNECT);
            k.trigger(Trigger.EDGE);
            assertTrue(selected(sel, k));
            assertTrue(k.isConnectable());
            notSelected(sel, k);
            assertTrue(c.finishConnect());
        }
    }

    @Test
    void oneshotClearsInterestAndReArmsOnInterestOps() throws Exception {
        try (Loopback lb = new Loopback(); EdgewiseSelector sel = Loopback.selector()) {
            lb.accepted.configureBlocking(false);
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) lb.accepted.register(sel, OP_READ);
            k.oneshot(true);
            Loopback.send(lb.client, 10);
            assertTrue(selected(sel, k));
            assertEquals(0, k.interestOps(), "a fired oneshot key has no interest");
            Loopback.send(lb.client, 10);
            notSelected(sel, k);
            k.interestOps(OP_READ); // re-arm with the interest it had before firing
            assertTrue(selected(sel, k), "re-armed oneshot key reports pending data");
            assertEquals(0, k.interestOps());
        }
    }

    @Test
    void oneshotWithSelectConsumer() throws Exception {
        try (Loopback lb = new Loopback(); EdgewiseSelector sel = Loopback.selector()) {
            sel.defaultOneshot(true);
            lb.accepted.configureBlocking(false);
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) lb.accepted.register(sel, OP_READ);
            assertTrue(k.oneshot(), "selector default applies to new keys");
            Loopback.send(lb.client, 10);
            int[] seen = {0};
            long end = System.currentTimeMillis() + WAIT;
            while (seen[0] == 0 && System.currentTimeMillis() < end) sel.select(key -> seen[0]++, 100);
            assertEquals(1, seen[0]);
            assertEquals(0, k.interestOps());
            assertEquals(0, sel.selectNow(key -> seen[0]++));
            k.interestOps(OP_READ);
            assertEquals(1, sel.selectNow(key -> seen[0]++));
        }
    }

    @Test
    void edgeAndOneshotCombine() throws Exception {
        try (Loopback lb = new Loopback(); EdgewiseSelector sel = Loopback.selector()) {
            lb.accepted.configureBlocking(false);
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) lb.accepted.register(sel, OP_READ);
            k.trigger(Trigger.EDGE).oneshot(true);
            Loopback.send(lb.client, 10);
            assertTrue(selected(sel, k));
            assertEquals(0, k.interestOps());
            Loopback.send(lb.client, 10);
            notSelected(sel, k); // disarmed
            k.interestOps(OP_READ);
            // re-armed edge+oneshot: data already queued counts as ready at re-arm (epoll MOD re-evaluates)
            Loopback.send(lb.client, 10);
            assertTrue(selected(sel, k));
        }
    }

    @Test
    void modeChangeOnLiveKeyTakesEffectAtNextSelect() throws Exception {
        try (Loopback lb = new Loopback(); EdgewiseSelector sel = Loopback.selector()) {
            lb.accepted.configureBlocking(false);
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) lb.accepted.register(sel, OP_READ);
            Loopback.send(lb.client, 10);
            assertTrue(selected(sel, k));
            assertTrue(selected(sel, k)); // level
            k.trigger(Trigger.EDGE);
            assertEquals(Trigger.EDGE, k.trigger());
            // switching re-registers: the current readiness is reported once, then no more
            sel.selectNow();
            sel.selectedKeys().clear();
            notSelected(sel, k);
            k.trigger(Trigger.LEVEL);
            assertTrue(selected(sel, k), "back to level: unread data reported again");
            assertTrue(selected(sel, k));
        }
    }

    @Test
    void mixedModesInOneSelector() throws Exception {
        try (Loopback a = new Loopback(); Loopback b = new Loopback(); EdgewiseSelector sel = Loopback.selector()) {
            a.accepted.configureBlocking(false);
            b.accepted.configureBlocking(false);
            SelectionKey level = a.accepted.register(sel, OP_READ);
            EdgewiseSelectionKey edge = (EdgewiseSelectionKey) b.accepted.register(sel, OP_READ);
            edge.trigger(Trigger.EDGE);
            Loopback.send(a.client, 5);
            Loopback.send(b.client, 5);
            long end = System.currentTimeMillis() + WAIT;
            while (sel.selectedKeys().size() < 2 && System.currentTimeMillis() < end) sel.select(100);
            assertTrue(sel.selectedKeys().contains(level) && sel.selectedKeys().contains(edge));
            sel.selectedKeys().clear();
            assertEquals(1, sel.selectNow());
            assertTrue(sel.selectedKeys().contains(level));
            assertFalse(sel.selectedKeys().contains(edge));
        }
    }

    @Test
    void peerHangupIsReadableInEdgeMode() throws Exception {
        try (Loopback lb = new Loopback(); EdgewiseSelector sel = Loopback.selector()) {
            lb.accepted.configureBlocking(false);
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) lb.accepted.register(sel, OP_READ);
            k.trigger(Trigger.EDGE);
            lb.client.shutdownOutput();
            assertTrue(selected(sel, k));
            assertTrue(k.isReadable());
            assertEquals(-1, lb.accepted.read(ByteBuffer.allocate(8)));
        }
    }

    @Test
    void modeSettersOnCancelledKeyThrow() throws Exception {
        try (Loopback lb = new Loopback(); EdgewiseSelector sel = Loopback.selector()) {
            lb.accepted.configureBlocking(false);
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) lb.accepted.register(sel, OP_READ);
            k.cancel();
            assertThrows(java.nio.channels.CancelledKeyException.class, () -> k.trigger(Trigger.EDGE));
            assertThrows(java.nio.channels.CancelledKeyException.class, () -> k.oneshot(true));
            assertThrows(NullPointerException.class, () -> sel.defaultTrigger(null));
        }
    }
}
