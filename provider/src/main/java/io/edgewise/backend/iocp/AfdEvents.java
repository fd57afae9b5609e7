package io.edgewise.backend.iocp;

import static io.edgewise.sys.windows.Win64.*;

import io.edgewise.backend.Poller;

/**
 * Translation between the {@link Poller}'s neutral event bits and AFD poll events. Pure functions.
 *
 * <ul>
 * <li>{@code IN} watches {@code RECEIVE | ACCEPT | DISCONNECT}; {@code OUT} watches {@code SEND} (which
 *     AFD also signals when a pending connect succeeds).
 * <li>Every poll also watches {@code ABORT} (reset: reported as {@code HUP}), {@code CONNECT_FAIL}
 *     (reported as {@code ERR}) and {@code LOCAL_CLOSE} (the socket was closed: the backend forgets it).
 * <li>{@code DISCONNECT} (peer shut its sending side) reports {@code IN | RDHUP}, as epoll's
 *     {@code EPOLLRDHUP} does.
 * </ul>
 */
public final class AfdEvents {
    private AfdEvents() { }

    /** Watched by every submitted poll whatever the interest. */
    public static final int ALWAYS = AFD_POLL_ABORT | AFD_POLL_CONNECT_FAIL | AFD_POLL_LOCAL_CLOSE;

    /** AFD events to watch for the Poller interest bits {@code IN}/{@code OUT} (0 when neither). */
    public static int toAfd(int pollerBits) {
        int afd = 0;
        if ((pollerBits & Poller.IN) != 0) afd |= AFD_POLL_RECEIVE | AFD_POLL_ACCEPT | AFD_POLL_DISCONNECT;
        if ((pollerBits & Poller.OUT) != 0) afd |= AFD_POLL_SEND;
        return afd == 0 ? 0 : afd | ALWAYS;
    }

    /** Poller readiness bits for the AFD events a poll completed with ({@code LOCAL_CLOSE} gives 0). */
    public static int fromAfd(int afd) {
        int r = 0;
        if ((afd & (AFD_POLL_RECEIVE | AFD_POLL_ACCEPT)) != 0) r |= Poller.IN;
        if ((afd & AFD_POLL_DISCONNECT) != 0) r |= Poller.IN | Poller.RDHUP;
        if ((afd & AFD_POLL_SEND) != 0) r |= Poller.OUT;
        if ((afd & AFD_POLL_ABORT) != 0) r |= Poller.HUP;
        if ((afd & AFD_POLL_CONNECT_FAIL) != 0) r |= Poller.ERR;
        return r;
    }
}
