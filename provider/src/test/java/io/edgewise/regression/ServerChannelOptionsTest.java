package io.edgewise.regression;

import static java.nio.channels.SelectionKey.OP_ACCEPT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.edgewise.conformance.ProviderTest;
import io.edgewise.testing.OpenDescriptors;
import java.net.StandardSocketOptions;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.spi.SelectorProvider;
import org.junit.jupiter.api.Timeout;

/**
 * Options of a listening channel, on the JDK's provider and on Edgewise (found by mutation testing,
 * scripts/mutation.sh channels): {@code setOption} returns the channel, an option of another kind of
 * socket is rejected by both calls, a bad value is rejected, a closed channel still held by a selector
 * (its close deferred) rejects both calls, and option calls leave no descriptor behind once it is closed.
 */
@Timeout(60)
class ServerChannelOptionsTest {

    @ProviderTest
    void optionCallsFollowTheContract(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = p.openServerSocketChannel()) {
            assertSame(ssc, ssc.setOption(StandardSocketOptions.SO_RCVBUF, 65536));
            assertSame(ssc, ssc.setOption(StandardSocketOptions.SO_REUSEADDR, true));
            assertEquals(true, ssc.getOption(StandardSocketOptions.SO_REUSEADDR));
            assertThrows(UnsupportedOperationException.class, () -> ssc.setOption(StandardSocketOptions.TCP_NODELAY, true));
            assertThrows(UnsupportedOperationException.class, () -> ssc.getOption(StandardSocketOptions.TCP_NODELAY));
            assertThrows(IllegalArgumentException.class, () -> ssc.setOption(StandardSocketOptions.SO_RCVBUF, -1));
            assertThrows(NullPointerException.class, () -> ssc.setOption(null, 1));
        }
    }

    @ProviderTest
    void aClosedListenerASelectorStillHoldsRejectsOptionCalls(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector()) {
            ServerSocketChannel ssc = p.openServerSocketChannel();
            ssc.configureBlocking(false).register(sel, OP_ACCEPT);
            ssc.close(); // the descriptor stays open until the selector deregisters the key
            assertThrows(ClosedChannelException.class, () -> ssc.getOption(StandardSocketOptions.SO_RCVBUF));
            assertThrows(ClosedChannelException.class, () -> ssc.setOption(StandardSocketOptions.SO_RCVBUF, 4096));
            sel.selectNow();
        }
    }

    @ProviderTest
    void optionCallsLeaveNoDescriptorAfterClose(SelectorProvider p) throws Exception {
        p.openServerSocketChannel().close(); // warm-up
        OpenDescriptors.assertNoLeak("listener with option calls", () -> {
            ServerSocketChannel ssc = p.openServerSocketChannel();
            ssc.setOption(StandardSocketOptions.SO_RCVBUF, 32768);
            ssc.getOption(StandardSocketOptions.SO_RCVBUF);
            ssc.close();
        });
    }
}
