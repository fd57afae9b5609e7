package io.edgewise.wakeup;

import io.edgewise.EdgewiseSocketOptions;
import io.edgewise.resolve.AsyncResolver;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The lost-wake-up scenarios of issue #22 (and #16 item 3), written once and run in a JVM per backend
 * ({@link WakeupStressMain}) and in the suite's own JVM. Every wait is bounded: a wake-up that never
 * comes throws {@link AssertionError} naming what was left waiting, instead of hanging.
 */
final class WakeupScenarios {
    /** The longest a single wait may take before it counts as lost. */
    static final long BOUND_MS = 10_000;

    /** Whether scenarios print what they measured (the child JVMs do). */
    static boolean LOG;

    private WakeupScenarios() { }

    /** Where an {@code ASYNC_RESOLVE} connect goes, and how it must end. */
    enum Target { RESOLVABLE, UNKNOWN, REFUSED }

    /** A loopback server for connects, and a port on which nothing listens (refused). */
    static final class Endpoints implements AutoCloseable {
        final ServerSocketChannel server;
        final int port, refusedPort;

        Endpoints(SelectorProvider p) throws IOException {
            server = p.openServerSocketChannel();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            server.configureBlocking(false);
            port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            try (ServerSocketChannel t = p.openServerSocketChannel()) {
                t.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                refusedPort = ((InetSocketAddress) t.getLocalAddress()).getPort();
            }
        }

        /** Closes the connections the server accepted so far. */
        void drainAccepted() throws IOException {
            SocketChannel s;
            while ((s = server.accept()) != null) s.close();
        }

        @Override
        public void close() throws IOException {
            drainAccepted();
            server.close();
        }
    }

    /**
     * A name service for the test (no real DNS): {@code *.ok.test} is the loopback address, anything
     * else is unknown. No caching, so every connect to a name goes through the resolver pool (the hop
     * on which completion and registration race); literals still resolve inline.
     */
    static AsyncResolver installTestResolver() {
        return AsyncResolver.install(new AsyncResolver(host -> {
            if (host.endsWith(".ok.test")) return new InetAddress[] {InetAddress.getLoopbackAddress()};
            throw new UnknownHostException(host);
        }, 0, 0, 10_000, 4, System::nanoTime));
    }

    static InetSocketAddress address(Target t, Endpoints e, int i) {
        switch (t) {
            case RESOLVABLE:
                // names go through the pool; every fourth uses the literal, which completes inline
                return InetSocketAddress.createUnresolved(i % 4 == 3 ? "127.0.0.1" : "n" + i + ".ok.test", e.port);
            case UNKNOWN:
                return InetSocketAddress.createUnresolved("no-such-host-" + i + ".invalid", e.port);
            default:
                return InetSocketAddress.createUnresolved(i % 4 == 3 ? "127.0.0.1" : "r" + i + ".ok.test", e.refusedPort);
        }
    }

    /** Checks how {@code finishConnect} ends a connect that was selected. */
    static void checkFinish(SocketChannel c, Target t, String what) throws IOException {
        try {
            boolean done = c.finishConnect();
            if (t != Target.RESOLVABLE || !done) {
                throw new AssertionError(what + ": finishConnect returned " + done + " for a " + t + " target");
            }
        } catch (UnknownHostException e) {
            if (t != Target.UNKNOWN) throw new AssertionError(what + ": " + e, e);
        } catch (ConnectException e) {
            if (t != Target.REFUSED) throw new AssertionError(what + ": " + e, e);
        }
    }

