package io.edgewise.observe;

import io.edgewise.sys.Platform;
import io.edgewise.EdgewiseSelectionKey;
import io.edgewise.channels.SelChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The counters of one Edgewise selector, its JFR select and spin events, and its MXBean.
 *
 * <h2>Threads</h2>
 * Every counter but {@code wakeupSignals} is a plain field written only by the thread holding the
 * selector's selection lock (so never two writers at once, and no atomic instruction on the select
 * path); {@code wakeupSignals} is written under the selector's wakeup lock. Readers — JMX, the JFR
 * periodic thread — read them without synchronization: a long may be seen a selection operation
 * late (and, on a 32-bit JVM, torn), which a statistic tolerates. {@code listKeys} iterates the
 * selector's concurrent key set.
 */
public final class SelectorStats implements SelectorMXBean {
    /** What the selector knows of a key that its public API does not say. */
    public interface KeyProbe {
        /** {@code System.nanoTime()} when the selector last selected {@code k}; 0 if never. */
        long lastEventNanos(SelectionKey k);

        /** The channel's {@link ChannelTrace#drains()} when edge-triggered {@code k} was last reported readable; -1 if not. */
        long edgeMark(SelectionKey k);
    }

    /** Consecutive spinning selects that make a SelectorSpin event (then 2x, 4x, ... that many). */
    static final long SPIN_THRESHOLD = Math.max(1, Platform.current().settings().spinThreshold());
    private static final AtomicLong IDS = new AtomicLong();

    final long id = IDS.incrementAndGet();
    final String backend;
    private final Selector selector;
    private final KeyProbe probe;
    volatile boolean jmxRegistered;

    // selection lock (see the class comment)
    long selects, emptySelects, wakeups, keysSelected, eventsPolled, interestUpdates, pollCalls, controlCalls,
            wakeupDrains, spins;
    private long spinRun;
    // wakeup lock
    long wakeupSignals;

    private SelectorStats(Selector selector, String backend, KeyProbe probe) {
        this.selector = selector;
        this.backend = backend;
        this.probe = probe;
    }

    /** A selector opened: its statistics, registered for JFR and (see {@link Observe}) JMX. */
    public static SelectorStats open(Selector selector, String backend, KeyProbe probe) {
        SelectorStats s = new SelectorStats(selector, backend, probe);
        Observe.selectorOpened(s);
        return s;
    }

    /** The selector closed. */
    public void closed() {
        Observe.selectorClosed(this);
    }

    /** A native wait call (selection lock). */
    public void countPoll() {
        pollCalls++;
    }

    /** A native registration change (selection lock). */
    public void countControl() {
        controlCalls++;
    }

    /** A queued key change applied (selection lock). */
    public void countInterestUpdate() {
        interestUpdates++;
    }

    /** The selecting thread consumed a wakeup signal (its native read; selection lock). */
    public void countWakeupDrain() {
        wakeupDrains++;
    }

    /** A wakeup that signalled the poller (wakeup lock). */
    public void countWakeupSignal() {
        wakeupSignals++;
    }

    /** Before the poll of a selection operation: its JFR event, or null when not recorded. */
    public Object beginSelect() {
        return Jfr.active() ? Emit.beginSelect() : null;
    }

    /**
     * After a selection operation: {@code timeout} as asked (-1 forever, 0 selectNow, else millis),
     * {@code polled} events from the backend, {@code updated} keys (the return value), {@code woken}
     * whether a wakeup ended it or was pending.
     */
    public void selected(Object event, long timeout, int polled, int updated, boolean woken) {
        selects++;
        eventsPolled += polled;
        keysSelected += updated;
        if (woken) wakeups++;
        if (updated == 0) {
            emptySelects++;
            // a select that could block came back at once with nothing, and no wakeup explains it
            if (timeout != 0 && !woken && (polled > 0 || timeout < 0)) {
                spun(polled);
            } else {
                spinRun = 0;
            }
        } else {
            spinRun = 0;
        }
        if (event != null) Emit.endSelect(event, this, timeout, polled, updated, registeredKeys(), woken);
    }

    private void spun(int polled) {
        long run = ++spinRun;
        if (run >= SPIN_THRESHOLD && Long.bitCount(run / SPIN_THRESHOLD) == 1 && run % SPIN_THRESHOLD == 0) {
            spins++;
            if (Jfr.active()) Emit.spin(this, run, registeredKeys(), selectedKeys(), polled);
        }
    }

