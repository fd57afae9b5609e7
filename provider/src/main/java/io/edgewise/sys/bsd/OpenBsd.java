package io.edgewise.sys.bsd;

import static io.edgewise.sys.bsd.KqueueConstants.NO_FILTER;

/**
 * OpenBSD: 32-byte {@code struct kevent}; no {@code EVFILT_USER} is relied on, so wakeup uses a pipe.
 * The one place for this platform's kqueue constants and layouts.
 */
public final class OpenBsd {
    private OpenBsd() { }

    /** kqueue: {@code struct kevent} layout, {@code kevent} symbol, filters, errno and fcntl values. */
    public static final KqueueConstants KQUEUE = new KqueueConstants("openbsd", KeventLayout.BSD32, "kevent", false,
            -1, -2, NO_FILTER,
            /* EINTR */ 4, /* EAGAIN */ 35, /* ENOENT */ 2, /* EBADF */ 9, /* EINVAL */ 22,
            /* F_GETFL */ 3, /* F_SETFL */ 4, /* F_SETFD */ 2, /* FD_CLOEXEC */ 1, /* O_NONBLOCK */ 0x4);
}
