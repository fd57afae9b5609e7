package io.edgewise.backend.uring;

import static io.edgewise.sys.linux.Linux.EINVAL;
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
 * <p><b>Incremental consumption</b> ({@code IOU_PBUF_RING_INC}, Linux 6.12; {@link #incremental}): the kernel
 * fills one buffer with several receives in turn, of any of the selector's sockets, each completion naming
 * the buffer and {@code IORING_CQE_F_BUF_MORE} while it keeps filling it. A receive's bytes start where the
 * previous one's ended ({@code fill}); the buffer goes back once the kernel is done with it ({@code retired})
 * and every piece of it was read ({@code pieces}). So large buffers hold small messages densely (the
 * memory a selector cycles through is the bytes received, not a buffer per receive) and 16 KiB arrives in one
 * completion. Without the flag (older kernels: EINVAL) each receive takes a whole buffer, as before.
 *
 * <p><b>Hot buffers first.</b> The kernel takes buffers in ring order (FIFO), so a buffer handed back is filled
 * again only after every buffer already in the ring: with the whole ring handed out, the selector cycles
 * through all of it (2 MiB, more than the L2 cache) and every buffer is cold when the kernel writes it. So at
 * most {@code window} buffers are in the kernel's ring at once; the others wait in a stack ({@code spare})
 * that hands out the most recently returned first, and the ring is topped up from it as the kernel retires
 * buffers (counted from the completions: {@code inKernel}).
 *
 * <p>Threads: {@link #release} is called by any reading thread and by the poller's thread; {@link #grow} and
 * {@link #took} by the poller's thread. The tail, the entries it writes, {@code slabs}' growth, {@code taken},
 * {@code inKernel}, {@code spare} and the per-buffer {@code fill}, {@code pieces} and {@code retired} are
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
    /** Buffers the kernel is done with (guarded by this): {@code taken - returned} are held by streams. */
    private int taken;
    /** Whether the kernel consumes buffers in pieces ({@code IOU_PBUF_RING_INC}). */
    final boolean incremental;
    /** The most buffers in the kernel's ring at once (the rest wait in {@code spare}). */
    final int window;
    // guarded by this: buffers in the kernel's ring (handed over, not retired by a completion); the stack of
    // buffers kept back (top = most recently returned); per buffer (incremental): bytes the kernel filled,
    // pieces not yet read, and whether the kernel is done with it
    private int inKernel;
    private int[] spare;
    private int spareCount;
    private final int[] fill, pieces;
    private final boolean[] retired;
    // the entries' mapping and the ring it is registered with: replaced when the selector's ring is taken over
    // (moveTo, under this object's monitor)
    private long ringAddr;
    private final int ringLen;
    private ByteBuffer ring;
    private final int mask;
    private int ringFd;
    /** This side's tail (the kernel sees its low 16 bits); guarded by {@code this}. */
    private int tail;

    /** Registers a ring of {@code entries} (a power of two, at most 32768) buffers of {@code size} bytes. */
    BufferRing(int ringFd, int entries, int size) throws IOException {
        this(ringFd, entries, entries, size, false, entries);
    }

    /**
     * Registers a ring for up to {@code entries} buffers of {@code size} bytes and makes its first
     * {@code slab} of them ({@code slab} and {@code entries} powers of two, {@code slab <= entries <= 32768}).
     * With {@code incremental}, asks the kernel to consume buffers in pieces and falls back to whole buffers
     * when it cannot (EINVAL: before 6.12); see {@link #incremental}. At most {@code window} buffers are in
     * the kernel's ring at once.
     */
    BufferRing(int ringFd, int slab, int entries, int size, boolean incremental, int window) throws IOException {
        if (Integer.bitCount(entries) != 1 || entries > 32768 || size <= 0 || Integer.bitCount(slab) != 1
                || slab > entries || (long) slab * size > Integer.MAX_VALUE || window < 1) {
            throw new IllegalArgumentException("buffer ring " + slab + "/" + entries + "x" + size + " window " + window);
        }
        this.window = window;
        spare = new int[entries];
        fill = new int[entries];
        pieces = new int[entries];
        retired = new boolean[entries];
        this.ringFd = ringFd;
        this.entries = entries;
        this.slab = slab;
        this.slabShift = Integer.numberOfTrailingZeros(slab);
        this.size = size;
        this.mask = entries - 1;
        ringLen = Math.max(4096, entries * BUF_SIZE);
        long[] made = register(ringFd, ringLen, entries, incremental);
        ringAddr = made[0];
        this.incremental = made[1] != 0;
        ring = LibC.view(ringAddr, ringLen);
        slabs = new ByteBuffer[] {ByteBuffer.allocateDirect(slab * size).order(ByteOrder.nativeOrder())};
        slabAddrs = new long[] {LibC.address(slabs[0])};
        synchronized (this) {
            for (int bid = slab - 1; bid >= 0; bid--) {
                spare[spareCount++] = bid; // buffer 0 on top
            }
            topUp();
            provided = slab;
        }
    }

    /**
     * Maps {@code len} bytes of entries and registers them with ring {@code fd}, asking for incremental
     * consumption if {@code incremental} (falling back to whole buffers on EINVAL: before 6.12); returns the
     * mapping's address and 1 when incremental.
     */
    private static long[] register(int fd, int len, int entries, boolean incremental) throws IOException {
        long addr = LibC.mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (addr < 0) {
            throw new IOException("mmap of the buffer ring: " + LibC.strerror((int) -addr));
        }
        ByteBuffer reg = ByteBuffer.allocateDirect(BUF_REG_SIZE).order(ByteOrder.nativeOrder());
        reg.putLong(BUF_REG_RING_ADDR, addr);
        reg.putInt(BUF_REG_RING_ENTRIES, entries);
        reg.putShort(BUF_REG_BGID, (short) GROUP);
        long registered = -EINVAL;
        if (incremental) {
            reg.putShort(BUF_REG_FLAGS, (short) IOU_PBUF_RING_INC);
            registered = LibC.syscall(NR_IO_URING_REGISTER, fd, IORING_REGISTER_PBUF_RING, LibC.address(reg), 1, 0, 0);
        }
        boolean inc = registered >= 0;
        if (registered == -EINVAL) { // not asked for, or a kernel before 6.12: a buffer per receive
            reg.putShort(BUF_REG_FLAGS, (short) 0);
            registered = LibC.syscall(NR_IO_URING_REGISTER, fd, IORING_REGISTER_PBUF_RING, LibC.address(reg), 1, 0, 0);
        }
        if (registered < 0) {
            LibC.munmap(addr, len);
            throw new IOException("IORING_REGISTER_PBUF_RING: " + LibC.strerror((int) -registered));
        }
        return new long[] {addr, inc ? 1 : 0};
    }

    /** Entries registered with another ring, empty, for {@link #moveTo} (the selector's ring is taken over). */
    static final class Registration {
        final int ringFd;
        final long addr;

        Registration(int ringFd, long addr) {
            this.ringFd = ringFd;
            this.addr = addr;
        }
    }

    /** Registers fresh entries with ring {@code fd}, in this ring's mode; nothing changes here yet. */
    Registration registerOn(int fd) throws IOException {
        long[] made = register(fd, ringLen, entries, incremental);
        if ((made[1] != 0) != incremental) {
            LibC.munmap(made[0], ringLen);
            throw new IOException("IORING_REGISTER_PBUF_RING: the new ring's consumption mode differs");
        }
        return new Registration(fd, made[0]);
    }

    /**
     * The selector's ring was taken over (its old ring closed, every completion it posted handled): the buffers
     * still in the old ring's entries come back — a partly filled one as if the kernel had moved on from it — and
     * the window is handed over through {@code to}'s entries. The old entries are unmapped; the old ring, closed,
     * kept its pages until it ended.
     */
    synchronized void moveTo(Registration to) {
        for (int k = inKernel; k > 0; k--) {
            int bid = ring.getShort(((tail - k) & mask) * BUF_SIZE + BUF_BID) & 0xffff;
            inKernel--;
            if (incremental && fill[bid] > 0) {
                retired[bid] = true; // its pieces hold what was received; the buffer returns with the last
                taken++;
                if (pieces[bid] == 0) {
                    retired[bid] = false;
                    fill[bid] = 0;
                    spare[spareCount++] = bid;
                    returned++;
                }
            } else {
                spare[spareCount++] = bid;
            }
        }
        LibC.munmap(ringAddr, ringLen);
        ringAddr = to.addr;
        ring = LibC.view(ringAddr, ringLen);
        ringFd = to.ringFd;
        tail = 0;
        topUp();
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

    /**
     * A completion named buffer {@code bid} for {@code len} bytes, {@code more} when it carried
     * {@code IORING_CQE_F_BUF_MORE} (poller thread). Returns where those bytes start in the buffer; the piece
     * is given back by {@link #release} once read.
     */
    synchronized int took(int bid, int len, boolean more) {
        if (bid < 64) named |= 1L << bid;
        if (!incremental) {
            taken++;
            inKernel--;
            topUp();
            return 0;
        }
        int at = fill[bid];
        fill[bid] = at + len;
        pieces[bid]++;
        if (!more) {
            retired[bid] = true; // the kernel moved on to the next buffer
            taken++;
            inKernel--;
            topUp();
        }
        return at;
    }

    /**
     * Whether fewer than a quarter of the buffers are free (an estimate: the kernel may have filled some
     * whose completions are not read yet) and the ring may still grow (poller thread).
     */
    synchronized boolean low() {
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
        for (int bid = first + slab - 1; bid >= first; bid--) {
            spare[spareCount++] = bid;
        }
        topUp();
        provided = first + slab;
        grown++; // a starved receive may go again
        return true;
    }

    /** Buffers below 64 a completion named so far (tests: which buffers the kernel was handed). */
    long named;

    /** Buffers the kernel is done with so far (tests). */
    synchronized int retired() {
        return taken;
    }

    /** Buffers handed back so far, and slabs added (wrap). */
    private volatile int returned, grown;

    /**
     * A piece of buffer {@code bid} was read (or dropped): the buffer goes back once the kernel is done with it
     * and no piece of it is left — into the kernel's ring when it has room in the window, else on top of the
     * spare stack (either way it is the next to be handed out after those already in the ring).
     */
    synchronized void release(int bid) {
        if (incremental) {
            if (--pieces[bid] > 0 || !retired[bid]) {
                return;
            }
            retired[bid] = false;
            fill[bid] = 0;
        }
        spare[spareCount++] = bid;
        topUp();
        returned++;
    }

    /**
     * Whether the kernel's ring has buffers now, as far as the completions read so far tell (poller thread):
     * after an ENOBUFS, the window was topped up from the spare stack since the kernel found it empty.
     */
    synchronized boolean handedOver() {
        return inKernel > 0;
    }

    /** Moves buffers from the spare stack (most recent first) into the kernel's ring up to the window. */
    private void topUp() {
        if (spareCount == 0 || inKernel >= window) return;
        while (spareCount > 0 && inKernel < window) {
            put(spare[--spareCount]);
            inKernel++;
        }
        publish();
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
