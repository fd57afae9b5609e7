package io.edgewise.sys.bsd;

import com.sun.jna.Function;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The JNA binding of the kqueue calls: direct mapping from the C library or from the library named by
 * {@code -Dio.edgewise.kqueue.library}. NetBSD's {@code __kevent50} takes {@code size_t} counts and is
 * bound in a class of its own, loaded only there; {@link #kevent} branches on a {@code static final}.
 * errno comes from JNA's per-thread copy, read right after the failed call.
 */
final class JnaKqueue implements KqueueCalls {
    private static final boolean NETBSD = KqueueLibrary.K.sizeTCounts;

    /** Binds the entry points now (throws LinkageError when the library or kqueue is missing). */
    JnaKqueue() {
        if (NETBSD) {
            NetBsdEntry.init();
        } else {
            Plain.init();
        }
    }

    /** The library kqueue comes from: the property's path, else the C library. */
    private static NativeLibrary library() {
        String path = io.edgewise.sys.Platform.current().settings().kqueueLibrary();
        return NativeLibrary.getInstance(path != null && !path.isEmpty() ? path : "c");
    }

    @Override
    public int kqueue() {
        int r = NETBSD ? NetBsdEntry.kqueue() : Plain.kqueue();
        return r < 0 ? -Native.getLastError() : r;
    }

    @Override
    public int kevent(int kq, long changes, int nchanges, long events, int nevents, long timeout) {
        int r = NETBSD ? NetBsdEntry.__kevent50(kq, changes, nchanges, events, nevents, timeout)
                : Plain.kevent(kq, changes, nchanges, events, nevents, timeout);
        return r < 0 ? -Native.getLastError() : r;
    }

    @Override
    public void drainPendingClose() {
        Function f = Drain.FUNCTION;
        if (f != null) {
            f.invokeVoid(new Object[0]);
        }
    }

    private static final class Drain {
        static final Function FUNCTION = lookup();

        private static Function lookup() {
            if (io.edgewise.sys.Platform.current().settings().kqueueLibrary() == null) {
                return null;
            }
            try {
                return library().getFunction("libkqueue_drain_pending_close");
            } catch (UnsatisfiedLinkError e) {
                return null;
            }
        }
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
