package io.edgewise.sys.windows;

import io.edgewise.sys.Scratch;
import io.edgewise.sys.PollEvents;
import io.edgewise.sys.SystemProps;
import static io.edgewise.sys.windows.Win64.*;

import io.edgewise.sys.ByteIo;
import io.edgewise.sys.PipeOps;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.WaitOps;
import io.edgewise.sys.SocketOptionTable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Set;

/**
 * {@link SocketOps} on Windows through Winsock ({@link Ws2_32}).
 *
 * <h2>Descriptors</h2>
 * A Windows {@code SOCKET} is a pointer-sized handle; the contract's descriptors are {@code int}s. A
 * {@link HandleTable} maps them: every socket this class creates or accepts gets the lowest free small
 * int, released when {@link #close} has called {@code closesocket}. {@link #handle(int)} gives the
 * {@code SOCKET} (the IOCP backend needs it for {@code SIO_BASE_HANDLE}).
 *
 * <h2>Sockets</h2>
 * Created with {@code WSASocketW(..., WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT)}, made non-blocking
 * with {@code ioctlsocket(FIONBIO)}; accepted sockets are made non-inheritable with
 * {@code SetHandleInformation}. IPv6 sockets are dual-stack; UDP sockets ignore ICMP port-unreachable
 * ({@code SIO_UDP_CONNRESET} off), as the JDK sets them up. Pipes are a connected loopback TCP pair
 * whose connection is authenticated with a random token (as the JDK's Windows {@code PipeImpl} does);
 * wakeup descriptors are UDP sockets connected to themselves.
 *
 * <h2>Edge triggering</h2>
 * Every {@code WSAEWOULDBLOCK} from a read, write, accept or connect is reported to {@link WouldBlock},
 * which re-arms edge-triggered IOCP registrations of that descriptor; so is a short read (the receive
 * buffer was drained) and a short write (the send buffer filled), which readers and writers commonly
 * take as "stop here" without making the extra call that would return would-block. A re-armed poll
 * completes at once if the socket is ready again, so a surplus report can occur, never a lost one.
 *
 * <p>Threads: stateless apart from the handle table (see there) and a per-thread native scratch area.
 * Implemented and unit-tested in parts (layouts, errors, addresses, handle table); not yet run on a
 * Windows JVM.
 */
public final class WindowsSocketOps implements SocketOps, ByteIo, WaitOps, PipeOps {
    private static volatile WindowsSocketOps instance;

    /** The instance, created (and Winsock started) on first use. */
    public static WindowsSocketOps get() {
        WindowsSocketOps i = instance;
        if (i == null) {
            synchronized (WindowsSocketOps.class) {
                i = instance;
                if (i == null) instance = i = new WindowsSocketOps();
            }
        }
        return i;
    }

    private static final int SIO_UDP_CONNRESET = 0x9800000C;

    // scratch layout
    private static final int SA = 0, SALEN = 128, OPT = 136, OPTLEN = 144, BYTES = 152, FLAGS = 160,
            TV = 168, RSET = 176, WSET = RSET + FD_SET_SIZE, ESET = WSET + FD_SET_SIZE,
            SCRATCH_SIZE = ESET + FD_SET_SIZE;

    private static final ThreadLocal<Scratch> SCRATCH = Scratch.perThread(SCRATCH_SIZE);

    /** Winsock's options; {@code struct linger} is two {@code u_short}s. */
    private static final SocketOptionTable OPTS = new SocketOptionTable(true);
    static {
        OPTS.putStandard(SOL_SOCKET, SO_SNDBUF, SO_RCVBUF, SO_KEEPALIVE, SO_REUSEADDR, SO_BROADCAST, SO_LINGER,
                SO_OOBINLINE, IPPROTO_TCP, TCP_NODELAY, IPPROTO_IP, IP_TOS, IPPROTO_IPV6, IPV6_TCLASS);
        OPTS.putExtended("TCP_KEEPIDLE", IPPROTO_TCP, TCP_KEEPIDLE, 'i');
        OPTS.putExtended("TCP_KEEPINTERVAL", IPPROTO_TCP, TCP_KEEPINTVL, 'i');
        OPTS.putExtended("TCP_KEEPCOUNT", IPPROTO_TCP, TCP_KEEPCNT, 'i');
    }

