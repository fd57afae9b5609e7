package io.edgewise.sys;

/** A channel whose writes a backend may buffer and send itself through a {@link CompletionOutput} (io_uring level 2). */
public interface OutputHost {
    /**
     * Makes {@code out} the channel's output, if the channel is an open, connected, non-blocking stream socket
     * with its output open, not served by another backend and holding no unsent bytes of a previous output.
     * On success the channel's descriptor is held open (its real close deferred) until
     * {@link #releaseOutput}: a send queued or in flight never meets a reused number. True when installed.
     */
    boolean adoptOutput(CompletionOutput out);

    /** The backend is done with {@code out} (nothing of it in flight any more): the descriptor's hold ends. */
    void releaseOutput(CompletionOutput out);
}
