package io.edgewise.sys.linux;

import io.edgewise.sys.posix.PosixErrors;
import io.edgewise.sys.posix.PosixNet;

/**
 * Linux's values for the POSIX socket layer ({@code sys.posix.PosixSocketOps}), read from {@link Linux}
 * (not restated): the ones {@link LinuxSocketOps} runs with, and the ones that let the code path of
 * macOS and the BSDs run — and be tested — on Linux: {@code -Dio.edgewise.socketops=posix|posix-macos}.
 */
public final class LinuxValues {
    private LinuxValues() { }

    public static final PosixNet NET = linux().build();

    /** errno to exceptions with Linux's numbers. */
    public static final PosixErrors ERRORS = new PosixErrors(NET);

    /**
     * Linux's values with the macOS gaps: no {@code SOCK_NONBLOCK}/{@code SOCK_CLOEXEC}, no
     * {@code accept4}/{@code pipe2}, no {@code MSG_NOSIGNAL} — so the fcntl paths macOS takes run here.
     */
    public static final PosixNet MACOS_LIKE;
    static {
        PosixNet.Builder b = linux();
        b.platform = "linux (posix code path, macOS gaps)";
        b.sockNonblock = 0;
        b.sockCloexec = 0;
        b.hasAccept4 = false;
        b.hasPipe2 = false;
        b.msgNosignal = 0;
        MACOS_LIKE = b.build();
    }

    /** Linux's values, still open to change (tests that take one feature away, as a platform lacks it). */
    public static PosixNet.Builder builder() {
        return linux();
    }

    private static PosixNet.Builder linux() {
        PosixNet.Builder b = new PosixNet.Builder();
        b.platform = "linux (posix code path)";
        b.saLen = false;
        b.afInet = Linux.AF_INET; b.afInet6 = Linux.AF_INET6;
        b.sockStream = Linux.SOCK_STREAM; b.sockDgram = Linux.SOCK_DGRAM;
        b.sockNonblock = Linux.SOCK_NONBLOCK; b.sockCloexec = Linux.SOCK_CLOEXEC;
        b.hasAccept4 = true; b.hasPipe2 = true;
        b.oNonblock = Linux.O_NONBLOCK; b.oCloexec = Linux.O_CLOEXEC; b.fGetfl = Linux.F_GETFL;
        b.fSetfl = Linux.F_SETFL; b.fSetfd = 2; b.fdCloexec = 1;
        b.msgNosignal = Linux.MSG_NOSIGNAL; b.msgOob = Linux.MSG_OOB;
        b.solSocket = Linux.SOL_SOCKET; b.ipprotoIp = Linux.IPPROTO_IP; b.ipprotoTcp = Linux.IPPROTO_TCP;
        b.ipprotoIpv6 = Linux.IPPROTO_IPV6;
        b.soReuseaddr = Linux.SO_REUSEADDR; b.soReuseport = Linux.SO_REUSEPORT; b.soKeepalive = Linux.SO_KEEPALIVE;
        b.soBroadcast = Linux.SO_BROADCAST; b.soLinger = Linux.SO_LINGER; b.soOobinline = Linux.SO_OOBINLINE;
        b.soSndbuf = Linux.SO_SNDBUF; b.soRcvbuf = Linux.SO_RCVBUF; b.soError = Linux.SO_ERROR;
        b.tcpNodelay = Linux.TCP_NODELAY; b.tcpKeepidle = Linux.TCP_KEEPIDLE; b.tcpKeepintvl = Linux.TCP_KEEPINTVL;
        b.tcpKeepcnt = Linux.TCP_KEEPCNT; b.ipTos = Linux.IP_TOS; b.ipv6V6only = Linux.IPV6_V6ONLY;
        b.ipv6Tclass = Linux.IPV6_TCLASS;
        b.doubledBuffers = true; b.dualStack = true;
        b.fionread = Linux.FIONREAD; b.iovMax = Linux.IOV_MAX;
        b.eintr = Linux.EINTR; b.eagain = Linux.EAGAIN; b.einprogress = Linux.EINPROGRESS; b.enotconn = Linux.ENOTCONN;
        b.econnreset = Linux.ECONNRESET; b.econnrefused = Linux.ECONNREFUSED; b.etimedout = Linux.ETIMEDOUT;
        b.ehostunreach = Linux.EHOSTUNREACH; b.eaddrinuse = Linux.EADDRINUSE; b.eaddrnotavail = Linux.EADDRNOTAVAIL;
        b.eacces = Linux.EACCES; b.eproto = Linux.EPROTO; b.econnaborted = Linux.ECONNABORTED; b.epipe = Linux.EPIPE;
        // datagrams, multicast, Unix domain
        b.afUnix = Linux.AF_UNIX; b.afUnspec = Linux.AF_UNSPEC; b.disconnectUnspec = true;
        b.ipMulticastIf = Linux.IP_MULTICAST_IF; b.ipMulticastTtl = Linux.IP_MULTICAST_TTL;
        b.ipMulticastLoop = Linux.IP_MULTICAST_LOOP; b.ipv6MulticastIf = Linux.IPV6_MULTICAST_IF;
        b.ipv6MulticastHops = Linux.IPV6_MULTICAST_HOPS; b.ipv6MulticastLoop = Linux.IPV6_MULTICAST_LOOP;
        b.mcastJoinGroup = Linux.MCAST_JOIN_GROUP; b.mcastLeaveGroup = Linux.MCAST_LEAVE_GROUP;
        b.mcastJoinSourceGroup = Linux.MCAST_JOIN_SOURCE_GROUP; b.mcastLeaveSourceGroup = Linux.MCAST_LEAVE_SOURCE_GROUP;
        b.mcastBlockSource = Linux.MCAST_BLOCK_SOURCE; b.mcastUnblockSource = Linux.MCAST_UNBLOCK_SOURCE;
        b.ipAddMembership = Linux.IP_ADD_MEMBERSHIP; b.ipDropMembership = Linux.IP_DROP_MEMBERSHIP;
        b.ipv6JoinGroup = Linux.IPV6_ADD_MEMBERSHIP; b.ipv6LeaveGroup = Linux.IPV6_DROP_MEMBERSHIP;
        b.groupReqPacked = false;
        b.sunPathMax = Linux.SUN_PATH_MAX; b.abstractUnix = true;
        b.peerCredLevel = Linux.SOL_SOCKET; b.peerCredName = Linux.SO_PEERCRED; b.peerCredLen = 12; // struct ucred
        b.peerPidOff = 0; b.peerUidOff = 4; b.peerGidOff = 8;
        b.soType = Linux.SO_TYPE; b.soAcceptconn = Linux.SO_ACCEPTCONN; b.fDupfdCloexec = Linux.F_DUPFD_CLOEXEC;
        b.oRdwr = Linux.O_RDWR;
        b.enoprotoopt = Linux.ENOPROTOOPT; b.eafnosupport = Linux.EAFNOSUPPORT; b.eisconn = Linux.EISCONN;
        b.eopnotsupp = Linux.EOPNOTSUPP; b.einval = Linux.EINVAL;
        return b;
    }
}
