package io.edgewise.sys.bsd;

import static io.edgewise.sys.bsd.KqueueConstants.NO_FILTER;

/**
 * FreeBSD 12+: 64-byte {@code struct kevent} (with {@code ext[4]}; the default-versioned {@code kevent} symbol), {@code EVFILT_USER} = -11.
 * The one place for this platform's kqueue constants and layouts.
 */
public final class FreeBsd {
    private FreeBsd() { }

    /** kqueue: {@code struct kevent} layout, {@code kevent} symbol, filters, errno and fcntl values. */
    public static final KqueueConstants KQUEUE = new KqueueConstants("freebsd", KeventLayout.FREEBSD64, "kevent", false,
            -1, -2, -11,
            /* EINTR */ 4, /* EAGAIN */ 35, /* ENOENT */ 2, /* EBADF */ 9, /* EINVAL */ 22,
            /* F_GETFL */ 3, /* F_SETFL */ 4, /* F_SETFD */ 2, /* FD_CLOEXEC */ 1, /* O_NONBLOCK */ 0x4);
}
