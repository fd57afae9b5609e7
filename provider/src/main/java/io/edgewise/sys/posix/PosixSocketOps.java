package io.edgewise.sys.posix;

import io.edgewise.sys.Scratch;
import io.edgewise.sys.ConsumedErrors;
import io.edgewise.sys.ByteIo;
import io.edgewise.sys.PipeOps;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.WaitOps;
import io.edgewise.sys.SocketOptionTable;
import io.edgewise.sys.SystemProps;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;

/**
 * {@link SocketOps} for every Unix: POSIX calls through {@link LibC}, every platform difference taken
 * from a {@link PosixNet} ({@code sys.bsd.BsdPlatforms.forOs} picks a BSD's). This class is what macOS and the BSDs run; Linux runs
 * {@code sys.linux.LinuxSocketOps}, a thin specialisation (eventfd, dup3, shutdown wake-ups, the
 * socket data calls). What the platforms differ in, here:
 * <ul>
 * <li>sockaddr starts with {@code sa_len} on the BSDs ({@link SockAddrCodec});
 * <li>no {@code SOCK_NONBLOCK}/{@code accept4}/{@code pipe2} on macOS: {@code fcntl} after the call;
 * <li>no {@code MSG_NOSIGNAL} on macOS: {@code SO_NOSIGPIPE} on every socket where it exists (the JVM
 *     ignores SIGPIPE anyway, unless started with {@code -Xrs});
 * <li>no eventfd: the wakeup descriptor of a blocked thread is a UDP socket connected to itself on
 *     loopback — one descriptor that a send makes readable and a receive drains.
 * </ul>
 * Stateless apart from a per-thread native scratch area, so no call allocates native memory.
 */
public class PosixSocketOps implements SocketOps, ByteIo, WaitOps, PipeOps {
    protected final PosixNet n;
    protected final PosixErrors errors;

    // scratch layout: sockaddr, its length, an option value, its length, two pollfds, 8 bytes, two
    // pipe descriptors, a msghdr (used by the Linux gathering write)
    protected static final int SA = 0, SALEN = 128, OPT = 136, OPTLEN = 144, POLLFDS = 160, U64 = 184,
            PIPEFDS = 192, MSGHDR = 200, SCRATCH_SIZE = 256;
    // struct pollfd and struct iovec: the same on every Unix
    private static final int POLLFD_SIZE = 8, POLLFD_EVENTS = 4, POLLFD_REVENTS = 6, POLLIN = 1;
    private static final int IOVEC_SIZE = 16;

    private static final ThreadLocal<Scratch> SCRATCH = Scratch.perThread(SCRATCH_SIZE);

    protected static Scratch scratch() {
        return SCRATCH.get();
    }

    private final SocketOptionTable opts = new SocketOptionTable(false);
    private final boolean ipv6;

    public PosixSocketOps(PosixNet n) {
        this.n = n;
        this.errors = new PosixErrors(n);
        opts.putStandard(n.solSocket, n.soSndbuf, n.soRcvbuf, n.soKeepalive, n.soReuseaddr, n.soBroadcast,
                n.soLinger, n.soOobinline, n.ipprotoTcp, n.tcpNodelay, n.ipprotoIp, n.ipTos, n.ipprotoIpv6,
                n.ipv6Tclass);
        opts.put(StandardSocketOptions.SO_REUSEPORT, n.solSocket, n.soReuseport, 'b');
        if (n.tcpKeepidle != 0) {
            opts.putExtended("TCP_KEEPIDLE", n.ipprotoTcp, n.tcpKeepidle, 'i');
            opts.putExtended("TCP_KEEPINTERVAL", n.ipprotoTcp, n.tcpKeepintvl, 'i');
            opts.putExtended("TCP_KEEPCOUNT", n.ipprotoTcp, n.tcpKeepcnt, 'i');
        }
        boolean v6 = false;
        if (!SystemProps.getBoolean("java.net.preferIPv4Stack") && n.dualStack) {
            int fd = LibC.socket(n.afInet6, n.sockStream | n.sockCloexec, 0);
            if (fd >= 0) {
                v6 = true;
                LibC.close(fd);
            }
        }
        ipv6 = v6;
    }

