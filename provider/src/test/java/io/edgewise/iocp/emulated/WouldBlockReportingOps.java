package io.edgewise.iocp.emulated;

import io.edgewise.sys.PollEvents;
import io.edgewise.sys.ByteIo;
import io.edgewise.sys.PipeOps;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.WaitOps;
import io.edgewise.sys.linux.LinuxSocketOps;
import io.edgewise.sys.windows.WouldBlock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.util.Set;

/**
 * The Linux socket ops, reporting every "would block" to {@link WouldBlock} as the Windows socket ops do,
 * so edge-triggered keys re-arm under {@link EmulatedIocpPoller}
 * ({@code -Dio.edgewise.socketops=io.edgewise.iocp.emulated.WouldBlockReportingOps}).
 */
public final class WouldBlockReportingOps implements SocketOps, ByteIo, WaitOps, PipeOps {
    private final LinuxSocketOps d = LinuxSocketOps.INSTANCE;

    private static int in(int fd, int r) { if (r == UNAVAILABLE) WouldBlock.report(fd, PollEvents.IN); return r; }
    private static long in(int fd, long r) { if (r == UNAVAILABLE) WouldBlock.report(fd, PollEvents.IN); return r; }
    private static int out(int fd, int r) { if (r == UNAVAILABLE) WouldBlock.report(fd, PollEvents.OUT); return r; }
    private static long out(int fd, long r) { if (r == UNAVAILABLE) WouldBlock.report(fd, PollEvents.OUT); return r; }

    @Override public boolean ipv6Available() { return d.ipv6Available(); }
    @Override public int socket(int family, boolean stream) throws IOException { return d.socket(family, stream); }
    @Override public void bind(int fd, int family, InetSocketAddress local) throws IOException { d.bind(fd, family, local); }
    @Override public void listen(int fd, int backlog) throws IOException { d.listen(fd, backlog); }
    @Override public int accept(int fd, int family, InetSocketAddress[] remote) throws IOException { return in(fd, d.accept(fd, family, remote)); }
    @Override public int connect(int fd, int family, InetSocketAddress remote) throws IOException { return out(fd, d.connect(fd, family, remote)); }
    @Override public boolean finishConnect(int fd) throws IOException { return d.finishConnect(fd); }
    @Override public InetSocketAddress address(int fd, boolean peer) throws IOException { return d.address(fd, peer); }
    @Override public int read(int fd, long address, int length) throws IOException {
        int n = d.read(fd, address, length);
        if (n > 0 && n < length) WouldBlock.report(fd, PollEvents.IN); // as WindowsSocketOps: short read
        return in(fd, n);
    }
    @Override public int write(int fd, long address, int length) throws IOException {
        int n = d.write(fd, address, length);
        if (n >= 0 && n < length) WouldBlock.report(fd, PollEvents.OUT); // as WindowsSocketOps: short write
        return out(fd, n);
    }
    private static long total(long iov, int count) {
        com.sun.jna.Pointer p = new com.sun.jna.Pointer(iov);
        long t = 0;
        for (int i = 0; i < count; i++) t += p.getLong(i * 16L + 8);
        return t;
    }
    @Override public long readv(int fd, long iov, int count) throws IOException {
        long n = d.readv(fd, iov, count);
        if (n > 0 && n < total(iov, count)) WouldBlock.report(fd, PollEvents.IN);
        return in(fd, n);
    }
    @Override public long writev(int fd, long iov, int count) throws IOException {
        long n = d.writev(fd, iov, count);
        if (n >= 0 && n < total(iov, count)) WouldBlock.report(fd, PollEvents.OUT);
        return out(fd, n);
    }
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
    @Override public void close(int fd) throws IOException { d.close(fd); }
    @Override public long pipe() throws IOException { return d.pipe(); }
    @Override public int wakeupDescriptor() throws IOException { return d.wakeupDescriptor(); }
    @Override public void signal(int wakeFd) throws IOException { d.signal(wakeFd); }
    @Override public void drain(int wakeFd) throws IOException { d.drain(wakeFd); }
    @Override public int poll(int fd, int events, int wakeFd, int timeoutMillis) throws IOException { return d.poll(fd, events, wakeFd, timeoutMillis); }
}
