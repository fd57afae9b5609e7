package io.edgewise.backend.epoll;

import static io.edgewise.sys.linux.Linux.*;

import io.edgewise.backend.PolledReadyPoller;
import io.edgewise.sys.posix.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The epoll {@link ReadyPoller}: a shared readiness poller for waits that must not hold a thread in native code: blocking channel
 * operations on virtual threads, and the asynchronous connector's attempts. One daemon platform
 * thread per poller runs {@code epoll_wait} on its own epoll set; every registration is
 * {@code EPOLLONESHOT}, carries a unique token, and delivers one callback on the poller thread.
 *
 * <p>Two pollers exist, one for input and one for output waits, because epoll keeps one registration
 * per descriptor and set: a reader and a writer of the same socket may wait at the same time.
 * A second registration of a descriptor in the same poller fails with {@code EEXIST}
 * ({@link #register} throws), and callers fall back to a plain wait.
 *
 * <p>Contract: whoever registers calls {@link #deregister} before the descriptor can be closed (the
 * channels hold an {@code FdHandle} use across the wait), so no armed registration outlives its
 * descriptor. A registration that fired stays in the set, disabled by {@code EPOLLONESHOT}, and the next
 * wait on the descriptor re-arms it with one {@code EPOLL_CTL_MOD} (as the JDK's pollers do) instead of an
 * add and a delete per wait; the kernel drops it when the file is released, and keys it by file and
 * number, so a reused number is added afresh ({@code ENOENT}) and a disabled entry never reports. A
 * callback may still run once after {@code deregister} when the event was already taken out of the
 * kernel: callbacks compare the token.
 *
 * <p>An {@linkplain #unthreaded() unthreaded} instance has no thread: a virtual-thread poller polls it
 * without blocking ({@link #pollNow}) and waits for its epoll descriptor through a threaded one.
 *
 * <p>Threads: {@code register}/{@code deregister} from any thread ({@code epoll_ctl} is thread-safe;
 * the native {@code epoll_event} scratch comes from a lock-free pool); {@code callbacks} and {@code live}
 * are concurrent maps; the loop, or {@link #pollNow} and {@code nowEvents}/{@code nowAddr}, and the callbacks run on the
 * poller's one polling thread only.
 *
 * <p>Linux (epoll) only; another readiness API implements {@link ReadyPoller} in its own package.
 */
public final class EpollReadyPoller implements PolledReadyPoller {
    private static final int BATCH = 256;

    private static final class Holder {
        static final EpollReadyPoller IN = start("edgewise-read-poller");
        static final EpollReadyPoller OUT = start("edgewise-write-poller");
    }

    /** The poller for a wait on {@code pollEvents} ({@code POLLIN}: input poller, else output). */
    public static EpollReadyPoller forEvents(int pollEvents) {
        return (pollEvents & POLLIN) != 0 ? Holder.IN : Holder.OUT;
    }

    private static EpollReadyPoller start(String name) {
        try {
            EpollReadyPoller p = new EpollReadyPoller();
            Thread t = new Thread(p::loop, name);
            t.setDaemon(true);
            t.start();
            return p;
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /**
     * A poller with no thread of its own ({@link PolledReadyPoller}): its one polling thread calls {@link #pollNow}.
     */
    public static EpollReadyPoller unthreaded() throws IOException {
        return new EpollReadyPoller();
    }

    private final int epfd;
    /** {@link #pollNow}'s event array and its address, made by its first call (its one polling thread's). */
    private ByteBuffer nowEvents;
    private long nowAddr;
    private final AtomicLong tokens = new AtomicLong();
    private final ConcurrentHashMap<Long, Callback> callbacks = new ConcurrentHashMap<>();
    /** Descriptor → token of its registration from register to deregister: a second one fails as ADD would. */
    private final ConcurrentHashMap<Integer, Long> live = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Ctl> ctls = new ConcurrentLinkedQueue<>();

    private static final class Ctl {
        final ByteBuffer buf = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
        final long addr = LibC.address(buf);
    }

    private EpollReadyPoller() throws IOException {
        epfd = LibC.epoll_create1(EPOLL_CLOEXEC);
        if (epfd < 0) {
            throw new IOException("epoll_create1: " + LibC.strerror(-epfd));
        }
    }

    @Override
    public long newToken() {
        return tokens.incrementAndGet();
    }

    /**
     * Watches {@code fd} once for {@code pollEvents} ({@code POLLIN}/{@code POLLOUT}; errors and
     * hang-up are always reported); {@code cb} runs with {@code token} when it fires.
     */
    @Override
    public void register(int fd, int pollEvents, long token, Callback cb) throws IOException {
        Long tok = token;
        if (live.putIfAbsent(fd, tok) != null) {
            throw new IOException("epoll_ctl: " + LibC.strerror(EEXIST)); // as the ADD of a watched descriptor
        }
        callbacks.put(tok, cb);
        int ev = EPOLLONESHOT;
        if ((pollEvents & POLLIN) != 0) ev |= EPOLLIN | EPOLLRDHUP;
        if ((pollEvents & POLLOUT) != 0) ev |= EPOLLOUT;
        // a registration that fired stays in the set, disabled: re-armed by one call; else added
        int rc = ctl(EPOLL_CTL_MOD, fd, ev, token);
        if (rc == -ENOENT) {
            rc = ctl(EPOLL_CTL_ADD, fd, ev, token);
        }
        if (rc < 0) {
            callbacks.remove(tok);
            live.remove(fd, tok);
            throw new IOException("epoll_ctl: " + LibC.strerror(-rc));
        }
    }

    @Override
    public void deregister(int fd, long token) {
        Long tok = token;
        if (callbacks.remove(tok) != null) {
            // not fired: still armed, so it leaves the set (one that fired is disabled, and stays for a re-arm)
            ctl(EPOLL_CTL_DEL, fd, 0, 0);
        }
        live.remove(fd, tok);
    }

    private int ctl(int op, int fd, int ev, long data) {
        Ctl c = ctls.poll();
        if (c == null) c = new Ctl();
        try {
            c.buf.putInt(0, ev);
            c.buf.putLong(EPOLL_EVENT_DATA, data);
            return LibC.epoll_ctl(epfd, op, fd, c.addr);
        } finally {
            ctls.offer(c);
        }
    }

    @Override
    public int fd() {
        return epfd; // an epoll set is readable while one of its registrations is ready
    }

    @Override
    public int pollNow() {
        ByteBuffer events = nowEvents;
        if (events == null) {
            nowEvents = events = newEventArray();
            nowAddr = LibC.address(events);
        }
        int n = LibC.epoll_wait(epfd, nowAddr, BATCH, 0);
        if (n > 0) dispatch(events, n);
        return Math.max(n, 0);
    }

    @Override
    public void close() {
        LibC.close(epfd);
    }

    private static ByteBuffer newEventArray() {
        return ByteBuffer.allocateDirect(BATCH * EPOLL_EVENT_SIZE).order(ByteOrder.nativeOrder());
    }

    private void loop() {
        ByteBuffer events = newEventArray();
        long addr = LibC.address(events);
        for (;;) {
            int n = LibC.epoll_wait(epfd, addr, BATCH, -1);
            if (n < 0) {
                continue; // EINTR; nothing else can fail on a valid epoll descriptor
            }
            dispatch(events, n);
        }
    }

    private void dispatch(ByteBuffer events, int n) {
        for (int i = 0; i < n; i++) {
            int ev = events.getInt(i * EPOLL_EVENT_SIZE);
            long token = events.getLong(i * EPOLL_EVENT_SIZE + EPOLL_EVENT_DATA);
            Callback cb = callbacks.remove(token);
            if (cb != null) {
                try {
                    cb.ready(token, toPoll(ev));
                } catch (Throwable t) {
                    // a callback failure must not stop the poller every waiter depends on
                }
            }
        }
    }

    /** epoll bits to poll(2) bits (equal values for IN/OUT/ERR/HUP; peer shutdown reads as IN). */
    private static int toPoll(int ev) {
        int r = ev & (POLLIN | POLLOUT | POLLERR | POLLHUP);
        if ((ev & EPOLLRDHUP) != 0) r |= POLLIN;
        return r;
    }
}
