package io.edgewise.backend;

import java.io.Closeable;
import java.io.IOException;

/**
 * The backend contract: what the selector asks of an OS readiness queue (epoll, kqueue, IOCP/AFD).
 *
 * <h2>Events</h2>
 * Interest and readiness are sets of the neutral bits {@link #IN}, {@link #OUT} (also "connected"),
 * plus, in readiness only, {@link #ERR} and {@link #HUP} (error/hang-up; the selector reports them as
 * every interest op ready, so the next read or write surfaces the error) and {@link #RDHUP} (peer
 * closed its write side; reported as {@link #IN}). Interest may carry the mode flags {@link #EDGE}
 * and {@link #ONESHOT}:
 * <ul>
 * <li>LEVEL (neither flag): an event is delivered by every {@link #poll} while the condition holds.
 * <li>EDGE: delivered once per transition to ready (new data, new send space, a new connection), not
 *     again until new readiness arrives. epoll: {@code EPOLLET}; kqueue: {@code EV_CLEAR}; AFD: a poll
 *     resubmitted only after the reader saw "would block".
 * <li>ONESHOT: after one delivery the descriptor is disarmed until {@link #update} is called again for
 *     it, even with the same events. epoll: {@code EPOLLONESHOT} re-armed by {@code EPOLL_CTL_MOD};
 *     kqueue: {@code EV_DISPATCH} re-armed by {@code EV_ENABLE}; AFD: polls are one-shot by nature, so
 *     no resubmission until re-armed.
 * </ul>
 *
 * <h2>Calls and threads</h2>
 * {@link #update}, {@link #poll}, {@link #clearWakeup} and {@link #close} are called only by the thread
 * that holds the selector's selection lock (one at a time). {@link #wakeup} may be called by any thread,
 * also concurrently with {@link #poll}, and never after {@link #close} has returned.
 * The selector guarantees that a descriptor passed to {@code update} stays open until it has been
 * updated to 0 (deleted) — the backend never sees a closed descriptor.
 *
 * <h2>The event batch</h2>
 * {@link #poll} fills an internal batch and returns its size; {@link #descriptor(int)} and
 * {@link #events(int)} read entry {@code i} until the next {@code poll}. The wakeup signal is never
 * part of the batch: {@code poll} reports it through {@link #wokenUp()}.
 */
public interface Poller extends Closeable {
    /** The event bits, as {@link io.edgewise.sys.PollEvents} defines them (one set for every layer). */
    int IN = io.edgewise.sys.PollEvents.IN, OUT = io.edgewise.sys.PollEvents.OUT, ERR = io.edgewise.sys.PollEvents.ERR,
            HUP = io.edgewise.sys.PollEvents.HUP, RDHUP = io.edgewise.sys.PollEvents.RDHUP;
    int EDGE = 1 << 8, ONESHOT = 1 << 9;

    /** The most kernel events one {@link #poll} takes: the JDK's epoll selector asks for no more. */
    int MAX_BATCH = 1024;

    /**
     * The size of a backend's event array, allocated once per selector: like the JDK's selectors,
     * {@code min(fdLimit, MAX_BATCH)}, so that one selection can report every ready key up to that
     * many (a smaller first batch would make {@code select()} return fewer keys than the JDK's).
     * {@code fdLimit} is the process's hard descriptor limit ({@link Integer#MAX_VALUE} where there
     * is none).
     */
    static int batchSize(int fdLimit) {
        return Math.max(1, Math.min(fdLimit, MAX_BATCH));
    }

    /**
     * Changes what the kernel watches for {@code fd} from {@code registered} (0 = not registered) to
     * {@code events} (0 = remove). With ONESHOT in {@code events} the descriptor is (re-)armed even
     * when {@code events == registered}.
     *
     * <p>A removal may find nothing to remove: when the file behind {@code fd} was replaced (its
     * channel's descriptor generation changed), the kernel dropped the registration with the old file,
     * and the selector removes then adds the descriptor afresh. That is not an error. Otherwise the
     * selector's {@code registered} is what the kernel has for the descriptor's current file.
     */
    void update(int fd, int registered, int events) throws IOException;

    /**
     * Waits for events at most {@code timeoutMillis} (0 = don't wait, -1 = forever). Returns the batch
     * size, or -1 when interrupted by a signal (EINTR) — the caller retries with the time left.
     */
    int poll(long timeoutMillis) throws IOException;

    int descriptor(int i);

    int events(int i);

    /** Whether the last {@link #poll} was ended by {@link #wakeup()}. */
    boolean wokenUp();

    /** Makes a concurrent or the next {@link #poll} return. */
    void wakeup() throws IOException;

    /** Consumes the wakeup signal so the next poll blocks again. */
    void clearWakeup() throws IOException;

    /**
     * Called by the selector before an {@link #update} that makes {@code fd} watched: a backend that can serve
     * the channel's reads itself (io_uring level 2) may install a {@link io.edgewise.sys.CompletionInput} in
     * it, and then reports its readiness for {@link #IN} from what it received; and, when the channel is also
     * an {@link io.edgewise.sys.OutputHost}, a {@link io.edgewise.sys.CompletionOutput} for its writes, with
     * {@link #OUT} from the send buffer's room. Reads are served until {@code fd} is updated to 0, writes until
     * {@link #deregistered}: bytes a write accepted must reach the peer while the key only stops watching.
     * Default: nothing.
     */
    default void offer(int fd, io.edgewise.sys.InputHost host) throws IOException { }

    /**
     * Called by the selector when {@code host}'s key has left it for good (cancelled and deregistered), after
     * its last {@link #update}; {@code fd} is still the channel's number. A backend that serves the channel's
     * writes hands them back here. Default: nothing.
     */
    default void deregistered(int fd, io.edgewise.sys.InputHost host) throws IOException { }
}
