package io.edgewise.sys.bsd;

import io.edgewise.sys.posix.PosixNet;

/**
 * FreeBSD 12+: 64-byte {@code struct kevent} (with {@code ext[4]}; the default-versioned {@code
 * kevent} symbol), {@code EVFILT_USER} = -11.
 * The one place for this platform's kqueue and socket constants and layouts.
 */
public final class FreeBsd {
    private FreeBsd() { }

    /** kqueue: {@code struct kevent} layout, {@code kevent} symbol, filters, errno and fcntl values. */
    public static final KqueueConstants KQUEUE = new KqueueConstants(
            "freebsd", KeventLayout.FREEBSD64, "kevent", false,
            -1, -2, -11,
            /* EINTR */ 4, /* EAGAIN */ 35, /* ENOENT */ 2, /* EBADF */ 9, /* EINVAL */ 22,
            /* F_GETFL */ 3, /* F_SETFL */ 4, /* F_SETFD */ 2, /* FD_CLOEXEC */ 1, /* O_NONBLOCK */ 0x4);

    /**
     * Sockets: AF_INET6 28; SOCK_NONBLOCK 0x20000000, SOCK_CLOEXEC 0x10000000, accept4, pipe2;
     * MSG_NOSIGNAL 0x20000 and SO_NOSIGPIPE 0x800; TCP_KEEPIDLE 256, TCP_KEEPINTVL 512, TCP_KEEPCNT 1024;
     * EPROTO 92.
     */
    public static final PosixNet NET;
    static {
        PosixNet.Builder b = PosixNet.bsd("freebsd");
        b.afInet6 = 28;
        b.sockNonblock = 0x20000000; b.sockCloexec = 0x10000000;
        b.hasAccept4 = true; b.hasPipe2 = true;
        b.oCloexec = 0x100000;
        b.msgNosignal = 0x20000; b.soNosigpipe = 0x800;
        b.tcpKeepidle = 256; b.tcpKeepintvl = 512; b.tcpKeepcnt = 1024;
        b.eproto = 92;
        // datagrams and Unix domain: group_req naturally aligned; LOCAL_PEERCRED (SOL_LOCAL 0, 1): struct
        // xucred { u_int cr_version; uid_t cr_uid; short cr_ngroups; gid_t cr_groups[16]; union { void *;
        // pid_t cr_pid; } } (88 bytes, cr_pid from FreeBSD 13); F_DUPFD_CLOEXEC 17
        b.rfc3678Bsd();
        b.peerCredLevel = 0; b.peerCredName = 1; b.peerCredLen = 88;
        b.peerPidOff = 80; b.peerUidOff = 4; b.peerGidOff = 12;
        b.fDupfdCloexec = 17;
        NET = b.build();
    }
}
