package io.edgewise.sys.bsd;

import static io.edgewise.sys.bsd.KqueueConstants.NO_FILTER;

/**
 * NetBSD: filters are small positive numbers, filter/flags are {@code uint32_t} and counts {@code size_t}. We call {@code __kevent50} (40-byte {@code struct kevent}, 64-bit {@code time_t}), the entry point NetBSD 5 and later all export; newer releases renamed {@code kevent} to an entry point with a 72-byte struct, which a plain {@code kevent} lookup would mis-stride. {@code EVFILT_USER} = 8 (NetBSD 10+; older kernels refuse it and the pipe fallback takes over).
 * The one place for this platform's kqueue and socket constants and layouts.
 */
public final class NetBsd {
    private NetBsd() { }

    /** kqueue: {@code struct kevent} layout, {@code kevent} symbol, filters, errno and fcntl values. */
    public static final KqueueConstants KQUEUE = new KqueueConstants("netbsd", KeventLayout.NETBSD40, "__kevent50", true,
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
        NET = b.build();
    }
}
