package io.edgewise.sys.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.sys.NativeMemory;
import io.edgewise.sys.Platform;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The door's errno rule (issue 20): a data call returns its errno with its result ({@code -errno}), on
 * whichever binding serves (run with {@code -Dio.edgewise.binding=jna} on JDK 22+ for JNA's), so a
 * call made in between cannot change it and callers read nothing afterwards.
 */
@Timeout(20)
class ErrnoRuleTest {
    private static final int EBADF = 9, EAGAIN = 11; // Linux's numbers
    private final ByteBuffer buf = ByteBuffer.allocateDirect(64);
    private final long addr = NativeMemory.address(buf);

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
    }

    @Test
    void theErrnoIsTheCallsOwnEvenWhenAnotherCallFailsAfterIt() throws Exception {
        Assumptions.assumeTrue(Platform.Os.isLinux(), "Linux errno numbers");
        long fds = Platform.pipeOps().pipe();
        int r = (int) fds, w = (int) (fds >>> 32);
        try {
            long n = LibC.read(r, addr, 8);               // empty non-blocking pipe: EAGAIN
            assertEquals(-1, LibC.close(-1));            // a later failure (EBADF) through the door
            assertEquals(-EAGAIN, n);
            assertEquals(EBADF, LibC.errno(), "the other calls keep -1 and errno()");
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
}
