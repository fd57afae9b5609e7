package io.edgewise.sys.linux;

import io.edgewise.sys.posix.LibC;
import io.edgewise.sys.SystemProps;
import static io.edgewise.sys.linux.Linux.*;

import io.edgewise.sys.ByteIo;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.ConsumedErrors;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link SocketOps} on Linux through {@link LibC}. Stateless apart from a per-thread scratch area of
 * native memory (socket addresses, option values, pollfds), so no call allocates native memory.
 */
public final class LinuxSocketOps extends LinuxIovecs implements SocketOps {
    public static final LinuxSocketOps INSTANCE = new LinuxSocketOps();

    // scratch layout
    private static final int SA = 0, SALEN = 128, OPT = 136, OPTLEN = 144, POLLFDS = 160, U64 = 184,
            PIPEFDS = 192, MSGHDR = 200, SCRATCH_SIZE = 256;
    // struct msghdr on LP64 Linux (56 bytes at MSGHDR, zero but for the iovec pointer and count):
    // name, namelen(+pad), iov, iovlen, control, controllen, flags(+pad)
    private static final int MSG_IOV = 16, MSG_IOVLEN = 24;

    /** Per-thread native scratch memory; each call uses it only between entry and return. */
    private static final class Scratch {
        final ByteBuffer buf = ByteBuffer.allocateDirect(SCRATCH_SIZE).order(ByteOrder.nativeOrder());
        final long addr = LibC.address(buf);
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** sendmsg(2) of {@code count} iovec entries at {@code iov}, no address, no control data. */
    static long sendmsg(int fd, long iov, int count, int flags) {
        Scratch s = SCRATCH.get();
        s.buf.putLong(MSGHDR + MSG_IOV, iov);
        s.buf.putLong(MSGHDR + MSG_IOVLEN, count);
        return LibC.sendmsg(fd, s.addr + MSGHDR, flags);
    }

    /** An option's kernel name: level, optname, and how its value is represented. */
    private static final class Opt {
        final int level, name, level6, name6;
        final char kind; // 'b' boolean, 'i' int, 'r' read-only int, 'l' linger

        Opt(int level, int name, char kind) { this(level, name, level, name, kind); }

        Opt(int level, int name, int level6, int name6, char kind) {
            this.level = level; this.name = name; this.level6 = level6; this.name6 = name6; this.kind = kind;
        }
    }

    private static final Map<SocketOption<?>, Opt> OPTS = new HashMap<>();
    static {
        OPTS.put(StandardSocketOptions.SO_SNDBUF, new Opt(SOL_SOCKET, SO_SNDBUF, 'i'));
        OPTS.put(StandardSocketOptions.SO_RCVBUF, new Opt(SOL_SOCKET, SO_RCVBUF, 'i'));
        OPTS.put(StandardSocketOptions.SO_KEEPALIVE, new Opt(SOL_SOCKET, SO_KEEPALIVE, 'b'));
        OPTS.put(StandardSocketOptions.SO_REUSEADDR, new Opt(SOL_SOCKET, SO_REUSEADDR, 'b'));
        OPTS.put(StandardSocketOptions.SO_REUSEPORT, new Opt(SOL_SOCKET, SO_REUSEPORT, 'b'));
        OPTS.put(StandardSocketOptions.SO_BROADCAST, new Opt(SOL_SOCKET, SO_BROADCAST, 'b'));
        OPTS.put(StandardSocketOptions.SO_LINGER, new Opt(SOL_SOCKET, SO_LINGER, 'l'));
        OPTS.put(StandardSocketOptions.TCP_NODELAY, new Opt(IPPROTO_TCP, TCP_NODELAY, 'b'));
        OPTS.put(StandardSocketOptions.IP_TOS, new Opt(IPPROTO_IP, IP_TOS, IPPROTO_IPV6, IPV6_TCLASS, 'i'));
        OPTS.put(io.edgewise.sys.PrivateOptions.SO_OOBINLINE, new Opt(SOL_SOCKET, SO_OOBINLINE, 'b'));
        ExtendedOptions.register((opt, level, name, kind) -> OPTS.put(opt, new Opt(level, name, kind)));
    }

