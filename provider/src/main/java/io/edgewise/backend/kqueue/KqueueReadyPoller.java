package io.edgewise.backend.kqueue;

import io.edgewise.sys.PollEvents;
import static io.edgewise.sys.bsd.KqueueConstants.*;

import io.edgewise.backend.ReadyPoller;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.bsd.KqueueConstants;
import io.edgewise.sys.bsd.KqueueLibrary;
import io.edgewise.sys.posix.PosixErrors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The kqueue {@link ReadyPoller}: one daemon platform thread per poller waits in {@code kevent} on its
 * own kqueue; every registration is an {@code EV_ONESHOT} knote whose {@code udata} is the
 * registration's token, and delivers one callback on the poller thread.
 *
 * <p>Two pollers exist, one for input ({@code EVFILT_READ}) and one for output ({@code EVFILT_WRITE})
 * waits, as for epoll. kqueue would accept a second {@code EV_ADD} of the same descriptor and filter
 * by modifying the first; the contract wants it refused, so {@code watched} records the descriptor
 * until {@link #deregister} and a second {@link #register} throws.
 *
 * <p>Contract: whoever registers calls {@link #deregister} before the descriptor can be closed; its
 * {@code EV_DELETE} reaches the kernel before {@code deregister} returns. A callback may still run once
 * after {@code deregister} when the event was already taken: callbacks compare the token.
 *
 * <p>Threads: {@code register}/{@code deregister} from any thread ({@code kevent} changes are
 * thread-safe; the native change entries come from a lock-free pool); {@code callbacks} and
 * {@code watched} are concurrent maps; the loop and the callbacks run on the poller thread only.
 */
public final class KqueueReadyPoller implements ReadyPoller {
    private static final int BATCH = 256;

    private static final class Holder {
        static final KqueueReadyPoller IN = start("edgewise-read-poller", true);
        static final KqueueReadyPoller OUT = start("edgewise-write-poller", false);
    }

    /** The poller for a wait on {@code pollEvents} ({@code PollEvents.IN}: input poller, else output). */
    public static KqueueReadyPoller forEvents(int pollEvents) {
        return (pollEvents & PollEvents.IN) != 0 ? Holder.IN : Holder.OUT;
    }

    private static KqueueReadyPoller start(String name, boolean input) {
        try {
            KqueueReadyPoller p = new KqueueReadyPoller(input);
            Thread t = new Thread(p::loop, name);
            t.setDaemon(true);
            t.start();
            return p;
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final KqueueConstants k = KqueueLibrary.K;
    private final int kq;
    private final int filter;
    private final AtomicLong tokens = new AtomicLong();
    private final ConcurrentHashMap<Long, Callback> callbacks = new ConcurrentHashMap<>();
    /** Descriptor → token of its registration, from register until deregister. */
    private final ConcurrentHashMap<Integer, Long> watched = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Change> changes = new ConcurrentLinkedQueue<>();

    /** One native kevent entry: the change, and its receipt written over it. */
    private final class Change {
        final ByteBuffer buf = ByteBuffer.allocateDirect(k.layout.size).order(ByteOrder.nativeOrder());
        final long addr = io.edgewise.sys.NativeMemory.address(buf);
    }

    private KqueueReadyPoller(boolean input) throws IOException {
        kq = KqueueLibrary.kqueue();
        if (kq < 0) {
            throw new IOException("kqueue: " + PosixErrors.message(-kq));
        }
        filter = input ? k.evfiltRead : k.evfiltWrite;
    }

    @Override
    public long newToken() {
        return tokens.incrementAndGet();
    }

    /** Watches {@code fd} once for this poller's direction; {@code cb} runs with {@code token} when it fires. */
    @Override
    public void register(int fd, int pollEvents, long token, Callback cb) throws IOException {
        if (watched.putIfAbsent(fd, token) != null) {
            throw new IOException("descriptor " + fd + " is already watched by this poller");
        }
        callbacks.put(token, cb);
        int e = change(fd, EV_ADD | EV_ONESHOT | EV_RECEIPT, token);
        if (e != 0) {
            callbacks.remove(token);
            watched.remove(fd, token);
            throw new IOException("kevent: " + PosixErrors.message(e));
        }
    }

    @Override
    public void deregister(int fd, long token) {
        callbacks.remove(token);
        Long owner = watched.get(fd);
        if (owner != null && owner == token) {
            change(fd, EV_DELETE | EV_RECEIPT, 0L); // ENOENT once the oneshot knote fired: nothing to do
            watched.remove(fd, token);
        }
    }

    /** Applies one change now and returns its error number (0: done). */
    private int change(int fd, int flags, long udata) {
        Change c = changes.poll();
        if (c == null) c = new Change();
        try {
            k.layout.put(c.buf, 0, fd, filter, flags, 0, 0L, udata);
            // the entry doubles as the receipt list: one entry, so the call never waits
            int n = KqueueLibrary.kevent(kq, c.addr, 1, c.addr, 1, 0L);
            if (n < 0) {
                return -n;
            }
            return n == 1 && (k.layout.flags(c.buf, 0) & EV_ERROR) != 0 ? (int) k.layout.data(c.buf, 0) : 0;
        } finally {
            changes.offer(c);
        }
    }

    private void loop() {
        ByteBuffer events = ByteBuffer.allocateDirect(BATCH * k.layout.size).order(ByteOrder.nativeOrder());
        long addr = io.edgewise.sys.NativeMemory.address(events);
        for (;;) {
            int n = KqueueLibrary.kevent(kq, 0L, 0, addr, BATCH, 0L);
            if (n < 0) {
                continue; // EINTR; nothing else can fail on a valid kqueue with no changes
            }
            for (int i = 0; i < n; i++) {
                long token = k.layout.udata(events, i);
                int flags = k.layout.flags(events, i);
                int fflags = k.layout.fflags(events, i);
                // before the waiter runs: the error libkqueue took off the socket stays for its next call
                KqueueState.keepTakenError(k, (int) k.layout.ident(events, i), flags, fflags);
                Callback cb = callbacks.remove(token);
                if (cb != null) {
                    try {
                        cb.ready(token, toPoll(flags, fflags));
                    } catch (Throwable t) {
                        // a callback failure must not stop the poller every waiter depends on
                    }
                }
            }
        }
    }

    /** The poll(2) bits of a fired knote: its direction, plus hang-up or error at end of stream. */
    private int toPoll(int flags, int fflags) {
        int r = filter == k.evfiltRead ? PollEvents.IN : PollEvents.OUT;
        if ((flags & EV_EOF) != 0) {
            r |= fflags != 0 ? PollEvents.ERR : PollEvents.HUP;
        }
        return r;
    }
}
