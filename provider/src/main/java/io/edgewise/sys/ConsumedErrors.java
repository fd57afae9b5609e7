package io.edgewise.sys;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Socket errors that a readiness backend took from a socket while polling it, kept until the socket's
 * own call reports them. Only libkqueue on Linux takes them: translating an {@code EPOLLERR} it asks
 * {@code getsockopt(SO_ERROR)}, which on Linux clears the error (proved by
 * {@code provider/src/test/c/kqueue/consumed-error.c}); a kernel's kqueue, epoll and AFD leave it. Without
 * this a refused connect would stay pending forever and a reset connection would read as end of stream.
 *
 * <p>The backend {@link #record}s the error its event carried ({@code fflags} of an {@code EV_EOF}
 * kevent). The socket ops {@link #take} it where the kernel would have reported it — a connect that
 * {@code SO_ERROR} calls clean but is not connected, a stream read that meets end of stream — and
 * {@link #forget} it when the descriptor number is closed or replaced, so a reused number never inherits
 * it. The backend records only while the descriptor is registered, which the selector guarantees is
 * before the real close.
 *
 * <p>Threads: one concurrent map. Until the first error is recorded every check is an
 * {@code isEmpty()} (no allocation), so platforms whose backend never records pay nothing more.
 * Values are the errno numbers of the platform the socket ops run on.
 */
public final class ConsumedErrors {
    private ConsumedErrors() { }

    private static final ConcurrentHashMap<Integer, Integer> ERRORS = new ConcurrentHashMap<>();

    /** The backend took {@code errno} from socket {@code fd}; 0 is ignored (no error to keep). */
    public static void record(int fd, int errno) {
        if (errno != 0) {
            ERRORS.put(fd, errno);
        }
    }

    /** The error taken from {@code fd} and not yet reported, now removed; 0 when none. */
    public static int take(int fd) {
        if (ERRORS.isEmpty()) return 0;
        Integer e = ERRORS.remove(fd);
        return e == null ? 0 : e;
    }

    /** Descriptor {@code fd} is closed or now names another socket: drops what was kept for it. */
    public static void forget(int fd) {
        if (!ERRORS.isEmpty()) {
            ERRORS.remove(fd);
        }
    }
}
