package io.edgewise;

import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;

/** Placeholder while the foundation lands; replaced by the real provider. */
public class EdgewiseSelectorProvider extends SelectorProvider {
    public EdgewiseSelectorProvider() { }
    @Override public DatagramChannel openDatagramChannel() { throw new UnsupportedOperationException(); }
    @Override public DatagramChannel openDatagramChannel(java.net.ProtocolFamily f) { throw new UnsupportedOperationException(); }
    @Override public Pipe openPipe() throws IOException { throw new UnsupportedOperationException(); }
    @Override public AbstractSelector openSelector() throws IOException { throw new UnsupportedOperationException(); }
    @Override public ServerSocketChannel openServerSocketChannel() throws IOException { throw new UnsupportedOperationException(); }
    @Override public SocketChannel openSocketChannel() throws IOException { throw new UnsupportedOperationException(); }
}
