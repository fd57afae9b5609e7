package io.edgewise.sys.posix;

import io.edgewise.sys.Scratch;
import io.edgewise.sys.SocketOptionTable;
import io.edgewise.sys.DatagramOps;
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
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link DatagramOps} for every Unix through {@link LibC}, with one platform's values
 * ({@link PosixNet}). What the platforms differ in, here:
 * <ul>
 * <li>disconnect: connect to AF_UNSPEC on Linux; on the BSDs to the zero address of the socket's own
 *     family, whose EADDRNOTAVAIL (or EAFNOSUPPORT for a Unix socket) follows the dissolved association;
 * <li>multicast membership: the RFC 3678 calls with {@code group_req} laid out by the platform (macOS
 *     packs it to 4 bytes); where a platform lacks them (OpenBSD, NetBSD) {@code ip_mreq}/{@code ipv6_mreq}
 *     and no source-specific membership;
 * <li>IPv4 multicast TTL and loop as one byte on the BSDs; an IPv4 group on an INET6 socket joined at
 *     the IPv6 level on macOS;
 * <li>macOS raises a new datagram socket's small send buffer to one largest datagram, as the JDK does.
 * </ul>
 * Linux's own additions (IP_MULTICAST_ALL off, IP_DONTFRAGMENT) live in {@code sys.linux.LinuxDatagramOps}.
 * Stateless apart from a per-thread scratch area: the encoded target of the last send (reused while the
 * caller passes the same address object), the sender of the last receive and the decoded address of the
 * one before (reused while unchanged).
 */
public class PosixDatagramOps implements DatagramOps {
    protected final PosixNet n;
    protected final PosixSocketOps ops;
    protected final PosixErrors errors;
    private final UnixAddrCodec unixAddrs;

    // scratch layout
    protected static final int TARGET = 0, SRC = 128, SRCLEN = 256, OPT = 264, OPTLEN = 272, GREQ = 288,
            CACHED = 560, SCRATCH_SIZE = 688;

    private static final ThreadLocal<Scratch> SCRATCH = Scratch.perThread(SCRATCH_SIZE);

    protected static Scratch scratch() {
        return SCRATCH.get();
    }

