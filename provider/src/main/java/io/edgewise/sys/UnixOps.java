package io.edgewise.sys;

import io.edgewise.PeerCredentials;
import java.io.IOException;
import java.net.SocketAddress;

/**
 * The Unix-domain part of the socket-ops contract. Reads, writes, shutdown, the SOL_SOCKET options,
 * poll and close of these descriptors go through {@link SocketOps}; this interface covers what
 * depends on the address type. Addresses are {@code java.net.UnixDomainSocketAddress} (a path; the
 * empty path is the unnamed address) or {@code io.edgewise.AbstractUnixSocketAddress} (Linux's
 * abstract namespace). Results follow {@link SocketOps}.
 */
public interface UnixOps {
    /** Socket kinds, for {@link #inspect}. */
    int KIND_NONE = 0, KIND_STREAM = 1, KIND_LISTENER = 2, KIND_DATAGRAM = 3;

    /** A new non-blocking, close-on-exec AF_UNIX socket. */
    int socket(boolean stream) throws IOException;

    /** Binds to a path or abstract name; a path that exists is {@code BindException}, as on the JDK. */
    void bind(int fd, SocketAddress local) throws IOException;

    /**
     * Connects: 1 when connected, {@link SocketOps#UNAVAILABLE} when the listener's backlog is full
     * (retry later: Unix sockets have no pending state), {@link SocketOps#INTERRUPTED}.
     */
    int connect(int fd, SocketAddress remote) throws IOException;

    /** Accepts one connection (non-blocking descriptor), or UNAVAILABLE / INTERRUPTED. */
    int accept(int fd) throws IOException;

    /**
     * The peer's address ({@code peer}; the unnamed address for an unbound peer) or the socket's own
     * (the unnamed address when unbound).
     */
    SocketAddress address(int fd, boolean peer) throws IOException;

    default SocketAddress localAddress(int fd) throws IOException {
        return address(fd, false);
    }

    default SocketAddress remoteAddress(int fd) throws IOException {
        return address(fd, true);
    }

    PeerCredentials peerCredentials(int fd) throws IOException;

    /** Whether the OS reports a peer's credentials (SO_PEERCRED is a supported option): not on Windows. */
    default boolean peerCredentialsSupported() {
        return true;
    }

    /**
     * Where automatically named sockets go unless {@code jdk.net.unixdomain.tmpdir} says: the JDK's
     * choice on this OS ({@code java.io.tmpdir}; Windows tries {@code %TEMP%} first).
     */
    default String defaultTempDir() {
        return SystemProps.get("java.io.tmpdir");
    }

    /** Length in bytes of a path in {@code sun_path}, for the JDK's "path too long" check. */
    int maxPathBytes();

    // ---- inherited descriptors (System.inheritedChannel)

    /**
     * Duplicates {@code fd} (close-on-exec, non-blocking) if it is a socket and returns
     * {@code dup | kind << 32 | family << 40} with kind KIND_* and family SocketOps.INET/INET6 or
     * {@link DatagramOps#UNIX}; -1 when {@code fd} is not a socket of a family Edgewise serves.
     */
    long inspect(int fd) throws IOException;

    /** Points descriptors 0, 1 and 2 at /dev/null (the JDK's behaviour when an inherited channel closes). */
    void detachStandardStreams() throws IOException;
}
