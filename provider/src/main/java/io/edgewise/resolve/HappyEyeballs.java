package io.edgewise.resolve;

import io.edgewise.sys.PollEvents;
import io.edgewise.backend.ReadyPoller;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;

/**
 * One non-blocking connect to a list of addresses, in the spirit of RFC 8305 ("Happy Eyeballs"):
 * addresses are tried in order with the two families interleaved (starting with the family of the
 * first); each attempt gets {@code staggerMillis} before the next one starts beside it (a failure
 * starts the next at once); the first attempt that connects wins and every other one is closed.
 * Attempts run on helper sockets watched by the shared output {@link ReadyPoller}; no thread blocks.
 * The result is the winning, connected, non-blocking descriptor (the caller owns it), or the last
 * attempt's error, or {@link SocketTimeoutException} when {@code timeoutMillis} (> 0) passed first.
 * {@link #cancel()} closes everything still open.
 *
 * <p>Threads: attempts start on the caller's thread, the poller thread (an attempt ended) and the
 * timer thread (stagger, timeout); all state is guarded by {@code this}. A descriptor is deregistered
 * from the poller before it is closed, under the same lock, so no poller callback acts on a closed number.
 */
public final class HappyEyeballs {
    private final SocketOps ops;
    private final int family;
    private final List<InetSocketAddress> order;
    private final long staggerMillis;
    private final CompletableFuture<Integer> result = new CompletableFuture<>();

    // guarded by this
    private final List<long[]> attempts = new ArrayList<>(); // {fd, token}
    private int next;
    private boolean done, published, cancelled;
    private int winner = -1;
    private IOException error;
    private IOException lastError;
    private ScheduledFuture<?> stagger, timeout;

    private HappyEyeballs(SocketOps ops, int family, List<InetSocketAddress> order, long staggerMillis) {
        this.ops = ops;
        this.family = family;
        this.order = order;
        this.staggerMillis = staggerMillis;
    }

    /**
     * Starts connecting a {@code family} (SocketOps.INET/INET6) socket to {@code addresses}:{@code port}.
     * The future completes with the connected descriptor.
     */
    public static HappyEyeballs start(SocketOps ops, int family, InetAddress[] addresses, int port,
                                      long staggerMillis, long timeoutMillis) {
        HappyEyeballs h = new HappyEyeballs(ops, family, interleave(addresses, port, family), staggerMillis);
        synchronized (h) {
            if (h.order.isEmpty()) {
                h.finish(-1, new ConnectException("No address of a usable family"));
                return h;
            }
            if (timeoutMillis > 0) {
                h.timeout = Timers.schedule(() -> { h.timedOut(); h.publish(); }, timeoutMillis);
            }
            h.startNext();
        }
        h.publish();
        return h;
    }

    /** How many addresses have been tried so far (observability). */
    public synchronized int attemptsStarted() {
        return next;
    }

    /** Completes with the winning descriptor (owned by whoever takes it) or fails. */
    public CompletableFuture<Integer> result() {
        return result;
    }

    static List<InetSocketAddress> interleave(InetAddress[] addresses, int port, int family) {
        List<InetAddress> first = new ArrayList<>(), second = new ArrayList<>();
        Class<?> firstFamily = null;
        for (InetAddress a : addresses) {
            if (family == SocketOps.INET && !(a instanceof Inet4Address)) continue; // an IPv4 socket
            if (firstFamily == null) firstFamily = a.getClass();
            (a.getClass() == firstFamily ? first : second).add(a);
        }
        List<InetSocketAddress> out = new ArrayList<>();
        for (int i = 0; i < Math.max(first.size(), second.size()); i++) {
            if (i < first.size()) out.add(new InetSocketAddress(first.get(i), port));
            if (i < second.size()) out.add(new InetSocketAddress(second.get(i), port));
        }
        return out;
    }

    // ---- all below under this

