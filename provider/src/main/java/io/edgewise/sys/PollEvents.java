package io.edgewise.sys;

/**
 * Edgewise's event bits, the one set every layer speaks: the selector and its backends
 * ({@code backend.Poller} names them too), a blocked thread's {@link WaitOps#poll}, and the IOCP
 * re-arm reports. Each binding translates them to its system's bits (epoll, kqueue filters, poll(2),
 * AFD); the values happen to equal Linux's {@code poll(2)} bits but nothing relies on that.
 */
public final class PollEvents {
    private PollEvents() { }

    /** Readable (or acceptable), writable (or connected), error, hang-up, peer closed its write side. */
    public static final int IN = 1, OUT = 4, ERR = 8, HUP = 16, RDHUP = 32;
}
