package io.edgewise.channels;

import java.lang.reflect.Field;
import java.nio.Buffer;
import java.nio.ByteBuffer;

/**
 * The native base address of a direct {@link ByteBuffer}, without allocating where the JDK allows.
 * Up to JDK 23 this reads {@code Buffer.address} through {@code sun.misc.Unsafe} (no garbage); from
 * JDK 24 on, where Unsafe memory access prints a warning, it asks the native binding (FFM there).
 */
final class DirectAddress {
    private DirectAddress() { }

    private static final sun.misc.Unsafe UNSAFE;
    private static final long ADDRESS_OFFSET;
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
    }

    static long of(ByteBuffer direct) {
        if (UNSAFE != null) {
            return UNSAFE.getLong(direct, ADDRESS_OFFSET);
        }
        return io.edgewise.sys.Platform.ops().address(direct);
    }
}
