package io.edgewise.sys.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.edgewise.sys.NativeMemory;
import io.edgewise.sys.Settings;
import io.edgewise.testing.HeaderValues;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Windows FFM binding's plumbing (issue 20), on a non-Windows JDK 22+: {@code FfmWinCalls} is bound
 * to a stub library built here from {@code src/test/c/windows/win_stub.c} (needs gcc or cc; skipped with
 * a message otherwise), which exports ws2_32/kernel32/ntdll's symbols with Windows argument widths and
 * records what arrives; {@code -Dio.edgewise.windows.test.library} points the binding at it. Checked for
 * every door method: each argument intact at its width (64-bit handles and pointers with high bits set,
 * 32/16/8-bit values with their top bit set), the result folded by the door's rule, the error captured
 * with the call ({@code errno} standing for {@code WSAGetLastError}/{@code GetLastError} off Windows),
 * and out-parameters written by the callee read back.
 *
 * <p>What this does not show: the Windows x64 calling convention, the DLLs' real behaviour and
 * {@code captureCallState("WSAGetLastError"/"GetLastError")} itself — none of this has run on Windows.
 *
 * <p>The binding is loaded in a class loader of its own, so that its {@code Platform} reads the property
 * set here whatever this JVM's {@code Platform} already read.
 */
@Timeout(60)
class WinFfmStubTest {
    /** The stub's recorder, through JNA (opened RTLD_LAZY without RTLD_GLOBAL: its socket names stay local). */
    public interface Stub extends Library {
        void stub_next(long result, int error);

        void stub_write_out(int on);

        long stub_arg(int i);

        int stub_nargs();

        String stub_name();
    }

    private static final Set<String> KERNEL32_BOOL = Set.of("GetQueuedCompletionStatusEx",
            "PostQueuedCompletionStatus", "CloseHandle", "SetFileCompletionNotificationModes", "SetHandleInformation");
    private static final Set<String> NTDLL = Set.of("NtCreateFile", "NtDeviceIoControlFile", "NtCancelIoFileEx",
            "RtlNtStatusToDosError");
    private static final int WSAEWOULDBLOCK = 10035, ERROR_INVALID_PARAMETER = 87, WAIT_TIMEOUT = 258;
    private static final long HANDLE_VALUE = 0x0000_1234_5678_9abcL;

    private static Stub stub;
    private static Object calls;
    private static URLClassLoader loader;

