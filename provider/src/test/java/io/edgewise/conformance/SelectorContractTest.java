package io.edgewise.conformance;

import static java.nio.channels.SelectionKey.OP_ACCEPT;
import static java.nio.channels.SelectionKey.OP_CONNECT;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.CancelledKeyException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalBlockingModeException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.ConcurrentModificationException;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;

/**
 * Every rule of the {@link Selector} / {@link SelectionKey} javadoc that can be observed through the
 * public API, run on the JDK's provider (proving the test) and on Edgewise.
 */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SelectorContractTest {

    /** Runs {@code op} in a new daemon thread; the future completes with its result or exception. */
    static <T> CompletableFuture<T> inThread(String name, Callable<T> op, AtomicReference<Thread> threadOut) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                f.complete(op.call());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, name);
        t.setDaemon(true);
        if (threadOut != null) {
            threadOut.set(t);
        }
        t.start();
        return f;
    }

    interface Callable<T> {
        T call() throws Exception;
    }

    static <T> T get(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }

    // ---------------------------------------------------------------- key sets

    @ProviderTest
    void newSelectorIsOpenWithEmptySets(SelectorProvider p) throws IOException {
        try (Selector sel = p.openSelector()) {
            assertTrue(sel.isOpen());
            assertSame(p, sel.provider());
            assertTrue(sel.keys().isEmpty());
            assertTrue(sel.selectedKeys().isEmpty());
            assertSame(sel.selectedKeys(), sel.selectedKeys(), "selectedKeys() returns the same set each time");
            assertEquals(0, sel.selectNow());
        }
    }

    @ProviderTest
    void keySetIsNotModifiableAndSelectedSetAllowsOnlyRemoval(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn c = Net.connect(p)) {
            c.server.configureBlocking(false);
            SelectionKey k = c.server.register(sel, OP_WRITE, "att");
            assertEquals(Set.of(k), sel.keys());
            assertSame(sel, k.selector());
            assertSame(c.server, k.channel());
            assertEquals("att", k.attachment());
            assertThrows(UnsupportedOperationException.class, () -> sel.keys().remove(k));
            assertThrows(UnsupportedOperationException.class, () -> sel.keys().clear());
            assertThrows(UnsupportedOperationException.class, () -> sel.selectedKeys().add(k));
            assertEquals(1, sel.selectNow());
            assertEquals(Set.of(k), sel.selectedKeys());
            assertTrue(sel.selectedKeys().remove(k));
            assertTrue(sel.selectedKeys().isEmpty());
            assertEquals(1, sel.selectNow());
            Iterator<SelectionKey> it = sel.selectedKeys().iterator();
            assertSame(k, it.next());
            it.remove();
            assertTrue(sel.selectedKeys().isEmpty());
            assertEquals(1, sel.selectNow());
            sel.selectedKeys().clear();
            assertTrue(sel.selectedKeys().isEmpty());
            assertEquals(Set.of(k), sel.keys(), "removal from the selected set leaves the key registered");
        }
    }

    @ProviderTest
    void selectedKeySetIteratorIsFailFast(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn a = Net.connect(p); Net.Conn b = Net.connect(p)) {
            a.client.configureBlocking(false);
            b.client.configureBlocking(false);
            SelectionKey ka = a.client.register(sel, OP_WRITE);
            SelectionKey kb = b.client.register(sel, OP_WRITE);
            assertEquals(2, sel.selectNow());
            Iterator<SelectionKey> it = sel.selectedKeys().iterator();
            SelectionKey first = it.next();
            sel.selectedKeys().remove(first == ka ? kb : ka);
            assertThrows(ConcurrentModificationException.class, it::next);
        }
    }

    @ProviderTest
    void keySetIterationToleratesConcurrentRegistration(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector()) {
            List<Pipe> pipes = new ArrayList<>();
            try {
                for (int i = 0; i < 100; i++) {
                    Pipe pipe = p.openPipe();
                    pipes.add(pipe);
                    pipe.source().configureBlocking(false);
                }
                CountDownLatch go = new CountDownLatch(1);
                CompletableFuture<Integer> reg = inThread("register", () -> {
                    go.await();
                    for (Pipe pipe : pipes) {
                        pipe.source().register(sel, OP_READ);
                    }
                    return pipes.size();
                }, null);
                go.countDown();
                int iterations = 0;
                while (!reg.isDone() && iterations < 100_000) {
                    for (SelectionKey k : sel.keys()) {   // must never throw ConcurrentModificationException
                        assertNotNull(k);
                    }
                    iterations++;
                }
                assertEquals(100, get(reg));
                assertEquals(100, sel.keys().size());
            } finally {
                for (Pipe pipe : pipes) {
                    Net.closeQuietly(pipe.source(), pipe.sink());
                }
            }
        }
    }

    // ---------------------------------------------------------------- ready sets and counts

    @ProviderTest
    void readyKeyIsAddedAndCounted(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn c = Net.connect(p)) {
            c.server.configureBlocking(false);
            SelectionKey k = c.server.register(sel, OP_READ);
            assertEquals(0, sel.selectNow());
            assertEquals(0, k.readyOps());
            c.client.write(Net.bytes("x"));
            Net.awaitReady(sel, k, OP_READ);
            assertEquals(OP_READ, k.readyOps());
            assertTrue(k.isReadable());
            assertFalse(k.isWritable());
        }
    }

    @ProviderTest
    void keyWithEmptyInterestSetIsNeverSelected(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn c = Net.connect(p)) {
            c.server.configureBlocking(false);
            SelectionKey k = c.server.register(sel, 0);
            c.client.write(Net.bytes("x"));
            assertEquals(0, sel.select(50));
            assertTrue(sel.selectedKeys().isEmpty());
            assertEquals(0, k.readyOps());
        }
    }

    @ProviderTest
    void readySetIsReplacedForKeyNotInSelectedSet(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn c = Net.connect(p)) {
            c.server.configureBlocking(false);
            SelectionKey k = c.server.register(sel, OP_READ | OP_WRITE);
            c.client.write(Net.bytes("x"));
            Net.awaitReady(sel, k, OP_READ | OP_WRITE);
            assertEquals(OP_READ | OP_WRITE, k.readyOps());
            sel.selectedKeys().clear();
            k.interestOps(OP_WRITE);
            assertEquals(1, sel.selectNow());
            assertEquals(OP_WRITE, k.readyOps(), "previous readiness discarded");
        }
    }

    @ProviderTest
    void readySetIsOredForKeyAlreadySelectedAndCountOnlyNewOps(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn c = Net.connect(p)) {
            c.server.configureBlocking(false);
            SelectionKey k = c.server.register(sel, OP_READ);
            c.client.write(Net.bytes("x"));
            Net.awaitReady(sel, k, OP_READ);
            assertEquals(0, sel.selectNow(), "no new ops for a key already selected");
            assertEquals(OP_READ, k.readyOps());
            k.interestOps(OP_WRITE);
            assertEquals(1, sel.selectNow(), "WRITE is new");
            assertEquals(OP_READ | OP_WRITE, k.readyOps(), "old READ preserved, WRITE or-ed in");
            assertEquals(0, sel.selectNow());
            assertEquals(Set.of(k), sel.selectedKeys());
        }
    }

    @ProviderTest
    void countIsNumberOfKeysUpdated(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn a = Net.connect(p); Net.Conn b = Net.connect(p);
             Net.Conn c = Net.connect(p)) {
            for (Net.Conn x : List.of(a, b, c)) {
                x.server.configureBlocking(false);
                x.server.register(sel, OP_READ | OP_WRITE);
            }
            // all three writable: three keys updated in one selection
            int n = sel.selectNow();
            assertEquals(3, n);
            assertEquals(3, sel.selectedKeys().size());
            a.client.write(Net.bytes("x"));
            // only a's key gains an op (READ): the count is 1 although 3 keys are ready
            long deadline = System.nanoTime() + 5_000_000_000L;
            n = 0;
            while (n == 0 && System.nanoTime() < deadline) {
                n = sel.select(100);
            }
            assertEquals(1, n);
            assertEquals(OP_READ | OP_WRITE, a.server.keyFor(sel).readyOps());
            sel.selectedKeys().clear();
            n = sel.selectNow();
            assertEquals(3, n);
            assertEquals(3, sel.selectedKeys().size());
        }
    }

    @ProviderTest
    void connectAcceptAndPipeReadiness(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); ServerSocketChannel ssc = Net.listen(p);
             SocketChannel c = p.openSocketChannel()) {
            ssc.configureBlocking(false);
            SelectionKey ka = ssc.register(sel, OP_ACCEPT);
            assertEquals(OP_ACCEPT, ssc.validOps());
            c.configureBlocking(false);
            SelectionKey kc = c.register(sel, OP_CONNECT);
            boolean connected = c.connect(ssc.getLocalAddress());
            if (!connected) {
                Net.awaitReady(sel, kc, OP_CONNECT);
                assertTrue(c.finishConnect());
            }
            Net.awaitReady(sel, ka, OP_ACCEPT);
            try (SocketChannel s = ssc.accept()) {
                assertNotNull(s);
            }
        }
        Pipe pipe = p.openPipe();
        try (Selector sel = p.openSelector(); Pipe.SourceChannel src = pipe.source(); Pipe.SinkChannel snk = pipe.sink()) {
            src.configureBlocking(false);
            snk.configureBlocking(false);
            assertEquals(OP_READ, src.validOps());
            assertEquals(OP_WRITE, snk.validOps());
            SelectionKey kr = src.register(sel, OP_READ);
            SelectionKey kw = snk.register(sel, OP_WRITE);
            assertEquals(1, sel.selectNow());
            assertEquals(Set.of(kw), sel.selectedKeys());
            snk.write(Net.bytes("x"));
            Net.awaitReady(sel, kr, OP_READ);
            assertEquals(OP_READ, kr.readyOps());
        }
    }

    @ProviderTest
    void hangupReportsInterestOpsAndSelectorNeverClosesChannel(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn c = Net.connect(p)) {
            c.server.configureBlocking(false);
            SelectionKey k = c.server.register(sel, OP_READ);
            c.client.setOption(StandardSocketOptions.SO_LINGER, 0);
            c.client.close();   // RST
            Net.awaitReady(sel, k, OP_READ);
            assertTrue(c.server.isOpen());
            assertTrue(k.isValid());
            assertThrows(IOException.class, () -> c.server.read(ByteBuffer.allocate(8)));
        }
    }

    // ---------------------------------------------------------------- interest updates

    @ProviderTest
    void interestChangeDuringSelectTakesEffectAtNextSelection(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn c = Net.connect(p)) {
            c.server.configureBlocking(false);
            SelectionKey k = c.server.register(sel, 0);
            c.client.write(Net.bytes("x"));   // readable, but not of interest yet
            AtomicReference<Thread> t = new AtomicReference<>();
            CompletableFuture<Integer> f = inThread("select", sel::select, t);
            assertTrue(Net.awaitBlocked(t.get()), "select blocks");
            k.interestOps(OP_READ);
            assertTrue(Net.awaitBlocked(t.get()), "select still blocked after interestOps");
            sel.wakeup();
            assertEquals(0, get(f), "the running selection did not see the new interest");
            assertFalse(sel.selectedKeys().contains(k));
            assertEquals(1, sel.selectNow());
            assertEquals(OP_READ, k.readyOps());
        }
    }

    @ProviderTest
    void interestOpsValidation(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn c = Net.connect(p); ServerSocketChannel ssc = Net.listen(p)) {
            c.client.configureBlocking(false);
            ssc.configureBlocking(false);
            assertEquals(OP_READ | OP_WRITE | OP_CONNECT, c.client.validOps());
            assertThrows(IllegalArgumentException.class, () -> c.client.register(sel, OP_ACCEPT));
            assertThrows(IllegalArgumentException.class, () -> ssc.register(sel, OP_READ));
            assertThrows(IllegalArgumentException.class, () -> c.client.register(sel, -1));
            assertTrue(sel.keys().isEmpty());
            SelectionKey k = c.client.register(sel, OP_READ);
            assertThrows(IllegalArgumentException.class, () -> k.interestOps(OP_ACCEPT));
            assertThrows(IllegalArgumentException.class, () -> k.interestOpsOr(OP_ACCEPT));
            assertEquals(OP_READ, k.interestOps());
            assertEquals(OP_READ, k.interestOpsOr(OP_WRITE));
            assertEquals(OP_READ | OP_WRITE, k.interestOps());
            assertEquals(OP_READ | OP_WRITE, k.interestOpsAnd(OP_WRITE));
            assertEquals(OP_WRITE, k.interestOps());
            assertSame(k, c.client.register(sel, OP_READ, "b"), "re-register updates the existing key");
            assertEquals(OP_READ, k.interestOps());
            assertEquals("b", k.attachment());
        }
    }

    @ProviderTest
    void registrationRequiresNonBlockingMode(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn c = Net.connect(p)) {
            assertThrows(IllegalBlockingModeException.class, () -> c.client.register(sel, OP_READ));
            c.client.configureBlocking(false);
            c.client.register(sel, OP_READ);
            assertThrows(IllegalBlockingModeException.class, () -> c.client.configureBlocking(true));
            assertFalse(c.client.isBlocking());
        }
    }

    // ---------------------------------------------------------------- cancellation

    @ProviderTest
    void cancelledKeyIsFlushedByNextSelection(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn c = Net.connect(p)) {
            c.client.configureBlocking(false);
            SelectionKey k = c.client.register(sel, OP_WRITE);
            k.cancel();
            assertFalse(k.isValid());
            assertTrue(c.client.isRegistered(), "deregistered only by the next selection");
            assertTrue(sel.keys().contains(k), "cancelled-key set is a subset of the key set");
            assertEquals(0, sel.selectNow(), "a cancelled key is not selected");
            assertFalse(sel.keys().contains(k));
            assertFalse(sel.selectedKeys().contains(k));
            assertFalse(c.client.isRegistered());
            assertNull(c.client.keyFor(sel));
            k.cancel();   // no effect
            assertThrows(CancelledKeyException.class, k::interestOps);
            assertThrows(CancelledKeyException.class, () -> k.interestOps(OP_READ));
            assertThrows(CancelledKeyException.class, () -> k.interestOpsOr(OP_READ));
            assertThrows(CancelledKeyException.class, () -> k.interestOpsAnd(OP_READ));
            assertThrows(CancelledKeyException.class, k::readyOps);
            assertThrows(CancelledKeyException.class, k::isWritable);
            assertSame(c.client, k.channel());
            assertSame(sel, k.selector());
        }
    }

    @ProviderTest
    void selectedKeyCancelledIsRemovedFromSelectedSetByNextSelection(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn c = Net.connect(p)) {
            c.client.configureBlocking(false);
            SelectionKey k = c.client.register(sel, OP_WRITE);
            assertEquals(1, sel.selectNow());
            k.cancel();
            assertTrue(sel.selectedKeys().contains(k));
            assertEquals(0, sel.selectNow());
            assertTrue(sel.selectedKeys().isEmpty());
            assertTrue(sel.keys().isEmpty());
        }
    }

    @ProviderTest
    void reRegisterOfUnflushedCancelledKeyThrows(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn c = Net.connect(p)) {
            c.client.configureBlocking(false);
            SelectionKey k = c.client.register(sel, OP_WRITE);
            k.cancel();
            assertThrows(CancelledKeyException.class, () -> c.client.register(sel, OP_READ));
            sel.selectNow();
            SelectionKey k2 = c.client.register(sel, OP_READ);
            assertNotSame(k, k2);
            assertTrue(k2.isValid());
            assertSame(k2, c.client.keyFor(sel));
        }
    }

    @ProviderTest
    void closingChannelCancelsItsKeys(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn c = Net.connect(p)) {
            c.client.configureBlocking(false);
            SelectionKey k = c.client.register(sel, OP_READ);
            c.client.close();
            assertFalse(k.isValid());
            sel.selectNow();
            assertFalse(sel.keys().contains(k));
            assertFalse(c.client.isRegistered());
        }
    }

    @ProviderTest
    void keyCancelledWhileSelectingIsFlushedBeforeSelectReturns(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn a = Net.connect(p); Net.Conn b = Net.connect(p)) {
            a.server.configureBlocking(false);
            b.server.configureBlocking(false);
            SelectionKey ka = a.server.register(sel, OP_READ);
            SelectionKey kb = b.server.register(sel, OP_READ);
            AtomicReference<Thread> t = new AtomicReference<>();
            CompletableFuture<Integer> f = inThread("select", sel::select, t);
            assertTrue(Net.awaitBlocked(t.get()));
            ka.cancel();
            b.client.write(Net.bytes("x"));   // wakes the selection
            assertEquals(1, get(f));
            assertEquals(Set.of(kb), sel.selectedKeys());
            assertEquals(Set.of(kb), sel.keys(), "key cancelled during the poll flushed after it");
            assertFalse(a.server.isRegistered());
        }
    }

    @ProviderTest
    void keyCancelledInActionIsNotSelectedAgain(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn a = Net.connect(p)) {
            a.server.configureBlocking(false);
            SelectionKey k = a.server.register(sel, OP_WRITE);
            assertEquals(1, sel.selectNow(key -> key.cancel()));
            assertFalse(k.isValid());
            assertEquals(0, sel.selectNow());
            assertFalse(sel.keys().contains(k));
        }
    }

    // ---------------------------------------------------------------- several selectors, foreign selectors

    @ProviderTest
    void oneChannelOnSeveralSelectors(SelectorProvider p) throws Exception {
        try (Selector s1 = p.openSelector(); Selector s2 = p.openSelector(); Net.Conn c = Net.connect(p)) {
            c.server.configureBlocking(false);
            SelectionKey k1 = c.server.register(s1, OP_READ);
            SelectionKey k2 = c.server.register(s2, OP_READ | OP_WRITE);
            assertNotSame(k1, k2);
            assertSame(k1, c.server.keyFor(s1));
            assertSame(k2, c.server.keyFor(s2));
            c.client.write(Net.bytes("x"));
            Net.awaitReady(s1, k1, OP_READ);
            Net.awaitReady(s2, k2, OP_READ | OP_WRITE);
            assertEquals(OP_READ, k1.readyOps());
            k1.cancel();
            s1.selectNow();
            assertTrue(k2.isValid());
            assertTrue(c.server.isRegistered());
            s1.close();
            sel2StillWorks(s2, k2);
            s2.close();
            assertFalse(k2.isValid());
            assertFalse(c.server.isRegistered());
            assertTrue(c.server.isOpen());
        }
    }

    private static void sel2StillWorks(Selector s2, SelectionKey k2) throws IOException {
        s2.selectedKeys().clear();
        assertEquals(1, s2.selectNow());
        assertEquals(OP_READ | OP_WRITE, k2.readyOps());
    }

    @ProviderTest
    void channelOfAnotherProviderIsRejected(SelectorProvider p) throws Exception {
        SelectorProvider other = p == Providers.jdk() ? Providers.edgewise() : Providers.jdk();
        try (Selector sel = p.openSelector(); Net.Conn foreign = Net.connect(other)) {
            foreign.client.configureBlocking(false);
            assertThrows(java.nio.channels.IllegalSelectorException.class,
                    () -> foreign.client.register(sel, OP_READ));
            assertFalse(foreign.client.isRegistered());
            assertTrue(sel.keys().isEmpty());
            Pipe pipe = other.openPipe();
            try {
                pipe.source().configureBlocking(false);
                assertThrows(java.nio.channels.IllegalSelectorException.class,
                        () -> pipe.source().register(sel, OP_READ));
            } finally {
                Net.closeQuietly(pipe.source(), pipe.sink());
            }
            try (ServerSocketChannel ssc = Net.listen(other)) {
                ssc.configureBlocking(false);
                assertThrows(java.nio.channels.IllegalSelectorException.class, () -> ssc.register(sel, OP_ACCEPT));
            }
        }
    }

    // ---------------------------------------------------------------- closed selector

    @ProviderTest
    void closedSelectorThrowsClosedSelectorException(SelectorProvider p) throws Exception {
        Selector sel = p.openSelector();
        try (Net.Conn c = Net.connect(p)) {
            c.client.configureBlocking(false);
            SelectionKey k = c.client.register(sel, OP_READ);
            sel.close();
            assertFalse(sel.isOpen());
            assertFalse(k.isValid(), "close invalidates keys");
            assertFalse(c.client.isRegistered(), "and deregisters channels");
            assertTrue(c.client.isOpen(), "but never closes them");
            assertThrows(ClosedSelectorException.class, sel::selectNow);
            assertThrows(ClosedSelectorException.class, sel::select);
            assertThrows(ClosedSelectorException.class, () -> sel.select(10));
            assertThrows(ClosedSelectorException.class, () -> sel.select(key -> { }));
            assertThrows(ClosedSelectorException.class, () -> sel.select(key -> { }, 10));
            assertThrows(ClosedSelectorException.class, () -> sel.selectNow(key -> { }));
            assertThrows(ClosedSelectorException.class, sel::keys);
            assertThrows(ClosedSelectorException.class, sel::selectedKeys);
            assertThrows(ClosedSelectorException.class, () -> c.client.register(sel, OP_READ));
            assertThrows(CancelledKeyException.class, () -> k.interestOps(OP_WRITE),
                    "interestOps on a closed selector's key: CancelledKeyException, never ClosedSelectorException");
            assertSame(sel, sel.wakeup());
            sel.close();   // no effect
            Selector other = p.openSelector();
            try {
                assertNull(c.client.keyFor(sel), "no key for the closed selector");
                SelectionKey k2 = c.client.register(other, OP_READ);
                assertNotSame(k, k2, "a new selector gives a new key");
                assertTrue(k2.isValid());
                assertFalse(k.isValid(), "the old key stays invalid");
                assertSame(k2, c.client.keyFor(other));
            } finally {
                other.close();
            }
        }
    }

    @ProviderTest
    void argumentChecks(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector()) {
            assertThrows(IllegalArgumentException.class, () -> sel.select(-1));
            assertThrows(IllegalArgumentException.class, () -> sel.select(key -> { }, -1));
            assertThrows(NullPointerException.class, () -> sel.select(null, 1));
            assertThrows(NullPointerException.class, () -> sel.selectNow(null));
        }
    }

    // ---------------------------------------------------------------- wakeup, interrupt, timeouts

    @ProviderTest
    void wakeupBeforeSelectMakesNextSelectReturnAtOnce(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector()) {
            sel.wakeup();
            sel.wakeup();   // coalesced
            assertEquals(0, get(SelectorContractTest.<Integer>inThread("select", sel::select, null)));
            assertTrue(sel.select(30) == 0, "second select blocks again (times out)");
            sel.wakeup();
            assertEquals(0, get(inThread("select", () -> sel.select(key -> fail("no key")), null)));
            sel.wakeup();
            assertEquals(0, get(inThread("select", () -> sel.select(0), null)));
        }
    }

    @ProviderTest
    void selectNowClearsPendingWakeup(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector()) {
            sel.wakeup();
            assertEquals(0, sel.selectNow());
            long t0 = System.nanoTime();
            assertEquals(0, sel.select(100));
            long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(elapsedMs >= 99, "select(100) returned after " + elapsedMs + " ms: wakeup not cleared");
            sel.wakeup();
            assertEquals(0, sel.selectNow(key -> { }));
            t0 = System.nanoTime();
            assertEquals(0, sel.select(key -> { }, 100));
            elapsedMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(elapsedMs >= 99, "select(action, 100) returned after " + elapsedMs + " ms");
        }
    }

    @ProviderTest
    void timedSelectNeverReturnsZeroEarly(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn c = Net.connect(p)) {
            c.server.configureBlocking(false);
            c.server.register(sel, OP_READ);
            for (long timeout : new long[] {1, 5, 20, 50}) {
                for (int i = 0; i < 3; i++) {
                    long t0 = System.nanoTime();
                    int n = sel.select(timeout);
                    long elapsedNs = System.nanoTime() - t0;
                    assertEquals(0, n);
                    assertTrue(elapsedNs >= timeout * 1_000_000L - 500_000L,
                            "select(" + timeout + ") returned 0 after " + elapsedNs / 1000 + " us");
                }
            }
        }
    }

    @ProviderTest
    void wakeupFromAnotherThreadEndsBlockingSelect(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector()) {
            for (int i = 0; i < 3; i++) {
                AtomicReference<Thread> t = new AtomicReference<>();
                CompletableFuture<Integer> f = inThread("select", sel::select, t);
                assertTrue(Net.awaitBlocked(t.get()));
                sel.wakeup();
                assertEquals(0, get(f));
            }
            AtomicReference<Thread> t = new AtomicReference<>();
            CompletableFuture<Integer> f = inThread("select", () -> sel.select(key -> { }, 60_000), t);
            assertTrue(Net.awaitBlocked(t.get()));
            sel.wakeup();
            assertEquals(0, get(f));
        }
    }

    @ProviderTest
    void closeEndsBlockingSelect(SelectorProvider p) throws Exception {
        Selector sel = p.openSelector();
        AtomicReference<Thread> t = new AtomicReference<>();
        CompletableFuture<Integer> f = inThread("select", sel::select, t);
        assertTrue(Net.awaitBlocked(t.get()));
        sel.close();
        assertEquals(0, get(f));
        assertFalse(sel.isOpen());
    }

    @ProviderTest
    void interruptEndsBlockingSelectAndKeepsStatus(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector()) {
            AtomicReference<Thread> t = new AtomicReference<>();
            CompletableFuture<Boolean> f = inThread("select", () -> {
                sel.select();
                return Thread.currentThread().isInterrupted();
            }, t);
            assertTrue(Net.awaitBlocked(t.get()));
            t.get().interrupt();
            assertTrue(get(f), "interrupt status still set after select returns");
            assertTrue(sel.isOpen(), "interrupt does not close the selector");
            // already interrupted before select: returns at once
            CompletableFuture<Integer> g = inThread("select", () -> {
                Thread.currentThread().interrupt();
                int n = sel.select();
                assertTrue(Thread.currentThread().isInterrupted());
                return n;
            }, null);
            assertEquals(0, get(g));
            CompletableFuture<Integer> h = inThread("select", () -> {
                Thread.currentThread().interrupt();
                return sel.select(key -> { }, 60_000);
            }, null);
            assertEquals(0, get(h));
        }
    }

    // ---------------------------------------------------------------- action-based selection

    @ProviderTest
    void actionSelectionReplacesReadySetAndLeavesSelectedSetAlone(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn a = Net.connect(p); Net.Conn b = Net.connect(p)) {
            a.server.configureBlocking(false);
            b.server.configureBlocking(false);
            SelectionKey ka = a.server.register(sel, OP_READ | OP_WRITE);
            SelectionKey kb = b.server.register(sel, OP_WRITE);
            a.client.write(Net.bytes("x"));
            Net.awaitReady(sel, ka, OP_READ | OP_WRITE);
            sel.selectedKeys().remove(kb);
            assertEquals(Set.of(ka), sel.selectedKeys());
            ka.interestOps(OP_WRITE);
            List<SelectionKey> seen = new ArrayList<>();
            List<Integer> ready = new ArrayList<>();
            int n = sel.selectNow(k -> {
                assertTrue(Thread.holdsLock(sel), "action runs synchronized on the selector");
                assertTrue(Thread.holdsLock(sel.selectedKeys()), "and on its selected-key set");
                seen.add(k);
                ready.add(k.readyOps());
            });
            assertEquals(2, n);
            assertEquals(Set.of(ka, kb), Set.copyOf(seen));
            assertEquals(List.of(OP_WRITE, OP_WRITE), ready, "ready sets replaced, not or-ed");
            assertEquals(Set.of(ka), sel.selectedKeys(), "action selection does not add to the selected-key set");
            // the blocking forms
            assertEquals(2, sel.select(k -> { }));
            assertEquals(2, sel.select(k -> { }, 1000));
        }
    }

    @ProviderTest
    void actionExceptionsAndCloseInAction(SelectorProvider p) throws Exception {
        try (Net.Conn a = Net.connect(p)) {
            a.server.configureBlocking(false);
            Selector sel = p.openSelector();
            try {
                a.server.register(sel, OP_WRITE);
                IllegalStateException boom = new IllegalStateException("boom");
                assertSame(boom, assertThrows(IllegalStateException.class, () -> sel.selectNow(k -> {
                    throw boom;
                })));
                assertTrue(sel.isOpen());
                assertThrows(ClosedSelectorException.class, () -> sel.selectNow(k -> {
                    try {
                        sel.close();
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
                assertFalse(sel.isOpen());
            } finally {
                sel.close();
            }
        }
    }

    // ---------------------------------------------------------------- synchronisation

    @ProviderTest
    void selectionSynchronizesOnSelectorThenSelectedKeys(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector()) {
            for (Object lock : new Object[] {sel, sel.selectedKeys()}) {
                AtomicReference<Thread> t = new AtomicReference<>();
                CompletableFuture<Integer> f;
                synchronized (lock) {
                    f = inThread("selectNow", sel::selectNow, t);
                    assertTrue(Net.eventually(() -> t.get().getState() == Thread.State.BLOCKED, 5_000),
                            "selectNow waits for the monitor of " + lock.getClass().getSimpleName());
                    assertFalse(f.isDone());
                }
                assertEquals(0, get(f));
            }
        }
    }

    @ProviderTest
    void closeSynchronizesOnSelectedKeys(SelectorProvider p) throws Exception {
        Selector sel = p.openSelector();
        AtomicReference<Thread> t = new AtomicReference<>();
        CompletableFuture<Boolean> f;
        synchronized (sel.selectedKeys()) {
            f = inThread("close", () -> {
                sel.close();
                return true;
            }, t);
            assertTrue(Net.eventually(() -> t.get().getState() == Thread.State.BLOCKED, 5_000),
                    "close waits for the selected-key set's monitor");
        }
        assertTrue(get(f));
        assertFalse(sel.isOpen());
    }

    @ProviderTest
    void registerAndInterestOpsDoNotWaitForBlockedSelect(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector(); Net.Conn c = Net.connect(p)) {
            AtomicReference<Thread> t = new AtomicReference<>();
            CompletableFuture<Integer> f = inThread("select", sel::select, t);
            assertTrue(Net.awaitBlocked(t.get()));
            c.server.configureBlocking(false);
            SelectionKey k = c.server.register(sel, OP_WRITE);   // must not wait for the selection to end
            k.interestOps(OP_READ | OP_WRITE);
            k.cancel();
            assertFalse(f.isDone(), "register, interestOps and cancel neither waited for nor ended the select");
            assertTrue(Net.awaitBlocked(t.get()), "select still blocked");
            sel.wakeup();
            get(f);
            sel.selectNow();
            assertTrue(sel.keys().isEmpty());
        }
    }
}
