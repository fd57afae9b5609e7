package io.edgewise.bench.jmh;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;

/** Both providers in one JVM, chosen by a JMH {@code @Param}, and connected loopback pairs made by them. */
final class Providers {
    private Providers() { }

    static SelectorProvider get(String name) throws Exception {
        switch (name) {
            case "jdk":
                return (SelectorProvider) Class.forName("sun.nio.ch.DefaultSelectorProvider")
                        .getMethod("get").invoke(null);
            case "edgewise":
                return (SelectorProvider) Class.forName("io.edgewise.EdgewiseSelectorProvider")
                        .getConstructor().newInstance();
            default:
                throw new IllegalArgumentException(name);
        }
    }

    /** A connected loopback pair {client, server-side}, both non-blocking, both from {@code p}. */
    static SocketChannel[] pair(SelectorProvider p, ServerSocketChannel listener) throws IOException {
        SocketChannel a = p.openSocketChannel();
        a.connect(listener.getLocalAddress());
        SocketChannel b = listener.accept();
        if (a.provider() != p || b.provider() != p) {
            throw new IllegalStateException("channels not from provider " + p.getClass().getName());
        }
        a.setOption(StandardSocketOptions.TCP_NODELAY, true);
        b.setOption(StandardSocketOptions.TCP_NODELAY, true);
        a.configureBlocking(false);
        b.configureBlocking(false);
        return new SocketChannel[] {a, b};
    }

    static ServerSocketChannel listener(SelectorProvider p) throws IOException {
        ServerSocketChannel ss = p.openServerSocketChannel();
        ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 512);
        return ss;
    }
}