    private final HandleTable table = new HandleTable(64);

    /**
     * Exclusive bind, as the JDK does on Windows ({@code sun.net.useExclusiveBind}, on unless set to
     * false): every bind sets {@code SO_EXCLUSIVEADDRUSE} (so no other socket can steal the port), and
     * {@code SO_REUSEADDR} — which on Windows would allow exactly that — is only remembered, per descriptor,
     * and reported back ({@code reuseAddr}, a concurrent set of descriptors).
     */
    static final boolean EXCLUSIVE_BIND = exclusiveBind(SystemProps.get("sun.net.useExclusiveBind"));
    private final java.util.Set<Integer> reuseAddr = java.util.concurrent.ConcurrentHashMap.newKeySet();

    public static boolean exclusiveBind(String prop) {
        return prop == null || prop.isEmpty() || Boolean.parseBoolean(prop);
    }
    private final boolean ipv6;

    private WindowsSocketOps() {
        ByteBuffer wsa = ByteBuffer.allocateDirect(WSADATA_SIZE + 64);
        int r = Ws2_32.WSAStartup((short) 0x0202, io.edgewise.sys.NativeMemory.address(wsa));
        if (r != 0) {
            throw new IllegalStateException("WSAStartup failed: " + WinErrors.message(r));
        }
        boolean v6 = false;
        if (!SystemProps.getBoolean("java.net.preferIPv4Stack")) {
            long s = Ws2_32.WSASocketW(AF_INET6, SOCK_STREAM, IPPROTO_TCP, 0L, 0,
                    WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
            if (s >= 0) {
                v6 = true;
                Ws2_32.closesocket(s);
            }
        }
        ipv6 = v6;
    }

    /** The {@code SOCKET} behind a descriptor, or -1 (INVALID_SOCKET). */
    public long handle(int fd) {
        return table.get(fd);
    }

    private long h(int fd) throws IOException {
        long s = table.get(fd);
        if (s == INVALID_SOCKET) {
            throw new SocketException("Socket operation on nonsocket (descriptor " + fd + ")");
        }
        return s;
    }

    @Override
    public boolean ipv6Available() {
        return ipv6;
    }

    // ---- creation

    private static long newSocket(int af, int type, int proto) throws IOException {
        long s = Ws2_32.WSASocketW(af, type, proto, 0L, 0, WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT);
        if (s == -WSAEINVAL) {
            // before Windows 7 SP1 there is no WSA_FLAG_NO_HANDLE_INHERIT
            s = Ws2_32.WSASocketW(af, type, proto, 0L, 0, WSA_FLAG_OVERLAPPED);
            if (s >= 0) Kernel32.SetHandleInformation(s, HANDLE_FLAG_INHERIT, 0);
        }
        if (s < 0) {
            throw WinErrors.socket((int) -s);
        }
        return s;
    }

    private static void nonBlocking(long s, boolean on) throws IOException {
        Scratch sc = SCRATCH.get();
        sc.buf.putInt(OPT, on ? 1 : 0);
        int rc = Ws2_32.ioctlsocket(s, FIONBIO, sc.addr + OPT);
        if (rc != 0) {
            throw WinErrors.socket(-rc);
        }
    }

    private int register(long s) {
        return table.add(s);
    }

    @Override
    public int socket(int family, boolean stream) throws IOException {
        int af = family == INET6 ? AF_INET6 : AF_INET;
        long s = newSocket(af, stream ? SOCK_STREAM : SOCK_DGRAM, stream ? IPPROTO_TCP : IPPROTO_UDP);
        try {
            nonBlocking(s, true);
            Scratch sc = SCRATCH.get();
            if (family == INET6) {
                Ws2_32.setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, sc.zeroedInt(OPT), 4); // dual stack
            }
            if (!stream) {
                Ws2_32.WSAIoctl(s, SIO_UDP_CONNRESET, sc.zeroedInt(OPT), 4, 0L, 0, sc.addr + BYTES, 0L, 0L);
            }
        } catch (IOException e) {
            Ws2_32.closesocket(s);
            throw e;
        }
        return register(s);
    }

