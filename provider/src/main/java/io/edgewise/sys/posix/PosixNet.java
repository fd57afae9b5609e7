package io.edgewise.sys.posix;

/**
 * The socket-level constants and layout facts {@link PosixSocketOps} needs of one platform. One instance
 * per platform, built in that platform's class ({@code sys.bsd.Darwin.NET}, {@code FreeBsd.NET},
 * {@code OpenBsd.NET}, {@code NetBsd.NET}; {@code sys.linux.LinuxValues.NET}, which takes Linux's values
 * from {@code sys/linux/Linux}). A value of 0 for an optional
 * feature ({@code SOCK_NONBLOCK}, {@code MSG_NOSIGNAL}, {@code SO_NOSIGPIPE}, a TCP keep-alive option)
 * means "this platform has none".
 *
 * <p>Common to all of them: {@code struct iovec} 16 bytes, {@code pollfd} 8 bytes with POLLIN 1, POLLOUT 4,
 * POLLERR 8, POLLHUP 0x10, {@code socklen_t} 4 bytes, {@code sockaddr_in} 16 and {@code sockaddr_in6} 28
 * bytes, port and address in network order at the same offsets (2 and 4; 2, 8 and 24 for the scope).
 */
public final class PosixNet {
    public final String platform;
    /** sockaddr starts with {@code uint8_t sa_len; uint8_t sa_family} (BSD) instead of a 16-bit family. */
    public final boolean saLen;
    public final int afInet, afInet6;
    public final int sockStream, sockDgram, sockNonblock, sockCloexec;
    public final boolean hasAccept4, hasPipe2;
    public final int oNonblock, oCloexec, fGetfl, fSetfl, fSetfd, fdCloexec;
    public final int msgNosignal, msgOob, soNosigpipe;
    public final int solSocket, ipprotoIp, ipprotoTcp, ipprotoIpv6;
    public final int soReuseaddr, soReuseport, soKeepalive, soBroadcast, soLinger, soOobinline, soSndbuf, soRcvbuf,
            soError;
    public final int tcpNodelay, tcpKeepidle, tcpKeepintvl, tcpKeepcnt, ipTos, ipv6V6only, ipv6Tclass;
    /** Whether getsockopt reports twice the buffer size that was set (Linux). */
    public final boolean doubledBuffers;
    /** Whether an INET6 socket can also carry IPv4 (IPV6_V6ONLY off); OpenBSD cannot. */
    public final boolean dualStack;
    public final long fionread;
    public final int iovMax;
    /** sockaddr marshalling with this platform's {@code sa_len} choice and family numbers. */
    public final SockAddrCodec sockaddr;
    // errno
    public final int eintr, eagain, einprogress, enotconn, econnreset, econnrefused, etimedout, ehostunreach,
            eaddrinuse, eaddrnotavail, eacces, eproto, econnaborted, epipe;

    private PosixNet(Builder b) {
        platform = b.platform; saLen = b.saLen; afInet = b.afInet; afInet6 = b.afInet6;
        sockStream = b.sockStream; sockDgram = b.sockDgram; sockNonblock = b.sockNonblock; sockCloexec = b.sockCloexec;
        hasAccept4 = b.hasAccept4; hasPipe2 = b.hasPipe2;
        oNonblock = b.oNonblock; oCloexec = b.oCloexec; fGetfl = b.fGetfl; fSetfl = b.fSetfl; fSetfd = b.fSetfd;
        fdCloexec = b.fdCloexec;
        msgNosignal = b.msgNosignal; msgOob = b.msgOob; soNosigpipe = b.soNosigpipe;
        solSocket = b.solSocket; ipprotoIp = b.ipprotoIp; ipprotoTcp = b.ipprotoTcp; ipprotoIpv6 = b.ipprotoIpv6;
        soReuseaddr = b.soReuseaddr; soReuseport = b.soReuseport; soKeepalive = b.soKeepalive;
        soBroadcast = b.soBroadcast; soLinger = b.soLinger; soOobinline = b.soOobinline; soSndbuf = b.soSndbuf;
        soRcvbuf = b.soRcvbuf; soError = b.soError;
        tcpNodelay = b.tcpNodelay; tcpKeepidle = b.tcpKeepidle; tcpKeepintvl = b.tcpKeepintvl;
        tcpKeepcnt = b.tcpKeepcnt; ipTos = b.ipTos; ipv6V6only = b.ipv6V6only; ipv6Tclass = b.ipv6Tclass;
        doubledBuffers = b.doubledBuffers; dualStack = b.dualStack; fionread = b.fionread; iovMax = b.iovMax;
        eintr = b.eintr; eagain = b.eagain; einprogress = b.einprogress; enotconn = b.enotconn;
        econnreset = b.econnreset; econnrefused = b.econnrefused; etimedout = b.etimedout;
        ehostunreach = b.ehostunreach; eaddrinuse = b.eaddrinuse; eaddrnotavail = b.eaddrnotavail;
        eacces = b.eacces; eproto = b.eproto; econnaborted = b.econnaborted; epipe = b.epipe;
        sockaddr = new SockAddrCodec(saLen, afInet, afInet6);
    }