    private int registeredKeys() {
        try {
            return selector.keys().size();
        } catch (RuntimeException closed) {
            return 0;
        }
    }

    private int selectedKeys() {
        try {
            return selector.selectedKeys().size();
        } catch (RuntimeException closed) {
            return 0;
        }
    }

    // ---- MXBean

    @Override public long getId() { return id; }
    @Override public String getBackend() { return backend; }
    @Override public int getRegisteredKeys() { return registeredKeys(); }
    @Override public long getSelects() { return selects; }
    @Override public long getEmptySelects() { return emptySelects; }
    @Override public long getWakeups() { return wakeups; }
    @Override public long getWakeupSignals() { return wakeupSignals; }
    @Override public long getWakeupDrains() { return wakeupDrains; }
    @Override public long getKeysSelected() { return keysSelected; }
    @Override public long getEventsPolled() { return eventsPolled; }
    @Override public long getInterestUpdates() { return interestUpdates; }
    @Override public long getPollCalls() { return pollCalls; }
    @Override public long getControlCalls() { return controlCalls; }
    @Override public long getSpins() { return spins; }

    @Override
    public double getEventsPerSelect() {
        long s = selects;
        return s == 0 ? 0 : (double) keysSelected / s;
    }

    @Override
    public List<KeyInfo> listKeys() {
        List<KeyInfo> out = new ArrayList<>();
        long now = System.nanoTime();
        for (SelectionKey k : keys()) {
            out.add(describe(k, now));
        }
        return out;
    }

    /** The selector's keys now (empty once closed). */
    List<SelectionKey> keys() {
        try {
            return new ArrayList<>(selector.keys());
        } catch (RuntimeException closed) {
            return List.of();
        }
    }

    private KeyInfo describe(SelectionKey k, long now) {
        boolean valid = k.isValid();
        String interest = "cancelled", ready = "cancelled", trigger = "", kind = "";
        boolean oneshot = false;
        if (k instanceof EdgewiseSelectionKey) {
            EdgewiseSelectionKey ek = (EdgewiseSelectionKey) k;
            trigger = ek.trigger().name();
            oneshot = ek.oneshot();
        }
        try {
            interest = ops(k.interestOps());
            ready = ops(k.readyOps());
        } catch (RuntimeException cancelled) {
            valid = false;
        }
        ChannelTrace t = traceOf(k);
        if (t != null) kind = t.kind.label;
        long last = probe.lastEventNanos(k);
        return new KeyInfo(String.valueOf(k.channel()), kind, address(k, true), address(k, false),
                valid ? interest : "cancelled", valid ? ready : "cancelled", trigger, oneshot, k.channel().isOpen(),
                edgeNotDrained(k, t), last == 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(now - last));
    }

    boolean edgeNotDrained(SelectionKey k, ChannelTrace t) {
        long mark = probe.edgeMark(k);
        return t != null && mark >= 0 && k.isValid() && k.channel().isOpen() && t.drains() == mark;
    }

    long nanosSinceLastEvent(SelectionKey k, long now) {
        long last = probe.lastEventNanos(k);
        return last == 0 ? -1 : now - last;
    }

    static ChannelTrace traceOf(SelectionKey k) {
        return k.channel() instanceof SelChannel ? ((SelChannel) k.channel()).trace() : null;
    }

    private static String address(SelectionKey k, boolean local) {
        try {
            if (local && k.channel() instanceof NetworkChannel) {
                return String.valueOf(((NetworkChannel) k.channel()).getLocalAddress());
            }
            if (!local && k.channel() instanceof SocketChannel) {
                return String.valueOf(((SocketChannel) k.channel()).getRemoteAddress());
            }
        } catch (Exception closed) {
            // closed: no address
        }
        return null;
    }

    static String ops(int ops) {
        StringBuilder sb = new StringBuilder();
        if ((ops & SelectionKey.OP_READ) != 0) sb.append("READ|");
        if ((ops & SelectionKey.OP_WRITE) != 0) sb.append("WRITE|");
        if ((ops & SelectionKey.OP_CONNECT) != 0) sb.append("CONNECT|");
        if ((ops & SelectionKey.OP_ACCEPT) != 0) sb.append("ACCEPT|");
        return sb.length() == 0 ? "" : sb.substring(0, sb.length() - 1);
    }
}
