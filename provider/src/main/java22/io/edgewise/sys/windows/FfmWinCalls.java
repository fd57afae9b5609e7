package io.edgewise.sys.windows;

import static io.edgewise.sys.windows.WinCalls.handle;
import static io.edgewise.sys.windows.WinCalls.socket;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The FFM binding of {@link WinCalls} (JDK 22+): one downcall handle per function, from {@code ws2_32},
 * {@code kernel32} and {@code ntdll}. Win64 widths: {@code SOCKET}, {@code HANDLE}, {@code ULONG_PTR} and
 * pointers are {@code JAVA_LONG} (raw addresses, as the C library's FFM binding passes them),
 * {@code int}/{@code DWORD}/{@code ULONG}/{@code BOOL}/{@code NTSTATUS}/Windows {@code long} are
 * {@code JAVA_INT}, {@code WORD} {@code JAVA_SHORT}, {@code UCHAR} {@code JAVA_BYTE}
 * ({@link Signatures}, checked against the headers by {@code WinFfmParityTest}).
 *
 * <p>Errors: Winsock calls capture {@code WSAGetLastError}, kernel32 calls {@code GetLastError}, into a
 * per-thread segment in the same downcall ({@code captureCallState}); ntdll calls capture nothing. Every
 * call is an ordinary downcall (none critical): {@code select} and {@code GetQueuedCompletionStatusEx}
 * wait, and no measurement on Windows says the short ones would gain.
 *
 * <p>Tests only: {@code -Dio.edgewise.windows.test.library=/path/stub.so} takes every symbol from that one
 * library; where the captured-state layout has no Windows error (any non-Windows JDK), such a stub's
 * {@code errno} stands for it. This binding has run against that stub on Linux, never on Windows.
 */
final class FfmWinCalls implements WinCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final String WSA_ERROR = captured("WSAGetLastError"), LAST_ERROR = captured("GetLastError");
    private static final long WSA_OFFSET = offset(WSA_ERROR), LAST_OFFSET = offset(LAST_ERROR);
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE_LAYOUT));

    private static final SymbolLookup WS2, K32, NT;

    static {
        String stub = io.edgewise.sys.Platform.current().settings().windowsTestLibrary();
        if (stub != null && !stub.isEmpty()) {
            SymbolLookup one = library(stub, true);
            WS2 = one;
            K32 = one;
            NT = one;
        } else {
            WS2 = library("ws2_32", false);
            K32 = library("kernel32", false);
            NT = library("ntdll", false);
        }
    }

    /** A DLL by name, or the stub by path; UnsatisfiedLinkError where it cannot be opened (any non-Windows OS). */
    private static SymbolLookup library(String name, boolean path) {
        try {
            return path ? SymbolLookup.libraryLookup(Path.of(name), Arena.global())
                    : SymbolLookup.libraryLookup(name, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new UnsatisfiedLinkError("Windows library " + name + ": " + e.getMessage());
        }
    }

    /** The capture name on this JDK: the Windows one, or (a stub on another OS) errno. */
    private static String captured(String windows) {
        boolean has = STATE_LAYOUT instanceof java.lang.foreign.GroupLayout g
                && g.memberLayouts().stream().anyMatch(m -> m.name().equals(Optional.of(windows)));
        return has ? windows : "errno";
    }

    private static long offset(String name) {
        return STATE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement(name));
    }

    /** A handle that captures {@code error} ({@code null}: nothing) with the call. */
    private static MethodHandle h(SymbolLookup lib, String error, String name) {
        FunctionDescriptor fd = Signatures.ALL.get(name);
        MemorySegment sym = lib.find(name).orElseThrow(() -> new UnsatisfiedLinkError("Windows: no " + name));
        return error == null ? LINKER.downcallHandle(sym, fd)
                : LINKER.downcallHandle(sym, fd, Linker.Option.captureCallState(error));
    }

    private static MethodHandle ws2(String name) {
        return h(WS2, WSA_ERROR, name);
    }

    private static MethodHandle k32(String name) {
        return h(K32, LAST_ERROR, name);
    }

    private static MethodHandle nt(String name) {
        return h(NT, null, name);
    }

    // ---- ws2_32 (WSAStartup returns its error: nothing to capture)
    private static final MethodHandle WSASTARTUP = h(WS2, null, "WSAStartup");
    private static final MethodHandle WSASOCKETW = ws2("WSASocketW");
    private static final MethodHandle CLOSESOCKET = ws2("closesocket");
    private static final MethodHandle BIND = ws2("bind");
    private static final MethodHandle LISTEN = ws2("listen");
    private static final MethodHandle ACCEPT = ws2("accept");
    private static final MethodHandle CONNECT = ws2("connect");
    private static final MethodHandle GETSOCKNAME = ws2("getsockname");
    private static final MethodHandle GETPEERNAME = ws2("getpeername");
    private static final MethodHandle IOCTLSOCKET = ws2("ioctlsocket");
    private static final MethodHandle WSAIOCTL = ws2("WSAIoctl");
    private static final MethodHandle RECV = ws2("recv");
    private static final MethodHandle SEND = ws2("send");
    private static final MethodHandle WSARECV = ws2("WSARecv");
    private static final MethodHandle WSASEND = ws2("WSASend");
    private static final MethodHandle SHUTDOWN = ws2("shutdown");
    private static final MethodHandle SETSOCKOPT = ws2("setsockopt");
    private static final MethodHandle GETSOCKOPT = ws2("getsockopt");
    private static final MethodHandle SELECT = ws2("select");
    private static final MethodHandle SENDTO = ws2("sendto");
    private static final MethodHandle RECVFROM = ws2("recvfrom");

    // ---- kernel32
    private static final MethodHandle CREATE_PORT = k32("CreateIoCompletionPort");
    private static final MethodHandle GQCS_EX = k32("GetQueuedCompletionStatusEx");
    private static final MethodHandle POST = k32("PostQueuedCompletionStatus");
    private static final MethodHandle CLOSE_HANDLE = k32("CloseHandle");
    private static final MethodHandle SET_NOTIFICATION = k32("SetFileCompletionNotificationModes");
    private static final MethodHandle SET_HANDLE_INFO = k32("SetHandleInformation");

    // ---- ntdll
    private static final MethodHandle NT_CREATE_FILE = nt("NtCreateFile");
    private static final MethodHandle NT_IOCTL = nt("NtDeviceIoControlFile");
    private static final MethodHandle NT_CANCEL = nt("NtCancelIoFileEx");
    private static final MethodHandle NT_TO_DOS = nt("RtlNtStatusToDosError");

    private static RuntimeException fail(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    private static int wsa(MemorySegment s) {
        return s.get(JAVA_INT, WSA_OFFSET);
    }

    private static int last(MemorySegment s) {
        return s.get(JAVA_INT, LAST_OFFSET);
    }

    // ---- ws2_32
    @Override public int WSAStartup(short version, long wsaData) {
        try { return (int) WSASTARTUP.invokeExact(version, wsaData); } catch (Throwable t) { throw fail(t); }
    }
    @Override public long WSASocketW(int af, int type, int protocol, long protocolInfo, int group, int flags) {
        MemorySegment s = STATE.get();
        try {
            long r = (long) WSASOCKETW.invokeExact(s, af, type, protocol, protocolInfo, group, flags);
            return r != -1L ? r : socket(r, wsa(s));
        } catch (Throwable t) { throw fail(t); }
    }
    @Override public int closesocket(long h) {
        MemorySegment s = STATE.get();
        try { return winsock((int) CLOSESOCKET.invokeExact(s, h), s); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int bind(long h, long addr, int addrlen) {
        MemorySegment s = STATE.get();
        try { return winsock((int) BIND.invokeExact(s, h, addr, addrlen), s); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int listen(long h, int backlog) {
        MemorySegment s = STATE.get();
        try { return winsock((int) LISTEN.invokeExact(s, h, backlog), s); } catch (Throwable t) { throw fail(t); }
    }
    @Override public long accept(long h, long addr, long addrlenPtr) {
        MemorySegment s = STATE.get();
        try {
            long r = (long) ACCEPT.invokeExact(s, h, addr, addrlenPtr);
            return r != -1L ? r : socket(r, wsa(s));
        } catch (Throwable t) { throw fail(t); }
    }
    @Override public int connect(long h, long addr, int addrlen) {
        MemorySegment s = STATE.get();
        try { return winsock((int) CONNECT.invokeExact(s, h, addr, addrlen), s); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int getsockname(long h, long addr, long addrlenPtr) {
        MemorySegment s = STATE.get();
        try { return winsock((int) GETSOCKNAME.invokeExact(s, h, addr, addrlenPtr), s); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int getpeername(long h, long addr, long addrlenPtr) {
        MemorySegment s = STATE.get();
        try { return winsock((int) GETPEERNAME.invokeExact(s, h, addr, addrlenPtr), s); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int ioctlsocket(long h, int cmd, long argp) {
        MemorySegment s = STATE.get();
        try { return winsock((int) IOCTLSOCKET.invokeExact(s, h, cmd, argp), s); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int WSAIoctl(long h, int code, long in, int inLen, long out, int outLen, long bytesReturned,
            long overlapped, long completionRoutine) {
        MemorySegment s = STATE.get();
        try {
            return winsock((int) WSAIOCTL.invokeExact(s, h, code, in, inLen, out, outLen, bytesReturned, overlapped,
                    completionRoutine), s);
        } catch (Throwable t) { throw fail(t); }
    }
    @Override public int recv(long h, long buf, int len, int flags) {
        MemorySegment s = STATE.get();
        try { return winsock((int) RECV.invokeExact(s, h, buf, len, flags), s); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int send(long h, long buf, int len, int flags) {
        MemorySegment s = STATE.get();
        try { return winsock((int) SEND.invokeExact(s, h, buf, len, flags), s); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int WSARecv(long h, long buffers, int count, long bytesPtr, long flagsPtr, long overlapped,
            long completionRoutine) {
        MemorySegment s = STATE.get();
        try {
            return winsock((int) WSARECV.invokeExact(s, h, buffers, count, bytesPtr, flagsPtr, overlapped,
                    completionRoutine), s);
        } catch (Throwable t) { throw fail(t); }
    }
    @Override public int WSASend(long h, long buffers, int count, long bytesPtr, int flags, long overlapped,
            long completionRoutine) {
        MemorySegment s = STATE.get();
        try {
            return winsock((int) WSASEND.invokeExact(s, h, buffers, count, bytesPtr, flags, overlapped,
                    completionRoutine), s);
        } catch (Throwable t) { throw fail(t); }
    }
    @Override public int shutdown(long h, int how) {
        MemorySegment s = STATE.get();
        try { return winsock((int) SHUTDOWN.invokeExact(s, h, how), s); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int setsockopt(long h, int level, int name, long value, int len) {
        MemorySegment s = STATE.get();
        try { return winsock((int) SETSOCKOPT.invokeExact(s, h, level, name, value, len), s); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int getsockopt(long h, int level, int name, long value, long lenPtr) {
        MemorySegment s = STATE.get();
        try { return winsock((int) GETSOCKOPT.invokeExact(s, h, level, name, value, lenPtr), s); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int select(int nfds, long readfds, long writefds, long exceptfds, long timeout) {
        MemorySegment s = STATE.get();
        try {
            return winsock((int) SELECT.invokeExact(s, nfds, readfds, writefds, exceptfds, timeout), s);
        } catch (Throwable t) { throw fail(t); }
    }
    @Override public int sendto(long h, long buf, int len, int flags, long to, int tolen) {
        MemorySegment s = STATE.get();
        try { return winsock((int) SENDTO.invokeExact(s, h, buf, len, flags, to, tolen), s); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int recvfrom(long h, long buf, int len, int flags, long from, long fromlenPtr) {
        MemorySegment s = STATE.get();
        try {
            return winsock((int) RECVFROM.invokeExact(s, h, buf, len, flags, from, fromlenPtr), s);
        } catch (Throwable t) { throw fail(t); }
    }

    private static int winsock(int r, MemorySegment s) {
        return r >= 0 ? r : WinCalls.winsock(r, wsa(s));
    }

    private static int bool(int r, MemorySegment s) {
        return r != 0 ? 1 : WinCalls.bool(r, last(s));
    }

    // ---- kernel32
    @Override public long CreateIoCompletionPort(long fileHandle, long existingPort, long completionKey,
            int concurrentThreads) {
        MemorySegment s = STATE.get();
        try {
            long h = (long) CREATE_PORT.invokeExact(s, fileHandle, existingPort, completionKey, concurrentThreads);
            return h != 0L ? h : handle(h, last(s));
        } catch (Throwable t) { throw fail(t); }
    }
    @Override public int GetQueuedCompletionStatusEx(long port, long entries, int count, long numRemoved, int millis,
            int alertable) {
        MemorySegment s = STATE.get();
        try {
            return bool((int) GQCS_EX.invokeExact(s, port, entries, count, numRemoved, millis, alertable), s);
        } catch (Throwable t) { throw fail(t); }
    }
    @Override public int PostQueuedCompletionStatus(long port, int bytes, long completionKey, long overlapped) {
        MemorySegment s = STATE.get();
        try {
            return bool((int) POST.invokeExact(s, port, bytes, completionKey, overlapped), s);
        } catch (Throwable t) { throw fail(t); }
    }
    @Override public int CloseHandle(long h) {
        MemorySegment s = STATE.get();
        try { return bool((int) CLOSE_HANDLE.invokeExact(s, h), s); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int SetFileCompletionNotificationModes(long h, byte flags) {
        MemorySegment s = STATE.get();
        try { return bool((int) SET_NOTIFICATION.invokeExact(s, h, flags), s); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int SetHandleInformation(long h, int mask, int flags) {
        MemorySegment s = STATE.get();
        try { return bool((int) SET_HANDLE_INFO.invokeExact(s, h, mask, flags), s); } catch (Throwable t) { throw fail(t); }
    }

    // ---- ntdll
    @Override public int NtCreateFile(long fileHandlePtr, int desiredAccess, long objectAttributes, long ioStatusBlock,
            long allocationSize, int fileAttributes, int shareAccess, int createDisposition, int createOptions,
            long eaBuffer, int eaLength) {
        try {
            return (int) NT_CREATE_FILE.invokeExact(fileHandlePtr, desiredAccess, objectAttributes, ioStatusBlock,
                    allocationSize, fileAttributes, shareAccess, createDisposition, createOptions, eaBuffer, eaLength);
        } catch (Throwable t) { throw fail(t); }
    }
    @Override public int NtDeviceIoControlFile(long file, long event, long apcRoutine, long apcContext,
            long ioStatusBlock, int ioControlCode, long inputBuffer, int inputLength, long outputBuffer,
            int outputLength) {
        try {
            return (int) NT_IOCTL.invokeExact(file, event, apcRoutine, apcContext, ioStatusBlock, ioControlCode,
                    inputBuffer, inputLength, outputBuffer, outputLength);
        } catch (Throwable t) { throw fail(t); }
    }
    @Override public int NtCancelIoFileEx(long file, long ioRequestToCancel, long ioStatusBlock) {
        try {
            return (int) NT_CANCEL.invokeExact(file, ioRequestToCancel, ioStatusBlock);
        } catch (Throwable t) { throw fail(t); }
    }
    @Override public int RtlNtStatusToDosError(int status) {
        try { return (int) NT_TO_DOS.invokeExact(status); } catch (Throwable t) { throw fail(t); }
    }

    /**
     * Every function's descriptor, Win64 widths, in {@link WinCalls}' order. Apart from the handles, so
     * that the parity test reads them ({@link #widths()}) on any OS, without binding anything.
     */
    static final class Signatures {
        private Signatures() { }

        private static final ValueLayout I = JAVA_INT, L = JAVA_LONG;
        static final Map<String, FunctionDescriptor> ALL = new LinkedHashMap<>();

        private static void put(String name, ValueLayout ret, ValueLayout... args) {
            ALL.put(name, FunctionDescriptor.of(ret, args));
        }

        static {
            put("WSAStartup", I, JAVA_SHORT, L);
            put("WSASocketW", L, I, I, I, L, I, I);
            put("closesocket", I, L);
            put("bind", I, L, L, I);
            put("listen", I, L, I);
            put("accept", L, L, L, L);
            put("connect", I, L, L, I);
            put("getsockname", I, L, L, L);
            put("getpeername", I, L, L, L);
            put("ioctlsocket", I, L, I, L);
            put("WSAIoctl", I, L, I, L, I, L, I, L, L, L);
            put("recv", I, L, L, I, I);
            put("send", I, L, L, I, I);
            put("WSARecv", I, L, L, I, L, L, L, L);
            put("WSASend", I, L, L, I, L, I, L, L);
            put("shutdown", I, L, I);
            put("setsockopt", I, L, I, I, L, I);
            put("getsockopt", I, L, I, I, L, L);
            put("select", I, I, L, L, L, L);
            put("sendto", I, L, L, I, I, L, I);
            put("recvfrom", I, L, L, I, I, L, L);
            put("CreateIoCompletionPort", L, L, L, L, I);
            put("GetQueuedCompletionStatusEx", I, L, L, I, L, I, I);
            put("PostQueuedCompletionStatus", I, L, I, L, L);
            put("CloseHandle", I, L);
            put("SetFileCompletionNotificationModes", I, L, JAVA_BYTE);
            put("SetHandleInformation", I, L, I, I);
            put("NtCreateFile", I, L, I, L, L, L, I, I, I, I, L, I);
            put("NtDeviceIoControlFile", I, L, L, L, L, L, I, L, I, L, I);
            put("NtCancelIoFileEx", I, L, L, L);
            put("RtlNtStatusToDosError", I, I);
        }

        /** Each function's widths in bytes, the result first (plain numbers: the test is compiled for 17). */
        static Map<String, long[]> widths() {
            Map<String, long[]> m = new LinkedHashMap<>();
            ALL.forEach((name, fd) -> {
                long[] w = new long[fd.argumentLayouts().size() + 1];
                w[0] = fd.returnLayout().map(MemoryLayout::byteSize).orElse(0L);
                for (int i = 1; i < w.length; i++) w[i] = fd.argumentLayouts().get(i - 1).byteSize();
                m.put(name, w);
            });
            return m;
        }
    }
}