    /** Adds an extended option of stream sockets ({@code kind}: 'b' boolean, 'i' int, 'r' read-only int). */
    protected final void putExtended(SocketOption<?> o, int level, int name, char kind) {
        opts.putExtended(o, level, name, kind);
    }

    /** The platform values in use. */
    public PosixNet constants() {
        return n;
    }

    /** errno to exceptions with this platform's numbers. */
    public PosixErrors errors() {
        return errors;
    }

    /** This platform's options, with Linux's extended ones in its specialisation. */
    @Override
    public SocketOptionTable optionTable() {
        return opts;
    }

    @Override
    public String binding() {
        return Binding.name();
    }

    /** O_NONBLOCK, FD_CLOEXEC and SO_NOSIGPIPE on a new socket, where the creating call could not. */
    private void prepare(int fd, boolean flagsDone, Scratch s) throws IOException {
        int rc = flagsDone ? 0 : nonBlockingCloexec(fd);
        if (rc < 0) {
            LibC.close(fd);
            throw errors.socket(-rc);
        }
        if (n.soNosigpipe != 0) {
            s.buf.putInt(OPT, 1);
            LibC.setsockopt(fd, n.solSocket, n.soNosigpipe, s.addr + OPT, 4);
        }
    }

    /** O_NONBLOCK and FD_CLOEXEC: {@code >= 0}, or the first failure's {@code -errno}. */
    private int nonBlockingCloexec(int fd) {
        int fl = LibC.fcntl(fd, n.fGetfl, 0);
        if (fl < 0) return fl;
        int r = LibC.fcntl(fd, n.fSetfl, fl | n.oNonblock);
        return r < 0 ? r : LibC.fcntl(fd, n.fSetfd, n.fdCloexec);
    }

    // ---- SocketOps

    @Override
    public boolean ipv6Available() {
        return ipv6;
    }

    private int domain(int family) {
        return family == INET6 ? n.afInet6 : n.afInet;
    }

    @Override
    public int socket(int family, boolean stream) throws IOException {
        int type = stream ? n.sockStream : n.sockDgram;
        boolean atomic = n.sockNonblock != 0;
        int fd = LibC.socket(domain(family), atomic ? type | n.sockNonblock | n.sockCloexec : type, 0);
        if (fd < 0) {
            throw errors.socket(-fd);
        }
        Scratch s = SCRATCH.get();
        prepare(fd, atomic, s);
        if (family == INET6) {
            LibC.setsockopt(fd, n.ipprotoIpv6, n.ipv6V6only, s.zeroedInt(OPT), 4); // dual stack
        }
        return fd;
    }

    /**
     * A new non-blocking, close-on-exec socket of a native domain and type (the datagram and Unix
     * layers' sockets), flags set atomically where the platform can, else by fcntl.
     */
    public final int newSocket(int domain, int type) throws IOException {
        boolean atomic = n.sockNonblock != 0;
        int fd = LibC.socket(domain, atomic ? type | n.sockNonblock | n.sockCloexec : type, 0);
        if (fd < 0) {
            throw errors.socket(-fd);
        }
        prepare(fd, atomic, SCRATCH.get());
        return fd;
    }

    /** Accepts one connection without asking for its address (Unix domain), or UNAVAILABLE / INTERRUPTED. */
    public final int acceptAny(int fd) throws IOException {
        int nfd = n.hasAccept4 ? LibC.accept4(fd, 0L, 0L, n.sockNonblock | n.sockCloexec) : LibC.accept(fd, 0L, 0L);
        if (nfd < 0) {
            int e = -nfd;
            if (e == n.eagain) return UNAVAILABLE;
            if (e == n.eintr || e == n.econnaborted) return INTERRUPTED;
            throw errors.socket(e);
        }
        prepare(nfd, n.hasAccept4, SCRATCH.get());
        return nfd;
    }

    @Override
    public void bind(int fd, int family, InetSocketAddress local) throws IOException {
        Scratch s = SCRATCH.get();
        int len = n.sockaddr.encode(s.buf, SA, family == INET6, local);
        int rc = LibC.bind(fd, s.addr + SA, len);
        if (rc < 0) {
            throw errors.socket(-rc);
        }
    }

