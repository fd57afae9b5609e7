package io.edgewise.uring;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.backend.Backends;
import io.edgewise.backend.uring.UringSupport;
import io.edgewise.conformance.Providers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * io_uring level 2 (completion I/O) through the public API: a selector server on Edgewise whose accepted
 * channels read from the ring. Runs only with {@code -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true}
 * (skipped otherwise, like the level-1 selector tests), e.g.
 * {@code mvn -o -pl provider test -Dtest='UringCompletionIoTest' -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true}.
 */
@Timeout(120)
class UringCompletionIoTest {
    static final SelectorProvider P = Providers.edgewise();

    @BeforeEach
    void levelTwo() {
        assumeLevelTwo();
    }

    static void assumeLevelTwo() {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "io_uring is Linux only");
        Assumptions.assumeTrue(Backends.name().equals("io_uring") && UringSupport.ioEnabled(),
                "needs -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true (" + Backends.name() + ", level 2 "
                        + UringSupport.ioEnabled() + ")");
    }

    /** Whether the channel's reads are served by a ring (its input is installed). */
    static boolean served(SocketChannel ch) throws Exception {
        Class<?> c = ch.getClass();
        while (!c.getSimpleName().equals("StreamSocketChannel")) c = c.getSuperclass();
        java.lang.reflect.Field f = c.getDeclaredField("input");
        f.setAccessible(true);
        Object in = f.get(ch);
        return in != null && in.getClass().getSimpleName().equals("UringStream");
    }

    /**
     * An echo server on one Edgewise selector: every accepted channel echoes what it reads (pending bytes kept
     * with OP_WRITE when the peer is slow). Runs until closed.
     */
    static final class EchoServer implements AutoCloseable {
        final Selector sel;
        final ServerSocketChannel server;
        final Thread thread;
        final List<SocketChannel> accepted = java.util.Collections.synchronizedList(new ArrayList<>());
        volatile Throwable failure;
        volatile boolean stop;

        EchoServer() throws IOException {
            sel = P.openSelector();
            server = P.openServerSocketChannel();
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.configureBlocking(false);
            server.register(sel, SelectionKey.OP_ACCEPT);
            thread = new Thread(this::run, "echo-server");
            thread.start();
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) server.getLocalAddress();
        }

        private void run() {
            ByteBuffer buf = ByteBuffer.allocateDirect(65536);
            try {
                while (!stop) {
                    sel.select(200);
                    for (SelectionKey k : sel.selectedKeys()) {
                        if (!k.isValid()) continue;
                        if (k.isAcceptable()) {
                            SocketChannel c = server.accept();
                            if (c == null) continue;
                            c.configureBlocking(false);
                            accepted.add(c);
                            c.register(sel, SelectionKey.OP_READ, null);
                            continue;
                        }
                        SocketChannel c = (SocketChannel) k.channel();
                        ByteBuffer pending = (ByteBuffer) k.attachment();
                        if (pending != null && k.isWritable()) {
                            c.write(pending);
                            if (!pending.hasRemaining()) {
                                k.attach(null);
                                k.interestOps(SelectionKey.OP_READ);
                            }
                            continue;
                        }
                        if (k.isReadable() && pending == null) {
                            buf.clear();
                            int n = c.read(buf);
                            if (n < 0) {
                                c.close();
                                continue;
                            }
                            buf.flip();
                            c.write(buf);
                            if (buf.hasRemaining()) {
                                ByteBuffer rest = ByteBuffer.allocate(buf.remaining());
                                rest.put(buf).flip();
                                k.attach(rest);
                                k.interestOps(SelectionKey.OP_WRITE);
                            }
                        }
                    }
                    sel.selectedKeys().clear();
                }
            } catch (Throwable t) {
                failure = t;
            }
        }

        @Override
        public void close() throws Exception {
            stop = true;
            sel.wakeup();
            thread.join(10_000);
            sel.close();
            server.close();
            synchronized (accepted) {
                for (SocketChannel c : accepted) c.close();
            }
            if (failure != null) throw new AssertionError("server failed", failure);
        }
    }

    /** Sends {@code data} through a JDK blocking socket and reads the echo back; returns what came back. */
    static byte[] echo(InetSocketAddress to, byte[] data) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(to, 10_000);
            s.setSoTimeout(30_000);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    for (int off = 0; off < data.length; off += 7919) {
                        out.write(data, off, Math.min(7919, data.length - off));
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            byte[] back = new byte[data.length];
            int got = 0;
            while (got < back.length) {
                int n = in.read(back, got, back.length - got);
                if (n < 0) break;
                got += n;
            }
            writer.get(30, TimeUnit.SECONDS);
            assertEquals(data.length, got, "bytes echoed");
            return back;
        }
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void tenMegabytesEchoThroughTheRingInOrder() throws Exception {
        try (EchoServer srv = new EchoServer()) {
            byte[] data = random(10 << 20, 21);
            assertArrayEquals(data, echo(srv.address(), data));
            assertTrue(served(srv.accepted.get(0)), "the accepted channel read from the ring (level 2)");
        }
    }

    @Test
    void manyConnectionsAtOnce() throws Exception {
        try (EchoServer srv = new EchoServer()) {
            List<CompletableFuture<Void>> all = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                int seed = i;
                all.add(CompletableFuture.runAsync(() -> {
                    try {
                        byte[] data = random(200_000 + seed * 977, seed);
                        assertArrayEquals(data, echo(srv.address(), data));
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                }, r -> new Thread(r).start()));
            }
            CompletableFuture.allOf(all.toArray(new CompletableFuture[0])).get(100, TimeUnit.SECONDS);
            synchronized (srv.accepted) {
                assertEquals(40, srv.accepted.size());
            }
        }
    }
}
