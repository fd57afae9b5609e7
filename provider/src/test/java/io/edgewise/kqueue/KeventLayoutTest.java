package io.edgewise.kqueue;

import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.sys.bsd.KeventLayout;
import io.edgewise.sys.bsd.KqueueConstants;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** struct kevent layouts: sizes, offsets and encode/decode on both byte orders (no native calls). */
class KeventLayoutTest {

    @Test
    void sizesAndOffsets() {
        assertEquals(32, KeventLayout.BSD32.size);
        assertEquals(64, KeventLayout.FREEBSD64.size);
        assertEquals(40, KeventLayout.NETBSD40.size);
        for (KeventLayout l : new KeventLayout[] {KeventLayout.BSD32, KeventLayout.FREEBSD64}) {
            assertEquals(8, l.filterOffset);
            assertEquals(10, l.flagsOffset);
            assertEquals(12, l.fflagsOffset);
            assertEquals(16, l.dataOffset);
            assertEquals(24, l.udataOffset);
            assertFalse(l.wide);
        }
        KeventLayout n = KeventLayout.NETBSD40;
        assertTrue(n.wide);
        assertEquals(8, n.filterOffset);
        assertEquals(12, n.flagsOffset);
        assertEquals(16, n.fflagsOffset);
        assertEquals(24, n.dataOffset); // int64_t after 4 bytes of padding
        assertEquals(32, n.udataOffset);
    }

    private static ByteBuffer filled(int bytes, ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(bytes).order(order);
        for (int i = 0; i < bytes; i++) b.put(i, (byte) 0xA5);
        return b;
    }

    @Test
    void roundTripEveryLayoutAndByteOrder() {
        for (KeventLayout l : new KeventLayout[] {KeventLayout.BSD32, KeventLayout.FREEBSD64, KeventLayout.NETBSD40}) {
            for (ByteOrder order : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
                ByteBuffer b = filled(3 * l.size, order);
                l.put(b, 1, 0x1234_5678_9abcL, -11, 0x8000 | 0x4000 | 0x0080 | 0x0001, 0x01000000, -7L, 0xfeedL);
                assertEquals(0x1234_5678_9abcL, l.ident(b, 1), l.name);
                assertEquals(-11, l.filter(b, 1), l.name);
                assertEquals(0xC081, l.flags(b, 1), l.name + ": flags are unsigned");
                assertEquals(0x01000000, l.fflags(b, 1), l.name);
                assertEquals(-7L, l.data(b, 1), l.name);
                assertEquals(0xfeedL, l.udata(b, 1), l.name);
                // neighbours untouched, padding and ext[] zeroed
                assertEquals((byte) 0xA5, b.get(l.size - 1), l.name);
                assertEquals((byte) 0xA5, b.get(2 * l.size), l.name);
                for (int i = l.udataOffset + 8; i < l.size; i++) {
                    assertEquals(0, b.get(l.size + i), l.name + " byte " + i);
                }
            }
        }
    }

    @Test
    void littleEndianBytesWhereTheKernelReadsThem() {
        // macOS arm64/x86_64 and FreeBSD amd64 are little-endian: check byte positions, not just round trips
        ByteBuffer b = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN);
        KeventLayout.FREEBSD64.put(b, 0, 5, -2, 0x0021, 0, 0, 0);
        assertEquals(5, b.get(0));
        assertEquals((byte) 0xFE, b.get(8));  // filter -2, low byte
        assertEquals((byte) 0xFF, b.get(9));
        assertEquals(0x21, b.get(10));        // EV_ADD|EV_CLEAR
        assertEquals(0, b.get(11));
        ByteBuffer n = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        KeventLayout.NETBSD40.put(n, 0, 5, 1, 0x0021, 0, 0, 0);
        assertEquals(1, n.getInt(8));          // NetBSD EVFILT_WRITE is 1, 32 bits wide
        assertEquals(0x21, n.getInt(12));
        assertEquals(1, KeventLayout.NETBSD40.filter(n, 0));
    }

    @Test
    void sixtyFourBytesOnFreeBsdStride() {
        // entry i starts at i * 64: the second event of a list must not be read at offset 32
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        KeventLayout.FREEBSD64.put(b, 0, 3, -1, 0, 0, 0, 0);
        KeventLayout.FREEBSD64.put(b, 1, 4, -2, 0, 0, 0, 0);
        assertEquals(4, b.getLong(64));
        assertEquals(0, b.getLong(32)); // ext[0] of entry 0
        assertEquals(-2, KeventLayout.FREEBSD64.filter(b, 1));
    }
}