    @Override
    public void listen(int fd, int backlog) throws IOException {
        int rc = LibC.listen(fd, backlog);
        if (rc < 0) {
            throw errors.socket(-rc);
        }
    }

    @Override
    public int accept(int fd, int family, InetSocketAddress[] remote) throws IOException {
        Scratch s = SCRATCH.get();
        s.buf.putInt(SALEN, SockAddrCodec.SOCKADDR_STORAGE_SIZE);
        int nfd = n.hasAccept4
                ? LibC.accept4(fd, s.addr + SA, s.addr + SALEN, n.sockNonblock | n.sockCloexec)
                : LibC.accept(fd, s.addr + SA, s.addr + SALEN);
        if (nfd < 0) {
            int e = -nfd;
            if (e == n.eagain) return UNAVAILABLE;
            if (e == n.eintr || e == n.econnaborted) return INTERRUPTED;
            throw errors.socket(e);
        }
        prepare(nfd, n.hasAccept4, s);
        remote[0] = n.sockaddr.decode(s.buf, SA);
        return nfd;
    }

    @Override
    public int connect(int fd, int family, InetSocketAddress remote) throws IOException {
        Scratch s = SCRATCH.get();
        int len = n.sockaddr.encode(s.buf, SA, family == INET6, remote);
        int r = LibC.connect(fd, s.addr + SA, len);
        if (r == 0) {
            return 1;
        }
        int e = -r;
        if (e == n.einprogress) return UNAVAILABLE;
        if (e == n.eintr) return INTERRUPTED;
        throw errors.socket(e);
    }

    @Override
    public boolean finishConnect(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        s.buf.putInt(OPT, 0);
        s.buf.putInt(OPTLEN, 4);
        int rc = LibC.getsockopt(fd, n.solSocket, n.soError, s.addr + OPT, s.addr + OPTLEN);
        if (rc < 0) {
            throw errors.socket(-rc);
        }
        int err = s.buf.getInt(OPT);
        if (err == 0) {
            err = ConsumedErrors.take(fd); // a poll that took the error off the socket (libkqueue)
        }
        if (err != 0) {
            throw errors.socket(err);
        }
        // SO_ERROR is 0 both when connected and while still in progress: ask for the peer
        s.buf.putInt(SALEN, SockAddrCodec.SOCKADDR_STORAGE_SIZE);
        rc = LibC.getpeername(fd, s.addr + SA, s.addr + SALEN);
        if (rc == 0) {
            return true;
        }
        int e = -rc;
        if (e == n.enotconn) {
            return false;
        }
        throw errors.socket(e);
    }

    @Override
    public InetSocketAddress address(int fd, boolean peer) throws IOException {
        Scratch s = SCRATCH.get();
        s.buf.putInt(SALEN, SockAddrCodec.SOCKADDR_STORAGE_SIZE);
        int rc = peer ? LibC.getpeername(fd, s.addr + SA, s.addr + SALEN) : LibC.getsockname(fd, s.addr + SA, s.addr + SALEN);
        if (rc < 0) {
            throw errors.socket(-rc);
        }
        return n.sockaddr.decode(s.buf, SA);
    }

    /**
     * The result of a data call that failed with errno {@code e}: would-block and EINTR become
     * statuses, any other errno is thrown as the JDK throws it for a read ({@code read}) or a write.
     */
    public final int failed(int e, boolean read) throws IOException {
        if (e == n.eagain) return UNAVAILABLE;
        if (e == n.eintr) return INTERRUPTED;
        throw read ? errors.read(e) : errors.io(e);
    }

    /**
     * End of stream, unless a poll took the socket's error away (libkqueue, {@link ConsumedErrors}): the
     * kernel would have reported that error here instead.
     */
    public final int atEof(int fd) throws IOException {
        int e = ConsumedErrors.take(fd);
        if (e != 0) throw errors.read(e);
        return EOF;
    }

    /**
     * A read call's result as {@link SocketOps} reports it: a count, {@code EOF} (0 bytes when bytes
     * were asked for), or a status or exception from {@code -errno} ({@link #failed}).
     */
    public final long readResult(int fd, long r, boolean nothingAsked) throws IOException {
        if (r > 0) return r;
        if (r == 0) return nothingAsked ? 0 : atEof(fd);
        return failed((int) -r, true);
    }

