package io.edgewise.backend;

import static io.edgewise.backend.Poller.EDGE;
import static io.edgewise.backend.Poller.ERR;
import static io.edgewise.backend.Poller.HUP;
import static io.edgewise.backend.Poller.IN;
import static io.edgewise.backend.Poller.ONESHOT;
import static io.edgewise.backend.Poller.OUT;
import static io.edgewise.backend.Poller.RDHUP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.channels.SelChannel;
import io.edgewise.testing.Blocking;
import io.edgewise.testing.OpenDescriptors;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The {@link Poller} contract every readiness backend keeps, driven directly, without a selector in between
 * (the selector never asks some of it, e.g. {@code wokenUp()} with descriptors ready, or a stale change).
 * A backend's test extends this with its poller and its own cases; a subclass's {@code @BeforeEach} skips
 * where the backend is unavailable. Descriptors come from Edgewise pipes and sockets never registered with
 * a selector, so closing them closes the descriptor at once.
 */
public abstract class PollerContract<P extends Poller> {
    protected final SelectorProvider provider = new EdgewiseSelectorProvider();
    private final List<Channel> channels = new ArrayList<>();
    private final List<P> pollers = new ArrayList<>();

    /** A new poller of the backend under test. */
    protected abstract P newPoller() throws IOException;

    /** What the backend says when a change names a descriptor it does not hold (or already holds). */
    protected void checkStaleChangeError(IOException e) { }

    /** Whether a change the kernel's set contradicts fails in {@code update} (kqueue's EV_ADD adds or modifies). */
    protected boolean rejectsStaleChanges() {
        return true;
    }

    /**
     * Whether {@link Poller#wokenUp()} stays true from poll to poll until {@link Poller#clearWakeup()} (an
     * eventfd stays readable); the contract asks only that the poll the wakeup ended reports it.
     */
    protected boolean wakeupPersistsUntilCleared() {
        return true;
    }

    /** The events of a pipe's read end whose writer is gone (a hang-up; kqueue says EOF: readable, RDHUP). */
    protected int writerGoneEvents() {
        return HUP;
    }

    /** The events of a pipe's write end whose reader is gone (an error; kqueue says EOF too: HUP). */
    protected int readerGoneEvents() {
        return OUT | ERR;
    }

    @AfterEach
    void closeAll() throws IOException {
        for (P p : pollers) p.close();
        for (Channel c : channels) c.close();
    }

    /** A new poller, closed after the test. */
    protected P poller() throws IOException {
        return closedAfter(newPoller());
    }

    /** {@code p}, closed after the test. */
    protected P closedAfter(P p) {
        pollers.add(p);
        return p;
    }

    /** A channel closed after the test. */
    protected <C extends Channel> C closedAfter(C c) {
        channels.add(c);
        return c;
    }

    protected Pipe pipe() throws IOException {
        Pipe p = provider.openPipe();
        closedAfter(p.source());
        closedAfter(p.sink());
        return p;
    }

    /** A connected pair {client, peer} of blocking TCP channels on the loopback, closed after the test. */
    protected SocketChannel[] tcpPair() throws IOException {
        ServerSocketChannel ssc = closedAfter(provider.openServerSocketChannel());
        ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        SocketChannel client = closedAfter(provider.openSocketChannel());
        client.connect(ssc.getLocalAddress());
        return new SocketChannel[] {client, closedAfter(ssc.accept())};
    }

    protected static int fd(Channel c) {
        return ((SelChannel) c).fdVal();
    }

    protected static void send(Pipe p) throws IOException {
        assertEquals(1, p.sink().write(ByteBuffer.wrap(new byte[] {7})));
    }

