package io.edgewise.channels;

import java.io.IOException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.AlreadyBoundException;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NotYetBoundException;
import java.nio.channels.NotYetConnectedException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;

/** Channel exceptions translated to the {@code java.net} exceptions the socket adaptors throw. */
final class Exceptions {
    private Exceptions() { }

    /**
     * As the JDK's adaptors do for connect, bind, accept and shutdown: an {@link IOException} from the
     * channel (e.g. {@link ClosedChannelException}, {@code AsynchronousCloseException}) passes unchanged;
     * the unchecked channel exceptions become {@link SocketException}s.
     */
    static IOException translatePassingIO(Exception e, boolean unknownHostForUnresolved) {
        if (e instanceof IOException io) return io;
        return translate(e, unknownHostForUnresolved);
    }

    /**
     * {@link #translate} for the adaptor methods declared to throw only {@link SocketException}
     * (options, timeouts): another {@code IOException} is wrapped in one.
     */
    static SocketException toSocketException(Exception e) {
        IOException x = translate(e, false);
        if (x instanceof SocketException) return (SocketException) x;
        SocketException se = new SocketException(x.getMessage());
        se.initCause(x);
        return se;
    }

    static IOException translate(Exception e, boolean unknownHostForUnresolved) {
        if (e instanceof ClosedChannelException) return new SocketException("Socket is closed");
        if (e instanceof NotYetConnectedException) return new SocketException("Socket is not connected");
        if (e instanceof AlreadyBoundException) return new SocketException("Already bound");
        if (e instanceof NotYetBoundException) return new SocketException("Socket is not bound yet");
        if (e instanceof UnsupportedAddressTypeException) return new SocketException("Unsupported address type");
        if (e instanceof UnresolvedAddressException) {
            return unknownHostForUnresolved ? new UnknownHostException() : new SocketException("Unresolved address");
        }
        if (e instanceof AlreadyConnectedException) return new SocketException("Already connected");
        if (e instanceof ConnectionPendingException) return new SocketException("Connection pending");
        if (e instanceof IOException) return (IOException) e;
        if (e instanceof RuntimeException) throw (RuntimeException) e;
        return new SocketException(e.toString());
    }
}
