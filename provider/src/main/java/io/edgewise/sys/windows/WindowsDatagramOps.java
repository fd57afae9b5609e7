package io.edgewise.sys.windows;

import io.edgewise.sys.Scratch;
import io.edgewise.sys.SocketOptionTable;
import static io.edgewise.sys.windows.Win64.*;
import static io.edgewise.sys.windows.Win64Net.*;

import io.edgewise.sys.DatagramOps;
import io.edgewise.sys.PollEvents;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.Set;

/**
 * {@link DatagramOps} through Winsock: UDP over IPv4 and dual-stack IPv6 sockets made by
 * {@link WindowsSocketOps} (whose descriptors and handle table they share). No Unix-domain datagrams:
 * Windows' AF_UNIX has only stream sockets, and the JDK opens none ({@link #socket} throws its
 * UnsupportedOperationException).
 *
 * <p>What Windows does differently from POSIX, and what the JDK does about it on Windows (its
 * {@code windows/native/libnio/ch} DatagramChannelImpl.c, DatagramDispatcher.c and Net.c; the Java side,
 * sun/nio/ch/DatagramChannelImpl, is shared):
 * <ul>
 * <li>An ICMP port unreachable makes a later receive fail with WSAECONNRESET. The JDK turns that off
 *     ({@code SIO_UDP_CONNRESET} FALSE) on every new UDP socket, on when it connects (Net.connect0), off
 *     again on disconnect; a WSAECONNRESET that still arrives is drained (the JDK's
 *     purgeOutstandingICMP) and is a PortUnreachableException when connected, else the receive is
 *     retried. {@link #connected} is the hook the channel calls after its connect.
 * <li>A datagram longer than the buffer fails with WSAEMSGSIZE after filling it: the buffer's length is
 *     returned and the rest is lost, as POSIX truncates silently.
 * <li>Disconnect is a connect to an all-zero 28-byte address (AF_UNSPEC).
 * <li>Multicast: IPv4 groups always at the IPv4 level ({@code ip_mreq}; source-specific with Windows'
 *     {@code ip_mreq_source}, source before interface), also on an IPv6 socket; IPv6 groups with
 *     {@code ipv6_mreq}, their source filters with {@code group_source_req} (MCAST_*_SOURCE*). A join
 *     the stack refuses with WSAENOPROTOOPT is UnsupportedOperationException.
 * <li>Multicast options are DWORDs; on an IPv6 socket the IPv4 option is set too, best effort; an IPv6
 *     socket bound to an IPv4 address takes the IPv4 options only (the JDK's
 *     canUseIPv6OptionsWithIPv4LocalAddress is false on Windows).
 * </ul>
 * Every WSAEWOULDBLOCK is reported to {@link WouldBlock} (the IOCP backend's re-arm). Stateless apart
 * from a per-thread scratch area, as {@code PosixDatagramOps}.
 */
public final class WindowsDatagramOps implements DatagramOps {
    private final WindowsSocketOps ops;

    // scratch layout
    private static final int TARGET = 0, SRC = 128, SRCLEN = 256, OPT = 264, OPTLEN = 272, BYTES = 280,
            FLAGS = 288, PEEK = 296, GREQ = 304, CACHED = GREQ + GROUP_SOURCE_REQ_SIZE,
            SCRATCH_SIZE = CACHED + SOCKADDR_STORAGE_SIZE;

    private static final ThreadLocal<Scratch> SCRATCH = Scratch.perThread(SCRATCH_SIZE);

    public WindowsDatagramOps(WindowsSocketOps ops) {
        this.ops = ops;
    }

    /** UDP (SIO_UDP_CONNRESET off, IPv6 dual-stack: WindowsSocketOps sets both up). */
    @Override
    public int socket(int family) throws IOException {
        if (family == UNIX) {
            throw new UnsupportedOperationException("Protocol family not supported");
        }
        return ops.socket(family, false);
    }

