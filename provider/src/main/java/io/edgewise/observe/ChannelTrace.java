package io.edgewise.observe;

import java.net.SocketAddress;

/**
 * What one channel tells the observability layer: byte counts, how it ended, its JFR events. Each
 * Edgewise channel holds one, made when it opens; the channel calls it from one or two lines at each
 * hook point.
 *
 * <h2>Threads</h2>
 * {@code bytesIn}, {@code drains}, {@code eof}, {@code readBlocker} are written only by the thread
 * holding the channel's read lock, {@code bytesOut}, {@code writeBlocker} only under its write lock;
 * {@code reset}, {@code interrupted} and the connect fields by the thread in that operation (connect
 * holds both locks). They are plain fields: other threads (JMX, the periodic scan, close) read them
 * racily and may see a slightly old value, which is all a statistic needs. {@code closedAt} is
 * volatile (the periodic scan of another thread tests it).
 * No method allocates unless the JFR event it emits is enabled in a running recording.
 *
 * <h2>Inert traces</h2>
 * A channel opened while JFR is not initialized in the JVM and Edgewise's MXBeans are not registered
 * gets its kind's shared inert trace: it
 * keeps the provider's channel counts and nothing per channel (no byte counts, no ChannelClosed or
 * connect events, no anomaly checks; accepts and blocking calls are still recorded), so a JVM that never records pays no heap per
 * connection for this (about 90 bytes a channel) and no writes to shared fields on its data paths.
 * Channels opened after a recording started are traced in full. Inert instances are never written.
 */
public final class ChannelTrace {
    static final String LOCAL_CLOSE = "local-close", EOF = "eof", RESET = "reset", INTERRUPT = "interrupt";

    final ChannelKind kind;
    /** False for the shared per-kind instances of channels opened while JFR was not initialized. */
    private final boolean live;
    private final long openedAt = System.nanoTime();
    volatile long closedAt;
    long bytesIn, bytesOut;
    /** Reads (accepts) that found nothing ("would block") or the end of the stream. */
    long drains;
    private boolean eof, reset;
    private volatile Thread readBlocker, writeBlocker;

    // connect in progress (the event exists only while a recording wants it)
    private Object connectEvent;
    private long resolveNanos = -1;
    private int addressesTried;
    private String winner;

    private static final ChannelTrace[] INERT = new ChannelTrace[ChannelKind.values().length];

    static {
        for (ChannelKind k : ChannelKind.values()) {
            INERT[k.ordinal()] = new ChannelTrace(k, false);
        }
    }

    private ChannelTrace(ChannelKind kind, boolean live) {
        this.kind = kind;
        this.live = live;
    }

    /**
     * A new channel of {@code kind} opened: its own trace while JFR is initialized or the MXBeans are
     * registered, else the inert one.
     */
    public static ChannelTrace open(ChannelKind kind) {
        ProviderStats.OPENED[kind.ordinal()].increment();
        return Jfr.active() || Jmx.active() ? new ChannelTrace(kind, true) : INERT[kind.ordinal()];
    }

    // ---- data

    /**
     * The raw result of one read or receive call: a count, -1 (end of stream), or a negative "would
     * block"/"interrupted" status (-2, -3 as {@code SocketOps} names them).
     */
    public void read(long n) {
        if (!live) return;
        if (n > 0) {
            bytesIn += n;
        } else if (n == -1) {
            eof = true;
            drains++;
        } else if (n == -2) {
            drains++;
        }
    }

    /** The result of one write or send call (a count or a negative status). */
    public void wrote(long n) {
        if (live && n > 0) bytesOut += n;
    }

    /** An accept that found no connection waiting. */
    public void acceptDrained() {
        if (live) drains++;
    }

    /** The connection was reset (ECONNRESET and friends surfaced as an exception). */
    public void reset() {
        if (live) reset = true;
    }

    /**
     * How many times a read found the channel drained (for the edge-triggered key check); -1 for an
     * inert trace, which counts nothing.
     */
    public long drains() {
        return live ? drains : -1;
    }

    public ChannelKind kind() {
        return kind;
    }

    // ---- blocking operations: events (null when not recorded)

    /** Before a blocking read, receive or accept: the event to end, or null when not recorded. */
    public Object beginBlockingRead() {
        if (live) readBlocker = Thread.currentThread();
        if (!Jfr.active()) return null;
        return Emit.begin(kind, true);
    }

