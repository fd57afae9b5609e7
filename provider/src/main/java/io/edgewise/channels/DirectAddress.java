package io.edgewise.channels;

import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;

/**
 * The native base address of a direct {@link ByteBuffer}, without allocating. Up to JDK 23 this reads
 * {@code Buffer.address} through {@code sun.misc.Unsafe}; from JDK 24 on, where Unsafe memory access
 * prints a warning, it takes the address of {@code MemorySegment.ofBuffer} ({@code SegmentAddress},
 * compiled for 22), which the JIT removes once this call is inlined. A jar built without the JDK 22
 * classes asks the native binding instead.
 */
final class DirectAddress {
    private DirectAddress() { }

    private static final sun.misc.Unsafe UNSAFE;
    private static final long ADDRESS_OFFSET;
    /** {@code SegmentAddress} when Unsafe is not used and the jar has the JDK 22 classes, else null. */
    private static final Source SEGMENTS;

    /** Where a base address comes from (not {@code ToLongFunction}: its bridge method is one more call level). */
    interface Source {
        long base(ByteBuffer direct);
    }
    static {
        sun.misc.Unsafe u = null;
        long off = -1;
        if (Runtime.version().feature() < 24) {
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
        SEGMENTS = u == null ? segmentAddress() : null;
    }

    private static Source segmentAddress() {
        if (Runtime.version().feature() < 22) {
            return null;
        }
        try {
            return (Source) Class.forName("io.edgewise.channels.SegmentAddress")
                    .getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    static long of(ByteBuffer direct) {
        if (UNSAFE != null) {
            return UNSAFE.getLong(direct, ADDRESS_OFFSET);
        }
        Source s = SEGMENTS;
        if (s != null) {
            return s.base(direct);
        }
        return io.edgewise.sys.Platform.ops().address(direct);
    }
}
