package io.edgewise.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgewise.observe.SelectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.util.HashSet;
import java.util.Set;
import javax.management.JMX;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** A selector together with its JMX view, for tests that read the selector's counters. */
public final class SelectorBeans {
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private SelectorBeans() {
    }

    private static Set<ObjectName> selectorNames() throws Exception {
        return new HashSet<>(SERVER.queryNames(new ObjectName("io.edgewise:type=Selector,*"), null));
    }

    /**
     * Opens a selector of {@code provider} into {@code out[0]} and finds its MXBean: the one name that
     * appeared (tests of a class run one at a time).
     */
    public static SelectorMXBean open(SelectorProvider provider, Selector[] out) throws Exception {
        Set<ObjectName> before = selectorNames();
        out[0] = provider.openSelector();
        Set<ObjectName> added = selectorNames();
        added.removeAll(before);
        assertEquals(1, added.size(), "one new selector MXBean: " + added);
        return JMX.newMXBeanProxy(SERVER, added.iterator().next(), SelectorMXBean.class);
    }
}
