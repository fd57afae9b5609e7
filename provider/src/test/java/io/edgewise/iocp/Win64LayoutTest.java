package io.edgewise.iocp;

import static io.edgewise.sys.windows.Win64.*;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.sys.windows.Win64;
import io.edgewise.sys.windows.WindowsSocketOps;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Win64 struct layouts and constants, and their agreement with the C layout probe. */
class Win64LayoutTest {
    @Test
    void structSizesMeasuredWithMingw() {
        assertEquals(32, OVERLAPPED_ENTRY_SIZE);
        assertEquals(32, OVERLAPPED_SIZE);
        assertEquals(16, IO_STATUS_BLOCK_SIZE);
        assertEquals(32, AFD_POLL_INFO_SIZE);
        assertEquals(16, AFD_POLL_HANDLE_INFO_SIZE);
        assertEquals(AFD_POLL_INFO_SIZE, API_HANDLES + AFD_POLL_HANDLE_INFO_SIZE, "one handle entry after the header");
        assertEquals(8, OE_OVERLAPPED);
        assertEquals(24, OE_BYTES);
        assertEquals(12, APHI_STATUS);
        assertEquals(48, OBJECT_ATTRIBUTES_SIZE);
        assertEquals(16, UNICODE_STRING_SIZE);
        assertEquals(16, WSABUF_SIZE);
        assertEquals(8, WSABUF_BUF, "WSABUF: the pointer follows the 4-byte length and its padding");
        assertEquals(520, FD_SET_SIZE);
        assertEquals(8, TIMEVAL_SIZE, "two 4-byte longs on Win64");
        assertEquals(4, LINGER_SIZE);
    }

    @Test
    void ioStatusBlockOverlaysTheHeadOfOverlapped() {
        // the IO_STATUS_BLOCK doubles as an OVERLAPPED's Internal/InternalHigh (what GQCSEx reports back)
        assertEquals(OVERLAPPED_INTERNAL, IOSB_STATUS);
        assertEquals(OVERLAPPED_INTERNAL_HIGH, IOSB_INFORMATION);
    }

    @Test
    void ntStatusSeverity() {
        assertTrue(ntError(STATUS_CANCELLED));
        assertTrue(ntError(STATUS_NOT_FOUND));
        assertTrue(ntError(STATUS_INVALID_HANDLE));
        assertFalse(ntError(STATUS_SUCCESS));
        assertFalse(ntError(STATUS_PENDING));
        assertTrue(ntWarning(STATUS_HANDLES_CLOSED));
        assertFalse(ntError(STATUS_HANDLES_CLOSED));
        assertFalse(ntWarning(STATUS_CANCELLED));
    }

    @Test
    void wsabufPutsLengthFirst() {
        ByteBuffer b = ByteBuffer.allocate(2 * WSABUF_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        WindowsSocketOps.putWsabuf(b, 1, 0x1122334455667788L, 4096);
        assertEquals(4096, b.getInt(WSABUF_SIZE));
        assertEquals(0, b.getInt(WSABUF_SIZE + 4));
        assertEquals(0x1122334455667788L, b.getLong(WSABUF_SIZE + 8));
        WindowsSocketOps.putWsabuf(b, 0, 1L, 1L << 40);
        assertEquals(Integer.MAX_VALUE, b.getInt(0), "ULONG length clamped");
    }

    @Test
    void windowsBindingsLoadNothingUntilUsed() {
        // initializing the socket-ops class (its option table), the poller and the layout constants must
        // not load ws2_32/kernel32/ntdll: on Linux such a load fails, so initialization would throw
        ClassLoader cl = getClass().getClassLoader();
        for (String name : new String[] {"io.edgewise.sys.windows.WindowsSocketOps",
                "io.edgewise.backend.iocp.IocpPoller", "io.edgewise.sys.windows.Win64"}) {
            Class<?> c = assertDoesNotThrow(() -> Class.forName(name, true, cl), name + " initializes here");
            assertEquals(name, c.getName());
        }
        // ...nor do the doors (Ws2_32, Kernel32, Ntdll): the binding is made on their first call...
        for (String door : new String[] {"Ws2_32", "Kernel32", "Ntdll"}) {
            assertDoesNotThrow(() -> Class.forName("io.edgewise.sys.windows." + door, true, cl), door);
        }
        // ...and the check has teeth: the binding's choice (JNA or FFM), made, does load the DLLs here
        LinkageError e = assertThrows(LinkageError.class,
                () -> Class.forName("io.edgewise.sys.windows.WinLibrary", true, cl));
        assertTrue(e instanceof UnsatisfiedLinkError || e instanceof NoClassDefFoundError, e.toString());
    }

    /**
     * Every {@code EQ(NAME, value)} in the C layout probe whose NAME is a Win64 constant must have the same
     * value in Java: the probe checks the headers against the literal, this test checks Java against it.
     */
    @Test
    void javaConstantsAgreeWithTheCLayoutProbe() throws Exception {
        Path probe = Path.of("src/test/c/iocp/layout.c");
        assertTrue(Files.exists(probe), "run from the provider module: " + probe.toAbsolutePath());
        Matcher m = Pattern.compile("EQ\\(\\(?(?:unsigned\\)\\s*)?([A-Z_0-9]+),\\s*(~?)(0x[0-9A-Fa-f]+|\\d+)u?\\)")
                .matcher(Files.readString(probe));
        int compared = 0;
        while (m.find()) {
            Field f;
            try {
                f = Win64.class.getField(m.group(1));
            } catch (NoSuchFieldException e) {
                continue; // an SDK name the Java code does not use
            }
            long literal = Long.decode(m.group(3));
            if (!m.group(2).isEmpty()) literal = ~literal;
            long java = ((Number) f.get(null)).longValue();
            assertEquals((int) literal, (int) java, m.group(1));
            compared++;
        }
        assertTrue(compared >= 30, "compared " + compared + " constants");
    }
}