    /** A write call's result: a count, or a status or exception from {@code -errno}. */
    public final long writeResult(long r) throws IOException {
        return r >= 0 ? r : failed((int) -r, false);
    }

    @Override
    public int read(int fd, long address, int length) throws IOException {
        return (int) readResult(fd, LibC.read(fd, address, length), length == 0);
    }

    @Override
    public int write(int fd, long address, int length) throws IOException {
        return (int) writeResult(LibC.write(fd, address, length));
    }

    @Override
    public long readv(int fd, long iov, int count) throws IOException {
        return readResult(fd, LibC.readv(fd, iov, count), false);
    }

    @Override
    public long writev(int fd, long iov, int count) throws IOException {
        return writeResult(LibC.writev(fd, iov, count));
    }

    @Override
    public final int iovecSize() {
        return IOVEC_SIZE;
    }

    @Override
    public final int iovMax() {
        return n.iovMax;
    }

    /** {@code struct iovec} on LP64: base, then length, 8 bytes each. */
    @Override
    public final void putIovec(ByteBuffer iov, int index, long base, long length) {
        iov.putLong(index * IOVEC_SIZE, base);
        iov.putLong(index * IOVEC_SIZE + 8, length);
    }

    @Override
    public int available(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        int rc = LibC.ioctl(fd, n.fionread, s.zeroedInt(OPT));
        if (rc < 0) throw errors.io(-rc);
        return s.intAt(OPT);
    }

    @Override
    public int sendUrgent(int fd, int data) throws IOException {
        long r = LibC.send(fd, SCRATCH.get().byteCell(OPT, data), 1, n.msgOob | n.msgNosignal);
        if (r >= 0) return (int) r;
        int e = (int) -r;
        if (e == n.eagain || e == n.eintr) return 0;
        throw errors.io(e);
    }

    @Override
    public void shutdown(int fd, int how) throws IOException {
        int rc = LibC.shutdown(fd, how == 0 ? 0 /* SHUT_RD */ : 1 /* SHUT_WR */);
        if (rc < 0) {
            int e = -rc;
            if (e != n.enotconn) {
                throw errors.socket(e);
            }
        }
    }

