package io.edgewise.sys.linux;

import io.edgewise.sys.Scratch;
import static io.edgewise.sys.linux.Linux.*;

import io.edgewise.sys.SocketOps;
import io.edgewise.sys.posix.LibC;
import io.edgewise.sys.posix.PosixDatagramOps;
import java.io.IOException;
import java.net.SocketOption;
import java.util.Set;

/**
 * The POSIX datagram layer ({@link PosixDatagramOps}) with Linux's values and what only Linux has, as
 * the JDK does it there: new UDP sockets receive only the groups they joined (IP_MULTICAST_ALL off)
 * and send IPv6 multicast with a hop limit of 1 (not the route's default); IP_DONTFRAGMENT through
 * path-MTU discovery; SO_INCOMING_NAPI_ID. Stateless apart from the POSIX layer's per-thread scratch.
 */
public final class LinuxDatagramOps extends PosixDatagramOps {
    public static final LinuxDatagramOps INSTANCE = new LinuxDatagramOps();

    /** {@code jdk.net.ExtendedSocketOptions.IP_DONTFRAGMENT} (JDK 19+), or null. */
    private static final SocketOption<?> IP_DONTFRAGMENT = ExtendedOptions.lookup("IP_DONTFRAGMENT");

    private LinuxDatagramOps() {
        super(LinuxSocketOps.INSTANCE);
    }

    @Override
    public int socket(int family) throws IOException {
        int fd = super.socket(family);
        if (family == UNIX) {
            return fd;
        }
        Scratch s = scratch();
        LibC.setsockopt(fd, IPPROTO_IP, IP_MULTICAST_ALL, s.zeroedInt(OPT), 4);
        if (family == SocketOps.INET6) {
            LibC.setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_ALL, s.addr + OPT, 4);
            s.buf.putInt(OPT, 1);
            LibC.setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, s.addr + OPT, 4);
        }
        return fd;
    }

    @Override
    public boolean handlesOption(SocketOption<?> name) {
        return super.handlesOption(name) || (name != null && name == IP_DONTFRAGMENT);
    }

    @Override
    public Set<SocketOption<?>> extendedOptions() {
        Set<SocketOption<?>> set = super.extendedOptions();
        if (IP_DONTFRAGMENT != null) set.add(IP_DONTFRAGMENT);
        SocketOption<?> napi = ExtendedOptions.lookup("SO_INCOMING_NAPI_ID");
        if (napi != null) set.add(napi);
        return set;
    }

    /** IP_DONTFRAGMENT as the JDK sets it: path-MTU discovery "do" (DF set) or "don't". */
    @Override
    public <T> void setOption(int fd, int family, SocketOption<T> name, T value) throws IOException {
        if (name != IP_DONTFRAGMENT || name == null) {
            super.setOption(fd, family, name, value);
            return;
        }
        Scratch s = scratch();
        s.buf.putInt(OPT, ((Boolean) value) ? IP_PMTUDISC_DO : IP_PMTUDISC_DONT);
        if (family == SocketOps.INET6) {
            set(s, fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, 4, false);
        } else {
            set(s, fd, IPPROTO_IP, IP_MTU_DISCOVER, 4, false);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(int fd, int family, SocketOption<T> name) throws IOException {
        if (name != IP_DONTFRAGMENT || name == null) {
            return super.getOption(fd, family, name);
        }
        boolean v6 = family == SocketOps.INET6;
        int v = intOption(scratch(), fd, v6 ? IPPROTO_IPV6 : IPPROTO_IP, v6 ? IPV6_MTU_DISCOVER : IP_MTU_DISCOVER);
        return (T) Boolean.valueOf(v == IP_PMTUDISC_DO);
    }
}
