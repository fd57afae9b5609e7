package io.edgewise.uring;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link UringCompletionIoTest} (backpressure, ENOBUFS, unbinding, ...) with {@link PlainBuffers}. */
@Timeout(120)
@ExtendWith(PlainBuffers.class)
class UringCompletionIoPlainBuffersTest extends UringCompletionIoTest {
}
