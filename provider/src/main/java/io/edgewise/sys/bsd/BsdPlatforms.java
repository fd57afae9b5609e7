package io.edgewise.sys.bsd;

import io.edgewise.sys.posix.PosixNet;

/**
 * Which BSD-family platform an {@code os.name} is (macOS, FreeBSD, OpenBSD, NetBSD), for its socket
 * values and its kqueue constants: the one place that reads the OS name for this family.
 */
public final class BsdPlatforms {
    private BsdPlatforms() { }

    /** 0 macOS, 1 FreeBSD, 2 OpenBSD, 3 NetBSD, -1 none of them. */
    private static int index(String osName) {
        String os = osName.toLowerCase(java.util.Locale.ROOT);
        if (os.startsWith("mac") || os.startsWith("darwin")) return 0;
        if (os.startsWith("freebsd")) return 1;
        if (os.startsWith("openbsd")) return 2;
        return os.startsWith("netbsd") ? 3 : -1;
    }

    /** The socket values of an {@code os.name}, or null when it is not macOS or a BSD. */
    public static PosixNet forOs(String osName) {
        int i = index(osName);
        return i < 0 ? null : new PosixNet[] {Darwin.NET, FreeBsd.NET, OpenBsd.NET, NetBsd.NET}[i];
    }

    /** The kqueue constants of an {@code os.name}, or null when it is not macOS or a BSD. */
    static KqueueConstants kqueueForOs(String osName) {
        int i = index(osName);
        return i < 0 ? null : new KqueueConstants[] {Darwin.KQUEUE, FreeBsd.KQUEUE, OpenBsd.KQUEUE, NetBsd.KQUEUE}[i];
    }
}
