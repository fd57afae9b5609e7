package io.edgewise.sys.windows;

/**
 * The door to the Winsock functions Edgewise calls ({@code ws2_32.dll}), through the binding
 * {@link WinLibrary} chose (FFM on JDK 22+, JNA otherwise): {@code SOCKET}s and addresses are raw
 * {@code long}s, {@code int} lengths. The error comes back with the result ({@link WinCalls}' rule): an
 * {@code int} call returns {@code >= 0} or {@code -WSAGetLastError()}, a {@code SOCKET} call the socket or
 * {@code -error}; {@code WSAStartup} returns its error code. Nothing is read after the call.
 */
public final class Ws2_32 {
    private Ws2_32() { }

    public static int WSAStartup(short version, long wsaData) {
        return WinLibrary.CALLS.WSAStartup(version, wsaData);
    }

    public static long WSASocketW(int af, int type, int protocol, long protocolInfo, int group, int flags) {
        return WinLibrary.CALLS.WSASocketW(af, type, protocol, protocolInfo, group, flags);
    }

    public static int closesocket(long s) {
        return WinLibrary.CALLS.closesocket(s);
    }

    public static int bind(long s, long addr, int addrlen) {
        return WinLibrary.CALLS.bind(s, addr, addrlen);
    }

    public static int listen(long s, int backlog) {
        return WinLibrary.CALLS.listen(s, backlog);
    }

    public static long accept(long s, long addr, long addrlenPtr) {
        return WinLibrary.CALLS.accept(s, addr, addrlenPtr);
    }

    public static int connect(long s, long addr, int addrlen) {
        return WinLibrary.CALLS.connect(s, addr, addrlen);
    }

    public static int getsockname(long s, long addr, long addrlenPtr) {
        return WinLibrary.CALLS.getsockname(s, addr, addrlenPtr);
    }

    public static int getpeername(long s, long addr, long addrlenPtr) {
        return WinLibrary.CALLS.getpeername(s, addr, addrlenPtr);
    }

    public static int ioctlsocket(long s, int cmd, long argp) {
        return WinLibrary.CALLS.ioctlsocket(s, cmd, argp);
    }

    public static int WSAIoctl(long s, int code, long in, int inLen, long out, int outLen, long bytesReturned, long overlapped, long completionRoutine) {
        return WinLibrary.CALLS.WSAIoctl(s, code, in, inLen, out, outLen, bytesReturned, overlapped, completionRoutine);
    }

    public static int recv(long s, long buf, int len, int flags) {
        return WinLibrary.CALLS.recv(s, buf, len, flags);
    }

    public static int send(long s, long buf, int len, int flags) {
        return WinLibrary.CALLS.send(s, buf, len, flags);
    }

    public static int WSARecv(long s, long buffers, int count, long bytesPtr, long flagsPtr, long overlapped, long completionRoutine) {
        return WinLibrary.CALLS.WSARecv(s, buffers, count, bytesPtr, flagsPtr, overlapped, completionRoutine);
    }

    public static int WSASend(long s, long buffers, int count, long bytesPtr, int flags, long overlapped, long completionRoutine) {
        return WinLibrary.CALLS.WSASend(s, buffers, count, bytesPtr, flags, overlapped, completionRoutine);
    }

    public static int shutdown(long s, int how) {
        return WinLibrary.CALLS.shutdown(s, how);
    }

    public static int setsockopt(long s, int level, int name, long value, int len) {
        return WinLibrary.CALLS.setsockopt(s, level, name, value, len);
    }

    public static int getsockopt(long s, int level, int name, long value, long lenPtr) {
        return WinLibrary.CALLS.getsockopt(s, level, name, value, lenPtr);
    }

    public static int select(int nfds, long readfds, long writefds, long exceptfds, long timeout) {
        return WinLibrary.CALLS.select(nfds, readfds, writefds, exceptfds, timeout);
    }

    public static int sendto(long s, long buf, int len, int flags, long to, int tolen) {
        return WinLibrary.CALLS.sendto(s, buf, len, flags, to, tolen);
    }

    public static int recvfrom(long s, long buf, int len, int flags, long from, long fromlenPtr) {
        return WinLibrary.CALLS.recvfrom(s, buf, len, flags, from, fromlenPtr);
    }
}
