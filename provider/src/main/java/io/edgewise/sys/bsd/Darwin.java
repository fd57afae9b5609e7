package io.edgewise.sys.bsd;

import io.edgewise.sys.posix.PosixNet;

/**
 * macOS (x86_64, arm64): 32-byte {@code struct kevent}, {@code EVFILT_USER} = -10.
 * The one place for this platform's kqueue and socket constants and layouts.
 */
public final class Darwin {
    private Darwin() { }

    /** kqueue: {@code struct kevent} layout, {@code kevent} symbol, filters, errno and fcntl values. */
    public static final KqueueConstants KQUEUE = new KqueueConstants(
            "macos", KeventLayout.BSD32, "kevent", false,
            -1, -2, -10,
            /* EINTR */ 4, /* EAGAIN */ 35, /* ENOENT */ 2, /* EBADF */ 9, /* EINVAL */ 22,
            /* F_GETFL */ 3, /* F_SETFL */ 4, /* F_SETFD */ 2, /* FD_CLOEXEC */ 1, /* O_NONBLOCK */ 0x4);

    /**
     * Sockets: AF_INET6 30; no SOCK_NONBLOCK/SOCK_CLOEXEC, accept4 or pipe2 (fcntl instead); no
     * MSG_NOSIGNAL, SO_NOSIGPIPE (0x1022) per socket; SO_LINGER_SEC (0x1080) so linger is in seconds;
     * TCP_KEEPALIVE (0x10) is the idle time; IPV6_TCLASS 36; EPROTO 100.
     */
    public static final PosixNet NET;
    static {
        PosixNet.Builder b = PosixNet.bsd("macos");
        b.afInet6 = 30;
        b.oCloexec = 0x1000000;
        b.soNosigpipe = 0x1022;
        b.soLinger = 0x1080;
        b.tcpKeepidle = 0x10; b.tcpKeepintvl = 0x101; b.tcpKeepcnt = 0x102;
        b.ipv6Tclass = 36;
        b.eproto = 100;
        // datagrams and Unix domain: group_req packed to 4 bytes (netinet/in.h #pragma pack(4)); an IPv4
        // group on an INET6 socket joins IPv4-mapped at the IPv6 level; LOCAL_PEERCRED (SOL_LOCAL 0, 1):
        // struct xucred { u_int cr_version; uid_t cr_uid; short cr_ngroups; gid_t cr_groups[16]; }, no pid;
        // F_DUPFD_CLOEXEC 67; EOPNOTSUPP 102
        b.rfc3678Bsd();
        b.groupReqPacked = true;
        b.join6WithIPv4Group = true;
        b.dgramMinSndbuf = true;
        b.ipDontfrag = 28; b.ipv6Dontfrag = 62; // the JDK's IP_DONTFRAGMENT on macOS
        b.peerCredLevel = 0; b.peerCredName = 1; b.peerCredLen = 76; b.peerUidOff = 4; b.peerGidOff = 12;
        b.fDupfdCloexec = 67;
        b.eopnotsupp = 102;
        NET = b.build();
    }
}
