package io.edgewise.channels;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
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
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The {@link DatagramSocket} returned by {@link DatagramChannelImpl#socket()}: a view of the channel
 * with the JDK adaptor's behaviour (send/receive need blocking mode, {@code SO_TIMEOUT} bounds
 * receives, channel exceptions become {@code SocketException}s). Like the JDK's since JDK 17 it is a
 * {@link MulticastSocket}, and its multicast methods work on the channel's options and memberships as
 * the JDK's do.
 *
 * <p>{@code MulticastSocket}'s public constructors all make a JDK socket to delegate to; this class
 * overrides every public method, so that socket is only asked once, in the constructor, for the
 * JDK's placeholder "any interface" ({@link #getNetworkInterface()} when none is set, which public
 * code cannot build), and closed at once.
 *
 * <h2>Locks</h2>
 * {@code timeout} is volatile; {@code sendLock} orders TTL changes with {@link #send(DatagramPacket, byte)};
 * {@code outgoingInterfaceLock} guards the {@code outgoing*} cache of {@link #getInterface()};
 * {@code this} serializes joinGroup/leaveGroup; packets are used under their own monitor, as the JDK
 * does. Order: packet → (channel locks | {@link DatagramPackets}' lock).
 */
final class DatagramSocketAdaptor extends MulticastSocket {
    /** The largest datagram a receive takes in (a UDP payload is at most 65,527 bytes). */
    private static final int MAX_DATAGRAM = 65536;

    private final DatagramChannelImpl dc;
    private volatile int timeout;
    /** The JDK's "any network interface" (index 0, the wildcard address). */
    private final NetworkInterface anyInterface;

    private final ReentrantLock sendLock = new ReentrantLock();
    private final Object outgoingInterfaceLock = new Object();
    private NetworkInterface outgoingNetworkInterface;
    private InetAddress outgoingInetAddress;

    private DatagramSocketAdaptor(DatagramChannelImpl dc) throws IOException {
        super((SocketAddress) null);
        NetworkInterface any;
        try {
            any = super.getNetworkInterface();
        } finally {
            super.close();
        }
        this.anyInterface = any;
        this.dc = dc;
    }

    /** The adaptor of {@code dc}; {@code UncheckedIOException} if the JDK socket behind the constructor cannot be made. */
    static DatagramSocketAdaptor create(DatagramChannelImpl dc) {
        try {
            return new DatagramSocketAdaptor(dc);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
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
                if (!dc.isOpen()) throw new ClosedChannelException();
                if (!dc.isBlocking()) throw new IllegalBlockingModeException();
                // the packet's buffer length is not public: receive all that can fit after its offset,
                // and let DatagramPackets keep to the buffer length, as the JDK's receive does
                int room = Math.min(p.getData().length - p.getOffset(), MAX_DATAGRAM);
                TempBuffers t = TempBuffers.get();
                int slot = t.take(room);
                try {
                    ByteBuffer dst = t.buffer(slot);
                    dst.limit(Math.min(room, dst.capacity()));
                    int to = timeout;
                    SocketAddress sender = dc.receive(dst, to > 0 ? to : -1);
                    if (sender == null) {
                        throw new SocketException("Socket closed");
                    }
                    dst.flip();
                    DatagramPackets.deliver(p, dst, sender);
                } finally {
                    t.give(slot);
                }
            } catch (SocketTimeoutException e) {
                throw e;
            } catch (ClosedChannelException e) {
                if (e instanceof ClosedByInterruptException && JdkBehaviour.ADAPTOR_RECEIVE_THROWS_CLOSED_BY_INTERRUPT) {
                    throw e;
                }
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

    // ---- MulticastSocket

    @Override
    @Deprecated
    public void setTTL(byte ttl) throws IOException {
        setTimeToLive(Byte.toUnsignedInt(ttl));
    }

    @Override
    public void setTimeToLive(int ttl) throws IOException {
        sendLock.lock();
        try {
            set(StandardSocketOptions.IP_MULTICAST_TTL, ttl);
        } finally {
            sendLock.unlock();
        }
    }

    @Override
    @Deprecated
    public byte getTTL() throws IOException {
        return (byte) getTimeToLive();
    }

    @Override
    public int getTimeToLive() throws IOException {
        sendLock.lock();
        try {
            return get(StandardSocketOptions.IP_MULTICAST_TTL);
        } finally {
            sendLock.unlock();
        }
    }

    @Override
    @Deprecated
    public void joinGroup(InetAddress group) throws IOException {
        Objects.requireNonNull(group);
        try {
            joinGroup(new InetSocketAddress(group, 0), null);
        } catch (IllegalArgumentException e) {
            // the one-argument form does not declare IllegalArgumentException
            throw socketException("joinGroup failed", e);
        }
    }

    @Override
    @Deprecated
    public void leaveGroup(InetAddress group) throws IOException {
        Objects.requireNonNull(group);
        try {
            leaveGroup(new InetSocketAddress(group, 0), null);
        } catch (IllegalArgumentException e) {
            throw socketException("leaveGroup failed", e);
        }
    }

    private static SocketException socketException(String message, Throwable cause) {
        SocketException se = new SocketException(message);
        se.initCause(cause);
        return se;
    }

    private static InetAddress checkGroup(SocketAddress mcastaddr) throws SocketException {
        if (!(mcastaddr instanceof InetSocketAddress)) throw new IllegalArgumentException("Unsupported address type");
        InetAddress group = ((InetSocketAddress) mcastaddr).getAddress();
        if (group == null) throw new IllegalArgumentException("Unresolved address");
        if (!group.isMulticastAddress()) throw new SocketException("Not a multicast address");
        return group;
    }

    /** The interface a join or leave without one uses: the outgoing multicast interface, else any. */
    private NetworkInterface defaultInterface() throws SocketException {
        NetworkInterface ni = outgoingInterface();
        return ni != null ? ni : anyInterface;
    }

    /** IP_MULTICAST_IF, or null when not set. */
    private NetworkInterface outgoingInterface() throws SocketException {
        return get(StandardSocketOptions.IP_MULTICAST_IF);
    }

    @Override
    public void joinGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
        InetAddress group = checkGroup(mcastaddr);
        NetworkInterface ni = netIf != null ? netIf : defaultInterface();
        if (isClosed()) throw new SocketException("Socket is closed");
        synchronized (this) {
            if (dc.findMembership(group, ni) != null) throw new SocketException("Already a member of group");
            dc.join(group, ni);
        }
    }

    @Override
    public void leaveGroup(SocketAddress mcastaddr, NetworkInterface netIf) throws IOException {
        InetAddress group = checkGroup(mcastaddr);
        NetworkInterface ni = netIf != null ? netIf : defaultInterface();
        if (isClosed()) throw new SocketException("Socket is closed");
        synchronized (this) {
            MembershipKey key = dc.findMembership(group, ni);
            if (key == null) throw new SocketException("Not a member of group");
            key.drop();
        }
    }

    @Override
    @Deprecated
    public void setInterface(InetAddress inf) throws SocketException {
        if (inf == null) throw new SocketException("Invalid value 'null'");
        NetworkInterface ni = NetworkInterface.getByInetAddress(inf);
        if (ni == null) throw new SocketException(JdkBehaviour.noInterfaceMessage(inf.getHostAddress()));
        synchronized (outgoingInterfaceLock) {
            setNetworkInterface(ni);
            outgoingNetworkInterface = ni;
            outgoingInetAddress = inf;
        }
    }

    @Override
    @Deprecated
    public InetAddress getInterface() throws SocketException {
        synchronized (outgoingInterfaceLock) {
            NetworkInterface ni = outgoingInterface();
            if (ni != null) {
                if (ni.equals(outgoingNetworkInterface)) {
                    return outgoingInetAddress;
                }
                // set through the channel or setNetworkInterface: its first address
                InetAddress ia = ni.inetAddresses().findFirst().orElse(null);
                if (ia == null) throw new SocketException("Network interface has no IP address");
                outgoingNetworkInterface = ni;
                outgoingInetAddress = ia;
                return ia;
            }
        }
        return new InetSocketAddress(0).getAddress();
    }

    @Override
    public void setNetworkInterface(NetworkInterface netIf) throws SocketException {
        try {
            dc.setOption(StandardSocketOptions.IP_MULTICAST_IF, netIf);
        } catch (IOException e) {
            throw Exceptions.toSocketException(e);
        }
    }

    @Override
    public NetworkInterface getNetworkInterface() throws SocketException {
        NetworkInterface ni = outgoingInterface();
        return ni != null ? ni : anyInterface;
    }

    @Override
    @Deprecated
    public void setLoopbackMode(boolean disable) throws SocketException {
        set(StandardSocketOptions.IP_MULTICAST_LOOP, !disable);
    }

    @Override
    @Deprecated
    public boolean getLoopbackMode() throws SocketException {
        return !get(StandardSocketOptions.IP_MULTICAST_LOOP);
    }

    @Override
    @Deprecated
    public void send(DatagramPacket p, byte ttl) throws IOException {
        sendLock.lock();
        try {
            int old = getTimeToLive();
            try {
                setTTL(ttl);
                send(p);
            } finally {
                setTimeToLive(old);
            }
        } finally {
            sendLock.unlock();
        }
    }
}
