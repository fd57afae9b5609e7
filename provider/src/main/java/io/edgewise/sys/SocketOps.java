package io.edgewise.sys;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;

/**
 * The socket-ops contract: everything the channels ask of the operating system, in the terms of
 * {@code java.net}. One implementation per OS family (POSIX on Linux today); nothing above this
 * interface sees errno, a struct layout or a platform constant.
 *
 * <p>Descriptors are plain {@code int}s, always non-blocking and close-on-exec. Data calls take raw
 * native addresses. Results of data calls follow the JDK's {@code IOStatus} convention: a count
 * {@code >= 0}, or {@link #EOF}, {@link #UNAVAILABLE} (would block), {@link #INTERRUPTED} (EINTR, the
 * caller decides whether to retry). Every other failure is thrown as the exception the JDK throws for
 * it ({@code ConnectException}, {@code BindException}, {@code SocketException("Connection reset")}...).
 *
 * <p>This is one job of the contract, the socket's lifecycle, options and addresses. The others are
 * interfaces of their own, which callers take where they need them ({@code Platform} hands each out):
 * moving bytes ({@link ByteIo}), waiting on a descriptor ({@link WaitOps}) and pipes ({@link PipeOps}).
 * One platform object may implement them all; no caller sees more than the part it asked for.
 */
public interface SocketOps {
    int EOF = -1;
    int UNAVAILABLE = -2;
    int INTERRUPTED = -3;

    /** Address families, as the channels name them. */
    int INET = 4, INET6 = 6;

    boolean ipv6Available();

    /** The native binding in use ("jna" or "ffm"), for diagnostics. */
    default String binding() {
        return "jna";
    }

    /** A new non-blocking TCP ({@code stream}) or UDP socket of the family; dual-stack for INET6. */
    int socket(int family, boolean stream) throws IOException;

    void bind(int fd, int family, InetSocketAddress local) throws IOException;

    void listen(int fd, int backlog) throws IOException;

    /**
     * Accepts one connection; the new descriptor is non-blocking. Returns the descriptor, or
     * UNAVAILABLE / INTERRUPTED. {@code remote[0]} receives the peer's address.
     */
    int accept(int fd, int family, InetSocketAddress[] remote) throws IOException;

    /** Starts a connect: 1 when connected at once, UNAVAILABLE when in progress, or INTERRUPTED. */
    int connect(int fd, int family, InetSocketAddress remote) throws IOException;

    /** Completes a pending connect: true when connected, false while still pending; throws its error. */
    boolean finishConnect(int fd) throws IOException;

    /** The peer's address ({@code peer}) or the socket's own ({@code 0.0.0.0:0} while unbound). */
    InetSocketAddress address(int fd, boolean peer) throws IOException;

    default InetSocketAddress localAddress(int fd) throws IOException {
        return address(fd, false);
    }

    default InetSocketAddress remoteAddress(int fd) throws IOException {
        return address(fd, true);
    }

    /** Bytes that can be read without blocking (FIONREAD). */
    int available(int fd) throws IOException;

    /** Sends one byte of urgent (out-of-band) data; 0 when the send buffer is full. */
    int sendUrgent(int fd, int data) throws IOException;

    /** {@code how}: 0 input, 1 output. A socket that is not connected is not an error. */
    void shutdown(int fd, int how) throws IOException;

    <T> void setOption(int fd, int family, SocketOption<T> name, T value) throws IOException;

    <T> T getOption(int fd, int family, SocketOption<T> name) throws IOException;

    /** The options of this layer, which {@link #extendedOptions} and {@link #supportsOption} read by default. */
    default SocketOptionTable optionTable() {
        throw new UnsupportedOperationException("no option table");
    }

    /** The {@code jdk.net.ExtendedSocketOptions} this OS implements for such a socket. */
    default java.util.Set<SocketOption<?>> extendedOptions(boolean stream, boolean server) {
        return optionTable().extendedOptions(stream);
    }

    /** Whether this OS supports the option for a stream ({@code true}) or datagram socket. */
    default boolean supportsOption(SocketOption<?> name, boolean stream) {
        return optionTable().supports(name);
    }

    /**
     * Makes descriptor number {@code target} refer to {@code source}'s socket, atomically and
     * close-on-exec ({@code dup3}); {@code source} stays open.
     */
    default void replace(int source, int target) throws IOException {
        throw new UnsupportedOperationException("descriptor replacement is not available on this platform");
    }

    /** Closes a descriptor; never retried on EINTR. */
    void close(int fd) throws IOException;
}