    @Override
    public void bind(int fd, int family, InetSocketAddress local) throws IOException {
        Scratch sc = SCRATCH.get();
        long s = h(fd);
        if (EXCLUSIVE_BIND) {
            sc.buf.putInt(OPT, 1);
            Ws2_32.setsockopt(s, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, sc.addr + OPT, 4); // best effort, as the JDK
        }
        int len = WinSockAddr.encode(sc.buf, SA, family == INET6, local);
        int rc = Ws2_32.bind(s, sc.addr + SA, len);
        if (rc != 0) {
            throw WinErrors.socket(-rc);
        }
    }

    @Override
    public void listen(int fd, int backlog) throws IOException {
        int rc = Ws2_32.listen(h(fd), backlog);
        if (rc != 0) {
            throw WinErrors.socket(-rc);
        }
    }

    @Override
    public int accept(int fd, int family, InetSocketAddress[] remote) throws IOException {
        Scratch sc = SCRATCH.get();
        sc.buf.putInt(SALEN, SOCKADDR_STORAGE_SIZE);
        long ns = Ws2_32.accept(h(fd), sc.addr + SA, sc.addr + SALEN);
        if (ns < 0) {
            int e = (int) -ns;
            if (e == WSAEWOULDBLOCK) {
                WouldBlock.report(fd, PollEvents.IN);
                return UNAVAILABLE;
            }
            if (e == WSAEINTR || e == WSAECONNRESET) return INTERRUPTED; // a reset before accept: try again
            throw WinErrors.socket(e);
        }
        Kernel32.SetHandleInformation(ns, HANDLE_FLAG_INHERIT, 0);
        try {
            nonBlocking(ns, true); // inherited from the listener; made sure
        } catch (IOException e) {
            Ws2_32.closesocket(ns);
            throw e;
        }
        remote[0] = WinSockAddr.decode(sc.buf, SA);
        return register(ns);
    }

    @Override
    public int connect(int fd, int family, InetSocketAddress remote) throws IOException {
        Scratch sc = SCRATCH.get();
        int len = WinSockAddr.encode(sc.buf, SA, family == INET6, remote);
        int rc = Ws2_32.connect(h(fd), sc.addr + SA, len);
        if (rc == 0) {
            return 1;
        }
        int e = -rc;
        if (e == WSAEWOULDBLOCK || e == WSAEINPROGRESS) {
            WouldBlock.report(fd, PollEvents.OUT);
            return UNAVAILABLE;
        }
        if (e == WSAEINTR) return INTERRUPTED;
        throw WinErrors.socket(e);
    }

    private static void fdSet(ByteBuffer b, int off, long s) {
        b.putInt(off + FD_SET_COUNT, 1);
        b.putLong(off + FD_SET_ARRAY, s);
    }

    private static void fdSet2(ByteBuffer b, int off, long s1, long s2) {
        b.putInt(off + FD_SET_COUNT, 2);
        b.putLong(off + FD_SET_ARRAY, s1);
        b.putLong(off + FD_SET_ARRAY + 8, s2);
    }

    private static boolean isSet(ByteBuffer b, int off, long s) {
        int n = b.getInt(off + FD_SET_COUNT);
        for (int i = 0; i < n && i < FD_SETSIZE; i++) {
            if (b.getLong(off + FD_SET_ARRAY + 8 * i) == s) return true;
        }
        return false;
    }

