package io.edgewise.backend.epoll;

import static io.edgewise.sys.linux.Linux.*;

import io.edgewise.backend.Poller;
import io.edgewise.sys.posix.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The epoll backend. One epoll instance, one eventfd for wakeup, one native event array of
 * {@link Poller#batchSize} entries allocated once (so one selection reports as many ready keys as the
 * JDK's epoll selector does).
 *
 * <p>Threads: everything but {@link #wakeup()} runs on the selecting thread (see {@link Poller});
 * {@code wakeup} only writes the eventfd, whose descriptor is final and closed last.
 */
public final class EpollPoller implements Poller {
    /** Events per epoll_wait, the same for every selector of this process. */
    private static final int EVENTS = Poller.batchSize(LibC.fdLimit());
    private static final long WAKEUP_TOKEN = -1L;

    private final int epfd;
    private final int eventfd;
    /** Native scratch for one epoll_event (ctl) and the eventfd's 8-byte counter. */
    private final ByteBuffer ctl = ByteBuffer.allocateDirect(32).order(ByteOrder.nativeOrder());
    private final long ctlAddr = address(ctl);
    private final ByteBuffer events = ByteBuffer.allocateDirect(EVENTS * EPOLL_EVENT_SIZE).order(ByteOrder.nativeOrder());
    private final long eventsAddr = address(events);
    private boolean wokenUp;

    public EpollPoller() throws IOException {
        epfd = LibC.epoll_create1(EPOLL_CLOEXEC);
        if (epfd < 0) {
            throw new IOException("epoll_create1: " + LibC.strerror(-epfd));
        }
        eventfd = LibC.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (eventfd < 0) {
            int e = -eventfd;
            LibC.close(epfd);
            throw new IOException("eventfd: " + LibC.strerror(e));
        }
        int rc = ctl(EPOLL_CTL_ADD, eventfd, EPOLLIN, WAKEUP_TOKEN);
        if (rc < 0) {
            int e = -rc;
            LibC.close(eventfd);
            LibC.close(epfd);
            throw new IOException("epoll_ctl: " + LibC.strerror(e));
        }
    }

    private static long address(ByteBuffer b) {
        return LibC.address(b);
    }

    private int ctl(int op, int fd, int ev, long data) {
        ctl.putInt(0, ev);
        ctl.putLong(EPOLL_EVENT_DATA, data);
        return LibC.epoll_ctl(epfd, op, fd, ctlAddr);
    }

    static int toEpoll(int events) {
        int ev = 0;
        if ((events & IN) != 0) ev |= EPOLLIN | EPOLLRDHUP;
        if ((events & OUT) != 0) ev |= EPOLLOUT;
        if ((events & EDGE) != 0) ev |= EPOLLET;
        if ((events & ONESHOT) != 0) ev |= EPOLLONESHOT;
        return ev;
    }

    static int fromEpoll(int ev) {
        int r = 0;
        if ((ev & EPOLLIN) != 0) r |= IN;
        if ((ev & EPOLLOUT) != 0) r |= OUT;
        if ((ev & EPOLLERR) != 0) r |= ERR;
        if ((ev & EPOLLHUP) != 0) r |= HUP;
        if ((ev & EPOLLRDHUP) != 0) r |= RDHUP | IN;
        return r;
    }

    @Override
    public void update(int fd, int registered, int events) throws IOException {
        int op;
        if (events == 0) {
            if (registered == 0) return;
            op = EPOLL_CTL_DEL;
        } else {
            op = registered == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        }
        int rc = ctl(op, fd, toEpoll(events), fd);
        if (rc < 0) {
            int e = -rc;
            if (e == ENOENT && op == EPOLL_CTL_DEL) {
                return; // the kernel dropped it with the file the number had before (see Poller.update)
            }
            throw new IOException("epoll_ctl: " + LibC.strerror(e));
        }
    }

    @Override
    public int poll(long timeoutMillis) throws IOException {
        int to = timeoutMillis > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) timeoutMillis;
        int n = LibC.epoll_wait(epfd, eventsAddr, EVENTS, to);
        if (n < 0) {
            int e = -n;
            if (e == EINTR) { wokenUp = false; return -1; }
            throw new IOException("epoll_wait: " + LibC.strerror(e));
        }
        wokenUp = false;
        // take the wakeup token out of the batch by moving the last entry into its place
        for (int i = 0; i < n; i++) {
            if (events.getLong(i * EPOLL_EVENT_SIZE + EPOLL_EVENT_DATA) == WAKEUP_TOKEN) {
                wokenUp = true;
                int last = (n - 1) * EPOLL_EVENT_SIZE;
                events.putInt(i * EPOLL_EVENT_SIZE, events.getInt(last));
                events.putLong(i * EPOLL_EVENT_SIZE + EPOLL_EVENT_DATA, events.getLong(last + EPOLL_EVENT_DATA));
                n--;
                break;
            }
        }
        return n;
    }

    @Override
    public int descriptor(int i) {
        return (int) events.getLong(i * EPOLL_EVENT_SIZE + EPOLL_EVENT_DATA);
    }

    @Override
    public int events(int i) {
        return fromEpoll(events.getInt(i * EPOLL_EVENT_SIZE));
    }

    @Override
    public boolean wokenUp() {
        return wokenUp;
    }

    @Override
    public void wakeup() throws IOException {
        signal(eventfd);
    }

    /** The eventfd increment, 1; never written after construction, so every thread may use it. */
    private static final ByteBuffer ONE = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).putLong(0, 1L);
    private static final long ONE_ADDR = address(ONE);

    private static void signal(int fd) throws IOException {
        long r = LibC.write(fd, ONE_ADDR, 8);
        if (r < 0) {
            int e = (int) -r;
            if (e != EAGAIN) throw new IOException("eventfd write: " + LibC.strerror(e));
        }
    }

    @Override
    public void clearWakeup() throws IOException {
        long r = LibC.read(eventfd, ctlAddr + 16, 8);
        if (r < 0) {
            int e = (int) -r;
            if (e != EAGAIN && e != EINTR) throw new IOException("eventfd read: " + LibC.strerror(e));
        }
    }

    @Override
    public void close() throws IOException {
        LibC.close(epfd);
        LibC.close(eventfd);
    }
}
