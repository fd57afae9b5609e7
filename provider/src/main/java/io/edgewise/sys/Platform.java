package io.edgewise.sys;

import io.edgewise.sys.bsd.BsdPlatforms;
import io.edgewise.sys.linux.LinuxDatagramOps;
import io.edgewise.sys.linux.LinuxSocketOps;
import io.edgewise.sys.linux.LinuxValues;
import io.edgewise.sys.posix.PosixDatagramOps;
import io.edgewise.sys.posix.PosixNet;
import io.edgewise.sys.posix.PosixSocketOps;
import io.edgewise.sys.posix.PosixUnixOps;
import io.edgewise.sys.windows.WindowsDatagramOps;
import io.edgewise.sys.windows.WindowsSocketOps;
import io.edgewise.sys.windows.WindowsUnixOps;

/**
 * The platform Edgewise runs on, made once: the OS, the architecture, the backend and native binding
 * it will use, and every {@code io.edgewise.*} property ({@link Settings}), read when the provider
 * starts ({@link #current()}); and the one place that picks the operating system's bindings: Linux's own,
 * or the POSIX/BSD ones on macOS, FreeBSD, OpenBSD and NetBSD. {@code -Dio.edgewise.socketops=posix} runs
 * the POSIX/BSD code with Linux's values on Linux (to exercise it where no BSD is at hand); {@code =posix-macos}
 * also leaves out what macOS lacks (SOCK_NONBLOCK, accept4, pipe2, MSG_NOSIGNAL), so its fcntl paths run;
 * a full class name picks a {@link SocketOps} class with a public no-arg constructor (tests).
 * Datagram and Unix-domain bindings ({@link #datagramOps}, {@link #unixOps}) sit on the same POSIX
 * layer with the same values on every Unix; on Windows they are Winsock's ({@code WindowsDatagramOps},
 * {@code WindowsUnixOps}: UDP and AF_UNIX stream sockets, what the JDK offers there).
 *
 * <p>Making the {@link #current()} object binds nothing native: the bindings are made on the first
 * {@link #ops()} (holder {@code Bound}), after the provider has checked the configuration. Immutable;
 * the holders are initialised under the JVM's class-initialisation lock.
 */
public final class Platform {
    private static final Platform CURRENT = new Platform(Os.NAME, Os.ARCH, Settings.fromSystem());

    private final String os;
    private final String arch;
    private final Settings settings;
    private final String backend;
    private final String binding;

    /** A platform for these values (tests make others; Edgewise uses {@link #current()}). */
    public Platform(String os, String arch, Settings settings) {
        this.os = os;
        this.arch = arch;
        this.settings = settings;
        this.backend = settings.backend() != null ? settings.backend() : defaultBackend(os);
        this.binding = io.edgewise.sys.posix.Binding.planned(settings.binding());
    }

    /** This JVM's platform, made once (on the provider's start, or on the first use before it). */
    public static Platform current() {
        return CURRENT;
    }

    /** {@code os.name} ("" when unset). */
    public String os() {
        return os;
    }

    /** {@code os.arch} ("" when unset). */
    public String arch() {
        return arch;
    }

    /** The backend's name as chosen: the property's value, else the OS's own ({@link #defaultBackend}). */
    public String backend() {
        return backend;
    }

    /** The native binding the POSIX layer is to use: "ffm" (JDK 22+ with the FFM classes) or "jna". */
    public String binding() {
        return binding;
    }

    /** Every {@code io.edgewise.*} property, as read when this platform was made. */
    public Settings settings() {
        return settings;
    }

    /** The backend an OS (its {@code os.name}) gets by default. */
    public static String defaultBackend(String osName) {
        String os = osName.toLowerCase(java.util.Locale.ROOT);
        if (os.startsWith("mac") || os.startsWith("darwin") || os.startsWith("freebsd")
                || os.startsWith("openbsd") || os.startsWith("netbsd")) {
            return "kqueue";
        }
        if (os.startsWith("windows")) {
            return "iocp";
        }
        return "epoll";
    }

    @Override
    public String toString() {
        return os + " " + arch + ", backend " + backend + ", binding " + binding;
    }

    /**
     * The running operating system, read once: the one place Edgewise looks at {@code os.name} and
     * {@code os.arch}. A holder of its own, so that asking which OS this is does not read the settings
     * or make the socket bindings (and classes that ask while they are being initialised, such as the
     * JNA library, do not cycle).
     */
    public static final class Os {
        private Os() { }

        /** {@code os.name} as the JVM reports it ("" when unset). */
        public static final String NAME = SystemProps.get("os.name", "");

        /** {@code os.arch} as the JVM reports it ("" when unset). */
        public static final String ARCH = SystemProps.get("os.arch", "");

        /** {@link #NAME} in lower case, for prefix checks. */
        private static final String LOWER = NAME.toLowerCase(java.util.Locale.ROOT);

        public static boolean isLinux() {
            return LOWER.startsWith("linux");
        }

        public static boolean isWindows() {
            return LOWER.startsWith("windows");
        }
    }

    /**
     * The socket bindings, made on the first {@link #ops()} or part: one object per platform serves every
     * part of the contract (issue #20's split is of what callers see); a test's ops class must implement them all.
     */
    private static final class Bound {
        static final SocketOps OPS = choose();
        static final WaitOps WAIT = part(WaitOps.class);
        static final ByteIo BYTES = part(ByteIo.class);
        static final PipeOps PIPES = part(PipeOps.class);

        private static <T> T part(Class<T> job) {
            if (!job.isInstance(OPS)) {
                throw new UnsupportedOperationException(OPS.getClass().getName() + " does not implement " + job.getName());
            }
            return job.cast(OPS);
        }
    }

    private static SocketOps choose() {
        String os = Os.NAME.toLowerCase(java.util.Locale.ROOT);
        if (Os.isLinux()) {
            String forced = CURRENT.settings.socketops();
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
        return Bound.OPS;
    }

    // --- The contract's parts by job: ops() for sockets, these for waiting, bytes and pipes.

    /** Waiting on one descriptor: wakeup descriptors, poll, the shutdown wake. */
    public static WaitOps waitOps() {
        return Bound.WAIT;
    }

    /** The data calls on any descriptor (pipes, wakeup descriptors). */
    public static ByteIo byteIo() {
        return Bound.BYTES;
    }

    /** The data calls on connected stream sockets ({@link ByteIo#streamIo()} of {@link #byteIo()}). */
    public static ByteIo streamIo() {
        return Bound.BYTES.streamIo();
    }

    /** Making pipes. */
    public static PipeOps pipeOps() {
        return Bound.PIPES;
    }

    private static final class Extra { // made on first datagram or Unix domain channel
        static final DatagramOps DATAGRAM;
        static final UnixOps UNIX;
        static {
            PosixSocketOps posix = posixLayer();
            if (Bound.OPS instanceof WindowsSocketOps) { // Winsock UDP and AF_UNIX streams
                DATAGRAM = new WindowsDatagramOps((WindowsSocketOps) Bound.OPS);
                UNIX = new WindowsUnixOps((WindowsSocketOps) Bound.OPS);
            } else if (posix == null) {
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
        if (Bound.OPS instanceof PosixSocketOps) return (PosixSocketOps) Bound.OPS;
        return Os.isLinux() ? LinuxSocketOps.INSTANCE : null;
    }

    /** An OS without datagram or Unix-domain bindings (a test's own SocketOps class off Linux). */
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
