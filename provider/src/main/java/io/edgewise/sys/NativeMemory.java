package io.edgewise.sys;

import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;

/**
 * The one native-memory helper: the native base address of a direct {@link ByteBuffer}, without
 * allocating, for channels, socket layers and backends alike. From JDK 22 on it is the
 * address of {@code MemorySegment.ofBuffer} ({@code SegmentAddress}, in the jar's JDK 22 classes), which
 * also refuses a buffer whose arena is closed or confined to another thread, as the JDK's channels do;
 * the JIT removes the segment once the call is inlined. Before 22, and on 22–23 from a jar built without
 * the JDK 22 classes, it reads {@code Buffer.address} through {@code sun.misc.Unsafe}. From 24 on
 * (where Unsafe memory access prints a warning) such a jar asks JNA ({@link Jna}, the only JNA use here).
 */
public final class NativeMemory {
    private NativeMemory() { }

    /** Where a base address comes from (not {@code ToLongFunction}: its bridge method is one more call level). */
    interface Source {
        long base(ByteBuffer direct);

        /** The 32-bit value at a native address (native byte order). */
        int getInt(long address);
    }

    /** {@code SegmentAddress} on JDK 22+ when the jar has it, else null. */
    private static final Source SEGMENTS = segmentAddress();
    private static final sun.misc.Unsafe UNSAFE;
    private static final long ADDRESS_OFFSET;
    static {
        sun.misc.Unsafe u = null;
        long off = -1;
        if (SEGMENTS == null && Runtime.version().feature() < 24) {
            try {
                Field f = sun.misc.Unsafe.class.getDeclaredField("theUnsafe");
                f.setAccessible(true);
                u = (sun.misc.Unsafe) f.get(null);
                off = u.objectFieldOffset(Buffer.class.getDeclaredField("address"));
            } catch (ReflectiveOperationException | RuntimeException e) {
                u = null;
                off = -1;
            }
        }
        UNSAFE = u;
        ADDRESS_OFFSET = off;
    }

    private static Source segmentAddress() {
        if (Runtime.version().feature() < 22) {
            return null;
        }
        try {
            return (Source) Class.forName("io.edgewise.sys.SegmentAddress")
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /**
     * Throws, as {@link #address} would, for a direct buffer among {@code bufs[offset, offset + length)} that
     * cannot be used (its arena closed or confined to another thread). For reads through a temporary
     * buffer, which must fail before the call: after it, the bytes would be taken and lost.
     */
    public static void checkUsable(ByteBuffer[] bufs, int offset, int length) {
        if (SEGMENTS == null) {
            return; // no arenas before JDK 22
        }
        for (int i = offset; i < offset + length; i++) {
            if (bufs[i].isDirect()) address(bufs[i]);
        }
    }

    /** The base address of a direct buffer (its memory at index 0, whatever its position). */
    public static long address(ByteBuffer direct) {
        Source s = SEGMENTS;
        if (s != null) {
            return s.base(direct);
        }
        if (UNSAFE != null) {
            return UNSAFE.getLong(direct, ADDRESS_OFFSET);
        }
        return Jna.address(direct);
    }

    /**
     * The 32-bit value (native order) at a native address the caller owns: for binding code that reads
     * back a structure it wrote by address only (Winsock's WSABUF array). Off the hot path.
     */
    public static int getInt(long address) {
        Source s = SEGMENTS;
        if (s != null) {
            return s.getInt(address);
        }
        if (UNSAFE != null) {
            return UNSAFE.getInt(address);
        }
        return Jna.getInt(address);
    }

    /** JDK 24+ without the JDK 22 classes: JNA's lookup (allocates a {@code Pointer}; loaded only then). */
    private static final class Jna {
        static int getInt(long address) {
            return new com.sun.jna.Pointer(address).getInt(0);
        }

        static long address(ByteBuffer direct) {
            return com.sun.jna.Pointer.nativeValue(com.sun.jna.Native.getDirectBufferPointer(direct));
        }
    }
}
