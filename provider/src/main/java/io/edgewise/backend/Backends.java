package io.edgewise.backend;

import io.edgewise.backend.epoll.EpollPoller;
import java.io.IOException;

/**
 * Chooses the backend: {@code -Dio.edgewise.backend=NAME} forces one, otherwise the platform's own.
 */
public final class Backends {
    private Backends() { }

    private static final String NAME = System.getProperty("io.edgewise.backend", "epoll");

    /** The backend in use, for diagnostics. */
    public static String name() {
        return NAME;
    }

    public static Poller open() throws IOException {
        switch (NAME) {
            case "epoll":
                return new EpollPoller();
            default:
                throw new UnsupportedOperationException("Edgewise backend '" + NAME + "' is not available on "
                        + System.getProperty("os.name"));
        }
    }
}
