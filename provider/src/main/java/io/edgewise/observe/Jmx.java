package io.edgewise.observe;

import io.edgewise.sys.Platform;
import io.edgewise.EdgewiseSelectorProvider;
import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

/**
 * Registers the MXBeans: {@code io.edgewise:type=Provider} and {@code io.edgewise:type=Selector,id=N}
 * per open selector, unregistered when it closes. See {@link Observe} for {@code io.edgewise.jmx}.
 * In "auto" mode the platform MBeanServer is used only once something else created it; until then
 * each selector opening checks again (one synchronized list copy), and the first one that finds it
 * registers the provider and every open selector.
 *
 * <p>Threads: all registration decisions are made under the class monitor ({@code server},
 * {@code providerRegistered} and the selectors' {@code jmxRegistered} flags), so an unregistration
 * never overtakes the registration of the same selector.
 */
final class Jmx {
    private Jmx() { }

    static final String MODE = mode();
    private static MBeanServer server;
    /** Set once the MXBeans are registered (channels opened from then on are traced in full). */
    private static volatile boolean serving;

    /** Whether Edgewise's MXBeans are registered in an MBeanServer. */
    static boolean active() {
        return serving;
    }

    private static String mode() {
        if (!Observe.readable("java.management")) {
            return "false"; // a runtime without it, or a module graph that did not resolve it
        }
        return Platform.current().settings().jmx();
    }

    static ObjectName providerName() throws JMException {
        return new ObjectName("io.edgewise:type=Provider");
    }

    static ObjectName selectorName(long id) throws JMException {
        return new ObjectName("io.edgewise:type=Selector,id=" + id);
    }

    static synchronized void selectorOpened(SelectorStats s) {
        if (MODE.equals("false")) return;
        try {
            if (server == null) {
                MBeanServer found = findServer();
                if (found == null) return;
                server = found;
                server.registerMBean(new Provider(), providerName());
                serving = true;
                for (SelectorStats o : Observe.selectors()) {
                    register(o);
                }
            } else {
                register(s);
            }
        } catch (JMException | SecurityException e) {
            // JMX is a convenience: never fail a selector's opening for it
        }
    }

    private static MBeanServer findServer() {
        if (MODE.equals("true")) {
            return ManagementFactory.getPlatformMBeanServer();
        }
        // "auto": only a server that exists already (the platform one is made through this factory)
        List<MBeanServer> servers = MBeanServerFactory.findMBeanServer(null);
        return servers.isEmpty() ? null : ManagementFactory.getPlatformMBeanServer();
    }

    private static void register(SelectorStats s) throws JMException {
        if (!s.jmxRegistered && Observe.SELECTORS.containsKey(s.id)) {
            server.registerMBean(s, selectorName(s.id));
            s.jmxRegistered = true;
        }
    }

    static synchronized void selectorClosed(SelectorStats s) {
        if (!s.jmxRegistered) return;
        s.jmxRegistered = false;
        try {
            server.unregisterMBean(selectorName(s.id));
        } catch (JMException | SecurityException e) {
            // already gone
        }
    }

    /** The provider MXBean. */
    static final class Provider implements ProviderMXBean {
        @Override public String getBackend() { return EdgewiseSelectorProvider.backend(); }
        @Override public String getBinding() { return Observe.binding(); }
        @Override public long getOpenSelectors() { return ProviderStats.openSelectors(); }
        @Override public long getChannelDescriptors() { return ProviderStats.descriptors(); }
        @Override public long getDeferredCloses() { return ProviderStats.deferredCloses(); }
        @Override public long getChannelsOpened() { return ProviderStats.openedTotal(); }
        @Override public long getChannelsClosed() { return ProviderStats.closedTotal(); }

        @Override
        public Map<String, Long> getOpenChannels() {
            Map<String, Long> m = new LinkedHashMap<>();
            for (ChannelKind k : ChannelKind.values()) {
                m.put(k.label, ProviderStats.open(k));
            }
            return m;
        }
    }
}