    /**
     * {@code rounds} rounds; each opens {@code batch} non-blocking {@code ASYNC_RESOLVE} connects (the
     * three targets in turn) and selects until every one was selected with {@code OP_CONNECT}. Every
     * {@code select(BOUND_MS)} must select something: an empty return (an internal wake-up surfacing, or
     * readiness dropped while the connect completed) or a timeout fails. Odd rounds register the
     * channel before it connects and let the selector watch it first, so the descriptor's file is
     * replaced under a live registration (the {@code dup3} hand-off).
     */
    static int asyncConnects(SelectorProvider p, int rounds, int batch) throws IOException {
        int selected = 0;
        AsyncResolver previous = installTestResolver();
        try (Endpoints e = new Endpoints(p); Selector sel = p.openSelector()) {
            Target[] targets = Target.values();
            for (int r = 0; r < rounds; r++) {
                boolean registerFirst = (r & 1) == 1;
                Map<SelectionKey, Target> pending = new HashMap<>();
                for (int b = 0; b < batch; b++) {
                    int i = r * batch + b;
                    Target t = targets[i % targets.length];
                    SocketChannel c = p.openSocketChannel();
                    c.setOption(EdgewiseSocketOptions.ASYNC_RESOLVE, true);
                    c.configureBlocking(false);
                    SelectionKey k = null;
                    if (registerFirst) {
                        k = c.register(sel, SelectionKey.OP_CONNECT);
                        sel.selectNow(); // the unconnected socket is watched (and reports hang-up, as the JDK's)
                        sel.selectedKeys().clear();
                    }
                    if (c.connect(address(t, e, i))) {
                        throw new AssertionError("ASYNC_RESOLVE connect returned true");
                    }
                    if (k == null) k = c.register(sel, SelectionKey.OP_CONNECT);
                    pending.put(k, t);
                }
                while (!pending.isEmpty()) {
                    long t0 = System.nanoTime();
                    int n = sel.select(BOUND_MS);
                    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                    if (n == 0) {
                        throw new AssertionError("round " + r + (registerFirst ? " (registered first)" : "")
                                + ": select(" + BOUND_MS + ") returned 0 after " + ms + " ms with "
                                + pending.size() + " connects pending: " + pending.values());
                    }
                    for (SelectionKey k : sel.selectedKeys()) {
                        Target t = pending.remove(k);
                        if (t == null) continue;
                        if (!k.isConnectable()) throw new AssertionError("selected without OP_CONNECT: " + k);
                        SocketChannel c = (SocketChannel) k.channel();
                        checkFinish(c, t, "round " + r);
                        c.close();
                        selected++;
                    }
                    sel.selectedKeys().clear();
                }
                sel.selectNow(); // flush the cancelled keys so their descriptors close
                e.drainAccepted();
            }
        } finally {
            AsyncResolver.install(previous);
        }
        return selected;
    }

    /**
     * #16 item 3 in its sharpest form: connects end while {@code select(timeoutMillis)} waits, but no
     * key becomes selectable (interest 0, or {@code OP_READ} of a connection that gets no data); the
     * select must still return 0 only after its full timeout, as the JDK's does. The connects' internal
     * wake-ups arrive while the selection runs, or just before it starts.
     */
    static void selectOutlastsInternalWakeups(SelectorProvider p, int rounds, long timeoutMillis) throws Exception {
        AsyncResolver previous = installTestResolver();
        try (Endpoints e = new Endpoints(p); Selector sel = p.openSelector()) {
            Target[] targets = Target.values();
            for (int r = 0; r < rounds; r++) {
                List<SocketChannel> channels = new ArrayList<>();
                CountDownLatch selecting = new CountDownLatch(1);
                AtomicReference<Throwable> failed = new AtomicReference<>();
                for (int b = 0; b < 3; b++) {
                    SocketChannel c = p.openSocketChannel();
                    c.setOption(EdgewiseSocketOptions.ASYNC_RESOLVE, true);
                    c.configureBlocking(false);
                    c.register(sel, 0); // OP_READ before connecting would select the unconnected socket's hang-up (JDK too)
                    channels.add(c);
                }
                int round = r;
                Thread starter = new Thread(() -> {
                    try {
                        selecting.await();
                        for (int b = 0; b < channels.size(); b++) {
                            Target t = targets[(round + b) % 3];
                            SocketChannel c = channels.get(b);
                            c.connect(address(t, e, round * 3 + b));
                            if (t == Target.RESOLVABLE) c.keyFor(sel).interestOps(SelectionKey.OP_READ);
                        }
                    } catch (Throwable t) {
                        failed.set(t);
                    }
                });
                starter.start();
                selecting.countDown();
                long t0 = System.nanoTime();
                int n = sel.select(timeoutMillis);
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                starter.join(BOUND_MS);
                if (failed.get() != null) throw new AssertionError("connect failed", failed.get());
                if (n != 0 || ms < timeoutMillis - 5) {
                    throw new AssertionError("round " + r + ": select(" + timeoutMillis + ") returned " + n
                            + " after " + ms + " ms; nothing was selectable and nobody called wakeup()");
                }
                for (SocketChannel c : channels) c.close();
                sel.selectNow();
                e.drainAccepted();
            }
        } finally {
            AsyncResolver.install(previous);
        }
    }

