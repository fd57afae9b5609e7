package io.edgewise.sys.windows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every Windows door method has both bindings, with the widths of the Windows declarations (issue 20).
 * The table below is written from the SDK headers (winsock2.h, ws2tcpip.h, ioapiset.h, handleapi.h,
 * winbase.h, winternl.h/ntifs.h); on Win64 {@code SOCKET}, {@code HANDLE}, {@code ULONG_PTR} and pointers
 * are 8 bytes, {@code int}, {@code long}, {@code DWORD}, {@code ULONG}, {@code BOOL}, {@code NTSTATUS}
 * and {@code ACCESS_MASK} 4, {@code WORD} 2, {@code UCHAR} 1. Checked: the door interface
 * ({@link WinCalls}), the doors ({@link Ws2_32}, {@link Kernel32}, {@link Ntdll}), the JNA natives and,
 * on JDK 22+, the FFM descriptors ({@code FfmWinCalls.Signatures}). Reads declarations only: runs on any OS.
 */
@Timeout(30)
class WinFfmParityTest {
    private static final Map<String, Integer> WIDTH = Map.ofEntries(
            Map.entry("SOCKET", 8), Map.entry("HANDLE", 8), Map.entry("ULONG_PTR", 8), Map.entry("PTR", 8),
            Map.entry("int", 4), Map.entry("long", 4), Map.entry("DWORD", 4), Map.entry("ULONG", 4),
            Map.entry("BOOL", 4), Map.entry("NTSTATUS", 4), Map.entry("ACCESS_MASK", 4), Map.entry("GROUP", 4),
            Map.entry("WORD", 2), Map.entry("UCHAR", 1));

    /** name: result type, then argument types, as the headers declare them (PTR: any pointer). */
    private static final Map<String, String> HEADERS = new LinkedHashMap<>();
    static {
        HEADERS.put("WSAStartup", "int WORD PTR");
        HEADERS.put("WSASocketW", "SOCKET int int int PTR GROUP DWORD");
        HEADERS.put("closesocket", "int SOCKET");
        HEADERS.put("bind", "int SOCKET PTR int");
        HEADERS.put("listen", "int SOCKET int");
        HEADERS.put("accept", "SOCKET SOCKET PTR PTR");
        HEADERS.put("connect", "int SOCKET PTR int");
        HEADERS.put("getsockname", "int SOCKET PTR PTR");
        HEADERS.put("getpeername", "int SOCKET PTR PTR");
        HEADERS.put("ioctlsocket", "int SOCKET long PTR");
        HEADERS.put("WSAIoctl", "int SOCKET DWORD PTR DWORD PTR DWORD PTR PTR PTR");
        HEADERS.put("recv", "int SOCKET PTR int int");
        HEADERS.put("send", "int SOCKET PTR int int");
        HEADERS.put("WSARecv", "int SOCKET PTR DWORD PTR PTR PTR PTR");
        HEADERS.put("WSASend", "int SOCKET PTR DWORD PTR DWORD PTR PTR");
        HEADERS.put("shutdown", "int SOCKET int");
        HEADERS.put("setsockopt", "int SOCKET int int PTR int");
        HEADERS.put("getsockopt", "int SOCKET int int PTR PTR");
        HEADERS.put("select", "int int PTR PTR PTR PTR");
        HEADERS.put("sendto", "int SOCKET PTR int int PTR int");
        HEADERS.put("recvfrom", "int SOCKET PTR int int PTR PTR");
        HEADERS.put("CreateIoCompletionPort", "HANDLE HANDLE HANDLE ULONG_PTR DWORD");
        HEADERS.put("GetQueuedCompletionStatusEx", "BOOL HANDLE PTR ULONG PTR DWORD BOOL");
        HEADERS.put("PostQueuedCompletionStatus", "BOOL HANDLE DWORD ULONG_PTR PTR");
        HEADERS.put("CloseHandle", "BOOL HANDLE");
        HEADERS.put("SetFileCompletionNotificationModes", "BOOL HANDLE UCHAR");
        HEADERS.put("SetHandleInformation", "BOOL HANDLE DWORD DWORD");
        HEADERS.put("NtCreateFile", "NTSTATUS PTR ACCESS_MASK PTR PTR PTR ULONG ULONG ULONG ULONG PTR ULONG");
        HEADERS.put("NtDeviceIoControlFile", "NTSTATUS HANDLE HANDLE PTR PTR PTR ULONG PTR ULONG PTR ULONG");
        HEADERS.put("NtCancelIoFileEx", "NTSTATUS HANDLE PTR PTR");
        HEADERS.put("RtlNtStatusToDosError", "ULONG NTSTATUS");
    }

