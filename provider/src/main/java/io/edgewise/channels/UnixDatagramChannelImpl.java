package io.edgewise.channels;

import io.edgewise.observe.ChannelKind;
import io.edgewise.observe.ChannelTrace;
import io.edgewise.sys.DatagramOps;
import io.edgewise.sys.Platform;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.UnixOps;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
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
 * An Edgewise extension: a Unix domain {@link DatagramChannel}
 * ({@code openDatagramChannel(StandardProtocolFamily.UNIX)}). {@code bind(null)} binds to an
 * automatically chosen path in the temporary directory (as the JDK's Unix server channel does); the
 * empty path leaves it unnamed; a channel that never binds sends as the unnamed address and receives
 * only what is sent to it while connected; multicast and {@link #socket()} are not available. The
 * data path, blocking mode and close are {@link DatagramChannelBase}'s.
 *
 * <h2>Locks</h2>
 * As {@link DatagramChannelBase}; no fields of its own.
 */
public final class UnixDatagramChannelImpl extends DatagramChannelBase {
    private static final Set<SocketOption<?>> OPTIONS = Collections.unmodifiableSet(
            new HashSet<>(List.of(StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF)));

    private final UnixOps unix;

    /** A new, unbound Unix domain datagram channel. */
    public UnixDatagramChannelImpl(SelectorProvider provider) throws IOException {
        this(provider, Platform.ops(), Platform.datagramOps().socket(DatagramOps.UNIX));
    }

    /** Takes ownership of {@code fdVal}. */
    UnixDatagramChannelImpl(SelectorProvider provider, SocketOps ops, int fdVal) {
        super(provider, ops, Platform.datagramOps(), DatagramOps.UNIX, fdVal, ChannelTrace.open(ChannelKind.UNIX_DATAGRAM));
        this.unix = Platform.unixOps();
    }

    // ---- family rules

    @Override
    SocketAddress checkAddress(SocketAddress sa) {
        return UnixNet.checkAddress(sa);
    }

    @Override
    SocketAddress queryAddress(int f, boolean local) throws IOException {
        return local ? unix.localAddress(f) : unix.remoteAddress(f);
    }

    /** {@code null}: an automatically chosen path; the empty path: stays unnamed. */
    @Override
    void bindTo(int f, SocketAddress local) throws IOException {
        if (local == null) {
            UnixNet.bindTemp(sa -> unix.bind(f, sa));
        } else if (!UnixNet.isUnnamed(UnixNet.checkAddress(local))) {
            unix.bind(f, local);
        }
    }

    @Override
    void beforeConnect(SocketAddress target) {
        // an unbound Unix socket connects (and sends) as the unnamed address
    }

    @Override
    int connectOnce(int f, SocketAddress target) throws IOException {
        return unix.connect(f, target);
    }

    @Override
    void checkSend(SocketAddress target) {
        // no port, no security manager check for Unix domain datagrams
    }

    @Override
    boolean screensReceive() {
        return true;
    }

    @Override
    SocketAddress unnamedSender() {
        return UnixNet.UNNAMED;
    }

    // ---- what Unix domain datagram sockets do not have

    @Override
    public DatagramSocket socket() {
        throw new UnsupportedOperationException("Not supported for Unix domain datagram channels");
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return OPTIONS;
    }

    /** Unix sockets have SOL_SOCKET options only, which SocketOps takes with any IP family. */
    @Override
    int optionFamily() {
        return SocketOps.INET;
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf) {
        throw new UnsupportedOperationException("Multicast is not supported on Unix domain sockets");
    }

    @Override
    public MembershipKey join(InetAddress group, NetworkInterface interf, InetAddress source) {
        Objects.requireNonNull(source);
        throw new UnsupportedOperationException("Multicast is not supported on Unix domain sockets");
    }
}
