package io.edgewise.sys;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Received bytes a backend queued for one connected stream socket (io_uring level 2: the kernel received
 * them into the backend's buffers, so a read copies them and makes no system call). Results follow
 * {@link ByteIo}: a count {@code >= 0}, {@link SocketOps#EOF}, {@link SocketOps#UNAVAILABLE}, or
 * {@link #DRAINED}; a queued receive error is thrown as the JDK throws it, once (then EOF, as the kernel
 * reports a socket after its error).
 */
public interface CompletionInput {
    /** No longer fed by the backend and empty: the channel reads its descriptor again. */
    int DRAINED = Integer.MIN_VALUE;

    int read(ByteBuffer dst) throws IOException;

    long read(ByteBuffer[] dsts, int offset, int length) throws IOException;

    /** Bytes queued and not yet read (the adaptor's {@code available()} adds them to the kernel's count). */
    int available();

    /**
     * The bytes a detached input still holds, now owned by the caller (an input that replaces it reads them
     * first); this input is drained afterwards. Null when it is still fed by a backend.
     */
    byte[] takeLeftover();

    /**
     * A blocking read found nothing queued while the backend still feeds this input (its key was cancelled
     * and the channel made blocking before a selection deregistered it): the backend stops feeding it, and
     * this waits until bytes are queued, the end is known or the input is detached (the read then goes on
     * from the queue or the descriptor). Needs no selection by the application. False when {@code millis}
     * (-1: no limit) passed first.
     */
    boolean awaitDetach(long millis) throws java.io.InterruptedIOException;

    /** The channel is registered with another selector too: the backend stops feeding it, without waiting. */
    void release();
}
