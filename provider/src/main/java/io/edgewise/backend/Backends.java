package io.edgewise.backend;

import io.edgewise.sys.Platform;
import io.edgewise.sys.PollEvents;
import io.edgewise.sys.Settings;
import io.edgewise.backend.epoll.EpollPoller;
import io.edgewise.backend.epoll.EpollReadyPoller;
import io.edgewise.backend.iocp.IocpPoller;
import io.edgewise.backend.kqueue.KqueuePoller;
import io.edgewise.backend.kqueue.KqueueReadyPoller;
import io.edgewise.backend.uring.UringPoller;
import io.edgewise.backend.uring.UringReadyPoller;
import io.edgewise.backend.uring.UringSupport;
import io.edgewise.sys.bsd.KqueueConstants;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.Locale;

/**
 * Chooses the backend: {@code -Dio.edgewise.backend=NAME} forces one ({@code epoll}, {@code kqueue},
 * {@code iocp}, or the full name of a {@link Poller} class with a public no-arg constructor — tests run
 * backend variants this way), otherwise the platform's own: epoll on Linux, kqueue on macOS, FreeBSD,
 * OpenBSD and NetBSD, iocp on Windows. kqueue on
 * Linux needs a kqueue library: {@code -Dio.edgewise.kqueue.library=/path/to/libkqueue.so.0}.
 *
 * <p>{@code io_uring} (Linux, opt-in) is probed once ({@link UringSupport}); where it is unavailable the
 * reason is logged once at WARNING and epoll runs instead, and {@link #name()} says so. With
 * {@code -Dio.edgewise.uring.strict=true} an unavailable io_uring is a {@link #configurationProblem()}
 * instead (the provider refuses to start). See docs/io_uring.md.
 */
public final class Backends {
    private Backends() { }

    /** The property that forces a backend. */
    public static final String PROPERTY = Settings.BACKEND;

    /** The backend of this JVM, chosen once when the platform was read ({@link Platform#backend()}). */
    private static final String NAME = Platform.current().backend();

    /** The io_uring backend's name, and the property that makes its absence an error instead of a fallback. */
    public static final String URING = "io_uring", URING_STRICT_PROPERTY = Settings.URING_STRICT;

    /**
     * Why the requested io_uring backend is not used (null: it is, or it was not requested). Probed on
     * first use, never at class initialisation: the probe needs the native binding, which the provider
     * checks after the properties. A fallback is logged here, once.
     */
    private static final class Uring {
        static final boolean STRICT = Platform.current().settings().uringStrict();
        static final String UNAVAILABLE = NAME.equals(URING) ? UringSupport.problem() : null;
        static {
            if (UNAVAILABLE != null && !STRICT) {
                System.getLogger("io.edgewise").log(System.Logger.Level.WARNING,
                        "Edgewise: io_uring unavailable ({0}); using epoll. -D{1}=true makes this an error.",
                        UNAVAILABLE, URING_STRICT_PROPERTY);
            }
        }
    }

    /** Whether io_uring was asked for and cannot run, so epoll serves. */
    private static boolean uringFallback() {
        return NAME.equals(URING) && Uring.UNAVAILABLE != null;
    }

    /** The backend an OS (its {@code os.name}) gets by default. */
    public static String platformDefault(String osName) {
        return Platform.defaultBackend(osName);
    }

    /**
     * What is wrong with the backend choice on this machine, as a message naming the property, the bad
     * value, the valid values and the fix; null when the backend can be opened. The provider checks
     * this when it is constructed, so a misconfiguration fails there and not at the first
     * {@code Selector.open()}.
     */
    public static String configurationProblem() {
        String os = Platform.Os.NAME;
        String osLower = os.toLowerCase(Locale.ROOT);
        String platform = platformDefault(os);
        String valid = "valid values: epoll (Linux), kqueue (macOS, FreeBSD, OpenBSD, NetBSD; on Linux with -D"
                + KqueueConstants.LIBRARY_PROPERTY + "=/path/to/libkqueue.so.0), iocp (Windows), io_uring (Linux; opt-in)";
        String fix = "remove -D" + PROPERTY + " to use " + platform + ", this platform's backend";
        switch (NAME) {
            case "epoll":
                return osLower.startsWith("linux") ? null
                        : bad("epoll is Linux's and this is " + os, valid, fix);
            case "kqueue":
                if (!osLower.startsWith("linux")) {
                    return platform.equals("kqueue") ? null : bad("this is " + os + ", which has no kqueue", valid, fix);
                }
                return kqueueLibraryProblem();
            case "iocp":
                return osLower.startsWith("windows") ? null
                        : bad("iocp is the Windows backend and this is " + os, valid, fix);
            case URING:
                if (!osLower.startsWith("linux")) {
                    return bad("io_uring is Linux's and this is " + os, valid, fix);
                }
                if (Uring.STRICT && Uring.UNAVAILABLE != null) {
                    return "-D" + PROPERTY + "=" + URING + " with -D" + URING_STRICT_PROPERTY + "=true: io_uring is"
                            + " unavailable here (" + Uring.UNAVAILABLE + "). Fix: remove -D" + URING_STRICT_PROPERTY
                            + " to fall back to epoll, or remove -D" + PROPERTY + " to use epoll.";
                }
                return null;
            default:
                if (NAME.indexOf('.') > 0) {
                    return pollerClassProblem(NAME);
                }
                return bad("'" + NAME + "' is not a backend", valid, fix);
        }
    }

    private static String bad(String what, String valid, String fix) {
        return "-D" + PROPERTY + "=" + NAME + ": " + what + "; " + valid + ". Fix: " + fix + ".";
    }

