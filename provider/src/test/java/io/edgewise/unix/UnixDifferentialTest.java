package io.edgewise.unix;

import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.AbstractUnixSocketAddress;
import io.edgewise.EdgewiseSocketOptions;
import io.edgewise.PeerCredentials;
import io.edgewise.datagram.TestProviders;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Unix domain socket scenarios on the JDK's provider and on Edgewise, then Edgewise's extensions. */
class UnixDifferentialTest {
    @TempDir
    Path dir;

    static ByteBuffer bytes(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.UTF_8));
    }

    static String str(ByteBuffer b) {
        b.flip();
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return new String(a, StandardCharsets.UTF_8);
    }

    static String readFully(SocketChannel c, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (c.read(b) < 0) break;
        }
        return str(b);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void connectAcceptReadWriteShutdown(String name, SelectorProvider p) throws Exception {
        UnixDomainSocketAddress addr = UnixDomainSocketAddress.of(dir.resolve("s.sock"));
        try (ServerSocketChannel ssc = p.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
            assertNull(ssc.getLocalAddress());
            ssc.bind(addr);
            assertEquals(addr, ssc.getLocalAddress());
            assertTrue(Files.exists(addr.getPath()));
            try (SocketChannel c = p.openSocketChannel(StandardProtocolFamily.UNIX)) {
                assertNull(c.getLocalAddress());
                assertTrue(c.connect(addr));
                assertTrue(c.isConnected());
                assertEquals(addr, c.getRemoteAddress());
                assertEquals(UnixDomainSocketAddress.of(""), c.getLocalAddress());
                try (SocketChannel s = ssc.accept()) {
                    assertTrue(s.isBlocking());
                    assertEquals(addr, s.getLocalAddress());
                    assertEquals(UnixDomainSocketAddress.of(""), s.getRemoteAddress());
                    assertEquals(5, c.write(bytes("hello")));
                    assertEquals("hello", readFully(s, 5));
                    ByteBuffer[] out = {bytes("ab"), ByteBuffer.allocateDirect(2).put((byte) 'c').put((byte) 'd').flip()};
                    assertEquals(4, s.write(out));
                    assertEquals("abcd", readFully(c, 4));
                    s.shutdownOutput();
                    assertEquals(-1, c.read(ByteBuffer.allocate(1)));
                    assertThrows(UnsupportedOperationException.class, s::socket);
                }
            }
            assertThrows(UnsupportedOperationException.class, ssc::socket);
        }
        assertTrue(Files.exists(addr.getPath()), "the socket file stays after close, as on the JDK");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void bindRulesAndBadAddresses(String name, SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = p.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
            ssc.bind(null);
            UnixDomainSocketAddress auto = (UnixDomainSocketAddress) ssc.getLocalAddress();
            assertTrue(auto.getPath().getFileName().toString().startsWith("socket_"), auto.toString());
            assertTrue(Files.exists(auto.getPath()));
            Files.deleteIfExists(auto.getPath());
        }
        try (ServerSocketChannel ssc = p.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
            assertThrows(BindException.class, () -> ssc.bind(UnixDomainSocketAddress.of("")));
        }
        Path taken = dir.resolve("taken.sock");
        try (ServerSocketChannel a = p.openServerSocketChannel(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(taken));
             ServerSocketChannel b = p.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
            assertThrows(BindException.class, () -> b.bind(UnixDomainSocketAddress.of(taken)));
        }
        try (SocketChannel c = p.openSocketChannel(StandardProtocolFamily.UNIX)) {
            c.bind(null);
            assertEquals(UnixDomainSocketAddress.of(""), c.getLocalAddress());
            assertThrows(UnsupportedAddressTypeException.class, () -> c.connect(new InetSocketAddress("127.0.0.1", 1)));
        }
        try (SocketChannel c = p.openSocketChannel(StandardProtocolFamily.UNIX)) {
            IOException e = assertThrows(IOException.class,
                    () -> c.connect(UnixDomainSocketAddress.of(dir.resolve("nobody.sock"))));
            assertEquals(java.net.SocketException.class, e.getClass());
            assertFalse(c.isOpen());
        }
        try (SocketChannel c = p.openSocketChannel(StandardProtocolFamily.UNIX)) {
            String longName = "x".repeat(200);
            assertThrows(java.net.SocketException.class, () -> c.connect(UnixDomainSocketAddress.of(dir.resolve(longName))));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void optionsAndPeerCredentials(String name, SelectorProvider p) throws Exception {
        UnixDomainSocketAddress addr = UnixDomainSocketAddress.of(dir.resolve("o.sock"));
        try (ServerSocketChannel ssc = p.openServerSocketChannel(StandardProtocolFamily.UNIX).bind(addr);
             SocketChannel c = p.openSocketChannel(StandardProtocolFamily.UNIX)) {
            c.connect(addr);
            try (SocketChannel s = ssc.accept()) {
                assertTrue(c.supportedOptions().contains(StandardSocketOptions.SO_SNDBUF));
                assertTrue(c.supportedOptions().contains(StandardSocketOptions.SO_LINGER));
                assertFalse(c.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY));
                assertThrows(UnsupportedOperationException.class, () -> c.setOption(StandardSocketOptions.TCP_NODELAY, true));
                c.setOption(StandardSocketOptions.SO_SNDBUF, 32768);
                assertEquals(32768, c.getOption(StandardSocketOptions.SO_SNDBUF));
                assertEquals(java.util.Set.of(StandardSocketOptions.SO_RCVBUF), ssc.supportedOptions());
                Object cred = s.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
                Object reference;
                try (ServerSocketChannel j = TestProviders.jdk().openServerSocketChannel(StandardProtocolFamily.UNIX).bind(null);
                     SocketChannel jc = TestProviders.jdk().openSocketChannel(StandardProtocolFamily.UNIX)) {
                    jc.connect(j.getLocalAddress());
                    try (SocketChannel js = j.accept()) {
                        reference = js.getOption(jdk.net.ExtendedSocketOptions.SO_PEERCRED);
                    }
                    Files.deleteIfExists(((UnixDomainSocketAddress) j.getLocalAddress()).getPath());
                }
                assertEquals(reference, cred);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void nonBlockingWithSelectorAndAsyncCloseOfAccept(String name, SelectorProvider p) throws Exception {
        UnixDomainSocketAddress addr = UnixDomainSocketAddress.of(dir.resolve("n.sock"));
        try (ServerSocketChannel ssc = p.openServerSocketChannel(StandardProtocolFamily.UNIX).bind(addr);
             Selector sel = p.openSelector();
             SocketChannel c = p.openSocketChannel(StandardProtocolFamily.UNIX)) {
            ssc.configureBlocking(false);
            assertNull(ssc.accept());
            ssc.register(sel, SelectionKey.OP_ACCEPT);
            c.configureBlocking(false);
            c.connect(addr);
            assertTrue(c.finishConnect());
            assertEquals(1, sel.select(2000));
            sel.selectedKeys().clear();
            try (SocketChannel s = ssc.accept()) {
                s.configureBlocking(false);
                SelectionKey k = s.register(sel, SelectionKey.OP_READ);
                assertEquals(0, s.read(ByteBuffer.allocate(4)));
                c.write(bytes("ping"));
                assertEquals(1, sel.select(2000));
                assertTrue(k.isReadable());
                ByteBuffer b = ByteBuffer.allocate(8);
                assertEquals(4, s.read(b));
                assertEquals("ping", str(b));
            }
        }
        try (ServerSocketChannel ssc = p.openServerSocketChannel(StandardProtocolFamily.UNIX).bind(null)) {
            CompletableFuture<Throwable> r = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    ssc.accept();
                    r.complete(null);
                } catch (Throwable e) {
                    r.complete(e);
                }
            });
            t.start();
            TestProviders.awaitBlocked(t);
            Path path = ((UnixDomainSocketAddress) ssc.getLocalAddress()).getPath();
            ssc.close();
            assertEquals(AsynchronousCloseException.class, r.get(5, TimeUnit.SECONDS).getClass());
            Files.deleteIfExists(path);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void interruptAndCloseEndBlockingRead(String name, SelectorProvider p) throws Exception {
        UnixDomainSocketAddress addr = UnixDomainSocketAddress.of(dir.resolve("i.sock"));
        try (ServerSocketChannel ssc = p.openServerSocketChannel(StandardProtocolFamily.UNIX).bind(addr)) {
            for (boolean interrupt : new boolean[] {true, false}) {
                SocketChannel c = p.openSocketChannel(StandardProtocolFamily.UNIX);
                c.connect(addr);
                try (SocketChannel s = ssc.accept()) {
                    CompletableFuture<Throwable> r = new CompletableFuture<>();
                    Thread t = new Thread(() -> {
                        try {
                            c.read(ByteBuffer.allocate(4));
                            r.complete(null);
                        } catch (Throwable e) {
                            r.complete(e);
                        }
                    });
                    t.start();
                    TestProviders.awaitBlocked(t);
                    if (interrupt) {
                        t.interrupt();
                    } else {
                        c.close();
                    }
                    Throwable e = r.get(5, TimeUnit.SECONDS);
                    assertEquals(interrupt ? java.nio.channels.ClosedByInterruptException.class
                            : AsynchronousCloseException.class, e == null ? null : e.getClass());
                    assertFalse(c.isOpen());
                    // the peer sees the close
                    assertEquals(-1, s.read(ByteBuffer.allocate(1)));
                }
            }
        }
    }

    /**
     * A peer that closes with unread data resets the connection; the JDK then throws "Connection reset"
     * on every later read, not only the first (the kernel reports the error once, then end of stream).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void resetConnectionStaysReset(String name, SelectorProvider p) throws Exception {
        UnixDomainSocketAddress addr = UnixDomainSocketAddress.of(dir.resolve("r.sock"));
        try (ServerSocketChannel ssc = p.openServerSocketChannel(StandardProtocolFamily.UNIX)) {
            ssc.bind(addr);
            try (SocketChannel c = p.openSocketChannel(StandardProtocolFamily.UNIX)) {
                assertTrue(c.connect(addr));
                SocketChannel s = ssc.accept();
                assertEquals(5, c.write(bytes("never")));
                s.close(); // unread data: the kernel resets c's end
                c.configureBlocking(false);
                for (int i = 0; i < 2; i++) {
                    java.net.SocketException e = assertThrows(java.net.SocketException.class,
                            () -> c.read(ByteBuffer.allocate(8)), "read " + (i + 1));
                    assertEquals("Connection reset", e.getMessage());
                }
                assertTrue(c.isOpen());
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void unixDatagramIsAnExtension(String name, SelectorProvider p) throws Exception {
        if (TestProviders.isJdk(p)) {
            assertThrows(UnsupportedOperationException.class, () -> p.openDatagramChannel(StandardProtocolFamily.UNIX));
        } else {
            p.openDatagramChannel(StandardProtocolFamily.UNIX).close();
        }
        try (SocketChannel c = p.openSocketChannel(StandardProtocolFamily.UNIX)) {
            assertThrows(UnsupportedAddressTypeException.class, () -> c.bind(new InetSocketAddress(0)));
        }
    }

    // ---- Edgewise extensions (the JDK has no equivalent)

    @Test
    void edgewisePeerCredentialsIncludePid() throws Exception {
        SelectorProvider p = TestProviders.edgewise();
        UnixDomainSocketAddress addr = UnixDomainSocketAddress.of(dir.resolve("pc.sock"));
        try (ServerSocketChannel ssc = p.openServerSocketChannel(StandardProtocolFamily.UNIX).bind(addr);
             SocketChannel c = p.openSocketChannel(StandardProtocolFamily.UNIX)) {
            c.connect(addr);
            try (SocketChannel s = ssc.accept()) {
                assertTrue(s.supportedOptions().contains(EdgewiseSocketOptions.SO_PEERCRED));
                PeerCredentials pc = s.getOption(EdgewiseSocketOptions.SO_PEERCRED);
                assertEquals(ProcessHandle.current().pid(), pc.pid());
                assertThrows(java.net.SocketException.class, () -> s.setOption(EdgewiseSocketOptions.SO_PEERCRED, pc));
            }
        }
    }

    @Test
    void edgewiseAbstractNamespaceStream() throws Exception {
        SelectorProvider p = TestProviders.edgewise();
        AbstractUnixSocketAddress addr = AbstractUnixSocketAddress.of("edgewise-test-" + ProcessHandle.current().pid());
        try (ServerSocketChannel ssc = p.openServerSocketChannel(StandardProtocolFamily.UNIX).bind(addr);
             SocketChannel c = p.openSocketChannel(StandardProtocolFamily.UNIX)) {
            assertEquals(addr, ssc.getLocalAddress());
            c.connect(addr);
            assertEquals(addr, c.getRemoteAddress());
            try (SocketChannel s = ssc.accept()) {
                c.write(bytes("abstract"));
                assertEquals("abstract", readFully(s, 8));
            }
        }
        // no file, and the name is free again once closed
        try (ServerSocketChannel again = p.openServerSocketChannel(StandardProtocolFamily.UNIX).bind(addr)) {
            assertEquals(addr, again.getLocalAddress());
        }
    }

    @Test
    void edgewiseUnixDatagrams() throws Exception {
        SelectorProvider p = TestProviders.edgewise();
        assertThrows(UnsupportedOperationException.class,
                () -> TestProviders.jdk().openDatagramChannel(StandardProtocolFamily.UNIX));
        UnixDomainSocketAddress a1 = UnixDomainSocketAddress.of(dir.resolve("d1.sock"));
        AbstractUnixSocketAddress a2 = AbstractUnixSocketAddress.of("edgewise-dgram-" + ProcessHandle.current().pid());
        try (DatagramChannel x = p.openDatagramChannel(StandardProtocolFamily.UNIX).bind(a1);
             DatagramChannel y = p.openDatagramChannel(StandardProtocolFamily.UNIX).bind(a2);
             DatagramChannel anon = p.openDatagramChannel(StandardProtocolFamily.UNIX)) {
            assertEquals(a1, x.getLocalAddress());
            assertEquals(5, x.send(bytes("to-y!"), a2));
            ByteBuffer b = ByteBuffer.allocate(3);
            assertEquals(a1, y.receive(b)); // truncated like UDP
            assertEquals("to-", str(b));
            anon.send(bytes(""), a1);
            assertEquals(UnixDomainSocketAddress.of(""), x.receive(ByteBuffer.allocate(4)));
            x.connect(a2);
            y.connect(a1);
            x.write(bytes("conn"));
            ByteBuffer r = ByteBuffer.allocate(8);
            assertEquals(4, y.read(r));
            assertEquals("conn", str(r));
            assertThrows(UnsupportedOperationException.class, x::socket);
            assertThrows(UnsupportedOperationException.class,
                    () -> x.join(java.net.InetAddress.getByName("239.1.1.1"), java.net.NetworkInterface.getByName("lo")));
            assertThrows(UnsupportedAddressTypeException.class, () -> anon.send(bytes("x"), new InetSocketAddress(1)));
        }
        try (DatagramChannel auto = p.openDatagramChannel(StandardProtocolFamily.UNIX).bind(null)) {
            Path path = ((UnixDomainSocketAddress) auto.getLocalAddress()).getPath();
            assertTrue(Files.exists(path));
            Files.delete(path);
        }
    }
}
