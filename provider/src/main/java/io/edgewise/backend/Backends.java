package io.edgewise.backend;

import io.edgewise.backend.epoll.EpollPoller;
import io.edgewise.backend.iocp.IocpPoller;
import java.io.IOException;

/**
 * Chooses the backend: {@code -Dio.edgewise.backend=NAME} forces one ({@code epoll}, {@code iocp}, or the
 * full name of a {@link Poller} class with a public no-arg constructor), otherwise the platform's own.
 */
public final class Backends {
    private Backends() { }

    private static final String NAME = System.getProperty("io.edgewise.backend", platformDefault());

    private static String platformDefault() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        return os.startsWith("windows") ? "iocp" : "epoll";
    }

    /** The backend in use, for diagnostics. */
    public static String name() {
        return NAME;
    }

    public static Poller open() throws IOException {
        switch (NAME) {
            case "epoll":
                return new EpollPoller();
            case "iocp":
                return IocpPoller.openNative();
            default:
                if (NAME.indexOf('.') > 0) {
                    return byClassName(NAME);
                }
                throw new UnsupportedOperationException("Edgewise backend '" + NAME + "' is not available on "
                        + System.getProperty("os.name"));
        }
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
