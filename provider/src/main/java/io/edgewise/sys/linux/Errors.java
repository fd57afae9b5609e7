package io.edgewise.sys.linux;

import io.edgewise.sys.posix.LibC;
import static io.edgewise.sys.linux.Linux.*;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.SocketException;

/** errno to the exception the JDK throws for it, with the JDK's messages (strerror). */
final class Errors {
    private Errors() { }

    static String message(int errno) {
        String s = LibC.strerror(errno);
        return s != null ? s : "errno " + errno;
    }

    /** Socket-level calls (socket, bind, connect, accept, options): the JDK's handleSocketError. */
    static IOException socket(int errno) {
        String msg = message(errno);
        switch (errno) {
            case ECONNREFUSED: case ETIMEDOUT: case ENOTCONN:
                return new ConnectException(msg);
            case EHOSTUNREACH:
                return new NoRouteToHostException(msg);
            case EADDRINUSE: case EADDRNOTAVAIL: case EACCES:
                return new BindException(msg);
            case EPROTO:
                return new ProtocolException(msg);
            default:
                return new SocketException(msg);
        }
    }

    /** Reads: a reset connection is {@code SocketException("Connection reset")}, as on the JDK. */
    static IOException read(int errno) {
        if (errno == ECONNRESET) {
            return new SocketException("Connection reset");
        }
        return new IOException(message(errno));
    }

    /** Writes and other plain descriptor calls: {@code IOException(strerror)}. */
    static IOException io(int errno) {
        return new IOException(message(errno));
    }
}
