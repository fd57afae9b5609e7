package io.edgewise.sys.bsd;

import java.nio.ByteBuffer;

/**
 * The layouts of {@code struct kevent} on 64-bit platforms, and their encoding in a native-order
 * buffer. Every layout starts with {@code uintptr_t ident} at offset 0; they differ in the width of
 * {@code filter}/{@code flags} and in what follows {@code udata}:
 * <ul>
 * <li>{@link #BSD32}: {@code short filter; u_short flags; u_int fflags; intptr_t data; void *udata} —
 *     macOS (x86_64, arm64), OpenBSD, libkqueue: 32 bytes.
 * <li>{@link #FREEBSD64}: the same, then {@code uint64_t ext[4]} — FreeBSD 12+: 64 bytes.
 * <li>{@link #NETBSD40}: {@code uint32_t filter; uint32_t flags; uint32_t fflags; int64_t data; void *udata}
 *     — NetBSD's {@code __kevent50} entry point: 40 bytes.
 * </ul>
 * Immutable; pure Java (no native calls), so it is unit-tested on any OS.
 */
public final class KeventLayout {
    public static final KeventLayout BSD32 = new KeventLayout("bsd32", 32, 8, 10, false, 12, 16, 24);
    public static final KeventLayout FREEBSD64 = new KeventLayout("freebsd64", 64, 8, 10, false, 12, 16, 24);
    public static final KeventLayout NETBSD40 = new KeventLayout("netbsd40", 40, 8, 12, true, 16, 24, 32);

    public static final int IDENT = 0;

    public final String name;
    public final int size;
    public final int filterOffset, flagsOffset, fflagsOffset, dataOffset, udataOffset;
    /** Whether filter and flags are 32-bit (NetBSD) rather than 16-bit. */
    public final boolean wide;

    private KeventLayout(String name, int size, int filterOffset, int flagsOffset, boolean wide, int fflagsOffset,
            int dataOffset, int udataOffset) {
        this.name = name;
        this.size = size;
        this.filterOffset = filterOffset;
        this.flagsOffset = flagsOffset;
        this.wide = wide;
        this.fflagsOffset = fflagsOffset;
        this.dataOffset = dataOffset;
        this.udataOffset = udataOffset;
    }

    /** Writes entry {@code i}; bytes of the entry not named here (padding, {@code ext[]}) are zeroed. */
    public void put(ByteBuffer b, int i, long ident, int filter, int flags, int fflags, long data, long udata) {
        int o = i * size;
        for (int k = 0; k < size; k += 8) {
            b.putLong(o + k, 0L);
        }
        b.putLong(o + IDENT, ident);
        if (wide) {
            b.putInt(o + filterOffset, filter);
            b.putInt(o + flagsOffset, flags);
        } else {
            b.putShort(o + filterOffset, (short) filter);
            b.putShort(o + flagsOffset, (short) flags);
        }
        b.putInt(o + fflagsOffset, fflags);
        b.putLong(o + dataOffset, data);
        b.putLong(o + udataOffset, udata);
    }

    public long ident(ByteBuffer b, int i) {
        return b.getLong(i * size + IDENT);
    }

    /** The filter, sign-extended where it is a {@code short} (negative filter numbers). */
    public int filter(ByteBuffer b, int i) {
        return wide ? b.getInt(i * size + filterOffset) : b.getShort(i * size + filterOffset);
    }

    /** The flags, unsigned. */
    public int flags(ByteBuffer b, int i) {
        return wide ? b.getInt(i * size + flagsOffset) : b.getShort(i * size + flagsOffset) & 0xffff;
    }

    public int fflags(ByteBuffer b, int i) {
        return b.getInt(i * size + fflagsOffset);
    }

    public long data(ByteBuffer b, int i) {
        return b.getLong(i * size + dataOffset);
    }

    public long udata(ByteBuffer b, int i) {
        return b.getLong(i * size + udataOffset);
    }

    @Override
    public String toString() {
        return name + "(" + size + " bytes)";
    }
}
