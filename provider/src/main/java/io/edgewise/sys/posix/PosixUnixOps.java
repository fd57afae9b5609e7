package io.edgewise.sys.posix;

import io.edgewise.sys.Scratch;
import io.edgewise.PeerCredentials;
import io.edgewise.sys.DatagramOps;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.UnixOps;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * {@link UnixOps} for every Unix through {@link LibC}, with one platform's values ({@link PosixNet}):
 * {@code sockaddr_un} through {@link UnixAddrCodec} ({@code sun_len} and a 104-byte {@code sun_path}
 * on the BSDs), {@code accept4} and {@code SOCK_NONBLOCK} where the platform has them (else fcntl,
 * through {@link PosixSocketOps}), peer credentials by the platform's own call (SO_PEERCRED on Linux
 * and OpenBSD, LOCAL_PEERCRED's xucred on macOS and FreeBSD, LOCAL_PEEREID on NetBSD). Linux needs no
 * specialisation here: its differences are values. Per-thread native scratch, no other state.
 */
public final class PosixUnixOps implements UnixOps {
    private final PosixNet n;
    private final PosixSocketOps ops;
    private final PosixErrors errors;
    private final UnixAddrCodec addrs;

    private static final int SA = 0, SALEN = 128, OPT = 136, OPTLEN = 232, SCRATCH_SIZE = 240;

    private static final ThreadLocal<Scratch> SCRATCH = Scratch.perThread(SCRATCH_SIZE);

    /** /dev/null, opened once for {@link #detachStandardStreams}; guarded by the class lock. */
    private static int devNull = -1;

    /** {@code ops}: the stream layer of the same platform (fcntl flags for a new descriptor). */
    public PosixUnixOps(PosixSocketOps ops) {
        this.ops = ops;
        this.n = ops.constants();
        this.errors = ops.errors();
        this.addrs = new UnixAddrCodec(n);
        if (n.peerCredLen > OPTLEN - OPT) throw new IllegalStateException("peer credentials larger than scratch");
    }

    /** The platform's sockaddr_un codec. */
    public UnixAddrCodec addresses() {
        return addrs;
    }

    @Override
    public int socket(boolean stream) throws IOException {
        return ops.newSocket(n.afUnix, stream ? n.sockStream : n.sockDgram);
    }

    @Override
    public void bind(int fd, SocketAddress local) throws IOException {
        Scratch s = SCRATCH.get();
        int len = addrs.encode(s.buf, SA, local);
        int rc = LibC.bind(fd, s.addr + SA, len);
        if (rc < 0) {
            throw errors.socket(-rc);
        }
    }

    @Override
    public int connect(int fd, SocketAddress remote) throws IOException {
        Scratch s = SCRATCH.get();
        int len = addrs.encode(s.buf, SA, remote);
        int r = LibC.connect(fd, s.addr + SA, len);
        if (r == 0) return 1;
        int e = -r;
        if (e == n.eagain || e == n.einprogress) return SocketOps.UNAVAILABLE;
        if (e == n.eintr) return SocketOps.INTERRUPTED;
        if (e == n.eisconn) return 1;
        throw errors.socket(e);
    }

    @Override
    public int accept(int fd) throws IOException {
        return ops.acceptAny(fd);
    }

    /** getpeername or getsockname, decoded. */
    @Override
    public SocketAddress address(int fd, boolean peer) throws IOException {
        Scratch s = SCRATCH.get();
        s.buf.putInt(SALEN, addrs.size);
        int r = peer ? LibC.getpeername(fd, s.addr + SA, s.addr + SALEN) : LibC.getsockname(fd, s.addr + SA, s.addr + SALEN);
        if (r < 0) {
            throw errors.socket(-r);
        }
        return addrs.decode(s.buf, SA, s.buf.getInt(SALEN));
    }

    /** Where the platform reports no pid (macOS's xucred), pid is -1. */
    @Override
    public PeerCredentials peerCredentials(int fd) throws IOException {
        if (n.peerCredName == 0) {
            throw new UnsupportedOperationException("'SO_PEERCRED' not supported");
        }
        Scratch s = SCRATCH.get();
        for (int i = 0; i < n.peerCredLen; i++) s.buf.put(OPT + i, (byte) 0);
        s.buf.putInt(OPTLEN, n.peerCredLen);
        int rc = LibC.getsockopt(fd, n.peerCredLevel, n.peerCredName, s.addr + OPT, s.addr + OPTLEN);
        if (rc < 0) {
            throw errors.socket(-rc);
        }
        return new PeerCredentials(field(s, n.peerPidOff), field(s, n.peerUidOff), field(s, n.peerGidOff));
    }

    private static int field(Scratch s, int off) {
        return off < 0 ? -1 : s.buf.getInt(OPT + off);
    }

    @Override
    public int maxPathBytes() {
        return n.sunPathMax - 1;
    }

    private static int intOption(Scratch s, int fd, int level, int name) {
        s.buf.putInt(OPT, 0);
        s.buf.putInt(OPTLEN, 4);
        if (LibC.getsockopt(fd, level, name, s.addr + OPT, s.addr + OPTLEN) < 0) {
            return -1;
        }
        return s.buf.getInt(OPT);
    }

    /** The family of a socket from its own address (SO_DOMAIN is Linux's and FreeBSD's only). */
    private int family(Scratch s, int fd) {
        s.buf.putInt(SALEN, SockAddrCodec.SOCKADDR_STORAGE_SIZE);
        s.buf.putLong(SA, 0L);
        if (LibC.getsockname(fd, s.addr + SA, s.addr + SALEN) < 0) return -1;
        int af = n.saLen ? s.buf.get(SA + 1) & 0xff : s.buf.getShort(SA) & 0xffff;
        if (af == n.afInet) return SocketOps.INET;
        if (af == n.afInet6) return SocketOps.INET6;
        if (af == n.afUnix) return DatagramOps.UNIX;
        return -1;
    }

    @Override
    public long inspect(int fd) throws IOException {
        Scratch s = SCRATCH.get();
        int type = intOption(s, fd, n.solSocket, n.soType);
        if (type != n.sockStream && type != n.sockDgram) {
            return -1; // not a socket (ENOTSOCK), or a kind the JDK does not serve
        }
        int family = family(s, fd);
        if (family < 0) return -1;
        int kind;
        if (type == n.sockDgram) {
            kind = KIND_DATAGRAM;
        } else {
            kind = intOption(s, fd, n.solSocket, n.soAcceptconn) > 0 ? KIND_LISTENER : KIND_STREAM;
        }
        int dup = LibC.fcntl(fd, n.fDupfdCloexec, 3);
        if (dup < 0) throw errors.io(-dup);
        int fl = LibC.fcntl(dup, n.fGetfl, 0);
        int rc = fl < 0 ? fl : LibC.fcntl(dup, n.fSetfl, fl | n.oNonblock);
        if (rc < 0) {
            LibC.close(dup);
            throw errors.io(-rc);
        }
        return (dup & 0xffffffffL) | ((long) kind << 32) | ((long) family << 40);
    }

    @Override
    public void detachStandardStreams() throws IOException {
        synchronized (PosixUnixOps.class) {
            if (devNull < 0) {
                int fd = LibC.open("/dev/null", n.oRdwr | n.oCloexec);
                if (fd < 0) throw errors.io(-fd);
                devNull = fd;
            }
            for (int i = 0; i <= 2; i++) {
                int rc = LibC.dup2(devNull, i);
                if (rc < 0) throw errors.io(-rc);
            }
        }
    }
}
