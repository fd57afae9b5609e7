package io.edgewise.channels;

import io.edgewise.sys.SystemProps;
import io.edgewise.sys.SocketOps;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.UnresolvedAddressException;
import java.nio.channels.UnsupportedAddressTypeException;
import java.util.Objects;
import java.util.Set;

/** Address and option checks shared by the channels, with the JDK's exceptions and messages. */
final class Net {
    private Net() { }

    static InetSocketAddress checkAddress(SocketAddress sa, int family) {
        if (sa == null) {
            throw new NullPointerException();
        }
        if (!(sa instanceof InetSocketAddress)) {
            throw new UnsupportedAddressTypeException();
        }
        InetSocketAddress isa = (InetSocketAddress) sa;
        if (isa.isUnresolved()) {
            throw new UnresolvedAddressException();
        }
        if (family == SocketOps.INET && !(isa.getAddress() instanceof Inet4Address)) {
            throw new UnsupportedAddressTypeException();
        }
        return isa;
    }

    /**
     * The message of the UnknownHostException the running JDK's socket adaptor throws for a connect to
     * the unresolved {@code isa}: from JDK 24 its {@code toString()} ({@code host/<unresolved>:port}),
     * or "" when {@code jdk.includeInExceptions} (system property, else security property) names
     * neither {@code hostInfo} nor {@code hostInfoExclSocket}; before 24 the adaptor has no message, so
     * {@code java.net.Socket}'s, the host name.
     */
    static String unresolvedMessage(InetSocketAddress isa) {
        if (Runtime.version().feature() < 24) {
            return isa.getHostName();
        }
        return hostInfoInExceptions() ? isa.toString() : "";
    }

    private static boolean hostInfoInExceptions() {
        String v = SystemProps.get("jdk.includeInExceptions");
        if (v == null) {
            v = java.security.Security.getProperty("jdk.includeInExceptions");
        }
        if (v == null) {
            return false;
        }
        for (String t : v.split(",")) {
            t = t.trim();
            if (t.equalsIgnoreCase("hostInfo") || t.equalsIgnoreCase("hostInfoExclSocket")) {
                return true;
            }
        }
        return false;
    }

    /** A connect to the wildcard address goes to the loopback address of the same version. */
    static InetSocketAddress connectTarget(InetSocketAddress isa) {
        InetAddress a = isa.getAddress();
        if (!a.isAnyLocalAddress()) {
            return isa;
        }
        InetAddress lo;
        try {
            lo = a instanceof Inet6Address
                    ? InetAddress.getByAddress("localhost", new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
                    : InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
        return new InetSocketAddress(lo, isa.getPort());
    }

    /** The wildcard address of a family, for bind(null). */
    static InetSocketAddress anyLocal(int family) {
        try {
            InetAddress a = family == SocketOps.INET6
                    ? InetAddress.getByAddress(new byte[16])
                    : InetAddress.getByAddress(new byte[4]);
            return new InetSocketAddress(a, 0);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * The JDK's checks before setting an option, made before the channel's "closed" check: named,
     * supported, typed (a null value is not of the type). The value's range is checked after it
     * ({@link #optionValue}).
     */
    static void checkOption(Set<SocketOption<?>> supported, SocketOption<?> name, Object value) {
        Objects.requireNonNull(name);
        if (!supported.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        if (!name.type().isInstance(value)) {
            throw new IllegalArgumentException("Invalid value '" + value + "'");
        }
    }

    /**
     * The value to set after {@link #checkOption} and the channel's "closed" check (in that order, as
     * the JDK's channels do): out-of-range values are refused, SO_LINGER is clamped.
     */
    @SuppressWarnings("unchecked")
    static <T> T optionValue(SocketOption<T> name, T value) {
        return (T) checkedValue(name, value);
    }

    private static Object checkedValue(SocketOption<?> name, Object value) {
        if (name == StandardSocketOptions.SO_RCVBUF || name == StandardSocketOptions.SO_SNDBUF) {
            if ((Integer) value < 0) {
                throw new IllegalArgumentException("Invalid send/receive buffer size");
            }
        } else if (name == StandardSocketOptions.SO_LINGER) {
            int i = (Integer) value;
            if (i < 0) return -1;
            if (i > 65535) return 65535;
        } else if (name == StandardSocketOptions.IP_TOS) {
            int i = (Integer) value;
            if (i < 0 || i > 255) {
                throw new IllegalArgumentException("Invalid IP_TOS value");
            }
        } else if (name == StandardSocketOptions.IP_MULTICAST_TTL) {
            int i = (Integer) value;
            if (i < 0 || i > 255) {
                throw new IllegalArgumentException("Invalid TTL/hop value");
            }
        }
        return value;
    }

    static void checkGetOption(Set<SocketOption<?>> supported, SocketOption<?> name) {
        Objects.requireNonNull(name);
        if (!supported.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
    }
}
