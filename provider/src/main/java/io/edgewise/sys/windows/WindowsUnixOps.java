package io.edgewise.sys.windows;

import io.edgewise.sys.Scratch;
import static io.edgewise.sys.windows.Win64.*;
import static io.edgewise.sys.windows.Win64Net.*;

import io.edgewise.PeerCredentials;
import io.edgewise.sys.PollEvents;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.SystemProps;
import io.edgewise.sys.UnixOps;
import io.edgewise.sys.posix.PosixNet;
import io.edgewise.sys.posix.UnixAddrCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * {@link UnixOps} through Winsock's AF_UNIX (Windows 10 1803 and later), what the JDK offers there:
 * stream sockets only ({@code DatagramOps.socket(UNIX)} is refused), path names only (no abstract
 * namespace: an {@code AbstractUnixSocketAddress} is UnsupportedAddressTypeException), paths in UTF-8
 * whatever the file-name encoding (the JDK's Windows {@code UnixDomainSocketsUtil.getCharset}), a
 * 108-byte {@code sun_path}, no peer credentials (the JDK's {@code jdk.net.ExtendedSocketOptions} offers
 * no SO_PEERCRED on Windows), automatically named sockets in {@code %TEMP%} before
 * {@code java.io.tmpdir} (its {@code getTempDir}), and no inherited channels (the JDK's
 * {@code System.inheritedChannel()} is null on Windows).
 *
 * <p>Descriptors come from {@link WindowsSocketOps}' handle table, so reads, writes, options, poll and
 * close of these sockets are that class's. {@code sockaddr_un} goes through the POSIX codec
 * ({@link UnixAddrCodec}) with Windows' shape: a 16-bit family 1, no {@code sun_len}.
 *
 * <p>Connect: a non-blocking AF_UNIX connect may answer WSAEWOULDBLOCK like TCP, and Winsock does not
 * promise what a second connect says while one is pending; so a repeated connect that answers
 * WSAEALREADY asks {@link WindowsSocketOps#finishConnect} (select plus SO_ERROR) instead. (WSAEINVAL,
 * which old Winsock said there too, is thrown: taken for "pending" it could retry forever.)
 * Stateless apart from a per-thread scratch area.
 */
public final class WindowsUnixOps implements UnixOps {
    /** Windows' sockaddr_un as {@link UnixAddrCodec} reads it. */
    static final PosixNet SHAPE = shape();

    private static PosixNet shape() {
        PosixNet.Builder b = new PosixNet.Builder();
        b.platform = "Windows";
        b.saLen = false;
        b.afInet = AF_INET;
        b.afInet6 = AF_INET6;
        b.afUnix = AF_UNIX;
        b.afUnspec = AF_UNSPEC;
        b.sunPathMax = UNIX_PATH_MAX;
        b.abstractUnix = false;
        return b.build();
    }

    /** The codec: Windows' shape, UTF-8 paths. */
    public static final UnixAddrCodec ADDRESSES = new UnixAddrCodec(SHAPE, StandardCharsets.UTF_8);

    private static final int SA = 0, SALEN = 128, SCRATCH_SIZE = 136;

    private static final ThreadLocal<Scratch> SCRATCH = Scratch.perThread(SCRATCH_SIZE);

    private final WindowsSocketOps ops;

    public WindowsUnixOps(WindowsSocketOps ops) {
        this.ops = ops;
    }

    /** Stream sockets only: Windows has no AF_UNIX datagrams. */
    @Override
    public int socket(boolean stream) throws IOException {
        if (!stream) {
            throw new UnsupportedOperationException("Protocol family not supported");
        }
        try {
            return ops.newDescriptor(AF_UNIX, SOCK_STREAM, 0);
        } catch (java.net.SocketException e) {
            if (afUnsupported(e)) throw new UnsupportedOperationException("Protocol family not supported");
            throw e;
        }
    }

    /** Windows before 10 1803: no AF_UNIX (the JDK then refuses the family the same way). */
    private static boolean afUnsupported(java.net.SocketException e) {
        String m = e.getMessage();
        return m != null && m.endsWith("(WSAError: " + WSAEAFNOSUPPORT + ")");
    }

    @Override
    public void bind(int fd, SocketAddress local) throws IOException {
        long h = ops.socketOf(fd);
        Scratch s = SCRATCH.get();
        int len = ADDRESSES.encode(s.buf, SA, local);
        int rc = Ws2_32.bind(h, s.addr + SA, len);
        if (rc != 0) {
            throw WinErrors.socket(-rc); // an existing path: WSAEADDRINUSE, a BindException
        }
    }

    @Override
    public int connect(int fd, SocketAddress remote) throws IOException {
        long h = ops.socketOf(fd);
        Scratch s = SCRATCH.get();
        int len = ADDRESSES.encode(s.buf, SA, remote);
        int rc = Ws2_32.connect(h, s.addr + SA, len);
        if (rc == 0) {
            return 1;
        }
        return connectResult(fd, -rc);
    }

    /** What a failed connect's error means; a pending connect's outcome comes from finishConnect. */
    int connectResult(int fd, int e) throws IOException {
        switch (e) {
            case WSAEISCONN:
                return 1;
            case WSAEWOULDBLOCK:
            case WSAEINPROGRESS:
                WouldBlock.report(fd, PollEvents.OUT);
                return SocketOps.UNAVAILABLE;
            case WSAEALREADY: // pending: select and SO_ERROR say how it went (throws its error)
                return ops.finishConnect(fd) ? 1 : SocketOps.UNAVAILABLE;
            case WSAEINTR:
                return SocketOps.INTERRUPTED;
            default:
                throw WinErrors.socket(e);
        }
    }

    /** The peer's address is read by {@link #remoteAddress}; accept's own is discarded (IP-decoded: null). */
    @Override
    public int accept(int fd) throws IOException {
        return ops.accept(fd, SocketOps.INET, new InetSocketAddress[1]);
    }

    /** getsockname / getpeername, decoded; an error is an IOException, as the JDK's on Windows. */
    @Override
    public SocketAddress address(int fd, boolean peer) throws IOException {
        long h = ops.socketOf(fd);
        Scratch s = SCRATCH.get();
        s.buf.putInt(SALEN, ADDRESSES.size);
        s.buf.putShort(SA, (short) 0);
        int r = peer ? Ws2_32.getpeername(h, s.addr + SA, s.addr + SALEN)
                : Ws2_32.getsockname(h, s.addr + SA, s.addr + SALEN);
        if (r != 0) {
            throw WinErrors.io(-r);
        }
        return ADDRESSES.decode(s.buf, SA, s.buf.getInt(SALEN));
    }

    /** The JDK offers no SO_PEERCRED on Windows. */
    @Override
    public PeerCredentials peerCredentials(int fd) {
        throw new UnsupportedOperationException("'SO_PEERCRED' not supported");
    }

    @Override
    public boolean peerCredentialsSupported() {
        return false;
    }

    /** 107 bytes: {@code sun_path} holds a NUL-terminated path. */
    @Override
    public int maxPathBytes() {
        return UNIX_PATH_MAX - 1;
    }

    /** {@code %TEMP%}, else {@code java.io.tmpdir}: the JDK's order on Windows. */
    @Override
    public String defaultTempDir() {
        String temp = System.getenv("TEMP");
        return temp != null ? temp : SystemProps.get("java.io.tmpdir");
    }

    /** No inherited channels on Windows (the JDK's is null there). */
    @Override
    public long inspect(int fd) {
        return -1;
    }

    /** Nothing to detach: {@link #inspect} never hands out a channel. */
    @Override
    public void detachStandardStreams() {
    }
}
