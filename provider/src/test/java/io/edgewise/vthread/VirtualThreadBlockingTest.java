package io.edgewise.vthread;

import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.conformance.Providers;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Blocking operations on virtual threads park instead of holding their carrier (JDK 21+; skipped on
 * 17). Each scenario runs on the JDK's provider (the reference) and on Edgewise. "Parked" is observed
 * as the virtual thread's state WAITING/TIMED_WAITING — a virtual thread held in native code reports
 * RUNNABLE, and with more blocked threads than carriers the surplus would never even start.
 */
class VirtualThreadBlockingTest {
    static Stream<SelectorProvider> providers() {
        return Stream.of(Providers.jdk(), Providers.edgewise());
    }

    @BeforeEach
    void requireVirtualThreads() {
        VT.assumeVirtualThreads();
    }

    /** A connected pair: [0] our side (blocking), [1] the peer (JDK provider, blocking). */
    private static SocketChannel[] pair(SelectorProvider p, ServerSocketChannel ss) throws IOException {
        SocketChannel c = p.openSocketChannel();
        c.connect(ss.getLocalAddress());
        SocketChannel s = ss.accept();
        return new SocketChannel[] {c, s};
    }

    private static SocketChannel open(SelectorProvider p, java.net.SocketAddress to) throws IOException {
        SocketChannel c = p.openSocketChannel();
        c.connect(to);
        return c;
    }

    private static ServerSocketChannel listener() throws IOException {
        ServerSocketChannel ss = Providers.jdk().openServerSocketChannel();
        ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
        return ss;
    }