    private static final InetSocketAddress ANY4;
    static {
        try {
            ANY4 = new InetSocketAddress(InetAddress.getByAddress(new byte[4]), 0);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /** {@code ops}: the stream layer of the same platform (socket creation, errors). */
    public PosixDatagramOps(PosixSocketOps ops) {
        this.ops = ops;
        this.n = ops.constants();
        this.errors = ops.errors();
        this.unixAddrs = new UnixAddrCodec(n);
        if (n.gsrSize > CACHED - GREQ) throw new IllegalStateException("group_source_req larger than scratch");
    }

    @Override
    public int socket(int family) throws IOException {
        if (family == UNIX) {
            return ops.newSocket(n.afUnix, n.sockDgram);
        }
        int fd = ops.socket(family, false);
        if (n.dgramMinSndbuf) {
            raiseSendBuffer(fd, family == SocketOps.INET6 ? 65527 : 65507);
        }
        return fd;
    }

    /** Best effort, as the JDK on macOS: a socket that keeps its small buffer still works. */
    private void raiseSendBuffer(int fd, int min) {
        Scratch s = SCRATCH.get();
        s.buf.putInt(OPT, 0);
        s.buf.putInt(OPTLEN, 4);
        if (LibC.getsockopt(fd, n.solSocket, n.soSndbuf, s.addr + OPT, s.addr + OPTLEN) == 0
                && s.buf.getInt(OPT) < min) {
            s.buf.putInt(OPT, min);
            LibC.setsockopt(fd, n.solSocket, n.soSndbuf, s.addr + OPT, 4);
        }
    }

    private int encodeTarget(Scratch s, int family, SocketAddress target) throws IOException {
        int known = s.addresses().targetLength(target, family);
        if (known >= 0) {
            return known;
        }
        int len = family == UNIX
                ? unixAddrs.encode(s.buf, TARGET, target)
                : n.sockaddr.encode(s.buf, TARGET, family == SocketOps.INET6, (InetSocketAddress) target);
        return s.addresses().rememberTarget(target, family, len);
    }

    @Override
    public int send(int fd, int family, long address, int length, SocketAddress target) throws IOException {
        Scratch s = SCRATCH.get();
        int len = encodeTarget(s, family, target);
        long r = LibC.sendto(fd, address, length, n.msgNosignal, s.addr + TARGET, len);
        if (r >= 0) return (int) r;
        return failed((int) -r, true);
    }

    /** errno of a data call: UNAVAILABLE, INTERRUPTED, or the exception the JDK throws. */
    protected final int failed(int e, boolean connected) throws IOException {
        if (e == n.eagain) return SocketOps.UNAVAILABLE;
        if (e == n.eintr) return SocketOps.INTERRUPTED;
        if (e == n.econnrefused) {
            if (connected) throw new PortUnreachableException();
            return SocketOps.INTERRUPTED; // stale ICMP error of an earlier association: try again
        }
        throw errors.socket(e);
    }

    @Override
    public int receive(int fd, long address, int length, boolean connected) throws IOException {
        Scratch s = SCRATCH.get();
        for (;;) {
            s.buf.putInt(SRCLEN, SockAddrCodec.SOCKADDR_STORAGE_SIZE);
            s.buf.putShort(SRC, (short) 0); // AF_UNSPEC (and sa_len 0) when the kernel names no sender
            long r = LibC.recvfrom(fd, address, length, 0, s.addr + SRC, s.addr + SRCLEN);
            if (r >= 0) return (int) r;
            int e = (int) -r;
            if (e == n.econnrefused && !connected) {
                continue; // the error is consumed by reporting it; the next call sees the next datagram
            }
            return failed(e, connected);
        }
    }

    @Override
    public SocketAddress sender(int family) {
        Scratch s = SCRATCH.get();
        ByteBuffer b = s.buf;
        int len = Math.min(b.getInt(SRCLEN), SockAddrCodec.SOCKADDR_STORAGE_SIZE);
        if (len < 2 && family != UNIX) {
            return null;
        }
        SocketAddress known = s.addresses().sender(b, SRC, CACHED, len);
        if (known != null) {
            return known;
        }
        SocketAddress sa = family == UNIX ? unixAddrs.decode(b, SRC, len) : n.sockaddr.decode(b, SRC);
        return s.addresses().rememberSender(b, SRC, CACHED, len, sa);
    }

    @Override
    public int read(int fd, long address, int length) throws IOException {
        long r = LibC.recv(fd, address, length, 0);
        if (r >= 0) return (int) r;
        return failed((int) -r, true);
    }

    @Override
    public int write(int fd, long address, int length) throws IOException {
        long r = LibC.send(fd, address, length, n.msgNosignal);
        if (r >= 0) return (int) r;
        return failed((int) -r, true);
    }

    @Override
    public long readv(int fd, long iov, int count) throws IOException {
        long r = LibC.readv(fd, iov, count);
        if (r >= 0) return r;
        return failed((int) -r, true);
    }

    @Override
    public long writev(int fd, long iov, int count) throws IOException {
        long r = LibC.writev(fd, iov, count);
        if (r >= 0) return r;
        return failed((int) -r, true);
    }

    @Override
    public void disconnect(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        for (int i = 0; i < 32; i += 8) s.buf.putLong(TARGET + i, 0L);
        s.addresses().forgetTarget();
        int len = SockAddrCodec.SOCKADDR_IN6_SIZE;
        boolean unix = false;
        if (!n.disconnectUnspec) { // BSD: the zero address of the socket's own family
            s.buf.putInt(SRCLEN, SockAddrCodec.SOCKADDR_STORAGE_SIZE);
            int rc = LibC.getsockname(fd, s.addr + SRC, s.addr + SRCLEN);
            if (rc < 0) {
                throw errors.socket(-rc);
            }
            int af = s.buf.get(SRC + 1) & 0xff;
            if (af == n.afInet || af == n.afInet6) {
                len = n.sockaddr.encode(s.buf, TARGET, af == n.afInet6, ANY4);
            }
            unix = af == n.afUnix;
        }
        int r = LibC.connect(fd, s.addr + TARGET, len);
        if (r < 0) {
            int e = -r;
            // EAFNOSUPPORT: AF_UNSPEC on a Unix socket, already dissolved. The BSDs dissolve the
            // association before they look at the new address: EADDRNOTAVAIL for the zero IP address,
            // EINVAL for an empty sockaddr_un
            boolean done = e == n.eafnosupport
                    || (!n.disconnectUnspec && (e == n.eaddrnotavail || (unix && e == n.einval)));
            if (!done) {
                throw errors.socket(e);
            }
        }
    }

    // ---- multicast

    @Override
    public void membership(int fd, int family, int op, InetAddress group, int ifindex, InetAddress source)
            throws IOException {
        if (n.mcastJoinGroup == 0) {
            legacyMembership(fd, op, group, ifindex, source);
            return;
        }
        Scratch s = SCRATCH.get();
        ByteBuffer b = s.buf;
        boolean v4 = group instanceof Inet4Address;
        // IPv4 groups through the IPv4 level (also on a dual-stack socket), as the JDK does on Linux;
        // macOS joins them at the IPv6 level, IPv4-mapped
        boolean level6 = !v4 || (family == SocketOps.INET6 && n.join6WithIPv4Group);
        for (int i = 0; i < n.gsrSize; i += 8) b.putLong(GREQ + i, 0L);
        b.putInt(GREQ, ifindex);
        n.sockaddr.encode(b, GREQ + n.grGroup, level6, new InetSocketAddress(group, 0));
        int name, len;
        if (source == null) {
            name = op == JOIN ? n.mcastJoinGroup : n.mcastLeaveGroup;
            len = n.grSize;
        } else {
            n.sockaddr.encode(b, GREQ + n.gsrSource, level6, new InetSocketAddress(source, 0));
            switch (op) {
                case JOIN: name = n.mcastJoinSourceGroup; break;
                case DROP: name = n.mcastLeaveSourceGroup; break;
                case BLOCK: name = n.mcastBlockSource; break;
                default: name = n.mcastUnblockSource; break;
            }
            len = n.gsrSize;
        }
        membershipCall(s, fd, level6 ? n.ipprotoIpv6 : n.ipprotoIp, name, len);
    }

    private void membershipCall(Scratch s, int fd, int level, int name, int len) throws IOException {
        int rc = LibC.setsockopt(fd, level, name, s.addr + GREQ, len);
        if (rc < 0) {
            int e = -rc;
            if (e == n.enoprotoopt || e == n.eopnotsupp) throw new UnsupportedOperationException();
            throw errors.socket(e);
        }
    }

    /**
     * {@code ip_mreq} (group, interface address) and {@code ipv6_mreq} (group, interface index) where the
     * platform has no {@code group_req}: no source filters there.
     */
    private void legacyMembership(int fd, int op, InetAddress group, int ifindex, InetAddress source)
            throws IOException {
        if (source != null || op == BLOCK || op == UNBLOCK) {
            throw new UnsupportedOperationException("source-specific multicast not supported on " + n.platform);
        }
        Scratch s = SCRATCH.get();
        ByteBuffer b = s.buf;
        byte[] g = group.getAddress();
        for (int i = 0; i < 24; i += 8) b.putLong(GREQ + i, 0L);
        for (int i = 0; i < g.length; i++) b.put(GREQ + i, g[i]);
        if (group instanceof Inet4Address) {
            NetworkInterface ni = ifindex > 0 ? NetworkInterface.getByIndex(ifindex) : null;
            Inet4Address ifaddr = ni != null ? DatagramOps.anyInet4Address(ni) : null;
            if (ifaddr != null) {
                byte[] a = ifaddr.getAddress();
                for (int i = 0; i < 4; i++) b.put(GREQ + 4 + i, a[i]);
            }
            membershipCall(s, fd, n.ipprotoIp, op == JOIN ? n.ipAddMembership : n.ipDropMembership, 8);
        } else {
            b.putInt(GREQ + 16, ifindex);
            membershipCall(s, fd, n.ipprotoIpv6, op == JOIN ? n.ipv6JoinGroup : n.ipv6LeaveGroup, 20);
        }
    }

    /** {@code jdk.net.ExtendedSocketOptions.IP_DONTFRAGMENT} (JDK 19+) where the platform has IP_DONTFRAG. */
    private SocketOption<?> dontFragment() {
        return n.ipDontfrag != 0 ? IP_DONTFRAGMENT : null;
    }

    private static final SocketOption<?> IP_DONTFRAGMENT = SocketOptionTable.extendedOption("IP_DONTFRAGMENT");

    @Override
    public boolean handlesOption(SocketOption<?> name) {
        return name == StandardSocketOptions.IP_MULTICAST_IF || name == StandardSocketOptions.IP_MULTICAST_TTL
                || name == StandardSocketOptions.IP_MULTICAST_LOOP || (name != null && name == dontFragment());
    }

    /** IP_DONTFRAGMENT where the platform has IP_DONTFRAG (macOS); Linux adds its own. */
    @Override
    public java.util.Set<SocketOption<?>> extendedOptions() {
        java.util.Set<SocketOption<?>> set = new java.util.HashSet<>();
        if (dontFragment() != null) set.add(dontFragment());
        return set;
    }

    protected final void set(Scratch s, int fd, int level, int name, int len, boolean bestEffort) throws IOException {
        int rc = LibC.setsockopt(fd, level, name, s.addr + OPT, len);
        if (rc < 0 && !bestEffort) {
            throw errors.socket(-rc);
        }
    }

    @Override
    public <T> void setOption(int fd, int family, SocketOption<T> name, T value) throws IOException {
        Scratch s = SCRATCH.get();
        ByteBuffer b = s.buf;
        boolean v6 = family == SocketOps.INET6;
        if (name != null && name == dontFragment()) {
            b.putInt(OPT, ((Boolean) value) ? 1 : 0);
            set(s, fd, v6 ? n.ipprotoIpv6 : n.ipprotoIp, v6 ? n.ipv6Dontfrag : n.ipDontfrag, 4, false);
            return;
        }
        if (name == StandardSocketOptions.IP_MULTICAST_IF) {
            NetworkInterface ni = (NetworkInterface) value;
            if (v6) {
                int index = ni.getIndex();
                if (index == -1) throw new IOException("Network interface cannot be identified");
                b.putInt(OPT, index);
                set(s, fd, n.ipprotoIpv6, n.ipv6MulticastIf, 4, false);
            }
            Inet4Address target = DatagramOps.anyInet4Address(ni);
            if (target == null) {
                if (!v6) throw new IOException("Network interface not configured for IPv4");
                return;
            }
            byte[] a = target.getAddress();
            for (int i = 0; i < 4; i++) b.put(OPT + i, a[i]);
            set(s, fd, n.ipprotoIp, n.ipMulticastIf, 4, v6);
            return;
        }
        int v;
        int n4, n6;
        if (name == StandardSocketOptions.IP_MULTICAST_TTL) {
            v = (Integer) value;
            n4 = n.ipMulticastTtl;
            n6 = n.ipv6MulticastHops;
        } else if (name == StandardSocketOptions.IP_MULTICAST_LOOP) {
            v = ((Boolean) value) ? 1 : 0;
            n4 = n.ipMulticastLoop;
            n6 = n.ipv6MulticastLoop;
        } else {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        b.putInt(OPT, v);
        if (v6) {
            set(s, fd, n.ipprotoIpv6, n6, 4, false);
        }
        if (n.ipMulticastByte) {
            b.put(OPT, (byte) v);
        }
        // a dual-stack socket sends IPv4 multicast with the IPv4 value
        set(s, fd, n.ipprotoIp, n4, n.ipMulticastByte ? 1 : 4, v6);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(int fd, int family, SocketOption<T> name) throws IOException {
        Scratch s = SCRATCH.get();
        ByteBuffer b = s.buf;
        boolean v6 = family == SocketOps.INET6;
        int level = v6 ? n.ipprotoIpv6 : n.ipprotoIp;
        int optname;
        if (name == StandardSocketOptions.IP_MULTICAST_IF) {
            optname = v6 ? n.ipv6MulticastIf : n.ipMulticastIf;
        } else if (name == StandardSocketOptions.IP_MULTICAST_TTL) {
            optname = v6 ? n.ipv6MulticastHops : n.ipMulticastTtl;
        } else if (name == StandardSocketOptions.IP_MULTICAST_LOOP) {
            optname = v6 ? n.ipv6MulticastLoop : n.ipMulticastLoop;
        } else if (name != null && name == dontFragment()) {
            optname = v6 ? n.ipv6Dontfrag : n.ipDontfrag;
        } else {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        int v = intOption(s, fd, level, optname);
        if (name == StandardSocketOptions.IP_MULTICAST_IF) {
            if (v6) {
                if (v == 0) return null; // default interface
                NetworkInterface ni = NetworkInterface.getByIndex(v);
                if (ni == null) throw new IOException("Unable to map index to interface");
                return (T) ni;
            }
            if (v == 0) return null;
            byte[] a = new byte[4];
            for (int i = 0; i < 4; i++) a[i] = b.get(OPT + i);
            NetworkInterface ni = NetworkInterface.getByInetAddress(InetAddress.getByAddress(a));
            if (ni == null) throw new IOException("Unable to map address to interface");
            return (T) ni;
        }
        if (name == StandardSocketOptions.IP_MULTICAST_TTL) return (T) Integer.valueOf(v);
        return (T) Boolean.valueOf(v != 0);
    }

    /** getsockopt of an int option (a one-byte answer, the BSDs' u_char, read as such). */
    protected final int intOption(Scratch s, int fd, int level, int optname) throws IOException {
        ByteBuffer b = s.buf;
        b.putLong(OPT, 0L);
        b.putInt(OPTLEN, 4);
        int rc = LibC.getsockopt(fd, level, optname, s.addr + OPT, s.addr + OPTLEN);
        if (rc < 0) {
            throw errors.socket(-rc);
        }
        return b.getInt(OPTLEN) == 1 ? b.get(OPT) & 0xff : b.getInt(OPT);
    }
}
