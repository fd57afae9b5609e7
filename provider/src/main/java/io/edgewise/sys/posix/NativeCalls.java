package io.edgewise.sys.posix;


/**
 * The libc calls of {@link LibC} as an interface, for the bindings that are objects: the FFM one
 * (JDK 22+). The JNA binding is {@link JnaLibC}'s static natives, called without this interface.
 * Results and errno follow {@link LibC}: every call but {@code strerror} and {@code view} returns
 * {@code -errno} on failure, read from the state the call itself captured.
 */
interface NativeCalls {

    /** read(2) into a Java array, without copying (a heap-access "critical" downcall). */
    long readArray(int fd, byte[] a, int off, int len);

    /** write(2) from a Java array, without copying. */
    long writeArray(int fd, byte[] a, int off, int len);

    /** recv(2) into a Java array, without copying. */
    long recvArray(int fd, byte[] a, int off, int len, int flags);

    /** send(2) from a Java array, without copying. */
    long sendArray(int fd, byte[] a, int off, int len, int flags);

    int socket(int domain, int type, int protocol);
    int socketpair(int domain, int type, int protocol, long sv);
    int bind(int fd, long addr, int addrlen);
    int listen(int fd, int backlog);
    int accept(int fd, long addr, long addrlenPtr);
    int accept4(int fd, long addr, long addrlenPtr, int flags);
    int connect(int fd, long addr, int addrlen);
    int getsockname(int fd, long addr, long addrlenPtr);
    int getpeername(int fd, long addr, long addrlenPtr);
    int shutdown(int fd, int how);
    int setsockopt(int fd, int level, int optname, long optval, int optlen);
    int getsockopt(int fd, int level, int optname, long optval, long optlenPtr);
    long send(int fd, long buf, long len, int flags);
    long recv(int fd, long buf, long len, int flags);
    long sendmsg(int fd, long msg, int flags);
    long read(int fd, long buf, long count);
    long readv(int fd, long iov, int iovcnt);
    long write(int fd, long buf, long count);
    long writev(int fd, long iov, int iovcnt);
    int close(int fd);
    int pipe(long pipefd);
    int pipe2(long pipefd, int flags);
    int eventfd(int initval, int flags);
    int poll(long fds, long nfds, int timeout);
    int fcntl(int fd, int cmd, int arg);
    int ioctl(int fd, long request, long argp);
    int epoll_create1(int flags);
    int epoll_ctl(int epfd, int op, int fd, long event);
    int epoll_wait(int epfd, long events, int maxevents, int timeout);
    String strerror(int errnum);
    long sendto(int fd, long buf, long len, int flags, long addr, int addrlen);
    long recvfrom(int fd, long buf, long len, int flags, long addr, long addrlenPtr);
    int dup2(int oldfd, int newfd);
    int open(String path, int flags);
    int getrlimit(int resource, long rlim);
    int dup3(int oldfd, int newfd, int flags);

    // ---- io_uring (Linux): one block, kept at the end ----
    long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);
    long mmap(long addr, long length, int prot, int flags, int fd, long offset);
    int munmap(long addr, long length);
    /** A direct buffer over native memory the caller owns. */
    java.nio.ByteBuffer view(long addr, int length);
}
