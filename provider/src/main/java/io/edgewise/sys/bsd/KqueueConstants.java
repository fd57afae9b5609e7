package io.edgewise.sys.bsd;

import io.edgewise.sys.linux.LibKqueueLinux;

/**
 * What the kqueue backend needs to know of one platform: the {@code struct kevent} layout, the
 * {@code kevent} entry point, filter numbers, and the few errno / fcntl values it uses itself. One
 * instance per platform, built in that platform's class ({@link Darwin}, {@link FreeBsd},
 * {@link OpenBsd}, {@link NetBsd}, {@link LibKqueueLinux}); {@link #current()} picks one.
 *
 * <p>The {@code EV_*} action and flag bits have the same values on every kqueue implementation, so
 * they are constants here (unit-tested against each platform's headers' values).
 */
public final class KqueueConstants {
    // EV_* flags: equal on macOS, FreeBSD, OpenBSD, NetBSD and libkqueue
    public static final int EV_ADD = 0x0001, EV_DELETE = 0x0002, EV_ENABLE = 0x0004, EV_DISABLE = 0x0008,
            EV_ONESHOT = 0x0010, EV_CLEAR = 0x0020, EV_RECEIPT = 0x0040, EV_DISPATCH = 0x0080,
            EV_ERROR = 0x4000, EV_EOF = 0x8000;
    /** EVFILT_USER fflags: trigger the user event. */
    public static final int NOTE_TRIGGER = 0x01000000;
    /** A filter number no implementation uses: "this platform has no EVFILT_USER". */
    public static final int NO_FILTER = Integer.MIN_VALUE;

    public final String platform;
    public final KeventLayout layout;
    /** The C symbol to call; NetBSD renames {@code kevent} per ABI revision. */
    public final String keventSymbol;
    /** Whether nchanges/nevents are {@code size_t} (NetBSD) rather than {@code int}. */
    public final boolean sizeTCounts;
    public final int evfiltRead, evfiltWrite, evfiltUser;
    public final int eintr, eagain, enoent, ebadf, einval;
    public final int fGetfl, fSetfl, fSetfd, fdCloexec, oNonblock;
    /**
     * Whether a poll takes a socket's pending error away from the socket (libkqueue on Linux: it reads
     * {@code SO_ERROR} to fill {@code fflags}, which clears it); the backend then keeps the error in
     * {@link io.edgewise.sys.ConsumedErrors}. A kernel's kqueue reports it and leaves it.
     */
    public final boolean pollTakesSocketError;

    public KqueueConstants(String platform, KeventLayout layout, String keventSymbol, boolean sizeTCounts,
            int evfiltRead, int evfiltWrite, int evfiltUser,
            int eintr, int eagain, int enoent, int ebadf, int einval,
            int fGetfl, int fSetfl, int fSetfd, int fdCloexec, int oNonblock) {
        this.platform = platform;
        this.layout = layout;
        this.keventSymbol = keventSymbol;
        this.sizeTCounts = sizeTCounts;
        this.evfiltRead = evfiltRead;
        this.evfiltWrite = evfiltWrite;
        this.evfiltUser = evfiltUser;
        this.eintr = eintr;
        this.eagain = eagain;
        this.enoent = enoent;
        this.ebadf = ebadf;
        this.einval = einval;
        this.fGetfl = fGetfl;
        this.fSetfl = fSetfl;
        this.fSetfd = fSetfd;
        this.fdCloexec = fdCloexec;
        this.oNonblock = oNonblock;
        this.pollTakesSocketError = "libkqueue".equals(platform);
    }

    /** {@code RLIMIT_NOFILE}: 7 on Linux (libkqueue), 8 on macOS and the BSDs. */
    public int rlimitNofile() {
        return "libkqueue".equals(platform) ? 7 : 8;
    }

    public boolean hasUserFilter() {
        return evfiltUser != NO_FILTER;
    }

    /** Property naming a kqueue library to load instead of the C library (libkqueue on Linux). */
    public static final String LIBRARY_PROPERTY = io.edgewise.sys.Settings.KQUEUE_LIBRARY;

    /** The constants for an {@code os.name}, or null when that OS has no kqueue we know. */
    public static KqueueConstants forOs(String osName) {
        if (osName.toLowerCase(java.util.Locale.ROOT).startsWith("linux")) return LibKqueueLinux.KQUEUE;
        return BsdPlatforms.kqueueForOs(osName);
    }

    /** The running platform's constants; on Linux those of libkqueue. */
    public static KqueueConstants current() {
        KqueueConstants k = forOs(io.edgewise.sys.Platform.Os.NAME);
        if (k == null) {
            throw new UnsupportedOperationException("no kqueue on " + io.edgewise.sys.Platform.Os.NAME);
        }
        return k;
    }

    @Override
    public String toString() {
        return platform + " kqueue, " + layout + ", " + keventSymbol;
    }
}
