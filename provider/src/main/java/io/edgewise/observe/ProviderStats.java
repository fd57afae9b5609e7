package io.edgewise.observe;

import java.util.concurrent.atomic.LongAdder;

/**
 * Provider-wide channel counts. Channels are counted when they are opened, closed and when their
 * descriptor is finally closed — never on a data path. {@link LongAdder}s spread the updates of
 * threads opening and closing channels at once over cells, so they do not contend on one word.
 */
final class ProviderStats {
    private ProviderStats() { }

    private static final ChannelKind[] KINDS = ChannelKind.values();
    static final LongAdder[] OPENED = adders(), CLOSED = adders();
    /** Descriptors of channels really closed (after a deferred close: at deregistration). */
    static final LongAdder RELEASED = new LongAdder();
    static final LongAdder SELECTORS_OPENED = new LongAdder(), SELECTORS_CLOSED = new LongAdder();

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[KINDS.length];
        for (int i = 0; i < a.length; i++) a[i] = new LongAdder();
        return a;
    }

    /** Channels of {@code kind} open now (closed ones awaiting their descriptor's close excluded). */
    static long open(ChannelKind kind) {
        return Math.max(0, OPENED[kind.ordinal()].sum() - CLOSED[kind.ordinal()].sum());
    }

    static long openedTotal() {
        long n = 0;
        for (LongAdder a : OPENED) n += a.sum();
        return n;
    }

    static long closedTotal() {
        long n = 0;
        for (LongAdder a : CLOSED) n += a.sum();
        return n;
    }

    /** Descriptors channels hold: open channels plus closed ones a selector has not let go yet. */
    static long descriptors() {
        return Math.max(0, openedTotal() - RELEASED.sum());
    }

    /** Closed channels whose descriptor is still open (a selector holds it until its next selection). */
    static long deferredCloses() {
        return Math.max(0, closedTotal() - RELEASED.sum());
    }

    static long openSelectors() {
        return Math.max(0, SELECTORS_OPENED.sum() - SELECTORS_CLOSED.sum());
    }
}
