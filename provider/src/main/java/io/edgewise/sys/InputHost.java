package io.edgewise.sys;

/** A channel whose reads a backend may serve from a {@link CompletionInput} (io_uring level 2). */
public interface InputHost {
    /**
     * Makes {@code in} the channel's source of received bytes, if the channel is an open, connected,
     * non-blocking stream socket whose input is not fed by another backend; the bytes a previous, detached
     * input still holds are handed to {@code in} first ({@link CompletionInput#takeLeftover()}). Returns
     * the leftover bytes (an empty array for none) when installed, or null when refused.
     */
    byte[] adoptInput(CompletionInput in);
}