    @Override
    public boolean finishConnect(int fd) throws IOException {
        long s = h(fd);
        Scratch sc = SCRATCH.get();
        ByteBuffer b = sc.buf;
        fdSet(b, WSET, s);
        fdSet(b, ESET, s);
        b.putInt(TV, 0);
        b.putInt(TV + 4, 0);
        int n = Ws2_32.select(0, 0L, sc.addr + WSET, sc.addr + ESET, sc.addr + TV);
        if (n < 0) {
            throw WinErrors.socket(-n);
        }
        if (n == 0) {
            return false;
        }
        if (isSet(b, ESET, s)) {
            b.putInt(OPT, 0);
            b.putInt(OPTLEN, 4);
            Ws2_32.getsockopt(s, SOL_SOCKET, SO_ERROR, sc.addr + OPT, sc.addr + OPTLEN);
            int e = b.getInt(OPT);
            throw WinErrors.socket(e != 0 ? e : WSAECONNREFUSED);
        }
        return isSet(b, WSET, s);
    }

    @Override
    public InetSocketAddress address(int fd, boolean peer) throws IOException {
        Scratch sc = SCRATCH.get();
        sc.buf.putInt(SALEN, SOCKADDR_STORAGE_SIZE);
        long s = h(fd);
        int r = peer ? Ws2_32.getpeername(s, sc.addr + SA, sc.addr + SALEN)
                : Ws2_32.getsockname(s, sc.addr + SA, sc.addr + SALEN);
        if (r != 0) {
            int e = -r;
            if (!peer && e == WSAEINVAL) {
                return new InetSocketAddress(0); // not bound yet: Winsock refuses where POSIX answers 0.0.0.0:0
            }
            throw WinErrors.socket(e);
        }
        return WinSockAddr.decode(sc.buf, SA);
    }

    // ---- data

    private static int readError(int fd, int e) throws IOException {
        if (e == WSAEWOULDBLOCK) {
            WouldBlock.report(fd, PollEvents.IN);
            return UNAVAILABLE;
        }
        if (e == WSAEINTR) return INTERRUPTED;
        if (e == WSAESHUTDOWN) return EOF;
        throw WinErrors.read(e);
    }

    private static int writeError(int fd, int e) throws IOException {
        if (e == WSAEWOULDBLOCK) {
            WouldBlock.report(fd, PollEvents.OUT);
            return UNAVAILABLE;
        }
        if (e == WSAEINTR) return INTERRUPTED;
        throw WinErrors.io(e);
    }

    @Override
    public int read(int fd, long address, int length) throws IOException {
        int n = Ws2_32.recv(h(fd), address, length, 0);
        if (n > 0) {
            if (n < length) WouldBlock.report(fd, PollEvents.IN); // drained for now: as good as would-block
            return n;
        }
        if (n == 0) return length == 0 ? 0 : EOF;
        return readError(fd, -n);
    }

    @Override
    public int write(int fd, long address, int length) throws IOException {
        int n = Ws2_32.send(h(fd), address, length, 0);
        if (n >= 0) {
            if (n < length) WouldBlock.report(fd, PollEvents.OUT); // send buffer full: as good as would-block
            return n;
        }
        return writeError(fd, -n);
    }

    @Override
    public long readv(int fd, long iov, int count) throws IOException {
        Scratch sc = SCRATCH.get();
        int rc = Ws2_32.WSARecv(h(fd), iov, count, sc.zeroedInt(BYTES), sc.zeroedInt(FLAGS), 0L, 0L);
        if (rc == 0) {
            long n = sc.buf.getInt(BYTES) & 0xffffffffL;
            if (n == 0) return EOF;
            if (n < total(iov, count)) WouldBlock.report(fd, PollEvents.IN);
            return n;
        }
        return readError(fd, -rc);
    }

    @Override
    public long writev(int fd, long iov, int count) throws IOException {
        Scratch sc = SCRATCH.get();
        int rc = Ws2_32.WSASend(h(fd), iov, count, sc.zeroedInt(BYTES), 0, 0L, 0L);
        if (rc == 0) {
            long n = sc.buf.getInt(BYTES) & 0xffffffffL;
            if (n < total(iov, count)) WouldBlock.report(fd, PollEvents.OUT);
            return n;
        }
        return writeError(fd, -rc);
    }

