package io.edgewise.sys.linux;

import io.edgewise.sys.bsd.KeventLayout;
import io.edgewise.sys.bsd.KqueueConstants;

/**
 * libkqueue on Linux (kqueue emulated over epoll): 32-byte {@code struct kevent}, FreeBSD filter
 * numbers ({@code EVFILT_USER} = -11), Linux errno and fcntl values.
 * The one place for this platform's kqueue constants and layouts.
 */
public final class LibKqueueLinux {
    private LibKqueueLinux() { }

    /** kqueue: {@code struct kevent} layout, {@code kevent} symbol, filters, errno and fcntl values. */
    public static final KqueueConstants KQUEUE = new KqueueConstants(
            "libkqueue", KeventLayout.BSD32, "kevent", false,
            -1, -2, -11,
            /* EINTR */ 4, /* EAGAIN */ 11, /* ENOENT */ 2, /* EBADF */ 9, /* EINVAL */ 22,
            /* F_GETFL */ 3, /* F_SETFL */ 4, /* F_SETFD */ 2, /* FD_CLOEXEC */ 1, /* O_NONBLOCK */ 0x800);
}