    /** One poll(0): descriptor to events. Fails on a descriptor reported twice. */
    protected static Map<Integer, Integer> pollNow(Poller p) throws IOException {
        int n = p.poll(0);
        assertTrue(n >= 0, "poll(0) result " + n);
        Map<Integer, Integer> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Integer old = m.put(p.descriptor(i), p.events(i));
            assertEquals(null, old, "descriptor " + p.descriptor(i) + " twice in one batch");
        }
        return m;
    }

    @Test
    void readyDescriptorsAreReportedWithTheirEvents() throws IOException {
        P p = poller();
        Pipe a = pipe(), b = pipe();
        p.update(fd(a.source()), 0, IN);
        p.update(fd(b.sink()), 0, OUT);
        assertEquals(Map.of(fd(b.sink()), OUT), pollNow(p), "only the writable end: no data yet");
        assertFalse(p.wokenUp());
        send(a);
        Map<Integer, Integer> m = pollNow(p);
        assertEquals(2, m.size(), m.toString());
        assertEquals(IN, m.get(fd(a.source())), "IN alone: no error, hang-up or peer shutdown");
        assertEquals(OUT, m.get(fd(b.sink())));
    }

    @Test
    void theWakeupIsReportedApartFromTheBatchAndPersistsUntilCleared() throws IOException {
        P p = poller();
        Pipe a = pipe(), b = pipe(), c = pipe();
        int ar = fd(a.source()), br = fd(b.source()), cw = fd(c.sink());
        // epoll reports in the order descriptors became ready: a, the wakeup, b, then c's writable end,
        // so the wakeup is neither the first nor the last entry and the last one differs in events
        send(a);
        p.update(ar, 0, IN);
        p.update(br, 0, IN);
        p.wakeup();
        send(b);
        p.update(cw, 0, OUT);
        Map<Integer, Integer> m = pollNow(p);
        assertEquals(Map.of(ar, IN, br, IN, cw, OUT), m, "every ready descriptor once, the wakeup not among them");
        assertTrue(p.wokenUp(), "the poll was woken up");
        assertEquals(m, pollNow(p));
        assertEquals(wakeupPersistsUntilCleared(), p.wokenUp(), "not consumed yet");
        p.clearWakeup();
        assertEquals(m, pollNow(p));
        assertFalse(p.wokenUp(), "consumed by clearWakeup");
    }

    @Test
    void aWakeupAloneIsAnEmptyBatch() throws IOException {
        P p = poller();
        Pipe a = pipe();
        p.update(fd(a.source()), 0, IN);
        p.wakeup();
        assertEquals(0, p.poll(-1), "returns at once: woken up, nothing ready");
        assertTrue(p.wokenUp());
        send(a);
        assertEquals(Map.of(fd(a.source()), IN), pollNow(p), "the wakeup first, then the data");
        assertEquals(wakeupPersistsUntilCleared(), p.wokenUp(), "not consumed yet");
        p.clearWakeup();
        assertEquals(Map.of(fd(a.source()), IN), pollNow(p));
        assertFalse(p.wokenUp());
    }

    @Test
    void twoWakeupsAreConsumedByOneClear() throws IOException {
        P p = poller();
        p.clearWakeup();
        assertEquals(0, p.poll(0), "a clear without a wakeup is harmless");
        assertFalse(p.wokenUp());
        p.wakeup();
        p.wakeup();
        p.clearWakeup();
        assertEquals(0, p.poll(0), "two wakeups are consumed by one clearWakeup");
        assertFalse(p.wokenUp());
    }

    @Test
    void wakeupFromAnotherThreadEndsAPollWithATimeoutBeyondInt() throws Exception {
        P p = poller();
        AtomicInteger result = new AtomicInteger(-2);
        // 2^32 ms: truncated to int it would be 0, i.e. no wait at all
        Thread t = new Thread(() -> {
            try {
                result.set(p.poll(1L << 32));
            } catch (IOException e) {
                result.set(-3);
            }
        }, "contract-poller");
        t.start();
        try {
            Blocking.assertBlocks(t);
        } finally {
            p.wakeup();
            t.join(10_000); // never close the poller under a polling thread
        }
        assertFalse(t.isAlive(), "wakeup ended the poll");
        assertEquals(0, result.get(), "no descriptor ready");
        assertTrue(p.wokenUp());
    }

    @Test
    void updateReplacesRemovesAndRearms() throws IOException {
        P p = poller();
        Pipe a = pipe();
        int r = fd(a.source());
        send(a);
        p.update(r, 0, IN);
        assertEquals(Map.of(r, IN), pollNow(p));
        assertEquals(Map.of(r, IN), pollNow(p), "level-triggered: again while the data is there");
        assertEquals(Map.of(r, IN), pollNow(p), "and again");
        p.update(r, IN, OUT);
        assertEquals(Map.of(), pollNow(p), "the read end is never writable: IN replaced by OUT");
        p.update(r, OUT, 0);
        p.update(r, 0, IN);
        assertEquals(Map.of(r, IN), pollNow(p), "removed and added again");
        p.update(r, IN, 0);
        assertEquals(Map.of(), pollNow(p), "removed");
        p.update(r, 0, 0); // nothing registered, nothing asked: no call, no error
        assertEquals(Map.of(), pollNow(p));
    }

    @Test
    void edgeAndOneshotModes() throws IOException {
        P p = poller();
        Pipe e = pipe(), o = pipe();
        int er = fd(e.source()), or = fd(o.source());
        send(e);
        send(o);
        p.update(er, 0, IN | EDGE);
        p.update(or, 0, IN | ONESHOT);
        assertEquals(Map.of(er, IN, or, IN), pollNow(p));
        assertEquals(Map.of(), pollNow(p), "edge: once per new data; oneshot: disarmed");
        send(e);
        assertEquals(Map.of(er, IN), pollNow(p), "new data: a new edge");
        assertEquals(Map.of(), pollNow(p));
        p.update(or, IN | ONESHOT, IN | ONESHOT);
        assertEquals(Map.of(or, IN), pollNow(p), "an update with the same events re-arms a oneshot");
        assertEquals(Map.of(), pollNow(p));
    }

    @Test
    void errorAndHangUpAreReported() throws IOException {
        P p = poller();
        Pipe hup = pipe(), err = pipe();
        int r = fd(hup.source()), w = fd(err.sink());
        p.update(r, 0, IN);
        p.update(w, 0, OUT);
        hup.sink().close();
        err.source().close();
        Map<Integer, Integer> m = pollNow(p);
        assertEquals(writerGoneEvents(), m.get(r), "the writer of a pipe gone: hang-up, no data");
        assertEquals(readerGoneEvents(), m.get(w), "the reader of a pipe gone: an error on the writer");
    }

    @Test
    void peerShutdownIsReportedAsReadable() throws IOException {
        P p = poller();
        SocketChannel[] pair = tcpPair();
        pair[0].configureBlocking(false);
        int c = fd(pair[0]);
        p.update(c, 0, IN);
        assertEquals(Map.of(), pollNow(p));
        pair[1].shutdownOutput();
        assertEquals(Map.of(c, IN | RDHUP), pollNow(p), "peer closed its side: readable (EOF) and RDHUP");
    }

    @Test
    void aRemovalThatFindsNothingIsTolerated() throws IOException {
        P p = poller();
        Pipe a = pipe();
        int w = fd(a.sink());
        // a replaced file's registration is gone with it (Poller.update): removing it finds nothing, no error
        p.update(w, 0, OUT);
        p.update(w, OUT, 0);
        p.update(w, OUT, 0);
        assertEquals(Map.of(), pollNow(p), "removed: nothing reported");
    }

    @Test
    void aStaleChangeFails() throws IOException {
        Assumptions.assumeTrue(rejectsStaleChanges(), "this backend's kernel call adds or modifies alike");
        P p = poller();
        Pipe a = pipe();
        int r = fd(a.source());
        // any other mismatch is the selector's bug and must surface (the selector re-adds a replaced
        // descriptor itself, by its generation), not be patched over by the poller
        checkStaleChangeError(assertThrows(IOException.class, () -> p.update(r, IN, OUT), "modify of an unknown descriptor"));
        send(a);
        p.update(r, 0, IN);
        checkStaleChangeError(assertThrows(IOException.class, () -> p.update(r, 0, IN), "add of a known descriptor"));
        assertEquals(Map.of(r, IN), pollNow(p), "the failed add changed nothing");
    }

    @Test
    void closeReleasesEveryDescriptor() throws Exception {
        newPoller().close(); // warm up: class initialisation, the binding's own descriptors
        OpenDescriptors.assertNoLeak(getClass().getSimpleName() + ": poller open and close", () -> {
            P p = newPoller();
            p.wakeup();
            assertNotEquals(-1, p.poll(0));
            p.close();
        });
    }
}
