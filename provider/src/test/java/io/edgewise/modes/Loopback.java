package io.edgewise.modes;

import io.edgewise.EdgewiseSelector;
import io.edgewise.EdgewiseSelectorProvider;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/** A connected loopback pair on Edgewise for the mode tests; closes everything it made. */
final class Loopback implements AutoCloseable {
    static final EdgewiseSelectorProvider PROVIDER = new EdgewiseSelectorProvider();

    final ServerSocketChannel server;
    final SocketChannel client;
    final SocketChannel accepted;

    Loopback() throws IOException {
        server = PROVIDER.openServerSocketChannel();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client = PROVIDER.openSocketChannel();
        client.connect(server.getLocalAddress());
        accepted = server.accept();
    }

    static EdgewiseSelector selector() throws IOException {
        return (EdgewiseSelector) PROVIDER.openSelector();
    }

    static SocketChannel connect(java.net.SocketAddress remote) throws IOException {
        SocketChannel c = PROVIDER.openSocketChannel();
        c.connect(remote);
        return c;
    }

    static void send(SocketChannel ch, int bytes) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(bytes);
        while (b.hasRemaining()) ch.write(b);
    }

    /** Fills the send buffer of a non-blocking channel until write returns 0; returns bytes written. */
    static long fill(SocketChannel ch) throws IOException {
        ByteBuffer b = ByteBuffer.allocateDirect(64 * 1024);
        long total = 0;
        int n;
        while ((n = ch.write(b.clear())) > 0) total += n;
        return total;
    }

    @Override
    public void close() throws IOException {
        accepted.close();
        client.close();
        server.close();
    }
}
