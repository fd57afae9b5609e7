package io.edgewise.sys;

import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketOption;

/**
 * The datagram part of the socket-ops contract (companion of {@link SocketOps}, which still opens,
 * binds, connects, polls and closes datagram sockets): sending and receiving one datagram, the
 * connected-datagram calls that report ICMP refusals, disconnect, and multicast.
 *
 * <p>Families are {@link SocketOps#INET}, {@link SocketOps#INET6} and {@link #UNIX}. Addresses are
 * {@code InetSocketAddress} for the first two; for {@link #UNIX}, {@code java.net.UnixDomainSocketAddress}
 * or {@code io.edgewise.AbstractUnixSocketAddress}.
 *
 * <p>Results follow {@link SocketOps}: a count {@code >= 0} (a zero-length datagram counts 0),
 * {@link SocketOps#UNAVAILABLE} or {@link SocketOps#INTERRUPTED}. A datagram longer than the
 * buffer is truncated and its rest discarded. An ICMP port-unreachable reported to a connected socket
 * is thrown as {@code java.net.PortUnreachableException}; on an unconnected socket it is ignored.
 *
 * <p>Thread confinement: {@link #receive} leaves the sender's address in per-thread memory, which
 * {@link #sender} reads; call both on the same thread with no other receive in between.
 */
public interface DatagramOps {
    /** Unix domain datagram sockets (the other families are SocketOps'). */
    int UNIX = 1;

    /** A new non-blocking, close-on-exec datagram socket of the family (INET6 is dual-stack). */
    int socket(int family) throws IOException;

    /** sendto(2) of {@code length} bytes at {@code address} to {@code target}. */
    int send(int fd, int family, long address, int length, SocketAddress target) throws IOException;

    /** recvfrom(2) into {@code length} bytes at {@code address}; the sender is kept for {@link #sender}. */
    int receive(int fd, long address, int length, boolean connected) throws IOException;

    /**
     * The sender of the datagram last received on this thread (null when the kernel gave none). The
     * same object as last time when the address is unchanged, so a steady peer costs no allocation.
     */
    SocketAddress sender(int family);

    /** read(2) on a connected socket: one datagram. */
    int read(int fd, long address, int length) throws IOException;

    /** write(2) on a connected socket: one datagram. */
    int write(int fd, long address, int length) throws IOException;

    /** readv(2) / writev(2) on a connected socket (iovecs as {@link ByteIo#putIovec} writes them). */
    long readv(int fd, long iov, int count) throws IOException;

    long writev(int fd, long iov, int count) throws IOException;

    /**
     * Called after connect associated the socket with one peer, for what the OS must be told then
     * (Windows: report ICMP refusals from now on, as the JDK does). Nothing by default.
     */
    default void connected(int fd) throws IOException {
    }

    /** Dissolves the association made by connect (connect to AF_UNSPEC). */
    void disconnect(int fd) throws IOException;

    /**
     * Multicast membership changes. {@code op}: {@link #JOIN}, {@link #DROP}, {@link #BLOCK},
     * {@link #UNBLOCK}. {@code source} is the source of a source-specific membership (JOIN/DROP) or the
     * source to block or unblock, else null. {@code ifindex} identifies the interface.
     */
    void membership(int fd, int family, int op, InetAddress group, int ifindex, InetAddress source) throws IOException;

    int JOIN = 0, DROP = 1, BLOCK = 2, UNBLOCK = 3;

    /** Whether {@link #setOption}/{@link #getOption} handle {@code name} (multicast options). */
    boolean handlesOption(SocketOption<?> name);

    /** The {@code jdk.net.ExtendedSocketOptions} this OS implements for datagram sockets. */
    java.util.Set<SocketOption<?>> extendedOptions();

    /** IP_MULTICAST_IF, IP_MULTICAST_TTL, IP_MULTICAST_LOOP with the JDK's IPv4/IPv6 rules. */
    <T> void setOption(int fd, int family, SocketOption<T> name, T value) throws IOException;

    <T> T getOption(int fd, int family, SocketOption<T> name) throws IOException;

    /** The first IPv4 address of an interface, or null (the JDK's rule for IPv4 multicast). */
    static java.net.Inet4Address anyInet4Address(NetworkInterface ni) {
        for (java.util.Enumeration<InetAddress> e = ni.getInetAddresses(); e.hasMoreElements(); ) {
            InetAddress a = e.nextElement();
            if (a instanceof java.net.Inet4Address) {
                return (java.net.Inet4Address) a;
            }
        }
        return null;
    }
}
