package io.edgewise.sys.windows;

/**
 * Every Win32/Winsock/NT function Edgewise calls, as one interface for the two bindings:
 * {@link JnaWinCalls} (every JDK) and {@code FfmWinCalls} (JDK 22+, compiled from {@code src/main/java22}),
 * chosen once by {@link WinLibrary} with the C library door's rule ({@code sys.posix.Binding}). Callers go
 * through the doors {@link Ws2_32}, {@link Kernel32}, {@link Ntdll}, which have the same methods.
 *
 * <p>Pointers, {@code SOCKET}s and {@code HANDLE}s are raw {@code long}s (64-bit); {@code int} is
 * {@code int}/{@code DWORD}/{@code ULONG}/{@code BOOL}/{@code NTSTATUS} (32-bit on Win64, also
 * {@code long}, which is 32-bit there). The error rule — the error is captured with the call (FFM:
 * {@code captureCallState("WSAGetLastError"/"GetLastError")} in the same downcall; JNA: its stub saves
 * {@code GetLastError} per thread right after the call, read at once by the binding) and returned with
 * the result, so no caller reads an error afterwards:
 * <ul>
 * <li>Winsock calls that return {@code int} ({@code SOCKET_ERROR} on failure): the result {@code >= 0},
 *     or {@code -WSAGetLastError()}; {@code WSAStartup} returns its error code itself, unchanged;</li>
 * <li>Winsock calls that return a {@code SOCKET} ({@code INVALID_SOCKET} on failure): the socket, or
 *     {@code -WSAGetLastError()} (a socket handle is never negative);</li>
 * <li>kernel32 {@code BOOL} calls: 1, or {@code -GetLastError()}; {@code CreateIoCompletionPort}: the port
 *     handle, or {@code -GetLastError()} ({@code NULL} on failure);</li>
 * <li>ntdll: the {@code NTSTATUS} (or DOS error) itself; those set no last error.</li>
 * </ul>
 * A failure whose captured error is 0 (never seen) reads as error 1 rather than as a success.
 */
interface WinCalls {
    // ---- ws2_32
    int WSAStartup(short version, long wsaData);
    long WSASocketW(int af, int type, int protocol, long protocolInfo, int group, int flags);
    int closesocket(long s);
    int bind(long s, long addr, int addrlen);
    int listen(long s, int backlog);
    long accept(long s, long addr, long addrlenPtr);
    int connect(long s, long addr, int addrlen);
    int getsockname(long s, long addr, long addrlenPtr);
    int getpeername(long s, long addr, long addrlenPtr);
    int ioctlsocket(long s, int cmd, long argp);
    int WSAIoctl(long s, int code, long in, int inLen, long out, int outLen, long bytesReturned, long overlapped,
            long completionRoutine);
    int recv(long s, long buf, int len, int flags);
    int send(long s, long buf, int len, int flags);
    int WSARecv(long s, long buffers, int count, long bytesPtr, long flagsPtr, long overlapped, long completionRoutine);
    int WSASend(long s, long buffers, int count, long bytesPtr, int flags, long overlapped, long completionRoutine);
    int shutdown(long s, int how);
    int setsockopt(long s, int level, int name, long value, int len);
    int getsockopt(long s, int level, int name, long value, long lenPtr);
    int select(int nfds, long readfds, long writefds, long exceptfds, long timeout);
    int sendto(long s, long buf, int len, int flags, long to, int tolen);
    int recvfrom(long s, long buf, int len, int flags, long from, long fromlenPtr);

    // ---- kernel32
    long CreateIoCompletionPort(long fileHandle, long existingPort, long completionKey, int concurrentThreads);
    int GetQueuedCompletionStatusEx(long port, long entries, int count, long numRemoved, int millis, int alertable);
    int PostQueuedCompletionStatus(long port, int bytes, long completionKey, long overlapped);
    int CloseHandle(long handle);
    int SetFileCompletionNotificationModes(long handle, byte flags);
    int SetHandleInformation(long handle, int mask, int flags);

    // ---- ntdll
    int NtCreateFile(long fileHandlePtr, int desiredAccess, long objectAttributes, long ioStatusBlock,
            long allocationSize, int fileAttributes, int shareAccess, int createDisposition, int createOptions,
            long eaBuffer, int eaLength);
    int NtDeviceIoControlFile(long file, long event, long apcRoutine, long apcContext, long ioStatusBlock,
            int ioControlCode, long inputBuffer, int inputLength, long outputBuffer, int outputLength);
    int NtCancelIoFileEx(long file, long ioRequestToCancel, long ioStatusBlock);
    int RtlNtStatusToDosError(int status);

    /** The folding of the rule above, shared by both bindings. */
    static int failed(int error) {
        return error != 0 ? -error : -1;
    }

    static int winsock(int r, int error) {
        return r >= 0 ? r : failed(error);
    }

    static long socket(long s, int error) {
        return s != -1L ? s : failed(error);
    }

    static int bool(int r, int error) {
        return r != 0 ? 1 : failed(error);
    }

    static long handle(long h, int error) {
        return h != 0L ? h : failed(error);
    }
}