    /** Sum of the lengths of {@code count} WSABUF entries at {@code iov}. */
    private static long total(long iov, int count) {
        long t = 0;
        for (int i = 0; i < count; i++) {
            t += io.edgewise.sys.NativeMemory.getInt(iov + (long) i * WSABUF_SIZE + WSABUF_LEN) & 0xffffffffL;
        }
        return t;
    }

    @Override
    public int iovecSize() {
        return WSABUF_SIZE;
    }

    /** The JDK on Windows passes at most 16 buffers to one WSASend/WSARecv; so does Edgewise (issue #16). */
    @Override
    public int iovMax() {
        return 16;
    }

    /** WSABUF: length (ULONG) first, then the pointer — the reverse of struct iovec. */
    @Override
    public void putIovec(ByteBuffer iov, int index, long base, long length) {
        putWsabuf(iov, index, base, length);
    }

    /** Writes WSABUF entry {@code index} (little-endian buffer). */
    public static void putWsabuf(ByteBuffer iov, int index, long base, long length) {
        iov.putInt(index * WSABUF_SIZE + WSABUF_LEN, (int) Math.min(length, Integer.MAX_VALUE));
        iov.putInt(index * WSABUF_SIZE + WSABUF_LEN + 4, 0);
        iov.putLong(index * WSABUF_SIZE + WSABUF_BUF, base);
    }

    @Override
    public int available(int fd) throws IOException {
        Scratch sc = SCRATCH.get();
        int rc = Ws2_32.ioctlsocket(h(fd), FIONREAD, sc.zeroedInt(OPT));
        if (rc != 0) throw WinErrors.io(-rc);
        return sc.intAt(OPT);
    }

    @Override
    public int sendUrgent(int fd, int data) throws IOException {
        int n = Ws2_32.send(h(fd), SCRATCH.get().byteCell(OPT, data), 1, MSG_OOB);
        if (n >= 0) return n;
        int e = -n;
        if (e == WSAEWOULDBLOCK || e == WSAEINTR) return 0;
        throw WinErrors.io(e);
    }

    @Override
    public void shutdown(int fd, int how) throws IOException {
        int rc = Ws2_32.shutdown(h(fd), how == 0 ? SD_RECEIVE : SD_SEND);
        if (rc != 0) {
            int e = -rc;
            if (e != WSAENOTCONN) throw WinErrors.socket(e);
        }
    }

    // ---- options

    @Override
    public SocketOptionTable optionTable() {
        return OPTS;
    }

