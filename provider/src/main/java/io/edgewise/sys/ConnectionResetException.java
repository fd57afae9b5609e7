package io.edgewise.sys;

import java.net.SocketException;

/**
 * The peer reset the connection ({@code ECONNRESET} on a read, {@code WSAECONNRESET} on Windows). A
 * {@link SocketException} with the message the JDK gives, so programs that match on the message keep
 * working; Edgewise's own code recognises a reset by this type, never by the message.
 */
public final class ConnectionResetException extends SocketException {
    private static final long serialVersionUID = 1L;

    public ConnectionResetException() {
        super("Connection reset");
    }
}
