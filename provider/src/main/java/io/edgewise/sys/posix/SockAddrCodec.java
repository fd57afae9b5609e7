package io.edgewise.sys.posix;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;

/**
 * {@code sockaddr_in} / {@code sockaddr_in6} in a native-order buffer, for every layout Edgewise
 * meets: BSD ({@code uint8_t sin_len; uint8_t sin_family}) and Linux or Windows
 * ({@code uint16_t sin_family}); the rest (port at 2, IPv4 address at 4, flow info at 4, IPv6
 * address at 8, scope at 24) is the same everywhere. One instance per platform: the {@code sa_len}
 * choice and the two family numbers are its parameters. Pure Java: unit-tested on any OS.
 *
 * <p>An IPv4 address on an INET6 socket is written IPv4-mapped, except the IPv4 wildcard, which
 * means the IPv6 wildcard there (dual stack, as the JDK binds it; {@code ::ffff:0.0.0.0} would accept
 * IPv4 only). An IPv4-mapped address read back becomes an {@link Inet4Address}, as the JDK reports it.
 */
public final class SockAddrCodec {
    public static final int SOCKADDR_IN_SIZE = 16, SOCKADDR_IN6_SIZE = 28, SOCKADDR_STORAGE_SIZE = 128;

    private final boolean saLen;
    private final int afInet, afInet6;

    /** {@code saLen}: the address starts with a length byte (BSD, macOS). */
    public SockAddrCodec(boolean saLen, int afInet, int afInet6) {
        this.saLen = saLen;
        this.afInet = afInet;
        this.afInet6 = afInet6;
    }

    private void putFamily(ByteBuffer buf, int off, int family, int len) {
        if (saLen) {
            buf.put(off, (byte) len);
            buf.put(off + 1, (byte) family);
        } else {
            buf.putShort(off, (short) family);
        }
    }

    private int getFamily(ByteBuffer buf, int off) {
        return saLen ? buf.get(off + 1) & 0xff : buf.getShort(off) & 0xffff;
    }

    /**
     * Writes {@code sa} at {@code off}; returns the length to pass to the kernel.
     *
     * @throws IllegalArgumentException an IPv6 address for an IPv4 socket (nothing written)
     */
    public int encode(ByteBuffer buf, int off, boolean inet6, InetSocketAddress sa) {
        InetAddress ia = sa.getAddress();
        byte[] a = ia.getAddress();
        if (!inet6) {
            if (a.length != 4) throw new IllegalArgumentException("IPv6 address on an IPv4 socket: " + ia);
            putFamily(buf, off, afInet, SOCKADDR_IN_SIZE);
            putPort(buf, off + 2, sa.getPort());
            for (int i = 0; i < 4; i++) buf.put(off + 4 + i, a[i]);
            buf.putLong(off + 8, 0L);
            return SOCKADDR_IN_SIZE;
        }
        putFamily(buf, off, afInet6, SOCKADDR_IN6_SIZE);
        putPort(buf, off + 2, sa.getPort());
        buf.putInt(off + 4, 0); // flowinfo
        int scope = 0;
        if (a.length == 16) {
            for (int i = 0; i < 16; i++) buf.put(off + 8 + i, a[i]);
            scope = ((Inet6Address) ia).getScopeId();
        } else {
            boolean wildcard = ia.isAnyLocalAddress();
            for (int i = 0; i < 10; i++) buf.put(off + 8 + i, (byte) 0);
            buf.put(off + 18, wildcard ? 0 : (byte) 0xff);
            buf.put(off + 19, wildcard ? 0 : (byte) 0xff);
            for (int i = 0; i < 4; i++) buf.put(off + 20 + i, a[i]);
        }
        buf.putInt(off + 24, scope);
        return SOCKADDR_IN6_SIZE;
    }

    private static void putPort(ByteBuffer buf, int off, int port) {
        buf.put(off, (byte) (port >> 8));
        buf.put(off + 1, (byte) port);
    }

    /** Reads the socket address at {@code off}; null for an unnamed or non-IP address. */
    public InetSocketAddress decode(ByteBuffer buf, int off) {
        int family = getFamily(buf, off);
        int port = ((buf.get(off + 2) & 0xff) << 8) | (buf.get(off + 3) & 0xff);
        try {
            if (family == afInet) {
                byte[] a = new byte[4];
                for (int i = 0; i < 4; i++) a[i] = buf.get(off + 4 + i);
                return new InetSocketAddress(InetAddress.getByAddress(a), port);
            }
            if (family == afInet6) {
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
