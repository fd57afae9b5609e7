package io.edgewise.regression;

import static java.nio.channels.SelectionKey.OP_READ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.conformance.ProviderTest;
import io.edgewise.testing.OpenDescriptors;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * Deferred close of a channel that a selector has in its poller (registered <em>and</em> selected once):
 * its descriptor stays open until the selector deregisters it, so the next channel, which may get the
 * freed number, never loses its events to the late deregistration, and nothing leaks. Runs on the JDK's
 * provider (the reference) and on Edgewise.
 */
@Timeout(60)
class DeferredCloseReuseTest {
    private static final int ROUNDS = 20;

    /** Registers {@code pair.client} for reading and selects until it was selected (it is in the poller). */
    private static SelectionKey registeredAndSelected(Selector sel, Pair pair) throws Exception {
        pair.client.configureBlocking(false);
        SelectionKey k = pair.client.register(sel, OP_READ);
        Pair.send(pair.peer, 1, (byte) 'a');
        assertTrue(Pair.awaitSelected(sel, k, OP_READ), "first channel selected");
        sel.selectedKeys().clear();
        return k;
    }

    @ProviderTest
    void channelAfterAClosedRegisteredOneGetsItsEventsOnTheSameSelector(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Selector sel = p.openSelector()) {
            for (int round = 0; round < ROUNDS; round++) {
                try (Pair a = Pair.open(p, ssc)) {
                    SelectionKey ka = registeredAndSelected(sel, a);
                    a.client.close(); // cancels the key; the selector still has the descriptor
                    assertFalse(ka.isValid());
                    // opened at once: an early close(2) would hand it a's number
                    try (Pair b = Pair.open(p, ssc)) {
                        b.client.configureBlocking(false);
                        SelectionKey kb = b.client.register(sel, OP_READ);
                        Pair.send(b.peer, 1, (byte) 'b');
                        assertTrue(Pair.awaitSelected(sel, kb, OP_READ),
                                "round " + round + ": the next channel on the same selector gets its events");
                        ByteBuffer in = ByteBuffer.allocate(4);
                        assertEquals(1, b.client.read(in));
                        assertEquals('b', in.get(0));
                        sel.selectedKeys().clear();
                        // and keeps getting them after the closed channel's key is long gone
                        Pair.send(b.peer, 1, (byte) 'c');
                        assertTrue(Pair.awaitSelected(sel, kb, OP_READ), "round " + round + ": second event");
                        sel.selectedKeys().clear();
                        kb.cancel();
                        sel.selectNow();
                    }
                }
            }
        }
    }

    @ProviderTest
    void descriptorOfAClosedRegisteredChannelStaysOpenUntilDeregistered(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Selector sel = p.openSelector(); Pair a = Pair.open(p, ssc)) {
            registeredAndSelected(sel, a);
            Map<String, Integer> before = OpenDescriptors.snapshot();
            a.client.close();
            assertEquals(List.of(), OpenDescriptors.added(OpenDescriptors.snapshot(), before),
                    "closed while a selector has it: the descriptor is still open");
            sel.selectNow(); // deregisters, then closes
            assertEquals(1, closedSince(before).size(), "deregistered: the descriptor is closed");
        }
    }

    @ProviderTest
    void descriptorOfAClosedRegisteredChannelIsClosedWithTheSelector(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair a = Pair.open(p, ssc)) {
            Selector sel = p.openSelector();
            registeredAndSelected(sel, a);
            Map<String, Integer> before = OpenDescriptors.snapshot();
            a.client.close();
            assertEquals(List.of(), OpenDescriptors.added(OpenDescriptors.snapshot(), before),
                    "closed while a selector has it: the descriptor is still open");
            sel.close();
            // the channel's socket, the selector's epoll (and the JDK's or Edgewise's wakeup descriptor)
            assertTrue(closedSince(before).stream().anyMatch(t -> t.startsWith("socket:")),
                    "the selector's close closed the channel's descriptor: " + closedSince(before));
        }
    }

    /** Sockets, pipes and anonymous inodes open in {@code before} and closed now (bounded wait for one). */
    private static List<String> closedSince(Map<String, Integer> before) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        List<String> closed = OpenDescriptors.added(OpenDescriptors.snapshot(), before);
        while (closed.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1); // bounded wait for an observable state
            closed = OpenDescriptors.added(OpenDescriptors.snapshot(), before);
        }
        return closed;
    }

    @ProviderTest
    void closedRegisteredAndSelectedChannelsLeakNothing(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p)) {
            try (Selector warm = p.openSelector(); Pair w = Pair.open(p, ssc)) {
                registeredAndSelected(warm, w);
            }
            OpenDescriptors.assertNoLeak("closed after a select, then select", () -> {
                try (Selector sel = p.openSelector()) {
                    for (int i = 0; i < 100; i++) {
                        Pair a = Pair.open(p, ssc);
                        registeredAndSelected(sel, a);
                        a.peer.configureBlocking(false);
                        a.peer.register(sel, OP_READ);
                        sel.selectNow();
                        a.client.close();
                        a.peer.close();
                        sel.selectNow();
                        assertTrue(sel.keys().isEmpty(), "both keys flushed");
                    }
                }
            });
            OpenDescriptors.assertNoLeak("closed after a select, then selector closed", () -> {
                for (int i = 0; i < 100; i++) {
                    Selector sel = p.openSelector();
                    Pair a = Pair.open(p, ssc);
                    registeredAndSelected(sel, a);
                    a.client.close();
                    a.peer.close();
                    sel.close();
                }
            });
        }
    }
}
