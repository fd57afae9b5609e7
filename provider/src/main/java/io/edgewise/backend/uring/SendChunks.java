package io.edgewise.backend.uring;

import io.edgewise.sys.posix.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The send memory of one ring selector (level 2): fixed chunks of {@link #CHUNK} bytes cut from direct slabs
 * of {@link #SLAB_CHUNKS} chunks, a slab made only when every chunk is taken (so an idle connection costs no
 * send memory, and 10k connections cost what they have buffered), up to {@code maxSlabs}. Chunk {@code id}
 * lives in slab {@code id / SLAB_CHUNKS}. A slab is never freed or moved while the selector lives: the
 * kernel reads a chunk by address while its send is in flight.
 *
 * <p>Threads: {@link #take} (writers) and {@link #give} (writers at detach, the poller at completions) under
 * this object's monitor; a slab's bytes are written by the one stream owning the chunk (under that stream's
 * monitor) and read by the kernel after the submitting enter. Lock order: a stream → this.
 */
final class SendChunks {
    static final int CHUNK = 16 * 1024;
    static final int SLAB_CHUNKS = 64;

    private final ByteBuffer[] slabs;
    private final long[] slabAddr;
    private int slabCount;
    private final int[] free;
    private int freeCount;

    /** A pool of at most {@code maxBytes} (rounded up to whole slabs of 1 MiB). */
    SendChunks(long maxBytes) {
        int max = (int) Math.max(1, (maxBytes + (long) CHUNK * SLAB_CHUNKS - 1) / ((long) CHUNK * SLAB_CHUNKS));
        slabs = new ByteBuffer[max];
        slabAddr = new long[max];
        free = new int[max * SLAB_CHUNKS];
    }

    /** A free chunk's id, or -1 when the pool is at its limit and every chunk is taken. */
    synchronized int take() {
        if (freeCount == 0 && !grow()) {
            return -1;
        }
        return free[--freeCount];
    }

    /** Whether a {@link #take} would succeed now (racy; readiness uses it). */
    synchronized boolean available() {
        return freeCount > 0 || slabCount < slabs.length;
    }

    synchronized void give(int id) {
        free[freeCount++] = id;
    }

    private boolean grow() {
        if (slabCount == slabs.length) {
            return false;
        }
        ByteBuffer b = ByteBuffer.allocateDirect(CHUNK * SLAB_CHUNKS).order(ByteOrder.nativeOrder());
        slabs[slabCount] = b;
        slabAddr[slabCount] = LibC.address(b);
        int base = slabCount * SLAB_CHUNKS;
        for (int i = SLAB_CHUNKS - 1; i >= 0; i--) {
            free[freeCount++] = base + i; // lowest id on top: a warm chunk is taken first
        }
        slabCount++;
        return true;
    }

    /** The slab holding chunk {@code id} (bytes at {@link #offset}). */
    ByteBuffer slab(int id) {
        return slabs[id / SLAB_CHUNKS];
    }

    static int offset(int id) {
        return (id % SLAB_CHUNKS) * CHUNK;
    }

    long address(int id) {
        return slabAddr[id / SLAB_CHUNKS] + offset(id);
    }

    /** Bytes the slabs made so far (tests, docs). */
    synchronized long allocatedBytes() {
        return (long) slabCount * SLAB_CHUNKS * CHUNK;
    }
}
