package io.edgewise;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lock preconditions the selector's classes state are asserted (tests run with {@code -ea}): a
 * selector-only method called without the lock it documents fails with AssertionError, and with the
 * lock it works.
 */
@Timeout(30)
class LockAssertTest {
    private final EdgewiseSelectorProvider provider = new EdgewiseSelectorProvider();

    @Test
    void selectedKeySetAddNeedsTheSetsMonitor() throws Exception {
        try (EdgewiseSelector sel = (EdgewiseSelector) provider.openSelector()) {
            Pipe p = provider.openPipe();
            try (Pipe.SourceChannel src = p.source(); Pipe.SinkChannel sink = p.sink()) {
                src.configureBlocking(false);
                EdgewiseSelectionKey k = (EdgewiseSelectionKey) src.register(sel, SelectionKey.OP_READ);
                SelectedKeySet set = new SelectedKeySet();
                assertThrows(AssertionError.class, () -> set.addKey(k));
                assertEquals(0, set.size(), "nothing added when the assertion fired");
                synchronized (set) {
                    set.addKey(k);
                }
                assertEquals(1, set.size());
            }
        }
    }

    @Test
    void readyOpsAreWrittenUnderTheSelectionLockOnly() throws Exception {
        try (EdgewiseSelector sel = (EdgewiseSelector) provider.openSelector()) {
            Pipe p = provider.openPipe();
            try (Pipe.SourceChannel src = p.source(); Pipe.SinkChannel sink = p.sink()) {
                src.configureBlocking(false);
                EdgewiseSelectionKey k = (EdgewiseSelectionKey) src.register(sel, SelectionKey.OP_READ);
                assertThrows(AssertionError.class, () -> k.setReadyOps(SelectionKey.OP_READ));
                assertEquals(0, k.readyOps());
                synchronized (sel) {
                    k.setReadyOps(SelectionKey.OP_READ);
                }
                assertEquals(SelectionKey.OP_READ, k.readyOps());
            }
        }
    }
}
