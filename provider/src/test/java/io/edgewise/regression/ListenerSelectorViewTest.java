package io.edgewise.regression;

import io.edgewise.testing.SelectorBeans;
import static java.nio.channels.SelectionKey.OP_ACCEPT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.edgewise.EdgewiseSelectionKey;
import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.Trigger;
import io.edgewise.backend.Poller;
import io.edgewise.channels.SelChannel;
import io.edgewise.observe.KeyInfo;
import io.edgewise.observe.SelectorMXBean;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;

import java.util.List;
import java.util.Set;
import javax.management.JMX;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A listening channel as the Edgewise selector sees it (found by mutation testing, scripts/mutation.sh
 * channels): the poll events its interest set asks for, the ready set it makes of the events polled
 * (the JDK's rule: an error or hang-up makes the key ready for whatever it is interested in, input
 * makes it acceptable only when it is interested in accepting), that a key with no interest gets no
 * events from the backend, and the edge-triggered key's "not drained" mark (JMX), which an accept that
 * found nothing clears and an accept that returned a connection does not.
 */
@Timeout(60)
class ListenerSelectorViewTest {
    private static final EdgewiseSelectorProvider P = new EdgewiseSelectorProvider();

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** Opens a selector and finds its MXBean ({@link SelectorBeans#open}). */
    private static SelectorMXBean open(Selector[] out) throws Exception {
        return SelectorBeans.open(P, out);
    }

    @Test
    void interestAndReadySetsFollowTheJdksRules() throws Exception {
        try (ServerSocketChannel ssc = P.openServerSocketChannel()) {
            SelChannel ch = (SelChannel) ssc;
            assertEquals(Poller.IN, ch.translateInterestOps(OP_ACCEPT));
            assertEquals(0, ch.translateInterestOps(0));

            assertEquals(OP_ACCEPT, ch.translateReadyOps(Poller.IN, OP_ACCEPT));
            assertEquals(0, ch.translateReadyOps(Poller.IN, 0), "input without interest in accepting");
            assertEquals(0, ch.translateReadyOps(Poller.OUT, OP_ACCEPT), "output means nothing to a listener");
            assertEquals(OP_ACCEPT, ch.translateReadyOps(Poller.HUP, OP_ACCEPT), "hang-up: ready for its interest");
            assertEquals(OP_ACCEPT, ch.translateReadyOps(Poller.ERR, OP_ACCEPT), "error: ready for its interest");
            assertEquals(0, ch.translateReadyOps(Poller.ERR | Poller.HUP, 0));
        }
    }

    @Test
    void aListenerWithNoInterestGetsNoEventsFromTheBackend() throws Exception {
        Selector[] s = new Selector[1];
        SelectorMXBean m = open(s);
        try (Selector sel = s[0]; ServerSocketChannel ssc = P.openServerSocketChannel().bind(loopback())) {
            ssc.configureBlocking(false);
            SelectionKey k = ssc.register(sel, OP_ACCEPT);
            assertEquals(0, sel.selectNow());
            k.interestOps(0);
            try (SocketChannel c = P.openSocketChannel()) {
                c.connect(ssc.getLocalAddress()); // a connection waits: the socket is readable
                assertEquals(0, sel.selectNow());
                assertEquals(0, m.getEventsPolled(), "the backend watched a key with no interest");
                k.interestOps(OP_ACCEPT);
                assertEquals(1, sel.selectNow());
                assertEquals(1, m.getEventsPolled());
                acceptAndClose(ssc);
            }
        }
    }

    private static void acceptAndClose(ServerSocketChannel ssc) throws Exception {
        SocketChannel s = ssc.accept();
        assertNotNull(s, "a connection to accept");
        s.close();
    }

    private static KeyInfo listenerKey(SelectorMXBean m) {
        List<KeyInfo> keys = new ArrayList<>(m.listKeys());
        keys.removeIf(k -> !k.getChannelKind().equals("tcp-listener"));
        assertEquals(1, keys.size(), "one listener key: " + keys);
        return keys.get(0);
    }

    @Test
    void anEdgeTriggeredListenerIsDrainedOnlyByAnAcceptThatFindsNothing() throws Exception {
        Selector[] s = new Selector[1];
        SelectorMXBean m = open(s);
        try (Selector sel = s[0]; ServerSocketChannel ssc = P.openServerSocketChannel()) {
            ssc.bind(loopback()).configureBlocking(false); // opened after the selector's MXBean: traced
            ((EdgewiseSelectionKey) ssc.register(sel, OP_ACCEPT)).trigger(Trigger.EDGE);
            try (SocketChannel c1 = P.openSocketChannel(); SocketChannel c2 = P.openSocketChannel()) {
                c1.connect(ssc.getLocalAddress());
                c2.connect(ssc.getLocalAddress());
                assertEquals(1, sel.select(5_000));
                sel.selectedKeys().clear();
                assertEquals(true, listenerKey(m).isEdgeNotDrained(), "reported, nothing accepted yet");
                acceptAndClose(ssc);
                assertEquals(true, listenerKey(m).isEdgeNotDrained(), "one of two accepted: not drained");
                acceptAndClose(ssc);
                assertNull(ssc.accept());
                assertEquals(false, listenerKey(m).isEdgeNotDrained(), "an accept found nothing: drained");
            }
        }
    }
}
