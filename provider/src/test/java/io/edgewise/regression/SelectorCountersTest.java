package io.edgewise.regression;

import io.edgewise.testing.SelectorBeans;
import static java.nio.channels.SelectionKey.OP_READ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.observe.SelectorMXBean;
import io.edgewise.testing.Blocking;

import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;

import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.management.JMX;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The selector's MXBean counters ({@link SelectorMXBean}) count what their javadoc says, one by one:
 * wakeups that ended a selection, wakeups that had to signal the poller and the signals drained, queued
 * key changes applied, native registration changes, and a timed {@code select(action, 0)} meaning "no
 * timeout". The larger JMX test reads only the selection and poll totals, so a lost or doubled count of
 * the others, or a drain of a signal never sent (an extra system call per selection), went unnoticed
 * (found by mutation testing, scripts/mutation.sh selector).
 */
@Timeout(60)
class SelectorCountersTest {
    private static final EdgewiseSelectorProvider P = new EdgewiseSelectorProvider();

    /** Opens a selector and finds its MXBean ({@link SelectorBeans#open}). */
    private static SelectorMXBean open(Selector[] out) throws Exception {
        return SelectorBeans.open(P, out);
    }

    @Test
    void wakeupsSignalsAndDrains() throws Exception {
        Selector[] s = new Selector[1];
        SelectorMXBean m = open(s);
        try (Selector sel = s[0]) {
            // a wakeup before the selection: no thread to signal, nothing to drain
            sel.wakeup();
            assertEquals(0, sel.select());
            assertEquals(1, m.getSelects());
            assertEquals(1, m.getWakeups(), "the pending wakeup ended it");
            assertEquals(0, m.getWakeupSignals(), "nobody was polling: no signal");
            assertEquals(0, m.getWakeupDrains(), "no signal, nothing to drain");
            assertEquals(1, m.getEmptySelects());

            // a wakeup of a thread blocked in select: one signal, drained by that selection
            AtomicInteger result = new AtomicInteger(-1);
            Thread t = new Thread(() -> {
                try {
                    result.set(sel.select());
                } catch (Exception e) {
                    result.set(-2);
                }
            }, "counters-select");
            t.start();
            Blocking.assertBlocks(t);
            sel.wakeup();
            t.join(10_000);
            assertFalse(t.isAlive());
            assertEquals(0, result.get());
            assertEquals(2, m.getWakeups());
            assertEquals(1, m.getWakeupSignals());
            assertEquals(1, m.getWakeupDrains());

            // selections without a wakeup count none
            assertEquals(0, sel.selectNow());
            assertEquals(0, sel.select(1));
            assertEquals(2, m.getWakeups());
            assertEquals(1, m.getWakeupSignals());
            assertEquals(1, m.getWakeupDrains());
            assertEquals(4, m.getSelects());
        }
    }

    @Test
    void interestUpdatesAndControlCalls() throws Exception {
        Selector[] s = new Selector[1];
        SelectorMXBean m = open(s);
        Pipe pipe = P.openPipe();
        try (Selector sel = s[0]) {
            pipe.source().configureBlocking(false);
            SelectionKey k = pipe.source().register(sel, OP_READ);
            assertEquals(0, sel.selectNow());
            assertEquals(1, m.getInterestUpdates(), "the registration's interest");
            assertEquals(1, m.getControlCalls(), "one epoll_ctl ADD (or the backend's equivalent)");

            pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
            assertEquals(1, sel.selectNow());
            assertEquals(1, m.getKeysSelected());
            assertEquals(1, m.getEventsPolled());
            sel.selectedKeys().clear();

            k.interestOps(OP_READ); // unchanged, not oneshot: nothing queued
            assertEquals(1, sel.selectNow());
            assertEquals(1, m.getInterestUpdates());
            assertEquals(1, m.getControlCalls());
            sel.selectedKeys().clear();

            k.interestOps(0);
            assertEquals(0, sel.selectNow());
            assertEquals(2, m.getInterestUpdates());
            assertEquals(2, m.getControlCalls(), "removed from the backend");

            k.interestOps(OP_READ);
            assertEquals(1, sel.selectNow());
            assertEquals(3, m.getInterestUpdates());
            assertEquals(3, m.getControlCalls(), "added again");

            k.cancel();
            assertEquals(0, sel.selectNow());
            assertEquals(3, m.getInterestUpdates(), "a cancel is no interest update");
            assertEquals(4, m.getControlCalls(), "the cancelled key removed from the backend");
        } finally {
            pipe.sink().close();
            pipe.source().close();
        }
    }

    /**
     * Removing the last interest through {@code interestOpsAnd} must reach the backend: a key whose
     * descriptor stays watched for output makes every poll return, and {@code select()} return 0 with
     * no wakeup; unchanged sets queue nothing.
     */
    @Test
    void interestOpsAndOrReachTheBackendOnlyWhenTheSetChanges() throws Exception {
        Selector[] s = new Selector[1];
        SelectorMXBean m = open(s);
        Pipe pipe = P.openPipe();
        try (Selector sel = s[0]) {
            pipe.sink().configureBlocking(false);
            SelectionKey k = pipe.sink().register(sel, 0);
            assertEquals(0, sel.selectNow());
            assertEquals(0, m.getInterestUpdates(), "interest 0 at registration: nothing to apply");
            k.interestOpsAnd(~SelectionKey.OP_WRITE);
            k.interestOpsOr(0);
            assertEquals(0, sel.selectNow());
            assertEquals(0, m.getInterestUpdates(), "unchanged sets queue nothing");

            k.interestOpsOr(SelectionKey.OP_WRITE);
            assertEquals(1, sel.selectNow(), "the sink is writable");
            assertEquals(1, m.getInterestUpdates());
            sel.selectedKeys().clear();
            k.interestOpsAnd(~SelectionKey.OP_WRITE);

            AtomicInteger result = new AtomicInteger(-1);
            Thread t = new Thread(() -> {
                try {
                    result.set(sel.select());
                } catch (Exception e) {
                    result.set(-2);
                }
            }, "counters-select-and");
            t.start();
            Blocking.assertBlocks(t); // nothing watched any more: it must wait
            sel.wakeup();
            t.join(10_000);
            assertFalse(t.isAlive());
            assertEquals(0, result.get());
            assertEquals(2, m.getInterestUpdates());
        } finally {
            pipe.sink().close();
            pipe.source().close();
        }
    }

    @Test
    void selectWithActionAndZeroTimeoutWaitsWithoutLimit() throws Exception {
        try (Selector sel = P.openSelector()) {
            sel.wakeup();
            assertEquals(0, sel.select(k -> { }, 0), "0 is no timeout, not an illegal one");
            assertThrows(IllegalArgumentException.class, () -> sel.select(k -> { }, -1));
        }
    }
}
