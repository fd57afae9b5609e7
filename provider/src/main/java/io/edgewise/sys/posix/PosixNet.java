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

    // ---- datagrams, multicast, Unix domain (PosixDatagramOps, PosixUnixOps)
    public final int afUnix, afUnspec;
    /**
     * How a datagram socket dissolves its association: connect to AF_UNSPEC (Linux), or, on the BSDs,
     * to an all-zero address of the socket's own family, where the kernel's EADDRNOTAVAIL means done.
     */
    public final boolean disconnectUnspec;
    public final int ipMulticastIf, ipMulticastTtl, ipMulticastLoop, ipv6MulticastIf, ipv6MulticastHops,
            ipv6MulticastLoop;
    /** The RFC 3678 calls (group_req); 0 where the platform has none (OpenBSD, NetBSD): then ip_mreq/ipv6_mreq. */
    public final int mcastJoinGroup, mcastLeaveGroup, mcastJoinSourceGroup, mcastLeaveSourceGroup, mcastBlockSource,
            mcastUnblockSource;
    public final int ipAddMembership, ipDropMembership, ipv6JoinGroup, ipv6LeaveGroup;
    /**
     * {@code struct group_req}/{@code group_source_req}: the group's sockaddr_storage follows the u32
     * interface at 8 (natural alignment: Linux, FreeBSD) or at 4 (macOS packs them to 4 bytes).
     */
    public final int grGroup, grSize, gsrSource, gsrSize;
    /** {@code sun_path}'s offset and size in {@code sockaddr_un}; Linux's abstract namespace. */
    public final int sunPathOffset, sunPathMax;
    public final boolean abstractUnix;
    /**
     * Peer credentials of a Unix stream socket: getsockopt(level, name) into {@code peerCredLen} bytes
     * with pid/uid/gid at the offsets (-1: not reported). {@code peerCredName} 0: the platform has none.
     */
    public final int peerCredLevel, peerCredName, peerCredLen, peerPidOff, peerUidOff, peerGidOff;
    public final int soType, soAcceptconn, fDupfdCloexec, oRdwr;
    public final int enoprotoopt, eafnosupport, eisconn, eopnotsupp, einval;
    /** IPv4 multicast TTL and loop as one byte (u_char: the BSDs; OpenBSD takes nothing else). */
    public final boolean ipMulticastByte;
    /** An IPv4 group on an INET6 socket is joined at the IPv6 level, IPv4-mapped (macOS, as the JDK does there). */
    public final boolean join6WithIPv4Group;
    /** New datagram sockets get a send buffer of at least one largest datagram (macOS's is 9216 bytes). */
    public final boolean dgramMinSndbuf;
    /** IP_DONTFRAG / IPV6_DONTFRAG (boolean), behind the JDK's IP_DONTFRAGMENT; 0 where the JDK offers none. */
    public final int ipDontfrag, ipv6Dontfrag;

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
        afUnix = b.afUnix; afUnspec = b.afUnspec; disconnectUnspec = b.disconnectUnspec;
        ipMulticastIf = b.ipMulticastIf; ipMulticastTtl = b.ipMulticastTtl; ipMulticastLoop = b.ipMulticastLoop;
        ipv6MulticastIf = b.ipv6MulticastIf; ipv6MulticastHops = b.ipv6MulticastHops;
        ipv6MulticastLoop = b.ipv6MulticastLoop;
        mcastJoinGroup = b.mcastJoinGroup; mcastLeaveGroup = b.mcastLeaveGroup;
        mcastJoinSourceGroup = b.mcastJoinSourceGroup; mcastLeaveSourceGroup = b.mcastLeaveSourceGroup;
        mcastBlockSource = b.mcastBlockSource; mcastUnblockSource = b.mcastUnblockSource;
        ipAddMembership = b.ipAddMembership; ipDropMembership = b.ipDropMembership;
        ipv6JoinGroup = b.ipv6JoinGroup; ipv6LeaveGroup = b.ipv6LeaveGroup;
        grGroup = b.groupReqPacked ? 4 : 8;
        grSize = grGroup + SockAddrCodec.SOCKADDR_STORAGE_SIZE;
        gsrSource = grSize;
        gsrSize = grSize + SockAddrCodec.SOCKADDR_STORAGE_SIZE;
        sunPathOffset = 2; sunPathMax = b.sunPathMax; abstractUnix = b.abstractUnix;
        peerCredLevel = b.peerCredLevel; peerCredName = b.peerCredName; peerCredLen = b.peerCredLen;
        peerPidOff = b.peerPidOff; peerUidOff = b.peerUidOff; peerGidOff = b.peerGidOff;
        soType = b.soType; soAcceptconn = b.soAcceptconn; fDupfdCloexec = b.fDupfdCloexec; oRdwr = b.oRdwr;
        enoprotoopt = b.enoprotoopt; eafnosupport = b.eafnosupport; eisconn = b.eisconn; eopnotsupp = b.eopnotsupp;
        einval = b.einval;
        ipMulticastByte = b.ipMulticastByte; join6WithIPv4Group = b.join6WithIPv4Group;
        dgramMinSndbuf = b.dgramMinSndbuf;
        ipDontfrag = b.ipDontfrag; ipv6Dontfrag = b.ipv6Dontfrag;
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
        // datagrams and Unix domain: netinet/in.h, netinet6/in6.h (KAME), sys/un.h, sys/socket.h
        b.afUnix = 1; b.afUnspec = 0; b.disconnectUnspec = false;
        b.ipMulticastIf = 9; b.ipMulticastTtl = 10; b.ipMulticastLoop = 11;
        b.ipAddMembership = 12; b.ipDropMembership = 13;
        b.ipv6MulticastIf = 9; b.ipv6MulticastHops = 10; b.ipv6MulticastLoop = 11;
        b.ipv6JoinGroup = 12; b.ipv6LeaveGroup = 13;
        b.sunPathMax = 104;
        b.soType = 0x1008; b.soAcceptconn = 0x2; b.oRdwr = 2;
        b.enoprotoopt = 42; b.eafnosupport = 47; b.eisconn = 56; b.eopnotsupp = 45; b.einval = 22;
        b.ipMulticastByte = true;
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
        public int afUnix, afUnspec;
        public boolean disconnectUnspec;
        public int ipMulticastIf, ipMulticastTtl, ipMulticastLoop, ipv6MulticastIf, ipv6MulticastHops, ipv6MulticastLoop;
        public int mcastJoinGroup, mcastLeaveGroup, mcastJoinSourceGroup, mcastLeaveSourceGroup, mcastBlockSource,
                mcastUnblockSource;
        public int ipAddMembership, ipDropMembership, ipv6JoinGroup, ipv6LeaveGroup;
        public boolean groupReqPacked;
        public int sunPathMax;
        public boolean abstractUnix;
        public int peerCredLevel, peerCredName, peerCredLen, peerPidOff = -1, peerUidOff = -1, peerGidOff = -1;
        public int soType, soAcceptconn, fDupfdCloexec, oRdwr;
        public int enoprotoopt, eafnosupport, eisconn, eopnotsupp, einval;
        public boolean ipMulticastByte, join6WithIPv4Group, dgramMinSndbuf;
        public int ipDontfrag, ipv6Dontfrag;

        /** The RFC 3678 multicast calls with the numbers macOS and FreeBSD give them (netinet/in.h). */
        public Builder rfc3678Bsd() {
            mcastJoinGroup = 80; mcastLeaveGroup = 81; mcastJoinSourceGroup = 82; mcastLeaveSourceGroup = 83;
            mcastBlockSource = 84; mcastUnblockSource = 85;
            return this;
        }

        public PosixNet build() {
            return new PosixNet(this);
        }
    }
}