    @Override
    public <T> void setOption(int fd, int family, SocketOption<T> name, T value) throws IOException {
        SocketOptionTable.Opt o = OPTS.get(name);
        long s = h(fd);
        if (EXCLUSIVE_BIND && name == StandardSocketOptions.SO_REUSEADDR) {
            if ((Boolean) value) reuseAddr.add(fd); else reuseAddr.remove(fd);
            return;
        }
        Scratch sc = SCRATCH.get();
        int len = OPTS.encode(sc.buf, OPT, o, name, value);
        int rc = Ws2_32.setsockopt(s, o.level(family), o.name(family), sc.addr + OPT, len);
        if (rc != 0) {
            throw WinErrors.socket(-rc);
        }
        if (o.alsoIpv4(family)) { // IPv4 traffic of a dual-stack socket
            Ws2_32.setsockopt(s, o.level, o.name, sc.addr + OPT, len);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> T getOption(int fd, int family, SocketOption<T> name) throws IOException {
        SocketOptionTable.Opt o = OPTS.get(name);
        long s = h(fd);
        if (EXCLUSIVE_BIND && name == StandardSocketOptions.SO_REUSEADDR) {
            return (T) Boolean.valueOf(reuseAddr.contains(fd));
        }
        Scratch sc = SCRATCH.get();
        sc.buf.putLong(OPT, 0L);
        sc.buf.putInt(OPTLEN, OPTS.length(o));
        int rc = Ws2_32.getsockopt(s, o.level(family), o.name(family), sc.addr + OPT, sc.addr + OPTLEN);
        if (rc != 0) {
            throw WinErrors.socket(-rc);
        }
        return (T) OPTS.decode(sc.buf, OPT, o); // Windows reports buffer sizes as set
    }

    // ---- close, pipes, waiting

    @Override
    public void close(int fd) throws IOException {
        long s = table.get(fd);
        if (s == INVALID_SOCKET) return;
        int r = Ws2_32.closesocket(s);
        int e = -r;
        reuseAddr.remove(fd);
        table.remove(fd); // the handle is gone either way; never retried
        if (r != 0 && e != WSAEINTR) {
            throw WinErrors.io(e);
        }
    }

    @Override
    public long pipe() throws IOException {
        long listener = newSocket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
        long source = INVALID_SOCKET, sink = INVALID_SOCKET;
        try {
            Scratch sc = SCRATCH.get();
            int len = WinSockAddr.encode(sc.buf, SA, false, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int rc = Ws2_32.bind(listener, sc.addr + SA, len);
            if (rc == 0) rc = Ws2_32.listen(listener, 1);
            if (rc != 0) {
                throw WinErrors.socket(-rc);
            }
            sc.buf.putInt(SALEN, SOCKADDR_STORAGE_SIZE);
            rc = Ws2_32.getsockname(listener, sc.addr + SA, sc.addr + SALEN);
            if (rc != 0) {
                throw WinErrors.socket(-rc);
            }
            int addrLen = sc.buf.getInt(SALEN);
            byte[] token = new byte[16];
            new SecureRandom().nextBytes(token);
            ByteBuffer t = ByteBuffer.allocateDirect(32);
            long tAddr = io.edgewise.sys.NativeMemory.address(t);
            t.put(0, token);
            sink = newSocket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
            rc = Ws2_32.connect(sink, sc.addr + SA, addrLen);
            if (rc != 0) {
                throw WinErrors.socket(-rc);
            }
            int sent = Ws2_32.send(sink, tAddr, 16, 0);
            if (sent != 16) {
                throw sent < 0 ? WinErrors.io(-sent) : new IOException("pipe: short send of the token");
            }
            // accept until the peer that sent our token connects (another local process may race us)
            for (int attempt = 0; attempt < 8 && source == INVALID_SOCKET; attempt++) {
                long a = Ws2_32.accept(listener, 0L, 0L);
                if (a < 0) {
                    throw WinErrors.socket((int) -a);
                }
                int got = 0;
                while (got < 16) {
                    int n = Ws2_32.recv(a, tAddr + 16 + got, 16 - got, 0);
                    if (n <= 0) break;
                    got += n;
                }
                boolean ok = got == 16;
                for (int i = 0; ok && i < 16; i++) ok = t.get(16 + i) == token[i];
                if (ok) {
                    source = a;
                } else {
                    Ws2_32.closesocket(a);
                }
            }
            if (source == INVALID_SOCKET) {
                throw new IOException("pipe: loopback connection could not be authenticated");
            }
            Kernel32.SetHandleInformation(source, HANDLE_FLAG_INHERIT, 0);
            nonBlocking(source, true);
            nonBlocking(sink, true);
            sc.buf.putInt(OPT, 1);
            Ws2_32.setsockopt(sink, IPPROTO_TCP, TCP_NODELAY, sc.addr + OPT, 4);
            int r = register(source);
            int w = register(sink);
            source = sink = INVALID_SOCKET;
            return (r & 0xffffffffL) | ((long) w << 32);
        } finally {
            Ws2_32.closesocket(listener);
            if (source != INVALID_SOCKET) Ws2_32.closesocket(source);
            if (sink != INVALID_SOCKET) Ws2_32.closesocket(sink);
        }
    }

    /** A UDP socket connected to itself: {@link #signal} sends it a datagram, {@link #drain} reads them all. */
    @Override
    public int wakeupDescriptor() throws IOException {
        long s = newSocket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
        try {
            Scratch sc = SCRATCH.get();
            int len = WinSockAddr.encode(sc.buf, SA, false, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            int rc1 = Ws2_32.bind(s, sc.addr + SA, len);
            if (rc1 != 0) throw WinErrors.socket(-rc1);
            sc.buf.putInt(SALEN, SOCKADDR_STORAGE_SIZE);
            int rc2 = Ws2_32.getsockname(s, sc.addr + SA, sc.addr + SALEN);
            if (rc2 != 0) throw WinErrors.socket(-rc2);
            int rc3 = Ws2_32.connect(s, sc.addr + SA, sc.buf.getInt(SALEN));
            if (rc3 != 0) throw WinErrors.socket(-rc3);
            nonBlocking(s, true);
            Ws2_32.WSAIoctl(s, SIO_UDP_CONNRESET, sc.zeroedInt(OPT), 4, 0L, 0, sc.addr + BYTES, 0L, 0L);
        } catch (IOException e) {
            Ws2_32.closesocket(s);
            throw e;
        }
        return register(s);
    }

    @Override
    public void signal(int wakeFd) throws IOException {
        Scratch sc = SCRATCH.get();
        sc.buf.put(OPT, (byte) 1);
        int n = Ws2_32.send(h(wakeFd), sc.addr + OPT, 1, 0);
        if (n < 0) {
            int e = -n;
            if (e != WSAEWOULDBLOCK) throw WinErrors.io(e); // buffer full: already signalled
        }
    }

    @Override
    public void drain(int wakeFd) throws IOException {
        long s = h(wakeFd);
        Scratch sc = SCRATCH.get();
        for (int i = 0; i < 1024; i++) {
            if (Ws2_32.recv(s, sc.addr + OPT, 8, 0) < 0) {
                return; // WSAEWOULDBLOCK: drained
            }
        }
    }

    /**
     * {@code select()} rather than {@code WSAPoll}: WSAPoll did not report a failed connect before
     * Windows 10 2004, and select's except set does (the JDK polls single sockets with select too).
     */
    @Override
    public int poll(int fd, int events, int wakeFd, int timeoutMillis) throws IOException {
        long s = h(fd);
        long w = wakeFd >= 0 ? h(wakeFd) : INVALID_SOCKET;
        Scratch sc = SCRATCH.get();
        ByteBuffer b = sc.buf;
        boolean in = (events & PollEvents.IN) != 0, out = (events & PollEvents.OUT) != 0;
        if (in && w != INVALID_SOCKET) fdSet2(b, RSET, s, w);
        else if (in) fdSet(b, RSET, s);
        else if (w != INVALID_SOCKET) fdSet(b, RSET, w);
        else b.putInt(RSET, 0);
        if (out) fdSet(b, WSET, s); else b.putInt(WSET, 0);
        fdSet(b, ESET, s);
        long tv = 0L;
        if (timeoutMillis >= 0) {
            b.putInt(TV, timeoutMillis / 1000);
            b.putInt(TV + 4, (timeoutMillis % 1000) * 1000);
            tv = sc.addr + TV;
        }
        int n = Ws2_32.select(0, sc.addr + RSET, sc.addr + WSET, sc.addr + ESET, tv);
        if (n < 0) {
            int e = -n;
            if (e == WSAEINTR) return INTERRUPTED;
            throw WinErrors.io(e);
        }
        int r = 0;
        if (n > 0) {
            if (in && isSet(b, RSET, s)) r |= PollEvents.IN;
            if (out && isSet(b, WSET, s)) r |= PollEvents.OUT;
            if (isSet(b, ESET, s)) r |= PollEvents.ERR;
        }
        return r;
    }

    // ---- for WindowsDatagramOps and WindowsUnixOps (issue #20), which share this class's handle table

    /** A new non-blocking, non-inheritable socket of any family and type, registered: its descriptor. */
    int newDescriptor(int af, int type, int proto) throws IOException {
        long s = newSocket(af, type, proto);
        try {
            nonBlocking(s, true);
        } catch (IOException e) {
            Ws2_32.closesocket(s);
            throw e;
        }
        return register(s);
    }

    /** The {@code SOCKET} of an open descriptor; a SocketException for any other. */
    long socketOf(int fd) throws IOException {
        return h(fd);
    }
}
