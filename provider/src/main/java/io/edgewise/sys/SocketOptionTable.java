package io.edgewise.sys;

import java.lang.reflect.Field;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The socket options one socket layer supports: each option's kernel level and name (a second pair
 * for INET6 sockets where IPv6 has its own, {@code IP_TOS}/{@code IPV6_TCLASS}), and how its value is
 * laid out. Shared by the POSIX and the Winsock layers, which differ only in the numbers and in
 * {@code struct linger} (two ints on Unix, two {@code u_short}s on Windows). Filled in by the layer's
 * constructor, read-only afterwards (safe to share once published).
 */
public final class SocketOptionTable {
    /** An option's kernel name; {@code kind}: 'b' boolean, 'i' int, 'r' read-only int, 'l' linger. */
    public static final class Opt {
        public final int level, name, level6, name6;
        public final char kind;

        Opt(int level, int name, int level6, int name6, char kind) {
            this.level = level; this.name = name; this.level6 = level6; this.name6 = name6; this.kind = kind;
        }

        /** The level for a socket of {@code family} ({@link SocketOps#INET6} takes the IPv6 one). */
        public int level(int family) {
            return family == SocketOps.INET6 ? level6 : level;
        }

        /** The option name for a socket of {@code family}. */
        public int name(int family) {
            return family == SocketOps.INET6 ? name6 : name;
        }

        /** Whether an INET6 socket also sets the IPv4 name (its IPv4 traffic, dual stack). */
        public boolean alsoIpv4(int family) {
            return family == SocketOps.INET6 && level6 != level;
        }
    }

    private final Map<SocketOption<?>, Opt> opts = new HashMap<>();
    private final Set<SocketOption<?>> extended = new HashSet<>();
    private final boolean shortLinger;

    /** {@code shortLinger}: {@code struct linger} is two {@code u_short}s (Windows), else two ints. */
    public SocketOptionTable(boolean shortLinger) {
        this.shortLinger = shortLinger;
    }

    /**
     * The options every layer has, with this platform's numbers: SO_SNDBUF, SO_RCVBUF, SO_KEEPALIVE,
     * SO_REUSEADDR, SO_BROADCAST, SO_LINGER, SO_OOBINLINE (socket level), TCP_NODELAY and IP_TOS.
     */
    public void putStandard(int solSocket, int sndbuf, int rcvbuf, int keepalive, int reuseaddr, int broadcast,
            int linger, int oobinline, int ipprotoTcp, int nodelay, int ipprotoIp, int ipTos, int ipprotoIpv6,
            int ipv6Tclass) {
        put(StandardSocketOptions.SO_SNDBUF, solSocket, sndbuf, 'i');
        put(StandardSocketOptions.SO_RCVBUF, solSocket, rcvbuf, 'i');
        put(StandardSocketOptions.SO_KEEPALIVE, solSocket, keepalive, 'b');
        put(StandardSocketOptions.SO_REUSEADDR, solSocket, reuseaddr, 'b');
        put(StandardSocketOptions.SO_BROADCAST, solSocket, broadcast, 'b');
        put(StandardSocketOptions.SO_LINGER, solSocket, linger, 'l');
        put(PrivateOptions.SO_OOBINLINE, solSocket, oobinline, 'b');
        put(StandardSocketOptions.TCP_NODELAY, ipprotoTcp, nodelay, 'b');
        opts.put(StandardSocketOptions.IP_TOS, new Opt(ipprotoIp, ipTos, ipprotoIpv6, ipv6Tclass, 'i'));
    }

    public void put(SocketOption<?> o, int level, int name, char kind) {
        opts.put(o, new Opt(level, name, level, name, kind));
    }

    /** Adds an extended option of stream sockets. */
    public void putExtended(SocketOption<?> o, int level, int name, char kind) {
        put(o, level, name, kind);
        extended.add(o);
    }

    /**
     * Adds the {@code jdk.net.ExtendedSocketOptions} field {@code field} as an option of stream sockets
     * when this JDK defines it (looked up by name: one jar serves every JDK from 17).
     */
    public void putExtended(String field, int level, int name, char kind) {
        SocketOption<?> o = extendedOption(field);
        if (o != null) {
            putExtended(o, level, name, kind);
        }
    }

    /** The {@code jdk.net.ExtendedSocketOptions} field of that name, or null on a JDK without it. */
    public static SocketOption<?> extendedOption(String field) {
        try {
            Field f = Class.forName("jdk.net.ExtendedSocketOptions").getField(field);
            return (SocketOption<?>) f.get(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /** The option's entry; {@link UnsupportedOperationException} when this layer lacks it. */
    public Opt get(SocketOption<?> name) {
        Opt o = opts.get(name);
        if (o == null) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        return o;
    }

    public boolean supports(SocketOption<?> name) {
        return opts.containsKey(name);
    }

    /** The extended options of stream sockets (a new set); none for other sockets. */
    public Set<SocketOption<?>> extendedOptions(boolean stream) {
        return stream ? new HashSet<>(extended) : new HashSet<>();
    }

    /** The byte length of {@code o}'s value in the kernel. */
    public int length(Opt o) {
        return o.kind != 'l' ? 4 : shortLinger ? 4 : 8;
    }

    /**
     * Writes {@code value} at {@code off} as the kernel takes it; returns its length.
     *
     * @throws SocketException a read-only option (nothing written)
     */
    public int encode(ByteBuffer buf, int off, Opt o, SocketOption<?> name, Object value) throws SocketException {
        switch (o.kind) {
            case 'r': throw new SocketException("Attempt to set read only option " + name.name());
            case 'b': buf.putInt(off, ((Boolean) value) ? 1 : 0); return 4;
            case 'i': buf.putInt(off, (Integer) value); return 4;
            default: { // linger: on/off, then seconds
                int v = (Integer) value;
                int on = v < 0 ? 0 : 1, secs = v < 0 ? 0 : Math.min(v, 65535);
                if (shortLinger) {
                    buf.putShort(off, (short) on);
                    buf.putShort(off + 2, (short) secs);
                } else {
                    buf.putInt(off, on);
                    buf.putInt(off + 4, secs);
                }
                return length(o);
            }
        }
    }

    /** Reads the value at {@code off} as the JDK reports it (linger: -1 when off), buffer sizes raw. */
    public Object decode(ByteBuffer buf, int off, Opt o) {
        switch (o.kind) {
            case 'b': return buf.getInt(off) != 0; // BOOL, or Windows' 1-byte BOOLEAN in a zeroed int
            case 'i': case 'r': return buf.getInt(off);
            default: {
                int on = shortLinger ? buf.getShort(off) & 0xffff : buf.getInt(off);
                int secs = shortLinger ? buf.getShort(off + 2) & 0xffff : buf.getInt(off + 4);
                return on == 0 ? -1 : secs;
            }
        }
    }
}
