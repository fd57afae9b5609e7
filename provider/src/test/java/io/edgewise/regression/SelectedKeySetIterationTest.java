package io.edgewise.regression;

import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.conformance.ProviderTest;
import java.io.IOException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import org.junit.jupiter.api.Timeout;

/**
 * Removing from the selected-key set while iterating it, with several keys selected: every removal path
 * ({@code Iterator.remove}, {@code removeIf}, {@code removeAll}, {@code retainAll}, {@code remove(Object)})
 * visits and removes exactly the keys it should, whatever order the set keeps internally. Each test runs
 * with 3, 5 and 40 keys (beyond the set's initial capacity) on the JDK's provider and on Edgewise.
 */
@Timeout(60)
class SelectedKeySetIterationTest {
    private static final int[] SIZES = {3, 5, 40};

    /** {@code n} pipe sinks registered for writing (always writable), all selected by one selectNow. */
    private static final class Selected implements AutoCloseable {
        final Selector sel;
        final List<Pipe> pipes = new ArrayList<>();
        final Set<SelectionKey> keys = new HashSet<>();

        Selected(SelectorProvider p, int n) throws IOException {
            sel = p.openSelector();
            try {
                for (int i = 0; i < n; i++) {
                    Pipe pipe = p.openPipe();
                    pipes.add(pipe);
                    pipe.sink().configureBlocking(false);
                    keys.add(pipe.sink().register(sel, OP_WRITE, i));
                }
                select();
            } catch (IOException | RuntimeException | Error e) {
                close();
                throw e;
            }
        }

        void select() throws IOException {
            assertEquals(keys.size(), sel.selectNow(), "every sink is writable");
            assertEquals(keys, sel.selectedKeys());
        }

        @Override
        public void close() throws IOException {
            sel.close();
            for (Pipe pipe : pipes) {
                pipe.sink().close();
                pipe.source().close();
            }
        }
    }

    private static boolean even(SelectionKey k) {
        return (Integer) k.attachment() % 2 == 0;
    }

    @ProviderTest
    void iteratorRemoveOfEveryKeyVisitsEveryKeyAndEmptiesTheSet(SelectorProvider p) throws Exception {
        for (int n : SIZES) {
            try (Selected s = new Selected(p, n)) {
                for (int pass = 0; pass < 2; pass++) { // the second pass may get a recycled iterator
                    Set<SelectionKey> visited = new HashSet<>();
                    Iterator<SelectionKey> it = s.sel.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey k = it.next();
                        assertTrue(visited.add(k), "visited twice: " + k.attachment());
                        it.remove();
                    }
                    assertEquals(s.keys, visited, n + " keys: the loop visits every selected key");
                    assertTrue(s.sel.selectedKeys().isEmpty(), n + " keys: none left behind");
                    assertThrows(NoSuchElementException.class, it::next);
                    s.select();
                }
            }
        }
    }

    @ProviderTest
    void iteratorRemoveOfSomeKeysKeepsTheOthers(SelectorProvider p) throws Exception {
        for (int n : SIZES) {
            try (Selected s = new Selected(p, n)) {
                Set<SelectionKey> visited = new HashSet<>(), kept = new HashSet<>();
                for (Iterator<SelectionKey> it = s.sel.selectedKeys().iterator(); it.hasNext(); ) {
                    SelectionKey k = it.next();
                    assertTrue(visited.add(k), "visited twice: " + k.attachment());
                    if (even(k)) {
                        it.remove();
                    } else {
                        kept.add(k);
                    }
                }
                assertEquals(s.keys, visited, n + " keys: every key visited");
                assertEquals(kept, s.sel.selectedKeys(), n + " keys: exactly the odd keys remain");
                for (SelectionKey k : s.keys) {
                    assertEquals(!even(k), s.sel.selectedKeys().contains(k));
                }
            }
        }
    }

    @ProviderTest
    void bulkRemovalsRemoveExactlyTheirKeys(SelectorProvider p) throws Exception {
        for (int n : SIZES) {
            try (Selected s = new Selected(p, n)) {
                Set<SelectionKey> sk = s.sel.selectedKeys();
                assertTrue(sk.removeIf(SelectedKeySetIterationTest::even));
                assertEquals(n / 2, sk.size(), n + " keys: removeIf(even)");
                assertTrue(sk.stream().noneMatch(SelectedKeySetIterationTest::even));
                assertTrue(sk.removeIf(k -> true));
                assertTrue(sk.isEmpty(), n + " keys: removeIf(all)");
                assertFalse(sk.removeIf(k -> true), "nothing left to remove");

                s.select();
                List<SelectionKey> evens = s.keys.stream().filter(SelectedKeySetIterationTest::even).toList();
                assertTrue(sk.retainAll(evens));
                assertEquals(new HashSet<>(evens), sk, n + " keys: retainAll(even)");
                assertTrue(sk.removeAll(List.copyOf(s.keys)));
                assertTrue(sk.isEmpty(), n + " keys: removeAll");

                s.select();
                for (SelectionKey k : List.copyOf(sk)) { // remove(Object) over a copy
                    assertTrue(sk.remove(k));
                    assertFalse(sk.remove(k), "removed once");
                    assertFalse(sk.contains(k));
                }
                assertTrue(sk.isEmpty(), n + " keys: remove(Object) of each");

                s.select();
                sk.clear();
                assertTrue(sk.isEmpty());
                s.select(); // cleared keys are selected again, counted as new
            }
        }
    }

    @ProviderTest
    void removeOutsideTheIteratorFailsItsNextStep(SelectorProvider p) throws Exception {
        try (Selected s = new Selected(p, 3)) {
            Set<SelectionKey> sk = s.sel.selectedKeys();
            Iterator<SelectionKey> it = sk.iterator();
            SelectionKey first = it.next();
            assertTrue(sk.remove(first), "remove(Object) of the current key");
            assertThrows(ConcurrentModificationException.class, it::next);
            assertEquals(2, sk.size());
            assertFalse(sk.contains(first));
        }
    }

    @ProviderTest
    void iteratorRemoveWithoutNextThrows(SelectorProvider p) throws Exception {
        try (Selected s = new Selected(p, 3)) {
            Iterator<SelectionKey> it = s.sel.selectedKeys().iterator();
            assertThrows(IllegalStateException.class, it::remove, "before next");
            it.next();
            it.remove();
            assertThrows(IllegalStateException.class, it::remove, "twice");
            assertEquals(2, s.sel.selectedKeys().size());
        }
    }

    @ProviderTest
    void keysLeftInTheSetAfterRemovalAreStillReportedBySelect(SelectorProvider p) throws Exception {
        try (Selected s = new Selected(p, 5)) {
            Set<SelectionKey> sk = s.sel.selectedKeys();
            sk.removeIf(SelectedKeySetIterationTest::even);
            // the odd keys stay selected (ready set unchanged: no new bit, not counted); the even ones return
            assertEquals(3, s.sel.selectNow(), "the removed keys are selected again");
            assertEquals(s.keys, sk);
            for (SelectionKey k : s.keys) {
                assertEquals(OP_WRITE, k.readyOps());
            }
        }
    }
}
