package io.edgewise.sys;

import io.edgewise.sys.linux.LinuxSocketOps;

/** The one place that picks the operating system's bindings. */
public final class Platform {
    private Platform() { }

    private static final SocketOps OPS = choose();

    private static SocketOps choose() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        if (os.startsWith("linux")) {
            return LinuxSocketOps.INSTANCE;
        }
        throw new UnsupportedOperationException("Edgewise has no socket bindings for " + os + " yet");
    }

    public static SocketOps ops() {
        return OPS;
    }
}
