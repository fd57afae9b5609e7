package io.edgewise.conformance;

import java.net.ProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;

/** Stands in for a provider whose constructor threw: every factory method rethrows that failure. */
final class BrokenProvider extends SelectorProvider {
    private final Throwable cause;

    BrokenProvider(Throwable cause) {
        this.cause = cause;
    }

    private IllegalStateException fail() {
        return new IllegalStateException("Edgewise provider could not be constructed", cause);
    }

    @Override public DatagramChannel openDatagramChannel() { throw fail(); }
    @Override public DatagramChannel openDatagramChannel(ProtocolFamily family) { throw fail(); }
    @Override public Pipe openPipe() { throw fail(); }
    @Override public AbstractSelector openSelector() { throw fail(); }
    @Override public ServerSocketChannel openServerSocketChannel() { throw fail(); }
    @Override public SocketChannel openSocketChannel() { throw fail(); }
    @Override public SocketChannel openSocketChannel(ProtocolFamily family) { throw fail(); }
    @Override public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) { throw fail(); }
}
