package io.edgewise.sys.bsd;

import io.edgewise.sys.posix.PosixNet;

/**
 * NetBSD: filters are small positive numbers (READ 0, WRITE 1, USER 8), filter and flags are
 * {@code uint32_t}, the counts {@code size_t}. The C headers rename {@code kevent} per ABI revision, so
 * the plain {@code kevent} symbol a dynamic lookup finds is an old compatibility entry (32-bit
 * {@code time_t} timeout), and the newest entry point takes a 72-byte struct. We call {@code __kevent50}:
 * 40-byte {@code struct kevent}, 64-bit {@code time_t}, exported from NetBSD 5 on (kept as a compat entry
 * later). {@code EVFILT_USER} needs NetBSD 10; older kernels refuse it and the pipe fallback takes over.
 * Not verified on a NetBSD machine: the values come from its headers.
 * The one place for this platform's kqueue and socket constants and layouts.
 */
public final class NetBsd {
    private NetBsd() { }

    /** kqueue: {@code struct kevent} layout, {@code kevent} symbol, filters, errno and fcntl values. */
    public static final KqueueConstants KQUEUE = new KqueueConstants(
            "netbsd", KeventLayout.NETBSD40, "__kevent50", true,
            0, 1, 8,
            /* EINTR */ 4, /* EAGAIN */ 35, /* ENOENT */ 2, /* EBADF */ 9, /* EINVAL */ 22,
            /* F_GETFL */ 3, /* F_SETFL */ 4, /* F_SETFD */ 2, /* FD_CLOEXEC */ 1, /* O_NONBLOCK */ 0x4);

    /**
     * Sockets: AF_INET6 24; SOCK_NONBLOCK 0x20000000, SOCK_CLOEXEC 0x10000000, accept4 (NetBSD 8+), pipe2;
     * MSG_NOSIGNAL 0x400 and SO_NOSIGPIPE 0x800; TCP_KEEPIDLE 3, TCP_KEEPINTVL 5, TCP_KEEPCNT 6; EPROTO 96.
     */
    public static final PosixNet NET;
    static {
        PosixNet.Builder b = PosixNet.bsd("netbsd");
        b.afInet6 = 24;
        b.sockNonblock = 0x20000000; b.sockCloexec = 0x10000000;
        b.hasAccept4 = true; b.hasPipe2 = true;
        b.oCloexec = 0x400000;
        b.msgNosignal = 0x400; b.soNosigpipe = 0x800;
        b.tcpKeepidle = 3; b.tcpKeepintvl = 5; b.tcpKeepcnt = 6;
        b.eproto = 96;
        // datagrams and Unix domain: no group_req calls (ip_mreq/ipv6_mreq, no source filters); LOCAL_PEEREID
        // (SOL_LOCAL 0, 3): struct unpcbid { pid_t unp_pid; uid_t unp_euid; gid_t unp_egid; };
        // F_DUPFD_CLOEXEC 12
        b.peerCredLevel = 0; b.peerCredName = 3; b.peerCredLen = 12;
        b.peerPidOff = 0; b.peerUidOff = 4; b.peerGidOff = 8;
        b.fDupfdCloexec = 12;
        NET = b.build();
    }
}
