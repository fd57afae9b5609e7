package io.edgewise.sys.windows;

import static io.edgewise.sys.windows.Win64.*;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * {@code SOCKADDR_IN} / {@code SOCKADDR_IN6} marshalling for Winsock (little-endian buffer; the family is
 * {@code AF_INET6 = 23} on Windows, not 10 as on Linux). An IPv4 address on an INET6 socket is written
 * IPv4-mapped; an IPv4-mapped address read back becomes an {@link Inet4Address}. Pure Java.
 */
public final class WinSockAddr {
    private WinSockAddr() { }

    /** Writes {@code sa} at {@code off}; returns the length to pass to Winsock. */
    public static int encode(ByteBuffer buf, int off, boolean inet6, InetSocketAddress sa) {
        InetAddress ia = sa.getAddress();
        int port = sa.getPort();
        byte[] a = ia.getAddress();
        if (!inet6) {
            if (a.length != 4) throw new IllegalArgumentException("IPv6 address on an IPv4 socket: " + ia);
            buf.putShort(off, (short) AF_INET);
            putPort(buf, off + 2, port);
            for (int i = 0; i < 4; i++) buf.put(off + 4 + i, a[i]);
            buf.putLong(off + 8, 0L);
            return SOCKADDR_IN_SIZE;
        }
        buf.putShort(off, (short) AF_INET6);
        putPort(buf, off + 2, port);
        buf.putInt(off + 4, 0);
        int scope = 0;
        if (a.length == 4) {
            for (int i = 0; i < 10; i++) buf.put(off + 8 + i, (byte) 0);
            buf.put(off + 18, (byte) 0xff);
            buf.put(off + 19, (byte) 0xff);
            for (int i = 0; i < 4; i++) buf.put(off + 20 + i, a[i]);
        } else {
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

    /** Reads the address at {@code off}; null for a family other than AF_INET/AF_INET6. */
    public static InetSocketAddress decode(ByteBuffer buf, int off) {
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
                InetAddress ia = InetAddress.getByAddress(a);
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
