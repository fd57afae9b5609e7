package io.edgewise.sys.posix;

import java.nio.ByteBuffer;

/**
 * The one door to the C library on every Unix (Linux, macOS, the BSDs), through the binding chosen
 * once at start-up ({@link Binding}): JNA direct mapping on every JDK from 17, or the FFM API
 * ({@code java.lang.foreign}) on JDK 22+. Each method tests a {@code static final} field, so the JIT
 * keeps one path and inlines it.
 *
 * <p>Every pointer argument is a raw native address passed as {@code long}; the caller owns the
 * memory. The errno rule, one for every call (in the spirit of mio's {@code syscall!}): each binding
 * captures errno together with the call's result (FFM: {@code captureCallState} in the same downcall;
 * JNA: its native stub saves it per thread right after the call) and returns it with the result, as the
 * raw system calls do: a result {@code >= 0}, or {@code -errno}, computed by the binding at once
 * ({@code JnaLibC.result}, {@code FfmLibC.result}). Data calls (read, write, recv, send, accept, poll,
 * epoll_wait, ...) and set-up calls (socket, bind, listen, options, addresses, fcntl, ioctl, pipe,
 * eventfd, epoll_create1/ctl, dup2/dup3, open, close, getrlimit, syscall, munmap) alike: callers write
 * {@code if (r < 0) ... -r}, and nothing is read afterwards, so no second call and nothing that Java in
 * between could change; there is no {@code errno()} to read. A new call follows the same rule
 * ({@code ErrnoRuleTest} lists them all). {@code mmap} too: the mapping's address (user-space addresses
 * are positive) or {@code -errno}.
 *
 * <p>Calls only some systems have ({@code accept4}, {@code pipe2}: not macOS; {@code eventfd},
 * {@code dup3}, {@code epoll_*}: Linux) are bound on first use; callers ask the platform's constants
 * ({@code PosixNet}) before calling them.
 */
public final class LibC {
    private LibC() { }

    /** The FFM binding, or null when JNA serves. */
    private static final NativeCalls FFM = Binding.ffmOrNull();

    /** Whether {@link #readArray}/{@link #writeArray} move bytes to and from Java arrays without a copy. */
    public static final boolean ARRAY_IO = FFM != null;

    /** Nothing: calling it initializes this class, which chooses the binding ({@link Binding#name()}). */
    static void load() { }

    /** The base address of a direct buffer. */
    public static long address(ByteBuffer direct) {
        return io.edgewise.sys.NativeMemory.address(direct);
    }

    /** Only when {@link #ARRAY_IO}. */
    public static long readArray(int fd, byte[] a, int off, int len) {
        return FFM.readArray(fd, a, off, len);
    }

    /** Only when {@link #ARRAY_IO}. */
    public static long writeArray(int fd, byte[] a, int off, int len) {
        return FFM.writeArray(fd, a, off, len);
    }

    /** Only when {@link #ARRAY_IO}. */
    public static long recvArray(int fd, byte[] a, int off, int len, int flags) {
        return FFM.recvArray(fd, a, off, len, flags);
    }

    /** Only when {@link #ARRAY_IO}. */
    public static long sendArray(int fd, byte[] a, int off, int len, int flags) {
        return FFM.sendArray(fd, a, off, len, flags);
    }

    public static int socket(int domain, int type, int protocol) {
        NativeCalls f = FFM;
        return f != null ? f.socket(domain, type, protocol) : JnaLibC.result(JnaLibC.socket(domain, type, protocol));
    }

    public static int socketpair(int domain, int type, int protocol, long sv) {
        NativeCalls f = FFM;
        return f != null ? f.socketpair(domain, type, protocol, sv) : JnaLibC.result(JnaLibC.socketpair(domain, type, protocol, sv));
    }

    public static int bind(int fd, long addr, int addrlen) {
        NativeCalls f = FFM;
        return f != null ? f.bind(fd, addr, addrlen) : JnaLibC.result(JnaLibC.bind(fd, addr, addrlen));
    }

    public static int listen(int fd, int backlog) {
        NativeCalls f = FFM;
        return f != null ? f.listen(fd, backlog) : JnaLibC.result(JnaLibC.listen(fd, backlog));
    }

