package io.edgewise.conformance;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Loopback helpers shared by the conformance tests. Stateless; safe from any thread. */
final class Net {
    static final InetAddress LOOPBACK4 = addr("127.0.0.1");
    static final InetAddress LOOPBACK6 = addr("::1");

    private Net() { }

    static InetAddress addr(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static InetAddress loopback(ProtocolFamily family) {
        return family == StandardProtocolFamily.INET6 ? LOOPBACK6 : LOOPBACK4;
    }

    static InetAddress wildcard(ProtocolFamily family) {
        return family == StandardProtocolFamily.INET6 ? addr("::") : addr("0.0.0.0");
    }

    /** A server channel of {@code p} bound to the loopback address of {@code family}, ephemeral port. */
    static ServerSocketChannel listen(SelectorProvider p, ProtocolFamily family, int backlog) throws IOException {
        ServerSocketChannel ssc = p.openServerSocketChannel(family);
        try {
            ssc.bind(new InetSocketAddress(loopback(family), 0), backlog);
            return ssc;
        } catch (IOException | RuntimeException e) {
            ssc.close();
            throw e;
        }
    }

    static ServerSocketChannel listen(SelectorProvider p) throws IOException {
        return listen(p, StandardProtocolFamily.INET, 50);
    }

    static InetSocketAddress local(ServerSocketChannel ssc) throws IOException {
        return (InetSocketAddress) ssc.getLocalAddress();
    }

    /** A connected pair: client from {@code p.openSocketChannel(family)}, server side accepted. Both blocking. */
    static final class Conn implements Closeable {
        final SocketChannel client;
        final SocketChannel server;

        Conn(SocketChannel client, SocketChannel server) {
            this.client = client;
            this.server = server;
        }

        @Override
        public void close() {
            closeQuietly(client, server);
        }
    }

    static Conn connect(SelectorProvider p, ProtocolFamily family) throws IOException {
        try (ServerSocketChannel ssc = listen(p, family, 1)) {
            return connect(p, family, ssc);
        }
    }

    static Conn connect(SelectorProvider p) throws IOException {
        return connect(p, StandardProtocolFamily.INET);
    }

    static Conn connect(SelectorProvider p, ProtocolFamily family, ServerSocketChannel ssc) throws IOException {
        SocketChannel c = p.openSocketChannel(family);
        try {
            assertTrue(c.connect(ssc.getLocalAddress()), "blocking connect returns true");
            SocketChannel s = ssc.accept();
            assertNotNull(s, "accept");
            return new Conn(c, s);
        } catch (IOException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    /**
     * A listener whose accept queue is full, so that further connects to it stay pending (SYNs dropped;
     * Linux with tcp_abort_on_overflow=0). Closing it closes the fillers too.
     */
    static final class FullListener implements Closeable {
        final ServerSocketChannel ssc;
        final List<SocketChannel> fillers = new ArrayList<>();

        FullListener(SelectorProvider p, ProtocolFamily family) throws IOException {
            ssc = listen(p, family, 1);
            try {
                for (int i = 0; i < 4; i++) {
                    SocketChannel c = p.openSocketChannel(family);
                    fillers.add(c);
                    c.configureBlocking(false);
                    c.connect(ssc.getLocalAddress());
                }
            } catch (IOException | RuntimeException e) {
                close();
                throw e;
            }
        }

        InetSocketAddress address() throws IOException {
            return (InetSocketAddress) ssc.getLocalAddress();
        }

        @Override
        public void close() {
            closeQuietly(fillers.toArray(new Closeable[0]));
            closeQuietly(ssc);
        }
    }

    static void closeQuietly(Closeable... cs) {
        for (Closeable c : cs) {
            if (c != null) {
                try {
                    c.close();
                } catch (IOException ignore) {
                    // best effort in cleanup
                }
            }
        }
    }

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    }

    /** Writes all of {@code src} (blocking channel). */
    static void writeFully(SocketChannel ch, ByteBuffer src) throws IOException {
        while (src.hasRemaining()) {
            ch.write(src);
        }
    }

    /** Reads exactly {@code n} bytes from a blocking channel; fails on early EOF. */
    static ByteBuffer readFully(java.nio.channels.ReadableByteChannel ch, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) {
                fail("EOF after " + b.position() + " of " + n + " bytes");
            }
        }
        return b.flip();
    }

    /** Selects (up to 5 s in total) until {@code key} is selected with {@code ops} ready. */
    static void awaitReady(Selector sel, SelectionKey key, int ops) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (System.nanoTime() < deadline) {
            sel.select(100);
            if (sel.selectedKeys().contains(key) && (key.readyOps() & ops) == ops) {
                return;
            }
        }
        fail("key not ready for " + ops + " within 5 s");
    }

    /** Number of open descriptors of this process. */
    static int openFds() {
        return io.edgewise.testing.OpenDescriptors.count();
    }

    /** Polls {@code cond} for at most {@code millis}; returns its last value. Not synchronisation: a bounded wait for an observable state. */
    static boolean eventually(BooleanSupplier cond, long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000L;
        while (true) {
            if (cond.getAsBoolean()) {
                return true;
            }
            if (System.nanoTime() > deadline) {
                return false;
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return cond.getAsBoolean();
            }
        }
    }

    /**
     * Waits (bounded) until thread {@code t} is blocked in a call (see {@link io.edgewise.testing.Blocking}).
     * Returns whether it was; callers assert it.
     */
    static boolean awaitBlocked(Thread t) {
        return io.edgewise.testing.Blocking.awaitBlocked(t);
    }
}
