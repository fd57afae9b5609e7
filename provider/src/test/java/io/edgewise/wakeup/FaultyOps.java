package io.edgewise.wakeup;

import io.edgewise.sys.ByteIo;
import io.edgewise.sys.PipeOps;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.WaitOps;
import io.edgewise.sys.linux.LinuxSocketOps;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * The Linux socket ops with one planted failure in the completion path of an {@code ASYNC_RESOLVE}
 * connect, chosen by {@code -Dedgewise.test.fault} ({@code -Dio.edgewise.socketops=io.edgewise.wakeup.FaultyOps}):
 * {@code replace-runtime} and {@code replace-error}: moving the winner onto the channel's descriptor
 * throws a RuntimeException / an Error (as the BSD layer's missing {@code replace()} did);
 * {@code finish-runtime}: finishing a helper attempt's connect throws a RuntimeException on the poller
 * thread. Whatever fails, the connect must end (selected, {@code finishConnect} throws), never stay pending.
 */
public final class FaultyOps implements SocketOps, ByteIo, WaitOps, PipeOps {
    static final String FAULT = System.getProperty("edgewise.test.fault", "");
    private final LinuxSocketOps d = LinuxSocketOps.INSTANCE;
    /** Descriptors made by {@code socket} after the first connect started: the helper attempts. */
    private static final Set<Integer> ATTEMPTS = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static volatile boolean connecting;

    /** The test's channel sockets are made before {@link #startAttempts()}; helper sockets after. */
    static void startAttempts() {
        connecting = true;
    }

    private static boolean attempt(int fd) {
        return ATTEMPTS.contains(fd);
    }

    @Override public void replace(int source, int target) throws IOException {
        if (FAULT.equals("replace-runtime")) throw new IllegalStateException("planted: descriptor hand-off failed");
        if (FAULT.equals("replace-error")) throw new UnsatisfiedLinkError("planted: dup3 is missing");
        d.replace(source, target);
    }
    @Override public void close(int fd) throws IOException { ATTEMPTS.remove(fd); d.close(fd); }

    @Override public boolean ipv6Available() { return d.ipv6Available(); }
    @Override public int socket(int family, boolean stream) throws IOException {
        int fd = d.socket(family, stream);
        if (connecting) ATTEMPTS.add(fd);
        return fd;
    }
    @Override public void bind(int fd, int family, InetSocketAddress local) throws IOException { d.bind(fd, family, local); }
    @Override public void listen(int fd, int backlog) throws IOException { d.listen(fd, backlog); }
    @Override public int accept(int fd, int family, InetSocketAddress[] remote) throws IOException { return d.accept(fd, family, remote); }
    @Override public int connect(int fd, int family, InetSocketAddress remote) throws IOException { return d.connect(fd, family, remote); }
    @Override public boolean finishConnect(int fd) throws IOException {
        if (FAULT.equals("finish-runtime") && attempt(fd)) throw new IllegalStateException("planted: finishConnect of an attempt failed");
        return d.finishConnect(fd);
    }
    @Override public InetSocketAddress address(int fd, boolean peer) throws IOException { return d.address(fd, peer); }
    @Override public int read(int fd, long address, int length) throws IOException { return d.read(fd, address, length); }
    @Override public int write(int fd, long address, int length) throws IOException { return d.write(fd, address, length); }
    @Override public long readv(int fd, long iov, int count) throws IOException { return d.readv(fd, iov, count); }
    @Override public long writev(int fd, long iov, int count) throws IOException { return d.writev(fd, iov, count); }
    @Override public int iovecSize() { return d.iovecSize(); }
    @Override public int iovMax() { return d.iovMax(); }
    @Override public void putIovec(ByteBuffer iov, int index, long base, long length) { d.putIovec(iov, index, base, length); }
    @Override public int available(int fd) throws IOException { return d.available(fd); }
    @Override public int sendUrgent(int fd, int data) throws IOException { return d.sendUrgent(fd, data); }
    @Override public void shutdown(int fd, int how) throws IOException { d.shutdown(fd, how); }
    @Override public <T> void setOption(int fd, int family, SocketOption<T> name, T value) throws IOException { d.setOption(fd, family, name, value); }
    @Override public <T> T getOption(int fd, int family, SocketOption<T> name) throws IOException { return d.getOption(fd, family, name); }
    @Override public Set<SocketOption<?>> extendedOptions(boolean stream, boolean server) { return d.extendedOptions(stream, server); }
    @Override public boolean supportsOption(SocketOption<?> name, boolean stream) { return d.supportsOption(name, stream); }
    @Override public long pipe() throws IOException { return d.pipe(); }
    @Override public int wakeupDescriptor() throws IOException { return d.wakeupDescriptor(); }
    @Override public void signal(int wakeFd) throws IOException { d.signal(wakeFd); }
    @Override public void drain(int wakeFd) throws IOException { d.drain(wakeFd); }
    @Override public int poll(int fd, int events, int wakeFd, int timeoutMillis) throws IOException { return d.poll(fd, events, wakeFd, timeoutMillis); }
}
