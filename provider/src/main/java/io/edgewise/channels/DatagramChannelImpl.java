package io.edgewise.channels;

import io.edgewise.observe.ChannelKind;
import io.edgewise.observe.ChannelTrace;
import io.edgewise.sys.DatagramOps;
import io.edgewise.sys.Platform;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.nio.channels.MembershipKey;
import java.nio.channels.spi.SelectorProvider;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A UDP {@link DatagramChannel} over IPv4 or IPv6 (an INET6 channel is dual-stack: IPv4 peers appear
 * as {@link Inet4Address}es), with multicast ({@link Memberships}) and the {@link #socket()} adaptor.
 * The data path, blocking mode and close are {@link DatagramChannelBase}'s.
 *
 * <h2>Locks</h2>
 * As {@link DatagramChannelBase}; {@code stateLock} also guards {@code socket} and the state of
 * {@code memberships}.
 */
public final class DatagramChannelImpl extends DatagramChannelBase {
    private final Memberships memberships;
    private DatagramSocketAdaptor socket;

    /** A new channel of {@code family} (SocketOps.INET or INET6). */
    public DatagramChannelImpl(SelectorProvider provider, int family) throws IOException {
        this(provider, Platform.ops(), family, Platform.datagramOps().socket(family));
    }

    /** Takes ownership of {@code fdVal}. */
    private DatagramChannelImpl(SelectorProvider provider, SocketOps ops, int family, int fdVal) {
        super(provider, ops, Platform.datagramOps(), family, fdVal, ChannelTrace.open(ChannelKind.UDP));
        this.memberships = new Memberships(this, stateLock, dops, fd, family);
    }

    /** A channel for an existing (inherited) datagram descriptor, bound and perhaps connected. */
    static DatagramChannelBase inherited(SelectorProvider provider, SocketOps ops, int family, int fdVal)
            throws IOException {
        DatagramChannelBase ch = family == DatagramOps.UNIX
                ? new UnixDatagramChannelImpl(provider, ops, fdVal)
                : new DatagramChannelImpl(provider, ops, family, fdVal);
        ch.adoptInherited();
        return ch;
    }

    // ---- family rules

    @Override
    SocketAddress checkAddress(SocketAddress sa) {
        return Net.checkAddress(sa, family);
    }

    @Override
    SocketAddress queryAddress(int f, boolean local) throws IOException {
        return local ? ops.localAddress(f) : ops.remoteAddress(f);
    }

    @Override
    void bindTo(int f, SocketAddress local) throws IOException {
        InetSocketAddress isa = Security.checkListen(local == null ? Net.anyLocal(family) : Net.checkAddress(local, family));
        ops.bind(f, family, isa);
    }

    /** An unbound channel binds to an ephemeral port before a receive or send, as the JDK's does. */
    @Override
    void ensureBound() throws IOException {
        if (localAddress == null) {
            synchronized (stateLock) {
                ensureOpen();
                if (localAddress == null) {
                    bindInternal(null);
                }
            }
        }
    }

    @Override
    void permitConnect(SocketAddress target) {
        Security.checkDatagramConnect((InetSocketAddress) target);
    }

    @Override
    void beforeConnect(SocketAddress target) throws IOException {
        if (((InetSocketAddress) target).getPort() == 0) {
            throw new SocketException("Can't connect to port 0");
        }
        if (localAddress == null) {
            bindInternal(null);
        }
    }

    @Override
    int connectOnce(int f, SocketAddress target) throws IOException {
        return ops.connect(f, family, (InetSocketAddress) target);
    }

    @Override
    void afterDisconnect(int f, SocketAddress initial) throws IOException {
        if (initial != null && !initial.equals(localAddress) && ((InetSocketAddress) localAddress).getPort() == 0) {
            // Linux drops an implicitly chosen port on disconnect: take it back
            ops.bind(f, family, (InetSocketAddress) initial);
            localAddress = ops.localAddress(f);
        }
    }

    @Override
    void checkSend(SocketAddress target) throws IOException {
        if (Security.checkSend((InetSocketAddress) target).getPort() == 0) {
            throw new SocketException("Can't send to port 0");
        }
    }

    @Override
    boolean screensReceive() {
        return state == ST_CONNECTED;
    }

    @Override
    SocketAddress unnamedSender() {
        return remoteAddress;
    }

    // ---- addresses and options

    @Override
    public DatagramSocket socket() {
        synchronized (stateLock) {
            if (socket == null) {
                socket = DatagramSocketAdaptor.create(this);
            }
            return socket;
        }
    }

    SocketAddress localAddressUnchecked() {
        return localAddress;
    }

    SocketAddress remoteAddressUnchecked() {
        return remoteAddress;
    }

    private static final class Options {
        static final Set<SocketOption<?>> SET = build();

        private static Set<SocketOption<?>> build() {
            Set<SocketOption<?>> s = new HashSet<>(List.of(StandardSocketOptions.SO_SNDBUF,
                    StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_REUSEADDR,
                    StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_BROADCAST, StandardSocketOptions.IP_TOS,
                    StandardSocketOptions.IP_MULTICAST_IF, StandardSocketOptions.IP_MULTICAST_TTL,
                    StandardSocketOptions.IP_MULTICAST_LOOP));
            s.addAll(Platform.datagramOps().extendedOptions());
            return Collections.unmodifiableSet(s);
        }
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return Options.SET;
    }

    @Override
    int optionFamily() {
        return family;
    }

    @Override
    boolean datagramOption(SocketOption<?> name) {
        return dops.handlesOption(name);
    }

    // ---- multicast

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf) throws IOException {
        return memberships.join(group, interf, null);
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source) throws IOException {
        Objects.requireNonNull(source);
        return memberships.join(group, interf, source);
    }

    /** The socket adaptor's joinGroup/leaveGroup: see {@link Memberships#findAnySource}. */
    MembershipKey findMembership(InetAddress group, NetworkInterface interf) {
        return memberships.findAnySource(group, interf);
    }

    @Override
    void closing() {
        memberships.invalidateAll();
    }
}
