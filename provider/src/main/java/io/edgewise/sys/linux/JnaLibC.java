package io.edgewise.sys.linux;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The JNA binding of {@link LibC}: libc functions bound with <em>direct mapping</em>
 * ({@link Native#register}): static natives, no interface proxy, no per-call allocation.
 *
 * <p>Every pointer argument is a raw native address passed as {@code long}; the caller owns the
 * memory. A negative result means failure: read {@code errno} with {@link #errno()} only then (JNA
 * saves it per thread after every call), never through {@code LastErrorException}, which costs ten
 * times the call itself on a path where {@code EAGAIN} is normal.
 */
final class JnaLibC {
    static {
        Native.register(JnaLibC.class, NativeLibrary.getInstance("c"));
    }

    private JnaLibC() { }

    // sockets
    static native int socket(int domain, int type, int protocol);
    static native int socketpair(int domain, int type, int protocol, long sv);
    static native int bind(int fd, long addr, int addrlen);
    static native int listen(int fd, int backlog);
    static native int accept4(int fd, long addr, long addrlenPtr, int flags);
    static native int connect(int fd, long addr, int addrlen);
    static native int getsockname(int fd, long addr, long addrlenPtr);
    static native int getpeername(int fd, long addr, long addrlenPtr);
    static native int shutdown(int fd, int how);
    static native int setsockopt(int fd, int level, int optname, long optval, int optlen);
    static native int getsockopt(int fd, int level, int optname, long optval, long optlenPtr);
    static native long send(int fd, long buf, long len, int flags);
    static native long recv(int fd, long buf, long len, int flags);
    static native long sendmsg(int fd, long msg, int flags);

    // plain descriptors
    static native long read(int fd, long buf, long count);
    static native long readv(int fd, long iov, int iovcnt);
    static native long write(int fd, long buf, long count);
    static native long writev(int fd, long iov, int iovcnt);
    static native int close(int fd);
    static native int pipe2(long pipefd, int flags);
    static native int eventfd(int initval, int flags);
    static native int poll(long fds, long nfds, int timeout);
    static native int fcntl(int fd, int cmd, int arg);
    /** ioctl with a pointer argument (variadic in C; register-compatible on Linux x86_64/aarch64). */
    static native int ioctl(int fd, long request, long argp);

    // epoll
    static native int epoll_create1(int flags);
    static native int epoll_ctl(int epfd, int op, int fd, long event);
    static native int epoll_wait(int epfd, long events, int maxevents, int timeout);

    // errors
    static native String strerror(int errnum);

    // datagrams, Unix domain sockets, inherited channels
    static native long sendto(int fd, long buf, long len, int flags, long addr, int addrlen);
    static native long recvfrom(int fd, long buf, long len, int flags, long addr, long addrlenPtr);
    static native int dup2(int oldfd, int newfd);
    /** open(2) with two arguments (variadic in C; register-compatible on Linux x86_64/aarch64). */
    static native int open(String path, int flags);
    static native int dup3(int oldfd, int newfd, int flags);

    // limits (start-up only)
    static native int getrlimit(int resource, long rlim);
}
