package io.edgewise.sys;

import io.edgewise.sys.bsd.BsdSocketOps;
import io.edgewise.sys.bsd.LinuxValues;
import io.edgewise.sys.linux.LinuxSocketOps;

/**
 * The one place that picks the operating system's bindings: Linux's own, or the POSIX/BSD ones on
 * macOS, FreeBSD, OpenBSD and NetBSD. {@code -Dio.edgewise.socketops=posix} runs the POSIX/BSD code
 * with Linux's values on Linux (to exercise it where no BSD is at hand).
 */
public final class Platform {
    private Platform() { }

    private static final SocketOps OPS = choose();

    private static SocketOps choose() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        if (os.startsWith("linux")) {
            return "posix".equals(System.getProperty("io.edgewise.socketops"))
                    ? new BsdSocketOps(LinuxValues.NET) : LinuxSocketOps.INSTANCE;
        }
        SocketOps bsd = BsdSocketOps.forOs(os);
        if (bsd != null) {
            return bsd;
        }
        throw new UnsupportedOperationException("Edgewise has no socket bindings for " + os + " yet");
    }

    public static SocketOps ops() {
        return OPS;
    }
}
