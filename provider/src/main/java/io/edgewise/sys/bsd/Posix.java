package io.edgewise.sys.bsd;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The POSIX C-library calls shared by the BSD bindings and the kqueue backend (present with the same
 * signature on macOS, the BSDs and Linux), bound with JNA direct mapping; pointers are raw addresses.
 *
 * <p>{@code fcntl} is variadic in C. JNA direct mapping cannot call a variadic function, and binding it
 * as a fixed-argument function breaks on Apple Silicon (variadic arguments go on the stack there), so
 * it goes through an interface mapping with a Java varargs parameter, which JNA calls as varargs. It is
 * off the hot path (socket creation and accept on macOS, pipe set-up).
 */
public final class Posix {
    static {
        Native.register(Posix.class, NativeLibrary.getInstance("c"));
    }

    private Posix() { }

    /** errno of the last call made through JNA on this thread; read only after a failure. */
    public static int errno() {
        return Native.getLastError();
    }

    public static native int close(int fd);
    public static native long read(int fd, long buf, long count);
    public static native long write(int fd, long buf, long count);
    public static native int pipe(long fds);
    public static native int dup2(int oldfd, int newfd);
    public static native String strerror(int errnum);
    public static native int getrlimit(int resource, long rlim);

    /**
     * The hard limit on open descriptors ({@code rlim_max} of {@code RLIMIT_NOFILE}: 8 on macOS and the
     * BSDs, 7 on Linux under libkqueue), capped at {@link Integer#MAX_VALUE}, also when unlimited or
     * unreadable. Start-up only.
     */
    public static int fdLimit(KqueueConstants k) {
        java.nio.ByteBuffer rlim = java.nio.ByteBuffer.allocateDirect(16).order(java.nio.ByteOrder.nativeOrder());
        int resource = "libkqueue".equals(k.platform) ? 7 : 8;
        if (getrlimit(resource, com.sun.jna.Pointer.nativeValue(Native.getDirectBufferPointer(rlim))) < 0) {
            return Integer.MAX_VALUE;
        }
        long max = rlim.getLong(8);   // rlim_t is a 64-bit unsigned: RLIM_INFINITY reads as negative
        return max < 0 || max > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) max;
    }

    /** The variadic binding of fcntl. */
    public interface Varargs extends Library {
        int fcntl(int fd, int cmd, Object... args);
    }

    private static final class Holder {
        static final Varargs VARARGS = Native.load("c", Varargs.class);
    }

    /** {@code fcntl(fd, cmd, arg)} called as the variadic function it is. */
    public static int fcntl(int fd, int cmd, int arg) {
        return Holder.VARARGS.fcntl(fd, cmd, arg);
    }

    /** {@code fcntl(fd, cmd)} with no argument (F_GETFL, F_GETFD). */
    public static int fcntl(int fd, int cmd) {
        return Holder.VARARGS.fcntl(fd, cmd);
    }

    /** Sets O_NONBLOCK and FD_CLOEXEC on a descriptor (platforms without SOCK_NONBLOCK/pipe2). */
    public static int nonBlockingCloexec(int fd, KqueueConstants k) {
        int fl = fcntl(fd, k.fGetfl);
        if (fl < 0 || fcntl(fd, k.fSetfl, fl | k.oNonblock) < 0) {
            return -1;
        }
        return fcntl(fd, k.fSetfd, k.fdCloexec);
    }

    public static String message(int errno) {
        String s = strerror(errno);
        return s != null ? s : "errno " + errno;
    }
}
