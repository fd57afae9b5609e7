package io.edgewise.sys.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The descriptor limit the FFM binding reads from /proc/self/limits is getrlimit's hard limit. */
@Timeout(30)
class FdLimitTest {
    @Test
    void procLimitsGiveGetrlimitsHardLimit() {
        ByteBuffer rlim = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        assertEquals(0, JnaLibC.getrlimit(LibC.RLIMIT_NOFILE_LINUX, LibC.address(rlim)));
        long max = rlim.getLong(8);
        int expected = max < 0 || max > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) max;
        assertEquals(expected, LibC.fdLimitFromProc());
    }
}
