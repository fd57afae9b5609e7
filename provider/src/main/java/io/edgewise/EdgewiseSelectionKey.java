package io.edgewise;

import io.edgewise.channels.SelChannel;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectionKey;

/**
 * The selection key of an {@link EdgewiseSelector}: a {@link SelectionKey} with the JDK's contract,
 * plus a per-key {@linkplain #trigger() trigger mode} and {@linkplain #oneshot() oneshot} flag.
 *
 * <p><b>Oneshot</b>: when the key is selected its interest set becomes 0 (visible through
 * {@link #interestOps()}), so it is not selected again until the application sets interest again
 * with {@link #interestOps(int)} — which re-arms it. Combine with {@link Trigger#EDGE} freely.
 * A change of mode takes effect like an interest change: at the next selection operation.
 *
 * <p>Concurrency: {@code interestOps} is atomic (VarHandle) and may be changed by any thread;
 * {@code readyOps} is written only by the selecting thread (volatile, read by any). The fields marked
 * "selector" are touched only by the thread holding the selector's selection lock;
 * {@code updateQueued} is guarded by the selector's update lock; {@code selectedIndex} by the
 * selected-key set's monitor.
 */
public final class EdgewiseSelectionKey extends AbstractSelectionKey {
    private static final VarHandle INTEREST;
    static {
        try {
            INTEREST = MethodHandles.lookup().findVarHandle(EdgewiseSelectionKey.class, "interestOps", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final SelChannel channel;
    private final EdgewiseSelector selector;
    private volatile int interestOps;
    private volatile int readyOps;
    private volatile Trigger trigger;
    private volatile boolean oneshot;

    /** selector: the events the backend watches (0 = not registered). */
    int registeredEvents;
    /** selector: the channel's {@code fdGeneration()} (mod 256) when the backend last had it added. */
    byte registeredGeneration;
    /** selector: a oneshot registration fired and the backend has it disarmed. */
    boolean disarmed;
    /** selector (read racily by JMX): System.nanoTime() when last selected, 0 never (observe). */
    long lastEventNanos;
    /** selector (read racily): the channel's drain count when an edge key was reported readable, else -1. */
    long edgeMark = -1;
    /** update lock: the key is in the selector's update queue. */
    boolean updateQueued;
    /** selected-key set: slot in the set, -1 when not selected. */
    int selectedIndex = -1;

    EdgewiseSelectionKey(SelChannel channel, EdgewiseSelector selector, Trigger trigger, boolean oneshot) {
        this.channel = channel;
        this.selector = selector;
        this.trigger = trigger;
        this.oneshot = oneshot;
    }

    SelChannel selChannel() {
        return channel;
    }

    @Override
    public SelectableChannel channel() {
        return (SelectableChannel) channel;
    }

    @Override
    public Selector selector() {
        return selector;
    }

    private void ensureValid() {
        if (!isValid()) {
            throw new CancelledKeyException();
        }
    }

    private void checkOps(int ops) {
        if ((ops & ~channel().validOps()) != 0) {
            throw new IllegalArgumentException();   // the JDK's carries no message
        }
    }

    @Override
    public int interestOps() {
        ensureValid();
        return interestOps;
    }

    @Override
    public SelectionKey interestOps(int ops) {
        ensureValid();
        checkOps(ops);
        int old = (int) INTEREST.getAndSet(this, ops);
        // oneshot: setting interest re-arms, even to the value it had before it fired
        if (ops != old || oneshot) {
            selector.queueUpdate(this);
        }
        return this;
    }

    @Override
    public int interestOpsOr(int ops) {
        ensureValid();
        checkOps(ops);
        int old = (int) INTEREST.getAndBitwiseOr(this, ops);
        if (old != (old | ops)) {
            selector.queueUpdate(this);
        }
        return old;
    }

    @Override
    public int interestOpsAnd(int ops) {
        ensureValid();
        int old = (int) INTEREST.getAndBitwiseAnd(this, ops);
        if (old != (old & ops)) {
            selector.queueUpdate(this);
        }
        return old;
    }

    @Override
    public int readyOps() {
        ensureValid();
        return readyOps;
    }

    /** Interest without the validity check (selector). */
    int rawInterestOps() {
        return interestOps;
    }

    /** Clears interest after a oneshot selection unless the application changed it meanwhile. */
    void disarmInterest(int expected) {
        INTEREST.compareAndSet(this, expected, 0);
    }

    int rawReadyOps() {
        return readyOps;
    }

    void setReadyOps(int ops) {
        assert Thread.holdsLock(selector); // written by the selecting thread only
        readyOps = ops;
    }

    /** The key's trigger mode. */
    public Trigger trigger() {
        return trigger;
    }

    /**
     * Sets the key's trigger mode; takes effect at the next selection operation.
     *
     * @throws CancelledKeyException if the key is cancelled
     */
    public EdgewiseSelectionKey trigger(Trigger mode) {
        java.util.Objects.requireNonNull(mode, "mode");
        ensureValid();
        if (trigger != mode) {
            trigger = mode;
            selector.queueUpdate(this);
        }
        return this;
    }

    /** Whether the key is oneshot. */
    public boolean oneshot() {
        return oneshot;
    }

    /**
     * Makes the key oneshot or not; takes effect at the next selection operation.
     *
     * @throws CancelledKeyException if the key is cancelled
     */
    public EdgewiseSelectionKey oneshot(boolean on) {
        ensureValid();
        if (oneshot != on) {
            oneshot = on;
            selector.queueUpdate(this);
        }
        return this;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("channel=").append(channel).append(", selector=").append(selector);
        if (isValid()) {
            sb.append(", interestOps=").append(interestOps).append(", readyOps=").append(readyOps)
              .append(", trigger=").append(trigger).append(oneshot ? ", oneshot" : "");
        } else {
            sb.append(", invalid");
        }
        return sb.toString();
    }
}
