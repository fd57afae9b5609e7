package io.edgewise.sys.bsd;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * sockaddr_in / sockaddr_in6 in a native-order buffer, for BSD ({@code uint8_t sin_len; uint8_t
 * sin_family}) and Linux ({@code uint16_t sin_family}) layouts; the rest is the same on both. An IPv4
 * address on an INET6 socket is written IPv4-mapped; an IPv4-mapped address read back becomes an
 * {@link Inet4Address}, as the JDK reports it. Pure Java: unit-tested on any OS.
 */
public final class SockAddrs {
    private SockAddrs() { }

    public static final int SOCKADDR_IN_SIZE = 16, SOCKADDR_IN6_SIZE = 28, SOCKADDR_STORAGE_SIZE = 128;

    private static void putFamily(ByteBuffer buf, int off, PosixNet n, int family, int len) {
        if (n.saLen) {
            buf.put(off, (byte) len);
            buf.put(off + 1, (byte) family);
        } else {
            buf.putShort(off, (short) family);
        }
    }

    private static int getFamily(ByteBuffer buf, int off, PosixNet n) {
        return n.saLen ? buf.get(off + 1) & 0xff : buf.getShort(off) & 0xffff;
    }

    /** Writes {@code sa} at {@code off}; returns the length to pass to the kernel. */
    public static int encode(PosixNet n, ByteBuffer buf, int off, boolean inet6, InetSocketAddress sa) {
        InetAddress ia = sa.getAddress();
        int port = sa.getPort();
        if (!inet6) {
            byte[] a = ia.getAddress();
            putFamily(buf, off, n, n.afInet, SOCKADDR_IN_SIZE);
            putPort(buf, off + 2, port);
            for (int i = 0; i < 4; i++) buf.put(off + 4 + i, a[i]);
            buf.putLong(off + 8, 0L);
            return SOCKADDR_IN_SIZE;
        }
        putFamily(buf, off, n, n.afInet6, SOCKADDR_IN6_SIZE);
        putPort(buf, off + 2, port);
        buf.putInt(off + 4, 0); // flowinfo
        int scope = 0;
        if (ia instanceof Inet4Address) {
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
    public static InetSocketAddress decode(PosixNet n, ByteBuffer buf, int off) {
        int family = getFamily(buf, off, n);
        int port = ((buf.get(off + 2) & 0xff) << 8) | (buf.get(off + 3) & 0xff);
        try {
            if (family == n.afInet) {
                byte[] a = new byte[4];
                for (int i = 0; i < 4; i++) a[i] = buf.get(off + 4 + i);
                return new InetSocketAddress(InetAddress.getByAddress(a), port);
            }
            if (family == n.afInet6) {
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
