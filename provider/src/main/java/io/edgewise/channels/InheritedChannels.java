package io.edgewise.channels;

import io.edgewise.sys.DatagramOps;
import io.edgewise.sys.Platform;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.UnixOps;
import io.edgewise.sys.WaitOps;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Set;

/**
 * {@code System.inheritedChannel()} for Edgewise: the socket on descriptor 0 as a channel (connected
 * stream → SocketChannel, listening stream → ServerSocketChannel, datagram → DatagramChannel, for
 * IPv4, IPv6 and Unix domain sockets), or null when descriptor 0 is not such a socket. As the JDK,
 * the channel works on a duplicate of descriptor 0 and, when it is closed, points descriptors 0, 1 and
 * 2 at {@code /dev/null} so the socket is really released. The duplicate is made non-blocking, which
 * (a file-status flag) also applies to descriptor 0 and any process sharing it.
 *
 * <p>The result is computed once; {@code INSTANCE}/{@code DONE} are guarded by the class lock.
 */
public final class InheritedChannels {
    private InheritedChannels() { }

    private static boolean done;
    private static Channel channel;

    public static synchronized Channel get(SelectorProvider provider) throws IOException {
        if (!done) {
            channel = create(provider);
            done = true;
        }
        return channel;
    }

    private static Channel create(SelectorProvider provider) throws IOException {
        UnixOps uops = Platform.unixOps();
        long info = uops.inspect(0);
        if (info < 0) {
            return null;
        }
        int fd = (int) info;
        int kind = (int) (info >>> 32) & 0xff;
        int family = (int) (info >>> 40) & 0xff;
        SocketOps ops = new DetachingOps(Platform.ops(), fd, uops);
        InetSocketAddress remote = null;
        try {
            if (family == SocketOps.INET6 && !Platform.ops().ipv6Available()) {
                Platform.ops().close(fd);
                return null;
            }
            if (kind != UnixOps.KIND_DATAGRAM && kind != UnixOps.KIND_LISTENER && family != DatagramOps.UNIX) {
                remote = Platform.ops().remoteAddress(fd);
            }
        } catch (IOException | RuntimeException e) {
            Platform.ops().close(fd);
            throw e;
        }
        // from here a channel constructor owns fd: on failure it has closed it already (never twice)
        switch (kind) {
            case UnixOps.KIND_DATAGRAM:
                return DatagramChannelImpl.inherited(provider, ops, family, fd);
            case UnixOps.KIND_LISTENER:
                return family == DatagramOps.UNIX
                        ? new UnixServerSocketChannelImpl(provider, ops, fd)
                        : new ServerSocketChannelImpl(provider, ops, family, fd);
            default:
                return family == DatagramOps.UNIX
                        ? new UnixSocketChannelImpl(provider, ops, fd)
                        : new SocketChannelImpl(provider, ops, family, fd, remote);
        }
    }

    /**
     * The platform's {@link SocketOps} with one change: closing the inherited duplicate also detaches
     * the standard streams (descriptors 0-2 → /dev/null), as the JDK does. Channels accepted from an
     * inherited listener use it too; for their descriptors it only delegates.
     */
    private static final class DetachingOps implements SocketOps, WaitOps {
        private final SocketOps d;
        private final WaitOps w = Platform.waitOps();
        private final int inherited;
        private final UnixOps uops;

        DetachingOps(SocketOps d, int inherited, UnixOps uops) {
            this.d = d;
            this.inherited = inherited;
            this.uops = uops;
        }

        @Override public void close(int fd) throws IOException {
            d.close(fd);
            if (fd == inherited) {
                uops.detachStandardStreams();
            }
        }

        @Override public boolean ipv6Available() { return d.ipv6Available(); }
        @Override public int socket(int family, boolean stream) throws IOException { return d.socket(family, stream); }
        @Override public void bind(int fd, int family, InetSocketAddress local) throws IOException { d.bind(fd, family, local); }
        @Override public void listen(int fd, int backlog) throws IOException { d.listen(fd, backlog); }
        @Override public int accept(int fd, int family, InetSocketAddress[] remote) throws IOException { return d.accept(fd, family, remote); }
        @Override public int connect(int fd, int family, InetSocketAddress remote) throws IOException { return d.connect(fd, family, remote); }
        @Override public boolean finishConnect(int fd) throws IOException { return d.finishConnect(fd); }
        @Override public InetSocketAddress address(int fd, boolean peer) throws IOException { return d.address(fd, peer); }
        @Override public int available(int fd) throws IOException { return d.available(fd); }
        @Override public int sendUrgent(int fd, int data) throws IOException { return d.sendUrgent(fd, data); }
        @Override public void shutdown(int fd, int how) throws IOException { d.shutdown(fd, how); }
        @Override public <T> void setOption(int fd, int family, SocketOption<T> name, T value) throws IOException { d.setOption(fd, family, name, value); }
        @Override public <T> T getOption(int fd, int family, SocketOption<T> name) throws IOException { return d.getOption(fd, family, name); }
        @Override public Set<SocketOption<?>> extendedOptions(boolean stream, boolean server) { return d.extendedOptions(stream, server); }
        @Override public boolean supportsOption(SocketOption<?> name, boolean stream) { return d.supportsOption(name, stream); }
        // waiting: the platform's, without the shutdown wake (blocked threads use wakeup descriptors)
        @Override public int wakeupDescriptor() throws IOException { return w.wakeupDescriptor(); }
        @Override public void signal(int wakeFd) throws IOException { w.signal(wakeFd); }
        @Override public void drain(int wakeFd) throws IOException { w.drain(wakeFd); }
        @Override public int poll(int fd, int events, int wakeFd, int timeoutMillis) throws IOException { return w.poll(fd, events, wakeFd, timeoutMillis); }
    }
}
