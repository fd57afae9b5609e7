package io.edgewise.regression;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * A connected loopback pair of one provider: {@code client} opened first (so it takes the lowest free
 * descriptor number), {@code peer} accepted. Both blocking until a test says otherwise. Not thread-safe.
 */
final class Pair implements AutoCloseable {
    final SocketChannel client;
    final SocketChannel peer;

    private Pair(SocketChannel client, SocketChannel peer) {
        this.client = client;
        this.peer = peer;
    }

    static ServerSocketChannel listen(SelectorProvider p) throws IOException {
        ServerSocketChannel ssc = p.openServerSocketChannel();
        ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        return ssc;
    }

    static Pair open(SelectorProvider p, ServerSocketChannel ssc) throws IOException {
        SocketChannel c = p.openSocketChannel();
        try {
            assertTrue(c.connect(ssc.getLocalAddress()), "blocking connect");
            SocketChannel s = ssc.accept();
            assertNotNull(s, "accept");
            return new Pair(c, s);
        } catch (IOException | RuntimeException | Error e) {
            c.close();
            throw e;
        }
    }

    /** Writes {@code n} bytes of {@code value} (blocking channel). */
    static void send(SocketChannel ch, int n, byte value) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) b.put(value);
        b.flip();
        while (b.hasRemaining()) ch.write(b);
    }

    /** Selects (up to 10 s) until {@code key} is in the selected-key set with {@code ops} ready. */
    static boolean awaitSelected(Selector sel, SelectionKey key, int ops) throws IOException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            sel.select(100);
            if (sel.selectedKeys().contains(key) && (key.readyOps() & ops) == ops) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        try {
            client.close();
        } finally {
            peer.close();
        }
    }
}
