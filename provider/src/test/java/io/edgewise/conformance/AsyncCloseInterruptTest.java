package io.edgewise.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.Closeable;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.InterruptibleChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each blocking operation (read, scattering read, write, gathering write, connect, accept, pipe read,
 * pipe write) ended by an asynchronous close of its channel ({@link AsynchronousCloseException}),
 * by an interrupt of the blocked thread ({@link ClosedByInterruptException}, channel closed, interrupt
 * status kept), or started with the interrupt status already set; plus shutdownInput waking a reader.
 */
@Timeout(value = 20, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AsyncCloseInterruptTest {

    /** Big enough to fill loopback socket buffers; shared read-only (each use takes a duplicate). */
    private static final ByteBuffer BIG = ByteBuffer.allocateDirect(1 << 20);

    interface BlockingOp {
        Object run() throws Exception;
    }

    /** A channel set up so that {@link #op} blocks; {@link #resources} are closed after the test. */
    record Subject(InterruptibleChannel channel, BlockingOp op, List<Closeable> resources) implements Closeable {
        @Override
        public void close() {
            Net.closeQuietly(resources.toArray(new Closeable[0]));
            Net.closeQuietly(channel);
        }
    }

    interface Setup {
        Subject open(SelectorProvider p) throws Exception;
    }

    enum Op {
        SOCKET_READ(p -> {
            Net.Conn c = Net.connect(p);
            return new Subject(c.client, () -> c.client.read(ByteBuffer.allocate(100)), List.of(c));
        }),
        SOCKET_SCATTERING_READ(p -> {
            Net.Conn c = Net.connect(p, StandardProtocolFamily.INET6);
            ByteBuffer[] bufs = {ByteBuffer.allocate(10), ByteBuffer.allocateDirect(10)};
            return new Subject(c.client, () -> c.client.read(bufs, 0, 2), List.of(c));
        }),
        SOCKET_WRITE(p -> {
            Net.Conn c = smallBuffers(p);
            fill(c.client);
            return new Subject(c.client, () -> writeUntilClosed(() -> c.client.write(ByteBuffer.allocate(1000))),
                    List.of(c));
        }),
        SOCKET_GATHERING_WRITE(p -> {
            Net.Conn c = smallBuffers(p);
            fill(c.client);
            return new Subject(c.client, () -> writeUntilClosed(() -> c.client.write(
                    new ByteBuffer[] {ByteBuffer.allocate(500), ByteBuffer.allocateDirect(500)}, 0, 2)), List.of(c));
        }),
        SOCKET_CONNECT(p -> {
            Net.FullListener full = new Net.FullListener(p, StandardProtocolFamily.INET);
            SocketChannel ch = p.openSocketChannel();
            return new Subject(ch, () -> ch.connect(full.address()), List.of(full));
        }),
        SERVER_ACCEPT(p -> {
            ServerSocketChannel ssc = Net.listen(p);
            return new Subject(ssc, ssc::accept, List.of());
        }),
        PIPE_READ(p -> {
            Pipe pipe = p.openPipe();
            return new Subject(pipe.source(), () -> pipe.source().read(ByteBuffer.allocate(10)), List.of(pipe.sink()));
        }),
        PIPE_WRITE(p -> {
            Pipe pipe = p.openPipe();
            fill(pipe.sink());
            return new Subject(pipe.sink(), () -> writeUntilClosed(() -> pipe.sink().write(ByteBuffer.allocate(1000))),
                    List.of(pipe.source()));
        });

        final Setup setup;

        Op(Setup setup) {
            this.setup = setup;
        }
    }

    /**
     * Fills the channel's kernel buffer with non-blocking writes, then restores blocking mode, so that
     * the next small blocking write blocks having transferred nothing (a write that transferred some
     * bytes before a close returns its count, per the JDK).
     */
    static <C extends java.nio.channels.SelectableChannel & java.nio.channels.WritableByteChannel> void fill(C ch)
            throws java.io.IOException {
        ch.configureBlocking(false);
        int zeros = 0;
        for (int i = 0; i < 100_000 && zeros < 3; i++) {
            ByteBuffer b = BIG.duplicate();
            b.limit(1 << 20);
            zeros = ch.write(b) == 0 ? zeros + 1 : 0;
        }
        assertEquals(3, zeros, "buffer filled");
        ch.configureBlocking(true);
    }

    /**
     * A connection with fixed small buffers (SO_RCVBUF on the listener, SO_SNDBUF on the client, set
     * before connecting: no autotuning), so that once filled no space appears while the peer is idle.
     */
    static Net.Conn smallBuffers(SelectorProvider p) throws java.io.IOException {
        try (ServerSocketChannel ssc = p.openServerSocketChannel()) {
            ssc.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 8192);
            ssc.bind(new java.net.InetSocketAddress(Net.LOOPBACK4, 0), 1);
            SocketChannel c = p.openSocketChannel();
            try {
                c.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 8192);
                c.connect(ssc.getLocalAddress());
                return new Net.Conn(c, ssc.accept());
            } catch (java.io.IOException | RuntimeException e) {
                c.close();
                throw e;
            }
        }
    }

    interface WriteCall {
        long write() throws Exception;
    }

    /**
     * A blocking write of 1000 bytes that had transferred some bytes when the channel was closed returns
     * that count (JDK semantics); the next write then fails with ClosedChannelException. That is a
     * correct ending too, reported as this exception.
     */
    static final class PartialWriteThenClosed extends Exception {
        private static final long serialVersionUID = 1L;

        PartialWriteThenClosed(Throwable cause) {
            super(cause);
        }
    }

    static Object writeUntilClosed(WriteCall w) throws Exception {
        boolean partial = false;
        while (true) {
            long n;
            try {
                n = w.write();
            } catch (java.nio.channels.ClosedChannelException e) {
                if (partial && !(e instanceof AsynchronousCloseException)) {
                    throw new PartialWriteThenClosed(e);
                }
                throw e;
            }
            partial = n < 1000;
        }
    }

    /** AsynchronousCloseException, or a partial write ended by the close (see {@link PartialWriteThenClosed}). */
    static void assertEndedByAsyncClose(Throwable e) {
        if (e instanceof PartialWriteThenClosed) {
            return;
        }
        assertSame(AsynchronousCloseException.class, e.getClass(), () -> "got " + e);
    }

    static Stream<Arguments> cases() {
        return Providers.both().flatMap(a -> Stream.of(Op.values()).map(op -> Arguments.of(a.get()[0], op)));
    }

    private static CompletableFuture<Object> start(Subject s, AtomicReference<Thread> thread, boolean preInterrupt,
                                                   AtomicBoolean interruptedAfter) {
        return start(s, thread, preInterrupt, interruptedAfter, false);
    }

    /** Thread.ofVirtual().unstarted(task) through reflection (the tests compile for release 17). */
    private static Thread virtualThread(Runnable task) {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            return (Thread) Class.forName("java.lang.Thread$Builder").getMethod("unstarted", Runnable.class)
                    .invoke(builder, task);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static CompletableFuture<Object> start(Subject s, AtomicReference<Thread> thread, boolean preInterrupt,
                                                   AtomicBoolean interruptedAfter, boolean virtual) {
        CompletableFuture<Object> f = new CompletableFuture<>();
        Runnable task = () -> {
            if (preInterrupt) {
                Thread.currentThread().interrupt();
            }
            try {
                f.complete(s.op().run());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            } finally {
                interruptedAfter.set(Thread.currentThread().isInterrupted());
            }
        };
        Thread t = virtual ? virtualThread(task) : new Thread(task, "blocked-op");
        if (!virtual) {
            t.setDaemon(true);
        }
        thread.set(t);
        t.start();
        return f;
    }

    private static Throwable failure(CompletableFuture<Object> f, Thread t) throws Exception {
        try {
            Object r = f.get(10, TimeUnit.SECONDS);
            fail("blocking operation completed normally with " + r);
            return null;
        } catch (ExecutionException e) {
            t.join(5_000);
            return e.getCause();
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void asyncCloseThrowsAsynchronousCloseException(SelectorProvider p, Op op) throws Exception {
        try (Subject s = op.setup.open(p)) {
            AtomicReference<Thread> t = new AtomicReference<>();
            AtomicBoolean interrupted = new AtomicBoolean();
            CompletableFuture<Object> f = start(s, t, false, interrupted);
            assertTrue(Net.awaitBlocked(t.get()), "operation blocks");
            assertFalse(f.isDone(), "operation blocks");
            s.channel().close();
            Throwable e = failure(f, t.get());
            assertEndedByAsyncClose(e);
            assertFalse(s.channel().isOpen());
            assertFalse(interrupted.get());
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void interruptThrowsClosedByInterruptAndClosesChannel(SelectorProvider p, Op op) throws Exception {
        try (Subject s = op.setup.open(p)) {
            AtomicReference<Thread> t = new AtomicReference<>();
            AtomicBoolean interrupted = new AtomicBoolean();
            CompletableFuture<Object> f = start(s, t, false, interrupted);
            assertTrue(Net.awaitBlocked(t.get()), "operation blocks");
            assertFalse(f.isDone(), "operation blocks");
            t.get().interrupt();
            Throwable e = failure(f, t.get());
            assertSame(ClosedByInterruptException.class, e.getClass(), () -> "got " + e);
            assertFalse(s.channel().isOpen(), "interrupt closes the channel");
            assertTrue(interrupted.get(), "interrupt status kept");
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void alreadyInterruptedThreadGetsClosedByInterrupt(SelectorProvider p, Op op) throws Exception {
        try (Subject s = op.setup.open(p)) {
            AtomicReference<Thread> t = new AtomicReference<>();
            AtomicBoolean interrupted = new AtomicBoolean();
            CompletableFuture<Object> f = start(s, t, true, interrupted);
            Throwable e = failure(f, t.get());
            assertSame(ClosedByInterruptException.class, e.getClass(), () -> "got " + e);
            assertFalse(s.channel().isOpen());
            assertTrue(interrupted.get());
        }
    }

    /** Blocking operations of the socket adaptors (java.net API over the channels). */
    enum AdaptorOp {
        STREAM_READ(p -> {
            Net.Conn c = Net.connect(p);
            java.io.InputStream in = c.client.socket().getInputStream();
            return new Subject(c.client, in::read, List.of(c));
        }),
        STREAM_TIMED_READ(p -> {
            Net.Conn c = Net.connect(p);
            c.client.socket().setSoTimeout(60_000);
            java.io.InputStream in = c.client.socket().getInputStream();
            return new Subject(c.client, in::read, List.of(c));
        }),
        STREAM_WRITE(p -> {
            Net.Conn c = smallBuffers(p);
            fill(c.client);
            java.io.OutputStream out = c.client.socket().getOutputStream();
            return new Subject(c.client, () -> {
                while (true) {
                    out.write(new byte[1000]);
                }
            }, List.of(c));
        }),
        ACCEPT(p -> {
            ServerSocketChannel ssc = Net.listen(p);
            return new Subject(ssc, () -> ssc.socket().accept(), List.of());
        }),
        TIMED_ACCEPT(p -> {
            ServerSocketChannel ssc = Net.listen(p);
            ssc.socket().setSoTimeout(60_000);
            return new Subject(ssc, () -> ssc.socket().accept(), List.of());
        }),
        CONNECT(p -> {
            Net.FullListener full = new Net.FullListener(p, StandardProtocolFamily.INET);
            SocketChannel ch = p.openSocketChannel();
            return new Subject(ch, () -> {
                ch.socket().connect(full.address());
                return null;
            }, List.of(full));
        }),
        TIMED_CONNECT(p -> {
            Net.FullListener full = new Net.FullListener(p, StandardProtocolFamily.INET);
            SocketChannel ch = p.openSocketChannel();
            return new Subject(ch, () -> {
                ch.socket().connect(full.address(), 60_000);
                return null;
            }, List.of(full));
        });

        final Setup setup;

        AdaptorOp(Setup setup) {
            this.setup = setup;
        }
    }

    /** Exception class, channel open, interrupt status after ending a blocked adaptor op by close or interrupt. */
    private static String adaptorOutcome(SelectorProvider p, AdaptorOp op, boolean interrupt) throws Exception {
        try (Subject s = op.setup.open(p)) {
            AtomicReference<Thread> t = new AtomicReference<>();
            AtomicBoolean interrupted = new AtomicBoolean();
            CompletableFuture<Object> f = start(s, t, false, interrupted);
            assertTrue(Net.awaitBlocked(t.get()), "operation blocks");
            assertFalse(f.isDone(), "operation blocks");
            if (interrupt) {
                t.get().interrupt();
            } else {
                s.channel().close();
            }
            Throwable e = failure(f, t.get());
            return e.getClass().getName() + " open=" + s.channel().isOpen() + " interrupted=" + interrupted.get();
        }
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(AdaptorOp.class)
    void adaptorBlockingOpsEndAsOnTheJdk(AdaptorOp op) throws Exception {
        for (boolean interrupt : new boolean[] {false, true}) {
            String expected = adaptorOutcome(Providers.reference(), op, interrupt);
            String actual = adaptorOutcome(Providers.candidate(), op, interrupt);
            assertEquals(expected, actual, (interrupt ? "interrupt" : "close") + " of a blocked " + op);
        }
    }

    /** JDK 21+: the same endings for a virtual thread blocked in each operation (compared with the JDK). */
    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.EnumSource(Op.class)
    void virtualThreadBlockedOpsEndAsOnTheJdk(Op op) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() >= 21, "virtual threads: JDK 21+");
        for (boolean interrupt : new boolean[] {false, true}) {
            String expected = virtualOutcome(Providers.reference(), op, interrupt);
            String actual = virtualOutcome(Providers.candidate(), op, interrupt);
            assertEquals(expected, actual, (interrupt ? "interrupt" : "close") + " of a virtual thread blocked in " + op);
        }
    }

    private static String virtualOutcome(SelectorProvider p, Op op, boolean interrupt) throws Exception {
        try (Subject s = op.setup.open(p)) {
            AtomicReference<Thread> t = new AtomicReference<>();
            AtomicBoolean interrupted = new AtomicBoolean();
            CompletableFuture<Object> f = start(s, t, false, interrupted, true);
            assertTrue(Net.awaitBlocked(t.get()), "operation blocks");
            assertFalse(f.isDone(), "operation blocks");
            if (interrupt) {
                t.get().interrupt();
            } else {
                s.channel().close();
            }
            Throwable e = failure(f, t.get());
            String ending = e instanceof PartialWriteThenClosed ? AsynchronousCloseException.class.getName()
                    : e.getClass().getName();
            return ending + " open=" + s.channel().isOpen() + " interrupted=" + interrupted.get();
        }
    }

    @ProviderTest
    void shutdownInputWakesBlockedReaderWithEof(SelectorProvider p) throws Exception {
        try (Net.Conn c = Net.connect(p)) {
            AtomicReference<Thread> t = new AtomicReference<>();
            AtomicBoolean interrupted = new AtomicBoolean();
            Subject s = new Subject(c.client, () -> c.client.read(ByteBuffer.allocate(10)), List.of());
            CompletableFuture<Object> f = start(s, t, false, interrupted);
            assertTrue(Net.awaitBlocked(t.get()));
            c.client.shutdownInput();
            assertEquals(-1, f.get(10, TimeUnit.SECONDS));
            assertTrue(c.client.isOpen());
            assertEquals(-1, c.client.read(ByteBuffer.allocate(10)));
            // the other direction still works
            c.client.write(Net.bytes("ok"));
            assertEquals(Net.bytes("ok"), Net.readFully(c.server, 2));
        }
    }

    @ProviderTest
    void closeWhileOtherThreadsBlockedInReadAndWriteEndsBoth(SelectorProvider p) throws Exception {
        try (Net.Conn c = smallBuffers(p)) {
            fill(c.client);
            List<CompletableFuture<Object>> fs = new ArrayList<>();
            List<Thread> ts = new ArrayList<>();
            for (Subject s : List.of(
                    new Subject(c.client, () -> c.client.read(ByteBuffer.allocate(10)), List.of()),
                    new Subject(c.client, () -> writeUntilClosed(() -> c.client.write(ByteBuffer.allocate(1000))),
                            List.of()))) {
                AtomicReference<Thread> t = new AtomicReference<>();
                fs.add(start(s, t, false, new AtomicBoolean()));
                ts.add(t.get());
            }
            for (Thread t : ts) {
                assertTrue(Net.awaitBlocked(t));
            }
            c.client.close();
            for (int i = 0; i < 2; i++) {
                Throwable e = failure(fs.get(i), ts.get(i));
                assertNotNull(e);
                assertEndedByAsyncClose(e);
            }
        }
    }
}
