package io.edgewise.channels;

import java.io.IOException;
import java.nio.channels.Channel;

/**
 * What an Edgewise selector needs of a channel: its descriptor and the translation between
 * {@code SelectionKey} operations and the backend's neutral events ({@link io.edgewise.backend.Poller}).
 */
public interface SelChannel extends Channel {
    /** The descriptor; valid while the channel is registered with a selector (deferred close). */
    int fdVal();

    /** Backend interest events for the key's {@code interestOps}. */
    int translateInterestOps(int ops);

    /**
     * The ready operations for backend {@code events}, given the key's interest set: error and
     * hang-up report every interest operation; otherwise only operations that are in the interest
     * set and make sense in the channel's state (read and write once connected, connect while pending).
     */
    int translateReadyOps(int events, int interestOps);

    /**
     * Called by a selector once the channel is closed and no longer registered anywhere: closes the
     * descriptor when no thread is inside a call on it.
     */
    void kill() throws IOException;

    /**
     * The descriptor's generation: when it differs from the one a selector registered the descriptor
     * under, the selector removes and re-adds it (its file was replaced, or it must be watched afresh).
     * Compared for equality only; 0 for a channel whose descriptor never changes. Read by the selecting
     * thread after {@link #translateInterestOps}, so a channel that bumps it before changing what it
     * asks to be watched is never seen with the new interest and the old generation.
     */
    default int fdGeneration() {
        return 0;
    }

    /**
     * Called by a selector when it created a key for the channel: a channel whose descriptor can change
     * under its keys keeps them, to have them re-evaluated ({@link KeyRewatch}) when it changes.
     */
    default void keyRegistered(java.nio.channels.SelectionKey key) { }

    /** The channel's observability record (bytes, ending, events); null for a channel without one. */
    default io.edgewise.observe.ChannelTrace trace() {
        return null;
    }
}
