package io.edgewise.backend;

import io.edgewise.backend.epoll.EpollPoller;
import io.edgewise.backend.iocp.IocpPoller;
import java.io.IOException;

/**
 * Chooses the backend: {@code -Dio.edgewise.backend=NAME} forces one, otherwise the platform's own.
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
                throw new UnsupportedOperationException("Edgewise backend '" + NAME + "' is not available on "
                        + System.getProperty("os.name"));
        }
    }
}