    // ---- send and receive

    /** Encodes {@code target} at TARGET unless it is the address encoded there last. */
    private static int encodeTarget(Scratch s, int family, SocketAddress target) {
        int known = s.addresses().targetLength(target, family);
        if (known >= 0) {
            return known;
        }
        int len = WinSockAddr.encode(s.buf, TARGET, family == SocketOps.INET6, (InetSocketAddress) target);
        return s.addresses().rememberTarget(target, family, len);
    }

    @Override
    public int send(int fd, int family, long address, int length, SocketAddress target) throws IOException {
        long h = ops.socketOf(fd);
        Scratch s = SCRATCH.get();
        int len = encodeTarget(s, family, target);
        int r = Ws2_32.sendto(h, address, length, 0, s.addr + TARGET, len);
        if (r >= 0) return r;
        int e = -r;
        int n = transientResult(fd, e, PollEvents.OUT);
        if (n != 0) return n;
        throw WinErrors.socket(e);
    }

    /** UNAVAILABLE (reported to WouldBlock) or INTERRUPTED for a transient error, else 0. */
    private static int transientResult(int fd, int e, int events) {
        if (e == WSAEWOULDBLOCK) {
            WouldBlock.report(fd, events);
            return SocketOps.UNAVAILABLE;
        }
        return e == WSAEINTR ? SocketOps.INTERRUPTED : 0;
    }

    @Override
    public int receive(int fd, long address, int length, boolean connected) throws IOException {
        long h = ops.socketOf(fd);
        Scratch s = SCRATCH.get();
        for (;;) {
            s.buf.putInt(SRCLEN, SOCKADDR_STORAGE_SIZE);
            s.buf.putShort(SRC, (short) 0); // AF_UNSPEC when Winsock names no sender
            int r = Ws2_32.recvfrom(h, address, length, 0, s.addr + SRC, s.addr + SRCLEN);
            if (r >= 0) return r;
            int e = -r;
            if (e == WSAEMSGSIZE) {
                return length; // the buffer holds the datagram's head; the rest is gone
            }
            if (e == WSAECONNRESET) {
                purgeIcmp(h, s);
                if (connected) throw new PortUnreachableException();
                continue; // a stale refusal: the next datagram, if any
            }
            int n = transientResult(fd, e, PollEvents.IN);
            if (n != 0) return n;
            throw WinErrors.socket(e);
        }
    }

    /**
     * Consumes the ICMP refusals queued before the next datagram (each one is a WSAECONNRESET of a peek),
     * so that one refusal is reported once. Bounded: a flood of refusals cannot hold the caller.
     */
    private static void purgeIcmp(long h, Scratch s) {
        for (int i = 0; i < 64; i++) {
            s.buf.putInt(SRCLEN, SOCKADDR_STORAGE_SIZE);
            if (Ws2_32.recvfrom(h, s.addr + PEEK, 1, MSG_PEEK, s.addr + SRC, s.addr + SRCLEN) != -WSAECONNRESET) {
                return;
            }
            s.buf.putInt(SRCLEN, SOCKADDR_STORAGE_SIZE);
            Ws2_32.recvfrom(h, s.addr + PEEK, 1, 0, s.addr + SRC, s.addr + SRCLEN);
        }
        s.buf.putInt(SRCLEN, 0);
    }

    @Override
    public SocketAddress sender(int family) {
        Scratch s = SCRATCH.get();
        ByteBuffer b = s.buf;
        int len = Math.min(b.getInt(SRCLEN), SOCKADDR_STORAGE_SIZE);
        if (len < 2) {
            return null;
        }
        SocketAddress known = s.addresses().sender(b, SRC, CACHED, len);
        if (known != null) {
            return known;
        }
        InetSocketAddress sa = WinSockAddr.decode(b, SRC);
        return s.addresses().rememberSender(b, SRC, CACHED, len, sa);
    }

