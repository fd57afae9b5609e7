package io.edgewise.sys.linux;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The libc functions Edgewise calls on Linux, bound with JNA <em>direct mapping</em>
 * ({@link Native#register}): static natives, no interface proxy, no per-call allocation.
 *
 * <p>Every pointer argument is a raw native address passed as {@code long}; the caller owns the
 * memory. A negative result means failure: read {@code errno} with {@link #errno()} only then (JNA
 * saves it per thread after every call), never through {@code LastErrorException}, which costs ten
 * times the call itself on a path where {@code EAGAIN} is normal.
 */
public final class LibC {
    static {
        Native.register(LibC.class, NativeLibrary.getInstance("c"));
    }

    private LibC() { }

    /** {@code errno} of the last call made through JNA on this thread. */
    public static int errno() {
        return Native.getLastError();
    }

    // sockets
    public static native int socket(int domain, int type, int protocol);
    public static native int socketpair(int domain, int type, int protocol, long sv);
    public static native int bind(int fd, long addr, int addrlen);
    public static native int listen(int fd, int backlog);
    public static native int accept4(int fd, long addr, long addrlenPtr, int flags);
    public static native int connect(int fd, long addr, int addrlen);
    public static native int getsockname(int fd, long addr, long addrlenPtr);
    public static native int getpeername(int fd, long addr, long addrlenPtr);
    public static native int shutdown(int fd, int how);
    public static native int setsockopt(int fd, int level, int optname, long optval, int optlen);
    public static native int getsockopt(int fd, int level, int optname, long optval, long optlenPtr);
    public static native long send(int fd, long buf, long len, int flags);
    public static native long recv(int fd, long buf, long len, int flags);

    // plain descriptors
    public static native long read(int fd, long buf, long count);
    public static native long readv(int fd, long iov, int iovcnt);
    public static native long write(int fd, long buf, long count);
    public static native long writev(int fd, long iov, int iovcnt);
    public static native int close(int fd);
    public static native int pipe2(long pipefd, int flags);
    public static native int eventfd(int initval, int flags);
    public static native int poll(long fds, long nfds, int timeout);
    public static native int fcntl(int fd, int cmd, int arg);
    /** ioctl with a pointer argument (variadic in C; register-compatible on Linux x86_64/aarch64). */
    public static native int ioctl(int fd, long request, long argp);

    // epoll
    public static native int epoll_create1(int flags);
    public static native int epoll_ctl(int epfd, int op, int fd, long event);
    public static native int epoll_wait(int epfd, long events, int maxevents, int timeout);

    // errors
    public static native String strerror(int errnum);

    // descriptor replacement (async connect: the winning attempt takes the channel's number)
    public static native int dup3(int oldfd, int newfd, int flags);
}