    public static int accept(int fd, long addr, long addrlenPtr) {
        NativeCalls f = FFM;
        return f != null ? f.accept(fd, addr, addrlenPtr) : JnaLibC.result(JnaLibC.accept(fd, addr, addrlenPtr));
    }

    /** Not on macOS. */
    public static int accept4(int fd, long addr, long addrlenPtr, int flags) {
        NativeCalls f = FFM;
        return f != null ? f.accept4(fd, addr, addrlenPtr, flags) : JnaLibC.result(JnaLibC.Modern.accept4(fd, addr, addrlenPtr, flags));
    }

    public static int connect(int fd, long addr, int addrlen) {
        NativeCalls f = FFM;
        return f != null ? f.connect(fd, addr, addrlen) : JnaLibC.result(JnaLibC.connect(fd, addr, addrlen));
    }

    public static int getsockname(int fd, long addr, long addrlenPtr) {
        NativeCalls f = FFM;
        return f != null ? f.getsockname(fd, addr, addrlenPtr) : JnaLibC.result(JnaLibC.getsockname(fd, addr, addrlenPtr));
    }

    public static int getpeername(int fd, long addr, long addrlenPtr) {
        NativeCalls f = FFM;
        return f != null ? f.getpeername(fd, addr, addrlenPtr) : JnaLibC.result(JnaLibC.getpeername(fd, addr, addrlenPtr));
    }

    public static int shutdown(int fd, int how) {
        NativeCalls f = FFM;
        return f != null ? f.shutdown(fd, how) : JnaLibC.result(JnaLibC.shutdown(fd, how));
    }

    public static int setsockopt(int fd, int level, int optname, long optval, int optlen) {
        NativeCalls f = FFM;
        return f != null ? f.setsockopt(fd, level, optname, optval, optlen) : JnaLibC.result(JnaLibC.setsockopt(fd, level, optname, optval, optlen));
    }

    public static int getsockopt(int fd, int level, int optname, long optval, long optlenPtr) {
        NativeCalls f = FFM;
        return f != null ? f.getsockopt(fd, level, optname, optval, optlenPtr) : JnaLibC.result(JnaLibC.getsockopt(fd, level, optname, optval, optlenPtr));
    }

    public static long send(int fd, long buf, long len, int flags) {
        NativeCalls f = FFM;
        return f != null ? f.send(fd, buf, len, flags) : JnaLibC.result(JnaLibC.send(fd, buf, len, flags));
    }

    public static long recv(int fd, long buf, long len, int flags) {
        NativeCalls f = FFM;
        return f != null ? f.recv(fd, buf, len, flags) : JnaLibC.result(JnaLibC.recv(fd, buf, len, flags));
    }

    public static long sendmsg(int fd, long msg, int flags) {
        NativeCalls f = FFM;
        return f != null ? f.sendmsg(fd, msg, flags) : JnaLibC.result(JnaLibC.sendmsg(fd, msg, flags));
    }

    public static long read(int fd, long buf, long count) {
        NativeCalls f = FFM;
        return f != null ? f.read(fd, buf, count) : JnaLibC.result(JnaLibC.read(fd, buf, count));
    }

    public static long readv(int fd, long iov, int iovcnt) {
        NativeCalls f = FFM;
        return f != null ? f.readv(fd, iov, iovcnt) : JnaLibC.result(JnaLibC.readv(fd, iov, iovcnt));
    }

    public static long write(int fd, long buf, long count) {
        NativeCalls f = FFM;
        return f != null ? f.write(fd, buf, count) : JnaLibC.result(JnaLibC.write(fd, buf, count));
    }

    public static long writev(int fd, long iov, int iovcnt) {
        NativeCalls f = FFM;
        return f != null ? f.writev(fd, iov, iovcnt) : JnaLibC.result(JnaLibC.writev(fd, iov, iovcnt));
    }

    public static int close(int fd) {
        NativeCalls f = FFM;
        return f != null ? f.close(fd) : JnaLibC.result(JnaLibC.close(fd));
    }

