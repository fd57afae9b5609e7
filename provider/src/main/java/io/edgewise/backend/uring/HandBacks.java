package io.edgewise.backend.uring;

import java.util.function.BooleanSupplier;

/**
 * Hand-backs that another thread asks of a level-2 {@link UringPoller} (a blocked reader or writer whose
 * channel the ring still serves, a channel registered with a second selector): the work runs under the
 * poller's lock, done by the asking thread itself when the lock is free, else by its holder — the poller's
 * thread, poked through the {@link Nudge}, serves them before it waits again, and whoever releases the lock
 * looks again ({@link #afterRelease}), so a request that found the lock taken is never left behind.
 *
 * <p>Threads: {@link #ask} and {@link #afterRelease} any thread holding no stream monitor; {@code wanted} is
 * read without a lock (the owner keeps it volatile), {@code work} runs under the poller's lock.
 */
final class HandBacks {
    private final UringPoller poller;
    private final Nudge nudge;
    private final BooleanSupplier wanted;
    private final UringPoller.LockedWork work;

    HandBacks(UringPoller poller, Nudge nudge, BooleanSupplier wanted, UringPoller.LockedWork work) {
        this.poller = poller;
        this.nudge = nudge;
        this.wanted = wanted;
        this.work = work;
    }

    /** A request was queued: serve it now if the poller's lock is free, else poke the poller. */
    void ask() {
        if (!serveIfFree()) {
            nudge.poke();
        }
    }

    /** The poller's lock was released: requests queued meanwhile are served now if nobody took it again. */
    void afterRelease() {
        if (wanted.getAsBoolean()) {
            serveIfFree();
        }
    }

    private boolean serveIfFree() {
        while (wanted.getAsBoolean()) {
            if (!poller.runIfFree(work)) return false;
        }
        return true;
    }
}
