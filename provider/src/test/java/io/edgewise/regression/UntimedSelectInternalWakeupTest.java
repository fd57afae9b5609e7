package io.edgewise.regression;

import io.edgewise.testing.SelectorBeans;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.EdgewiseSocketOptions;
import io.edgewise.backend.Backends;
import io.edgewise.observe.SelectorMXBean;
import io.edgewise.resolve.AsyncResolver;
import io.edgewise.testing.Blocking;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An untimed {@code select()} and the internal wake-ups of an {@code ASYNC_RESOLVE} connect (issue #23,
 * item 4; {@code InternalWakeupTest} uses timed selects only). The connect starts and ends while the
 * selection is blocked (the name service is held by a latch): the wake-up must make the blocked selection
 * apply the key's new registration, so {@code OP_CONNECT} is reported, and must never end the selection
 * itself: {@code select()} returns only for a selected key, {@code wakeup()} or interrupt, as the JDK's.
 * Each wait is bounded, so a lost wake-up fails instead of hanging.
 */
@Timeout(60)
class UntimedSelectInternalWakeupTest {
    private static final long BOUND_MS = 10_000;
    private static final EdgewiseSelectorProvider P = new EdgewiseSelectorProvider();

    private final CountDownLatch gate = new CountDownLatch(1);
    private AsyncResolver previous;
    private ServerSocketChannel server;
    private InetSocketAddress unresolved;

    @BeforeEach
    void setUp() throws Exception {
        Assumptions.assumeTrue(Backends.hasReadyPoller(), "ASYNC_RESOLVE is not offered on backend " + Backends.name());
        previous = AsyncResolver.install(new AsyncResolver(host -> {
            try {
                gate.await(BOUND_MS, TimeUnit.MILLISECONDS); // resolved only once the test opens the gate
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return new InetAddress[] {InetAddress.getLoopbackAddress()};
        }, 0, 0, BOUND_MS * 2, 2, System::nanoTime));
        server = ServerSocketChannel.open();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        unresolved = InetSocketAddress.createUnresolved("held.test",
                ((InetSocketAddress) server.getLocalAddress()).getPort());
    }

    @AfterEach
    void tearDown() throws Exception {
        gate.countDown();
        if (server != null) {
            AsyncResolver.install(previous);
            server.close();
        }
    }

    private static SocketChannel asyncChannel() throws Exception {
        SocketChannel c = P.openSocketChannel();
        c.setOption(EdgewiseSocketOptions.ASYNC_RESOLVE, true);
        c.configureBlocking(false);
        return c;
    }

    /** A thread blocked in {@code sel.select()}; its result (or failure) lands in {@code result}. */
    private static Thread selecting(Selector sel, AtomicReference<Object> result) {
        Thread t = new Thread(() -> {
            try {
                result.set(sel.select());
            } catch (Throwable e) {
                result.set(e);
            }
        }, "untimed-select");
        t.start();
        Blocking.assertBlocks(t);
        return t;
    }

    private static void awaitEnd(Thread t, Selector sel, String what) throws InterruptedException {
        t.join(BOUND_MS);
        if (t.isAlive()) {
            sel.wakeup(); // release it before failing
            t.join(BOUND_MS);
            fail(what + ": select() still blocked after " + BOUND_MS + " ms");
        }
    }

    /** The key was watched before the connect: only the internal wake-up makes the new socket's connect seen. */
    @Test
    void opConnectOfAConnectThatEndsDuringTheSelectIsReported() throws Exception {
        try (Selector sel = P.openSelector(); SocketChannel c = asyncChannel()) {
            // Netty's order: register, connect, then OP_CONNECT (an unconnected socket's hang-up would be
            // selected, on the JDK's provider too)
            SelectionKey k = c.register(sel, 0);
            assertEquals(0, sel.selectNow()); // the socket is watched
            assertFalse(c.connect(unresolved));
            k.interestOps(SelectionKey.OP_CONNECT);
            AtomicReference<Object> result = new AtomicReference<>();
            Thread t = selecting(sel, result); // nothing selectable while the name is held
            gate.countDown();
            awaitEnd(t, sel, "the connect ended but its internal wake-up was lost");
            assertEquals(1, result.get(), "select() reports the connect");
            assertEquals(Set.of(k), sel.selectedKeys());
            assertTrue(k.isConnectable());
            assertTrue(c.finishConnect());
            server.accept().close();
        }
    }

    /** Internal wake-ups come and go (connect started, connect ended); only the pipe's data ends select(). */
    @Test
    void internalWakeupsDoNotEndAnUntimedSelect() throws Exception {
        Selector[] s = new Selector[1];
        SelectorMXBean m = open(s);
        Pipe pipe = P.openPipe();
        try (Selector sel = s[0]; SocketChannel c = asyncChannel(); Pipe.SourceChannel source = pipe.source();
             Pipe.SinkChannel sink = pipe.sink()) {
            c.register(sel, 0); // nothing of the connect is selectable
            source.configureBlocking(false);
            SelectionKey data = source.register(sel, SelectionKey.OP_READ);
            AtomicReference<Object> result = new AtomicReference<>();
            Thread t = selecting(sel, result);
            long polls = m.getPollCalls();
            assertFalse(c.connect(unresolved));
            gate.countDown();
            server.accept().close(); // the connect was made: its end queued the key's rewatch
            // the selection polls again after the internal wake-up (or, wrongly, returns)
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(BOUND_MS);
            while (m.getPollCalls() == polls && t.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(1); // sampling a counter with a bound, not ordering events
            }
            assertTrue(m.getPollCalls() > polls || !t.isAlive(), "the internal wake-up never reached the selection");
            assertTrue(Blocking.awaitBlocked(t), "select() returned " + result.get() + " after an internal wake-up alone");
            sink.write(ByteBuffer.wrap(new byte[] {1}));
            awaitEnd(t, sel, "data on the pipe");
            assertEquals(1, result.get());
            assertEquals(Set.of(data), sel.selectedKeys());
            assertSame(data, sel.selectedKeys().iterator().next());
        }
    }

    /** Opens a selector and finds its MXBean ({@link SelectorBeans#open}). */
    private static SelectorMXBean open(Selector[] out) throws Exception {
        return SelectorBeans.open(P, out);
    }
}
