package io.edgewise.sys.posix;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * The JNA binding of {@link LibC}: libc functions bound with <em>direct mapping</em>
 * ({@link Native#register}): static natives, no interface proxy, no per-call allocation.
 *
 * <p>Every pointer argument is a raw native address passed as {@code long}; the caller owns the
 * memory. JNA's native stub saves {@code errno} per thread right after every call, and {@link #result}
 * reads it at once into the call's result ({@code -errno}); never {@code LastErrorException}, which
 * costs ten times the call itself on a path where {@code EAGAIN} is normal.
 *
 * <p>The calls every Unix has are registered here; the ones only some have are in nested classes
 * registered on first use ({@link Modern}: not macOS; {@link LinuxOnly}), because registering a
 * missing symbol fails the whole class. {@code fcntl} and {@code ioctl} are variadic in C: on Linux
 * x86_64/aarch64 a fixed-argument binding passes them in the same registers, elsewhere (Apple
 * Silicon puts variadic arguments on the stack) they go through {@link Varargs}.
 */
@SuppressWarnings("removal") // AccessController: deprecated for removal, still callable on 24+
final class JnaLibC {
    static {
        register(JnaLibC.class);
    }

    /**
     * Binds a class's natives to the C library. Privileged: a nested class is bound on its first
     * call, which may come from code a security manager trusts less than Edgewise (JNA reads properties).
     */
    private static void register(Class<?> natives) {
        java.security.AccessController.doPrivileged((java.security.PrivilegedAction<Void>) () -> {
            Native.register(natives, NativeLibrary.getInstance("c"));
            return null;
        });
    }

    /** Whether the fixed-argument bindings of variadic functions are safe (Linux's calling conventions). */
    static final boolean FIXED_VARARGS =
            io.edgewise.sys.Platform.Os.isLinux();

    private JnaLibC() { }

    /**
     * A call's result, or {@code -errno} (the value JNA's stub saved for this thread right after
     * the call; read here, at once, so callers need no second call).
     */
    static long result(long r) {
        return r < 0 ? -Native.getLastError() : r;
    }

    static int result(int r) {
        return r < 0 ? -Native.getLastError() : r;
    }


    // sockets
    static native int socket(int domain, int type, int protocol);
    static native int socketpair(int domain, int type, int protocol, long sv);
    static native int bind(int fd, long addr, int addrlen);
    static native int listen(int fd, int backlog);
    static native int accept(int fd, long addr, long addrlenPtr);
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
    static native int pipe(long pipefd);
    static native int poll(long fds, long nfds, int timeout);
    private static native int fcntl(int fd, int cmd, int arg);
    /** ioctl with a pointer argument (variadic in C). */
    private static native int ioctl(int fd, long request, long argp);

    static int fcntlCall(int fd, int cmd, int arg) {
        return FIXED_VARARGS ? fcntl(fd, cmd, arg) : Varargs.LIB.fcntl(fd, cmd, arg);
    }

    static int ioctlCall(int fd, long request, long argp) {
        return FIXED_VARARGS ? ioctl(fd, request, argp) : Varargs.LIB.ioctl(fd, request, new Pointer(argp));
    }

    /** The variadic functions called as such (off the hot path where used: set-up, FIONREAD). */
    interface Varargs extends Library {
        Varargs LIB = java.security.AccessController.doPrivileged(
                (java.security.PrivilegedAction<Varargs>) () -> Native.load("c", Varargs.class));

        int fcntl(int fd, int cmd, Object... args);

        int ioctl(int fd, long request, Object... args);
    }

    /** Where the OS has them: Linux, FreeBSD, OpenBSD, NetBSD (not macOS). */
    static final class Modern {
        static {
            register(Modern.class);
        }

        private Modern() { }

        static native int accept4(int fd, long addr, long addrlenPtr, int flags);
        static native int pipe2(long pipefd, int flags);
    }

    /** Linux's own calls. */
    static final class LinuxOnly {
        static {
            register(LinuxOnly.class);
        }

        private LinuxOnly() { }

        static native int eventfd(int initval, int flags);
        static native int dup3(int oldfd, int newfd, int flags);
        static native int epoll_create1(int flags);
        static native int epoll_ctl(int epfd, int op, int fd, long event);
        static native int epoll_wait(int epfd, long events, int maxevents, int timeout);
    }

    // errors
    static native String strerror(int errnum);

    // datagrams, Unix domain sockets, inherited channels
    static native long sendto(int fd, long buf, long len, int flags, long addr, int addrlen);
    static native long recvfrom(int fd, long buf, long len, int flags, long addr, long addrlenPtr);
    static native int dup2(int oldfd, int newfd);
    /** open(2) with two arguments (variadic in C; register-compatible on Linux x86_64/aarch64; Linux only). */
    static native int open(String path, int flags);

    // limits (start-up only)
    static native int getrlimit(int resource, long rlim);

    // ---- io_uring (Linux): one block, kept at the end ----

    /** syscall (fixed arity: see {@link LibC#syscall}), mmap, munmap; registered on first use. */
    static final class Uring {
        static {
            register(Uring.class);
        }

        private Uring() { }

        static native long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6);
        static native long mmap(long addr, long length, int prot, int flags, int fd, long offset);
        static native int munmap(long addr, long length);
    }
}
