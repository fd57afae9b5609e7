package io.edgewise.regression;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgewise.EdgewiseSelectorProvider;
import java.lang.management.ManagementFactory;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The provider's count of closed channels whose descriptor is still open (JMX {@code DeferredCloses})
 * follows stream channels, Edgewise only (found by mutation testing, scripts/mutation.sh channels: the
 * JMX test closes a listener only): a stream channel closed while unregistered releases its descriptor
 * at once; one closed while registered counts as deferred until the selector lets it go.
 */
@Timeout(60)
class StreamDescriptorReleaseCountTest {
    private static final EdgewiseSelectorProvider P = new EdgewiseSelectorProvider();

    private static MBeanServer server;

    @BeforeAll
    static void platformServer() {
        // made before the test's selector opens: the provider registers into a server that exists
        server = ManagementFactory.getPlatformMBeanServer();
    }

    private static long deferred() throws Exception {
        return (Long) server.getAttribute(new ObjectName("io.edgewise:type=Provider"), "DeferredCloses");
    }

    @Test
    void aStreamChannelsDescriptorIsCountedReleasedWhenItReallyCloses() throws Exception {
        try (Selector sel = P.openSelector(); ServerSocketChannel ssc = Pair.listen(P); Pair c = Pair.open(P, ssc)) {
            long before = deferred();
            c.peer.close(); // not registered: released at once
            assertEquals(before, deferred(), "an unregistered close is no deferred close");
            c.client.configureBlocking(false);
            c.client.register(sel, SelectionKey.OP_READ);
            sel.selectNow();
            c.client.close();
            assertEquals(before + 1, deferred(), "a registered close is deferred");
            sel.selectNow(); // deregisters: the descriptor really closes
            assertEquals(before, deferred(), "released at deregistration");
        }
    }
}
