package io.edgewise.it.app;

import io.edgewise.it.lib.Greeting;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * An application that knows nothing of Edgewise: echoes one message over loopback through a selector
 * and prints which provider served it. Uses a class from a jar named by its own Class-Path entry.
 */
public final class EchoApp {
    public static void main(String[] args) throws Exception {
        String msg = Greeting.text();
        try (Selector sel = Selector.open();
             ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (SocketChannel client = SocketChannel.open(server.getLocalAddress());
                 SocketChannel accepted = server.accept()) {
                accepted.configureBlocking(false);
                accepted.register(sel, SelectionKey.OP_READ);
                client.write(ByteBuffer.wrap(msg.getBytes("UTF-8")));
                ByteBuffer in = ByteBuffer.allocate(64);
                while (in.position() < msg.length()) {
                    sel.select(5000);
                    sel.selectedKeys().clear();
                    accepted.read(in);
                }
                System.out.println("echo: " + new String(in.array(), 0, in.position(), "UTF-8"));
            }
            System.out.println("provider: " + SelectorProvider.provider().getClass().getName());
            System.out.println("selector: " + sel.getClass().getName());
        }
    }
}