    @Override
    public String toString() {
        return platform + " sockets";
    }

    /**
     * Starts with the values 4.4BSD gave every descendant (macOS, FreeBSD, OpenBSD, NetBSD agree on
     * these); each platform class overrides what differs.
     */
    public static Builder bsd(String platform) {
        Builder b = new Builder();
        b.platform = platform;
        b.saLen = true;
        b.afInet = 2;
        b.sockStream = 1; b.sockDgram = 2;
        b.oNonblock = 0x4; b.fGetfl = 3; b.fSetfl = 4; b.fSetfd = 2; b.fdCloexec = 1;
        b.msgOob = 0x1;
        b.solSocket = 0xffff; b.ipprotoIp = 0; b.ipprotoTcp = 6; b.ipprotoIpv6 = 41;
        b.soReuseaddr = 0x4; b.soKeepalive = 0x8; b.soBroadcast = 0x20; b.soLinger = 0x80; b.soOobinline = 0x100;
        b.soReuseport = 0x200; b.soSndbuf = 0x1001; b.soRcvbuf = 0x1002; b.soError = 0x1007;
        b.tcpNodelay = 1; b.ipTos = 3; b.ipv6V6only = 27; b.ipv6Tclass = 61;
        b.dualStack = true;
        b.fionread = 0x4004667fL;
        b.iovMax = 1024;
        b.eintr = 4; b.eagain = 35; b.einprogress = 36; b.enotconn = 57; b.econnreset = 54; b.econnrefused = 61;
        b.etimedout = 60; b.ehostunreach = 65; b.eaddrinuse = 48; b.eaddrnotavail = 49; b.eacces = 13;
        b.econnaborted = 53; b.epipe = 32;
        return b;
    }

    /** Mutable while a platform class fills it in; {@link #build()} freezes it. */
    public static final class Builder {
        public String platform;
        public boolean saLen;
        public int afInet, afInet6;
        public int sockStream, sockDgram, sockNonblock, sockCloexec;
        public boolean hasAccept4, hasPipe2;
        public int oNonblock, oCloexec, fGetfl, fSetfl, fSetfd, fdCloexec;
        public int msgNosignal, msgOob, soNosigpipe;
        public int solSocket, ipprotoIp, ipprotoTcp, ipprotoIpv6;
        public int soReuseaddr, soReuseport, soKeepalive, soBroadcast, soLinger, soOobinline, soSndbuf, soRcvbuf, soError;
        public int tcpNodelay, tcpKeepidle, tcpKeepintvl, tcpKeepcnt, ipTos, ipv6V6only, ipv6Tclass;
        public boolean doubledBuffers, dualStack;
        public long fionread;
        public int iovMax;
        public int eintr, eagain, einprogress, enotconn, econnreset, econnrefused, etimedout, ehostunreach, eaddrinuse,
                eaddrnotavail, eacces, eproto, econnaborted, epipe;

        public PosixNet build() {
            return new PosixNet(this);
        }
    }
}