    public static int pipe(long pipefd) {
        NativeCalls f = FFM;
        return f != null ? f.pipe(pipefd) : JnaLibC.result(JnaLibC.pipe(pipefd));
    }

    /** Not on macOS. */
    public static int pipe2(long pipefd, int flags) {
        NativeCalls f = FFM;
        return f != null ? f.pipe2(pipefd, flags) : JnaLibC.result(JnaLibC.Modern.pipe2(pipefd, flags));
    }

    /** Linux only. */
    public static int eventfd(int initval, int flags) {
        NativeCalls f = FFM;
        return f != null ? f.eventfd(initval, flags) : JnaLibC.result(JnaLibC.LinuxOnly.eventfd(initval, flags));
    }

    public static int poll(long fds, long nfds, int timeout) {
        NativeCalls f = FFM;
        return f != null ? f.poll(fds, nfds, timeout) : JnaLibC.result(JnaLibC.poll(fds, nfds, timeout));
    }

    public static int fcntl(int fd, int cmd, int arg) {
        NativeCalls f = FFM;
        return f != null ? f.fcntl(fd, cmd, arg) : JnaLibC.result(JnaLibC.fcntlCall(fd, cmd, arg));
    }

    public static int ioctl(int fd, long request, long argp) {
        NativeCalls f = FFM;
        return f != null ? f.ioctl(fd, request, argp) : JnaLibC.result(JnaLibC.ioctlCall(fd, request, argp));
    }

    public static int epoll_create1(int flags) {
        NativeCalls f = FFM;
        return f != null ? f.epoll_create1(flags) : JnaLibC.result(JnaLibC.LinuxOnly.epoll_create1(flags));
    }

    public static int epoll_ctl(int epfd, int op, int fd, long event) {
        NativeCalls f = FFM;
        return f != null ? f.epoll_ctl(epfd, op, fd, event) : JnaLibC.result(JnaLibC.LinuxOnly.epoll_ctl(epfd, op, fd, event));
    }

    public static int epoll_wait(int epfd, long events, int maxevents, int timeout) {
        NativeCalls f = FFM;
        return f != null ? f.epoll_wait(epfd, events, maxevents, timeout) : JnaLibC.result(JnaLibC.LinuxOnly.epoll_wait(epfd, events, maxevents, timeout));
    }

    public static String strerror(int errnum) {
        NativeCalls f = FFM;
        return f != null ? f.strerror(errnum) : JnaLibC.strerror(errnum);
    }
    public static long sendto(int fd, long buf, long len, int flags, long addr, int addrlen) {
        NativeCalls f = FFM;
        return f != null ? f.sendto(fd, buf, len, flags, addr, addrlen) : JnaLibC.result(JnaLibC.sendto(fd, buf, len, flags, addr, addrlen));
    }

    public static long recvfrom(int fd, long buf, long len, int flags, long addr, long addrlenPtr) {
        NativeCalls f = FFM;
        return f != null ? f.recvfrom(fd, buf, len, flags, addr, addrlenPtr) : JnaLibC.result(JnaLibC.recvfrom(fd, buf, len, flags, addr, addrlenPtr));
    }

    public static int dup2(int oldfd, int newfd) {
        NativeCalls f = FFM;
        return f != null ? f.dup2(oldfd, newfd) : JnaLibC.result(JnaLibC.dup2(oldfd, newfd));
    }

    public static int open(String path, int flags) {
        NativeCalls f = FFM;
        return f != null ? f.open(path, flags) : JnaLibC.result(JnaLibC.open(path, flags));
    }

    /** {@code RLIMIT_NOFILE} on Linux (8 on macOS and the BSDs). */
    static final int RLIMIT_NOFILE_LINUX = 7;