    // ---- connected sockets: the JDK's DatagramDispatcher on Windows

    /** A failed data call on a connected socket: UNAVAILABLE/INTERRUPTED, else the JDK's exception. */
    private static long connectedError(int fd, long h, int e, int events) throws IOException {
        if (e == WSAECONNRESET) {
            purgeIcmp(h, SCRATCH.get());
            throw new PortUnreachableException();
        }
        int n = transientResult(fd, e, events);
        if (n != 0) return n;
        throw WinErrors.io(e);
    }

    @Override
    public int read(int fd, long address, int length) throws IOException {
        long h = ops.socketOf(fd);
        int r = Ws2_32.recv(h, address, length, 0);
        if (r >= 0) return r;
        int e = -r;
        if (e == WSAEMSGSIZE) return length;
        return (int) connectedError(fd, h, e, PollEvents.IN);
    }

    @Override
    public int write(int fd, long address, int length) throws IOException {
        long h = ops.socketOf(fd);
        int r = Ws2_32.send(h, address, length, 0);
        if (r >= 0) return r;
        return (int) connectedError(fd, h, -r, PollEvents.OUT);
    }

    @Override
    public long readv(int fd, long iov, int count) throws IOException {
        long h = ops.socketOf(fd);
        Scratch s = SCRATCH.get();
        int rc = Ws2_32.WSARecv(h, iov, count, s.zeroedInt(BYTES), s.zeroedInt(FLAGS), 0L, 0L);
        if (rc == 0) {
            return s.buf.getInt(BYTES) & 0xffffffffL;
        }
        int e = -rc;
        if (e == WSAEMSGSIZE) return total(iov, count); // every buffer filled
        return connectedError(fd, h, e, PollEvents.IN);
    }

    @Override
    public long writev(int fd, long iov, int count) throws IOException {
        long h = ops.socketOf(fd);
        Scratch s = SCRATCH.get();
        int rc = Ws2_32.WSASend(h, iov, count, s.zeroedInt(BYTES), 0, 0L, 0L);
        if (rc == 0) {
            return s.buf.getInt(BYTES) & 0xffffffffL;
        }
        return connectedError(fd, h, -rc, PollEvents.OUT);
    }

    /** Sum of the lengths of {@code count} WSABUFs (only after a truncation: allocation is fine there). */
    private static long total(long iov, int count) {
        long t = 0;
        for (int i = 0; i < count; i++) {
            t += io.edgewise.sys.NativeMemory.getInt(iov + (long) i * WSABUF_SIZE + WSABUF_LEN) & 0xffffffffL;
        }
        return t;
    }

    // ---- association

    @Override
    public void connected(int fd) throws IOException {
        connReset(ops.socketOf(fd), true);
    }

    /** SIO_UDP_CONNRESET: best effort, as the JDK (a socket that keeps the old setting still works). */
    private static void connReset(long h, boolean on) {
        Scratch s = SCRATCH.get();
        s.buf.putInt(OPT, on ? 1 : 0);
        Ws2_32.WSAIoctl(h, SIO_UDP_CONNRESET, s.addr + OPT, DWORD_SIZE, 0L, 0, s.addr + BYTES, 0L, 0L);
    }

    /** connect to an all-zero SOCKADDR_IN6-sized address (AF_UNSPEC), then refusals off again. */
    @Override
    public void disconnect(int fd) throws IOException {
        long h = ops.socketOf(fd);
        Scratch s = SCRATCH.get();
        for (int i = 0; i < 32; i += 8) s.buf.putLong(TARGET + i, 0L);
        s.addresses().forgetTarget();
        int rc = Ws2_32.connect(h, s.addr + TARGET, SOCKADDR_IN6_SIZE);
        if (rc != 0) {
            throw WinErrors.socket(-rc);
        }
        connReset(h, false);
    }

    // ---- multicast

