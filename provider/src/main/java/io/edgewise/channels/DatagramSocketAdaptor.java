package io.edgewise.channels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.AlreadyConnectedException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.MembershipKey;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The {@link DatagramSocket} returned by {@link DatagramChannelImpl#socket()}: a view of the channel
 * with the JDK adaptor's behaviour (send/receive need blocking mode, {@code SO_TIMEOUT} bounds
 * receives, channel exceptions become {@code SocketException}s). Unlike the JDK's it is not a
 * {@code MulticastSocket} (the JDK builds that with an internal constructor); multicast is reached
 * through {@link #joinGroup}/{@link #leaveGroup} and the options.
 *
 * <h2>Locks</h2>
 * {@code timeout} is volatile; {@code bufLengths} is guarded by itself; packets are used under their
 * own monitor, as the JDK does.
 */
final class DatagramSocketAdaptor extends DatagramSocket {
    private final DatagramChannelImpl dc;
    private volatile int timeout;

    /**
     * The capacity a packet had before this adaptor set its length to a received datagram's size
     * (DatagramPacket keeps that internally and gives no public access): used again while the packet's
     * length is still what we set.
     */
    private final Map<DatagramPacket, long[]> bufLengths = new WeakHashMap<>();

    private DatagramSocketAdaptor(DatagramChannelImpl dc) {
        super(new NoDatagramSocketImpl());
        this.dc = dc;
    }

    static DatagramSocketAdaptor create(DatagramChannelImpl dc) {
        return new DatagramSocketAdaptor(dc);
    }

    private static InetSocketAddress asInet(SocketAddress sa) {
        if (!(sa instanceof InetSocketAddress)) {
            throw new IllegalArgumentException("Unsupported address type");
        }
        return (InetSocketAddress) sa;
    }

    @Override
    public void bind(SocketAddress local) throws SocketException {
        local = local != null ? asInet(local) : new InetSocketAddress(0);
        try {
            dc.bind(local);
        } catch (Exception e) {
            throw Exceptions.toSocketException(e);
        }
    }

    private void connectInternal(SocketAddress remote) throws SocketException {
        try {
            dc.connect(remote, false);
        } catch (ClosedChannelException e) {
            // ignored, as the JDK does
        } catch (Exception e) {
            throw Exceptions.toSocketException(e);
        }
    }

    @Override
    public void connect(InetAddress address, int port) {
        if (address == null) throw new IllegalArgumentException("Address can't be null");
        try {
            connectInternal(new InetSocketAddress(address, port));
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void connect(SocketAddress remote) throws SocketException {
        if (remote == null) throw new IllegalArgumentException("Address can't be null");
        connectInternal(asInet(remote));
    }

    @Override
    public void disconnect() {
        try {
            dc.disconnect();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean isBound() {
        return dc.localAddressUnchecked() != null;
    }

    @Override
    public boolean isConnected() {
        return dc.remoteAddressUnchecked() != null;
    }

    @Override
    public InetAddress getInetAddress() {
        InetSocketAddress remote = (InetSocketAddress) dc.remoteAddressUnchecked();
        return remote != null ? remote.getAddress() : null;
    }

    @Override
    public int getPort() {
        InetSocketAddress remote = (InetSocketAddress) dc.remoteAddressUnchecked();
        return remote != null ? remote.getPort() : -1;
    }

    @Override
    public SocketAddress getRemoteSocketAddress() {
        return dc.remoteAddressUnchecked();
    }

    @Override
    public SocketAddress getLocalSocketAddress() {
        return isClosed() ? null : dc.localAddressUnchecked();
    }

    @Override
    public InetAddress getLocalAddress() {
        if (isClosed()) return null;
        InetSocketAddress local = (InetSocketAddress) dc.localAddressUnchecked();
        return (local != null ? local : new InetSocketAddress(0)).getAddress();
    }

    @Override
    public int getLocalPort() {
        if (isClosed()) return -1;
        InetSocketAddress local = (InetSocketAddress) dc.localAddressUnchecked();
        return local != null ? local.getPort() : 0;
    }

    @Override
    public void send(DatagramPacket p) throws IOException {
        synchronized (p) {
            try {
                if (!dc.isBlocking()) throw new IllegalBlockingModeException();
                ByteBuffer src = ByteBuffer.wrap(p.getData(), p.getOffset(), p.getLength());
                SocketAddress target;
                if (p.getAddress() == null) {
                    SocketAddress remote = dc.remoteAddressUnchecked();
                    if (remote == null) throw new IllegalArgumentException("Address not set");
                    InetSocketAddress r = (InetSocketAddress) remote;
                    p.setAddress(r.getAddress());
                    p.setPort(r.getPort());
                    target = remote;
                } else {
                    target = p.getSocketAddress();
                }
                dc.send(src, target);
            } catch (AlreadyConnectedException e) {
                throw new IllegalArgumentException("Connected and packet address differ");
            } catch (ClosedChannelException e) {
                SocketException se = new SocketException("Socket closed");
                se.initCause(e);
                throw se;
            }
        }
    }

    @Override
    public void receive(DatagramPacket p) throws IOException {
        synchronized (p) {
            try {
                if (!dc.isBlocking()) throw new IllegalBlockingModeException();
                int len = p.getLength();
                synchronized (bufLengths) {
                    long[] known = bufLengths.get(p);
                    if (known != null && known[1] == len && known[2] == System.identityHashCode(p.getData())) {
                        len = (int) known[0];
                    }
                }
                ByteBuffer dst = ByteBuffer.wrap(p.getData(), p.getOffset(), len);
                int to = timeout;
                SocketAddress sender = dc.receive(dst, to > 0 ? to : -1);
                if (sender == null) {
                    throw new SocketException("Socket closed");
                }
                int n = dst.position() - p.getOffset();
                p.setLength(n);
                p.setSocketAddress(sender);
                synchronized (bufLengths) {
                    bufLengths.put(p, new long[] {len, n, System.identityHashCode(p.getData())});
                }
            } catch (SocketTimeoutException | ClosedByInterruptException e) {
                throw e;
            } catch (ClosedChannelException e) {
                SocketException se = new SocketException("Socket closed");
                se.initCause(e);
                throw se;
            }
        }
    }

    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        this.timeout = Adaptors.checkTimeout(dc, timeout);
    }

    @Override
    public int getSoTimeout() throws SocketException {
        Adaptors.ensureOpen(dc);
        return timeout;
    }

    private <T> void set(SocketOption<T> name, T value) throws SocketException {
        Adaptors.setSocketOption(dc, name, value);
    }

    private <T> T get(SocketOption<T> name) throws SocketException {
        return Adaptors.getSocketOption(dc, name);
    }

    @Override
    public void setSendBufferSize(int size) throws SocketException {
        if (size <= 0) throw new IllegalArgumentException("Invalid send size");
        set(StandardSocketOptions.SO_SNDBUF, size);
    }

    @Override
    public int getSendBufferSize() throws SocketException {
        return get(StandardSocketOptions.SO_SNDBUF);
    }

    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) throw new IllegalArgumentException("Invalid receive size");
        set(StandardSocketOptions.SO_RCVBUF, size);
    }

    @Override
    public int getReceiveBufferSize() throws SocketException {
        return get(StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        set(StandardSocketOptions.SO_REUSEADDR, on);
    }

    @Override
    public boolean getReuseAddress() throws SocketException {
        return get(StandardSocketOptions.SO_REUSEADDR);
    }

    @Override
    public void setBroadcast(boolean on) throws SocketException {
        set(StandardSocketOptions.SO_BROADCAST, on);
    }

    @Override
    public boolean getBroadcast() throws SocketException {
        return get(StandardSocketOptions.SO_BROADCAST);
    }

    @Override
    public void setTrafficClass(int tc) throws SocketException {
        set(StandardSocketOptions.IP_TOS, tc);
    }

    @Override
    public int getTrafficClass() throws SocketException {
        return get(StandardSocketOptions.IP_TOS);
    }

    @Override
    public void close() {
        try {
            dc.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public boolean isClosed() {
        return !dc.isOpen();
    }

    @Override
    public DatagramChannel getChannel() {
        return dc;
    }

    @Override
    public <T> DatagramSocket setOption(SocketOption<T> name, T value) throws IOException {
        dc.setOption(name, value);
        return this;
    }

    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return dc.getOption(name);
    }

    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return dc.supportedOptions();
    }

    private static InetAddress checkGroup(SocketAddress mcastaddr) throws SocketException {
        if (!(mcastaddr instanceof InetSocketAddress)) throw new IllegalArgumentException("Unsupported address type");
        InetSocketAddress isa = (InetSocketAddress) mcastaddr;
        if (isa.isUnresolved()) throw new IllegalArgumentException("Unresolved address");
        InetAddress group = isa.getAddress();
        if (!group.isMulticastAddress()) throw new SocketException("Not a multicast address");
        return group;
    }

    private NetworkInterface interfaceFor(NetworkInterface netIf) throws IOException {
        if (netIf != null) return netIf;
        NetworkInterface ni = dc.getOption(StandardSocketOptions.IP_MULTICAST_IF);
        if (ni != null) return ni;
        throw new SocketException("No network interface given and no outgoing multicast interface set");
    }

    @Override
    public void joinGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
        InetAddress group = checkGroup(mcastaddr);
        synchronized (this) {
            if (isClosed()) throw new SocketException("Socket is closed");
            NetworkInterface ni = interfaceFor(netIf);
            MembershipKey existing = findMembership(group, ni);
            if (existing != null) throw new SocketException("Already a member of group");
            keys.put(keyName(group, ni), dc.join(group, ni));
        }
    }

    @Override
    public void leaveGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
        InetAddress group = checkGroup(mcastaddr);
        synchronized (this) {
            if (isClosed()) throw new SocketException("Socket is closed");
            NetworkInterface ni = interfaceFor(netIf);
            MembershipKey key = findMembership(group, ni);
            if (key == null) throw new SocketException("Not a member of group");
            key.drop();
            keys.remove(keyName(group, ni));
        }
    }

    /** Memberships made through {@link #joinGroup}; guarded by {@code this}. */
    private final Map<String, MembershipKey> keys = new java.util.HashMap<>();

    private static String keyName(InetAddress group, NetworkInterface ni) {
        return group.getHostAddress() + "%" + ni.getName();
    }

    private MembershipKey findMembership(InetAddress group, NetworkInterface ni) {
        MembershipKey k = keys.get(keyName(group, ni));
        if (k != null && !k.isValid()) {
            keys.remove(keyName(group, ni));
            k = null;
        }
        return k;
    }

    /** The impl handed to {@code DatagramSocket}'s constructor: never used, every method is overridden. */
    private static final class NoDatagramSocketImpl extends DatagramSocketImpl {
        private static SocketException unsupported() {
            return new SocketException("Not supported by the channel adaptor");
        }
        @Override protected void create() throws SocketException { throw unsupported(); }
        @Override protected void bind(int lport, InetAddress laddr) throws SocketException { throw unsupported(); }
        @Override protected void send(DatagramPacket p) throws IOException { throw unsupported(); }
        @Override protected int peek(InetAddress i) throws IOException { throw unsupported(); }
        @Override protected int peekData(DatagramPacket p) throws IOException { throw unsupported(); }
        @Override protected void receive(DatagramPacket p) throws IOException { throw unsupported(); }
        @Override @SuppressWarnings("deprecation") protected void setTTL(byte ttl) throws IOException { throw unsupported(); }
        @Override @SuppressWarnings("deprecation") protected byte getTTL() throws IOException { throw unsupported(); }
        @Override protected void setTimeToLive(int ttl) throws IOException { throw unsupported(); }
        @Override protected int getTimeToLive() throws IOException { throw unsupported(); }
        @Override protected void join(InetAddress inetaddr) throws IOException { throw unsupported(); }
        @Override protected void leave(InetAddress inetaddr) throws IOException { throw unsupported(); }
        @Override protected void joinGroup(SocketAddress a, NetworkInterface n) throws IOException { throw unsupported(); }
        @Override protected void leaveGroup(SocketAddress a, NetworkInterface n) throws IOException { throw unsupported(); }
        @Override protected void close() { }
        @Override public void setOption(int optID, Object value) throws SocketException { throw unsupported(); }
        @Override public Object getOption(int optID) throws SocketException { throw unsupported(); }
    }
}
