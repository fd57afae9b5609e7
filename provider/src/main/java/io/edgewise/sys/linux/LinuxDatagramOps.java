package io.edgewise.sys.linux;

import io.edgewise.sys.posix.LibC;
import static io.edgewise.sys.linux.Linux.*;

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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link DatagramOps} on Linux through {@link LibC}. Stateless apart from a per-thread scratch area:
 * the encoded target of the last send (reused while the caller passes the same address object), the
 * sender of the last receive and the decoded address of the one before (reused while unchanged).
 */
public final class LinuxDatagramOps implements DatagramOps {
    public static final LinuxDatagramOps INSTANCE = new LinuxDatagramOps();

    // scratch layout
    private static final int TARGET = 0, SRC = 128, SRCLEN = 256, OPT = 264, OPTLEN = 272, GREQ = 288,
            CACHED = 560, SCRATCH_SIZE = 688;

    /** Per-thread native scratch; thread-confined like the ThreadLocal that holds it. */
    private static final class Scratch {
        final ByteBuffer buf = ByteBuffer.allocateDirect(SCRATCH_SIZE).order(ByteOrder.nativeOrder());
        final long addr = LibC.address(buf);
        Object lastTarget; // identity of the address encoded at TARGET
        int lastTargetFamily, lastTargetLen;
        SocketAddress cachedSender; // decoded form of the CACHED bytes
        int cachedLen = -1;
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    private LinuxDatagramOps() { }