    @Override
    public void membership(int fd, int family, int op, InetAddress group, int ifindex, InetAddress source)
            throws IOException {
        long h = ops.socketOf(fd);
        Scratch s = SCRATCH.get();
        byte[] ifaddr = group instanceof Inet4Address ? interfaceAddress(ifindex) : null;
        long req = membershipRequest(s.buf, GREQ, op, group, ifaddr, ifindex, source);
        int level = (int) (req >>> 48), name = (int) (req >>> 32) & 0xffff, len = (int) req;
        int rc = Ws2_32.setsockopt(h, level, name, s.addr + GREQ, len);
        if (rc != 0) {
            int e = -rc;
            if (e == WSAENOPROTOOPT && (op == JOIN || op == BLOCK)) throw new UnsupportedOperationException();
            throw WinErrors.socket(e);
        }
    }

    /**
     * Writes the request of a membership change at {@code off} (zeroed first) and returns
     * {@code level << 48 | optname << 32 | length}. IPv4 groups: {@code ip_mreq}, or with a source
     * Windows' {@code ip_mreq_source} (group, source, interface), interface by address
     * ({@code ifaddr}, 4 bytes); IPv6 groups: {@code ipv6_mreq}, or with a source {@code group_source_req}
     * with two {@code sockaddr_in6}, interface by index. Pure: unit-tested on any OS.
     */
    static long membershipRequest(ByteBuffer b, int off, int op, InetAddress group, byte[] ifaddr, int ifindex,
            InetAddress source) {
        for (int i = 0; i < GROUP_SOURCE_REQ_SIZE; i += 8) b.putLong(off + i, 0L);
        int level, name, len;
        if (group instanceof Inet4Address) {
            level = IPPROTO_IP;
            if (source == null) {
                put(b, off + IMR_MULTIADDR, group.getAddress());
                put(b, off + IMR_INTERFACE, ifaddr);
                name = op == JOIN ? IP_ADD_MEMBERSHIP : IP_DROP_MEMBERSHIP;
                len = IP_MREQ_SIZE;
            } else {
                put(b, off + IMRS_MULTIADDR, group.getAddress());
                put(b, off + IMRS_SOURCEADDR, source.getAddress());
                put(b, off + IMRS_INTERFACE, ifaddr);
                name = op == JOIN ? IP_ADD_SOURCE_MEMBERSHIP : op == DROP ? IP_DROP_SOURCE_MEMBERSHIP
                        : op == BLOCK ? IP_BLOCK_SOURCE : IP_UNBLOCK_SOURCE;
                len = IP_MREQ_SOURCE_SIZE;
            }
        } else {
            level = IPPROTO_IPV6;
            if (source == null) {
                put(b, off + IPV6MR_MULTIADDR, group.getAddress());
                b.putInt(off + IPV6MR_INTERFACE, ifindex);
                name = op == JOIN ? IPV6_ADD_MEMBERSHIP : IPV6_DROP_MEMBERSHIP;
                len = IPV6_MREQ_SIZE;
            } else {
                b.putInt(off + GSR_INTERFACE, ifindex);
                WinSockAddr.encode(b, off + GSR_GROUP, true, new InetSocketAddress(group, 0));
                WinSockAddr.encode(b, off + GSR_SOURCE, true, new InetSocketAddress(source, 0));
                name = op == JOIN ? MCAST_JOIN_SOURCE_GROUP : op == DROP ? MCAST_LEAVE_SOURCE_GROUP
                        : op == BLOCK ? MCAST_BLOCK_SOURCE : MCAST_UNBLOCK_SOURCE;
                len = GROUP_SOURCE_REQ_SIZE;
            }
        }
        return ((long) level << 48) | ((long) name << 32) | len;
    }

