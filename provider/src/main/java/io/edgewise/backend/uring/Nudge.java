package io.edgewise.backend.uring;

import static io.edgewise.sys.linux.Linux.EFD_CLOEXEC;
import static io.edgewise.sys.linux.Linux.EFD_NONBLOCK;
import static io.edgewise.sys.linux.Linux.POLLIN;

import io.edgewise.sys.posix.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The internal wake of one level-2 {@link UringPoller}, shared by its receive side ({@link CompletionStreams})
 * and its send side ({@link SendStreams}): a thread that queued work only the poller's thread may submit (a
 * send, a recv to re-arm, a detach) {@link #poke pokes} it while the poller may be waiting in the kernel. The
 * ring watches the eventfd with one single-shot poll, so the enter goes round and the poll submits the work,
 * without returning to the application — unlike {@code Selector.wakeup}, which the poller's own eventfd serves.
 *
 * <p>Protocol: {@link #beforeEnter} sets {@code blocked} before the sides take their queued work, so work
 * queued after that finds {@code blocked} and pokes; {@link #afterEnter} clears it. A poke while not blocked
 * costs nothing: the poller looks at the queues before its next wait.
 *
 * <p>Threads: {@link #poke} any thread; everything else the poller's thread under its lock. {@code blocked}
 * is volatile; {@code armed} and {@code gen} are the poller thread's.
 */
final class Nudge {
    /** user_data: the poller's internal bit, this kind in the low word, the request's generation in 32..62. */
    static final int KIND = 3;

    private final UringPoller poller;
    /** The poller's ring (replaced when it is taken over: {@link #moveTo}). */
    private Ring ring;
    private final int fd;
    private volatile boolean blocked;
    private boolean armed;
    /** The current poll request's generation: an older request's completion (see {@link #adopt}) is ignored. */
    private int gen;
    private final ByteBuffer counter = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private final long counterAddr = LibC.address(counter);
    private static final ByteBuffer ONE = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).putLong(0, 1L);
    private static final long ONE_ADDR = LibC.address(ONE);

    Nudge(UringPoller poller, Ring ring) throws IOException {
        this.poller = poller;
        this.ring = ring;
        fd = LibC.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fd < 0) {
            throw new IOException("eventfd: " + LibC.strerror(-fd));
        }
    }

    static boolean isNudge(long data) {
        return data < 0 && (int) data == KIND;
    }

    private long userData(int g) {
        return Long.MIN_VALUE | ((long) g << 32) | KIND;
    }

    /** Makes the poller's next enter go round if it may be waiting (any thread). */
    void poke() {
        if (blocked) {
            LibC.write(fd, ONE_ADDR, 8);
        }
    }

    /** Before the sides take their queued work and the poller enters: arms the poll; pokes count from now. */
    void beforeEnter() throws IOException {
        if (!armed) {
            gen = (gen + 1) & 0x7fffffff;
            int off = poller.sqe();
            ring.prepPollAdd(off, fd, POLLIN, false, userData(gen));
            ring.publish();
            armed = true;
        }
        blocked = true;
    }

    /** After the enter (or a poll that did not enter): pokes are not needed until the next one. */
    void afterEnter() {
        blocked = false;
    }

    /** The poll's completion: consumes the count; the next {@link #beforeEnter} arms again. */
    void completed(long data) {
        if (((int) (data >>> 32) & 0x7fffffff) != gen) return; // a request replaced by adopt
        armed = false;
        LibC.read(fd, counterAddr, 8);
    }

    /**
     * A new thread selects: the armed poll belongs to the old one (its completion would wait for that thread),
     * so it is removed and armed again from this thread by the next {@link #beforeEnter}.
     */
    void adopt(long removeData) throws IOException {
        if (!armed) return;
        int off = poller.sqe();
        ring.prepPollRemove(off, userData(gen), removeData);
        ring.publish();
        armed = false;
    }

    /** The poller's ring was taken over: the poll the old ring held ended with it; armed again on {@code fresh}. */
    void moveTo(Ring fresh) {
        ring = fresh;
        armed = false;
    }

    void close() {
        LibC.close(fd);
    }
}
