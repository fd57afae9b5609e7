package io.edgewise.channels;

import io.edgewise.sys.NativeMemory;
import io.edgewise.sys.SystemProps;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Per-thread cache of direct buffers that heap {@link ByteBuffer}s are copied through, so no call
 * allocates native memory. Each thread keeps at most {@link #SLOTS} buffers; a request larger than
 * {@link #MAX_SIZE} ({@code jdk.nio.maxCachedBufferSize}, else 1 MiB) is served by a buffer of that
 * size — the I/O call then moves fewer bytes, which every channel contract allows, and blocking
 * writes loop until done.
 *
 * <p>Thread confinement: a {@code TempBuffers} is reached only through its thread's ThreadLocal.
 */
final class TempBuffers {
    static final int MAX_SIZE;
    static {
        long v = 1 << 20;
        String p = SystemProps.get("jdk.nio.maxCachedBufferSize");
        if (p != null) {
            try {
                long x = Long.parseLong(p);
                if (x > 0) v = x;
            } catch (NumberFormatException ignore) { }
        }
        MAX_SIZE = (int) Math.min(v, Integer.MAX_VALUE);
    }
    private static final int SLOTS = 4;

    private static final ThreadLocal<TempBuffers> CACHE = ThreadLocal.withInitial(TempBuffers::new);

    private final ByteBuffer[] buffers = new ByteBuffer[SLOTS];
    private final long[] addresses = new long[SLOTS];
    private final boolean[] inUse = new boolean[SLOTS];

    /** Per-thread direct iovec array (IOV_MAX entries). */
    private ByteBuffer iov;
    private long iovAddr;

    static TempBuffers get() {
        return CACHE.get();
    }

    /** A free slot holding a buffer of at least {@code min(size, MAX_SIZE)} bytes, cleared. */
    int take(int size) {
        int want = Math.max(Math.min(size, MAX_SIZE), 1);
        int free = -1;
        for (int i = 0; i < SLOTS; i++) {
            if (inUse[i]) continue;
            if (buffers[i] != null && buffers[i].capacity() >= want) {
                free = i;
                break;
            }
            if (free < 0) free = i;
        }
        if (free < 0) {
            throw new IllegalStateException("temporary buffers exhausted");
        }
        ByteBuffer b = buffers[free];
        if (b == null || b.capacity() < want) {
            // round up to 4 KiB pages so nearby sizes share one buffer
            int cap = (int) Math.min(MAX_SIZE, ((long) want + 4095) & ~4095L);
            b = ByteBuffer.allocateDirect(Math.max(cap, want)).order(ByteOrder.nativeOrder());
            buffers[free] = b;
            addresses[free] = NativeMemory.address(b);
        }
        inUse[free] = true;
        b.clear();
        return free;
    }

    ByteBuffer buffer(int slot) {
        return buffers[slot];
    }

    long address(int slot) {
        return addresses[slot];
    }

    void give(int slot) {
        inUse[slot] = false;
    }

    ByteBuffer iov(int entrySize, int entries) {
        if (iov == null) {
            iov = ByteBuffer.allocateDirect(entrySize * entries).order(ByteOrder.nativeOrder());
            iovAddr = NativeMemory.address(iov);
        }
        return iov;
    }

    long iovAddress() {
        return iovAddr;
    }
}