    @Override
    public int socket(int family) throws IOException {
        if (family == UNIX) {
            int fd = LibC.socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd < 0) throw LinuxValues.ERRORS.socket(LibC.errno());
            return fd;
        }
        int fd = LinuxSocketOps.INSTANCE.socket(family, false);
        // as the JDK on Linux: receive only the multicast groups this socket joined, and an IPv6
        // multicast hop limit of 1 (not the route's default)
        Scratch s = SCRATCH.get();
        s.buf.putInt(OPT, 0);
        LibC.setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, s.addr + OPT, 4);
        if (family == SocketOps.INET6) {
            LibC.setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, s.addr + OPT, 4);
            s.buf.putInt(OPT, 1);
            LibC.setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, s.addr + OPT, 4);
        }
        return fd;
    }

    private static int encodeTarget(Scratch s, int family, SocketAddress target) throws IOException {
        if (target == s.lastTarget && family == s.lastTargetFamily) {
            return s.lastTargetLen;
        }
        int len = family == UNIX
                ? UnixAddr.encode(s.buf, TARGET, target)
                : LinuxValues.NET.sockaddr.encode(s.buf, TARGET, family == SocketOps.INET6, (InetSocketAddress) target);
        s.lastTarget = target;
        s.lastTargetFamily = family;
        s.lastTargetLen = len;
        return len;
    }

    @Override
    public int send(int fd, int family, long address, int length, SocketAddress target) throws IOException {
        Scratch s = SCRATCH.get();
        int len = encodeTarget(s, family, target);
        long n = LibC.sendto(fd, address, length, MSG_NOSIGNAL, s.addr + TARGET, len);
        if (n >= 0) return (int) n;
        return failed(LibC.errno(), true);
    }

    /** errno of a data call: UNAVAILABLE, INTERRUPTED, or the exception the JDK throws. */
    private static int failed(int e, boolean connected) throws IOException {
        if (e == EAGAIN) return SocketOps.UNAVAILABLE;
        if (e == EINTR) return SocketOps.INTERRUPTED;
        if (e == ECONNREFUSED) {
            if (connected) throw new PortUnreachableException();
            return SocketOps.INTERRUPTED; // stale ICMP error of an earlier association: try again
        }
        throw LinuxValues.ERRORS.socket(e);
    }

    @Override
    public int receive(int fd, long address, int length, boolean connected) throws IOException {
        Scratch s = SCRATCH.get();
        for (;;) {
            s.buf.putInt(SRCLEN, SOCKADDR_STORAGE_SIZE);
            s.buf.putShort(SRC, (short) AF_UNSPEC);
            long n = LibC.recvfrom(fd, address, length, 0, s.addr + SRC, s.addr + SRCLEN);
            if (n >= 0) return (int) n;
            int e = LibC.errno();
            if (e == ECONNREFUSED && !connected) {
                continue; // the error is consumed by reporting it; the next call sees the next datagram
            }
            return failed(e, connected);
        }
    }

    @Override
    public SocketAddress sender(int family) {
        Scratch s = SCRATCH.get();
        ByteBuffer b = s.buf;
        int len = Math.min(b.getInt(SRCLEN), 128);
        if (len < 2 && family != UNIX) {
            return null;
        }
        if (len == s.cachedLen && s.cachedSender != null) {
            boolean same = true;
            int i = 0;
            for (; i + 8 <= len && same; i += 8) same = b.getLong(SRC + i) == b.getLong(CACHED + i);
            for (; i < len && same; i++) same = b.get(SRC + i) == b.get(CACHED + i);
            if (same) return s.cachedSender;
        }
        SocketAddress sa = family == UNIX ? UnixAddr.decode(b, SRC, len) : LinuxValues.NET.sockaddr.decode(b, SRC);
        for (int i = 0; i < len; i++) b.put(CACHED + i, b.get(SRC + i));
        s.cachedLen = len;
        s.cachedSender = sa;
        return sa;
    }

    @Override
    public int read(int fd, long address, int length) throws IOException {
        long n = LibC.recv(fd, address, length, 0);
        if (n >= 0) return (int) n;
        return failed(LibC.errno(), true);
    }

    @Override
    public int write(int fd, long address, int length) throws IOException {
        long n = LibC.send(fd, address, length, MSG_NOSIGNAL);
        if (n >= 0) return (int) n;
        return failed(LibC.errno(), true);
    }

    @Override
    public long readv(int fd, long iov, int count) throws IOException {
        long n = LibC.readv(fd, iov, count);
        if (n >= 0) return n;
        return failed(LibC.errno(), true);
    }

    @Override
    public long writev(int fd, long iov, int count) throws IOException {
        long n = LibC.writev(fd, iov, count);
        if (n >= 0) return n;
        return failed(LibC.errno(), true);
    }

    @Override
    public void disconnect(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        for (int i = 0; i < 32; i += 8) s.buf.putLong(TARGET + i, 0L);
        s.lastTarget = null;
        if (LibC.connect(fd, s.addr + TARGET, SOCKADDR_IN6_SIZE) < 0) {
            int e = LibC.errno();
            if (e != EAFNOSUPPORT) { // AF_UNSPEC on a Unix socket: already dissolved
                throw LinuxValues.ERRORS.socket(e);
            }
        }
    }

    // ---- multicast

    @Override
    public void membership(int fd, int family, int op, InetAddress group, int ifindex, InetAddress source)
            throws IOException {
        Scratch s = SCRATCH.get();
        ByteBuffer b = s.buf;
        boolean v4 = group instanceof Inet4Address;
        // IPv4 groups through the IPv4 level (also on a dual-stack socket), as the JDK does on Linux
        int level = v4 ? IPPROTO_IP : IPPROTO_IPV6;
        for (int i = 0; i < GSR_SIZE; i += 8) b.putLong(GREQ + i, 0L);
        b.putInt(GREQ, ifindex);
        LinuxValues.NET.sockaddr.encode(b, GREQ + GR_GROUP, !v4, new InetSocketAddress(group, 0));
        int name, len;
        if (source == null) {
            name = op == JOIN ? MCAST_JOIN_GROUP : MCAST_LEAVE_GROUP;
            len = GR_SIZE;
        } else {
            LinuxValues.NET.sockaddr.encode(b, GREQ + GSR_SOURCE, !v4, new InetSocketAddress(source, 0));
            switch (op) {
                case JOIN: name = MCAST_JOIN_SOURCE_GROUP; break;
                case DROP: name = MCAST_LEAVE_SOURCE_GROUP; break;
                case BLOCK: name = MCAST_BLOCK_SOURCE; break;
                default: name = MCAST_UNBLOCK_SOURCE; break;
            }
            len = GSR_SIZE;
        }
        if (LibC.setsockopt(fd, level, name, s.addr + GREQ, len) < 0) {
            int e = LibC.errno();
            if (e == ENOPROTOOPT) throw new UnsupportedOperationException();
            throw LinuxValues.ERRORS.socket(e);
        }
    }

    /** {@code jdk.net.ExtendedSocketOptions.IP_DONTFRAGMENT} (JDK 19+), or null. */
    private static final SocketOption<?> IP_DONTFRAGMENT = ExtendedOptions.lookup("IP_DONTFRAGMENT");

    @Override
    public boolean handlesOption(SocketOption<?> name) {
        return name == StandardSocketOptions.IP_MULTICAST_IF || name == StandardSocketOptions.IP_MULTICAST_TTL
                || name == StandardSocketOptions.IP_MULTICAST_LOOP || (name != null && name == IP_DONTFRAGMENT);
    }

    @Override
    public java.util.Set<SocketOption<?>> extendedOptions() {
        java.util.Set<SocketOption<?>> set = new java.util.HashSet<>();
        if (IP_DONTFRAGMENT != null) set.add(IP_DONTFRAGMENT);
        SocketOption<?> napi = ExtendedOptions.lookup("SO_INCOMING_NAPI_ID");
        if (napi != null) set.add(napi);
        return set;
    }

    private static void set(Scratch s, int fd, int level, int name, int len, boolean bestEffort) throws IOException {
        if (LibC.setsockopt(fd, level, name, s.addr + OPT, len) < 0 && !bestEffort) {
            throw LinuxValues.ERRORS.socket(LibC.errno());
        }
    }

    @Override
    public <T> void setOption(int fd, int family, SocketOption<T> name, T value) throws IOException {
        Scratch s = SCRATCH.get();
        ByteBuffer b = s.buf;
        boolean v6 = family == SocketOps.INET6;
        if (name == IP_DONTFRAGMENT) { // as the JDK: path-MTU discovery "do" (DF set) or "don't"
            b.putInt(OPT, ((Boolean) value) ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT);
            if (v6) {
                set(s, fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, 4, false);
            } else {
                set(s, fd, IPPROTO_IP, IP_MTU_DISCOVER, 4, false);
            }
            return;
        }
        if (name == StandardSocketOptions.IP_MULTICAST_IF) {
            NetworkInterface ni = (NetworkInterface) value;
            if (v6) {
                int index = ni.getIndex();
                if (index == -1) throw new IOException("Network interface cannot be identified");
                b.putInt(OPT, index);
                set(s, fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, 4, false);
            }
            Inet4Address target = DatagramOps.anyInet4Address(ni);
            if (target == null) {
                if (!v6) throw new IOException("Network interface not configured for IPv4");
                return;
            }
            byte[] a = target.getAddress();
            for (int i = 0; i < 4; i++) b.put(OPT + i, a[i]);
            set(s, fd, IPPROTO_IP, IP_MULTICAST_IF, 4, v6);
            return;
        }
        int v;
        int n4, n6;
        if (name == StandardSocketOptions.IP_MULTICAST_TTL) {
            v = (Integer) value;
            n4 = IP_MULTICAST_TTL;
            n6 = IPV6_MULTICAST_HOPS;
        } else if (name == StandardSocketOptions.IP_MULTICAST_LOOP) {
            v = ((Boolean) value) ? 1 : 0;
            n4 = IP_MULTICAST_LOOP;
            n6 = IPV6_MULTICAST_LOOP;
        } else {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        b.putInt(OPT, v);
        if (v6) {
            set(s, fd, IPPROTO_IPV6, n6, 4, false);
        }
        set(s, fd, IPPROTO_IP, n4, 4, v6); // a dual-stack socket sends IPv4 multicast with the IPv4 value
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(int fd, int family, SocketOption<T> name) throws IOException {
        Scratch s = SCRATCH.get();
        ByteBuffer b = s.buf;
        boolean v6 = family == SocketOps.INET6;
        int level = v6 ? IPPROTO_IPV6 : IPPROTO_IP;
        int optname;
        if (name == StandardSocketOptions.IP_MULTICAST_IF) {
            optname = v6 ? IPV6_MULTICAST_IF : IP_MULTICAST_IF;
        } else if (name == StandardSocketOptions.IP_MULTICAST_TTL) {
            optname = v6 ? IPV6_MULTICAST_HOPS : IP_MULTICAST_TTL;
        } else if (name == StandardSocketOptions.IP_MULTICAST_LOOP) {
            optname = v6 ? IPV6_MULTICAST_LOOP : IP_MULTICAST_LOOP;
        } else if (name == IP_DONTFRAGMENT) {
            optname = v6 ? IPV6_MTU_DISCOVER : IP_MTU_DISCOVER;
        } else {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        b.putLong(OPT, 0L);
        b.putInt(OPTLEN, 4);
        if (LibC.getsockopt(fd, level, optname, s.addr + OPT, s.addr + OPTLEN) < 0) {
            throw LinuxValues.ERRORS.socket(LibC.errno());
        }
        if (name == StandardSocketOptions.IP_MULTICAST_IF) {
            if (v6) {
                int index = b.getInt(OPT);
                if (index == 0) return null; // default interface
                NetworkInterface ni = NetworkInterface.getByIndex(index);
                if (ni == null) throw new IOException("Unable to map index to interface");
                return (T) ni;
            }
            if (b.getInt(OPT) == 0) return null;
            byte[] a = new byte[4];
            for (int i = 0; i < 4; i++) a[i] = b.get(OPT + i);
            NetworkInterface ni = NetworkInterface.getByInetAddress(InetAddress.getByAddress(a));
            if (ni == null) throw new IOException("Unable to map address to interface");
            return (T) ni;
        }
        int v = b.getInt(OPTLEN) == 1 ? b.get(OPT) & 0xff : b.getInt(OPT);
        if (name == IP_DONTFRAGMENT) return (T) Boolean.valueOf(v == IP_PMTUDISC_DO);
        if (name == StandardSocketOptions.IP_MULTICAST_TTL) return (T) Integer.valueOf(v);
        return (T) Boolean.valueOf(v != 0);
    }
}
