package io.edgewise.uring;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link UringReceiveTest} (the ring growing, detaches from other threads) with {@link PlainBuffers}. */
@Timeout(120)
@ExtendWith(PlainBuffers.class)
class UringReceivePlainBuffersTest extends UringReceiveTest {
}