    @BeforeAll
    static void bindToTheStub() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 22, "the FFM binding is JDK 22+");
        String cc = HeaderValues.tool("gcc", "cc");
        Assumptions.assumeTrue(cc != null, "no C compiler (gcc, cc) on PATH: the stub library cannot be built");
        Path so = HeaderValues.outDir("win-stub").resolve("win_stub.so");
        Path src = Path.of("src", "test", "c", "windows", "win_stub.c").toAbsolutePath();
        HeaderValues.run(List.of(cc, "-shared", "-fPIC", "-O1", "-o", so.toString(), src.toString()), Map.of(), 120);

        URL versioned = rootOf(WinFfmStubTest.class.getClassLoader()
                .getResource(WinLibrary.FFM_CLASS.replace('.', '/') + ".class"), WinLibrary.FFM_CLASS);
        URL classes = WinCalls.class.getProtectionDomain().getCodeSource().getLocation();
        String before = System.getProperty(Settings.WINDOWS_TEST_LIBRARY);
        System.setProperty(Settings.WINDOWS_TEST_LIBRARY, so.toString());
        try {
            loader = new URLClassLoader(new URL[] {versioned, classes}, ClassLoader.getPlatformClassLoader());
            Class<?> ffm = Class.forName(WinLibrary.FFM_CLASS, true, loader);
            var ctor = ffm.getDeclaredConstructor();
            ctor.setAccessible(true);
            calls = ctor.newInstance();
        } finally {
            if (before == null) System.clearProperty(Settings.WINDOWS_TEST_LIBRARY);
            else System.setProperty(Settings.WINDOWS_TEST_LIBRARY, before);
        }
        stub = Native.load(so.toString(), Stub.class, Map.of(Library.OPTION_OPEN_FLAGS, 1 /* RTLD_LAZY */));
    }

    @AfterAll
    static void close() throws Exception {
        if (loader != null) loader.close();
    }

    private static URL rootOf(URL classFile, String className) throws Exception {
        String s = classFile.toString();
        return new URL(s.substring(0, s.length() - (className.replace('.', '/') + ".class").length()));
    }

    private static Method method(String name) {
        for (Method m : calls.getClass().getDeclaredMethods()) {
            if (m.getName().equals(name) && !m.isSynthetic() && !java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
                m.setAccessible(true);
                return m;
            }
        }
        throw new AssertionError("FfmWinCalls has no " + name);
    }

    private static Object call(String name, Object... args) throws Exception {
        try {
            return method(name).invoke(calls, args);
        } catch (InvocationTargetException e) {
            throw (Exception) e.getCause();
        }
    }

    /** Argument {@code k}: every byte distinct, the top bit of its width set. */
    private static Object argument(Class<?> type, int k) {
        if (type == long.class) return 0x8877_6655_4433_2211L ^ ((long) k << 8);
        if (type == int.class) return 0x8765_4321 ^ (k << 4);
        if (type == short.class) return (short) (0x8765 ^ k);
        if (type == byte.class) return (byte) (0x87 ^ k);
        throw new AssertionError(type);
    }

    /** What the stub records for it: the value zero-extended from its width. */
    private static long recorded(Object v) {
        if (v instanceof Long) return (Long) v;
        if (v instanceof Integer) return (Integer) v & 0xffff_ffffL;
        if (v instanceof Short) return (Short) v & 0xffffL;
        return (Byte) v & 0xffL;
    }

    private static List<String> names() {
        return List.copyOf(new java.util.TreeSet<>(WinFfmParityTest.headerNames()));
    }

    @Test
    void everyArgumentArrivesAtItsWidthAndEverySuccessIsFoldedByTheRule() throws Exception {
        for (String name : names()) {
            Method m = method(name);
            Class<?>[] types = m.getParameterTypes();
            Object[] args = new Object[types.length];
            for (int k = 0; k < args.length; k++) args[k] = argument(types[k], k);
            boolean handleResult = m.getReturnType() == long.class;
            stub.stub_next(handleResult ? HANDLE_VALUE : 5, 0);
            Object r = m.invoke(calls, args);
            assertEquals(name, stub.stub_name());
            assertEquals(args.length, stub.stub_nargs(), name + ": arguments");
            for (int k = 0; k < args.length; k++) {
                assertEquals(recorded(args[k]), stub.stub_arg(k), name + " argument " + k);
            }
            Object expected = handleResult ? (Object) HANDLE_VALUE : (Object) (KERNEL32_BOOL.contains(name) ? 1 : 5);
            assertEquals(expected, r, name + ": the result");
        }
    }

    @Test
    void failuresReturnTheErrorCapturedWithTheCall() throws Exception {
        for (String name : names()) {
            if (NTDLL.contains(name) || name.equals("WSAStartup")) continue;
            Method m = method(name);
            Object[] args = new Object[m.getParameterCount()];
            for (int k = 0; k < args.length; k++) args[k] = argument(m.getParameterTypes()[k], k);
            boolean kernel32 = KERNEL32_BOOL.contains(name) || name.equals("CreateIoCompletionPort");
            int error = kernel32 ? WAIT_TIMEOUT : WSAEWOULDBLOCK;
            long failure = kernel32 ? 0 : -1; // FALSE/NULL; SOCKET_ERROR/INVALID_SOCKET
            stub.stub_next(failure, error);
            Object r = m.invoke(calls, args);
            Object expected = m.getReturnType() == long.class ? (Object) (long) -error : (Object) (-error);
            assertEquals(expected, r, name + ": -error");
        }
    }

    @Test
    void ntStatusAndWsaStartupComeBackAsReturned() throws Exception {
        int cancelled = 0xC000_0120;
        stub.stub_next(cancelled, ERROR_INVALID_PARAMETER); // an errno set by the callee is not read
        assertEquals(cancelled, call("NtCancelIoFileEx", 1L, 2L, 3L));
        stub.stub_next(10091, 0);
        assertEquals(10091, call("WSAStartup", (short) 0x0202, 4L));
        stub.stub_next(0x103, 0); // STATUS_PENDING
        assertEquals(0x103, call("NtDeviceIoControlFile", 1L, 0L, 0L, 2L, 2L, 0x12024, 3L, 24, 3L, 24));
    }

    @Test
    void outParametersWrittenByTheCalleeAreRead() throws Exception {
        ByteBuffer b = ByteBuffer.allocateDirect(256).order(ByteOrder.nativeOrder());
        long a = NativeMemory.address(b);
        stub.stub_write_out(1);
        try {
            stub.stub_next(HANDLE_VALUE, 0);
            assertEquals(HANDLE_VALUE, call("accept", 7L, a, a + 64));
            assertEquals(16, b.getInt(64));
            stub.stub_next(0, 0);
            assertEquals(0, call("getsockname", 7L, a, a + 64));
            assertEquals(0x5a5a5a5a, b.getInt(0));
            assertEquals(24, b.getInt(64));
            stub.stub_next(0, 0);
            assertEquals(0, call("WSAIoctl", 7L, 0x48000022, 0L, 0, a + 8, 8, a + 16, 0L, 0L));
            assertEquals(0x0123456789abcdefL, b.getLong(8));
            assertEquals(8, b.getInt(16));
            stub.stub_next(0, 0);
            assertEquals(0, call("WSARecv", 7L, a + 128, 1, a + 32, a + 36, 0L, 0L));
            assertEquals(42, b.getInt(32));
            assertEquals(0x80000000, b.getInt(36));
            stub.stub_next(1, 0);
            assertEquals(1, call("GetQueuedCompletionStatusEx", HANDLE_VALUE, a + 96, 64, a + 40, -1, 0));
            assertEquals(3, b.getInt(40));
            assertEquals(0xfedcba9876543210L, b.getLong(96));
            stub.stub_next(0, 0);
            assertEquals(0, call("NtCreateFile", a + 48, 0x100000, 0L, 0L, 0L, 0, 3, 1, 0, 0L, 0));
            assertEquals(0x00007ffe12345678L, b.getLong(48));
        } finally {
            stub.stub_write_out(0);
        }
    }

    @Test
    void aSecondThreadCapturesItsOwnError() throws Exception {
        stub.stub_next(-1, WSAEWOULDBLOCK);
        Object mine = call("recv", 7L, 0L, 0, 0);
        Object[] other = new Object[1];
        Thread t = new Thread(() -> {
            try {
                stub.stub_next(-1, 10054);
                other[0] = call("send", 7L, 0L, 0, 0);
            } catch (Exception e) {
                other[0] = e;
            }
        });
        t.start();
        t.join();
        assertEquals(-WSAEWOULDBLOCK, mine);
        assertEquals(-10054, other[0]);
    }
}