    /** Before a blocking write or send. */
    public Object beginBlockingWrite() {
        if (live) writeBlocker = Thread.currentThread();
        if (!Jfr.active()) return null;
        return Emit.begin(kind, false);
    }

    /**
     * After a blocking read or receive with result {@code n} (bytes, -1 EOF, or a negative status);
     * {@code timedOut}: it ended by its timeout; {@code address}: the peer, or the sender.
     */
    public void endBlockingRead(Object event, long n, boolean timedOut, Object address) {
        if (live) readBlocker = null;
        if (event != null) Emit.endRead(event, kind, n, timedOut, address);
    }

    public void endBlockingWrite(Object event, long n, Object address) {
        if (live) writeBlocker = null;
        if (event != null) Emit.endWrite(event, kind, n, address);
    }

    /** Before a blocking read/receive ({@code in}) or write/send. */
    public Object beginBlocking(boolean in) {
        return in ? beginBlockingRead() : beginBlockingWrite();
    }

    /** The raw result of a read/receive ({@code in}) or write/send. */
    public void io(boolean in, long n) {
        if (in) read(n); else wrote(n);
    }

    /** After a blocking read/receive ({@code in}) or write/send. */
    public void endBlocking(boolean in, Object event, long n, boolean timedOut, Object address) {
        if (in) endBlockingRead(event, n, timedOut, address); else endBlockingWrite(event, n, address);
    }

    // ---- accept

    /** Before an accept (blocking or not): the event to end, or null. */
    public Object beginAccept() {
        return Jfr.active() ? Emit.beginAccept() : null;
    }

    /** After an accept that returned a connection (call only with an event: {@code remote} may cost a call). */
    public void endAccept(Object event, boolean blocking, SocketAddress local, Object remote) {
        if (event != null) Emit.endAccept(event, kind, blocking, local, remote);
    }

    // ---- connect

    /** connect() began (towards {@code target}). */
    public void connectStarted(Object target, boolean blocking, boolean async) {
        if (live && connectEvent == null && Jfr.active()) {
            connectEvent = Emit.beginConnect(target, blocking, async);
        }
    }

    /** Asynchronous resolution of the target took {@code nanos}. */
    public void resolved(long nanos) {
        if (live) resolveNanos = nanos;
    }

    /** Asynchronous connect attempts: how many addresses were tried and which won (null: none). */
    public void attempts(int tried, Object winner) {
        if (!live) return;
        addressesTried = tried;
        this.winner = winner == null ? null : winner.toString();
    }

    /** The connect completed. */
    public void connected(SocketAddress local, SocketAddress remote) {
        Object e = connectEvent;
        if (e != null) {
            connectEvent = null;
            Emit.endConnect(e, kind, local, remote, resolveNanos, addressesTried, winner, null);
        }
    }

    /** The connect failed with {@code failure}. */
    public void connectFailed(Throwable failure) {
        Object e = connectEvent;
        if (e != null) {
            connectEvent = null;
            Emit.endConnect(e, kind, null, null, resolveNanos, addressesTried, winner, String.valueOf(failure));
        }
    }

    // ---- close

    /**
     * The channel was closed (once, from implClose); emits ChannelClosed. {@code registered}: a
     * selector still holds it (the descriptor closes at deregistration).
     */
    public void closed(SocketAddress local, SocketAddress remote, boolean registered) {
        ProviderStats.CLOSED[kind.ordinal()].increment();
        if (!live) return;
        long now = System.nanoTime();
        closedAt = now == 0 ? 1 : now;
        if (connectEvent != null) connectFailed(new java.nio.channels.AsynchronousCloseException());
        if (Jfr.active()) Emit.closed(kind, local, remote, now - openedAt, bytesIn, bytesOut, ending(), registered);
    }

    /** The descriptor was really closed (at close, or at deregistration after a deferred close). */
    public void released() {
        ProviderStats.RELEASED.increment();
    }

    /** How the channel ended, as ChannelClosed says it. */
    String ending() {
        if (Thread.currentThread().isInterrupted() || interrupted(readBlocker) || interrupted(writeBlocker)) {
            return INTERRUPT;
        }
        if (reset) return RESET;
        if (eof) return EOF;
        return LOCAL_CLOSE;
    }

    private static boolean interrupted(Thread t) {
        return t != null && t.isInterrupted();
    }

    long lifetimeNanos() {
        long c = closedAt;
        return (c != 0 ? c : System.nanoTime()) - openedAt;
    }
}
