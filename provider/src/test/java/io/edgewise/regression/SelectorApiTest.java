package io.edgewise.regression;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.EdgewiseSelectionKey;
import io.edgewise.EdgewiseSelector;
import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.Trigger;
import io.edgewise.conformance.ProviderTest;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Small parts of the selector and key API whose mistakes the larger suites did not notice (found by
 * mutation testing, scripts/mutation.sh): return values, interestOpsOr/And, live oneshot switching,
 * per-selector defaults, many descriptors, nested iteration, and timed selections that must not end
 * early because of a stale registration or a leftover interrupt hook.
 */
@Timeout(60)
class SelectorApiTest {
    private static final long TIMED_SELECT_MS = 500;

    @ProviderTest
    void wakeupAndInterestOpsReturnTheirReceiver(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector()) {
            assertSame(sel, sel.wakeup());
            assertSame(sel, sel.wakeup(), "a wakeup already pending");
            assertEquals(0, sel.select(0), "select(0) after a wakeup: returns at once, 0 is no timeout");
            Pipe pipe = p.openPipe();
            try {
                pipe.sink().configureBlocking(false);
                SelectionKey k = pipe.sink().register(sel, 0);
                assertSame(k, pipe.sink().keyFor(sel), "the channel records its key");
                assertSame(k, k.interestOps(OP_WRITE));
            } finally {
                pipe.sink().close();
                pipe.source().close();
            }
        }
    }

    @ProviderTest
    void interestOpsOrAndAndTakeEffect(SelectorProvider p) throws Exception {
        Pipe pipe = p.openPipe();
        try (Selector sel = p.openSelector()) {
            pipe.sink().configureBlocking(false);
            SelectionKey k = pipe.sink().register(sel, 0);
            assertEquals(0, sel.selectNow(), "no interest: not selected");
            assertEquals(0, k.interestOpsOr(OP_WRITE), "returns the old set");
            assertEquals(OP_WRITE, k.interestOps());
            assertEquals(1, sel.selectNow(), "OP_WRITE now watched");
            sel.selectedKeys().clear();
            assertEquals(OP_WRITE, k.interestOpsOr(OP_WRITE), "no change");
            assertEquals(1, sel.selectNow());
            sel.selectedKeys().clear();
            assertEquals(OP_WRITE, k.interestOpsAnd(~OP_WRITE), "returns the old set");
            assertEquals(0, k.interestOps());
            assertEquals(0, sel.selectNow(), "OP_WRITE no longer watched");
            assertEquals(0, k.interestOpsAnd(~OP_WRITE), "no change");
            assertEquals(0, sel.selectNow());
        } finally {
            pipe.sink().close();
            pipe.source().close();
        }
    }

    @ProviderTest
    void manyDescriptorsAreAllWatched(SelectorProvider p) throws Exception {
        List<Pipe> pipes = new ArrayList<>();
        try (Selector sel = p.openSelector()) {
            // both ends of 100 pipes: 200 consecutive descriptor numbers, across every table size
            for (int i = 0; i < 100; i++) {
                Pipe pipe = p.openPipe();
                pipes.add(pipe);
                pipe.sink().configureBlocking(false);
                pipe.source().configureBlocking(false);
                pipe.sink().register(sel, OP_WRITE);
                pipe.source().register(sel, OP_READ);
            }
            // one selection may report fewer keys than are ready (Edgewise's first poll takes 64 events,
            // the JDK's up to 1024); the rest come with the next ones, the keys already selected not counted
            assertEquals(100, selectAll(sel), "every sink writable, no source readable");
            for (Pipe pipe : pipes) {
                pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
            }
            sel.selectedKeys().clear();
            assertEquals(200, selectAll(sel), "and every source readable");
            // nested iteration: two live iterators over one set are independent
            int pairs = 0;
            for (SelectionKey a : sel.selectedKeys()) {
                for (SelectionKey b : sel.selectedKeys()) {
                    pairs++;
                }
            }
            assertEquals(200 * 200, pairs);
        } finally {
            for (Pipe pipe : pipes) {
                pipe.sink().close();
                pipe.source().close();
            }
        }
    }

    /** selectNow until a selection adds nothing; returns the keys selected. */
    private static int selectAll(Selector sel) throws Exception {
        int total = 0, n;
        for (int i = 0; i < 10 && (n = sel.selectNow()) > 0; i++) {
            total += n;
        }
        assertEquals(total, sel.selectedKeys().size(), "each key counted once");
        return total;
    }

    @ProviderTest
    void aCancelledReadableChannelDoesNotEndATimedSelect(SelectorProvider p) throws Exception {
        Pipe pipe = p.openPipe();
        try (Selector sel = p.openSelector()) {
            pipe.source().configureBlocking(false);
            SelectionKey k = pipe.source().register(sel, OP_READ);
            pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
            assertEquals(1, sel.selectNow());
            k.cancel();
            assertEquals(0, sel.selectNow(), "flushed");
            assertTrue(pipe.source().isOpen(), "cancel never closes");
            long start = System.nanoTime();
            assertEquals(0, sel.select(TIMED_SELECT_MS), "nothing registered is ready");
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took >= TIMED_SELECT_MS - 50, "the unread, deregistered channel ended the select early: " + took + " ms");
        } finally {
            pipe.sink().close();
            pipe.source().close();
        }
    }

    @ProviderTest
    void anInterruptAfterASelectDoesNotWakeTheNext(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector()) {
            assertEquals(0, sel.select(1)); // a blocking selection: begin()/end() around the poll
            Thread.currentThread().interrupt();
            assertTrue(Thread.interrupted()); // an interrupt outside any selection, cleared
            long start = System.nanoTime();
            assertEquals(0, sel.select(TIMED_SELECT_MS));
            long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertTrue(took >= TIMED_SELECT_MS - 50, "a past interrupt woke a later select: " + took + " ms");
        }
    }

    @Test
    void perSelectorDefaultsApplyToKeysRegisteredLater() throws Exception {
        EdgewiseSelectorProvider p = new EdgewiseSelectorProvider();
        Pipe pipe = p.openPipe();
        try (EdgewiseSelector sel = (EdgewiseSelector) p.openSelector()) {
            assertEquals(Trigger.LEVEL, sel.defaultTrigger());
            assertFalse(sel.defaultOneshot());
            assertSame(sel, sel.defaultOneshot(true));
            assertSame(sel, sel.defaultTrigger(Trigger.EDGE));
            assertTrue(sel.defaultOneshot());
            assertEquals(Trigger.EDGE, sel.defaultTrigger());
            pipe.sink().configureBlocking(false);
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) pipe.sink().register(sel, OP_WRITE);
            assertTrue(k.oneshot());
            assertEquals(Trigger.EDGE, k.trigger());
            assertEquals(1, sel.selectNow());
            assertEquals(0, k.interestOps(), "oneshot by default: disarmed");
        } finally {
            pipe.sink().close();
            pipe.source().close();
        }
    }

    @Test
    void oneshotSwitchedOnALiveKeyTakesEffect() throws Exception {
        EdgewiseSelectorProvider p = new EdgewiseSelectorProvider();
        Pipe pipe = p.openPipe();
        try (EdgewiseSelector sel = (EdgewiseSelector) p.openSelector()) {
            pipe.sink().configureBlocking(false);
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) pipe.sink().register(sel, OP_WRITE);
            assertEquals(1, sel.selectNow(), "level: writable");
            sel.selectedKeys().clear();
            assertSame(k, k.oneshot(true));
            assertEquals(1, sel.selectNow(), "oneshot now: fires once");
            assertEquals(0, k.interestOps(), "and is disarmed");
            sel.selectedKeys().clear();
            assertEquals(0, sel.selectNow(), "nothing until re-armed");
            k.oneshot(false).interestOps(OP_WRITE);
            assertEquals(1, sel.selectNow());
            sel.selectedKeys().clear();
            assertEquals(1, sel.selectNow(), "level again: reported again");
            assertEquals(OP_WRITE, k.interestOps());
        } finally {
            pipe.sink().close();
            pipe.source().close();
        }
    }
}
