package io.edgewise.sys.linux;

import io.edgewise.sys.posix.LibC;
import static io.edgewise.sys.linux.Linux.*;

import io.edgewise.PeerCredentials;
import io.edgewise.sys.DatagramOps;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.UnixOps;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** {@link UnixOps} on Linux through {@link LibC}; per-thread native scratch, no other state. */
public final class LinuxUnixOps implements UnixOps {
    public static final LinuxUnixOps INSTANCE = new LinuxUnixOps();

    private static final int SA = 0, SALEN = 128, OPT = 136, OPTLEN = 152, SCRATCH_SIZE = 160;

    /** Per-thread native scratch; thread-confined like the ThreadLocal that holds it. */
    private static final class Scratch {
        final ByteBuffer buf = ByteBuffer.allocateDirect(SCRATCH_SIZE).order(ByteOrder.nativeOrder());
        final long addr = LibC.address(buf);
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** /dev/null, opened once for {@link #detachStandardStreams}; guarded by the class lock. */
    private static int devNull = -1;

    private LinuxUnixOps() { }

    @Override
    public int socket(boolean stream) throws IOException {
        int fd = LibC.socket(AF_UNIX, (stream ? SOCK_STREAM : SOCK_DGRAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0) throw LinuxValues.ERRORS.socket(LibC.errno());
        return fd;
    }

    @Override
    public void bind(int fd, SocketAddress local) throws IOException {
        Scratch s = SCRATCH.get();
        int len = UnixAddr.encode(s.buf, SA, local);
        if (LibC.bind(fd, s.addr + SA, len) < 0) {
            throw LinuxValues.ERRORS.socket(LibC.errno());
        }
    }

    @Override
    public int connect(int fd, SocketAddress remote) throws IOException {
        Scratch s = SCRATCH.get();
        int len = UnixAddr.encode(s.buf, SA, remote);
        if (LibC.connect(fd, s.addr + SA, len) == 0) return 1;
        int e = LibC.errno();
        if (e == EAGAIN || e == EINPROGRESS) return SocketOps.UNAVAILABLE;
        if (e == EINTR) return SocketOps.INTERRUPTED;
        if (e == EISCONN) return 1;
        throw LinuxValues.ERRORS.socket(e);
    }

    @Override
    public int accept(int fd) throws IOException {
        int nfd = LibC.accept4(fd, 0L, 0L, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (nfd >= 0) return nfd;
        int e = LibC.errno();
        if (e == EAGAIN) return SocketOps.UNAVAILABLE;
        if (e == EINTR || e == ECONNABORTED) return SocketOps.INTERRUPTED;
        throw LinuxValues.ERRORS.socket(e);
    }

    @Override
    public SocketAddress localAddress(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        s.buf.putInt(SALEN, SOCKADDR_UN_SIZE);
        if (LibC.getsockname(fd, s.addr + SA, s.addr + SALEN) < 0) {
            throw LinuxValues.ERRORS.socket(LibC.errno());
        }
        return UnixAddr.decode(s.buf, SA, s.buf.getInt(SALEN));
    }

    @Override
    public SocketAddress remoteAddress(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        s.buf.putInt(SALEN, SOCKADDR_UN_SIZE);
        if (LibC.getpeername(fd, s.addr + SA, s.addr + SALEN) < 0) {
            throw LinuxValues.ERRORS.socket(LibC.errno());
        }
        return UnixAddr.decode(s.buf, SA, s.buf.getInt(SALEN));
    }

    @Override
    public PeerCredentials peerCredentials(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        s.buf.putInt(OPTLEN, 12); // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        if (LibC.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, s.addr + OPT, s.addr + OPTLEN) < 0) {
            throw LinuxValues.ERRORS.socket(LibC.errno());
        }
        return new PeerCredentials(s.buf.getInt(OPT), s.buf.getInt(OPT + 4), s.buf.getInt(OPT + 8));
    }

    @Override
    public int maxPathBytes() {
        return SUN_PATH_MAX - 1;
    }

    private static int intOption(Scratch s, int fd, int name) {
        s.buf.putInt(OPT, 0);
        s.buf.putInt(OPTLEN, 4);
        if (LibC.getsockopt(fd, SOL_SOCKET, name, s.addr + OPT, s.addr + OPTLEN) < 0) {
            return -1;
        }
        return s.buf.getInt(OPT);
    }

    @Override
    public long inspect(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        int type = intOption(s, fd, SO_TYPE);
        if (type != SOCK_STREAM && type != SOCK_DGRAM) {
            return -1; // not a socket (ENOTSOCK), or a kind the JDK does not serve
        }
        int domain = intOption(s, fd, SO_DOMAIN);
        int family;
        switch (domain) {
            case AF_INET: family = SocketOps.INET; break;
            case AF_INET6: family = SocketOps.INET6; break;
            case AF_UNIX: family = DatagramOps.UNIX; break;
            default: return -1;
        }
        int kind;
        if (type == SOCK_DGRAM) {
            kind = KIND_DATAGRAM;
        } else {
            kind = intOption(s, fd, SO_ACCEPTCONN) == 1 ? KIND_LISTENER : KIND_STREAM;
        }
        int dup = LibC.fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (dup < 0) throw LinuxValues.ERRORS.io(LibC.errno());
        int fl = LibC.fcntl(dup, F_GETFL, 0);
        if (fl < 0 || LibC.fcntl(dup, F_SETFL, fl | O_NONBLOCK) < 0) {
            int e = LibC.errno();
            LibC.close(dup);
            throw LinuxValues.ERRORS.io(e);
        }
        return (dup & 0xffffffffL) | ((long) kind << 32) | ((long) family << 40);
    }

    @Override
    public void detachStandardStreams() throws IOException {
        synchronized (LinuxUnixOps.class) {
            if (devNull < 0) {
                int fd = LibC.open("/dev/null", O_RDWR | O_CLOEXEC);
                if (fd < 0) throw LinuxValues.ERRORS.io(LibC.errno());
                devNull = fd;
            }
            for (int i = 0; i <= 2; i++) {
                if (LibC.dup2(devNull, i) < 0) throw LinuxValues.ERRORS.io(LibC.errno());
            }
        }
    }
}
