package io.edgewise.backend.uring;

import static io.edgewise.sys.linux.UringLayout.*;

import io.edgewise.sys.posix.LibC;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A provided-buffer ring (level 2): buffers of {@code size} bytes that the kernel picks from when a
 * multishot {@code recv} completes ({@code IORING_REGISTER_PBUF_RING}, group {@link #GROUP}). The ring of
 * {@code io_uring_buf} entries lives in an anonymous mapping (page-aligned, as the kernel asks) sized for
 * {@code entries} buffers; the buffers themselves come in slabs of {@code slab} buffers (direct
 * {@link ByteBuffer}s), the first made with the ring, the others by {@link #grow} when the poller finds
 * the ring short (a selector whose connections all have data in flight, issue #21's 16 KiB echo). Buffer
 * {@code bid} is in slab {@code bid / slab} at {@code (bid % slab) * size}. The ring never shrinks.
 *
 * <p>A buffer goes back to the kernel by writing its entry at the tail and publishing the tail with a
 * release store (the kernel reads it with acquire): no system call. The ring holds at most {@code entries}
 * buffers, and there are never more, so an entry is never overwritten before the kernel took it.
 *
 * <p>Threads: {@link #recycle} is called by any reading thread and by the poller's thread; {@link #grow} and
 * {@link #took} by the poller's thread. The tail, the entries it writes and {@code slabs}' growth are
 * guarded by this object's monitor; {@code slabs}, {@code provided} and {@code returned} are volatile for
 * the readers. A slab's bytes are read (never written) by readers after the completion that named the
 * buffer was handed to them under the stream's monitor, which orders the kernel's writes (seen by the
 * poller's acquire of the CQ tail) before their reads.
 */
final class BufferRing implements AutoCloseable {
    private static final VarHandle U16 = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.nativeOrder());
    static final int GROUP = 0;

    /** The most buffers the ring holds (its entries), and buffers per slab; both powers of two. */
    final int entries, slab;
    final int size;
    private final int slabShift;
    /** The slabs made so far (grown under this object's monitor). */
    private volatile ByteBuffer[] slabs;
    /** The slabs' addresses (guarded by this). */
    private long[] slabAddrs;
    /** Buffers made so far: {@code slabs.length * slab}. */
    private volatile int provided;
    /** Buffers completions handed out (poller thread): {@code taken - returned} are held by streams. */
    private int taken;
    private final long ringAddr;
    private final int ringLen;
    private final ByteBuffer ring;
    private final int mask;
    private final int ringFd;
    /** This side's tail (the kernel sees its low 16 bits); guarded by {@code this}. */
    private int tail;

    /** Registers a ring of {@code entries} (a power of two, at most 32768) buffers of {@code size} bytes. */
    BufferRing(int ringFd, int entries, int size) throws IOException {
        this(ringFd, entries, entries, size);
    }

    /**
     * Registers a ring for up to {@code entries} buffers of {@code size} bytes and makes its first
     * {@code slab} of them ({@code slab} and {@code entries} powers of two, {@code slab <= entries <= 32768}).
     */
    BufferRing(int ringFd, int slab, int entries, int size) throws IOException {
        if (Integer.bitCount(entries) != 1 || entries > 32768 || size <= 0 || Integer.bitCount(slab) != 1
                || slab > entries || (long) slab * size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("buffer ring " + slab + "/" + entries + "x" + size);
        }
        this.ringFd = ringFd;
        this.entries = entries;
        this.slab = slab;
        this.slabShift = Integer.numberOfTrailingZeros(slab);
        this.size = size;
        this.mask = entries - 1;
        ringLen = Math.max(4096, entries * BUF_SIZE);
        ringAddr = LibC.mmap(0, ringLen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (ringAddr < 0) {
            throw new IOException("mmap of the buffer ring: " + LibC.strerror((int) -ringAddr));
        }
        ring = LibC.view(ringAddr, ringLen);
        slabs = new ByteBuffer[] {ByteBuffer.allocateDirect(slab * size).order(ByteOrder.nativeOrder())};
        slabAddrs = new long[] {LibC.address(slabs[0])};
        ByteBuffer reg = ByteBuffer.allocateDirect(BUF_REG_SIZE).order(ByteOrder.nativeOrder());
        reg.putLong(BUF_REG_RING_ADDR, ringAddr);
        reg.putInt(BUF_REG_RING_ENTRIES, entries);
        reg.putShort(BUF_REG_BGID, (short) GROUP);
        long registered = LibC.syscall(NR_IO_URING_REGISTER, ringFd, IORING_REGISTER_PBUF_RING, LibC.address(reg), 1, 0, 0);
        if (registered < 0) {
            int e = (int) -registered;
            LibC.munmap(ringAddr, ringLen);
            throw new IOException("IORING_REGISTER_PBUF_RING: " + LibC.strerror(e));
        }
        synchronized (this) {
            for (int bid = 0; bid < slab; bid++) {
                put(bid);
            }
            publish();
            provided = slab;
        }
    }

    /** The slab holding buffer {@code bid}. */
    ByteBuffer slabOf(int bid) {
        return slabs[bid >>> slabShift];
    }

    /** Where buffer {@code bid} starts in its slab. */
    int offset(int bid) {
        return (bid & (slab - 1)) * size;
    }

    /** Buffers made so far. */
    int provided() {
        return provided;
    }

    /** A completion handed a buffer to a stream (poller thread). */
    void took() {
        taken++;
    }

    /**
     * Whether fewer than a quarter of the buffers are free (an estimate: the kernel may have filled some
     * whose completions are not read yet) and the ring may still grow (poller thread).
     */
    boolean low() {
        int made = provided;
        return made < entries && made - (taken - returned) < made / 4;
    }

    /** Makes one more slab of buffers and hands them to the kernel; false when the ring is full-sized. */
    synchronized boolean grow() {
        ByteBuffer[] s = slabs;
        if (s.length * slab >= entries) {
            return false;
        }
        ByteBuffer more = ByteBuffer.allocateDirect(slab * size).order(ByteOrder.nativeOrder());
        ByteBuffer[] n = java.util.Arrays.copyOf(s, s.length + 1);
        n[s.length] = more;
        slabs = n; // before the kernel can name one of its buffers
        slabAddrs = java.util.Arrays.copyOf(slabAddrs, n.length);
        slabAddrs[s.length] = LibC.address(more);
        int first = s.length * slab;
        for (int bid = first; bid < first + slab; bid++) {
            put(bid);
        }
        publish();
        provided = first + slab;
        grown++; // a starved receive may go again
        return true;
    }

    /** Buffers handed back so far, and slabs added (wrap). */
    private volatile int returned, grown;

    /** Hands buffer {@code bid} back to the kernel. */
    synchronized void recycle(int bid) {
        put(bid);
        publish();
        returned++;
    }

    /** Moves when buffers came back or were added (wraps): a starved recv is re-armed once this moved. */
    int returned() {
        return returned + grown;
    }

    private void put(int bid) {
        int at = (tail & mask) * BUF_SIZE;
        ring.putLong(at + BUF_ADDR, slabAddrs[bid >>> slabShift] + offset(bid));
        ring.putInt(at + BUF_LEN, size);
        ring.putShort(at + BUF_BID, (short) bid);
        tail++;
    }

    /** Release: the entries written before are visible to the kernel before the tail that covers them. */
    private void publish() {
        U16.setRelease(ring, BUF_RING_TAIL, (short) tail);
    }

    @Override
    public void close() {
        ByteBuffer reg = ByteBuffer.allocateDirect(BUF_REG_SIZE).order(ByteOrder.nativeOrder());
        reg.putShort(BUF_REG_BGID, (short) GROUP);
        LibC.syscall(NR_IO_URING_REGISTER, ringFd, IORING_UNREGISTER_PBUF_RING, LibC.address(reg), 1, 0, 0);
        LibC.munmap(ringAddr, ringLen);
    }
}
