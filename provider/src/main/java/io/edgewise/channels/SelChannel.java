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

    /** Called by a selector when it created a key for the channel (channels that move their descriptor keep them). */
    default void keyRegistered(java.nio.channels.SelectionKey key) { }

    /** The channel's observability record (bytes, ending, events); null for a channel without one. */
    default io.edgewise.observe.ChannelTrace trace() {
        return null;
    }
}
