package io.edgewise.sys.windows;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The Winsock functions Edgewise calls, JNA direct mapping: {@code SOCKET}s and addresses are raw
 * {@code long}s, {@code int} lengths. On failure ({@code SOCKET_ERROR}/{@code INVALID_SOCKET}) read the
 * error with {@link com.sun.jna.Native#getLastError()} (JNA saves {@code GetLastError}, which is what
 * {@code WSAGetLastError} returns, right after the call) — never through {@code LastErrorException}.
 * Loaded on first use only.
 */
public final class Ws2_32 {
    static {
        Native.register(Ws2_32.class, NativeLibrary.getInstance("ws2_32"));
    }

    private Ws2_32() { }

    public static native int WSAStartup(short version, long wsaData);

    public static native long WSASocketW(int af, int type, int protocol, long protocolInfo, int group, int flags);

    public static native int closesocket(long s);

    public static native int bind(long s, long addr, int addrlen);

    public static native int listen(long s, int backlog);

    public static native long accept(long s, long addr, long addrlenPtr);

    public static native int connect(long s, long addr, int addrlen);

    public static native int getsockname(long s, long addr, long addrlenPtr);

    public static native int getpeername(long s, long addr, long addrlenPtr);

    public static native int ioctlsocket(long s, int cmd, long argp);

    public static native int WSAIoctl(long s, int code, long in, int inLen, long out, int outLen, long bytesReturned,
            long overlapped, long completionRoutine);

    public static native int recv(long s, long buf, int len, int flags);

    public static native int send(long s, long buf, int len, int flags);

    public static native int WSARecv(long s, long buffers, int count, long bytesPtr, long flagsPtr, long overlapped,
            long completionRoutine);

    public static native int WSASend(long s, long buffers, int count, long bytesPtr, int flags, long overlapped,
            long completionRoutine);

    public static native int shutdown(long s, int how);

    public static native int setsockopt(long s, int level, int name, long value, int len);

    public static native int getsockopt(long s, int level, int name, long value, long lenPtr);

    public static native int select(int nfds, long readfds, long writefds, long exceptfds, long timeout);

    public static native int WSAGetLastError();

    // ---- datagrams (WindowsDatagramOps, issue #20)

    public static native int sendto(long s, long buf, int len, int flags, long to, int tolen);

    public static native int recvfrom(long s, long buf, int len, int flags, long from, long fromlenPtr);
}
