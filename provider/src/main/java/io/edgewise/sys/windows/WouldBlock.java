package io.edgewise.sys.windows;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Where {@link WindowsSocketOps} reports that a call on a descriptor returned {@code WSAEWOULDBLOCK}:
 * AFD polls are one-shot, so an edge-triggered IOCP registration is re-armed only after the reader or
 * writer saw "would block" (see {@code IocpPoller.sawWouldBlock}). Each open IOCP poller listens here;
 * with no listener the report costs one volatile read.
 *
 * <p>Threads: any; the listener list is copy-on-write.
 */
public final class WouldBlock {
    private WouldBlock() { }

    /** Directions, equal to {@code Poller.IN} and {@code Poller.OUT} (asserted by a unit test). */
    public static final int IN = 1, OUT = 4;

    /** Receives (descriptor, {@link #IN} or {@link #OUT}). */
    public interface Listener {
        void sawWouldBlock(int fd, int events);
    }

    private static final CopyOnWriteArrayList<Listener> LISTENERS = new CopyOnWriteArrayList<>();
    private static volatile boolean any;

    public static void add(Listener l) {
        LISTENERS.add(l);
        any = true;
    }

    public static void remove(Listener l) {
        LISTENERS.remove(l);
        any = !LISTENERS.isEmpty();
    }

    /** Reports a would-block on {@code fd} for {@code events}. */
    public static void report(int fd, int events) {
        if (!any) return;
        for (Listener l : LISTENERS) {
            l.sawWouldBlock(fd, events);
        }
    }
}
