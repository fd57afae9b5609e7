package io.edgewise.uring;

import static io.edgewise.sys.PollEvents.IN;
import static io.edgewise.sys.PollEvents.OUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.backend.Backends;
import io.edgewise.backend.ReadyPoller;
import io.edgewise.backend.uring.UringReadyPoller;
import io.edgewise.backend.uring.UringSupport;
import io.edgewise.channels.SelChannel;
import io.edgewise.testing.Blocking;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.Pipe;
import java.nio.channels.SocketChannel;
import java.nio.channels.ServerSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link ReadyPoller} contract over the io_uring ready poller, driven directly on a poller of the test's
 * own (its own ring and thread): a fire with its token, deregistration before the fire, a duplicate
 * registration, a stale callback, and the number reuse after deregister + close (no request may reach the
 * new file, none may keep the old one). Skipped where io_uring is unavailable. The last test checks that
 * {@code -Dio.edgewise.backend=io_uring} makes virtual threads park on the ring's poller (skipped without it).
 */
@Timeout(60)
class UringReadyPollerTest {
    private final SelectorProvider provider = new EdgewiseSelectorProvider();
    private final List<Channel> channels = new ArrayList<>();
    private UringReadyPoller poller;

    @BeforeEach
    void uringOnly() throws IOException {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "io_uring is Linux only");
        Assumptions.assumeTrue(UringSupport.problem() == null, () -> "io_uring unavailable: " + UringSupport.problem());
        poller = UringReadyPoller.start("test-uring-ready-poller");
    }

    @AfterEach
    void closeAll() throws Exception {
        if (poller != null) poller.close();
        for (Channel c : channels) c.close();
    }

    private Pipe pipe() throws IOException {
        Pipe p = provider.openPipe();
        channels.add(p.source());
        channels.add(p.sink());
        return p;
    }

    private static int fd(Channel c) {
        return ((SelChannel) c).fdVal();
    }

    private static void send(Pipe p) throws IOException {
        assertEquals(1, p.sink().write(ByteBuffer.wrap(new byte[] {7})));
    }

    /** Records every callback as "token:events". */
    private static final class Calls implements ReadyPoller.Callback {
        final List<String> seen = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch first = new CountDownLatch(1);

        @Override
        public void ready(long token, int events) {
            seen.add(token + ":" + events);
            first.countDown();
        }
    }

    /**
     * Returns once the poller has taken everything registered or deregistered before the call and read the
     * completions those produced: a ready registration made now fires only after the poller thread took the
     * requests stacked before it (one stack, taken whole) and submitted them in the same enter.
     */
    private void barrier() throws Exception {
        Pipe p = pipe();
        send(p);
        Calls c = new Calls();
        long t = poller.newToken();
        poller.register(fd(p.source()), IN, t, c);
        assertTrue(c.first.await(10, TimeUnit.SECONDS), "barrier registration did not fire");
        poller.deregister(fd(p.source()), t);
    }

    /** Parks the poller thread inside a callback until the returned latch is released. */
    private CountDownLatch holdPollerThread() throws Exception {
        Pipe p = pipe();
        send(p);
        CountDownLatch inside = new CountDownLatch(1), release = new CountDownLatch(1);
        poller.register(fd(p.source()), IN, poller.newToken(), (tok, ev) -> {
            inside.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertTrue(inside.await(10, TimeUnit.SECONDS), "poller thread not held");
        return release;
    }

    @Test
    void aReadyDescriptorFiresOnceWithItsTokenAndEvents() throws Exception {
        Pipe a = pipe(), b = pipe();
        Calls in = new Calls(), out = new Calls();
        long ti = poller.newToken(), to = poller.newToken();
        poller.register(fd(a.source()), IN, ti, in);
        poller.register(fd(b.sink()), OUT, to, out);
        assertTrue(out.first.await(10, TimeUnit.SECONDS), "an empty pipe's sink is writable");
        barrier();
        assertEquals(List.of(), in.seen, "nothing to read yet");
        send(a);
        assertTrue(in.first.await(10, TimeUnit.SECONDS));
        send(a);
        barrier();
        assertEquals(List.of(ti + ":" + IN), in.seen, "oneshot: one callback, the registration's token");
        assertEquals(List.of(to + ":" + OUT), out.seen);
        poller.deregister(fd(a.source()), ti);
        poller.deregister(fd(b.sink()), to);
    }

    /** Fails when deregistration leaves the armed poll with its callback (planted: the callback is kept). */
    @Test
    void aRegistrationRemovedBeforeItFiresNeverCallsBack() throws Exception {
        Pipe a = pipe();
        Calls c = new Calls();
        long t = poller.newToken();
        poller.register(fd(a.source()), IN, t, c);
        barrier(); // armed in the ring now
        poller.deregister(fd(a.source()), t);
        send(a);
        barrier();
        assertEquals(List.of(), c.seen);
        // registering again works and fires for the new token only
        long t2 = poller.newToken();
        poller.register(fd(a.source()), IN, t2, c);
        assertTrue(c.first.await(10, TimeUnit.SECONDS));
        assertEquals(List.of(t2 + ":" + IN), c.seen);
        poller.deregister(fd(a.source()), t2);
    }

    /** Fails without the per-descriptor table (planted: no check; the second registration is accepted). */
    @Test
    void aDescriptorAlreadyWatchedCannotBeRegisteredAgain() throws Exception {
        Pipe a = pipe();
        long t = poller.newToken();
        poller.register(fd(a.source()), IN, t, new Calls());
        assertThrows(IOException.class, () -> poller.register(fd(a.source()), IN, poller.newToken(), new Calls()));
        send(a);
        barrier();
        assertThrows(IOException.class, () -> poller.register(fd(a.source()), IN, poller.newToken(), new Calls()),
                "fired but not deregistered: still watched, as with epoll");
        assertThrows(IOException.class, () -> poller.register(-1, IN, poller.newToken(), new Calls()));
        poller.deregister(fd(a.source()), t);
        long t2 = poller.newToken();
        Calls c = new Calls();
        poller.register(fd(a.source()), IN, t2, c);
        assertTrue(c.first.await(10, TimeUnit.SECONDS));
        poller.deregister(fd(a.source()), t2);
    }

    /**
     * A callback shared by two successive registrations of one descriptor sees only the live token: the
     * first one's removal (its poll ends with -ECANCELED) is not reported. Fails when the poller reports
     * completions of forgotten callbacks (planted: a removed request's -ECANCELED delivered as POLLERR), and
     * when a stale token is reported. A deregistration of another registration's token changes nothing.
     */
    @Test
    void aCallbackSeesOnlyTheLiveTokenAfterDeregisterAndRegisterAgain() throws Exception {
        Pipe a = pipe();
        Calls c = new Calls();
        long t1 = poller.newToken();
        poller.register(fd(a.source()), IN, t1, c);
        barrier();
        poller.deregister(fd(a.source()), t1);
        long t2 = poller.newToken();
        poller.register(fd(a.source()), IN, t2, c);
        poller.deregister(fd(a.source()), t1); // a stale token: ignored
        barrier();
        assertEquals(List.of(), c.seen);
        send(a);
        assertTrue(c.first.await(10, TimeUnit.SECONDS));
        barrier();
        assertEquals(List.of(t2 + ":" + IN), c.seen);
        poller.deregister(fd(a.source()), t2);
    }

    /**
     * Deregister, then close: the armed poll must not keep the old file open — its removal is submitted,
     * so the pipe's write end sees the reader gone. Fails when deregistration only forgets the callback
     * (planted: no POLL_REMOVE; the write succeeds because the ring still holds the read end).
     */
    @Test
    void deregisterThenCloseReleasesTheFile() throws Exception {
        Pipe a = pipe();
        long t = poller.newToken();
        Calls c = new Calls();
        poller.register(fd(a.source()), IN, t, c);
        barrier();
        poller.deregister(fd(a.source()), t);
        a.source().close();
        barrier();
        assertThrows(IOException.class, () -> a.sink().write(ByteBuffer.wrap(new byte[] {1})),
                "the read end must be closed for real: broken pipe");
        assertEquals(List.of(), c.seen);
    }

    /**
     * A registration deregistered while still on its way to the ring (the poller thread is busy in a
     * callback), its number closed and reused by a new pipe: the stale request must never be submitted —
     * it would poll the new file under the old number and keep it open. Fails when a dropped request is
     * still armed (planted: no DROPPED state; the new pipe's read end stays open in the ring after close).
     */
    @Test
    void aRequestDeregisteredBeforeSubmissionNeverReachesAReusedNumber() throws Exception {
        Pipe a = pipe();
        int n = fd(a.source());
        Calls c = new Calls();
        CountDownLatch release = holdPollerThread();
        long t = poller.newToken();
        poller.register(n, IN, t, c);
        poller.deregister(n, t);
        a.source().close();
        Pipe b = pipe();
        Assumptions.assumeTrue(fd(b.source()) == n, "the number was not reused (" + fd(b.source()) + " vs " + n + ")");
        release.countDown();
        barrier();
        b.source().close();
        barrier();
        assertThrows(IOException.class, () -> b.sink().write(ByteBuffer.wrap(new byte[] {1})),
                "no request may hold the new file that reused the number");
        assertEquals(List.of(), c.seen);
    }

    /** A registration and a deregistration made from the poller thread itself (a callback) work. */
    @Test
    void aCallbackMayDeregisterAnotherRegistration() throws Exception {
        Pipe a = pipe(), x = pipe();
        long ta = poller.newToken(), tx = poller.newToken();
        Calls ca = new Calls();
        poller.register(fd(a.source()), IN, ta, ca);
        CountDownLatch done = new CountDownLatch(1);
        send(x);
        poller.register(fd(x.source()), IN, tx, (tok, ev) -> {
            poller.deregister(fd(a.source()), ta);
            done.countDown();
        });
        assertTrue(done.await(10, TimeUnit.SECONDS));
        a.source().close();
        barrier();
        assertThrows(IOException.class, () -> a.sink().write(ByteBuffer.wrap(new byte[] {1})));
        assertEquals(List.of(), ca.seen);
        poller.deregister(fd(x.source()), tx);
    }

    /** Waits (up to 10 s) until the ring poller armed a request after {@code before}; fails otherwise. */
    private static void awaitArmedAfter(UringReadyPoller shared, long before) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (shared.armed() == before && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        assertTrue(shared.armed() > before, "the ring poller took the wait");
    }

    /**
     * With {@code -Dio.edgewise.backend=io_uring} (and the ring available) a virtual thread's blocking read
     * parks on the ring's ready poller: the backend names it, and the shared input poller's ring enters
     * while the thread waits; on JDK 24+ a virtual-thread poller takes the wait and the ring poller watches
     * that poller. Skipped without the property or before JDK 21.
     */
    @Test
    void virtualThreadsParkOnTheRingInIoUringMode() throws Exception {
        Assumptions.assumeTrue(Backends.name().equals("io_uring"), "needs -Dio.edgewise.backend=io_uring");
        Assumptions.assumeTrue(Runtime.version().feature() >= 21, "virtual threads need JDK 21+");
        Assumptions.assumeFalse("epoll".equals(System.getProperty("io.edgewise.uring.readyPoller")), "epoll's asked for");
        assertEquals("io_uring", Backends.readyPollerName());
        assertTrue(Backends.readyPoller(IN) instanceof UringReadyPoller);
        assertTrue(Backends.readyPoller(OUT) instanceof UringReadyPoller);
        UringReadyPoller shared = UringReadyPoller.forEvents(IN);
        try (ServerSocketChannel server = provider.openServerSocketChannel()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = provider.openSocketChannel()) {
                client.connect(server.getLocalAddress());
                SocketChannel accepted = server.accept();
                channels.add(accepted);
                long before = shared.armed();
                ByteBuffer buf = ByteBuffer.allocate(4);
                Thread reader = (Thread) Thread.class.getMethod("startVirtualThread", Runnable.class).invoke(null,
                        (Runnable) () -> {
                            try {
                                accepted.read(buf);
                            } catch (IOException e) {
                                throw new java.io.UncheckedIOException(e);
                            }
                        });
                Blocking.assertBlocks(reader);
                assertTrue(reader.getState() == Thread.State.WAITING, "parked, not held in native code: " + reader.getState());
                boolean virtualPollers = io.edgewise.channels.vthread.VirtualPollers.used();
                long woken = io.edgewise.channels.vthread.VirtualPollers.productivePolls();
                if (!virtualPollers) {
                    // the poller thread arms the parked thread's request when it runs: a bounded wait for that state
                    awaitArmedAfter(shared, before);
                }
                client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                reader.join(10_000);
                assertEquals(3, buf.position());
                if (virtualPollers) {
                    // JDK 24+: a virtual-thread poller took the wait; the ring poller watches it again once it idles
                    // the sub-poller counts its poll after it unparked the reader: a bounded wait for the count
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (io.edgewise.channels.vthread.VirtualPollers.productivePolls() <= woken
                            && System.nanoTime() < deadline) {
                        Thread.onSpinWait();
                    }
                    assertTrue(io.edgewise.channels.vthread.VirtualPollers.productivePolls() > woken,
                            "a virtual-thread poller woke the reader");
                    awaitArmedAfter(shared, before);
                }
            }
        }
    }
}
