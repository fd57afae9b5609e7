package io.edgewise.observe;

import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.EdgewiseSelectionKey;
import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.Trigger;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The provider and selector MXBeans of live selectors, read through the platform MBeanServer. */
@Timeout(60)
class JmxTest {
    private static final EdgewiseSelectorProvider P = new EdgewiseSelectorProvider();
    private static MBeanServer server;

    @BeforeAll
    static void platformServer() {
        // io.edgewise.jmx=auto (the default) registers into a platform MBeanServer that exists
        server = ManagementFactory.getPlatformMBeanServer();
    }

    private static ObjectName selectorName(Selector sel) throws Exception {
        for (ObjectName n : server.queryNames(new ObjectName("io.edgewise:type=Selector,*"), null)) {
            long id = Long.parseLong(n.getKeyProperty("id"));
            SelectorStats s = Observe.SELECTORS.get(id);
            if (s != null && s.keys().stream().anyMatch(k -> k.selector() == sel)) return n;
        }
        throw new AssertionError("no MXBean for " + sel);
    }

    @Test
    void selectorCountersAndKeys() throws Exception {
        try (Selector sel = P.openSelector(); ServerSocketChannel ss = P.openServerSocketChannel()) {
            ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).configureBlocking(false);
            ss.register(sel, SelectionKey.OP_ACCEPT);
            try (SocketChannel c = P.openSocketChannel()) {
                c.connect(ss.getLocalAddress());
                assertEquals(1, sel.select(5_000));
                sel.selectedKeys().clear();
                SocketChannel s = ss.accept();
                s.configureBlocking(false);
                EdgewiseSelectionKey k = (EdgewiseSelectionKey) s.register(sel, SelectionKey.OP_READ);
                k.trigger(Trigger.EDGE).oneshot(true);
                c.write(ByteBuffer.wrap(new byte[5]));
                assertEquals(1, sel.select(5_000));
                sel.selectedKeys().clear();

                ObjectName name = selectorName(sel);
                assertEquals(EdgewiseSelectorProvider.backend(), server.getAttribute(name, "Backend"));
                assertEquals(2, server.getAttribute(name, "RegisteredKeys"));
                assertEquals(2L, server.getAttribute(name, "Selects"));
                assertEquals(2L, server.getAttribute(name, "KeysSelected"));
                assertEquals(1.0, (Double) server.getAttribute(name, "EventsPerSelect"), 1e-9);
                assertEquals(2L, server.getAttribute(name, "PollCalls"));
                assertEquals(0L, server.getAttribute(name, "Spins"));

                CompositeData[] keys = (CompositeData[]) server.invoke(name, "listKeys", null, null);
                Map<String, CompositeData> byKind = Arrays.stream(keys)
                        .collect(Collectors.toMap(d -> (String) d.get("channelKind"), d -> d));
                CompositeData listener = byKind.get("tcp-listener");
                assertEquals("ACCEPT", listener.get("interest"));
                assertEquals("LEVEL", listener.get("trigger"));
                assertEquals(ss.getLocalAddress().toString(), listener.get("localAddress"));
                assertTrue((Long) listener.get("millisSinceLastEvent") >= 0);
                CompositeData conn = byKind.get("tcp");
                assertEquals("", conn.get("interest"));      // oneshot: fired, so interest is 0
                assertEquals("READ", conn.get("ready"));
                assertEquals("EDGE", conn.get("trigger"));
                assertEquals(Boolean.TRUE, conn.get("oneshot"));
                assertEquals(Boolean.TRUE, conn.get("edgeNotDrained"));
                assertEquals(c.getLocalAddress().toString(), conn.get("remoteAddress"));
                assertTrue((Long) conn.get("millisSinceLastEvent") >= 0);
                s.close();
            }
            ObjectName name = selectorName(sel);
            sel.close();
            assertFalse(server.isRegistered(name), "unregistered when the selector closes");
        }
    }

    @Test
    void providerCountsOpenChannels() throws Exception {
        ObjectName provider = new ObjectName("io.edgewise:type=Provider");
        try (Selector sel = P.openSelector()) {
            assertTrue(server.isRegistered(provider));
            assertEquals(EdgewiseSelectorProvider.backend(), server.getAttribute(provider, "Backend"));
            long before = open(provider, "udp");
            long opened = (Long) server.getAttribute(provider, "ChannelsOpened");
            try (java.nio.channels.DatagramChannel d = P.openDatagramChannel()) {
                assertEquals(before + 1, open(provider, "udp"));
                assertTrue((Long) server.getAttribute(provider, "ChannelsOpened") > opened);
                assertTrue((Long) server.getAttribute(provider, "ChannelDescriptors") >= 1);
                assertTrue((Long) server.getAttribute(provider, "OpenSelectors") >= 1);
            }
            assertEquals(before, open(provider, "udp"));
        }
    }

    @Test
    void closedRegisteredChannelIsADeferredClose() throws Exception {
        ObjectName provider = new ObjectName("io.edgewise:type=Provider");
        try (Selector sel = P.openSelector(); ServerSocketChannel ss = P.openServerSocketChannel()) {
            ss.configureBlocking(false).register(sel, SelectionKey.OP_ACCEPT);
            long before = (Long) server.getAttribute(provider, "DeferredCloses");
            ss.close();
            assertEquals(before + 1, (Long) server.getAttribute(provider, "DeferredCloses"));
            sel.selectNow(); // deregisters the key: the descriptor is closed now
            assertEquals(before, (Long) server.getAttribute(provider, "DeferredCloses"));
        }
    }

    private static long open(ObjectName provider, String kind) throws Exception {
        TabularData t = (TabularData) server.getAttribute(provider, "OpenChannels");
        return (Long) t.get(new Object[] {kind}).get("value");
    }
}
