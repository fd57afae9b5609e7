package io.edgewise.sys.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.sys.NativeMemory;
import io.edgewise.sys.Platform;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The door's one errno rule (issue 20): every call returns its errno with its result ({@code -errno}),
 * data and set-up calls alike, on whichever binding serves (run with {@code -Dio.edgewise.binding=jna} on
 * JDK 22+ for JNA's), so a call made in between cannot change it and callers read nothing afterwards.
 * Every failing call below is checked for its exact {@code -errno} (none of them EPERM, so a call that went
 * back to "-1 and errno" fails here), and every call of the door must be in the list.
 */
@Timeout(20)
class ErrnoRuleTest {
    private static final int EPERM = 1, ENOENT = 2, EBADF = 9, EAGAIN = 11, EFAULT = 14, EINVAL = 22,
            EAFNOSUPPORT = 97, ENOSYS = 38;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(64);
    private final long addr = NativeMemory.address(buf);

    /** Door methods that return no errno: addresses, strings, views, limits, the array-I/O flag's calls. */
    private static final Set<String> NOT_CALLS = Set.of("address", "strerror", "view", "fdLimit", "fdLimitFromProc",
            "load");

    @Test
    void dataCallsReturnMinusErrno() {
        Assumptions.assumeTrue(Platform.Os.isLinux(), "Linux errno numbers");
        assertEquals(-EBADF, LibC.read(-1, addr, 1));
        assertEquals(-EBADF, LibC.write(-1, addr, 1));
        assertEquals(-EBADF, LibC.recv(-1, addr, 1, 0));
        assertEquals(-EBADF, LibC.send(-1, addr, 1, 0));
        assertEquals(-EBADF, LibC.recvfrom(-1, addr, 1, 0, 0L, 0L));
        assertEquals(-EBADF, LibC.sendto(-1, addr, 1, 0, 0L, 0));
        assertEquals(-EBADF, LibC.accept(-1, 0L, 0L));
        assertEquals(-EBADF, LibC.accept4(-1, 0L, 0L, 0));
        assertEquals(-EBADF, LibC.connect(-1, addr, 16));
        assertEquals(-EBADF, LibC.epoll_wait(-1, addr, 1, 0));
        buf.putLong(0, addr).putLong(8, 1);  // one iovec over the buffer itself
        assertEquals(-EBADF, LibC.readv(-1, addr, 1));
        assertEquals(-EBADF, LibC.writev(-1, addr, 1));
        assertEquals(-EBADF, LibC.sendmsg(-1, addr, 0));
        assertEquals(-EFAULT, LibC.poll(0L, 1, 0));
    }

    /** Every set-up call's failure, with the errno Linux gives it. */
    private Map<String, LongSupplier> setUpFailures() {
        Map<String, LongSupplier> m = new LinkedHashMap<>();
        m.put("socket", () -> LibC.socket(-1, 1, 0));
        m.put("socketpair", () -> LibC.socketpair(-1, 1, 0, addr));
        m.put("bind", () -> LibC.bind(-1, addr, 16));
        m.put("listen", () -> LibC.listen(-1, 1));
        m.put("getsockname", () -> LibC.getsockname(-1, addr, addr + 32));
        m.put("getpeername", () -> LibC.getpeername(-1, addr, addr + 32));
        m.put("shutdown", () -> LibC.shutdown(-1, 0));
        m.put("setsockopt", () -> LibC.setsockopt(-1, 1, 2, addr, 4));
        m.put("getsockopt", () -> LibC.getsockopt(-1, 1, 2, addr, addr + 32));
        m.put("close", () -> LibC.close(-1));
        m.put("pipe", () -> LibC.pipe(0L));
        m.put("pipe2", () -> LibC.pipe2(addr, -1));
        m.put("eventfd", () -> LibC.eventfd(0, -1));
        m.put("fcntl", () -> LibC.fcntl(-1, 3 /* F_GETFL */, 0));
        m.put("ioctl", () -> LibC.ioctl(-1, 0x541B /* FIONREAD */, addr));
        m.put("epoll_create1", () -> LibC.epoll_create1(-1));
        m.put("epoll_ctl", () -> LibC.epoll_ctl(-1, 1, 0, addr));
        m.put("dup2", () -> LibC.dup2(-1, 1000));
        m.put("dup3", () -> LibC.dup3(-1, 1000, 0));
        m.put("open", () -> LibC.open("/nonexistent-edgewise/x", 0));
        m.put("munmap", () -> LibC.munmap(1L, 4096));
        m.put("mmap", () -> LibC.mmap(0L, 0L, 1 /* PROT_READ */, 0x22 /* PRIVATE|ANONYMOUS */, -1, 0L));
        m.put("syscall", () -> LibC.syscall(426 /* io_uring_enter */, -1, 0, 0, 0, 0, 0));
        return m;
    }

    private static final Map<String, Integer> SET_UP_ERRNO = Map.ofEntries(
            Map.entry("socket", EAFNOSUPPORT), Map.entry("socketpair", EAFNOSUPPORT), Map.entry("bind", EBADF),
            Map.entry("listen", EBADF), Map.entry("getsockname", EBADF), Map.entry("getpeername", EBADF),
            Map.entry("shutdown", EBADF), Map.entry("setsockopt", EBADF), Map.entry("getsockopt", EBADF),
            Map.entry("close", EBADF), Map.entry("pipe", EFAULT), Map.entry("pipe2", EINVAL),
            Map.entry("eventfd", EINVAL), Map.entry("fcntl", EBADF), Map.entry("ioctl", EBADF),
            Map.entry("epoll_create1", EINVAL), Map.entry("epoll_ctl", EBADF), Map.entry("dup2", EBADF),
            Map.entry("dup3", EBADF), Map.entry("open", ENOENT), Map.entry("munmap", EINVAL),
            Map.entry("mmap", EINVAL));

    @Test
    void setUpCallsReturnMinusErrnoToo() {
        Assumptions.assumeTrue(Platform.Os.isLinux(), "Linux errno numbers");
        setUpFailures().forEach((name, call) -> {
            long r = call.getAsLong();
            if (name.equals("syscall")) {
                // io_uring_enter on -1: EBADF, or ENOSYS/EPERM where io_uring is off; never -1 by accident
                assertTrue(r == -EBADF || r == -ENOSYS || r == -EPERM, "syscall: -errno, not " + r);
            } else {
                assertEquals(-SET_UP_ERRNO.get(name), r, name + ": -errno with the result");
            }
        });
    }

    /** A new call through the door must be listed here (and so follow the rule). */
    @Test
    void everyCallOfTheDoorIsChecked() {
        Set<String> door = new TreeSet<>();
        for (Method m : LibC.class.getDeclaredMethods()) {
            int mod = m.getModifiers();
            if (Modifier.isStatic(mod) && Modifier.isPublic(mod) && !NOT_CALLS.contains(m.getName())) {
                door.add(m.getName());
            }
        }
        Set<String> checked = new TreeSet<>(setUpFailures().keySet());
        checked.addAll(Set.of("read", "write", "recv", "send", "recvfrom", "sendto", "accept", "accept4", "connect",
                "epoll_wait", "readv", "writev", "sendmsg", "poll", "readArray", "writeArray", "recvArray", "sendArray"));
        assertEquals(checked, door, "LibC's calls and the ones this test checks");
    }

    @Test
    void theErrnoIsTheCallsOwnEvenWhenAnotherCallFailsAfterIt() throws Exception {
        Assumptions.assumeTrue(Platform.Os.isLinux(), "Linux errno numbers");
        long fds = Platform.pipeOps().pipe();
        int r = (int) fds, w = (int) (fds >>> 32);
        try {
            long n = LibC.read(r, addr, 8);               // empty non-blocking pipe: EAGAIN
            assertEquals(-EBADF, LibC.close(-1));        // a later failure (EBADF) through the door
            assertEquals(-EAGAIN, n);
            buf.putLong(0, 7L);
            assertEquals(1, LibC.write(w, addr, 1));
            assertEquals(1, LibC.read(r, addr + 8, 8), "a success is the count, as before");
            buf.putInt(16, r).putShort(20, (short) 1).putShort(22, (short) 0);
            assertTrue(LibC.poll(addr + 16, 1, 0) >= 0);
        } finally {
            LibC.close(r);
            LibC.close(w);
        }
    }

    @Test
    void theArrayCallsReturnMinusErrno() {
        Assumptions.assumeTrue(Platform.Os.isLinux() && LibC.ARRAY_IO, "array I/O (FFM binding)");
        byte[] a = new byte[8];
        assertEquals(-EBADF, LibC.readArray(-1, a, 0, 8));
        assertEquals(-EBADF, LibC.writeArray(-1, a, 0, 8));
        assertEquals(-EBADF, LibC.recvArray(-1, a, 0, 8, 0));
        assertEquals(-EBADF, LibC.sendArray(-1, a, 0, 8, 0));
    }
}
