package io.edgewise.channels;

import io.edgewise.sys.Platform;
import io.edgewise.resolve.AsyncResolver;
import io.edgewise.resolve.HappyEyeballs;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * One connect of a {@link SocketChannelImpl} to an unresolved address with
 * {@link io.edgewise.EdgewiseSocketOptions#ASYNC_RESOLVE} on (see {@code docs/nonblocking.md}).
 *
 * <p>How the channel's descriptor stays the selectors' descriptor: the name is resolved
 * ({@link AsyncResolver}), the addresses are raced on <em>helper</em> sockets ({@link HappyEyeballs}),
 * and the winner is moved onto the channel's descriptor number with {@code dup3} — the number never
 * changes, so {@code fdVal()}, the selectors' fd tables and {@code FdHandle} stay valid. While the
 * connect is in progress the channel asks its selectors to watch nothing ({@link #watching()} is
 * false, so {@code translateInterestOps} yields 0: an unconnected socket would report {@code POLLHUP}
 * and fire {@code OP_CONNECT} early); when it finishes, every key of the channel is rewatched
 * ({@link KeyRewatch}: the selector removes and re-adds the descriptor, and a blocked select goes round
 * without returning) and {@code OP_CONNECT} fires from the real socket: {@code POLLOUT} of the
 * connected one, or {@code POLLHUP} of the untouched unconnected one after a failure. Each of these
 * steps bumps the descriptor's generation ({@link FdHandle#replace}, {@link FdHandle#renewGeneration}),
 * which a selector treats as a fresh registration (remove, then add): no backend needs to know that a
 * file can change under a registered number. Whatever fails
 * on the way (also a RuntimeException or Error, on any thread) ends the connect with that failure. Socket
 * options set on the channel before the connect are applied to the winner before the move. A channel
 * that was bound before connecting keeps its socket: it is connected to the first resolved address of
 * its family on its own descriptor, without racing.
 *
 * <p>Threads: the resolution callback runs on a resolver or the caller's thread, the attempt callback on
 * the poller or timer thread. {@code done}, {@code cancelled}, {@code failure}, {@code attempts} are
 * guarded by the channel's {@code stateLock}; {@code done} is also volatile for the selector's checks.
 */
final class AsyncConnect {
    /** RFC 8305's recommended "Connection Attempt Delay". */
    static final long STAGGER_MILLIS = Platform.current().settings().connectStaggerMillis();

    private final SocketChannelImpl ch;
    private final Object lock;
    private final SocketOps ops;
    private final int family;
    private final InetSocketAddress target;
    private final int timeoutMillis;
    private final boolean ownSocket;
    private final Map<SocketOption<?>, Object> options;
    final CompletableFuture<Void> completion = new CompletableFuture<>();

    volatile boolean done;
    private boolean cancelled;
    IOException failure;
    InetSocketAddress remote;
    private HappyEyeballs attempts;
    /** System.nanoTime() when resolution started (observe: the Connect event's resolve time). */
    private long resolveStart;

    AsyncConnect(SocketChannelImpl ch, Object stateLock, SocketOps ops, int family, InetSocketAddress target,
                 int timeoutMillis, boolean ownSocket, Map<SocketOption<?>, Object> options) {
        this.ch = ch;
        this.lock = stateLock;
        this.ops = ops;
        this.family = family;
        this.target = target;
        this.timeoutMillis = timeoutMillis;
        this.ownSocket = ownSocket;
        this.options = new LinkedHashMap<>(options);
        ch.trace().connectStarted(target, ch.isBlocking(), true);
    }

    /** Whether selectors should watch the channel's descriptor (not while the connect is in progress). */
    boolean watching() {
        return done;
    }

    /** Starts without blocking: literal and cached names continue inline, others on the resolver pool. */
    void start() {
        resolveStart = System.nanoTime();
        try {
            AsyncResolver.get().resolve(target.getHostString()).whenComplete(this::resolved);
        } catch (RuntimeException | Error e) {
            complete(-1, e);
        }
    }

    /** Blocking mode: resolves on the caller's thread, then connects; returns when done. */
    void startOnCallerThread() {
        resolveStart = System.nanoTime();
        InetAddress[] a;
        try {
            a = AsyncResolver.get().resolveNow(target.getHostString());
        } catch (IOException | RuntimeException | Error e) {
            resolved(null, e);
            return;
        }
        resolved(a, null);
    }

    /**
     * Every path from here ends in {@link #complete} or {@link #connectOwnSocket}, which always finish
     * the connect: anything thrown on the way (a resolver, a binding, the poller) becomes the
     * connect's failure. A connect left pending would hang its selector key and blocking callers forever.
     */
    private void resolved(InetAddress[] addresses, Throwable error) {
        ch.trace().resolved(System.nanoTime() - resolveStart);
        try {
            proceed(addresses, error);
        } catch (RuntimeException | Error e) {
            complete(-1, e);
        }
    }

    private void proceed(InetAddress[] addresses, Throwable error) {
        if (error != null) {
            complete(-1, error);
            return;
        }
        synchronized (lock) {
            if (cancelled) return; // closed while resolving: make no connection at all
        }
        if (ownSocket) {
            connectOwnSocket(addresses);
            return;
        }
        HappyEyeballs h = HappyEyeballs.start(ops, family, addresses, target.getPort(), STAGGER_MILLIS, timeoutMillis);
        synchronized (lock) {
            attempts = h;
            if (cancelled) {
                h.cancel();
                return;
            }
        }
        h.result().whenComplete((fd, e) -> complete(fd == null ? -1 : fd, e));
    }

    private void connectOwnSocket(InetAddress[] addresses) {
        InetAddress pick = null;
        for (InetAddress a : addresses) {
            if (family == SocketOps.INET6 || a instanceof Inet4Address) {
                pick = a;
                break;
            }
        }
        if (pick == null) {
            complete(-1, new ConnectException("No address of a usable family"));
            return;
        }
        InetSocketAddress to = new InetSocketAddress(pick, target.getPort());
        try {
            synchronized (lock) {
                if (cancelled) return;
                try {
                    int f = ch.fdHandle().acquire();
                    try {
                        int r;
                        do {
                            r = ops.connect(f, family, to);
                        } while (r == SocketOps.INTERRUPTED);
                    } finally {
                        ch.fdHandle().release();
                    }
                    remote = named(to);
                    ch.trace().attempts(1, to);
                } catch (IOException | RuntimeException | Error e) {
                    failure = unwrap(e);
                } finally {
                    done = true;
                }
            }
        } finally {
            ended();
        }
    }

    /**
     * Ends the connect with the winning descriptor or the error; never throws and always ends it (sets
     * {@code done}, completes {@code completion}, re-queues the keys), whatever fails on the way.
     */
    private void complete(int winner, Throwable error) {
        try {
            synchronized (lock) {
                try {
                    if (done || cancelled || !ch.isOpen()) { // ended already (failed early, or closed)
                        closeQuietly(winner);
                        if (!done && failure == null) failure = new java.nio.channels.AsynchronousCloseException();
                        return;
                    }
                    if (error != null) {
                        failure = unwrap(error);
                        if (failure instanceof java.net.UnknownHostException) {
                            // the JDK's words for this unresolved address; the resolver's detail stays the cause
                            java.net.UnknownHostException u = new java.net.UnknownHostException(Net.unresolvedMessage(target));
                            u.initCause(failure);
                            failure = u;
                        }
                    } else {
                        failure = takeOver(winner);
                    }
                } catch (RuntimeException | Error e) {
                    failure = unwrap(e);
                } finally {
                    done = true;
                }
            }
        } finally {
            ended();
        }
    }

    /** Moves the connected winner onto the channel's descriptor; returns the failure, or null. */
    private IOException takeOver(int winner) {
        boolean moved = false;
        try {
            for (Map.Entry<SocketOption<?>, Object> o : options.entrySet()) {
                setOption(winner, o.getKey(), o.getValue());
            }
            InetSocketAddress peer = ops.remoteAddress(winner);
            moved = true; // replace closes the winner whatever happens
            // bumps the descriptor's generation before done is set: a selector that sees the connect
            // done (watching()) sees the new generation too, so it never keeps the old file's registration
            ch.fdHandle().replace(winner);
            remote = named(peer);
            ch.trace().attempts(attempts == null ? 1 : attempts.attemptsStarted(), peer);
            return null;
        } catch (IOException | RuntimeException | Error e) {
            if (!moved) closeQuietly(winner);
            return unwrap(e);
        }
    }

    /** The connect is over (done is set): wake blocked callers, then the selectors. Never throws. */
    private void ended() {
        completion.complete(null);
        try {
            requeueKeys(ch);
        } catch (RuntimeException | Error e) {
            // a key of a closed selector, or the like: nothing else to tell
        }
    }

    @SuppressWarnings("unchecked")
    private <T> void setOption(int fd, SocketOption<T> name, Object value) throws IOException {
        ops.setOption(fd, family, name, (T) value);
    }

    private InetSocketAddress named(InetSocketAddress peer) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(target.getHostString(), peer.getAddress().getAddress()),
                    peer.getPort());
        } catch (java.net.UnknownHostException e) {
            return peer;
        }
    }

    /** Channel close: stops resolution and attempts; nothing stays open. Under the channel's stateLock. */
    void cancel() {
        assert Thread.holdsLock(lock);
        HappyEyeballs h;
        synchronized (lock) {
            if (cancelled) return;
            cancelled = true;
            h = attempts;
            if (!done) {
                done = true;
                failure = new java.nio.channels.AsynchronousCloseException();
            }
        }
        if (h != null) h.cancel();
        completion.complete(null);
    }

    private void closeQuietly(int fd) {
        if (fd < 0) return;
        try {
            ops.close(fd);
        } catch (IOException | RuntimeException ignore) {
            // nothing to retry
        }
    }

    private static IOException unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof java.util.concurrent.ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof IOException) return (IOException) t;
        if (t instanceof CancellationException) return new java.nio.channels.AsynchronousCloseException();
        return new IOException("Connect failed: " + t, t);
    }

    /**
     * Makes every Edgewise selector holding a key of the channel watch its descriptor afresh (the
     * descriptor's file changed, or the connect started or ended): the descriptor's generation is
     * bumped, so the selector removes and re-adds it at its next update of the key (a kept registration
     * could miss an edge consumed while the connect was pending), and the keys are queued for that
     * update with a blocked selection going round without returning ({@link KeyRewatch}). The key's
     * interest set is not touched.
     */
    static void requeueKeys(SocketChannelImpl ch) {
        ch.fdHandle().renewGeneration();
        for (SelectionKey k : ch.keysSnapshot()) {
            if (k.isValid()) KeyRewatch.rewatch(k);
        }
    }

    /** Keys of a channel, kept by {@link SelChannel#keyRegistered}; invalid ones are pruned on add. */
    static final class Keys {
        private final List<SelectionKey> keys = new ArrayList<>();

        synchronized void add(SelectionKey k) {
            keys.removeIf(x -> !x.isValid());
            keys.add(k);
        }

        synchronized List<SelectionKey> snapshot() {
            return new ArrayList<>(keys);
        }
    }
}