    /** The interface's first IPv4 address (the JDK's rule for IPv4 memberships), 0.0.0.0 for none. */
    private static byte[] interfaceAddress(int ifindex) throws IOException {
        NetworkInterface ni = ifindex > 0 ? NetworkInterface.getByIndex(ifindex) : null;
        Inet4Address a = ni != null ? DatagramOps.anyInet4Address(ni) : null;
        return a != null ? a.getAddress() : new byte[4];
    }

    private static void put(ByteBuffer b, int off, byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) b.put(off + i, bytes[i]);
    }

    // ---- multicast options

    /** jdk.net.ExtendedSocketOptions.IP_DONTFRAGMENT (JDK 19+), which the JDK offers on Windows. */
    private static final SocketOption<?> IP_DONTFRAGMENT_OPTION = SocketOptionTable.extendedOption("IP_DONTFRAGMENT");

    private static boolean isDontFragment(SocketOption<?> name) {
        return name != null && name == IP_DONTFRAGMENT_OPTION;
    }

    /**
     * The multicast options, and SO_REUSEADDR: a datagram channel sets it on the socket for real (the
     * JDK's DatagramChannelImpl calls Net.setSocketOption even where exclusive bind emulates it for
     * streams), so that several multicast receivers can bind one port; bind's SO_EXCLUSIVEADDRUSE then
     * fails quietly, as the JDK's does.
     */
    @Override
    public boolean handlesOption(SocketOption<?> name) {
        return name == StandardSocketOptions.IP_MULTICAST_IF || name == StandardSocketOptions.IP_MULTICAST_TTL
                || name == StandardSocketOptions.IP_MULTICAST_LOOP || isDontFragment(name)
                || name == StandardSocketOptions.SO_REUSEADDR;
    }

    @Override
    public Set<SocketOption<?>> extendedOptions() {
        Set<SocketOption<?>> set = new HashSet<>();
        if (IP_DONTFRAGMENT_OPTION != null) set.add(IP_DONTFRAGMENT_OPTION);
        return set;
    }

    /**
     * The family whose options apply: an IPv6 socket bound to an IPv4 address takes IPv4 options only
     * (Windows rejects IPV6_* there; the JDK's familyFor).
     */
    static int optionFamily(int family, InetSocketAddress local) {
        if (family == SocketOps.INET6 && local != null && local.getAddress() instanceof Inet4Address) {
            return SocketOps.INET;
        }
        return family;
    }

    private int optionFamily(long h, Scratch s, int family) {
        if (family != SocketOps.INET6) return family;
        s.buf.putInt(SRCLEN, SOCKADDR_STORAGE_SIZE);
        if (Ws2_32.getsockname(h, s.addr + SRC, s.addr + SRCLEN) != 0) {
            return family; // not bound yet
        }
        return optionFamily(family, WinSockAddr.decode(s.buf, SRC));
    }

    private static void setInt(Scratch s, long h, int level, int name, int v, boolean bestEffort) throws IOException {
        s.buf.putInt(OPT, v);
        int rc = Ws2_32.setsockopt(h, level, name, s.addr + OPT, DWORD_SIZE);
        if (rc != 0 && !bestEffort) {
            throw WinErrors.socket(-rc);
        }
    }

    @Override
    public <T> void setOption(int fd, int family, SocketOption<T> name, T value) throws IOException {
        long h = ops.socketOf(fd);
        Scratch s = SCRATCH.get();
        if (name == StandardSocketOptions.SO_REUSEADDR) {
            setInt(s, h, SOL_SOCKET, SO_REUSEADDR, ((Boolean) value) ? 1 : 0, false);
            return;
        }
        int f = optionFamily(h, s, family);
        boolean v6 = f == SocketOps.INET6;
        boolean alsoIpv4 = family == SocketOps.INET6; // best effort, for IPv4 traffic of a dual-stack socket
        if (name == StandardSocketOptions.IP_MULTICAST_IF) {
            NetworkInterface ni = (NetworkInterface) value;
            if (v6) {
                int index = ni.getIndex();
                if (index == -1) throw new IOException("Network interface cannot be identified");
                setInt(s, h, IPPROTO_IPV6, IPV6_MULTICAST_IF, index, false);
            }
            Inet4Address target = DatagramOps.anyInet4Address(ni);
            if (target == null) {
                if (!v6) throw new IOException("Network interface not configured for IPv4");
                return;
            }
            s.buf.putInt(OPT, 0);
            put(s.buf, OPT, target.getAddress());
            int rc = Ws2_32.setsockopt(h, IPPROTO_IP, IP_MULTICAST_IF, s.addr + OPT, 4);
            if (rc != 0 && !v6) {
                throw WinErrors.socket(-rc);
            }
            return;
        }
        int v, n4, n6;
        if (name == StandardSocketOptions.IP_MULTICAST_TTL) {
            v = (Integer) value;
            n4 = IP_MULTICAST_TTL;
            n6 = IPV6_MULTICAST_HOPS;
        } else if (name == StandardSocketOptions.IP_MULTICAST_LOOP) {
            v = ((Boolean) value) ? 1 : 0;
            n4 = IP_MULTICAST_LOOP;
            n6 = IPV6_MULTICAST_LOOP;
        } else if (isDontFragment(name)) {
            v = ((Boolean) value) ? 1 : 0;
            n4 = IP_DONTFRAGMENT;
            n6 = IPV6_DONTFRAG;
        } else {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        if (v6) {
            setInt(s, h, IPPROTO_IPV6, n6, v, false);
        } else {
            setInt(s, h, IPPROTO_IP, n4, v, false);
        }
        if (alsoIpv4 && v6) {
            setInt(s, h, IPPROTO_IP, n4, v, true);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(int fd, int family, SocketOption<T> name) throws IOException {
        long h = ops.socketOf(fd);
        Scratch s = SCRATCH.get();
        boolean v6 = optionFamily(h, s, family) == SocketOps.INET6;
        int level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
        int optname;
        if (name == StandardSocketOptions.SO_REUSEADDR) {
            level = SOL_SOCKET;
            optname = SO_REUSEADDR;
        } else if (name == StandardSocketOptions.IP_MULTICAST_IF) {
            optname = v6 ? IPV6_MULTICAST_IF : IP_MULTICAST_IF;
        } else if (name == StandardSocketOptions.IP_MULTICAST_TTL) {
            optname = v6 ? IPV6_MULTICAST_HOPS : IP_MULTICAST_TTL;
        } else if (name == StandardSocketOptions.IP_MULTICAST_LOOP) {
            optname = v6 ? IPV6_MULTICAST_LOOP : IP_MULTICAST_LOOP;
        } else if (isDontFragment(name)) {
            optname = v6 ? IPV6_DONTFRAG : IP_DONTFRAGMENT;
        } else {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        s.buf.putLong(OPT, 0L);
        s.buf.putInt(OPTLEN, DWORD_SIZE);
        int rc = Ws2_32.getsockopt(h, level, optname, s.addr + OPT, s.addr + OPTLEN);
        if (rc != 0) {
            throw WinErrors.socket(-rc);
        }
        int v = s.buf.getInt(OPT);
        if (name == StandardSocketOptions.IP_MULTICAST_IF) {
            if (v == 0) return null; // the default interface
            NetworkInterface ni;
            if (v6) {
                ni = NetworkInterface.getByIndex(v);
                if (ni == null) throw new IOException("Unable to map index to interface");
            } else {
                byte[] a = new byte[4];
                for (int i = 0; i < 4; i++) a[i] = s.buf.get(OPT + i);
                ni = NetworkInterface.getByInetAddress(InetAddress.getByAddress(a));
                if (ni == null) throw new IOException("Unable to map address to interface");
            }
            return (T) ni;
        }
        if (name == StandardSocketOptions.IP_MULTICAST_TTL) return (T) Integer.valueOf(v);
        return (T) Boolean.valueOf(v != 0);
    }
}
