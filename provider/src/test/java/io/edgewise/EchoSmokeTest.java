package io.edgewise;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Iterator;
import org.junit.jupiter.api.Test;

/** A non-blocking echo through one Edgewise selector, and a blocking client against it. */
class EchoSmokeTest {
    @Test
    void providerFromServiceLoaderIsEdgewise() {
        assertEquals(EdgewiseSelectorProvider.class, SelectorProvider.provider().getClass());
    }

    @Test
    void echoThroughSelector() throws Exception {
        SelectorProvider p = new EdgewiseSelectorProvider();
        try (Selector sel = p.openSelector();
             ServerSocketChannel server = p.openServerSocketChannel()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.configureBlocking(false);
            server.register(sel, SelectionKey.OP_ACCEPT);
            assertInstanceOf(EdgewiseSelector.class, sel);

            try (SocketChannel client = p.openSocketChannel()) {
                client.connect(server.getLocalAddress()); // blocking connect
                assertTrue(client.isConnected());
                byte[] msg = "hello edgewise".getBytes();
                client.write(ByteBuffer.wrap(msg));
                ByteBuffer back = ByteBuffer.allocate(msg.length);
                long deadline = System.nanoTime() + 10_000_000_000L;
                Thread reader = new Thread(() -> {
                    try {
                        while (back.hasRemaining()) {
                            if (client.read(back) < 0) break;
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                reader.start();
                while (reader.isAlive() && System.nanoTime() < deadline) {
                    sel.select(100);
                    Iterator<SelectionKey> it = sel.selectedKeys().iterator();
                    while (it.hasNext()) {
                        SelectionKey k = it.next();
                        it.remove();
                        if (k.isAcceptable()) {
                            SocketChannel c = server.accept();
                            c.configureBlocking(false);
                            c.register(sel, SelectionKey.OP_READ);
                        } else if (k.isReadable()) {
                            SocketChannel c = (SocketChannel) k.channel();
                            ByteBuffer b = ByteBuffer.allocateDirect(64);
                            int n = c.read(b);
                            if (n < 0) { k.cancel(); c.close(); continue; }
                            b.flip();
                            c.write(b);
                        }
                    }
                }
                reader.join(1000);
                assertArrayEquals(msg, back.array());
            }
        }
    }
}
