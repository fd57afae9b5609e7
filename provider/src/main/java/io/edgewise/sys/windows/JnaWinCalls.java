package io.edgewise.sys.windows;

import static io.edgewise.sys.windows.WinCalls.bool;
import static io.edgewise.sys.windows.WinCalls.handle;
import static io.edgewise.sys.windows.WinCalls.socket;
import static io.edgewise.sys.windows.WinCalls.winsock;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The JNA binding of {@link WinCalls}: direct mapping ({@link Native#register}), raw {@code long}
 * handles and addresses, one nested class per DLL, each registered on first use. The error of a failed
 * call is JNA's per-thread copy of {@code GetLastError} (which {@code WSAGetLastError} returns), saved by
 * its stub right after the call and read here at once; never {@code LastErrorException}.
 */
final class JnaWinCalls implements WinCalls {
    /** Binds the three DLLs now, at the choice (throws UnsatisfiedLinkError where they are missing). */
    JnaWinCalls() {
        Ws2.init();
        K32.init();
        Nt.init();
    }

    private static int lastError() {
        return Native.getLastError();
    }

    // ---- ws2_32
    @Override public int WSAStartup(short version, long wsaData) {
        return Ws2.WSAStartup(version, wsaData);
    }
    @Override public long WSASocketW(int af, int type, int protocol, long protocolInfo, int group, int flags) {
        long s = Ws2.WSASocketW(af, type, protocol, protocolInfo, group, flags);
        return s != -1L ? s : socket(s, lastError());
    }
    @Override public int closesocket(long s) {
        int r = Ws2.closesocket(s);
        return r >= 0 ? r : winsock(r, lastError());
    }
    @Override public int bind(long s, long addr, int addrlen) {
        int r = Ws2.bind(s, addr, addrlen);
        return r >= 0 ? r : winsock(r, lastError());
    }
    @Override public int listen(long s, int backlog) {
        int r = Ws2.listen(s, backlog);
        return r >= 0 ? r : winsock(r, lastError());
    }
    @Override public long accept(long s, long addr, long addrlenPtr) {
        long a = Ws2.accept(s, addr, addrlenPtr);
        return a != -1L ? a : socket(a, lastError());
    }
    @Override public int connect(long s, long addr, int addrlen) {
        int r = Ws2.connect(s, addr, addrlen);
        return r >= 0 ? r : winsock(r, lastError());
    }
    @Override public int getsockname(long s, long addr, long addrlenPtr) {
        int r = Ws2.getsockname(s, addr, addrlenPtr);
        return r >= 0 ? r : winsock(r, lastError());
    }
    @Override public int getpeername(long s, long addr, long addrlenPtr) {
        int r = Ws2.getpeername(s, addr, addrlenPtr);
        return r >= 0 ? r : winsock(r, lastError());
    }
    @Override public int ioctlsocket(long s, int cmd, long argp) {
        int r = Ws2.ioctlsocket(s, cmd, argp);
        return r >= 0 ? r : winsock(r, lastError());
    }
    @Override public int WSAIoctl(long s, int code, long in, int inLen, long out, int outLen, long bytesReturned,
            long overlapped, long completionRoutine) {
        int r = Ws2.WSAIoctl(s, code, in, inLen, out, outLen, bytesReturned, overlapped, completionRoutine);
        return r >= 0 ? r : winsock(r, lastError());
    }
    @Override public int recv(long s, long buf, int len, int flags) {
        int r = Ws2.recv(s, buf, len, flags);
        return r >= 0 ? r : winsock(r, lastError());
    }
    @Override public int send(long s, long buf, int len, int flags) {
        int r = Ws2.send(s, buf, len, flags);
        return r >= 0 ? r : winsock(r, lastError());
    }
    @Override public int WSARecv(long s, long buffers, int count, long bytesPtr, long flagsPtr, long overlapped,
            long completionRoutine) {
        int r = Ws2.WSARecv(s, buffers, count, bytesPtr, flagsPtr, overlapped, completionRoutine);
        return r >= 0 ? r : winsock(r, lastError());
    }
    @Override public int WSASend(long s, long buffers, int count, long bytesPtr, int flags, long overlapped,
            long completionRoutine) {
        int r = Ws2.WSASend(s, buffers, count, bytesPtr, flags, overlapped, completionRoutine);
        return r >= 0 ? r : winsock(r, lastError());
    }
    @Override public int shutdown(long s, int how) {
        int r = Ws2.shutdown(s, how);
        return r >= 0 ? r : winsock(r, lastError());
    }
    @Override public int setsockopt(long s, int level, int name, long value, int len) {
        int r = Ws2.setsockopt(s, level, name, value, len);
        return r >= 0 ? r : winsock(r, lastError());
    }
    @Override public int getsockopt(long s, int level, int name, long value, long lenPtr) {
        int r = Ws2.getsockopt(s, level, name, value, lenPtr);
        return r >= 0 ? r : winsock(r, lastError());
    }
    @Override public int select(int nfds, long readfds, long writefds, long exceptfds, long timeout) {
        int r = Ws2.select(nfds, readfds, writefds, exceptfds, timeout);
        return r >= 0 ? r : winsock(r, lastError());
    }
    @Override public int sendto(long s, long buf, int len, int flags, long to, int tolen) {
        int r = Ws2.sendto(s, buf, len, flags, to, tolen);
        return r >= 0 ? r : winsock(r, lastError());
    }
    @Override public int recvfrom(long s, long buf, int len, int flags, long from, long fromlenPtr) {
        int r = Ws2.recvfrom(s, buf, len, flags, from, fromlenPtr);
        return r >= 0 ? r : winsock(r, lastError());
    }

    // ---- kernel32
    @Override public long CreateIoCompletionPort(long fileHandle, long existingPort, long completionKey,
            int concurrentThreads) {
        long h = K32.CreateIoCompletionPort(fileHandle, existingPort, completionKey, concurrentThreads);
        return h != 0L ? h : handle(h, lastError());
    }
    @Override public int GetQueuedCompletionStatusEx(long port, long entries, int count, long numRemoved, int millis,
            int alertable) {
        int r = K32.GetQueuedCompletionStatusEx(port, entries, count, numRemoved, millis, alertable);
        return r != 0 ? 1 : bool(r, lastError());
    }
    @Override public int PostQueuedCompletionStatus(long port, int bytes, long completionKey, long overlapped) {
        int r = K32.PostQueuedCompletionStatus(port, bytes, completionKey, overlapped);
        return r != 0 ? 1 : bool(r, lastError());
    }
    @Override public int CloseHandle(long h) {
        int r = K32.CloseHandle(h);
        return r != 0 ? 1 : bool(r, lastError());
    }
    @Override public int SetFileCompletionNotificationModes(long h, byte flags) {
        int r = K32.SetFileCompletionNotificationModes(h, flags);
        return r != 0 ? 1 : bool(r, lastError());
    }
    @Override public int SetHandleInformation(long h, int mask, int flags) {
        int r = K32.SetHandleInformation(h, mask, flags);
        return r != 0 ? 1 : bool(r, lastError());
    }

    // ---- ntdll
    @Override public int NtCreateFile(long fileHandlePtr, int desiredAccess, long objectAttributes, long ioStatusBlock,
            long allocationSize, int fileAttributes, int shareAccess, int createDisposition, int createOptions,
            long eaBuffer, int eaLength) {
        return Nt.NtCreateFile(fileHandlePtr, desiredAccess, objectAttributes, ioStatusBlock, allocationSize,
                fileAttributes, shareAccess, createDisposition, createOptions, eaBuffer, eaLength);
    }
    @Override public int NtDeviceIoControlFile(long file, long event, long apcRoutine, long apcContext,
            long ioStatusBlock, int ioControlCode, long inputBuffer, int inputLength, long outputBuffer,
            int outputLength) {
        return Nt.NtDeviceIoControlFile(file, event, apcRoutine, apcContext, ioStatusBlock, ioControlCode, inputBuffer,
                inputLength, outputBuffer, outputLength);
    }
    @Override public int NtCancelIoFileEx(long file, long ioRequestToCancel, long ioStatusBlock) {
        return Nt.NtCancelIoFileEx(file, ioRequestToCancel, ioStatusBlock);
    }
    @Override public int RtlNtStatusToDosError(int status) {
        return Nt.RtlNtStatusToDosError(status);
    }

    /** ws2_32.dll. */
    private static final class Ws2 {
        static {
            Native.register(Ws2.class, NativeLibrary.getInstance("ws2_32"));
        }

        static void init() { }

        static native int WSAStartup(short version, long wsaData);
        static native long WSASocketW(int af, int type, int protocol, long protocolInfo, int group, int flags);
        static native int closesocket(long s);
        static native int bind(long s, long addr, int addrlen);
        static native int listen(long s, int backlog);
        static native long accept(long s, long addr, long addrlenPtr);
        static native int connect(long s, long addr, int addrlen);
        static native int getsockname(long s, long addr, long addrlenPtr);
        static native int getpeername(long s, long addr, long addrlenPtr);
        static native int ioctlsocket(long s, int cmd, long argp);
        static native int WSAIoctl(long s, int code, long in, int inLen, long out, int outLen, long bytesReturned,
                long overlapped, long completionRoutine);
        static native int recv(long s, long buf, int len, int flags);
        static native int send(long s, long buf, int len, int flags);
        static native int WSARecv(long s, long buffers, int count, long bytesPtr, long flagsPtr, long overlapped,
                long completionRoutine);
        static native int WSASend(long s, long buffers, int count, long bytesPtr, int flags, long overlapped,
                long completionRoutine);
        static native int shutdown(long s, int how);
        static native int setsockopt(long s, int level, int name, long value, int len);
        static native int getsockopt(long s, int level, int name, long value, long lenPtr);
        static native int select(int nfds, long readfds, long writefds, long exceptfds, long timeout);
        static native int sendto(long s, long buf, int len, int flags, long to, int tolen);
        static native int recvfrom(long s, long buf, int len, int flags, long from, long fromlenPtr);
    }

    /** kernel32.dll. */
    private static final class K32 {
        static {
            Native.register(K32.class, NativeLibrary.getInstance("kernel32"));
        }

        static void init() { }

        static native long CreateIoCompletionPort(long fileHandle, long existingPort, long completionKey,
                int concurrentThreads);
        static native int GetQueuedCompletionStatusEx(long port, long entries, int count, long numRemoved,
                int millis, int alertable);
        static native int PostQueuedCompletionStatus(long port, int bytes, long completionKey, long overlapped);
        static native int CloseHandle(long handle);
        static native int SetFileCompletionNotificationModes(long handle, byte flags);
        static native int SetHandleInformation(long handle, int mask, int flags);
    }

    /** ntdll.dll: NTSTATUS results, no last error. */
    private static final class Nt {
        static {
            Native.register(Nt.class, NativeLibrary.getInstance("ntdll"));
        }

        static void init() { }

        static native int NtCreateFile(long fileHandlePtr, int desiredAccess, long objectAttributes,
                long ioStatusBlock, long allocationSize, int fileAttributes, int shareAccess, int createDisposition,
                int createOptions, long eaBuffer, int eaLength);
        static native int NtDeviceIoControlFile(long file, long event, long apcRoutine, long apcContext,
                long ioStatusBlock, int ioControlCode, long inputBuffer, int inputLength, long outputBuffer,
                int outputLength);
        static native int NtCancelIoFileEx(long file, long ioRequestToCancel, long ioStatusBlock);
        static native int RtlNtStatusToDosError(int status);
    }
}