    /** kqueue on Linux comes from libkqueue, named by the library property. */
    private static String kqueueLibraryProblem() {
        String p = KqueueConstants.LIBRARY_PROPERTY;
        String lib = Platform.current().settings().kqueueLibrary();
        String fix = "build libkqueue (github.com/mheily/libkqueue; Debian does not package it) and name it, e.g. -D" + p
                + "=/usr/lib/x86_64-linux-gnu/libkqueue.so.0, or remove -D" + PROPERTY + "=kqueue to use epoll";
        if (lib == null || lib.isEmpty()) {
            return "-D" + PROPERTY + "=kqueue on Linux needs a kqueue library and -D" + p + " is not set. Fix: "
                    + fix + ".";
        }
        if (!Files.isRegularFile(Paths.get(lib))) {
            return "-D" + p + "=" + lib + ": " + (Files.exists(Paths.get(lib)) ? "not a file" : "no such file")
                    + " (the kqueue library for -D" + PROPERTY + "=kqueue). Fix: " + fix + ".";
        }
        return null;
    }

    /** A backend named by class (tests): it must exist and be a {@link Poller}. */
    private static String pollerClassProblem(String name) {
        try {
            Class<?> c = Class.forName(name, false, Backends.class.getClassLoader());
            if (Poller.class.isAssignableFrom(c)) {
                return null;
            }
            return "-D" + PROPERTY + "=" + name + ": that class is not an " + Poller.class.getName()
                    + ". Fix: name epoll, io_uring, kqueue or iocp, or remove the property.";
        } catch (ClassNotFoundException | LinkageError e) {
            return "-D" + PROPERTY + "=" + name + ": no such class on the class path. Fix: name epoll, io_uring, kqueue or iocp,"
                    + " or remove the property.";
        }
    }

    /**
     * The backend in use, for diagnostics: what actually runs, e.g. {@code io_uring}, or
     * {@code epoll (io_uring unavailable: REASON)} after a fallback.
     */
    public static String name() {
        if (uringFallback()) {
            return "epoll (io_uring unavailable: " + Uring.UNAVAILABLE + ")";
        }
        return NAME;
    }

    public static Poller open() throws IOException {
        switch (NAME) {
            case "epoll":
                return new EpollPoller();
            case "kqueue":
                return new KqueuePoller();
            case "iocp":
                return IocpPoller.openNative();
            case URING:
                return uringFallback() ? new EpollPoller() : new UringPoller();
            default:
                if (NAME.indexOf('.') > 0) {
                    return byClassName(NAME);
                }
                throw new UnsupportedOperationException("Edgewise backend '" + NAME + "' is not available on "
                        + Platform.Os.NAME);
        }
    }

    /**
     * The shared {@link ReadyPoller} for input ({@code PollEvents.IN}) or output waits on the backend in use:
     * epoll's, kqueue's, or with io_uring the ring's ({@link UringReadyPoller}; epoll's after a fallback or with
     * {@code -Dio.edgewise.uring.readyPoller=epoll}). Other backends (IOCP) have none yet ({@link #hasReadyPoller()} false):
     * UnsupportedOperationException.
     */
    public static ReadyPoller readyPoller(int pollEvents) {
        switch (NAME) {
            case "epoll":
                return EpollReadyPoller.forEvents(pollEvents);
            case "kqueue":
                return KqueueReadyPoller.forEvents(pollEvents);
            case URING:
                return RingReady.USED ? UringReadyPoller.forEvents(pollEvents) : EpollReadyPoller.forEvents(pollEvents);
            default:
                throw new UnsupportedOperationException("no ready poller for backend " + NAME);
        }
    }

    /**
     * Whether the io_uring backend's waits use the ring's ready poller: io_uring runs (no fallback) and
     * {@code -Dio.edgewise.uring.readyPoller=epoll} does not ask for epoll's. Decided once.
     */
    private static final class RingReady {
        static final boolean USED = !uringFallback() && Settings.uringReadyPoller().equals("ring");
    }

    /**
     * A new ready poller with no thread, for a virtual-thread poller ({@code channels.vthread.VirtualPollers}), or
     * null where the backend has none (IOCP; kqueue: a kqueue watched by another kqueue never woke it under
     * libkqueue, the only kqueue this project can test on, 2026-12-06). On Linux it is epoll's for both backends,
     * watched through {@link #readyPoller}: a ring's completions are task work of the thread that submitted, and
     * a virtual thread changes carriers.
     */
    public static PolledReadyPoller newPolledReadyPoller() throws IOException {
        return hasPolledReadyPoller() ? EpollReadyPoller.unthreaded() : null;
    }

    /** Whether {@link #newPolledReadyPoller} makes one on this backend. */
    public static boolean hasPolledReadyPoller() {
        return NAME.equals("epoll") || NAME.equals(URING);
    }

    /** Which ready poller serves the backend's waits, for diagnostics and tests: "epoll", "kqueue", "io_uring", "none". */
    public static String readyPollerName() {
        switch (NAME) {
            case "epoll":
            case "kqueue":
                return NAME;
            case URING:
                return RingReady.USED ? URING : "epoll";
            default:
                return "none";
        }
    }

    /** Whether {@link #readyPoller} serves this backend (without one, virtual threads wait in the kernel). */
    public static boolean hasReadyPoller() {
        return NAME.equals("epoll") || NAME.equals("kqueue") || NAME.equals(URING);
    }

    /** A {@link Poller} class with a public no-arg constructor, named in full (tests run backends this way). */
    private static Poller byClassName(String name) throws IOException {
        try {
            return (Poller) Class.forName(name).getConstructor().newInstance();
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof IOException) throw (IOException) e.getCause();
            throw new IOException("backend " + name + " failed", e.getCause());
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new UnsupportedOperationException("Edgewise backend class '" + name + "' not usable", e);
        }
    }
}
