package io.edgewise.sys.bsd;

import io.edgewise.sys.posix.PosixNet;

import static io.edgewise.sys.bsd.KqueueConstants.NO_FILTER;

/**
 * OpenBSD: 32-byte {@code struct kevent}; no {@code EVFILT_USER} is relied on, so wakeup uses a pipe.
 * The one place for this platform's kqueue and socket constants and layouts.
 */
public final class OpenBsd {
    private OpenBsd() { }

    /** kqueue: {@code struct kevent} layout, {@code kevent} symbol, filters, errno and fcntl values. */
    public static final KqueueConstants KQUEUE = new KqueueConstants(
            "openbsd", KeventLayout.BSD32, "kevent", false,
            -1, -2, NO_FILTER,
            /* EINTR */ 4, /* EAGAIN */ 35, /* ENOENT */ 2, /* EBADF */ 9, /* EINVAL */ 22,
            /* F_GETFL */ 3, /* F_SETFL */ 4, /* F_SETFD */ 2, /* FD_CLOEXEC */ 1, /* O_NONBLOCK */ 0x4);

    /**
     * Sockets: AF_INET6 24, and no IPv4-mapped addresses (an INET6 socket is IPv6 only); SOCK_NONBLOCK
     * 0x4000, SOCK_CLOEXEC 0x8000, accept4, pipe2; MSG_NOSIGNAL 0x400, no SO_NOSIGPIPE; no per-socket
     * keep-alive options; EPROTO 95.
     */
    public static final PosixNet NET;
    static {
        PosixNet.Builder b = PosixNet.bsd("openbsd");
        b.afInet6 = 24;
        b.dualStack = false;
        b.sockNonblock = 0x4000; b.sockCloexec = 0x8000;
        b.hasAccept4 = true; b.hasPipe2 = true;
        b.oCloexec = 0x10000;
        b.msgNosignal = 0x400;
        b.eproto = 95;
        // datagrams and Unix domain: no group_req calls (ip_mreq/ipv6_mreq, no source filters); SO_PEERCRED
        // 0x1022: struct sockpeercred { uid_t uid; gid_t gid; pid_t pid; }; F_DUPFD_CLOEXEC 10
        b.peerCredLevel = 0xffff; b.peerCredName = 0x1022; b.peerCredLen = 12;
        b.peerUidOff = 0; b.peerGidOff = 4; b.peerPidOff = 8;
        b.fDupfdCloexec = 10;
        NET = b.build();
    }
}
