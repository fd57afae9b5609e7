package io.edgewise.backend;

import io.edgewise.sys.PollEvents;
import io.edgewise.sys.SocketOps;
import java.io.IOException;

/**
 * A shared readiness poller for waits that must not hold a thread in native code (blocking channel
 * operations on virtual threads, asynchronous connect attempts): each registration watches one
 * descriptor once and runs its callback on the poller's own thread when it is ready.
 *
 * <p>Contract: {@link #register} and {@link #deregister} may be called from any thread; whoever
 * registers calls {@code deregister} before the descriptor can be closed; a callback may still run
 * once after {@code deregister} when the event was already taken, so callbacks compare the token.
 * Registering a descriptor that this poller already watches throws {@code IOException}.
 * Events are {@link SocketOps} poll bits ({@code PollEvents.IN}, {@code PollEvents.OUT}; errors and hang-up are
 * always reported).
 */
public interface ReadyPoller {
    /** Called on the poller thread with the token of the registration and its ready poll events. */
    interface Callback {
        void ready(long token, int events);
    }

    /** A fresh token for {@link #register} (never 0). */
    long newToken();

    /** Watches {@code fd} once for {@code pollEvents}; {@code cb} runs with {@code token} when it fires. */
    void register(int fd, int pollEvents, long token, Callback cb) throws IOException;

    /** Removes the registration (fired or not) and forgets its callback. */
    void deregister(int fd, long token);

    /** The backend's shared poller for input ({@code PollEvents.IN}) or output waits ({@link Backends#readyPoller}). */
    static ReadyPoller forEvents(int pollEvents) {
        return Backends.readyPoller(pollEvents);
    }
}
