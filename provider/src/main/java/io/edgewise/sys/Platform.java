package io.edgewise.sys;

import io.edgewise.sys.linux.LinuxSocketOps;
import io.edgewise.sys.windows.WindowsSocketOps;

/** The one place that picks the operating system's bindings. */
public final class Platform {
    private Platform() { }

    private static final SocketOps OPS = choose();

    private static SocketOps choose() {
        String forced = System.getProperty("io.edgewise.socketops");
        if (forced != null) { // the full name of a SocketOps class with a public no-arg constructor (tests)
            try {
                return (SocketOps) Class.forName(forced).getConstructor().newInstance();
            } catch (ReflectiveOperationException | ClassCastException e) {
                throw new UnsupportedOperationException("socket ops class '" + forced + "' not usable", e);
            }
        }
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        if (os.startsWith("linux")) {
            return LinuxSocketOps.INSTANCE;
        }
        if (os.startsWith("windows")) {
            return WindowsSocketOps.get(); // implemented and unit-tested, not yet run on a Windows JVM
        }
        throw new UnsupportedOperationException("Edgewise has no socket bindings for " + os + " yet");
    }

    public static SocketOps ops() {
        return OPS;
    }
}
