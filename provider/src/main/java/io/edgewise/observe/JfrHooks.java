package io.edgewise.observe;

import io.edgewise.sys.Settings;
import io.edgewise.EdgewiseSelectorProvider;
import java.nio.channels.SelectionKey;
import java.util.concurrent.TimeUnit;
import jdk.jfr.FlightRecorder;

/**
 * The periodic JFR events: statistics of each selector and of the provider, and the two anomaly scans
 * (closed channels still registered, edge-triggered keys not drained). They are installed once,
 * by the first event emission or selector opening after JFR initialized ({@link Emit}'s class
 * initialization), so a JVM that never records never registers an Edgewise event type. The hooks run on JFR's periodic thread and read the selectors' counters racily
 * (see {@link SelectorStats}).
 */
final class JfrHooks {
    private JfrHooks() { }

    /**
     * How long a condition must hold before a scan reports it as an anomaly
     * ({@code io.edgewise.anomalyMillis}, default 1000; read at each scan).
     */
    static long anomalyNanos() {
        return TimeUnit.MILLISECONDS.toNanos(Settings.anomalyMillis());
    }

    static void install() {
        FlightRecorder.addPeriodicEvent(Events.SelectorStatistics.class, JfrHooks::selectorStatistics);
        FlightRecorder.addPeriodicEvent(Events.ProviderStatistics.class, JfrHooks::providerStatistics);
        FlightRecorder.addPeriodicEvent(Events.ClosedChannelRegistered.class, JfrHooks::closedRegistered);
        FlightRecorder.addPeriodicEvent(Events.EdgeNotDrained.class, JfrHooks::edgeNotDrained);
    }

    static void selectorStatistics() {
        for (SelectorStats s : Observe.selectors()) {
            Events.SelectorStatistics e = new Events.SelectorStatistics();
            e.selectorId = s.id;
            e.backend = s.backend;
            e.registeredKeys = s.getRegisteredKeys();
            e.selects = s.selects;
            e.emptySelects = s.emptySelects;
            e.wakeups = s.wakeups;
            e.keysSelected = s.keysSelected;
            e.eventsPerSelect = s.getEventsPerSelect();
            e.interestUpdates = s.interestUpdates;
            e.pollCalls = s.pollCalls;
            e.controlCalls = s.controlCalls;
            e.wakeupSignals = s.wakeupSignals;
            e.wakeupDrains = s.wakeupDrains;
            e.spins = s.spins;
            e.commit();
        }
    }

    static void providerStatistics() {
        Events.ProviderStatistics e = new Events.ProviderStatistics();
        e.backend = EdgewiseSelectorProvider.backend();
        e.binding = Observe.binding();
        e.openSelectors = ProviderStats.openSelectors();
        e.tcp = ProviderStats.open(ChannelKind.TCP);
        e.tcpListeners = ProviderStats.open(ChannelKind.TCP_LISTENER);
        e.unix = ProviderStats.open(ChannelKind.UNIX);
        e.unixListeners = ProviderStats.open(ChannelKind.UNIX_LISTENER);
        e.datagram = ProviderStats.open(ChannelKind.UDP) + ProviderStats.open(ChannelKind.UNIX_DATAGRAM);
        e.pipeEnds = ProviderStats.open(ChannelKind.PIPE_SOURCE) + ProviderStats.open(ChannelKind.PIPE_SINK);
        e.descriptors = ProviderStats.descriptors();
        e.deferredCloses = ProviderStats.deferredCloses();
        e.commit();
    }

    static void closedRegistered() {
        long now = System.nanoTime(), age = anomalyNanos();
        for (SelectorStats s : Observe.selectors()) {
            for (SelectionKey k : s.keys()) {
                ChannelTrace t = SelectorStats.traceOf(k);
                long closedAt = t == null ? 0 : t.closedAt;
                if (k.channel().isOpen() || closedAt == 0 || now - closedAt < age) continue;
                Events.ClosedChannelRegistered e = new Events.ClosedChannelRegistered();
                e.selectorId = s.id;
                e.channel = String.valueOf(k.channel());
                e.channelKind = t.kind.label;
                e.closedFor = now - closedAt;
                e.commit();
            }
        }
    }

    static void edgeNotDrained() {
        long now = System.nanoTime(), age = anomalyNanos();
        for (SelectorStats s : Observe.selectors()) {
            for (SelectionKey k : s.keys()) {
                ChannelTrace t = SelectorStats.traceOf(k);
                long since = s.nanosSinceLastEvent(k, now);
                if (since < age || !s.edgeNotDrained(k, t)) continue;
                Events.EdgeNotDrained e = new Events.EdgeNotDrained();
                e.selectorId = s.id;
                e.channel = String.valueOf(k.channel());
                e.channelKind = t.kind.label;
                e.sinceEdge = since;
                e.commit();
            }
        }
    }
}
