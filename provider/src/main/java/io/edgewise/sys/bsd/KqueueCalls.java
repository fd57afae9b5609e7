package io.edgewise.sys.bsd;

/**
 * The kqueue calls as an interface, for {@link KqueueLibrary}'s two bindings: {@link JnaKqueue} (every
 * JDK) and {@code FfmKqueue} (JDK 22+, compiled from {@code src/main/java22}), chosen with the C
 * library's binding ({@code sys.posix.Binding}). Both return {@code -errno} on failure, captured with
 * the call (the door's rule for calls that wait, see {@code sys.posix.LibC}).
 */
interface KqueueCalls {
    /** kqueue(2): a new kqueue descriptor, or {@code -errno}. */
    int kqueue();

    /** kevent(2) (NetBSD: {@code __kevent50} with {@code size_t} counts): events, or {@code -errno}. */
    int kevent(int kq, long changes, int nchanges, long events, int nevents, long timeout);

    /** libkqueue's {@code libkqueue_drain_pending_close} where the named library exports it; else nothing. */
    void drainPendingClose();
}
