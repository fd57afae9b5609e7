package io.edgewise.backend;

import io.edgewise.sys.SystemProps;
import io.edgewise.backend.epoll.EpollPoller;
import io.edgewise.backend.epoll.EpollReadyPoller;
import io.edgewise.backend.iocp.IocpPoller;
import io.edgewise.backend.kqueue.KqueuePoller;
import io.edgewise.backend.kqueue.KqueueReadyPoller;
import io.edgewise.sys.bsd.KqueueLibrary;
import java.io.IOException;
import java.util.Locale;

/**
 * Chooses the backend: {@code -Dio.edgewise.backend=NAME} forces one ({@code epoll}, {@code kqueue},
 * {@code iocp}, or the full name of a {@link Poller} class with a public no-arg constructor — tests run
 * backend variants this way), otherwise the platform's own: epoll on Linux, kqueue on macOS, FreeBSD,
 * OpenBSD and NetBSD, iocp on Windows. kqueue on
 * Linux needs a kqueue library: {@code -Dio.edgewise.kqueue.library=/path/to/libkqueue.so.0}.
 */
public final class Backends {
    private Backends() { }

    private static final String NAME = SystemProps.get("io.edgewise.backend",
            platformDefault(SystemProps.get("os.name", "")));

    /** The backend an OS (its {@code os.name}) gets by default. */
    public static String platformDefault(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("mac") || os.startsWith("darwin") || os.startsWith("freebsd")
                || os.startsWith("openbsd") || os.startsWith("netbsd")) {
            return "kqueue";
        }
        if (os.startsWith("windows")) {
            return "iocp";
        }
        return "epoll";
    }

    /** The backend in use, for diagnostics. */
    public static String name() {
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
            default:
                if (NAME.indexOf('.') > 0) {
                    return byClassName(NAME);
                }
                throw new UnsupportedOperationException("Edgewise backend '" + NAME + "' is not available on "
                        + SystemProps.get("os.name"));
        }
    }

    /**
     * The shared {@link ReadyPoller} for input ({@code POLL_IN}) or output waits on the backend in use:
     * epoll's or kqueue's. Other backends (IOCP) have none yet ({@link #hasReadyPoller()} false):
     * UnsupportedOperationException.
     */
    public static ReadyPoller readyPoller(int pollEvents) {
        switch (NAME) {
            case "epoll":
                return EpollReadyPoller.forEvents(pollEvents);
            case "kqueue":
                // libkqueue (Linux) reads SO_ERROR to report a failed connect, which clears it, so
                // finishConnect would never see the failure; its descriptors are Linux's: epoll's serves
                return "libkqueue".equals(KqueueLibrary.K.platform)
                        ? EpollReadyPoller.forEvents(pollEvents) : KqueueReadyPoller.forEvents(pollEvents);
            default:
                throw new UnsupportedOperationException("no ready poller for backend " + NAME);
        }
    }

    /** Whether {@link #readyPoller} serves this backend (without one, virtual threads wait in the kernel). */
    public static boolean hasReadyPoller() {
        return NAME.equals("epoll") || NAME.equals("kqueue");
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
