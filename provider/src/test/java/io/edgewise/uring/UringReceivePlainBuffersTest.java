package io.edgewise.uring;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;

/**
 * {@link UringReceiveTest} (the ring growing, detaches from other threads) with a whole provided buffer per
 * receive, as on kernels before 6.12, where this machine's kernel consumes buffers incrementally by default:
 * both modes run on one CI kernel. The setting is read when a selector makes its buffer ring.
 */
@Timeout(120)
class UringReceivePlainBuffersTest extends UringReceiveTest {
    private static String before;

    @BeforeAll
    static void plainBuffers() {
        before = System.getProperty("io.edgewise.uring.test.bufferMode");
        System.setProperty("io.edgewise.uring.test.bufferMode", "plain");
    }

    @AfterAll
    static void restore() {
        if (before == null) System.clearProperty("io.edgewise.uring.test.bufferMode");
        else System.setProperty("io.edgewise.uring.test.bufferMode", before);
    }
}
