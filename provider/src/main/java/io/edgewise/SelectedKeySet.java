package io.edgewise;

import java.nio.channels.SelectionKey;
import java.util.AbstractSet;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * A selector's selected-key set: an array of keys, each key remembering its slot, so that
 * {@code add}, {@code contains} and {@code remove} are O(1) and allocate nothing (the JDK's HashSet
 * allocates a node per added key on every selection). Users may remove but not add
 * ({@link UnsupportedOperationException}), as the {@code Selector} javadoc says.
 *
 * Its iterators are recycled once retired (see {@link #iterator()}), so the usual per-selection loop
 * allocates nothing either.
 *
 * <p>Not thread-safe: the selector and its users synchronize on this set, as the javadoc requires.
 */
final class SelectedKeySet extends AbstractSet<SelectionKey> {
    private EdgewiseSelectionKey[] keys = new EdgewiseSelectionKey[16];
    private int size;
    private int modCount;
    /** The last iterator handed out, reused once retired (see {@link #iterator()}). */
    private Iter spare;

    /** Adds a key not in the set (selector only). */
    void addKey(EdgewiseSelectionKey k) {
        assert Thread.holdsLock(this);
        if (size == keys.length) {
            keys = java.util.Arrays.copyOf(keys, size * 2);
        }
        k.selectedIndex = size;
        keys[size++] = k;
        modCount++;
    }

    boolean containsKey(EdgewiseSelectionKey k) {
        int i = k.selectedIndex;
        return i >= 0 && i < size && keys[i] == k;
    }

    private void removeAt(int i) {
        EdgewiseSelectionKey k = keys[i];
        k.selectedIndex = -1;
        int last = --size;
        if (i != last) {
            EdgewiseSelectionKey moved = keys[last];
            keys[i] = moved;
            moved.selectedIndex = i;
        }
        keys[last] = null;
        modCount++;
    }

    // add(E) is deliberately not overridden: AbstractCollection's erases to add(Object) and throws
    // UnsupportedOperationException for any argument, while an override taking SelectionKey would get a
    // bridge method that casts first (ClassCastException for a non-key). The set is ungrowable.

    @Override
    public boolean addAll(java.util.Collection<? extends SelectionKey> c) {
        throw new UnsupportedOperationException();   // even for an empty or null collection, as the JDK's
    }

    @Override
    public boolean contains(Object o) {
        return o instanceof EdgewiseSelectionKey && containsKey((EdgewiseSelectionKey) o);
    }

    @Override
    public boolean remove(Object o) {
        if (o instanceof EdgewiseSelectionKey) {
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) o;
            if (containsKey(k)) {
                removeAt(k.selectedIndex);
                return true;
            }
        }
        return false;
    }

    @Override
    public void clear() {
        for (int i = 0; i < size; i++) {
            keys[i].selectedIndex = -1;
            keys[i] = null;
        }
        size = 0;
        modCount++;
    }

    @Override
    public int size() {
        return size;
    }

    /**
     * Hands out an iterator without allocating when the last one handed out is <em>retired</em>: the set
     * was structurally modified other than through it since its last operation (typically: the next
     * selection added keys after a loop that removed every key through the iterator). Using a retired
     * iterator is unspecified by the {@link Iterator} contract (and fail-fast detection is best-effort),
     * so reusing it changes nothing specified; an iterator still in use is never handed out again.
     * Hot loops such as Netty's ({@code iterator()}, {@code next()}, {@code remove()} per key, once per
     * selection) thus allocate nothing.
     */
    @Override
    public Iterator<SelectionKey> iterator() {
        Iter it = spare;
        if (it != null && it.expected != modCount) {
            it.reset();
            return it;
        }
        it = new Iter();
        spare = it;
        return it;
    }

    private final class Iter implements Iterator<SelectionKey> {
        private int next;
        private int last = -1;
        private int expected = modCount;

        void reset() {
            next = 0;
            last = -1;
            expected = modCount;
        }

        @Override
        public boolean hasNext() {
            return next < size;
        }

        @Override
        public SelectionKey next() {
            if (expected != modCount) throw new ConcurrentModificationException();
            if (next >= size) throw new NoSuchElementException();
            last = next;
            return keys[next++];
        }

        @Override
        public void remove() {
            if (last < 0) throw new IllegalStateException();
            if (expected != modCount) throw new ConcurrentModificationException();
            removeAt(last);
            // the last key moved into the freed slot: visit it next
            next = last;
            last = -1;
            expected = modCount;
        }
    }
}
