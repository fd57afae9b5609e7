package io.edgewise.sys;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A bounded send buffer a backend keeps for one connected stream socket (io_uring level 2): a write copies
 * into it and returns the count copied ({@code 0} when it is full, as a full socket buffer gives), and the
 * backend sends it through its ring with its next kernel entry. A send error is kept and thrown by a later
 * write, once, as the kernel's write would have thrown it ({@code IOException(strerror)}); later writes
 * then throw {@code Broken pipe}, as the kernel answers a socket after its error.
 */
public interface CompletionOutput {
    /** No longer the channel's output: the channel writes {@link #leftover()}, then its descriptor. */
    int DETACHED = Integer.MIN_VALUE;

    /**
     * Nothing is buffered and the write is large: the channel writes it to its descriptor itself (one call, a
     * gathering write included, as the JDK's) and returns what the kernel took, as the JDK does; when the
     * kernel left bytes, it calls {@link #socketFull}. A large write is never copied.
     */
    int DIRECT = Integer.MIN_VALUE + 1;

    /** Copies {@code src} in; the count, or {@link #DETACHED} or {@link #DIRECT}. */
    int write(ByteBuffer src) throws IOException;

    /** Copies the buffers in; the count, or {@link #DETACHED} or {@link #DIRECT}. */
    long write(ByteBuffer[] srcs, int offset, int length) throws IOException;

    /**
     * A {@link #DIRECT} write left bytes the socket did not take: OP_WRITE now waits for the socket's own room
     * (the kernel's threshold), as on the JDK.
     */
    void socketFull();

    /**
     * Once detached: the bytes copied in and not sent (a heap buffer whose position the caller advances as it
     * writes them, before anything newer; kept here so the channel needs no field of its own for them); null
     * while the backend still owns this output.
     */
    java.nio.ByteBuffer leftover();

    /**
     * The channel shuts its output down (shutdownOutput, or a close that is not SO_LINGER 0): when bytes
     * are buffered or in flight, the backend sends them and then shuts the output down itself, and keeps
     * the descriptor open until then; returns true. False: nothing buffered, the caller shuts down now.
     */
    boolean finishWithFin();

    /**
     * A blocking write found the buffer full while the backend still owns it (the key was cancelled and the
     * channel made blocking before a selection deregistered it): the buffer drains only through the
     * selector's polls, so the backend hands it back now — its unsent bytes become the {@link #leftover()} —
     * and this waits for that, at most {@code millis}. Needs no selection by the application. False when the
     * time passed first.
     */
    boolean awaitDetach(long millis);

    /**
     * The channel is registered with another selector too: this backend may not be selected again, so it hands
     * the buffer back without waiting — its bytes go to the socket as far as it takes them, what it leaves to
     * the channel's next write.
     */
    void release();
}
