package io.edgewise.channels;

import io.edgewise.sys.SystemProps;
import io.edgewise.resolve.AsyncResolver;
import io.edgewise.resolve.HappyEyeballs;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketOption;
import java.nio.channels.CancelledKeyException;
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
 * and fire {@code OP_CONNECT} early); when it finishes, every key of the channel is re-queued so the
 * selector adds the descriptor again and {@code OP_CONNECT} fires from the real socket: {@code POLLOUT}
 * of the connected one, or {@code POLLHUP} of the untouched unconnected one after a failure. Socket
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
    static final long STAGGER_MILLIS = SystemProps.getLong("io.edgewise.connect.staggerMillis", 250L);

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
    }

    /** Whether selectors should watch the channel's descriptor (not while the connect is in progress). */
    boolean watching() {
        return done;
    }

    /** Starts without blocking: literal and cached names continue inline, others on the resolver pool. */
    void start() {
        AsyncResolver.get().resolve(target.getHostString()).whenComplete(this::resolved);
    }

    /** Blocking mode: resolves on the caller's thread, then connects; returns when done. */
    void startOnCallerThread() {
        InetAddress[] a;
        try {
            a = AsyncResolver.get().resolveNow(target.getHostString());
        } catch (IOException e) {
            resolved(null, e);
            return;
        }
        resolved(a, null);
    }

    private void resolved(InetAddress[] addresses, Throwable error) {
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
                done = true;
            } catch (IOException e) {
                failure = e;
                done = true;
            }
        }
        completion.complete(null);
        requeueKeys(ch);
    }

    private void complete(int winner, Throwable error) {
        synchronized (lock) {
            if (cancelled || !ch.isOpen()) {
                closeQuietly(winner);
                return;
            }
            if (error != null) {
                failure = unwrap(error);
            } else {
                try {
                    for (Map.Entry<SocketOption<?>, Object> o : options.entrySet()) {
                        setOption(winner, o.getKey(), o.getValue());
                    }
                    InetSocketAddress peer = ops.remoteAddress(winner);
                    int f = ch.fdHandle().acquire();
                    try {
                        HappyEyeballs.moveOnto(ops, winner, f);
                    } finally {
                        ch.fdHandle().release();
                    }
                    remote = named(peer);
                } catch (IOException e) {
                    closeQuietly(winner);
                    failure = e;
                }
            }
            done = true;
        }
        completion.complete(null);
        requeueKeys(ch);
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
        } catch (IOException ignore) {
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
        return new IOException(t);
    }

    /**
     * Makes every Edgewise selector holding a key of the channel recompute what it watches (the
     * descriptor's file changed, or the connect ended). Uses only the public key API: toggling
     * {@code OP_CONNECT} twice queues the key; the selector applies the final interest.
     */
    static void requeueKeys(SocketChannelImpl ch) {
        for (SelectionKey k : ch.keysSnapshot()) {
            try {
                if ((k.interestOps() & SelectionKey.OP_CONNECT) != 0) {
                    k.interestOpsAnd(~SelectionKey.OP_CONNECT);
                    k.interestOpsOr(SelectionKey.OP_CONNECT);
                } else {
                    k.interestOpsOr(SelectionKey.OP_CONNECT);
                    k.interestOpsAnd(~SelectionKey.OP_CONNECT);
                }
                k.selector().wakeup();
            } catch (CancelledKeyException ignore) {
                // gone: nothing to update
            }
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