    /** How a blocked reader is woken: data, close of its channel, an interrupt, a reset by the peer. */
    enum Wake { DATA, CLOSE, INTERRUPT, RESET }

    /** A connected pair: {@code reader}'s end is read, {@code peer} writes. */
    static SocketChannel[] pair(SelectorProvider p, Endpoints e) throws IOException {
        SocketChannel c = p.openSocketChannel();
        c.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), e.port));
        SocketChannel s = null;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOUND_MS);
        while (s == null) {
            s = e.server.accept();
            if (s == null) {
                if (System.nanoTime() > deadline) throw new AssertionError("connection never accepted");
                Thread.onSpinWait();
            }
        }
        return new SocketChannel[] {c, s};
    }

    /** What a reader's {@code read} ended with; checked against the way it was woken. */
    static String outcome(SocketChannel c) {
        ByteBuffer b = ByteBuffer.allocate(4);
        try {
            while (b.hasRemaining()) {
                if (c.read(b) < 0) return "EOF after " + b.position();
            }
            return "DATA";
        } catch (AsynchronousCloseException e) {
            return e instanceof ClosedByInterruptException ? "INTERRUPT" : "CLOSE";
        } catch (ClosedChannelException e) {
            return Thread.currentThread().isInterrupted() ? "INTERRUPT" : "CLOSE"; // woken before it blocked
        } catch (java.net.SocketException e) {
            return "Connection reset".equals(e.getMessage()) ? "RESET" : e.toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    static void wake(Wake w, Thread reader, SocketChannel[] pair) throws IOException {
        switch (w) {
            case DATA:
                pair[1].write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4}));
                break;
            case CLOSE:
                pair[0].close();
                break;
            case RESET:
                pair[1].setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
                pair[1].close();
                break;
            default:
                reader.interrupt();
        }
    }

    /**
     * Blocking reads on platform threads, woken by data, by close of the channel, by an interrupt and
     * by a reset from the peer ({@code rounds} of each), at a random moment around the start of the read; each reader must end
     * within the bound, with the outcome its wake-up calls for.
     */
    static int platformReads(SelectorProvider p, int rounds) throws Exception {
        int ended = 0;
        try (Endpoints e = new Endpoints(p)) {
            for (int r = 0; r < rounds; r++) {
                for (Wake w : Wake.values()) {
                    SocketChannel[] pair = pair(p, e);
                    AtomicReference<String> result = new AtomicReference<>();
                    CountDownLatch started = new CountDownLatch(1);
                    CountDownLatch interruptFirst = new CountDownLatch(w == Wake.INTERRUPT && (r & 1) == 1 ? 1 : 0);
                    Thread reader = new Thread(() -> {
                        started.countDown();
                        try {
                            interruptFirst.await(); // odd INTERRUPT rounds: interrupted before the read
                        } catch (InterruptedException x) {
                            Thread.currentThread().interrupt(); // keep the status: the read must see it
                        }
                        result.set(outcome(pair[0]));
                    }, "blocked-reader");
                    reader.start();
                    started.await();
                    if (w == Wake.INTERRUPT && (r & 1) == 0) {
                        // an interrupt that races the channel's begin() itself can be lost on the JDK too:
                        // Thread.interrupt() sees no blocker yet, and sets the interrupt status only after
                        // begin() checked it (JDK 17-25 Thread.interrupt/AbstractInterruptibleChannel.begin).
                        // So interrupt once the reader waits, or (odd rounds) before it reads at all.
                        awaitWaiting(reader);
                    } else if (w != Wake.INTERRUPT) {
                        jitter();
                    }
                    wake(w, reader, pair);
                    reader.join(BOUND_MS);
                    if (reader.isAlive()) {
                        throw new AssertionError("round " + r + ": a platform-thread read woken by " + w
                                + " is still waiting after " + BOUND_MS + " ms, in:\n" + stack(reader));
                    }
                    if (!w.name().equals(result.get())) {
                        throw new AssertionError("round " + r + ": woken by " + w + ", the read ended with " + result.get());
                    }
                    pair[0].close();
                    pair[1].close();
                    ended++;
                }
            }
        }
        return ended;
    }

    /** Waits (bounded) until {@code t} is inside a channel wait: its stack shows the Waiter. */
    static void awaitWaiting(Thread t) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOUND_MS);
        while (System.nanoTime() < deadline && t.isAlive()) {
            for (StackTraceElement e : t.getStackTrace()) {
                if (e.getClassName().endsWith(".Waiter")) return;
            }
            Thread.onSpinWait();
        }
    }

    static String stack(Thread t) {
        StringBuilder sb = new StringBuilder();
        for (StackTraceElement e : t.getStackTrace()) sb.append("\tat ").append(e).append('\n');
        return sb.toString();
    }

    /** Up to ~100 µs of spinning, so wake-ups land before, while and after the reader blocks. */
    private static void jitter() {
        int spins = ThreadLocalRandom.current().nextInt(4) == 0 ? 0 : ThreadLocalRandom.current().nextInt(20_000);
        for (int i = 0; i < spins; i++) Thread.onSpinWait();
    }

    /**
     * {@code n} virtual threads each blocked in {@code read} on its own connection; once every one is
     * parked, all are woken at once ({@code wake}: data from every peer, the closing of every channel,
     * an interrupt of every thread, or a reset from every peer — over libkqueue the ready poller takes
     * the socket's error with the event, and the read must still report it). All must end within the bound with that outcome. Needs JDK 21+
     * and a backend with a ready poller (else virtual threads do not park).
     */
    static int virtualReaders(SelectorProvider p, int n, Wake wake) throws Exception {
        List<SocketChannel[]> pairs = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        AtomicReference<String> wrong = new AtomicReference<>();
        CountDownLatch ended = new CountDownLatch(n);
        try (Endpoints e = new Endpoints(p)) {
            for (int i = 0; i < n; i++) pairs.add(pair(p, e));
            for (SocketChannel[] pair : pairs) {
                readers.add(startVirtual(() -> {
                    String o = outcome(pair[0]);
                    if (!o.equals(wake.name())) wrong.compareAndSet(null, o);
                    ended.countDown();
                }));
            }
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(3 * BOUND_MS);
            int parked;
            while ((parked = countParked(readers)) < n) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(parked + " of " + n + " virtual readers parked within " + 3 * BOUND_MS + " ms");
                }
                Thread.sleep(10); // polling a state with a bound, not ordering events
            }
            long woke = System.nanoTime();
            for (int i = 0; i < n; i++) wake(wake, readers.get(i), pairs.get(i));
            boolean all = ended.await(3 * BOUND_MS, TimeUnit.MILLISECONDS);
            if (LOG) {
                System.out.println("  " + n + " virtual readers parked, then woken by " + wake + ": all ended "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - woke) + " ms after the first wake-up");
            }
            if (!all) {
                throw new AssertionError(ended.getCount() + " of " + n + " parked virtual readers woken by " + wake
                        + " still waiting after " + 3 * BOUND_MS + " ms");
            }
            if (wrong.get() != null) throw new AssertionError("woken by " + wake + ", a read ended with " + wrong.get());
        } finally {
            for (SocketChannel[] pair : pairs) {
                pair[0].close();
                pair[1].close();
            }
        }
        return n;
    }

    private static int countParked(List<Thread> threads) {
        int c = 0;
        for (Thread t : threads) {
            Thread.State s = t.getState();
            if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) c++;
        }
        return c;
    }

    static boolean virtualThreadsExist() {
        return Runtime.version().feature() >= 21;
    }

    private static Thread startVirtual(Runnable r) {
        try {
            return (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null, r);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
