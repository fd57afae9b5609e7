package io.edgewise.sys.bsd;

import io.edgewise.sys.Platform;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * {@code kqueue()} and {@code kevent()} through JNA direct mapping, from the C library or from the
 * library named by {@code -Dio.edgewise.kqueue.library=/path/to/libkqueue.so.0}. Pointers are raw
 * addresses ({@code long}); a negative result means failure, read errno with {@link Posix#errno()}.
 *
 * <p>The entry point and the width of the counts follow {@link KqueueConstants#current()}: NetBSD's
 * {@code __kevent50} takes {@code size_t} counts and is bound in a class of its own, loaded only there.
 * {@link #kevent} branches on a {@code static final}, so the JIT sees one target.
 */
public final class KqueueLibrary {
    private KqueueLibrary() { }

    public static final KqueueConstants K = KqueueConstants.current();
    private static final boolean NETBSD = K.sizeTCounts;

    /** The library kqueue comes from: the property's path, else the C library. */
    static NativeLibrary library() {
        String path = Platform.current().settings().kqueueLibrary();
        return NativeLibrary.getInstance(path != null && !path.isEmpty() ? path : "c");
    }

    /** Whether the kqueue entry points can be bound here (false: library missing or no kqueue). */
    public static boolean available() {
        try {
            kqueueCheck();
            return true;
        } catch (LinkageError | UnsupportedOperationException e) {
            return false;
        }
    }

    private static void kqueueCheck() {
        if (NETBSD) {
            NetBsdEntry.init();
        } else {
            Plain.init();
        }
    }

    /**
     * After closing a kqueue descriptor: a real kqueue is gone at once; libkqueue frees its internal
     * descriptors (an epoll instance, eventfds, pipes) later, on its monitoring thread. Where the library
     * exports {@code libkqueue_drain_pending_close} this waits for that, so a closed selector holds no
     * descriptors, as on a kernel kqueue. A no-op elsewhere.
     */
    public static void afterClose() {
        com.sun.jna.Function f = Drain.FUNCTION;
        if (f != null) {
            f.invokeVoid(new Object[0]);
        }
    }

    private static final class Drain {
        static final com.sun.jna.Function FUNCTION = lookup();

        private static com.sun.jna.Function lookup() {
            if (Platform.current().settings().kqueueLibrary() == null) {
                return null;
            }
            try {
                return library().getFunction("libkqueue_drain_pending_close");
            } catch (UnsatisfiedLinkError e) {
                return null;
            }
        }
    }

    public static int kqueue() {
        return NETBSD ? NetBsdEntry.kqueue() : Plain.kqueue();
    }

    public static int kevent(int kq, long changes, int nchanges, long events, int nevents, long timeout) {
        return NETBSD ? NetBsdEntry.__kevent50(kq, changes, nchanges, events, nevents, timeout)
                : Plain.kevent(kq, changes, nchanges, events, nevents, timeout);
    }

    private static final class Plain {
        static {
            Native.register(Plain.class, library());
        }

        static void init() { }

        static native int kqueue();

        static native int kevent(int kq, long changes, int nchanges, long events, int nevents, long timeout);
    }

    private static final class NetBsdEntry {
        static {
            Native.register(NetBsdEntry.class, library());
        }

        static void init() { }

        static native int kqueue();

        static native int __kevent50(int kq, long changes, long nchanges, long events, long nevents, long timeout);
    }
}
