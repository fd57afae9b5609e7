package io.edgewise;

import io.edgewise.backend.Backends;
import io.edgewise.backend.Poller;
import io.edgewise.channels.KeyRewatch;
import io.edgewise.channels.SelChannel;
import io.edgewise.observe.SelectorStats;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The Edgewise selector: the JDK's {@link Selector} contract over a {@link Poller} backend, plus
 * per-selector defaults for the {@linkplain EdgewiseSelectionKey trigger modes} of keys registered
 * afterwards ({@link #defaultTrigger(Trigger)}, {@link #defaultOneshot(boolean)}).
 *
 * <p>A selection operation is {@code processUpdateQueue → processDeregisterQueue → poll →
 * processDeregisterQueue → processEvents}: interest changes are queued by any thread and applied here,
 * one backend update per key whose watched events changed.
 *
 * <h2>Locks (taken in this order)</h2>
 * <ol>
 * <li>{@code this}: held for a whole selection operation and by {@code close}; guards {@code inSelect},
 *     {@code keysByFd} and the keys' "selector" fields.
 * <li>{@code selectedKeys}: held with {@code this} during selection (as the javadoc specifies).
 * <li>Leaf locks, never held together: {@code cancelledKeys()}, {@code updateLock} (guards
 *     {@code updates} and the keys' {@code updateQueued}), {@code wakeupLock} (guards
 *     {@code pollerClosed}; every change {@link #wakeup()} makes to {@code wakeState}, and its eventfd
 *     write, happen under it).
 * </ol>
 * Channel locks are taken inside these (deregistration, {@code kill}); channels never call into the
 * selector while holding a lock the selector takes first.
 * {@code registerLock} guards {@code registrationsClosed} and every addition to {@code keys}. It is
 * taken alone by {@code close}, and by {@code register} inside the channel's key lock (the JDK's
 * {@code AbstractSelectableChannel.register} calls it so); nothing is taken while it is held.
 * {@code keys} is a concurrent set; {@code defaultTrigger}/{@code defaultOneshot} are volatile.
 *
 * <h2>Lock-free fast paths of a selection</h2>
 * A selection without a pending wakeup, cancelled key or queued interest change takes no lock but
 * {@code this} and {@code selectedKeys}:
 * <ul>
 * <li>{@code wakeState} (atomic, VarHandle) holds {@code PENDING} (a wakeup is due), {@code REWATCH}
 *     (a channel asked for its keys to be watched afresh: an internal wakeup), {@code POLLING}
 *     (the selecting thread is, or is about to be, in a blocking poll) and {@code SIGNALLED} (the
 *     poller was signalled). The selecting thread sets and clears {@code POLLING} by CAS; only
 *     {@code wakeup()} and {@code rewatch} set the others, under {@code wakeupLock}, and the poller is
 *     signalled at most once per poll. When the selecting thread finds more than {@code POLLING} after a
 *     poll it takes {@code wakeupLock} (so a signal in progress has been written) and clears the state,
 *     consuming the signal. An internal wakeup never ends a selection: when nothing was selected and no
 *     {@code wakeup()} came, the selection applies the queued updates and polls again for the time left
 *     (the JDK's {@code select} returns 0 only on timeout, {@code wakeup()} or interrupt).
 * <li>The cancelled-key set and the update queue are read without their lock to see whether they are
 *     empty. A cancel or interest change that happens-before the selection operation (same thread, or
 *     published through any synchronization, e.g. {@code wakeup()}) is seen; one racing with it is
 *     handled by the next selection operation, which the specification allows.
 * </ul>
 */
public final class EdgewiseSelector extends AbstractSelector {
    private final Poller poller;
    private final Set<SelectionKey> keys = ConcurrentHashMap.newKeySet();
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);
    private final SelectedKeySet selectedKeys = new SelectedKeySet();

    private final Object registerLock = new Object();
    /**
     * Set by close before it deregisters the keys: from then on no key joins {@code keys}, so each key
     * close deregisters is one that its channel's {@code register} goes on to record (on JDK 17,
     * deregistering a key its channel never recorded throws NullPointerException).
     */
    private boolean registrationsClosed;

    private final Object updateLock = new Object();
    private ArrayDeque<EdgewiseSelectionKey> updates = new ArrayDeque<>();
    private ArrayDeque<EdgewiseSelectionKey> updatesSpare = new ArrayDeque<>();

    private static final int PENDING = 1, POLLING = 2, SIGNALLED = 4, REWATCH = 8;
    private static final VarHandle WAKE_STATE;
    static {
        try {
            WAKE_STATE = MethodHandles.lookup().findVarHandle(EdgewiseSelector.class, "wakeState", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        KeyRewatch.install(k -> ((EdgewiseSelector) k.selector()).rewatch((EdgewiseSelectionKey) k));
    }

    private final Object wakeupLock = new Object();
    /** {@code PENDING | POLLING | SIGNALLED | REWATCH}; see the class comment. */
    private volatile int wakeState;
    private boolean pollerClosed;

    private EdgewiseSelectionKey[] keysByFd = new EdgewiseSelectionKey[64];
    private boolean inSelect;

    private volatile Trigger defaultTrigger = Trigger.LEVEL;
    private volatile boolean defaultOneshot;
    /** Counters and events (io.edgewise.observe); its fields follow this class's locks. */
    private final SelectorStats stats;

    EdgewiseSelector(SelectorProvider provider) throws IOException {
        super(provider);
        this.poller = Backends.open();
        this.stats = SelectorStats.open(this, Backends.name(), KEY_PROBE);
    }

    private static final SelectorStats.KeyProbe KEY_PROBE = new SelectorStats.KeyProbe() {
        @Override
        public long lastEventNanos(SelectionKey k) {
            return ((EdgewiseSelectionKey) k).lastEventNanos;
        }

        @Override
        public long edgeMark(SelectionKey k) {
            return ((EdgewiseSelectionKey) k).edgeMark;
        }
    };

    // ---- extended options

    /** Trigger mode of keys registered from now on (default {@link Trigger#LEVEL}). */
    public EdgewiseSelector defaultTrigger(Trigger mode) {
        defaultTrigger = Objects.requireNonNull(mode, "mode");
        return this;
    }

    public Trigger defaultTrigger() {
        return defaultTrigger;
    }

    /** Whether keys registered from now on are oneshot (default false). */
    public EdgewiseSelector defaultOneshot(boolean on) {
        defaultOneshot = on;
        return this;
    }

    public boolean defaultOneshot() {
        return defaultOneshot;
    }

    // ---- key sets

    private void ensureOpen() {
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
    }

    @Override
    public Set<SelectionKey> keys() {
        ensureOpen();
        return publicKeys;
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        ensureOpen();
        return selectedKeys;
    }

    // ---- registration

    @Override
    protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object att) {
        if (!(ch instanceof SelChannel)) {
            throw new IllegalSelectorException();
        }
        ensureOpen();
        EdgewiseSelectionKey k = new EdgewiseSelectionKey((SelChannel) ch, this, defaultTrigger, defaultOneshot);
        if (att != null) {
            k.attach(att);
        }
        synchronized (registerLock) {
            if (registrationsClosed) {
                throw new ClosedSelectorException(); // lost a race with close(): the key was never visible
            }
            keys.add(k);
        }
        k.interestOps(ops);
        k.selChannel().keyRegistered(k);
        return k;
    }

    /** Queues a key whose interest or mode changed; never throws, even when closed (JDK-8336339). */
    void queueUpdate(EdgewiseSelectionKey k) {
        synchronized (updateLock) {
            if (!k.updateQueued) {
                k.updateQueued = true;
                updates.addLast(k);
            }
        }
    }

    /**
     * {@link KeyRewatch}: what the key's channel wants watched changed (an {@code ASYNC_RESOLVE} connect
     * started or ended, perhaps with a new file behind the descriptor, which its
     * {@linkplain SelChannel#fdGeneration() generation} tells): queue the key's update, and make a
     * blocked selection go round without returning so that it is applied now. Never throws.
     */
    void rewatch(EdgewiseSelectionKey k) {
        queueUpdate(k);
        synchronized (wakeupLock) {
            if (pollerClosed) return;
            for (;;) {
                int s = wakeState;
                if ((s & (PENDING | REWATCH)) != 0) {
                    return; // the selection goes round (or returns and the next one applies it) anyway
                }
                boolean signal = (s & (POLLING | SIGNALLED)) == POLLING;
                if (WAKE_STATE.compareAndSet(this, s, s | REWATCH | (signal ? SIGNALLED : 0))) {
                    if (signal) {
                        try {
                            poller.wakeup();
                        } catch (IOException e) {
                            // the poller's wakeup fails only when it is closed: nothing left to wake
                        }
                    }
                    return;
                }
            }
        }
    }

    // ---- selection

    private int lockAndDoSelect(Consumer<SelectionKey> action, long timeout) throws IOException {
        synchronized (this) {
            ensureOpen();
            if (inSelect) {
                throw new IllegalStateException("select in progress");
            }
            inSelect = true;
            try {
                synchronized (selectedKeys) {
                    return doSelect(action, timeout);
                }
            } finally {
                inSelect = false;
            }
        }
    }

    @Override
    public int select(long timeout) throws IOException {
        if (timeout < 0) throw new IllegalArgumentException("Negative timeout");
        return lockAndDoSelect(null, timeout == 0 ? -1 : timeout);
    }

    @Override
    public int select() throws IOException {
        return lockAndDoSelect(null, -1);
    }

    @Override
    public int selectNow() throws IOException {
        return lockAndDoSelect(null, 0);
    }

    @Override
    public int select(Consumer<SelectionKey> action, long timeout) throws IOException {
        Objects.requireNonNull(action);
        if (timeout < 0) throw new IllegalArgumentException("Negative timeout");
        return lockAndDoSelect(action, timeout == 0 ? -1 : timeout);
    }

    @Override
    public int select(Consumer<SelectionKey> action) throws IOException {
        Objects.requireNonNull(action);
        return lockAndDoSelect(action, -1);
    }

    @Override
    public int selectNow(Consumer<SelectionKey> action) throws IOException {
        Objects.requireNonNull(action);
        return lockAndDoSelect(action, 0);
    }

    /** {@code timeout}: -1 none, 0 poll only, else milliseconds. */
    private int doSelect(Consumer<SelectionKey> action, long timeout) throws IOException {
        assert Thread.holdsLock(this) && Thread.holdsLock(selectedKeys);
        final long requested = timeout;
        long deadline = timeout > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout) : 0;
        Object event = stats.beginSelect();
        for (;;) {
            processUpdateQueue();
            processDeregisterQueue();

            long to = timeout;
            // before a poll the state is 0, PENDING or REWATCH: announce a blocking poll unless one is due
            if (to != 0 && !WAKE_STATE.compareAndSet(this, 0, POLLING)) {
                to = 0;
            }
            boolean blocking = to != 0;
            int n;
            int woken = 0;
            try {
                if (blocking) begin();
                n = pollWithRetry(to);
            } finally {
                if (blocking) end();
                int s = wakeState;
                if (s != 0 && !(s == POLLING && WAKE_STATE.compareAndSet(this, POLLING, 0))) {
                    // a wakeup came (and maybe signalled the poller): consume it
                    synchronized (wakeupLock) {
                        s = wakeState;
                        wakeState = 0;
                        if ((s & SIGNALLED) != 0) {
                            stats.countWakeupDrain();
                            poller.clearWakeup();
                        }
                    }
                    woken = s;
                }
            }
            processDeregisterQueue();
            int updated = processEvents(n, action);
            if (updated != 0 || timeout == 0 || (woken & REWATCH) == 0 || (woken & PENDING) != 0) {
                stats.selected(event, requested, n, updated, (woken & PENDING) != 0);
                return updated;
            }
            // only an internal wakeup ended the poll: apply what it queued and wait for the time left
            if (timeout > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    stats.selected(event, requested, n, 0, false);
                    return 0;
                }
                timeout = (left + 999_999) / 1_000_000;
            }
        }
    }

    /** epoll_wait and friends, retried on EINTR with the time that is left. */
    private int pollWithRetry(long timeout) throws IOException {
        long deadline = timeout > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeout) : 0;
        for (;;) {
            stats.countPoll();
            int n = poller.poll(timeout);
            if (n >= 0) {
                return n;
            }
            if (timeout > 0) {
                timeout = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (timeout <= 0) {
                    return 0;
                }
            }
            if ((wakeState & PENDING) != 0) return 0;
        }
    }

    private void processUpdateQueue() throws IOException {
        assert Thread.holdsLock(this);
        if (updates.isEmpty()) {
            return; // read without the lock: see the class comment
        }
        ArrayDeque<EdgewiseSelectionKey> batch;
        synchronized (updateLock) {
            if (updates.isEmpty()) {
                return;
            }
            batch = updates;
            updates = updatesSpare;
            updatesSpare = batch;
            for (EdgewiseSelectionKey k : batch) {
                k.updateQueued = false;
            }
        }
        EdgewiseSelectionKey k;
        while ((k = batch.pollFirst()) != null) {
            if (!k.isValid()) {
                continue;
            }
            stats.countInterestUpdate();
            int ops = k.rawInterestOps();
            int events = 0;
            if (ops != 0) {
                events = k.selChannel().translateInterestOps(ops);
                if (k.trigger() == Trigger.EDGE) events |= Poller.EDGE;
                if (k.oneshot()) events |= Poller.ONESHOT;
            }
            int registered = k.registeredEvents;
            // read after translateInterestOps (see SelChannel.fdGeneration)
            byte generation = (byte) k.selChannel().fdGeneration();
            if (generation != k.registeredGeneration) {
                // a fresh registration: the kernel's registration (if any) belongs to the file the
                // number had before, so remove it (the backend tolerates finding it gone) and add anew
                removeFromBackend(k);
                k.registeredGeneration = generation;
                k.disarmed = false;
                registered = 0;
            }
            if (events == registered && !(k.disarmed && events != 0)) {
                continue;
            }
            if (events == 0 && k.disarmed) {
                continue; // disarmed oneshot: the backend reports nothing, no call needed
            }
            int fd = k.selChannel().fdVal();
            stats.countControl();
            if (events != 0 && k.channel() instanceof io.edgewise.sys.InputHost) {
                poller.offer(fd, (io.edgewise.sys.InputHost) k.channel()); // a backend may serve its reads
            }
            poller.update(fd, registered, events);
            k.registeredEvents = events;
            k.disarmed = false;
            if (events == 0) {
                keysByFd[fd] = null;
            } else if (registered == 0) {
                if (fd >= keysByFd.length) {
                    keysByFd = java.util.Arrays.copyOf(keysByFd, Math.max(fd + 1, keysByFd.length * 2));
                }
                keysByFd[fd] = k;
            }
        }
    }

    private void processDeregisterQueue() throws IOException {
        assert Thread.holdsLock(this) && Thread.holdsLock(selectedKeys);
        Set<SelectionKey> cks = cancelledKeys();
        if (cks.isEmpty()) {
            return; // read without the lock: see the class comment
        }
        SelectionKey[] cancelled;
        synchronized (cks) {
            if (cks.isEmpty()) {
                return;
            }
            cancelled = cks.toArray(new SelectionKey[0]);
            cks.clear();
        }
        for (SelectionKey sk : cancelled) {
            EdgewiseSelectionKey k = (EdgewiseSelectionKey) sk;
            removeFromBackend(k);
            if (k.channel() instanceof io.edgewise.sys.InputHost) {
                poller.deregistered(k.selChannel().fdVal(), (io.edgewise.sys.InputHost) k.channel());
            }
            selectedKeys.remove(k);
            keys.remove(k);
            deregister(k);
            SelectableChannel ch = k.channel();
            if (!ch.isOpen() && !ch.isRegistered()) {
                k.selChannel().kill();
            }
        }
    }

    private void removeFromBackend(EdgewiseSelectionKey k) throws IOException {
        assert Thread.holdsLock(this);
        int registered = k.registeredEvents;
        if (registered != 0) {
            int fd = k.selChannel().fdVal();
            stats.countControl();
            poller.update(fd, registered, 0);
            k.registeredEvents = 0;
            if (fd < keysByFd.length && keysByFd[fd] == k) {
                keysByFd[fd] = null;
            }
        }
    }

    private int processEvents(int n, Consumer<SelectionKey> action) throws IOException {
        assert Thread.holdsLock(this) && Thread.holdsLock(selectedKeys);
        int updated = 0;
        long now = n > 0 ? System.nanoTime() : 0; // for "time since last event" (observe)
        EdgewiseSelectionKey[] byFd = keysByFd;
        for (int i = 0; i < n; i++) {
            int fd = poller.descriptor(i);
            EdgewiseSelectionKey k = fd >= 0 && fd < byFd.length ? byFd[fd] : null;
            if (k == null || !k.isValid()) {
                continue;
            }
            boolean oneshot = (k.registeredEvents & Poller.ONESHOT) != 0;
            if (oneshot) {
                k.disarmed = true;
            }
            int interest = k.rawInterestOps();
            int ready = k.selChannel().translateReadyOps(poller.events(i), interest);
            boolean counted;
            if (action != null) {
                k.setReadyOps(ready);
                counted = (ready & interest) != 0;
                if (counted) {
                    if (oneshot) k.disarmInterest(interest);
                    action.accept(k);
                    ensureOpen();
                }
            } else if (selectedKeys.containsKey(k)) {
                int old = k.rawReadyOps();
                k.setReadyOps(old | ready);
                counted = (ready & ~old) != 0;
                if (counted && oneshot) k.disarmInterest(interest);
            } else {
                k.setReadyOps(ready);
                counted = (ready & interest) != 0;
                if (counted) {
                    if (oneshot) k.disarmInterest(interest);
                    selectedKeys.addKey(k);
                }
            }
            if (counted) {
                updated++;
                k.lastEventNanos = now;
                if ((k.registeredEvents & Poller.EDGE) != 0) edgeReported(k, ready);
            } else if (oneshot) {
                queueUpdate(k); // fired without selecting the key: re-arm with its interest
            }
        }
        return updated;
    }

    /** An edge-triggered key was reported: remember the channel's drain count if it was for input (observe). */
    private static void edgeReported(EdgewiseSelectionKey k, int ready) {
        io.edgewise.observe.ChannelTrace t;
        if ((ready & (SelectionKey.OP_READ | SelectionKey.OP_ACCEPT)) != 0 && (t = k.selChannel().trace()) != null) {
            k.edgeMark = t.drains();
        }
    }

    // ---- wakeup and close

    @Override
    public Selector wakeup() {
        // always under the lock, also when a wakeup is already due: what the caller did before
        // happens-before the selection that consumes it (which takes the lock when it finds PENDING)
        synchronized (wakeupLock) {
            if (pollerClosed) {
                return this;
            }
            for (;;) {
                int s = wakeState;
                if ((s & PENDING) != 0) {
                    return this;
                }
                // the selecting thread may clear POLLING at the same time: CAS; a poller a rewatch
                // signalled already is not signalled twice (one signal per poll, consumed after it)
                boolean signal = (s & (POLLING | SIGNALLED)) == POLLING;
                if (WAKE_STATE.compareAndSet(this, s, s | PENDING | (signal ? SIGNALLED : 0))) {
                    if (signal) {
                        stats.countWakeupSignal();
                        try {
                            poller.wakeup();
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                    return this;
                }
            }
        }
    }

    @Override
    protected void implCloseSelector() throws IOException {
        wakeup();
        synchronized (this) {
            synchronized (selectedKeys) {
                synchronized (wakeupLock) {
                    pollerClosed = true;
                }
                stats.closed();
                synchronized (registerLock) {
                    registrationsClosed = true;
                }
                poller.close();
                Iterator<SelectionKey> it = keys.iterator();
                while (it.hasNext()) {
                    EdgewiseSelectionKey k = (EdgewiseSelectionKey) it.next();
                    k.registeredEvents = 0;
                    deregister(k);
                    SelectableChannel ch = k.channel();
                    if (!ch.isOpen() && !ch.isRegistered()) {
                        k.selChannel().kill();
                    }
                    selectedKeys.remove(k);
                    it.remove();
                }
                java.util.Arrays.fill(keysByFd, null);
                Set<SelectionKey> cks = cancelledKeys();
                synchronized (cks) {
                    cks.clear();
                }
            }
        }
    }
}
