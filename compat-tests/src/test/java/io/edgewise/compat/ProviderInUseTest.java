package io.edgewise.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;

import org.junit.jupiter.api.Test;

/** Makes the provider check visible as a test of its own (the guard also runs before every class). */
class ProviderInUseTest {
    @Test
    void jvmAndNettyUseTheExpectedProvider() {
        assertEquals("", ProviderGuard.check());
    }

    @Test
    void everyKindOfChannelComesFromTheExpectedProvider() throws Exception {
        String expected = ProviderGuard.expectedProviderClass();
        assertEquals(expected, SelectorProvider.provider().getClass().getName());
        try (Selector selector = Selector.open();
             SocketChannel socket = SocketChannel.open();
             ServerSocketChannel server = ServerSocketChannel.open();
             DatagramChannel datagram = DatagramChannel.open();
             DatagramChannel datagram4 = DatagramChannel.open(StandardProtocolFamily.INET);
             // Netty probes IPv6 this way; an UnsupportedOperationException silently drops whole classes.
             DatagramChannel datagram6 = DatagramChannel.open(StandardProtocolFamily.INET6)) {
            Pipe pipe = Pipe.open();
            try (Pipe.SourceChannel source = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
                assertEquals(expected, source.provider().getClass().getName());
                assertEquals(expected, sink.provider().getClass().getName());
            }
            assertEquals(expected, selector.provider().getClass().getName());
            assertEquals(expected, socket.provider().getClass().getName());
            assertEquals(expected, server.provider().getClass().getName());
            assertEquals(expected, datagram.provider().getClass().getName());
            assertEquals(expected, datagram4.provider().getClass().getName());
            assertEquals(expected, datagram6.provider().getClass().getName());
        }
    }
}
