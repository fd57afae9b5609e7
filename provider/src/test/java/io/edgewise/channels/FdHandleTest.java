package io.edgewise.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.sys.SocketOps;
import java.lang.reflect.Proxy;
import java.nio.channels.ClosedChannelException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The in-use rule of deferred close, without a kernel: {@link FdHandle} calls {@code close(2)} exactly
 * once, and only when the handle is closed and no thread is between {@code acquire} and {@code release}.
 * The socket ops are a recording stand-in (only {@code close} may be called).
 */
@Timeout(30)
class FdHandleTest {
    private final List<Integer> closed = new CopyOnWriteArrayList<>();
    private final SocketOps ops = (SocketOps) Proxy.newProxyInstance(SocketOps.class.getClassLoader(),
            new Class<?>[] {SocketOps.class}, (proxy, m, args) -> {
                if (m.getName().equals("close") && args != null && args.length == 1) {
                    closed.add((Integer) args[0]);
                    return null;
                }
                throw new AssertionError("unexpected call " + m.getName());
            });

    @Test
    void closeWithoutUsersClosesAtOnceAndOnce() throws Exception {
        FdHandle h = new FdHandle(ops, 7);
        assertEquals(7, h.fd());
        assertFalse(h.isClosed());
        assertEquals(7, h.acquire());
        h.release();
        assertEquals(List.of(), closed, "a finished call closes nothing");
        h.close();
        assertTrue(h.isClosed());
        assertEquals(List.of(7), closed);
        h.close();
        assertEquals(List.of(7), closed, "closed once");
        assertThrows(ClosedChannelException.class, h::acquire);
        assertEquals(List.of(7), closed, "a refused acquire closes nothing again");
    }

    @Test
    void closeDuringACallIsDeferredToItsRelease() throws Exception {
        FdHandle h = new FdHandle(ops, 9);
        assertEquals(9, h.acquire());
        h.close();
        assertTrue(h.isClosed());
        assertEquals(List.of(), closed, "a thread is inside a call: the number must not be freed");
        assertThrows(ClosedChannelException.class, h::acquire, "no new call on a closed handle");
        assertEquals(List.of(), closed, "a refused acquire does not close under the running call");
        h.release();
        assertEquals(List.of(9), closed, "the last call out closes");
    }

    @Test
    void closeDuringSeveralCallsWaitsForTheLast() throws Exception {
        FdHandle h = new FdHandle(ops, 11);
        h.acquire();
        h.acquire();
        h.acquire();
        h.close();
        h.release();
        h.release();
        assertEquals(List.of(), closed, "one call still inside");
        h.close();
        assertEquals(List.of(), closed, "a second close changes nothing");
        h.release();
        assertEquals(List.of(11), closed);
    }

    @Test
    void callsFromManyThreadsRacingCloseCloseExactlyOnceAfterTheLast() throws Exception {
        for (int round = 0; round < 200; round++) {
            closed.clear();
            FdHandle h = new FdHandle(ops, round);
            int threads = 4;
            Thread[] ts = new Thread[threads];
            java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
            java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<String> bad = new java.util.concurrent.atomic.AtomicReference<>();
            for (int t = 0; t < threads; t++) {
                ts[t] = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < 100; i++) {
                            h.acquire();
                            inside.incrementAndGet();
                            if (!closed.isEmpty()) bad.compareAndSet(null, "closed while a call was inside");
                            inside.decrementAndGet();
                            h.release();
                        }
                    } catch (ClosedChannelException expected) {
                        // closed meanwhile
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                });
                ts[t].start();
            }
            go.countDown();
            h.close();
            for (Thread t : ts) {
                t.join(10_000);
                assertFalse(t.isAlive());
            }
            assertEquals(null, bad.get());
            assertEquals(List.of(round), closed, "round " + round + ": closed exactly once");
        }
    }

    @Test
    void generationWrapsWithoutTouchingTheUseCountOrTheCloseRule() throws Exception {
        FdHandle h = new FdHandle(ops, 13);
        assertEquals(0, h.generation());
        h.acquire();
        for (int i = 1; i <= 20; i++) {
            h.renewGeneration();
            assertEquals(i % 16, h.generation(), "a 4-bit counter");
        }
        h.close();
        assertEquals(List.of(), closed, "a call is still inside");
        h.renewGeneration();
        h.release();
        assertEquals(List.of(13), closed, "the last call out closes, whatever the generation");
        assertEquals(5, h.generation());
        assertThrows(ClosedChannelException.class, h::acquire);
    }

    @Test
    void replaceMovesTheFileClosesTheSourceAndBumpsTheGeneration() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        SocketOps rec = (SocketOps) Proxy.newProxyInstance(SocketOps.class.getClassLoader(),
                new Class<?>[] {SocketOps.class}, (proxy, m, args) -> {
                    calls.add(m.getName() + java.util.Arrays.toString(args));
                    if (m.getName().equals("replace") && (Integer) args[0] == 66) {
                        throw new java.io.IOException("failed after moving (BSD dup2 then fcntl)");
                    }
                    return null;
                });
        FdHandle h = new FdHandle(rec, 21);
        h.replace(55);
        assertEquals(List.of("replace[55, 21]", "close[55]"), calls);
        assertEquals(1, h.generation());
        calls.clear();
        assertThrows(java.io.IOException.class, () -> h.replace(66));
        assertEquals(List.of("replace[66, 21]", "close[66]"), calls, "the source is spent either way");
        assertEquals(2, h.generation(), "a failed replace may have moved the file: registered afresh");
        calls.clear();
        h.close();
        assertEquals(List.of("close[21]"), calls);
        assertThrows(ClosedChannelException.class, () -> h.replace(77));
        assertEquals(List.of("close[21]", "close[77]"), calls, "a closed handle replaces nothing, the source is closed");
    }
}
