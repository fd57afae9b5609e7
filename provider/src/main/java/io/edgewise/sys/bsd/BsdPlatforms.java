package io.edgewise.sys.bsd;

import io.edgewise.sys.posix.PosixNet;

/** Which BSD-family socket values an {@code os.name} runs with. */
public final class BsdPlatforms {
    private BsdPlatforms() { }

    /** The socket values of an {@code os.name}, or null when it is not macOS or a BSD. */
    public static PosixNet forOs(String osName) {
        String os = osName.toLowerCase(java.util.Locale.ROOT);
        if (os.startsWith("mac") || os.startsWith("darwin")) return Darwin.NET;
        if (os.startsWith("freebsd")) return FreeBsd.NET;
        if (os.startsWith("openbsd")) return OpenBsd.NET;
        if (os.startsWith("netbsd")) return NetBsd.NET;
        return null;
    }
}