    private final boolean ipv6;

    private LinuxSocketOps() {
        boolean v6 = false;
        if (!SystemProps.getBoolean("java.net.preferIPv4Stack")) {
            int fd = LibC.socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd >= 0) {
                v6 = true;
                LibC.close(fd);
            }
        }
        ipv6 = v6;
    }

    @Override
    public boolean ipv6Available() {
        return ipv6;
    }

    @Override
    public String binding() {
        return io.edgewise.sys.posix.Binding.name();
    }

    @Override
    public long address(ByteBuffer direct) {
        return LibC.address(direct);
    }

    @Override
    public ByteIo streamIo() {
        return LinuxStreamIo.INSTANCE;
    }

    @Override
    public boolean arrayIo() {
        return LibC.ARRAY_IO;
    }

    @Override
    public int readArray(int fd, byte[] a, int off, int len) throws IOException {
        long n = LibC.readArray(fd, a, off, len);
        if (n > 0) return (int) n;
        if (n == 0) return len == 0 ? 0 : atEof(fd);
        return failed(true);
    }

    @Override
    public int writeArray(int fd, byte[] a, int off, int len) throws IOException {
        long n = LibC.writeArray(fd, a, off, len);
        if (n >= 0) return (int) n;
        return failed(false);
    }

    private static int domain(int family) {
        return family == INET6 ? AF_INET6 : AF_INET;
    }

    @Override
    public int socket(int family, boolean stream) throws IOException {
        int fd = LibC.socket(domain(family), (stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw Errors.socket(LibC.errno());
        }
        if (family == INET6) {
            Scratch s = SCRATCH.get();
            s.buf.putInt(OPT, 0);
            LibC.setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, s.addr + OPT, 4); // dual stack
        }
        return fd;
    }

    @Override
    public void bind(int fd, int family, InetSocketAddress local) throws IOException {
        Scratch s = SCRATCH.get();
        int len = SockAddr.encode(s.buf, SA, family == INET6, local);
        if (LibC.bind(fd, s.addr + SA, len) < 0) {
            throw Errors.socket(LibC.errno());
        }
    }

    @Override
    public void listen(int fd, int backlog) throws IOException {
        if (LibC.listen(fd, backlog) < 0) {
            throw Errors.socket(LibC.errno());
        }
    }

