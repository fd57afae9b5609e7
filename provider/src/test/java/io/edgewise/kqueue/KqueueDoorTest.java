package io.edgewise.kqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.sys.bsd.KqueueConstants;
import io.edgewise.sys.bsd.KqueueLibrary;
import io.edgewise.sys.posix.Binding;
import io.edgewise.sys.posix.LibC;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The kqueue calls go through the C library door's binding (issue 20): FFM on JDK 22+ unless
 * {@code -Dio.edgewise.binding=jna}, JNA before, and return {@code -errno} with the result. Runs where a
 * kqueue is (on Linux: {@code -Dio.edgewise.kqueue.library=/path/to/libkqueue.so.0}, scripts/kqueue-suite.sh).
 */
@Timeout(20)
class KqueueDoorTest {
    @BeforeEach
    void needKqueue() {
        Assumptions.assumeTrue(KqueueLibrary.available(), "no kqueue here (" + System.getProperty("os.name")
                + "): on Linux run with -D" + KqueueConstants.LIBRARY_PROPERTY + "=/path/to/libkqueue.so.0");
    }

    @Test
    void theBindingIsTheCLibrarysOne() {
        assertEquals(Binding.name(), KqueueLibrary.binding());
        if (Runtime.version().feature() >= 22 && !"jna".equals(System.getProperty(Binding.PROPERTY))) {
            assertEquals("ffm", KqueueLibrary.binding(), "FFM on 22+");
        }
    }

    @Test
    void failuresReturnMinusErrno() {
        KqueueConstants k = KqueueLibrary.K;
        int r = KqueueLibrary.kevent(-1, 0L, 0, 0L, 0, 0L);
        // a kernel says EBADF; libkqueue, which looks the kqueue up in its own table, ENOENT
        assertTrue(r == -k.ebadf || r == -k.enoent, "-errno, not -1: " + r);
        int kq = KqueueLibrary.kqueue();
        assertTrue(kq >= 0, "a kqueue: " + kq);
        try {
            assertEquals(0, KqueueLibrary.kevent(kq, 0L, 0, 0L, 0, 0L), "no changes, no events: at once");
        } finally {
            assertEquals(0, LibC.close(kq));
            KqueueLibrary.afterClose();
        }
    }
}
