package io.edgewise.backend;

/**
 * A {@link ReadyPoller} with no thread of its own, for virtual-thread pollers: one thread polls it without
 * blocking ({@link #pollNow}), which runs the callbacks of the registrations that are ready, and waits for
 * more by watching {@link #fd()} through a threaded poller.
 */
public interface PolledReadyPoller extends ReadyPoller {
    /** A descriptor that polls readable while a registration is ready (an epoll set, a kqueue). */
    int fd();

    /** Runs the callbacks of the ready registrations without waiting; returns how many ran. One thread only. */
    int pollNow();

    /** Closes its descriptor (a poller that was never used: nothing may be registered). */
    void close();
}
