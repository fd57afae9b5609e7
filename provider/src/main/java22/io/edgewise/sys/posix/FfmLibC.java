package io.edgewise.sys.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The FFM binding of {@link LibC} (JDK 22+): one downcall handle per function, errno captured into a
 * per-thread segment. Short calls that never block on our non-blocking descriptors are "critical"
 * (no thread-state transition; the array variants may pass Java heap arrays, so heap buffers need no
 * copy); calls that can wait ({@code poll}, {@code epoll_wait}, {@code close}) are ordinary downcalls,
 * except {@code epoll_wait} with a zero timeout ({@code selectNow}), which cannot wait.
 * Pointers are passed as raw {@code long}s (the same registers as a pointer on LP64 Unix).
 * Functions only some systems have ({@link #optional}) are looked up at start, and their handle is
 * null where the system lacks them; callers check the platform's constants first. The variadic
 * {@code fcntl}, {@code ioctl} and {@code open} are bound as variadic (Apple Silicon passes those
 * arguments on the stack).
 */
final class FfmLibC implements NativeCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final MemoryLayout STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET =
            STATE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

    /** Per-thread errno capture area; lives as long as its thread uses it. */
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE_LAYOUT));

    private static MethodHandle h(String name, boolean critical, ValueLayout ret, ValueLayout... args) {
        MemorySegment sym = LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc: " + name));
        FunctionDescriptor fd = FunctionDescriptor.of(ret, args);
        return critical
                ? LINKER.downcallHandle(sym, fd, ERRNO, Linker.Option.critical(false))
                : LINKER.downcallHandle(sym, fd, ERRNO);
    }

    /** A critical handle, or null when this C library has no such function (e.g. accept4 on macOS). */
    private static MethodHandle optional(String name, ValueLayout ret, ValueLayout... args) {
        return LIBC.find(name).isPresent() ? h(name, true, ret, args) : null;
    }

    private static final ValueLayout I = JAVA_INT, L = JAVA_LONG;
    private static final MethodHandle SOCKET = h("socket", true, I, I, I, I);
    private static final MethodHandle SOCKETPAIR = h("socketpair", true, I, I, I, I, L);
    private static final MethodHandle BIND = h("bind", true, I, I, L, I);
    private static final MethodHandle LISTEN = h("listen", true, I, I, I);
    private static final MethodHandle ACCEPT = h("accept", true, I, I, L, L);
    private static final MethodHandle ACCEPT4 = optional("accept4", I, I, L, L, I);
    private static final MethodHandle CONNECT = h("connect", true, I, I, L, I);
    private static final MethodHandle GETSOCKNAME = h("getsockname", true, I, I, L, L);
    private static final MethodHandle GETPEERNAME = h("getpeername", true, I, I, L, L);
    private static final MethodHandle SHUTDOWN = h("shutdown", true, I, I, I);
    private static final MethodHandle SETSOCKOPT = h("setsockopt", true, I, I, I, I, L, I);
    private static final MethodHandle GETSOCKOPT = h("getsockopt", true, I, I, I, I, L, L);
    private static final MethodHandle SEND = h("send", true, L, I, L, L, I);
    private static final MethodHandle RECV = h("recv", true, L, I, L, L, I);
    private static final MethodHandle SENDMSG = h("sendmsg", true, L, I, L, I);
    private static final MethodHandle READ = h("read", true, L, I, L, L);
    private static final MethodHandle READV = h("readv", true, L, I, L, I);
    private static final MethodHandle WRITE = h("write", true, L, I, L, L);
    private static final MethodHandle WRITEV = h("writev", true, L, I, L, I);
    private static final MethodHandle CLOSE = h("close", false, I, I);
    private static final MethodHandle PIPE = h("pipe", true, I, L);
    private static final MethodHandle PIPE2 = optional("pipe2", I, L, I);
    private static final MethodHandle EVENTFD = optional("eventfd", I, I, I);
    private static final MethodHandle POLL = h("poll", false, I, L, L, I);
    private static final boolean EPOLL = LIBC.find("epoll_wait").isPresent();
    private static final MethodHandle EPOLL_CREATE1 = optional("epoll_create1", I, I);
    private static final MethodHandle EPOLL_CTL = optional("epoll_ctl", I, I, I, I, L);
    private static final MethodHandle EPOLL_WAIT = EPOLL ? h("epoll_wait", false, I, I, L, I, I) : null;
    private static final MethodHandle EPOLL_WAIT_NOW = optional("epoll_wait", I, I, L, I, I);
    private static final MethodHandle FCNTL = variadic("fcntl", I, 2, I, I, I);
    private static final MethodHandle IOCTL = variadic("ioctl", I, 2, I, L, L);
    private static final MethodHandle SENDTO = h("sendto", true, L, I, L, L, I, L, I);
    private static final MethodHandle RECVFROM = h("recvfrom", true, L, I, L, L, I, L, L);
    private static final MethodHandle DUP2 = h("dup2", true, I, I, I);
    private static final MethodHandle DUP3 = optional("dup3", I, I, I, I);
    private static final MethodHandle OPEN = variadic("open", I, 2, ADDRESS, I);
    private static final MethodHandle GETRLIMIT = h("getrlimit", true, I, I, L);
    private static final MethodHandle STRERROR = LINKER.downcallHandle(
            LIBC.find("strerror").orElseThrow(), FunctionDescriptor.of(ADDRESS, I));
    private static final MethodHandle READ_ARRAY = LINKER.downcallHandle(LIBC.find("read").orElseThrow(),
            FunctionDescriptor.of(L, I, ADDRESS, L), ERRNO, Linker.Option.critical(true));
    private static final MethodHandle WRITE_ARRAY = LINKER.downcallHandle(LIBC.find("write").orElseThrow(),
            FunctionDescriptor.of(L, I, ADDRESS, L), ERRNO, Linker.Option.critical(true));
    private static final MethodHandle RECV_ARRAY = LINKER.downcallHandle(LIBC.find("recv").orElseThrow(),
            FunctionDescriptor.of(L, I, ADDRESS, L, I), ERRNO, Linker.Option.critical(true));
    private static final MethodHandle SEND_ARRAY = LINKER.downcallHandle(LIBC.find("send").orElseThrow(),
            FunctionDescriptor.of(L, I, ADDRESS, L, I), ERRNO, Linker.Option.critical(true));

    private static MethodHandle variadic(String name, ValueLayout ret, int firstVariadic, ValueLayout... args) {
        return LINKER.downcallHandle(LIBC.find(name).orElseThrow(), FunctionDescriptor.of(ret, args), ERRNO,
                Linker.Option.firstVariadicArg(firstVariadic));
    }

    private static MemorySegment st() {
        return STATE.get();
    }

    private static RuntimeException fail(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    /** A call's result, or {@code -errno} from the state this very call captured into {@code s}. */
    private static long result(MemorySegment s, long r) {
        return r < 0 ? -s.get(JAVA_INT, ERRNO_OFFSET) : r;
    }

    private static int result(MemorySegment s, int r) {
        return r < 0 ? -s.get(JAVA_INT, ERRNO_OFFSET) : r;
    }

    @Override
    public long readArray(int fd, byte[] a, int off, int len) {
        MemorySegment s = st();
        try {
            return result(s, (long) READ_ARRAY.invokeExact(s, fd, MemorySegment.ofArray(a).asSlice(off, len), (long) len));
        } catch (Throwable t) { throw fail(t); }
    }

    @Override
    public long writeArray(int fd, byte[] a, int off, int len) {
        MemorySegment s = st();
        try {
            return result(s, (long) WRITE_ARRAY.invokeExact(s, fd, MemorySegment.ofArray(a).asSlice(off, len), (long) len));
        } catch (Throwable t) { throw fail(t); }
    }

    @Override
    public long recvArray(int fd, byte[] a, int off, int len, int flags) {
        MemorySegment s = st();
        try {
            return result(s, (long) RECV_ARRAY.invokeExact(s, fd, MemorySegment.ofArray(a).asSlice(off, len), (long) len, flags));
        } catch (Throwable t) { throw fail(t); }
    }

    @Override
    public long sendArray(int fd, byte[] a, int off, int len, int flags) {
        MemorySegment s = st();
        try {
            return result(s, (long) SEND_ARRAY.invokeExact(s, fd, MemorySegment.ofArray(a).asSlice(off, len), (long) len, flags));
        } catch (Throwable t) { throw fail(t); }
    }

    @Override public int socket(int domain, int type, int protocol) {
        MemorySegment s = st();
        try { return result(s, (int) SOCKET.invokeExact(s, domain, type, protocol)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int socketpair(int domain, int type, int protocol, long sv) {
        MemorySegment s = st();
        try { return result(s, (int) SOCKETPAIR.invokeExact(s, domain, type, protocol, sv)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int bind(int fd, long addr, int addrlen) {
        MemorySegment s = st();
        try { return result(s, (int) BIND.invokeExact(s, fd, addr, addrlen)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int listen(int fd, int backlog) {
        MemorySegment s = st();
        try { return result(s, (int) LISTEN.invokeExact(s, fd, backlog)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int accept(int fd, long addr, long addrlenPtr) {
        MemorySegment s = st();
        try { return result(s, (int) ACCEPT.invokeExact(s, fd, addr, addrlenPtr)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int accept4(int fd, long addr, long addrlenPtr, int flags) {
        MemorySegment s = st();
        try { return result(s, (int) ACCEPT4.invokeExact(s, fd, addr, addrlenPtr, flags)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int connect(int fd, long addr, int addrlen) {
        MemorySegment s = st();
        try { return result(s, (int) CONNECT.invokeExact(s, fd, addr, addrlen)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int getsockname(int fd, long addr, long addrlenPtr) {
        MemorySegment s = st();
        try { return result(s, (int) GETSOCKNAME.invokeExact(s, fd, addr, addrlenPtr)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int getpeername(int fd, long addr, long addrlenPtr) {
        MemorySegment s = st();
        try { return result(s, (int) GETPEERNAME.invokeExact(s, fd, addr, addrlenPtr)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int shutdown(int fd, int how) {
        MemorySegment s = st();
        try { return result(s, (int) SHUTDOWN.invokeExact(s, fd, how)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int setsockopt(int fd, int level, int optname, long optval, int optlen) {
        MemorySegment s = st();
        try { return result(s, (int) SETSOCKOPT.invokeExact(s, fd, level, optname, optval, optlen)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int getsockopt(int fd, int level, int optname, long optval, long optlenPtr) {
        MemorySegment s = st();
        try { return result(s, (int) GETSOCKOPT.invokeExact(s, fd, level, optname, optval, optlenPtr)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public long send(int fd, long buf, long len, int flags) {
        MemorySegment s = st();
        try { return result(s, (long) SEND.invokeExact(s, fd, buf, len, flags)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public long recv(int fd, long buf, long len, int flags) {
        MemorySegment s = st();
        try { return result(s, (long) RECV.invokeExact(s, fd, buf, len, flags)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public long sendmsg(int fd, long msg, int flags) {
        MemorySegment s = st();
        try { return result(s, (long) SENDMSG.invokeExact(s, fd, msg, flags)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public long read(int fd, long buf, long count) {
        MemorySegment s = st();
        try { return result(s, (long) READ.invokeExact(s, fd, buf, count)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public long readv(int fd, long iov, int iovcnt) {
        MemorySegment s = st();
        try { return result(s, (long) READV.invokeExact(s, fd, iov, iovcnt)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public long write(int fd, long buf, long count) {
        MemorySegment s = st();
        try { return result(s, (long) WRITE.invokeExact(s, fd, buf, count)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public long writev(int fd, long iov, int iovcnt) {
        MemorySegment s = st();
        try { return result(s, (long) WRITEV.invokeExact(s, fd, iov, iovcnt)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int close(int fd) {
        MemorySegment s = st();
        try { return result(s, (int) CLOSE.invokeExact(s, fd)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int pipe(long pipefd) {
        MemorySegment s = st();
        try { return result(s, (int) PIPE.invokeExact(s, pipefd)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int pipe2(long pipefd, int flags) {
        MemorySegment s = st();
        try { return result(s, (int) PIPE2.invokeExact(s, pipefd, flags)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int eventfd(int initval, int flags) {
        MemorySegment s = st();
        try { return result(s, (int) EVENTFD.invokeExact(s, initval, flags)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int poll(long fds, long nfds, int timeout) {
        MemorySegment s = st();
        try { return result(s, (int) POLL.invokeExact(s, fds, nfds, timeout)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int fcntl(int fd, int cmd, int arg) {
        MemorySegment s = st();
        try { return result(s, (int) FCNTL.invokeExact(s, fd, cmd, arg)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int ioctl(int fd, long request, long argp) {
        MemorySegment s = st();
        try { return result(s, (int) IOCTL.invokeExact(s, fd, request, argp)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int epoll_create1(int flags) {
        MemorySegment s = st();
        try { return result(s, (int) EPOLL_CREATE1.invokeExact(s, flags)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int epoll_ctl(int epfd, int op, int fd, long event) {
        MemorySegment s = st();
        try { return result(s, (int) EPOLL_CTL.invokeExact(s, epfd, op, fd, event)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int epoll_wait(int epfd, long events, int maxevents, int timeout) {
        MemorySegment s = st();
        try {
            return result(s, timeout == 0
                    ? (int) EPOLL_WAIT_NOW.invokeExact(s, epfd, events, maxevents, timeout)
                    : (int) EPOLL_WAIT.invokeExact(s, epfd, events, maxevents, timeout));
        } catch (Throwable t) {
            throw fail(t);
        }
    }
    @Override public String strerror(int errnum) {
        try {
            MemorySegment p = (MemorySegment) STRERROR.invokeExact(errnum);
            return p.reinterpret(1024).getString(0);
        } catch (Throwable t) { throw fail(t); }
    }
    @Override public long sendto(int fd, long buf, long len, int flags, long addr, int addrlen) {
        MemorySegment s = st();
        try { return result(s, (long) SENDTO.invokeExact(s, fd, buf, len, flags, addr, addrlen)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public long recvfrom(int fd, long buf, long len, int flags, long addr, long addrlenPtr) {
        MemorySegment s = st();
        try { return result(s, (long) RECVFROM.invokeExact(s, fd, buf, len, flags, addr, addrlenPtr)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int dup2(int oldfd, int newfd) {
        MemorySegment s = st();
        try { return result(s, (int) DUP2.invokeExact(s, oldfd, newfd)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int open(String path, int flags) {
        MemorySegment s = st();
        try (Arena a = Arena.ofConfined()) {
            return result(s, (int) OPEN.invokeExact(s, a.allocateFrom(path), flags));
        } catch (Throwable t) { throw fail(t); }
    }
    @Override public int getrlimit(int resource, long rlim) {
        MemorySegment s = st();
        try { return result(s, (int) GETRLIMIT.invokeExact(s, resource, rlim)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int dup3(int oldfd, int newfd, int flags) {
        MemorySegment s = st();
        try { return result(s, (int) DUP3.invokeExact(s, oldfd, newfd, flags)); } catch (Throwable t) { throw fail(t); }
    }

    // ---- io_uring (Linux): one block, kept at the end ----
    // syscall is variadic in C and declared so; not critical: io_uring_enter may wait
    private static final MethodHandle SYSCALL = LIBC.find("syscall").isPresent()
            ? variadic("syscall", L, 1, L, L, L, L, L, L, L) : null;
    private static final MethodHandle MMAP = h("mmap", true, L, L, L, I, I, I, L);
    private static final MethodHandle MUNMAP = h("munmap", true, I, L, L);

    @Override public long syscall(long number, long a1, long a2, long a3, long a4, long a5, long a6) {
        MemorySegment s = st();
        try { return result(s, (long) SYSCALL.invokeExact(s, number, a1, a2, a3, a4, a5, a6)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        MemorySegment s = st();
        try { return result(s, (long) MMAP.invokeExact(s, addr, length, prot, flags, fd, offset)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public int munmap(long addr, long length) {
        MemorySegment s = st();
        try { return result(s, (int) MUNMAP.invokeExact(s, addr, length)); } catch (Throwable t) { throw fail(t); }
    }
    @Override public java.nio.ByteBuffer view(long addr, int length) {
        return MemorySegment.ofAddress(addr).reinterpret(length).asByteBuffer();
    }
}