    @Override
    public <T> void setOption(int fd, int family, SocketOption<T> name, T value) throws IOException {
        SocketOptionTable.Opt o = opts.get(name);
        Scratch s = SCRATCH.get();
        int len = opts.encode(s.buf, OPT, o, name, value);
        int rc = LibC.setsockopt(fd, o.level(family), o.name(family), s.addr + OPT, len);
        if (rc < 0) {
            throw errors.socket(-rc);
        }
        if (o.alsoIpv4(family)) { // IPv4 traffic of a dual-stack socket; failure there is not the caller's
            LibC.setsockopt(fd, o.level, o.name, s.addr + OPT, len);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(int fd, int family, SocketOption<T> name) throws IOException {
        SocketOptionTable.Opt o = opts.get(name);
        Scratch s = SCRATCH.get();
        s.buf.putLong(OPT, 0L);
        s.buf.putInt(OPTLEN, opts.length(o));
        int rc = LibC.getsockopt(fd, o.level(family), o.name(family), s.addr + OPT, s.addr + OPTLEN);
        if (rc < 0) {
            throw errors.socket(-rc);
        }
        Object v = opts.decode(s.buf, OPT, o);
        if (n.doubledBuffers && o.level == n.solSocket && (o.name == n.soSndbuf || o.name == n.soRcvbuf)) {
            v = (Integer) v / 2; // Linux reports twice what was set; the JDK reports half
        }
        return (T) v;
    }

    /**
     * {@code dup2} then {@code FD_CLOEXEC}: macOS has no {@code dup3}, and {@code dup2} is on every BSD.
     * The target is close-on-exec again a moment after the swap; a process started in that moment would
     * inherit the socket, but the JDK's process launcher closes every descriptor above 2 in the child.
     */
    @Override
    public void replace(int source, int target) throws IOException {
        if (source == target) throw new IllegalArgumentException("descriptor moved onto itself");
        int rc = LibC.dup2(source, target);
        if (rc < 0) {
            throw errors.io(-rc);
        }
        rc = LibC.fcntl(target, n.fSetfd, n.fdCloexec);
        if (rc < 0) {
            throw errors.io(-rc);
        }
        ConsumedErrors.forget(target);
    }

    @Override
    public void close(int fd) throws IOException {
        ConsumedErrors.forget(fd); // before the number can be reused
        int rc = LibC.close(fd);
        if (rc < 0) {
            int e = -rc;
            if (e != n.eintr) { // never retried: the descriptor is gone either way
                throw errors.io(e);
            }
        }
    }

    @Override
    public long pipe() throws IOException {
        Scratch s = SCRATCH.get();
        if (n.hasPipe2) {
            int rc = LibC.pipe2(s.addr + PIPEFDS, n.oNonblock | n.oCloexec);
            if (rc < 0) {
                throw errors.io(-rc);
            }
        } else {
            int rc = LibC.pipe(s.addr + PIPEFDS);
            if (rc < 0) {
                throw errors.io(-rc);
            }
            int r = s.buf.getInt(PIPEFDS), w = s.buf.getInt(PIPEFDS + 4);
            int flags = nonBlockingCloexec(r);
            if (flags >= 0) flags = nonBlockingCloexec(w);
            if (flags < 0) {
                int e = -flags;
                LibC.close(r);
                LibC.close(w);
                throw errors.io(e);
            }
        }
        return (s.buf.getInt(PIPEFDS) & 0xffffffffL) | ((long) s.buf.getInt(PIPEFDS + 4) << 32);
    }

    /** A UDP socket on loopback connected to itself: one descriptor a send makes readable. */
    @Override
    public int wakeupDescriptor() throws IOException {
        int fd = socket(INET, false);
        try {
            InetSocketAddress lo = new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), 0);
            bind(fd, INET, lo);
            int r = connect(fd, INET, localAddress(fd));
            if (r != 1) throw new IOException("wakeup socket: connect returned " + r);
            return fd;
        } catch (IOException | RuntimeException e) {
            LibC.close(fd);
            throw e;
        }
    }

    @Override
    public void signal(int wakeFd) throws IOException {
        Scratch s = SCRATCH.get();
        s.buf.put(U64, (byte) 1);
        long r = LibC.send(wakeFd, s.addr + U64, 1, n.msgNosignal);
        if (r < 0) {
            int e = (int) -r;
            if (e != n.eagain) { // buffer full: signalled already
                throw errors.io(e);
            }
        }
    }

    @Override
    public void drain(int wakeFd) throws IOException {
        Scratch s = SCRATCH.get();
        for (int i = 0; i < 1024; i++) {
            long r = LibC.recv(wakeFd, s.addr + U64, 8, 0);
            if (r < 0) {
                int e = (int) -r;
                if (e != n.eagain && e != n.eintr) throw errors.io(e);
                return;
            }
        }
    }

    @Override
    public int poll(int fd, int events, int wakeFd, int timeoutMillis) throws IOException {
        Scratch s = SCRATCH.get();
        ByteBuffer b = s.buf;
        b.putInt(POLLFDS, fd);
        b.putShort(POLLFDS + POLLFD_EVENTS, (short) events); // SocketOps poll bits equal POLL* on every Unix
        b.putShort(POLLFDS + POLLFD_REVENTS, (short) 0);
        int nfds = 1;
        if (wakeFd >= 0) {
            b.putInt(POLLFDS + POLLFD_SIZE, wakeFd);
            b.putShort(POLLFDS + POLLFD_SIZE + POLLFD_EVENTS, (short) POLLIN);
            b.putShort(POLLFDS + POLLFD_SIZE + POLLFD_REVENTS, (short) 0);
            nfds = 2;
        }
        int r = LibC.poll(s.addr + POLLFDS, nfds, timeoutMillis);
        if (r < 0) {
            int e = -r;
            if (e == n.eintr) return INTERRUPTED;
            throw errors.io(e);
        }
        return b.getShort(POLLFDS + POLLFD_REVENTS) & 0xffff;
    }
}
