package io.edgewise.sys.bsd;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The socket calls of the C library on macOS and the BSDs (and Linux: POSIX), JNA direct mapping,
 * pointers as raw addresses; read errno with {@link Posix#errno()} only after a failure.
 * {@code accept4} and {@code pipe2}, which macOS lacks, are bound in {@link Modern}, loaded only where
 * {@link PosixNet#hasAccept4}; the variadic {@code ioctl} goes through a varargs interface binding
 * (see {@link Posix} on why).
 */
public final class BsdLibC {
    static {
        Native.register(BsdLibC.class, NativeLibrary.getInstance("c"));
    }

    private BsdLibC() { }

    public static native int socket(int domain, int type, int protocol);
    public static native int bind(int fd, long addr, int addrlen);
    public static native int listen(int fd, int backlog);
    public static native int accept(int fd, long addr, long addrlenPtr);
    public static native int connect(int fd, long addr, int addrlen);
    public static native int getsockname(int fd, long addr, long addrlenPtr);
    public static native int getpeername(int fd, long addr, long addrlenPtr);
    public static native int shutdown(int fd, int how);
    public static native int setsockopt(int fd, int level, int optname, long optval, int optlen);
    public static native int getsockopt(int fd, int level, int optname, long optval, long optlenPtr);
    public static native long send(int fd, long buf, long len, int flags);
    public static native long recv(int fd, long buf, long len, int flags);
    public static native long readv(int fd, long iov, int iovcnt);
    public static native long writev(int fd, long iov, int iovcnt);
    /** {@code nfds_t} is 32 bits on the BSDs and 64 on Linux: a {@code long} argument serves both ABIs. */
    public static native int poll(long fds, long nfds, int timeout);

    /** Where present (not macOS). */
    public static final class Modern {
        static {
            Native.register(Modern.class, NativeLibrary.getInstance("c"));
        }

        private Modern() { }

        public static native int accept4(int fd, long addr, long addrlenPtr, int flags);
        public static native int pipe2(long fds, int flags);
    }

    /** The variadic binding of ioctl. */
    public interface Varargs extends Library {
        int ioctl(int fd, long request, Object... args);
    }

    private static final class Holder {
        static final Varargs VARARGS = Native.load("c", Varargs.class);
    }

    /** {@code ioctl(fd, request, argp)} called as the variadic function it is. */
    public static int ioctl(int fd, long request, long argp) {
        return Holder.VARARGS.ioctl(fd, request, new com.sun.jna.Pointer(argp));
    }
}
