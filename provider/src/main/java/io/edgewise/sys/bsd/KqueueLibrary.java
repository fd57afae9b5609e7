package io.edgewise.sys.bsd;

import io.edgewise.sys.posix.Binding;

/**
 * The door to {@code kqueue()} and {@code kevent()}, from the C library or from the library named by
 * {@code -Dio.edgewise.kqueue.library=/path/to/libkqueue.so.0}, through the binding the C library's
 * door uses ({@link Binding}: FFM on JDK 22+, JNA otherwise), so the backend sees neither. Pointers are
 * raw addresses ({@code long}); a negative result is {@code -errno} (captured with the call).
 *
 * <p>The entry point and the width of the counts follow {@link KqueueConstants#current()}: NetBSD's
 * {@code __kevent50} takes {@code size_t} counts. The bindings are made on first use, so asking
 * {@link #available()} where there is no kqueue costs nothing else.
 */
public final class KqueueLibrary {
    private KqueueLibrary() { }

    public static final KqueueConstants K = KqueueConstants.current();

    private static final String FFM_CLASS = "io.edgewise.sys.bsd.FfmKqueue";

    private static final class Calls {
        static final KqueueCalls BOUND = bind();

        private static KqueueCalls bind() {
            if ("ffm".equals(Binding.name())) {
                try {
                    return (KqueueCalls) Class.forName(FFM_CLASS).getDeclaredConstructor().newInstance();
                } catch (java.lang.reflect.InvocationTargetException e) {
                    Throwable c = e.getCause();
                    if (c instanceof RuntimeException) throw (RuntimeException) c;
                    if (c instanceof Error) throw (Error) c;
                    throw new UnsupportedOperationException("kqueue FFM binding: " + c, c);
                } catch (ReflectiveOperationException e) {
                    throw new UnsupportedOperationException("kqueue FFM binding: " + e, e);
                }
            }
            return new JnaKqueue();
        }
    }

    /** Whether the kqueue entry points can be bound here (false: library missing or no kqueue). */
    public static boolean available() {
        try {
            return Calls.BOUND != null;
        } catch (LinkageError | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * After closing a kqueue descriptor: a real kqueue is gone at once; libkqueue frees its internal
     * descriptors (an epoll instance, eventfds, pipes) later, on its monitoring thread. Where the library
     * exports {@code libkqueue_drain_pending_close} this waits for that, so a closed selector holds no
     * descriptors, as on a kernel kqueue. A no-op elsewhere.
     */
    public static void afterClose() {
        Calls.BOUND.drainPendingClose();
    }

    /** The binding the kqueue calls go through: "ffm" or "jna", the C library door's ({@link Binding#name()}). */
    public static String binding() {
        return Calls.BOUND instanceof JnaKqueue ? "jna" : "ffm";
    }

    /** A new kqueue descriptor, or {@code -errno}. */
    public static int kqueue() {
        return Calls.BOUND.kqueue();
    }

    /** kevent(2): the number of events, or {@code -errno}. */
    public static int kevent(int kq, long changes, int nchanges, long events, int nevents, long timeout) {
        return Calls.BOUND.kevent(kq, changes, nchanges, events, nevents, timeout);
    }
}
