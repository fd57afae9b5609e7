package io.edgewise.conformance;

import static java.nio.channels.SelectionKey.OP_CONNECT;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ConnectionPendingException;
import java.nio.channels.NoConnectionPendingException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Timeout;

/**
 * Channel behaviour with explicit expected values (the differential suite compares providers; this
 * states what both must do): data integrity over IPv4 and IPv6 in blocking and selector-driven
 * non-blocking mode with every buffer kind, the connect/finishConnect life cycle, wildcard connect,
 * socket options including Linux's extended ones, socket adaptors, pipes.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ChannelContractTest {
    private static final int VOLUME = 4 << 20;

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @FamilyTest
    void blockingTransferBothDirectionsWithEveryBufferKind(SelectorProvider p, ProtocolFamily f) throws Exception {
        byte[] up = random(VOLUME, 1);
        byte[] down = random(VOLUME, 2);
        try (Net.Conn c = Net.connect(p, f)) {
            CompletableFuture<byte[]> serverGot = CompletableFuture.supplyAsync(() -> {
                try {
                    // the server sends while it receives, so neither side can deadlock on full buffers
                    Thread sender = new Thread(() -> {
                        try {
                            ByteBuffer[] parts = {ByteBuffer.wrap(down, 0, 1000),
                                ByteBuffer.allocateDirect(VOLUME - 1000).put(down, 1000, VOLUME - 1000).flip()};
                            long n = 0;
                            while (n < VOLUME) {
                                n += c.server.write(parts);
                            }
                        } catch (IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    });
                    sender.start();
                    ByteBuffer got = ByteBuffer.allocate(VOLUME);
                    ByteBuffer chunk = ByteBuffer.allocateDirect(50_000);
                    while (got.hasRemaining()) {
                        chunk.clear().limit(Math.min(chunk.capacity(), got.remaining()));
                        int r = c.server.read(chunk);
                        assertTrue(r >= 0, "early EOF");
                        got.put(chunk.flip());
                    }
                    sender.join();
                    return got.array();
                } catch (IOException | InterruptedException e) {
                    throw new RuntimeException(e);
                }
            });
            // client: heap, direct, read-only and sliced sources
            int q = VOLUME / 4;
            ByteBuffer heap = ByteBuffer.wrap(up, 0, q);
            ByteBuffer direct = ByteBuffer.allocateDirect(q).put(up, q, q).flip();
            ByteBuffer readOnly = ByteBuffer.wrap(up, 2 * q, q).slice().asReadOnlyBuffer();
            ByteBuffer sliced = ByteBuffer.wrap(up).position(3 * q).slice();
            ByteBuffer[] srcs = {heap, direct, readOnly, sliced};
            Thread writer = new Thread(() -> {
                try {
                    for (ByteBuffer b : srcs) {
                        while (b.hasRemaining()) {
                            c.client.write(b);
                        }
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            // client reads into a scattering set with offset/length
            ByteBuffer[] dsts = {ByteBuffer.allocate(7), ByteBuffer.allocate(VOLUME / 2),
                ByteBuffer.allocateDirect(VOLUME - VOLUME / 2), ByteBuffer.allocate(9)};
            long total = 0;
            while (total < VOLUME) {
                long r = c.client.read(dsts, 1, 2);
                assertTrue(r >= 0, "early EOF");
                total += r;
            }
            assertEquals(0, dsts[0].position(), "buffer before offset untouched");
            assertEquals(0, dsts[3].position(), "buffer after offset+length untouched");
            ByteBuffer all = ByteBuffer.allocate(VOLUME).put(dsts[1].flip()).put(dsts[2].flip());
            assertArrayEquals(down, all.array());
            writer.join(20_000);
            assertArrayEquals(up, serverGot.get(20, TimeUnit.SECONDS));
        }
    }

    @FamilyTest
    void nonBlockingTransferDrivenBySelector(SelectorProvider p, ProtocolFamily f) throws Exception {
        byte[] data = random(VOLUME, 3);
        try (Selector sel = p.openSelector(); ServerSocketChannel ssc = Net.listen(p, f, 10);
             SocketChannel c = p.openSocketChannel(f)) {
            ssc.configureBlocking(false);
            c.configureBlocking(false);
            SelectionKey ka = ssc.register(sel, SelectionKey.OP_ACCEPT);
            SelectionKey kc = c.register(sel, OP_CONNECT);
            boolean connected = c.connect(ssc.getLocalAddress());
            assertTrue(connected || c.isConnectionPending());
            SocketChannel s = null;
            ByteBuffer out = ByteBuffer.wrap(data);
            ByteBuffer in = ByteBuffer.allocate(VOLUME);
            long deadline = System.nanoTime() + 20_000_000_000L;
            if (connected) {
                kc.interestOps(OP_WRITE);
            }
            while (in.hasRemaining() && System.nanoTime() < deadline) {
                sel.select(1000);
                for (SelectionKey k : sel.selectedKeys()) {
                    if (k == ka && k.isAcceptable()) {
                        s = ssc.accept();
                        assertNotNull(s);
                        s.configureBlocking(false);
                        s.register(sel, OP_READ);
                    } else if (k == kc && k.isConnectable()) {
                        assertTrue(c.finishConnect());
                        assertFalse(c.isConnectionPending());
                        assertTrue(c.isConnected());
                        kc.interestOps(OP_WRITE);
                    } else if (k == kc && k.isWritable()) {
                        c.write(out);
                        if (!out.hasRemaining()) {
                            c.shutdownOutput();
                            kc.interestOps(0);
                        }
                    } else if (k.isReadable()) {
                        int r = ((SocketChannel) k.channel()).read(in);
                        assertTrue(r >= 0 || !in.hasRemaining());
                    }
                }
                sel.selectedKeys().clear();
            }
            assertFalse(in.hasRemaining(), "all data received");
            assertArrayEquals(data, in.array());
            assertNotNull(s);
            s.keyFor(sel).cancel();
            sel.selectNow();
            s.configureBlocking(true);
            assertEquals(-1, s.read(ByteBuffer.allocate(1)), "EOF after shutdownOutput");
            s.close();
        }
    }

    @FamilyTest
    void connectLifecycle(SelectorProvider p, ProtocolFamily f) throws Exception {
        try (Net.FullListener full = new Net.FullListener(p, f); SocketChannel c = p.openSocketChannel(f)) {
            assertFalse(c.isConnectionPending());
            assertThrows(NoConnectionPendingException.class, c::finishConnect);
            c.configureBlocking(false);
            assertFalse(c.connect(full.address()));
            assertTrue(c.isConnectionPending());
            assertFalse(c.isConnected());
            assertThrows(ConnectionPendingException.class, () -> c.connect(full.address()));
            assertFalse(c.finishConnect());
            assertEquals(full.address(), c.getRemoteAddress());
        }
        try (ServerSocketChannel ssc = Net.listen(p, f, 10); SocketChannel c = p.openSocketChannel(f)) {
            assertTrue(c.connect(ssc.getLocalAddress()), "blocking connect completes");
            assertTrue(c.isConnected());
            assertTrue(c.finishConnect());
            assertEquals(ssc.getLocalAddress(), c.getRemoteAddress());
            InetSocketAddress local = (InetSocketAddress) c.getLocalAddress();
            assertTrue(local.getAddress().isLoopbackAddress());
            assertTrue(local.getPort() > 0);
            try (SocketChannel s = ssc.accept()) {
                assertEquals(local, s.getRemoteAddress());
                assertEquals(ssc.getLocalAddress(), s.getLocalAddress());
            }
        }
    }

    @FamilyTest
    void connectToWildcardGoesToLoopback(SelectorProvider p, ProtocolFamily f) throws Exception {
        try (ServerSocketChannel ssc = Net.listen(p, f, 10); SocketChannel c = p.openSocketChannel(f)) {
            int port = Net.local(ssc).getPort();
            assertTrue(c.connect(new InetSocketAddress(Net.wildcard(f), port)));
            InetSocketAddress remote = (InetSocketAddress) c.getRemoteAddress();
            assertEquals(Net.loopback(f), remote.getAddress());
            assertEquals(port, remote.getPort());
            try (SocketChannel s = ssc.accept()) {
                c.write(Net.bytes("w"));
                assertEquals(Net.bytes("w"), Net.readFully(s, 1));
            }
        }
    }

    @FamilyTest
    void addressFamilies(SelectorProvider p, ProtocolFamily f) throws Exception {
        try (SocketChannel c = p.openSocketChannel(f); ServerSocketChannel ssc = p.openServerSocketChannel(f)) {
            assertNull(c.getLocalAddress());
            assertNull(ssc.getLocalAddress());
            c.bind(null);
            ssc.bind(null);
            Class<?> expected = f == StandardProtocolFamily.INET ? Inet4Address.class : Inet6Address.class;
            assertInstanceOf(expected, ((InetSocketAddress) c.getLocalAddress()).getAddress());
            assertTrue(((InetSocketAddress) ssc.getLocalAddress()).getAddress().isAnyLocalAddress());
        }
    }

    @FamilyTest
    void socketOptionsRoundTrip(SelectorProvider p, ProtocolFamily f) throws Exception {
        try (Net.Conn c = Net.connect(p, f)) {
            SocketChannel ch = c.client;
            Set<String> names = ch.supportedOptions().stream().map(SocketOption::name).collect(Collectors.toSet());
            for (String n : new String[] {"SO_RCVBUF", "SO_SNDBUF", "SO_REUSEADDR", "SO_REUSEPORT", "SO_KEEPALIVE",
                "SO_LINGER", "TCP_NODELAY", "IP_TOS", "TCP_KEEPIDLE", "TCP_KEEPINTERVAL", "TCP_KEEPCOUNT"}) {
                assertTrue(names.contains(n), n + " supported");
            }
            for (SocketOption<Boolean> o : java.util.List.of(StandardSocketOptions.SO_REUSEADDR,
                    StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.SO_KEEPALIVE,
                    StandardSocketOptions.TCP_NODELAY)) {
                ch.setOption(o, true);
                assertTrue(ch.getOption(o), o.name());
                ch.setOption(o, false);
                assertFalse(ch.getOption(o), o.name());
            }
            // TCP_QUICKACK is Linux's: checked where the provider runs Linux's socket layer
            org.junit.jupiter.api.Assumptions.assumingThat(!io.edgewise.testing.SocketLayer.posix(), () -> {
                assertTrue(names.contains("TCP_QUICKACK"), "TCP_QUICKACK supported");
                ch.setOption(ExtendedSocketOptions.TCP_QUICKACK, true);
                assertTrue(ch.getOption(ExtendedSocketOptions.TCP_QUICKACK));
                ch.setOption(ExtendedSocketOptions.TCP_QUICKACK, false);
                assertFalse(ch.getOption(ExtendedSocketOptions.TCP_QUICKACK));
            });
            ch.setOption(StandardSocketOptions.SO_LINGER, 5);
            assertEquals(5, ch.getOption(StandardSocketOptions.SO_LINGER));
            ch.setOption(StandardSocketOptions.SO_LINGER, -1);
            assertEquals(-1, ch.getOption(StandardSocketOptions.SO_LINGER));
            ch.setOption(StandardSocketOptions.SO_RCVBUF, 65536);
            assertTrue(ch.getOption(StandardSocketOptions.SO_RCVBUF) >= 65536);
            ch.setOption(StandardSocketOptions.SO_SNDBUF, 65536);
            assertTrue(ch.getOption(StandardSocketOptions.SO_SNDBUF) >= 65536);
            ch.setOption(StandardSocketOptions.IP_TOS, 0x10);
            assertEquals(0x10, ch.getOption(StandardSocketOptions.IP_TOS));
            ch.setOption(ExtendedSocketOptions.TCP_KEEPIDLE, 77);
            assertEquals(77, ch.getOption(ExtendedSocketOptions.TCP_KEEPIDLE));
            ch.setOption(ExtendedSocketOptions.TCP_KEEPINTERVAL, 11);
            assertEquals(11, ch.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL));
            ch.setOption(ExtendedSocketOptions.TCP_KEEPCOUNT, 3);
            assertEquals(3, ch.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT));
            assertThrows(IllegalArgumentException.class, () -> ch.setOption(StandardSocketOptions.SO_RCVBUF, -5));
            assertThrows(UnsupportedOperationException.class,
                    () -> ch.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, true));
            // options are per socket: the peer is unaffected
            assertEquals(-1, c.server.getOption(StandardSocketOptions.SO_LINGER));
        }
        try (ServerSocketChannel ssc = p.openServerSocketChannel(f)) {
            assertTrue(ssc.getOption(StandardSocketOptions.SO_REUSEADDR), "server sockets default to SO_REUSEADDR");
            ssc.setOption(StandardSocketOptions.SO_RCVBUF, 32768);
            assertTrue(ssc.getOption(StandardSocketOptions.SO_RCVBUF) >= 32768);
            ssc.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            assertTrue(ssc.getOption(StandardSocketOptions.SO_REUSEPORT));
        }
    }

    @FamilyTest
    void socketAdaptors(SelectorProvider p, ProtocolFamily f) throws Exception {
        try (ServerSocketChannel ssc = p.openServerSocketChannel(f); SocketChannel c = p.openSocketChannel(f)) {
            ServerSocket ss = ssc.socket();
            Socket s = c.socket();
            assertNull(ss.getLocalSocketAddress(), "unbound server adaptor");
            assertNull(s.getLocalSocketAddress(), "unbound socket adaptor");
            assertFalse(ss.isBound());
            assertFalse(s.isBound());
            ss.bind(new InetSocketAddress(Net.loopback(f), 0));
            assertTrue(ss.isBound());
            assertEquals(ssc.getLocalAddress(), ss.getLocalSocketAddress());
            ss.setSoTimeout(30);
            assertThrows(SocketTimeoutException.class, ss::accept);
            assertTrue(ssc.isOpen(), "a timed-out accept leaves the channel open");
            s.connect(ss.getLocalSocketAddress(), 5_000);
            assertTrue(s.isConnected());
            assertEquals(c.getLocalAddress(), s.getLocalSocketAddress());
            ss.setSoTimeout(5_000);
            try (Socket peer = ss.accept()) {
                assertNotNull(peer.getChannel());
                assertSame(p, peer.getChannel().provider());
                OutputStream out = s.getOutputStream();
                out.write(new byte[] {1, 2, 3});
                InputStream in = peer.getInputStream();
                byte[] b = new byte[3];
                int n = 0;
                while (n < 3) {
                    n += in.read(b, n, 3 - n);
                }
                assertArrayEquals(new byte[] {1, 2, 3}, b);
                peer.setSoTimeout(30);
                assertThrows(SocketTimeoutException.class, in::read);
                assertTrue(peer.getChannel().isOpen(), "a timed-out read leaves the channel open");
                out.write(9);
                assertEquals(9, in.read(), "reads work after a timeout");
                s.shutdownOutput();
                assertTrue(s.isOutputShutdown());
                assertEquals(-1, in.read());
                peer.shutdownInput();
                assertTrue(peer.isInputShutdown());
                s.setTcpNoDelay(true);
                assertTrue(c.getOption(StandardSocketOptions.TCP_NODELAY), "adaptor option reaches the channel");
                s.setSoLinger(true, 4);
                assertEquals(4, c.getOption(StandardSocketOptions.SO_LINGER));
                s.setKeepAlive(true);
                assertTrue(s.getKeepAlive());
                s.setReceiveBufferSize(40_000);
                assertTrue(s.getReceiveBufferSize() >= 40_000);
            }
            s.close();
            assertFalse(c.isOpen(), "closing the adaptor closes the channel");
            assertTrue(s.isClosed());
        }
    }

    @ProviderTest
    void pipeTransfer(SelectorProvider p) throws Exception {
        Pipe pipe = p.openPipe();
        try (Pipe.SourceChannel src = pipe.source(); Pipe.SinkChannel sink = pipe.sink()) {
            assertSame(p, src.provider());
            assertSame(p, sink.provider());
            byte[] data = random(1 << 20, 4);
            Thread writer = new Thread(() -> {
                try {
                    ByteBuffer b = ByteBuffer.wrap(data);
                    while (b.hasRemaining()) {
                        sink.write(new ByteBuffer[] {b});
                    }
                    sink.close();
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            writer.start();
            ByteBuffer got = ByteBuffer.allocate(data.length + 1);
            ByteBuffer chunk = ByteBuffer.allocateDirect(7_777);
            int r;
            while ((r = src.read(chunk.clear())) >= 0) {
                got.put(chunk.flip());
                assertTrue(r > 0, "blocking read returns data or EOF");
            }
            writer.join(10_000);
            assertEquals(data.length, got.position());
            assertArrayEquals(data, java.util.Arrays.copyOf(got.array(), data.length));
        }
    }
}
