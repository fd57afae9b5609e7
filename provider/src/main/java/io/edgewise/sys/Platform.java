package io.edgewise.sys;

import io.edgewise.sys.bsd.BsdPlatforms;
import io.edgewise.sys.linux.LinuxDatagramOps;
import io.edgewise.sys.linux.LinuxSocketOps;
import io.edgewise.sys.linux.LinuxValues;
import io.edgewise.sys.posix.PosixDatagramOps;
import io.edgewise.sys.posix.PosixNet;
import io.edgewise.sys.posix.PosixSocketOps;
import io.edgewise.sys.posix.PosixUnixOps;
import io.edgewise.sys.windows.WindowsSocketOps;

/**
 * The one place that picks the operating system's bindings: Linux's own, or the POSIX/BSD ones on
 * macOS, FreeBSD, OpenBSD and NetBSD. {@code -Dio.edgewise.socketops=posix} runs the POSIX/BSD code
 * with Linux's values on Linux (to exercise it where no BSD is at hand); {@code =posix-macos} also
 * leaves out what macOS lacks (SOCK_NONBLOCK, accept4, pipe2, MSG_NOSIGNAL), so its fcntl paths run;
 * a full class name picks a {@link SocketOps} class with a public no-arg constructor (tests).
 * Datagram and Unix-domain bindings ({@link #datagramOps}, {@link #unixOps}) sit on the same POSIX
 * layer with the same values on every Unix; Windows has none yet.
 */
public final class Platform {
    private Platform() { }

    /**
     * The running operating system, read once: the one place Edgewise looks at {@code os.name}.
     * A holder of its own, so that asking which OS this is does not make the socket bindings (and
     * classes that ask while they are being initialised, such as the JNA library, do not cycle).
     */
    public static final class Os {
        private Os() { }

        /** {@code os.name} as the JVM reports it ("" when unset). */
        public static final String NAME = SystemProps.get("os.name", "");

        /** {@link #NAME} in lower case, for prefix checks. */
        private static final String LOWER = NAME.toLowerCase(java.util.Locale.ROOT);

        public static boolean isLinux() {
            return LOWER.startsWith("linux");
        }

        public static boolean isWindows() {
            return LOWER.startsWith("windows");
        }
    }

    private static final SocketOps OPS = choose();

    private static SocketOps choose() {
        String os = Os.NAME.toLowerCase(java.util.Locale.ROOT);
        if (Os.isLinux()) {
            String forced = SystemProps.get("io.edgewise.socketops", "");
            if (forced.equals("posix")) return new PosixSocketOps(LinuxValues.NET);
            if (forced.equals("posix-macos")) return new PosixSocketOps(LinuxValues.MACOS_LIKE);
            if (forced.indexOf('.') > 0) return byClassName(forced); // e.g. the IOCP emulation's ops (tests)
            return LinuxSocketOps.INSTANCE;
        }
        PosixNet bsd = BsdPlatforms.forOs(os);
        if (bsd != null) {
            return new PosixSocketOps(bsd);
        }
        if (Os.isWindows()) {
            return WindowsSocketOps.get(); // implemented and unit-tested, not yet run on a Windows JVM
        }
        throw new UnsupportedOperationException("Edgewise has no socket bindings for " + os + " yet");
    }

    /** A {@link SocketOps} class with a public no-arg constructor, named in full. */
    private static SocketOps byClassName(String name) {
        try {
            return (SocketOps) Class.forName(name).getConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new UnsupportedOperationException("socket ops class '" + name + "' not usable", e);
        }
    }

    public static SocketOps ops() {
        return OPS;
    }

    // --- The contract's parts by job (issue #20). The one platform object serves them all; callers
    // --- take the part they need: ops() for sockets, these for waiting, bytes and pipes.
    private static final WaitOps WAIT = part(WaitOps.class);
    private static final ByteIo BYTES = part(ByteIo.class);
    private static final PipeOps PIPES = part(PipeOps.class);

    /** {@link #OPS} as one of its parts; a test's ops class must implement them all. */
    private static <T> T part(Class<T> job) {
        if (!job.isInstance(OPS)) {
            throw new UnsupportedOperationException(OPS.getClass().getName() + " does not implement " + job.getName());
        }
        return job.cast(OPS);
    }

    /** Waiting on one descriptor: wakeup descriptors, poll, the shutdown wake. */
    public static WaitOps waitOps() {
        return WAIT;
    }

    /** The data calls on any descriptor (pipes, wakeup descriptors). */
    public static ByteIo byteIo() {
        return BYTES;
    }

    /** The data calls on connected stream sockets ({@link ByteIo#streamIo()} of {@link #byteIo()}). */
    public static ByteIo streamIo() {
        return BYTES.streamIo();
    }

    /** Making pipes. */
    public static PipeOps pipeOps() {
        return PIPES;
    }

    private static final class Extra { // made on first datagram or Unix domain channel
        static final DatagramOps DATAGRAM;
        static final UnixOps UNIX;
        static {
            PosixSocketOps posix = posixLayer();
            if (posix == null) {
                DATAGRAM = null;
                UNIX = null;
            } else {
                DATAGRAM = posix == LinuxSocketOps.INSTANCE ? LinuxDatagramOps.INSTANCE : new PosixDatagramOps(posix);
                UNIX = new PosixUnixOps(posix);
            }
        }
    }

    /**
     * The POSIX layer the datagram and Unix-domain bindings build on: the one in use, or Linux's when a
     * test runs another {@link SocketOps} class on Linux; null on Windows.
     */
    private static PosixSocketOps posixLayer() {
        if (OPS instanceof PosixSocketOps) return (PosixSocketOps) OPS;
        return Os.isLinux() ? LinuxSocketOps.INSTANCE : null;
    }

    /** Winsock UDP and AF_UNIX are not bound yet. */
    private static void check(Object ops, String what) {
        if (ops == null) {
            throw new UnsupportedOperationException("Edgewise has no " + what + " bindings for "
                    + Os.NAME + " yet");
        }
    }

    public static DatagramOps datagramOps() {
        check(Extra.DATAGRAM, "datagram");
        return Extra.DATAGRAM;
    }

    public static UnixOps unixOps() {
        check(Extra.UNIX, "Unix-domain");
        return Extra.UNIX;
    }
}
