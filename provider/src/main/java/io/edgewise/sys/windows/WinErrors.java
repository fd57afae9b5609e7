package io.edgewise.sys.windows;

import io.edgewise.sys.ConnectionResetException;
import static io.edgewise.sys.windows.Win64.*;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;

/**
 * Winsock errors to the exceptions the JDK throws for them on Windows ({@code NET_ThrowNew} /
 * {@code handleSocketError}): refused or timed-out connects are {@link ConnectException}, an unreachable
 * host {@link NoRouteToHostException}, an address in use / not available / forbidden a
 * {@link BindException}, everything else a {@link SocketException}; a reset read is
 * {@code SocketException("Connection reset")}. Messages are short English texts with the error number.
 * Pure Java, unit-tested on every platform.
 */
public final class WinErrors {
    private WinErrors() { }

    public static String message(int err) {
        String m;
        switch (err) {
            case WSAEINTR: m = "Interrupted function call"; break;
            case WSAEBADF: case WSAENOTSOCK: m = "Socket operation on nonsocket"; break;
            case WSAEACCES: m = "Permission denied"; break;
            case WSAEFAULT: m = "Bad address"; break;
            case WSAEINVAL: m = "Invalid argument"; break;
            case WSAEMFILE: m = "Too many open files"; break;
            case WSAEWOULDBLOCK: m = "Resource temporarily unavailable"; break;
            case WSAEINPROGRESS: m = "Operation now in progress"; break;
            case WSAEALREADY: m = "Operation already in progress"; break;
            case WSAEMSGSIZE: m = "Message too long"; break;
            case WSAENOPROTOOPT: m = "Bad protocol option"; break;
            case WSAEOPNOTSUPP: m = "Operation not supported"; break;
            case WSAEAFNOSUPPORT: m = "Address family not supported by protocol family"; break;
            case WSAEADDRINUSE: m = "Address already in use"; break;
            case WSAEADDRNOTAVAIL: m = "Cannot assign requested address"; break;
            case WSAENETDOWN: m = "Network is down"; break;
            case WSAENETUNREACH: m = "Network is unreachable"; break;
            case WSAENETRESET: m = "Network dropped connection on reset"; break;
            case WSAECONNABORTED: m = "Software caused connection abort"; break;
            case WSAECONNRESET: m = "Connection reset by peer"; break;
            case WSAENOBUFS: m = "No buffer space available"; break;
            case WSAEISCONN: m = "Socket is already connected"; break;
            case WSAENOTCONN: m = "Socket is not connected"; break;
            case WSAESHUTDOWN: m = "Cannot send after socket shutdown"; break;
            case WSAETIMEDOUT: m = "Connection timed out"; break;
            case WSAECONNREFUSED: m = "Connection refused"; break;
            case WSAEHOSTDOWN: m = "Host is down"; break;
            case WSAEHOSTUNREACH: m = "No route to host"; break;
            case WSANOTINITIALISED: m = "Successful WSAStartup not yet performed"; break;
            default: m = "Winsock error";
        }
        return m + " (WSAError: " + err + ")";
    }

    /** socket, bind, connect, accept, options. */
    public static IOException socket(int err) {
        String msg = message(err);
        switch (err) {
            case WSAECONNREFUSED: case WSAETIMEDOUT: case WSAENOTCONN:
                return new ConnectException(msg);
            case WSAEHOSTUNREACH: case WSAENETUNREACH:
                return new NoRouteToHostException(msg);
            case WSAEADDRINUSE: case WSAEADDRNOTAVAIL: case WSAEACCES:
                return new BindException(msg);
            default:
                return new SocketException(msg);
        }
    }

    /** Reads: a reset or aborted connection is a {@link ConnectionResetException} ("Connection reset"). */
    public static IOException read(int err) {
        if (err == WSAECONNRESET || err == WSAECONNABORTED || err == WSAENETRESET) {
            return new ConnectionResetException();
        }
        return new IOException(message(err));
    }

    /** Writes and other calls: {@code IOException}; a reset peer is "Connection reset by peer". */
    public static IOException io(int err) {
        return new IOException(message(err));
    }
}
