package io.edgewise.backend.uring;

import static io.edgewise.sys.linux.UringLayout.*;

import io.edgewise.sys.posix.LibC;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A provided-buffer ring (level 2): {@code entries} buffers of {@code size} bytes that the kernel picks
 * from when a multishot {@code recv} completes ({@code IORING_REGISTER_PBUF_RING}, group {@link #GROUP}).
 * The ring of {@code io_uring_buf} entries lives in an anonymous mapping (page-aligned, as the kernel asks);
 * the buffers in one direct {@link ByteBuffer}, buffer {@code bid} at {@code bid * size}.
 *
 * <p>A buffer goes back to the kernel by writing its entry at the tail and publishing the tail with a
 * release store (the kernel reads it with acquire): no system call.
 *
 * <p>Threads: {@link #recycle} is called by any reading thread and by the poller's thread; the tail and
 * the entries it writes are guarded by this object's monitor. {@link #data} is read (never written) by
 * readers after the completion that named the buffer was handed to them under the stream's monitor, which
 * orders the kernel's writes (seen by the poller's acquire of the CQ tail) before their reads.
 */
final class BufferRing implements AutoCloseable {
    private static final VarHandle U16 = MethodHandles.byteBufferViewVarHandle(short[].class, ByteOrder.nativeOrder());
    static final int GROUP = 0;

    final int entries;
    final int size;
    /** The buffers' bytes; buffer {@code bid} starts at {@code bid * size}. */
    final ByteBuffer data;
    private final long dataAddr;
    private final long ringAddr;
    private final int ringLen;
    private final ByteBuffer ring;
    private final int mask;
    private final int ringFd;
    /** This side's tail (the kernel sees its low 16 bits); guarded by {@code this}. */
    private int tail;

    /** Registers a ring of {@code entries} (a power of two, at most 32768) buffers of {@code size} bytes. */
    BufferRing(int ringFd, int entries, int size) throws IOException {
        if (Integer.bitCount(entries) != 1 || entries > 32768 || size <= 0) {
            throw new IllegalArgumentException("buffer ring " + entries + "x" + size);
        }
        this.ringFd = ringFd;
        this.entries = entries;
        this.size = size;
        this.mask = entries - 1;
        ringLen = Math.max(4096, entries * BUF_SIZE);
        ringAddr = LibC.mmap(0, ringLen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (ringAddr < 0) {
            throw new IOException("mmap of the buffer ring: " + LibC.strerror((int) -ringAddr));
        }
        ring = LibC.view(ringAddr, ringLen);
        data = ByteBuffer.allocateDirect(entries * size).order(ByteOrder.nativeOrder());
        dataAddr = LibC.address(data);
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
            for (int bid = 0; bid < entries; bid++) {
                put(bid);
            }
            publish();
        }
    }

    /** Buffers handed back so far (wraps): a starved recv is re-armed once this moved. */
    private volatile int returned;

    /** Hands buffer {@code bid} back to the kernel. */
    synchronized void recycle(int bid) {
        put(bid);
        publish();
        returned++;
    }

    int returned() {
        return returned;
    }

    private void put(int bid) {
        int at = (tail & mask) * BUF_SIZE;
        ring.putLong(at + BUF_ADDR, dataAddr + (long) bid * size);
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
