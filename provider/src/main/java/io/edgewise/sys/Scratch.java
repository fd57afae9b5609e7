package io.edgewise.sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A binding layer's per-thread native scratch memory, for the out-parameters and small structures its calls
 * take by address (socket addresses and their lengths, option values, pollfds, iovecs). Each layer lays out
 * its own cells and keeps its own {@link #perThread} source, so a layer that calls another (datagram to
 * stream) never finds its cells overwritten, and the datagram layer's {@link AddressCache} stays true.
 *
 * <p>Thread confinement: a scratch is reached only through its layer's {@code ThreadLocal} (no lock).
 */
public final class Scratch {
    /** The memory, in native byte order (little-endian on every Windows this runs on). */
    public final ByteBuffer buf;
    /** The native base address of {@link #buf}. */
    public final long addr;
    private AddressCache addresses;

    private Scratch(int size) {
        buf = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
        addr = NativeMemory.address(buf);
    }

    /** A layer's source of per-thread scratch of {@code size} bytes; keep it in a {@code static final} field. */
    public static ThreadLocal<Scratch> perThread(int size) {
        return ThreadLocal.withInitial(() -> new Scratch(size));
    }

    /** The address of the 32-bit cell at {@code off}, set to 0: an out-parameter a call fills. */
    public long zeroedInt(int off) {
        buf.putInt(off, 0);
        return addr + off;
    }

    /** The address of the byte cell at {@code off}, holding {@code value}'s low byte. */
    public long byteCell(int off, int value) {
        buf.put(off, (byte) value);
        return addr + off;
    }

    /** The 32-bit value at {@code off}. */
    public int intAt(int off) {
        return buf.getInt(off);
    }

    /** The datagram layer's address shortcuts for this thread (made at first use). */
    public AddressCache addresses() {
        AddressCache a = addresses;
        if (a == null) {
            addresses = a = new AddressCache();
        }
        return a;
    }
}
