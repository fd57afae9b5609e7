package io.edgewise.modes;

import static java.nio.channels.SelectionKey.OP_READ;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.EdgewiseSelector;
import io.edgewise.testing.OpenDescriptors;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Registration, interest changes, cancellation and close from many threads while another selects:
 * every call takes effect or throws the javadoc's exception, no registration is lost, no thread
 * blocks forever, no descriptor leaks. Bounded in count and time.
 */
class RegistrationRaceTest {
    private static List<Pipe> pipes(int n) throws Exception {
        List<Pipe> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Pipe p = Loopback.PROVIDER.openPipe();
            p.source().configureBlocking(false);
            list.add(p);
        }
        return list;
    }

    private static void closeAll(List<Pipe> pipes) throws Exception {
        for (Pipe p : pipes) {
            p.source().close();
            p.sink().close();
        }
    }

    @Test
    void registrationsFromManyThreadsAreNeverLost() throws Exception {
        int threads = 4, perThread = 150;
        List<Pipe> pipes = pipes(threads * perThread);
        try (EdgewiseSelector sel = Loopback.selector()) {
            Set<SelectionKey> seen = ConcurrentHashMap.newKeySet();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread selecting = new Thread(() -> {
                try {
                    while (sel.isOpen() && seen.size() < pipes.size()) {
                        sel.select(50);
                        seen.addAll(sel.selectedKeys());
                        sel.selectedKeys().clear();
                    }
                } catch (ClosedSelectorException ignore) {
                } catch (Throwable t) {
                    failure.set(t);
                }
            });
            selecting.start();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> registrars = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                List<Pipe> mine = pipes.subList(t * perThread, (t + 1) * perThread);
                Thread r = new Thread(() -> {
                    try {
                        go.await();
                        for (Pipe p : mine) {
                            p.source().register(sel, OP_READ);
                            p.sink().write(ByteBuffer.wrap(new byte[] {1}));
                            if (ThreadLocalRandom.current().nextInt(8) == 0) sel.wakeup();
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                    }
                });
                r.start();
                registrars.add(r);
            }
            go.countDown();
            for (Thread r : registrars) r.join(10_000);
            sel.wakeup();
            selecting.join(15_000);
            assertFalse(selecting.isAlive(), "selecting thread finished");
            assertNull(failure.get());
            assertEquals(pipes.size(), sel.keys().size());
            assertEquals(pipes.size(), seen.size(), "every registered channel was selected");
        } finally {
            closeAll(pipes);
        }
    }

    @Test
    void interestChangesFromOtherThreadsEndInTheLastValue() throws Exception {
        List<Pipe> pipes = pipes(1);
        Pipe p = pipes.get(0);
        try (EdgewiseSelector sel = Loopback.selector()) {
            SelectionKey k = p.source().register(sel, 0);
            p.sink().write(ByteBuffer.wrap(new byte[] {1}));
            Thread toggler = new Thread(() -> {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                for (int i = 0; i < 20_000; i++) {
                    k.interestOps(r.nextBoolean() ? OP_READ : 0);
                    if (i % 100 == 0) sel.wakeup();
                }
                k.interestOps(0);
            });
            toggler.start();
            while (toggler.isAlive()) {
                sel.select(1);
                sel.selectedKeys().clear();
            }
            toggler.join();
            sel.selectNow();
            sel.selectedKeys().clear();
            assertEquals(0, sel.selectNow(), "interest 0 at the end: not selected");
            k.interestOps(OP_READ);
            assertEquals(1, sel.selectNow(), "interest OP_READ: selected");
        } finally {
            closeAll(pipes);
        }
    }

    @Test
    void cancelRacingRegisterThrowsOrSucceeds() throws Exception {
        List<Pipe> pipes = pipes(1);
        Pipe p = pipes.get(0);
        try (EdgewiseSelector sel = Loopback.selector()) {
            for (int i = 0; i < 2_000; i++) {
                SelectionKey k = p.source().register(sel, OP_READ);
                Thread canceller = new Thread(k::cancel);
                canceller.start();
                try {
                    SelectionKey again = p.source().register(sel, OP_READ);
                    assertSame(k, again, "the same key while not cancelled");
                } catch (CancelledKeyException expected) {
                    // cancelled and not yet flushed: the javadoc's answer
                }
                canceller.join();
                assertFalse(k.isValid());
                sel.selectNow(); // flush
                assertNull(p.source().keyFor(sel));
            }
            SelectionKey k = p.source().register(sel, OP_READ);
            assertTrue(k.isValid());
        } finally {
            closeAll(pipes);
        }
    }

    @Test
    void closeRacingRegisterInterestSelectAndWakeup() throws Exception {
        closeAll(pipes(1)); // warm up: the provider's lazily opened descriptors
        OpenDescriptors.assertNoLeak("descriptors after 30 rounds of close races", () -> {
            for (int round = 0; round < 30; round++) {
                List<Pipe> pipes = pipes(40);
                EdgewiseSelector sel = Loopback.selector();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                List<Thread> workers = new ArrayList<>();
                CountDownLatch started = new CountDownLatch(4);
                Runnable[] jobs = {
                    () -> { // registrar
                        for (Pipe pp : pipes) {
                            try {
                                pp.source().register(sel, OP_READ);
                            } catch (ClosedSelectorException expected) {
                                return;
                            } catch (Throwable t) {
                                failure.compareAndSet(null, t);
                                return;
                            }
                        }
                    },
                    () -> { // interest changer
                        for (int i = 0; i < 10_000; i++) {
                            for (Pipe pp : pipes) {
                                SelectionKey k = pp.source().keyFor(sel);
                                if (k == null) continue;
                                try {
                                    k.interestOps(i % 2 == 0 ? 0 : OP_READ);
                                } catch (CancelledKeyException expected) {
                                    // the key was cancelled by close(); the javadoc's answer
                                } catch (Throwable t) {
                                    failure.compareAndSet(null, t);
                                    return;
                                }
                            }
                            if (!sel.isOpen()) return;
                        }
                    },
                    () -> { // selector
                        try {
                            while (true) {
                                sel.select(5);
                                sel.selectedKeys().clear();
                            }
                        } catch (ClosedSelectorException expected) {
                        } catch (Throwable t) {
                            failure.compareAndSet(null, t);
                        }
                    },
                    () -> { // waker
                        while (sel.isOpen()) sel.wakeup();
                        sel.wakeup(); // after close: a no-op, never an exception
                    },
                };
                for (Runnable job : jobs) {
                    Thread t = new Thread(() -> { started.countDown(); job.run(); });
                    t.start();
                    workers.add(t);
                }
                started.await();
                Thread.sleep(ThreadLocalRandom.current().nextInt(3));
                sel.close();
                for (Thread t : workers) {
                    t.join(TimeUnit.SECONDS.toMillis(10));
                    assertFalse(t.isAlive(), "no thread stays blocked after close");
                }
                assertNull(failure.get(), () -> "unexpected: " + failure.get());
                for (Pipe pp : pipes) {
                    SelectionKey k = pp.source().keyFor(sel);
                    assertTrue(k == null || !k.isValid(), "every key is invalid after close");
                }
                closeAll(pipes);
            }
        });
    }
}