    private synchronized void startNext() {
        while (!done && next < order.size()) {
            InetSocketAddress to = order.get(next++);
            int fd = -1;
            try {
                fd = ops.socket(family, true);
                int r;
                do {
                    r = ops.connect(fd, family, to);
                } while (r == SocketOps.INTERRUPTED);
                if (r > 0) {
                    finish(fd, null);
                    return;
                }
                long token = ReadyPoller.forEvents(PollEvents.OUT).newToken();
                long[] attempt = {fd, token};
                attempts.add(attempt);
                int f = fd;
                ReadyPoller.forEvents(PollEvents.OUT).register(fd, PollEvents.OUT, token,
                        (tok, ev) -> { attemptReady(attempt, ev); publish(); });
                if (next < order.size()) {
                    if (stagger != null) stagger.cancel(false);
                    stagger = Timers.schedule(() -> { startNext(); publish(); }, staggerMillis);
                }
                return;
            } catch (IOException | RuntimeException e) {
                // a RuntimeException (a binding or the poller failing) is this attempt's failure too:
                // the connect must end, never stay pending
                lastError = e instanceof IOException ? (IOException) e : new IOException("Connect failed: " + e, e);
                if (fd >= 0) {
                    if (contains(fd)) drop(attemptOf(fd)); else closeQuietly(fd);
                }
                // try the next address at once
            }
        }
        if (!done && attempts.isEmpty()) {
            finish(-1, lastError != null ? lastError : new ConnectException("Connection failed"));
        }
    }

    private boolean contains(int fd) {
        return attemptOf(fd) != null;
    }

    private long[] attemptOf(int fd) {
        for (long[] a : attempts) if ((int) a[0] == fd) return a;
        return null;
    }

    private synchronized void attemptReady(long[] attempt, int events) {
        if (done || !attempts.contains(attempt)) return;
        int fd = (int) attempt[0];
        try {
            if (ops.finishConnect(fd)) {
                attempts.remove(attempt);
                ReadyPoller.forEvents(PollEvents.OUT).deregister(fd, attempt[1]);
                finish(fd, null);
                return;
            }
            // not yet (spurious): watch again
            ReadyPoller.forEvents(PollEvents.OUT).deregister(fd, attempt[1]);
            attempt[1] = ReadyPoller.forEvents(PollEvents.OUT).newToken();
            ReadyPoller.forEvents(PollEvents.OUT).register(fd, PollEvents.OUT, attempt[1],
                    (tok, ev) -> { attemptReady(attempt, ev); publish(); });
        } catch (IOException | RuntimeException e) {
            lastError = e instanceof IOException ? (IOException) e : new IOException("Connect failed: " + e, e);
            drop(attempt);
            startNext(); // a failure starts the next attempt at once (or ends the connect)
        }
    }

    private synchronized void timedOut() {
        if (!done) finish(-1, new SocketTimeoutException("Connect timed out"));
    }

    /** Closes every attempt (and a winner nobody took yet); the future is cancelled. */
    public void cancel() {
        synchronized (this) {
            if (!done) {
                done = true;
                cancelled = true;
                cleanup();
            }
        }
        publish();
    }

    private void finish(int winnerFd, IOException failure) {
        done = true;
        winner = winnerFd;
        error = failure;
        cleanup();
    }

    /** Completes the future outside the lock (its dependants take the channel's locks). */
    private void publish() {
        int w;
        IOException e;
        boolean c;
        synchronized (this) {
            if (!done || published) return;
            published = true;
            w = winner;
            e = error;
            c = cancelled;
        }
        if (c) result.cancel(false);
        else if (e != null) result.completeExceptionally(e);
        else if (!result.complete(w)) closeQuietly(w);
    }

    private void cleanup() {
        if (stagger != null) stagger.cancel(false);
        if (timeout != null) timeout.cancel(false);
        for (long[] a : new ArrayList<>(attempts)) drop(a);
    }

    private void drop(long[] attempt) {
        attempts.remove(attempt);
        ReadyPoller.forEvents(PollEvents.OUT).deregister((int) attempt[0], attempt[1]);
        closeQuietly((int) attempt[0]);
    }

    private void closeQuietly(int fd) {
        try {
            ops.close(fd);
        } catch (IOException | RuntimeException ignore) {
            // nothing to retry
        }
    }
}
