package io.edgewise.iocp;

import static io.edgewise.sys.windows.NativeCompletionPort.*;
import static io.edgewise.sys.windows.Win64.*;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.sys.windows.NativeCompletionPort;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The bytes {@link NativeCompletionPort} writes for the kernel, checked at the offsets of the C structs
 * in {@code provider/src/test/c/iocp/afd_poll.c} (SLOT: IO_STATUS_BLOCK, AFD_POLL_INFO, id), which the
 * wine probe submits to the AFD driver.
 */
class NativeSlotLayoutTest {
    private static ByteBuffer buf(int n) {
        ByteBuffer b = ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < n; i++) b.put(i, (byte) 0x5a); // garbage the writer must overwrite
        return b;
    }

    @Test
    void slotHoldsIosbThenOneHandlePollInfo() {
        assertEquals(0, SLOT_IOSB);
        assertEquals(IO_STATUS_BLOCK_SIZE, SLOT_INFO);
        assertTrue(SLOT_INFO + AFD_POLL_INFO_SIZE <= SLOT_SIZE);
        ByteBuffer b = buf(2 * SLOT_SIZE);
        int o = SLOT_SIZE; // the second slot of a slab
        writePoll(b, o, 0x0000_0123_4567_89A0L, AFD_POLL_RECEIVE | AFD_POLL_LOCAL_CLOSE);
        assertEquals(STATUS_PENDING, b.getLong(o)); // Status, and the pointer half of the union zeroed
        assertEquals(0L, b.getLong(o + 8)); // Information
        assertEquals(Long.MAX_VALUE, b.getLong(o + 16)); // Timeout: none
        assertEquals(1, b.getInt(o + 24)); // NumberOfHandles
        assertEquals(0, b.getInt(o + 28)); // Exclusive
        assertEquals(0x0000_0123_4567_89A0L, b.getLong(o + 32)); // Handles[0].Handle
        assertEquals(AFD_POLL_RECEIVE | AFD_POLL_LOCAL_CLOSE, b.getInt(o + 40)); // Events
        assertEquals(0, b.getInt(o + 44)); // Status
        assertEquals((byte) 0x5a, b.get(0), "the neighbouring slot is untouched");
        assertEquals((byte) 0x5a, b.get(o - 1));
        assertEquals(AFD_POLL_RECEIVE | AFD_POLL_LOCAL_CLOSE, readEvents(b, o));
        b.putInt(o + 24, 0); // the driver returned no handle entry
        assertEquals(0, readEvents(b, o));
    }

    @Test
    void afdHelperNameAndObjectAttributes() {
        ByteBuffer s = buf(256);
        long base = 0x7fff_0000_1000L;
        writeAfdName(s, base, 32, 48, 96);
        byte[] name = AFD_HELPER_NAME.getBytes(StandardCharsets.UTF_16LE);
        assertEquals("\\Device\\Afd\\Edgewise", AFD_HELPER_NAME);
        assertEquals(name.length, s.getShort(32)); // Length in bytes, without the terminator
        assertEquals(name.length + 2, s.getShort(34)); // MaximumLength
        assertEquals(0, s.getInt(36)); // padding before Buffer
        assertEquals(base + 96, s.getLong(40)); // Buffer
        assertEquals(OBJECT_ATTRIBUTES_SIZE, s.getInt(48)); // Length
        assertEquals(0L, s.getLong(48 + 8)); // RootDirectory
        assertEquals(base + 32, s.getLong(48 + 16)); // ObjectName
        assertEquals(0, s.getInt(48 + 24)); // Attributes
        assertEquals(0L, s.getLong(48 + 32));
        assertEquals(0L, s.getLong(48 + 40));
        byte[] written = new byte[name.length];
        for (int i = 0; i < written.length; i++) written[i] = s.get(96 + i);
        assertEquals(AFD_HELPER_NAME, new String(written, StandardCharsets.UTF_16LE));
        assertEquals(0, s.getShort(96 + name.length), "terminated");
    }
}
