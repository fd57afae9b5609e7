package io.edgewise.conformance;

import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Timeout;

/**
 * Races between registration, interest updates, cancellation, selection, wakeup, close and interrupt.
 * Each race is bounded in rounds and time; the assertions are on the only outcomes the javadoc allows
 * (success or the documented exception), on liveness (every thread ends), and on the final state.
 *
 * <p>Concurrency: each round's worker threads report unexpected throwables through a
 * {@link ConcurrentLinkedQueue}; {@code stop} flags are {@link AtomicBoolean}s; the test thread reads
 * results after joining the workers.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SelectorRaceTest {
    private static final long BUDGET_NANOS = 1_000_000_000L;   // per race and provider
    /** Rounds a race runs even when its time budget is spent (a loaded machine still runs the race). */
    private static final int MIN_ROUNDS = 10;

    /** JDK-8336339: before JDK 24 the JDK's own interestOps could throw ClosedSelectorException in this race. */
    private static boolean tolerateJdk8336339(SelectorProvider p) {
        return p == Providers.jdk() && Runtime.version().feature() < 24;
    }

    interface Body {
        void run() throws Exception;
    }

    private static Thread start(String name, ConcurrentLinkedQueue<Throwable> errors, Body body) {
        Thread t = new Thread(() -> {
            try {
                body.run();
            } catch (Throwable e) {
                errors.add(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void joinAll(List<Thread> ts) throws InterruptedException {
        for (Thread t : ts) {
            t.join(10_000);
            assertFalse(t.isAlive(), t.getName() + " still running: " + List.of(t.getStackTrace()));
        }
    }

    private static void noErrors(ConcurrentLinkedQueue<Throwable> errors) {
        if (!errors.isEmpty()) {
            AssertionError e = new AssertionError("unexpected: " + errors.peek(), errors.peek());
            errors.forEach(e::addSuppressed);
            throw e;
        }
    }

    private static List<Pipe> pipes(SelectorProvider p, int n) throws IOException {
        List<Pipe> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Pipe pipe = p.openPipe();
            pipe.source().configureBlocking(false);
            pipe.sink().configureBlocking(false);
            out.add(pipe);
        }
        return out;
    }

    private static void close(List<Pipe> pipes) {
        for (Pipe pipe : pipes) {
            Net.closeQuietly(pipe.source(), pipe.sink());
        }
    }

    @ProviderTest
    void registerAndInterestOpsRacingSelectorClose(SelectorProvider p) throws Exception {
        long end = System.nanoTime() + BUDGET_NANOS;
        int rounds = 0, checked = 0;
        List<Pipe> pipes = pipes(p, 8);
        try {
            while (rounds < 200 && (rounds < MIN_ROUNDS || System.nanoTime() < end)) {
                rounds++;
                Selector sel = p.openSelector();
                ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> ts = new ArrayList<>();
                ts.add(start("register", errors, () -> {
                    go.await();
                    for (Pipe pipe : pipes) {
                        try {
                            SelectionKey k = pipe.sink().register(sel, OP_WRITE);
                            for (int i = 0; i < 20; i++) {
                                k.interestOps(i % 2 == 0 ? 0 : OP_WRITE);
                            }
                        } catch (ClosedSelectorException | CancelledKeyException expected) {
                            // selector closed first, or key cancelled by the close
                        }
                    }
                }));
                ts.add(start("interestOps", errors, () -> {
                    go.await();
                    for (Pipe pipe : pipes) {
                        SelectionKey k;
                        try {
                            k = pipe.source().register(sel, OP_READ);
                        } catch (ClosedSelectorException expected) {
                            continue;
                        }
                        for (int i = 0; i < 50; i++) {
                            try {
                                k.interestOps(i % 2 == 0 ? 0 : OP_READ);
                            } catch (CancelledKeyException expected) {
                                break;
                            } catch (ClosedSelectorException e) {
                                if (!tolerateJdk8336339(p)) {
                                    throw new AssertionError("interestOps threw ClosedSelectorException", e);
                                }
                                break;
                            }
                        }
                    }
                }));
                ts.add(start("select", errors, () -> {
                    go.await();
                    try {
                        for (int i = 0; i < 20; i++) {
                            sel.selectNow();
                        }
                    } catch (ClosedSelectorException expected) {
                        // closed under us
                    }
                }));
                go.countDown();
                if (rounds % 2 == 0) {
                    Thread.onSpinWait();
                }
                boolean jdkRemoveKeyBug = false;
                try {
                    sel.close();
                } catch (NullPointerException e) {
                    // JDK 17's AbstractSelectableChannel.removeKey (java.base code shared by every provider)
                    // throws NPE when close() or a selection deregisters a key whose channel has not yet
                    // recorded it (registration racing close); JDK 25 checks for null there. Not a
                    // provider bug of the JDK's provider: tolerated for it on JDK < 25, that round's final
                    // state unchecked. Edgewise never lets close deregister an unrecorded key (ab9abe1).
                    if (!tolerateJdkRemoveKeyNpe(p, e)) {
                        throw e;
                    }
                    jdkRemoveKeyBug = true;
                }
                joinAll(ts);
                jdkRemoveKeyBug |= errors.removeIf(e -> e instanceof NullPointerException npe && tolerateJdkRemoveKeyNpe(p, npe));
                noErrors(errors);
                if (jdkRemoveKeyBug) {
                    pipes.forEach(pp -> Net.closeQuietly(pp.source(), pp.sink()));
                    pipes.clear();
                    pipes.addAll(pipes(p, 8));
                    continue;
                }
                for (Pipe pipe : pipes) {
                    assertFalse(pipe.source().isRegistered(), "closed selector left a registration");
                    assertFalse(pipe.sink().isRegistered(), "closed selector left a registration");
                    assertTrue(pipe.source().isOpen() && pipe.sink().isOpen());
                }
                checked++;
            }
        } finally {
            close(pipes);
        }
        assertTrue(checked > 0, "no round's final state was checked (" + rounds + " rounds)");
    }

    /** JDK 17's removeKey NullPointerException, accepted from the JDK's own provider only. */
    private static boolean tolerateJdkRemoveKeyNpe(SelectorProvider p, NullPointerException e) {
        StackTraceElement[] st = e.getStackTrace();
        return p == Providers.jdk() && Runtime.version().feature() < 25 && st.length > 0
                && st[0].getClassName().equals("java.nio.channels.spi.AbstractSelectableChannel")
                && st[0].getMethodName().equals("removeKey");
    }

    @ProviderTest
    void cancelRacingRegisterAndSelect(SelectorProvider p) throws Exception {
        List<Pipe> pipes = pipes(p, 4);
        try (Selector sel = p.openSelector()) {
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger registered = new AtomicInteger();
            List<Thread> ts = new ArrayList<>();
            ts.add(start("select", errors, () -> {
                while (!stop.get()) {
                    sel.select(1);
                    sel.selectedKeys().clear();
                }
            }));
            for (int w = 0; w < 2; w++) {
                ts.add(start("register-cancel-" + w, errors, () -> {
                    int i = 0;
                    while (!stop.get()) {
                        Pipe pipe = pipes.get(i++ % pipes.size());
                        try {
                            SelectionKey k = pipe.sink().register(sel, OP_WRITE);
                            registered.incrementAndGet();
                            k.interestOps(OP_WRITE);
                            k.cancel();
                        } catch (CancelledKeyException expected) {
                            // re-register before the selector flushed the cancelled key
                            sel.wakeup();
                        }
                    }
                }));
            }
            long end = System.nanoTime() + BUDGET_NANOS;
            while (System.nanoTime() < end && errors.isEmpty()) {
                Thread.sleep(10);
            }
            stop.set(true);
            sel.wakeup();
            joinAll(ts);
            noErrors(errors);
            assertTrue(registered.get() > 0);
            sel.selectNow();
            assertTrue(sel.keys().isEmpty(), "every key cancelled and flushed");
            for (Pipe pipe : pipes) {
                SelectionKey k = pipe.sink().register(sel, OP_WRITE);
                assertTrue(k.isValid());
            }
            assertEquals(pipes.size(), sel.selectNow());
        } finally {
            close(pipes);
        }
    }

    @ProviderTest
    void registerAndInterestOpsRacingChannelClose(SelectorProvider p) throws Exception {
        long end = System.nanoTime() + BUDGET_NANOS;
        int rounds = 0;
        try (Selector sel = p.openSelector()) {
            while (rounds < 300 && System.nanoTime() < end) {
                rounds++;
                Pipe pipe = p.openPipe();
                pipe.source().configureBlocking(false);
                ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
                CountDownLatch go = new CountDownLatch(1);
                Thread t = start("register", errors, () -> {
                    go.await();
                    try {
                        SelectionKey k = pipe.source().register(sel, OP_READ);
                        for (int i = 0; i < 20; i++) {
                            k.interestOps(i % 2 == 0 ? 0 : OP_READ);
                        }
                    } catch (ClosedChannelException | CancelledKeyException expected) {
                        // closed before registering, or key cancelled by the close
                    }
                });
                go.countDown();
                if (rounds % 2 == 0) {
                    Thread.onSpinWait();
                }
                pipe.source().close();
                joinAll(List.of(t));
                noErrors(errors);
                sel.selectNow();
                assertTrue(sel.keys().isEmpty(), "a closed channel's key is flushed");
                assertFalse(pipe.source().isRegistered());
                Net.closeQuietly(pipe.sink());
            }
        }
    }

    @ProviderTest
    void channelCloseRacingSelect(SelectorProvider p) throws Exception {
        long end = System.nanoTime() + BUDGET_NANOS;
        int rounds = 0;
        try (Selector sel = p.openSelector()) {
            while (rounds < 100 && System.nanoTime() < end) {
                rounds++;
                List<Pipe> pipes = pipes(p, 4);
                for (Pipe pipe : pipes) {
                    pipe.source().register(sel, OP_READ);
                    pipe.sink().register(sel, OP_WRITE);
                }
                ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
                AtomicBoolean stop = new AtomicBoolean();
                Thread s = start("select", errors, () -> {
                    while (!stop.get()) {
                        sel.select(key -> {
                            try {
                                if (key.isReadable()) {
                                    ((Pipe.SourceChannel) key.channel()).read(ByteBuffer.allocate(64));
                                }
                            } catch (CancelledKeyException | ClosedChannelException expected) {
                                // closed by the other thread meanwhile (the action may see invalid keys)
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        }, 5);
                    }
                });
                for (Pipe pipe : pipes) {
                    pipe.sink().write(ByteBuffer.allocate(1));
                    Net.closeQuietly(pipe.source(), pipe.sink());
                }
                stop.set(true);
                sel.wakeup();
                joinAll(List.of(s));
                noErrors(errors);
                sel.selectNow();
                assertTrue(sel.keys().isEmpty(), "closed channels' keys flushed");
            }
        }
    }

    @ProviderTest
    void wakeupRacingSelectRacingClose(SelectorProvider p) throws Exception {
        long end = System.nanoTime() + BUDGET_NANOS;
        int rounds = 0;
        while (rounds < 100 && (rounds < MIN_ROUNDS || System.nanoTime() < end)) {
            rounds++;
            Selector sel = p.openSelector();
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            AtomicInteger selects = new AtomicInteger();
            List<Thread> ts = new ArrayList<>();
            ts.add(start("select", errors, () -> {
                try {
                    while (true) {
                        sel.select();   // only wakeup or close can end it
                        selects.incrementAndGet();
                    }
                } catch (ClosedSelectorException expected) {
                    // the loop ends when the selector is closed
                }
            }));
            ts.add(start("wakeup", errors, () -> {
                while (sel.isOpen()) {
                    sel.wakeup();
                }
                sel.wakeup();   // after close: no effect, no exception
            }));
            int target = 1 + rounds % 5;
            assertTrue(Net.eventually(() -> selects.get() >= target, 10_000),
                    "wakeups ended " + target + " selects: " + selects.get());
            sel.close();
            joinAll(ts);
            noErrors(errors);
            assertFalse(sel.isOpen());
        }
    }

    @ProviderTest
    void interruptStormOnSelectingThread(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector()) {
            ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger returns = new AtomicInteger();
            Thread s = start("select", errors, () -> {
                while (!stop.get()) {
                    sel.select();   // nothing registered: only an interrupt ends it
                    // clear before counting, so the next interrupt (sent once the count moved) is never lost
                    if (!Thread.interrupted()) {
                        throw new AssertionError("select returned without an interrupt");
                    }
                    returns.incrementAndGet();
                }
            });
            long end = System.nanoTime() + BUDGET_NANOS / 2;
            int sent = 0;
            while (sent < MIN_ROUNDS || (System.nanoTime() < end && sent < 500)) {
                int r = returns.get();
                s.interrupt();
                sent++;
                assertTrue(Net.eventually(() -> returns.get() > r || !errors.isEmpty(), 10_000),
                        "interrupt " + sent + " did not end the select");
                noErrors(errors);
            }
            stop.set(true);
            s.interrupt();
            joinAll(List.of(s));
            noErrors(errors);
            assertEquals(sent + 1, returns.get(), "each interrupt ended exactly one select");
            assertTrue(sel.isOpen(), "interrupts never close the selector");
            assertEquals(0, sel.selectNow());
        }
    }

    @ProviderTest
    void interruptStormOnBlockingReaders(SelectorProvider p) throws Exception {
        long end = System.nanoTime() + BUDGET_NANOS / 2;
        int rounds = 0;
        while (rounds < 50 && System.nanoTime() < end) {
            rounds++;
            Pipe pipe = p.openPipe();
            try {
                ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
                AtomicInteger byInterrupt = new AtomicInteger();
                List<Thread> ts = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    ts.add(start("reader-" + i, errors, () -> {
                        try {
                            pipe.source().read(ByteBuffer.allocate(8));
                            throw new AssertionError("read returned although nothing was written");
                        } catch (ClosedByInterruptException e) {
                            byInterrupt.incrementAndGet();
                        } catch (java.nio.channels.AsynchronousCloseException e) {
                            // another reader's interrupt closed the channel first
                        } catch (ClosedChannelException e) {
                            // closed before this reader started its read
                        }
                    }));
                }
                if (rounds % 2 == 0) {
                    for (Thread t : ts) {
                        assertTrue(Net.awaitBlocked(t), t.getName() + " blocks in read");
                    }
                }
                for (Thread t : ts) {
                    t.interrupt();
                }
                joinAll(ts);
                noErrors(errors);
                assertTrue(byInterrupt.get() >= 1, "at least one reader got ClosedByInterruptException");
                assertFalse(pipe.source().isOpen(), "interrupt closed the channel");
            } finally {
                Net.closeQuietly(pipe.source(), pipe.sink());
            }
        }
    }
}
