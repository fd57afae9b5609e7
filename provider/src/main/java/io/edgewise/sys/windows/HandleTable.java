package io.edgewise.sys.windows;

import java.util.Arrays;

/**
 * Maps the {@code int} descriptors of the socket-ops contract to Windows {@code SOCKET}s, which are
 * pointer-sized kernel handles. Descriptors are small, dense and reused lowest-first, like POSIX file
 * descriptors, so the selector's fd-indexed arrays stay small. A descriptor is released only after
 * {@code closesocket} returned (the channels already guarantee that no call uses a closed descriptor).
 *
 * <p>Threads: {@link #add} and {@link #remove} synchronize on the table; {@link #get} is lock-free: it
 * reads the volatile array, which is replaced (never shrunk) under the lock when it grows. A descriptor
 * reaches another thread only through the channel that owns it (a happens-before edge), after its slot
 * was written.
 */
public final class HandleTable {
    /** Marks a free slot (INVALID_SOCKET is never stored). */
    private static final long FREE = -1L;

    private volatile long[] handles;
    private int lowestFree;
    private int size;

    public HandleTable(int initialCapacity) {
        long[] h = new long[Math.max(4, initialCapacity)];
        Arrays.fill(h, FREE);
        handles = h;
    }

    /** Stores a handle; returns its descriptor (the lowest free). */
    public synchronized int add(long handle) {
        if (handle == FREE) throw new IllegalArgumentException("INVALID_SOCKET");
        long[] h = handles;
        int i = lowestFree;
        while (i < h.length && h[i] != FREE) i++;
        if (i == h.length) {
            long[] g = Arrays.copyOf(h, h.length * 2);
            Arrays.fill(g, h.length, g.length, FREE);
            g[i] = handle;
            handles = g;
        } else {
            h[i] = handle;
            handles = h; // volatile write publishes the slot
        }
        lowestFree = i + 1;
        size++;
        return i;
    }

    /** The handle of a descriptor; {@code -1} (INVALID_SOCKET) when it is not in use. */
    public long get(int fd) {
        long[] h = handles;
        return fd >= 0 && fd < h.length ? h[fd] : FREE;
    }

    /** Releases a descriptor; returns the handle it held, or -1. */
    public synchronized long remove(int fd) {
        long[] h = handles;
        if (fd < 0 || fd >= h.length || h[fd] == FREE) return FREE;
        long old = h[fd];
        h[fd] = FREE;
        handles = h;
        if (fd < lowestFree) lowestFree = fd;
        size--;
        return old;
    }

    public synchronized int size() {
        return size;
    }
}