    /** Every function of the table (the stub test calls each). */
    static java.util.Set<String> headerNames() {
        return HEADERS.keySet();
    }

    static long[] headerWidths(String name) {
        return Arrays.stream(HEADERS.get(name).split(" ")).mapToLong(t -> {
            Integer w = WIDTH.get(t);
            assertNotNull(w, "a width for " + t);
            return w;
        }).toArray();
    }

    private static long width(Class<?> c) {
        if (c == long.class) return 8;
        if (c == int.class) return 4;
        if (c == short.class) return 2;
        if (c == byte.class) return 1;
        throw new AssertionError("not a native carrier: " + c);
    }

    private static long[] javaWidths(Method m) {
        long[] w = new long[m.getParameterCount() + 1];
        w[0] = width(m.getReturnType());
        for (int i = 1; i < w.length; i++) w[i] = width(m.getParameterTypes()[i - 1]);
        return w;
    }

    /** The methods of a class by name (static or instance as asked), overloads refused. */
    private static Map<String, Method> methods(Class<?> c, boolean statics) {
        Map<String, Method> m = new TreeMap<>();
        for (Method x : c.getDeclaredMethods()) {
            if (Modifier.isStatic(x.getModifiers()) != statics || x.isSynthetic()) continue;
            if (statics && !Modifier.isPublic(x.getModifiers()) && !Modifier.isNative(x.getModifiers())) continue;
            assertTrue(m.put(x.getName(), x) == null, "one " + x.getName() + " in " + c.getSimpleName());
        }
        return m;
    }

    @Test
    void theDoorInterfaceIsTheHeaderTable() {
        Map<String, Method> calls = methods(WinCalls.class, false);
        assertEquals(new TreeSet<>(HEADERS.keySet()), calls.keySet(), "WinCalls = every function in the table");
        calls.forEach((name, m) -> assertArrayEquals(headerWidths(name), javaWidths(m), name));
    }

    @Test
    void theDoorsHaveEveryCallWithTheSameTypes() {
        Map<String, Method> all = new TreeMap<>();
        for (Class<?> door : new Class<?>[] {Ws2_32.class, Kernel32.class, Ntdll.class}) {
            all.putAll(methods(door, true));
        }
        assertEquals(new TreeSet<>(HEADERS.keySet()), all.keySet());
        all.forEach((name, m) -> assertArrayEquals(headerWidths(name), javaWidths(m), name));
    }

    @Test
    void theJnaNativesHaveTheHeaderWidths() throws Exception {
        Map<String, Method> natives = new TreeMap<>();
        for (String nested : new String[] {"Ws2", "K32", "Nt"}) {
            // not initialised: registering would load the DLLs
            Class<?> c = Class.forName(JnaWinCalls.class.getName() + "$" + nested, false, getClass().getClassLoader());
            natives.putAll(methods(c, true));
        }
        assertEquals(new TreeSet<>(HEADERS.keySet()), natives.keySet());
        natives.forEach((name, m) -> assertArrayEquals(headerWidths(name), javaWidths(m), name));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theFfmDescriptorsHaveTheHeaderWidths() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 22, "the FFM binding is JDK 22+");
        Class<?> sig = Class.forName(WinLibrary.FFM_CLASS + "$Signatures");
        Method widths = sig.getDeclaredMethod("widths");
        widths.setAccessible(true);
        Map<String, long[]> ffm = (Map<String, long[]>) widths.invoke(null);
        assertEquals(new TreeSet<>(HEADERS.keySet()), new TreeSet<>(ffm.keySet()), "a descriptor per door method");
        ffm.forEach((name, w) -> assertArrayEquals(headerWidths(name), w, name));
    }
}
