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

    private static final class Extra { // loaded on first datagram or Unix domain channel
        static final DatagramOps DATAGRAM = io.edgewise.sys.linux.LinuxDatagramOps.INSTANCE;
        static final UnixOps UNIX = io.edgewise.sys.linux.LinuxUnixOps.INSTANCE;
    }

    public static DatagramOps datagramOps() {
        OPS.getClass(); // the platform check above
        return Extra.DATAGRAM;
    }

    public static UnixOps unixOps() {
        OPS.getClass();
        return Extra.UNIX;
    }
}
