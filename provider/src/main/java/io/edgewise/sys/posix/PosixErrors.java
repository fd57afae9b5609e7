package io.edgewise.sys.posix;

import io.edgewise.sys.ConnectionResetException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProtocolException;
import java.net.SocketException;

/**
 * errno to the exception the JDK throws for it, with the C library's message ({@code strerror}), for
 * one platform's errno numbers ({@link PosixNet}). Stateless.
 */
public final class PosixErrors {
    private final PosixNet n;

    public PosixErrors(PosixNet n) {
        this.n = n;
    }

    public static String message(int errno) {
        String s = LibC.strerror(errno);
        return s != null ? s : "errno " + errno;
    }

    /** Socket-level calls (socket, bind, connect, accept, options): as the JDK maps a socket error. */
    public IOException socket(int errno) {
        String msg = message(errno);
        if (errno == n.econnrefused || errno == n.etimedout || errno == n.enotconn) return new ConnectException(msg);
        if (errno == n.ehostunreach) return new NoRouteToHostException(msg);
        if (errno == n.eaddrinuse || errno == n.eaddrnotavail || errno == n.eacces) return new BindException(msg);
        if (errno == n.eproto) return new ProtocolException(msg);
        return new SocketException(msg);
    }

    /** Reads: a reset connection is a {@link ConnectionResetException} ("Connection reset", as on the JDK). */
    public IOException read(int errno) {
        return errno == n.econnreset ? new ConnectionResetException() : new IOException(message(errno));
    }

    /** Writes and other plain descriptor calls: {@code IOException(strerror)}. */
    public IOException io(int errno) {
        return new IOException(message(errno));
    }
}
