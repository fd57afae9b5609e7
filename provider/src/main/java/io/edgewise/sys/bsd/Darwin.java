package io.edgewise.sys.bsd;

import static io.edgewise.sys.bsd.KqueueConstants.NO_FILTER;

/**
 * macOS (x86_64, arm64): 32-byte {@code struct kevent}, {@code EVFILT_USER} = -10.
 * The one place for this platform's kqueue constants and layouts.
 */
public final class Darwin {
    private Darwin() { }

    /** kqueue: {@code struct kevent} layout, {@code kevent} symbol, filters, errno and fcntl values. */
    public static final KqueueConstants KQUEUE = new KqueueConstants("macos", KeventLayout.BSD32, "kevent", false,
            -1, -2, -10,
            /* EINTR */ 4, /* EAGAIN */ 35, /* ENOENT */ 2, /* EBADF */ 9, /* EINVAL */ 22,
            /* F_GETFL */ 3, /* F_SETFL */ 4, /* F_SETFD */ 2, /* FD_CLOEXEC */ 1, /* O_NONBLOCK */ 0x4);
}
