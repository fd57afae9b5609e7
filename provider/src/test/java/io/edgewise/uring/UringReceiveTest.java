package io.edgewise.uring;

import static io.edgewise.uring.UringCompletionIoTest.P;
import static io.edgewise.uring.UringCompletionIoTest.counter;
import static io.edgewise.uring.UringCompletionIoTest.echo;
import static io.edgewise.uring.UringCompletionIoTest.random;
import static io.edgewise.uring.UringCompletionIoTest.served;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.conformance.Providers;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * io_uring level 2, receive side (issue #21): the provided-buffer ring growing under load, and a channel the
 * ring feeds detached from another thread — a blocking reader after {@code key.cancel()} with no selection
 * afterwards, and a second selector. Runs with {@code -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true}
 * (skipped otherwise), like {@link UringCompletionIoTest}.
 */
@Timeout(120)
class UringReceiveTest {

    @BeforeEach
    void levelTwo() {
        UringCompletionIoTest.assumeLevelTwo();
    }

    /** Whether a ring still feeds the channel (its input is installed and not detached). */
    static boolean fed(SocketChannel ch) throws Exception {
        Class<?> c = ch.getClass();
        while (!c.getSimpleName().equals("StreamSocketChannel")) c = c.getSuperclass();
        java.lang.reflect.Field f = c.getDeclaredField("input");
        f.setAccessible(true);
        Object in = f.get(ch);
        if (in == null || !in.getClass().getSimpleName().equals("UringStream")) return false;
        java.lang.reflect.Field d = in.getClass().getDeclaredField("detached");
        d.setAccessible(true);
        synchronized (in) {
            return !d.getBoolean(in);
        }
    }

    /** The number of buffers the selector's ring has made so far. */
    static int provided(Selector sel) throws Exception {
        Object buffers = UringCompletionIoTest.bufferRing(sel);
        java.lang.reflect.Method m = buffers.getClass().getDeclaredMethod("provided");
        m.setAccessible(true);
        return (int) m.invoke(buffers);
    }

    @Test
    void aRingShortOfBuffersGrowsToItsLimitAndEveryByteArrives() throws Exception {
        String before = System.getProperty("io.edgewise.uring.test.bufferRing");
        System.setProperty("io.edgewise.uring.test.bufferRing", "4x1024x16"); // 4 buffers, may grow to 16
        UringCompletionIoTest.EchoServer srv;
        try {
            srv = new UringCompletionIoTest.EchoServer();
            byte[] first = random(100, 1);
            assertArrayEquals(first, echo(srv.address(), first)); // makes the selector's (small) ring
        } finally {
            if (before == null) System.clearProperty("io.edgewise.uring.test.bufferRing");
            else System.setProperty("io.edgewise.uring.test.bufferRing", before);
        }
        try (UringCompletionIoTest.EchoServer s = srv) {
            assertEquals(4, provided(s.sel));
            UringCompletionIoTest.echoAtOnce(s.address(), 6, i -> UringCompletionIoTest.random(400_000, (200 + i)));
            // six connections with data in flight need more than 4 buffers: the ring grew, by slabs of 4, to 16
            assertEquals(16, provided(s.sel), "the ring grew to its limit");
            assertEquals(3, counter(s.sel, "grows"));
        }
    }

    /**
     * The JDK's HttpServer pattern: the selecting thread cancels the key, makes the channel blocking and hands
     * it to a worker, then never selects again. The ring's recv was armed; the worker still gets every byte,
     * including those the recv took into the ring, without any selection.
     */
    @Test
    void aBlockingReadAfterCancelGetsEveryByteWhenNoThreadSelectsAgain() throws Exception {
        blockingReadAfterCancel(false);
    }

    /**
     * The same with the selecting thread back in an untimed {@code select()} (which deregisters the key, or
     * is nudged when the reader asks first): every byte arrives and the select does not return for it.
     */
    @Test
    void aBlockingReadAfterCancelGetsEveryByteWhenTheThreadSelectsAgainAndItsSelectDoesNotReturn() throws Exception {
        blockingReadAfterCancel(true);
    }

    private static void blockingReadAfterCancel(boolean selectAgain) throws Exception {
        try (Selector sel = P.openSelector(); ServerSocketChannel server = P.openServerSocketChannel()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (Socket client = new Socket()) {
                client.connect(server.getLocalAddress(), 10_000);
                SocketChannel ch = server.accept();
                byte[] data = random(300_000, 7);
                OutputStream out = client.getOutputStream();
                CountDownLatch never = new CountDownLatch(1), handedOff = new CountDownLatch(1);
                java.util.concurrent.atomic.AtomicInteger selectReturned = new java.util.concurrent.atomic.AtomicInteger(-1);
                CompletableFuture<byte[]> got = new CompletableFuture<>();
                Thread dispatcher = new Thread(() -> {
                    try {
                        ch.configureBlocking(false);
                        SelectionKey key = ch.register(sel, SelectionKey.OP_READ);
                        out.write(data, 0, 1000);
                        while (sel.select(10_000) == 0) { } // armed the recv, which took the first bytes
                        assertTrue(served(ch), "level 2 served the channel");
                        key.cancel();
                        ch.configureBlocking(true);
                        new Thread(() -> {
                            try {
                                byte[] all = new byte[data.length];
                                ByteBuffer b = ByteBuffer.wrap(all);
                                while (b.hasRemaining()) {
                                    if (ch.read(b) < 0) break;
                                }
                                got.complete(all);
                            } catch (Throwable t) {
                                got.completeExceptionally(t);
                            }
                        }, "worker").start();
                        handedOff.countDown();
                        if (selectAgain) {
                            selectReturned.set(sel.select()); // deregisters the key first, then waits
                        } else {
                            never.await(); // parked: never selects again (its recv's completion work still runs here)
                        }
                    } catch (InterruptedException e) {
                        // the test is over
                    } catch (Throwable t) {
                        got.completeExceptionally(t);
                    }
                }, "dispatcher");
                dispatcher.start();
                try {
                    assertTrue(handedOff.await(20, TimeUnit.SECONDS));
                    for (int off = 1000; off < data.length; off += 4096) {
                        out.write(data, off, Math.min(4096, data.length - off));
                    }
                    assertArrayEquals(data, got.get(20, TimeUnit.SECONDS), "every byte, in order");
                    assertFalse(fed(ch), "the ring no longer feeds the channel");
                    if (selectAgain) {
                        assertEquals(-1, selectReturned.get(), "the untimed select did not return");
                        sel.wakeup();
                        dispatcher.join(10_000);
                        assertEquals(0, selectReturned.get());
                    }
                } finally {
                    dispatcher.interrupt();
                    dispatcher.join(10_000);
                    ch.close();
                }
            }
        }
    }

    /**
     * A channel the ring already serves, registered with a second selector after data flowed: both selectors
     * then see OP_READ for the next bytes (the ring stops feeding it; readiness comes from the kernel for both).
     */
    @Test
    void aChannelServedByARingThenRegisteredWithASecondSelectorIsReadableForBoth() throws Exception {
        try (Selector first = P.openSelector(); Selector second = P.openSelector();
             ServerSocketChannel server = P.openServerSocketChannel()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = Providers.jdk().openSocketChannel()) {
                client.connect(server.getLocalAddress());
                SocketChannel ch = server.accept();
                ch.configureBlocking(false);
                SelectionKey k1 = ch.register(first, SelectionKey.OP_READ);
                first.selectNow(); // binds it: the recv is armed
                assertTrue(served(ch));
                client.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                assertEquals(1, first.select(10_000));
                ByteBuffer b = ByteBuffer.allocate(16);
                while (b.position() < 3) ch.read(b); // the data flowed through the ring
                first.selectedKeys().clear();

                SelectionKey k2 = ch.register(second, SelectionKey.OP_READ);
                assertFalse(fed(ch), "a second key: the ring no longer feeds the channel");
                client.write(ByteBuffer.wrap(new byte[] {4, 5}));
                assertEquals(1, second.select(10_000), "the second selector sees OP_READ");
                assertTrue(k2.isReadable());
                assertEquals(1, first.select(10_000), "the first selector sees OP_READ");
                assertTrue(k1.isReadable());
                b.clear();
                while (b.position() < 2) ch.read(b);
                assertEquals(4, b.get(0));
                assertEquals(5, b.get(1));
                ch.close();
            }
        }
    }

    /**
     * As above, with the first selector's thread blocked in an untimed {@code select()} when the second key
     * appears: the registering thread cannot take that poller's lock, so it nudges the poller, which cancels
     * the recv inside its wait (without returning); then both selectors see OP_READ for the next bytes.
     */
    @Test
    void aSecondSelectorWhileTheFirstIsBlockedInSelectDetachesThroughANudge() throws Exception {
        try (Selector first = P.openSelector(); Selector second = P.openSelector();
             ServerSocketChannel server = P.openServerSocketChannel()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = Providers.jdk().openSocketChannel()) {
                client.connect(server.getLocalAddress());
                SocketChannel ch = server.accept();
                ch.configureBlocking(false);
                SelectionKey k1 = ch.register(first, SelectionKey.OP_READ);
                CountDownLatch bound = new CountDownLatch(1);
                java.util.concurrent.atomic.AtomicInteger firstSaw = new java.util.concurrent.atomic.AtomicInteger(-1);
                CompletableFuture<Void> selecting = CompletableFuture.runAsync(() -> {
                    try {
                        first.selectNow(); // binds it: the recv is armed by this thread
                        bound.countDown();
                        firstSaw.set(first.select()); // untimed: returns for OP_READ only
                    } catch (java.io.IOException e) {
                        throw new RuntimeException(e);
                    }
                }, r -> new Thread(r, "first-selector").start());
                assertTrue(bound.await(20, TimeUnit.SECONDS));
                assertTrue(served(ch));
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                // the selecting thread holds the poller's lock while it waits in the kernel
                while (!((java.util.concurrent.locks.ReentrantLock) pollerLock(first)).isLocked()) {
                    assertTrue(System.nanoTime() < deadline, "the first selector never waited");
                    Thread.onSpinWait();
                }
                SelectionKey k2 = ch.register(second, SelectionKey.OP_READ);
                while (fed(ch)) {
                    assertTrue(System.nanoTime() < deadline, "the nudged poller never detached the channel");
                    Thread.onSpinWait();
                }
                assertEquals(-1, firstSaw.get(), "the nudge did not end the first selector's select");
                client.write(ByteBuffer.wrap(new byte[] {9}));
                assertEquals(1, second.select(10_000), "the second selector sees OP_READ");
                assertTrue(k2.isReadable());
                selecting.get(10, TimeUnit.SECONDS);
                assertEquals(1, firstSaw.get(), "the first selector sees OP_READ");
                assertTrue(k1.isReadable());
                ch.close();
            }
        }
    }

    static Object pollerLock(Selector sel) throws Exception {
        java.lang.reflect.Field pf = sel.getClass().getDeclaredField("poller");
        pf.setAccessible(true);
        Object poller = pf.get(sel);
        java.lang.reflect.Field lf = poller.getClass().getDeclaredField("lock");
        lf.setAccessible(true);
        return lf.get(poller);
    }
}