    @Override
    public int accept(int fd, int family, InetSocketAddress[] remote) throws IOException {
        Scratch s = SCRATCH.get();
        s.buf.putInt(SALEN, SOCKADDR_STORAGE_SIZE);
        int nfd = LibC.accept4(fd, s.addr + SA, s.addr + SALEN, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (nfd < 0) {
            int e = LibC.errno();
            if (e == EAGAIN) return UNAVAILABLE;
            if (e == EINTR || e == ECONNABORTED) return INTERRUPTED;
            throw Errors.socket(e);
        }
        remote[0] = SockAddr.decode(s.buf, SA);
        return nfd;
    }

    @Override
    public int connect(int fd, int family, InetSocketAddress remote) throws IOException {
        Scratch s = SCRATCH.get();
        int len = SockAddr.encode(s.buf, SA, family == INET6, remote);
        if (LibC.connect(fd, s.addr + SA, len) == 0) {
            return 1;
        }
        int e = LibC.errno();
        if (e == EINPROGRESS) return UNAVAILABLE;
        if (e == EINTR) return INTERRUPTED;
        throw Errors.socket(e);
    }

    @Override
    public boolean finishConnect(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        s.buf.putInt(OPT, 0);
        s.buf.putInt(OPTLEN, 4);
        if (LibC.getsockopt(fd, SOL_SOCKET, SO_ERROR, s.addr + OPT, s.addr + OPTLEN) < 0) {
            throw Errors.socket(LibC.errno());
        }
        int err = s.buf.getInt(OPT);
        if (err == 0) {
            err = ConsumedErrors.take(fd); // a poll that took the error off the socket (libkqueue)
        }
        if (err != 0) {
            throw Errors.socket(err);
        }
        // SO_ERROR is 0 both when connected and while still in progress: ask for the peer
        s.buf.putInt(SALEN, SOCKADDR_STORAGE_SIZE);
        if (LibC.getpeername(fd, s.addr + SA, s.addr + SALEN) == 0) {
            return true;
        }
        int e = LibC.errno();
        if (e == ENOTCONN) {
            return false;
        }
        throw Errors.socket(e);
    }

    @Override
    public InetSocketAddress localAddress(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        s.buf.putInt(SALEN, SOCKADDR_STORAGE_SIZE);
        if (LibC.getsockname(fd, s.addr + SA, s.addr + SALEN) < 0) {
            throw Errors.socket(LibC.errno());
        }
        return SockAddr.decode(s.buf, SA);
    }

    @Override
    public InetSocketAddress remoteAddress(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        s.buf.putInt(SALEN, SOCKADDR_STORAGE_SIZE);
        if (LibC.getpeername(fd, s.addr + SA, s.addr + SALEN) < 0) {
            throw Errors.socket(LibC.errno());
        }
        return SockAddr.decode(s.buf, SA);
    }

    /**
     * The result of a data call that returned -1: would-block and EINTR become statuses, any other
     * errno is thrown as the JDK throws it for a read ({@code read}) or a write.
     */
    static int failed(boolean read) throws IOException {
        int e = LibC.errno();
        if (e == EAGAIN) return UNAVAILABLE;
        if (e == EINTR) return INTERRUPTED;
        throw read ? Errors.read(e) : Errors.io(e);
    }

    @Override
    public int read(int fd, long address, int length) throws IOException {
        long n = LibC.read(fd, address, length);
        if (n > 0) return (int) n;
        if (n == 0) return length == 0 ? 0 : atEof(fd);
        return failed(true);
    }

    /**
     * End of stream, unless a poll took the socket's error away (libkqueue, {@link ConsumedErrors}): the
     * kernel would have reported that error here instead.
     */
    static int atEof(int fd) throws IOException {
        int e = ConsumedErrors.take(fd);
        if (e != 0) throw Errors.read(e);
        return EOF;
    }

    @Override
    public int write(int fd, long address, int length) throws IOException {
        long n = LibC.write(fd, address, length);
        if (n >= 0) return (int) n;
        return failed(false);
    }

    @Override
    public long readv(int fd, long iov, int count) throws IOException {
        long n = LibC.readv(fd, iov, count);
        if (n > 0) return n;
        if (n == 0) return atEof(fd);
        return failed(true);
    }

    @Override
    public long writev(int fd, long iov, int count) throws IOException {
        long n = LibC.writev(fd, iov, count);
        if (n >= 0) return n;
        return failed(false);
    }

    @Override
    public int available(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        s.buf.putInt(OPT, 0);
        if (LibC.ioctl(fd, FIONREAD, s.addr + OPT) < 0) {
            throw Errors.io(LibC.errno());
        }
        return s.buf.getInt(OPT);
    }

    @Override
    public int sendUrgent(int fd, int data) throws IOException {
        Scratch s = SCRATCH.get();
        s.buf.put(OPT, (byte) data);
        long n = LibC.send(fd, s.addr + OPT, 1, MSG_OOB | MSG_NOSIGNAL);
        if (n >= 0) return (int) n;
        int e = LibC.errno();
        if (e == EAGAIN || e == EINTR) return 0;
        throw Errors.io(e);
    }

    @Override
    public void shutdown(int fd, int how) throws IOException {
        if (LibC.shutdown(fd, how == 0 ? SHUT_RD : SHUT_WR) < 0) {
            int e = LibC.errno();
            if (e != ENOTCONN) {
                throw Errors.socket(e);
            }
        }
    }

    private static Opt opt(SocketOption<?> name) {
        Opt o = OPTS.get(name);
        if (o == null) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        return o;
    }

    @Override
    public boolean supportsOption(SocketOption<?> name, boolean stream) {
        return OPTS.containsKey(name);
    }

    @Override
    public java.util.Set<SocketOption<?>> extendedOptions(boolean stream, boolean server) {
        java.util.Set<SocketOption<?>> set = new java.util.HashSet<>();
        if (stream) {
            for (String n : ExtendedOptions.STREAM) {
                SocketOption<?> o = ExtendedOptions.lookup(n);
                if (o != null) set.add(o);
            }
        }
        return set;
    }

    @Override
    public <T> void setOption(int fd, int family, SocketOption<T> name, T value) throws IOException {
        Opt o = opt(name);
        if (o.kind == 'r') {
            throw new SocketException("Attempt to set read only option " + name.name());
        }
        Scratch s = SCRATCH.get();
        int len = 4;
        switch (o.kind) {
            case 'b': s.buf.putInt(OPT, ((Boolean) value) ? 1 : 0); break;
            case 'i': s.buf.putInt(OPT, (Integer) value); break;
            default: { // linger
                int v = (Integer) value;
                s.buf.putInt(OPT, v < 0 ? 0 : 1);
                s.buf.putInt(OPT + 4, v < 0 ? 0 : Math.min(v, 65535));
                len = 8;
            }
        }
        if (family == INET6 && o.level6 != o.level) {
            if (LibC.setsockopt(fd, o.level6, o.name6, s.addr + OPT, len) < 0) {
                throw Errors.socket(LibC.errno());
            }
            // IPv4 traffic of a dual-stack socket takes IP_TOS; failure there is not the caller's
            LibC.setsockopt(fd, o.level, o.name, s.addr + OPT, len);
            return;
        }
        if (LibC.setsockopt(fd, o.level, o.name, s.addr + OPT, len) < 0) {
            throw Errors.socket(LibC.errno());
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(int fd, int family, SocketOption<T> name) throws IOException {
        Opt o = opt(name);
        Scratch s = SCRATCH.get();
        s.buf.putLong(OPT, 0L);
        s.buf.putInt(OPTLEN, o.kind == 'l' ? 8 : 4);
        int level = family == INET6 ? o.level6 : o.level;
        int optname = family == INET6 ? o.name6 : o.name;
        if (LibC.getsockopt(fd, level, optname, s.addr + OPT, s.addr + OPTLEN) < 0) {
            throw Errors.socket(LibC.errno());
        }
        switch (o.kind) {
            case 'b': return (T) Boolean.valueOf(s.buf.getInt(OPT) != 0);
            case 'i': case 'r': {
                int v = s.buf.getInt(OPT);
                // Linux reports twice the buffer size that was set; the JDK reports half, so do we
                if (o.level == SOL_SOCKET && (o.name == SO_SNDBUF || o.name == SO_RCVBUF)) v /= 2;
                return (T) Integer.valueOf(v);
            }
            default: return (T) Integer.valueOf(s.buf.getInt(OPT) == 0 ? -1 : s.buf.getInt(OPT + 4));
        }
    }

    @Override
    public void replace(int source, int target) throws IOException {
        if (LibC.dup3(source, target, O_CLOEXEC) < 0) {
            throw Errors.io(LibC.errno());
        }
        ConsumedErrors.forget(target);
    }

    @Override
    public void close(int fd) throws IOException {
        ConsumedErrors.forget(fd); // before the number can be reused
        if (LibC.close(fd) < 0) {
            int e = LibC.errno();
            if (e != EINTR) { // never retried: the descriptor is gone either way
                throw Errors.io(e);
            }
        }
    }

    @Override
    public long pipe() throws IOException {
        Scratch s = SCRATCH.get();
        if (LibC.pipe2(s.addr + PIPEFDS, O_NONBLOCK | O_CLOEXEC) < 0) {
            throw Errors.io(LibC.errno());
        }
        return (s.buf.getInt(PIPEFDS) & 0xffffffffL) | ((long) s.buf.getInt(PIPEFDS + 4) << 32);
    }

    /**
     * Linux wakes every poller of a socket on shutdown, for every socket kind (connected, connecting,
     * listening, unconnected datagram: the last two return an error but still wake), and the shutdown
     * state makes later polls return at once.
     */
    @Override
    public boolean shutdownWakesPoll() {
        return true;
    }

    /**
     * Shut down both ways. When {@code SO_LINGER} is 0 the close would reset the connection instead
     * of finishing it, so a disconnect (connect to {@code AF_UNSPEC}) sends that reset first, and the
     * shutdown that follows sends nothing (an ordinary close ends with a FIN, which the JDK also sends
     * early by shutting the output down). Unix-domain sockets refuse the disconnect; datagram sockets
     * only forget their peer, which the close does anyway.
     */
    @Override
    public void unblock(int fd) {
        Scratch s = SCRATCH.get();
        ByteBuffer b = s.buf;
        b.putLong(OPT, 0L);
        b.putInt(OPTLEN, 8);
        if (LibC.getsockopt(fd, SOL_SOCKET, SO_LINGER, s.addr + OPT, s.addr + OPTLEN) == 0
                && b.getInt(OPT) != 0 && b.getInt(OPT + 4) == 0) {
            b.putLong(SA, 0L);
            b.putLong(SA + 8, 0L); // sa_family AF_UNSPEC
            LibC.connect(fd, s.addr + SA, 16);
        }
        LibC.shutdown(fd, SHUT_RDWR);
    }

    @Override
    public int wakeupDescriptor() throws IOException {
        int fd = LibC.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fd < 0) {
            throw Errors.io(LibC.errno());
        }
        return fd;
    }

    @Override
    public void signal(int wakeFd) throws IOException {
        Scratch s = SCRATCH.get();
        s.buf.putLong(U64, 1L);
        if (LibC.write(wakeFd, s.addr + U64, 8) < 0) {
            int e = LibC.errno();
            if (e != EAGAIN) { // counter saturated: already signalled
                throw Errors.io(e);
            }
        }
    }

    @Override
    public void drain(int wakeFd) throws IOException {
        Scratch s = SCRATCH.get();
        if (LibC.read(wakeFd, s.addr + U64, 8) < 0) {
            int e = LibC.errno();
            if (e != EAGAIN && e != EINTR) {
                throw Errors.io(e);
            }
        }
    }

    @Override
    public int poll(int fd, int events, int wakeFd, int timeoutMillis) throws IOException {
        Scratch s = SCRATCH.get();
        ByteBuffer b = s.buf;
        b.putInt(POLLFDS, fd);
        b.putShort(POLLFDS + POLLFD_EVENTS, (short) events); // SocketOps poll bits equal POLL* here
        b.putShort(POLLFDS + POLLFD_REVENTS, (short) 0);
        int nfds = 1;
        if (wakeFd >= 0) {
            b.putInt(POLLFDS + POLLFD_SIZE, wakeFd);
            b.putShort(POLLFDS + POLLFD_SIZE + POLLFD_EVENTS, POLLIN);
            b.putShort(POLLFDS + POLLFD_SIZE + POLLFD_REVENTS, (short) 0);
            nfds = 2;
        }
        int n = LibC.poll(s.addr + POLLFDS, nfds, timeoutMillis);
        if (n < 0) {
            int e = LibC.errno();
            if (e == EINTR) return INTERRUPTED;
            throw Errors.io(e);
        }
        return b.getShort(POLLFDS + POLLFD_REVENTS) & 0xffff;
    }
}
