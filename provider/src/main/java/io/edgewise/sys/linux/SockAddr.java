package io.edgewise.sys.linux;

import static io.edgewise.sys.linux.Linux.*;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * sockaddr_in / sockaddr_in6 marshalling through a native-order direct buffer. An IPv4 address on
 * an INET6 socket is written IPv4-mapped; an IPv4-mapped address read back becomes an
 * {@link Inet4Address}, as the JDK reports it.
 */
final class SockAddr {
    private SockAddr() { }

    /** Writes {@code sa} at {@code off} of {@code buf}; returns the length to pass to the kernel. */
    static int encode(ByteBuffer buf, int off, boolean inet6, InetSocketAddress sa) {
        InetAddress ia = sa.getAddress();
        int port = sa.getPort();
        if (!inet6) {
            byte[] a = ia.getAddress();
            buf.putShort(off, (short) AF_INET);
            putPort(buf, off + 2, port);
            for (int i = 0; i < 4; i++) buf.put(off + 4 + i, a[i]);
            buf.putLong(off + 8, 0L);
            return SOCKADDR_IN_SIZE;
        }
        buf.putShort(off, (short) AF_INET6);
        putPort(buf, off + 2, port);
        buf.putInt(off + 4, 0); // flowinfo
        int scope = 0;
        if (ia instanceof Inet4Address && ia.isAnyLocalAddress()) {
            // 0.0.0.0 on an INET6 socket means the IPv6 wildcard (dual stack), as in the JDK; the
            // IPv4-mapped ::ffff:0.0.0.0 would accept IPv4 only.
            for (int i = 0; i < 16; i++) buf.put(off + 8 + i, (byte) 0);
        } else if (ia instanceof Inet4Address) {
            byte[] a = ia.getAddress();
            for (int i = 0; i < 10; i++) buf.put(off + 8 + i, (byte) 0);
            buf.put(off + 18, (byte) 0xff);
            buf.put(off + 19, (byte) 0xff);
            for (int i = 0; i < 4; i++) buf.put(off + 20 + i, a[i]);
        } else {
            byte[] a = ia.getAddress();
            for (int i = 0; i < 16; i++) buf.put(off + 8 + i, a[i]);
            scope = ((Inet6Address) ia).getScopeId();
        }
        buf.putInt(off + 24, scope);
        return SOCKADDR_IN6_SIZE;
    }

    private static void putPort(ByteBuffer buf, int off, int port) {
        buf.put(off, (byte) (port >> 8));
        buf.put(off + 1, (byte) port);
    }

    /** Reads the socket address at {@code off}; null for an unnamed or non-IP address. */
    static InetSocketAddress decode(ByteBuffer buf, int off) {
        int family = buf.getShort(off) & 0xffff;
        int port = ((buf.get(off + 2) & 0xff) << 8) | (buf.get(off + 3) & 0xff);
        try {
            if (family == AF_INET) {
                byte[] a = new byte[4];
                for (int i = 0; i < 4; i++) a[i] = buf.get(off + 4 + i);
                return new InetSocketAddress(InetAddress.getByAddress(a), port);
            }
            if (family == AF_INET6) {
                byte[] a = new byte[16];
                for (int i = 0; i < 16; i++) a[i] = buf.get(off + 8 + i);
                int scope = buf.getInt(off + 24);
                InetAddress ia = InetAddress.getByAddress(a); // IPv4-mapped becomes Inet4Address
                if (scope != 0 && ia instanceof Inet6Address) {
                    ia = Inet6Address.getByAddress(null, a, scope);
                }
                return new InetSocketAddress(ia, port);
            }
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
        return null;
    }
}
