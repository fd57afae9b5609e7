package io.edgewise.channels;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.EdgewiseSelectorProvider;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The channels' documented lock preconditions are asserted (tests run with {@code -ea}): an accept
 * outside {@code ioLock} fails with AssertionError before any system call.
 */
@Timeout(30)
class LockAssertChannelsTest {
    @Test
    void acceptDescriptorNeedsTheIoLock() throws Exception {
        try (ServerSocketChannel ssc = new EdgewiseSelectorProvider().openServerSocketChannel()) {
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            ssc.configureBlocking(false);
            ListeningChannel lc = (ListeningChannel) ssc;
            AtomicInteger calls = new AtomicInteger();
            ListeningChannel.AcceptCall call = f -> {
                calls.incrementAndGet();
                return io.edgewise.sys.SocketOps.UNAVAILABLE;
            };
            assertThrows(AssertionError.class, () -> lc.acceptDescriptor(call, -1));
            assertTrue(calls.get() == 0, "no accept call made without the lock");
            lc.core.ioLock.lock();
            try {
                lc.acceptDescriptor(call, -1);
            } finally {
                lc.core.ioLock.unlock();
            }
            assertTrue(calls.get() == 1);
        }
    }
}