    @ParameterizedTest
    @MethodSource("providers")
    void manyReadersParkAndAllCompleteWhenDataArrives(SelectorProvider p) throws Exception {
        VT.assumeParking(p);
        int n = 64; // far more than the carriers (one per core here)
        try (ServerSocketChannel ss = listener()) {
            List<SocketChannel[]> pairs = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            List<CompletableFuture<Integer>> results = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) pairs.add(pair(p, ss));
                for (int i = 0; i < n; i++) {
                    SocketChannel c = pairs.get(i)[0];
                    CompletableFuture<Integer> f = new CompletableFuture<>();
                    results.add(f);
                    threads.add(VT.start(() -> {
                        try {
                            ByteBuffer b = ByteBuffer.allocate(1);
                            int r = c.read(b);
                            f.complete(r == 1 ? b.get(0) & 0xff : -100 - r);
                        } catch (Throwable t) {
                            f.completeExceptionally(t);
                        }
                    }));
                }
                assertTrue(VT.await(() -> threads.stream().allMatch(VT::parked), 10),
                        "every reader parked (a reader holding its carrier stays RUNNABLE)");
                for (int i = 0; i < n; i++) {
                    pairs.get(i)[1].write(ByteBuffer.wrap(new byte[] {(byte) i}));
                }
                for (int i = 0; i < n; i++) {
                    assertEquals(i, results.get(i).get(10, TimeUnit.SECONDS));
                }
            } finally {
                for (SocketChannel[] pr : pairs) { pr[0].close(); pr[1].close(); }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void acceptParksUntilAConnectionArrives(SelectorProvider p) throws Exception {
        VT.assumeParking(p);
        try (ServerSocketChannel ss = p.openServerSocketChannel()) {
            ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            CompletableFuture<SocketChannel> accepted = new CompletableFuture<>();
            Thread t = VT.start(() -> {
                try {
                    accepted.complete(ss.accept());
                } catch (Throwable e) {
                    accepted.completeExceptionally(e);
                }
            });
            assertTrue(VT.await(() -> VT.parked(t), 10));
            try (SocketChannel c = open(Providers.jdk(), ss.getLocalAddress());
                 SocketChannel a = accepted.get(10, TimeUnit.SECONDS)) {
                assertEquals(c.getLocalAddress(), a.getRemoteAddress());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void connectAndWriteOnAVirtualThread(SelectorProvider p) throws Exception {
        VT.assumeParking(p);
        try (ServerSocketChannel ss = listener()) {
            CompletableFuture<SocketChannel> client = new CompletableFuture<>();
            int size = 32 << 20; // larger than both socket buffers (even autotuned): the write waits for the reader
            CompletableFuture<Integer> written = new CompletableFuture<>();
            Thread t = VT.start(() -> {
                try {
                    SocketChannel c = open(p, ss.getLocalAddress());
                    c.setOption(java.net.StandardSocketOptions.SO_SNDBUF, 1 << 16);
                    client.complete(c);
                    ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
                    int total = 0;
                    while (total < size) {
                        chunk.clear().limit(Math.min(chunk.capacity(), size - total));
                        total += c.write(chunk);
                    }
                    written.complete(total);
                } catch (Throwable e) {
                    client.completeExceptionally(e);
                    written.completeExceptionally(e);
                }
            });
            try (SocketChannel peer = ss.accept(); SocketChannel c = client.get(10, TimeUnit.SECONDS)) {
                assertTrue(VT.await(() -> VT.parked(t), 10), () -> "writer parked on a full send buffer: " + t.getState() + " " + java.util.Arrays.toString(t.getStackTrace()));
                assertFalse(written.isDone());
                ByteBuffer b = ByteBuffer.allocate(1 << 16);
                long total = 0;
                while (total < size) {
                    b.clear();
                    int r = peer.read(b);
                    assertTrue(r > 0);
                    total += r;
                }
                assertEquals(size, written.get(10, TimeUnit.SECONDS));
            }
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void asyncCloseEndsAParkedRead(SelectorProvider p) throws Exception {
        VT.assumeParking(p);
        try (ServerSocketChannel ss = listener()) {
            SocketChannel[] pr = pair(p, ss);
            try {
                CompletableFuture<Throwable> outcome = new CompletableFuture<>();
                Thread t = VT.start(() -> {
                    try {
                        pr[0].read(ByteBuffer.allocate(1));
                        outcome.complete(null);
                    } catch (Throwable e) {
                        outcome.complete(e);
                    }
                });
                assertTrue(VT.await(() -> VT.parked(t), 10));
                pr[0].close();
                assertInstanceOf(AsynchronousCloseException.class, outcome.get(10, TimeUnit.SECONDS));
            } finally {
                pr[0].close();
                pr[1].close();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void interruptEndsAParkedReadAndClosesTheChannel(SelectorProvider p) throws Exception {
        VT.assumeParking(p);
        try (ServerSocketChannel ss = listener()) {
            SocketChannel[] pr = pair(p, ss);
            try {
                CompletableFuture<Throwable> outcome = new CompletableFuture<>();
                Thread t = VT.start(() -> {
                    try {
                        pr[0].read(ByteBuffer.allocate(1));
                        outcome.complete(null);
                    } catch (Throwable e) {
                        outcome.complete(e);
                    }
                });
                assertTrue(VT.await(() -> VT.parked(t), 10));
                t.interrupt();
                assertInstanceOf(ClosedByInterruptException.class, outcome.get(10, TimeUnit.SECONDS));
                assertFalse(pr[0].isOpen());
            } finally {
                pr[0].close();
                pr[1].close();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void soTimeoutIsHonouredWhileParked(SelectorProvider p) throws Exception {
        VT.assumeParking(p);
        try (ServerSocketChannel ss = listener()) {
            SocketChannel[] pr = pair(p, ss);
            try {
                Socket s = pr[0].socket();
                s.setSoTimeout(200);
                CompletableFuture<Throwable> outcome = new CompletableFuture<>();
                Thread t = VT.start(() -> {
                    try {
                        InputStream in = s.getInputStream(); // not closed: closing it closes the socket
                        in.read();
                        outcome.complete(null);
                    } catch (Throwable e) {
                        outcome.complete(e);
                    }
                });
                assertInstanceOf(SocketTimeoutException.class, outcome.get(10, TimeUnit.SECONDS));
                assertTrue(pr[0].isOpen(), "a read timeout does not close the channel");
            } finally {
                pr[0].close();
                pr[1].close();
            }
        }
    }

    @ParameterizedTest
    @MethodSource("providers")
    void pipeReadParks(SelectorProvider p) throws Exception {
        VT.assumeParking(p);
        Pipe pipe = p.openPipe();
        try {
            CompletableFuture<Integer> got = new CompletableFuture<>();
            Thread t = VT.start(() -> {
                try {
                    ByteBuffer b = ByteBuffer.allocate(1);
                    pipe.source().read(b);
                    got.complete(b.get(0) & 0xff);
                } catch (Throwable e) {
                    got.completeExceptionally(e);
                }
            });
            assertTrue(VT.await(() -> VT.parked(t), 10));
            pipe.sink().write(ByteBuffer.wrap(new byte[] {42}));
            assertEquals(42, got.get(10, TimeUnit.SECONDS));
        } finally {
            pipe.source().close();
            pipe.sink().close();
        }
    }

    /** Edgewise: a parked virtual thread owns no descriptor (platform waiters own a pooled eventfd). */
    @Test
    void parkedReadersOwnNoDescriptor() throws Exception {
        VT.assumeEdgewiseParks();
        SelectorProvider p = Providers.edgewise();
        int n = 32;
        try (ServerSocketChannel ss = listener()) {
            List<SocketChannel[]> pairs = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            try {
                for (int i = 0; i < n; i++) pairs.add(pair(p, ss));
                // warm up the shared pollers so their own descriptors are counted before
                Thread w = VT.start(() -> {
                    try {
                        pairs.get(0)[0].socket().setSoTimeout(1);
                        pairs.get(0)[0].socket().getInputStream().read();
                    } catch (IOException expected) {
                        // timed out
                    }
                });
                w.join(10_000);
                pairs.get(0)[0].socket().setSoTimeout(0);
                long before = openDescriptors();
                for (int i = 0; i < n; i++) {
                    SocketChannel c = pairs.get(i)[0];
                    threads.add(VT.start(() -> {
                        try {
                            c.read(ByteBuffer.allocate(1));
                        } catch (IOException ignore) {
                            // closed at the end
                        }
                    }));
                }
                assertTrue(VT.await(() -> threads.stream().allMatch(VT::parked), 10));
                long during = openDescriptors();
                assertTrue(during - before <= 2, "descriptors grew by " + (during - before) + " for " + n + " parked readers");
                for (SocketChannel[] pr : pairs) pr[1].write(ByteBuffer.wrap(new byte[] {1}));
                for (Thread t : threads) t.join(10_000);
                for (Thread t : threads) assertFalse(t.isAlive());
            } finally {
                for (SocketChannel[] pr : pairs) { pr[0].close(); pr[1].close(); }
            }
        }
    }

    private static long openDescriptors() throws IOException {
        try (Stream<?> s = Files.list(Paths.get("/proc/self/fd"))) {
            return s.count();
        }
    }
}
