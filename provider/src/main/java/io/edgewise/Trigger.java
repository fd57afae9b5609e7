package io.edgewise;

/**
 * When an {@link EdgewiseSelector} reports a key: the trigger mode of an {@link EdgewiseSelectionKey}.
 */
public enum Trigger {
    /**
     * The JDK's contract (the default): the key is selected by every selection operation while its
     * channel is ready for an operation in its interest set.
     */
    LEVEL,
    /**
     * The key is selected when its channel <em>becomes</em> ready for an operation in its interest
     * set — new data, new send space after a full buffer, a new connection — and not again for that
     * operation until new readiness arrives. A reader must therefore read until {@code read} returns 0
     * (or stop early, keeping its own note to come back, as {@link EdgeReader} does); data left unread
     * produces no further selection. Portable rule: on IOCP a key is reported again only after a call
     * came back short or would-block; epoll and kqueue also report new arrivals while data is unread.
     */
    EDGE
}
