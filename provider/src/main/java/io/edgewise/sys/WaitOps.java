package io.edgewise.sys;

import java.io.IOException;

/**
 * Waiting for one descriptor: the wakeup descriptor a blocked thread also polls, the poll itself, and
 * the socket-shutdown wake that makes a wakeup descriptor unnecessary. Split from {@link SocketOps} so
 * that the channels' wait code ({@code Waiter}) depends on this job alone.
 */
public interface WaitOps {
    /**
     * Whether {@link #unblock} works here, and a socket's {@code shutdown(how)} wakes a {@link #poll}
     * for that direction: then a thread blocked on a socket needs no wakeup descriptor. The wake must be
     * a state of the socket (a poll that starts afterwards returns at once), not an event.
     */
    default boolean shutdownWakesPoll() {
        return false;
    }

    /**
     * For a socket being closed while threads wait in {@link #poll} on it: makes those polls, and any
     * later ones, return, sending the peer nothing that the close itself would not send. Errors are
     * ignored (a socket that cannot be shut down has nobody to wake). Only where
     * {@link #shutdownWakesPoll()}.
     */
    default void unblock(int fd) {
        throw new UnsupportedOperationException("unblock");
    }

    /** A counter descriptor used to wake a thread from {@link #poll}. */
    int wakeupDescriptor() throws IOException;

    /** Makes {@code wakeupDescriptor} readable. */
    void signal(int wakeFd) throws IOException;

    /** Drains {@code wakeupDescriptor}. */
    void drain(int wakeFd) throws IOException;

    /**
     * Waits until {@code fd} has one of {@code events} ({@link PollEvents} bits) or {@code wakeFd} is readable, at most
     * {@code timeoutMillis} ({@code -1} forever). Returns the events of {@code fd} (0 on timeout or wakeup),
     * or {@link SocketOps#INTERRUPTED}.
     */
    int poll(int fd, int events, int wakeFd, int timeoutMillis) throws IOException;

    /** Closes a descriptor (a wakeup descriptor here); never retried on EINTR. */
    void close(int fd) throws IOException;

}