    /**
     * Linux only. The hard limit on open descriptors ({@code RLIMIT_NOFILE}'s {@code rlim_max}), capped at
     * {@link Integer#MAX_VALUE} (also when unlimited or unreadable). Called once per JVM: through JNA
     * when JNA is the binding, else from {@code /proc/self/limits} (the FFM binding has no getrlimit,
     * and JNA may be absent then).
     */
    public static int fdLimit() {
        if (FFM != null) {
            return fdLimitFromProc();
        }
        java.nio.ByteBuffer rlim = java.nio.ByteBuffer.allocateDirect(16).order(java.nio.ByteOrder.nativeOrder());
        if (JnaLibC.getrlimit(RLIMIT_NOFILE_LINUX, address(rlim)) < 0) {
            return Integer.MAX_VALUE;
        }
        long max = rlim.getLong(8);   // rlim_t is unsigned: RLIM_INFINITY reads as -1
        return max < 0 || max > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) max;
    }

    /**
     * The hard limit on open descriptors ({@code rlim_max} of resource {@code rlimitNofile}: 7 on Linux,
     * 8 on macOS and the BSDs), capped at {@link Integer#MAX_VALUE}, also when unlimited or unreadable.
     * Start-up only (the kqueue backend's batch size).
     */
    public static int fdLimit(int rlimitNofile) {
        java.nio.ByteBuffer rlim = java.nio.ByteBuffer.allocateDirect(16).order(java.nio.ByteOrder.nativeOrder());
        NativeCalls f = FFM;
        int r = f != null ? f.getrlimit(rlimitNofile, address(rlim)) : JnaLibC.result(JnaLibC.getrlimit(rlimitNofile, address(rlim)));
        if (r < 0) {
            return Integer.MAX_VALUE;
        }
        long max = rlim.getLong(8);   // rlim_t is unsigned 64-bit: RLIM_INFINITY reads as negative
        return max < 0 || max > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) max;
    }

    /** "Max open files  soft  hard  files" of /proc/self/limits; MAX_VALUE when unlimited or unreadable. */
    static int fdLimitFromProc() {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Paths.get("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String[] f = line.substring("Max open files".length()).trim().split("\\s+");
                    long max = f.length > 1 && !f[1].equals("unlimited") ? Long.parseLong(f[1]) : Long.MAX_VALUE;
                    return (int) Math.min(max, Integer.MAX_VALUE);
                }
            }
        } catch (java.io.IOException | RuntimeException e) {
            // unreadable: no limit known
        }
        return Integer.MAX_VALUE;
    }

    /** Linux only. */
    public static int dup3(int oldfd, int newfd, int flags) {
        NativeCalls f = FFM;
        return f != null ? f.dup3(oldfd, newfd, flags) : JnaLibC.result(JnaLibC.LinuxOnly.dup3(oldfd, newfd, flags));
    }

    // ---- io_uring (Linux): raw system calls and ring memory; one block, kept at the end ----

    /**
     * Linux only. {@code syscall(2)} with six integer arguments (unused ones 0): io_uring has no libc
     * wrapper. Bound with a fixed arity, which Linux x86_64 and aarch64 pass in the same registers as
     * the variadic call (the FFM binding declares it variadic all the same).
     */
    public static long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6) {
        NativeCalls f = FFM;
        return f != null ? f.syscall(number, a1, a2, a3, a4, a5, a6) : JnaLibC.result(JnaLibC.Uring.syscall(number, a1, a2, a3, a4, a5, a6));
    }

    /** {@code mmap(2)}; the mapping's address, or {@code -errno} ({@code MAP_FAILED} is -1). */
    public static long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        NativeCalls f = FFM;
        return f != null ? f.mmap(addr, length, prot, flags, fd, offset) : JnaLibC.result(JnaLibC.Uring.mmap(addr, length, prot, flags, fd, offset));
    }

    public static int munmap(long addr, long length) {
        NativeCalls f = FFM;
        return f != null ? f.munmap(addr, length) : JnaLibC.result(JnaLibC.Uring.munmap(addr, length));
    }

    /**
     * A direct buffer over {@code length} bytes of native memory the caller owns (a mapping), native
     * byte order; valid until the caller unmaps it. Allocates: set-up only.
     */
    public static ByteBuffer view(long addr, int length) {
        NativeCalls f = FFM;
        ByteBuffer b = f != null ? f.view(addr, length) : new com.sun.jna.Pointer(addr).getByteBuffer(0, length);
        return b.order(java.nio.ByteOrder.nativeOrder());
    }
}
