package io.edgewise.conformance;

import static io.edgewise.conformance.Differential.add;
import static io.edgewise.conformance.Differential.both;

import static java.nio.channels.SelectionKey.OP_ACCEPT;
import static java.nio.channels.SelectionKey.OP_CONNECT;
import static java.nio.channels.SelectionKey.OP_READ;
import static java.nio.channels.SelectionKey.OP_WRITE;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import io.edgewise.conformance.Differential.Scenario;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential suite: every scenario runs on the JDK's provider and on Edgewise, recording each step's
 * result or exception class and the channels' state flags ({@link Outcome}); the two records must be
 * equal. Scenarios concentrate on bad input and edge cases: closed channels, illegal operations,
 * negative offsets, unresolved and foreign addresses, connect twice, I/O on unconnected channels,
 * buffer kinds, shutdown, options, socket adaptors, pipes.
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DifferentialTest {


    static Stream<Arguments> scenarios() {
        List<Arguments> out = new ArrayList<>();
        both(out, "socket unconnected", DifferentialTest::socketUnconnected);
        both(out, "socket closed", DifferentialTest::socketClosed);
        both(out, "socket connected then closed", DifferentialTest::socketConnectedThenClosed);
        both(out, "server socket misuse", DifferentialTest::serverSocketMisuse);
        both(out, "connect twice", DifferentialTest::connectTwice);
        both(out, "connect pending", DifferentialTest::connectPending);
        both(out, "connect refused blocking", DifferentialTest::connectRefusedBlocking);
        both(out, "connect refused non-blocking", DifferentialTest::connectRefusedNonBlocking);
        both(out, "bad addresses", DifferentialTest::badAddresses);
        both(out, "bind and addresses", DifferentialTest::bindAndAddresses);
        both(out, "connect to wildcard", DifferentialTest::connectToWildcard);
        both(out, "buffer kinds", DifferentialTest::bufferKinds);
        both(out, "scatter gather offsets", DifferentialTest::scatterGather);
        both(out, "bad offsets and buffers", DifferentialTest::badOffsetsAndBuffers);
        both(out, "non-blocking io", DifferentialTest::nonBlockingIo);
        both(out, "shutdown", DifferentialTest::shutdown);
        both(out, "peer reset", DifferentialTest::peerReset);
        both(out, "socket options", DifferentialTest::socketOptions);
        both(out, "server socket options", DifferentialTest::serverSocketOptions);
        both(out, "socket adaptor", DifferentialTest::socketAdaptor);
        both(out, "socket adaptor unconnected", DifferentialTest::socketAdaptorUnconnected);
        both(out, "server socket adaptor", DifferentialTest::serverSocketAdaptor);
        add(out, "dual stack", StandardProtocolFamily.INET6, DifferentialTest::dualStack);
        add(out, "pipe", StandardProtocolFamily.INET, DifferentialTest::pipe);
        add(out, "registration misuse", StandardProtocolFamily.INET, DifferentialTest::registrationMisuse);
        add(out, "selector misuse", StandardProtocolFamily.INET, DifferentialTest::selectorMisuse);
        add(out, "unix domain", StandardProtocolFamily.UNIX, DifferentialTest::unixDomain);
        both(out, "datagram", DifferentialTest::datagram);
        if (Runtime.version().feature() >= 22) {
            add(out, "arena buffers", StandardProtocolFamily.INET, DifferentialTest::arenaBuffers);
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void sameOutcomeOnBothProviders(Scenario s, ProtocolFamily family) throws Exception {
        Differential.assertSameOutcome(s, family, false);
    }

    // ------------------------------------------------------------------------------------------ helpers

    private static SocketChannel open(Outcome o) throws IOException {
        return o.track(o.provider.openSocketChannel(o.family));
    }

    private static ServerSocketChannel listener(Outcome o) throws IOException {
        return o.track(Net.listen(o.provider, o.family, 50));
    }

    private static Net.Conn pair(Outcome o) throws IOException {
        return o.track(Net.connect(o.provider, o.family));
    }

    private static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String text(ByteBuffer b) {
        ByteBuffer d = b.duplicate().flip();
        byte[] a = new byte[d.remaining()];
        d.get(a);
        return new String(a, StandardCharsets.ISO_8859_1);
    }

    /** Reads (blocking) exactly n bytes and returns them as text. */
    private static String readN(SocketChannel ch, int n) throws IOException {
        return StandardCharsets.ISO_8859_1.decode(Net.readFully(ch, n)).toString();
    }

    /** A port on the loopback address with nothing listening (bound once, then closed). */
    private static InetSocketAddress deadAddress(Outcome o) throws IOException {
        try (ServerSocketChannel ssc = Net.listen(o.provider, o.family, 1)) {
            return (InetSocketAddress) ssc.getLocalAddress();
        }
    }

    // ------------------------------------------------------------------------------------------ scenarios

    static void socketUnconnected(Outcome o) throws Exception {
        SocketChannel ch = open(o);
        o.state("new", ch);
        o.note("validOps", ch.validOps());
        o.call("read", () -> ch.read(ByteBuffer.allocate(4)));
        o.call("write", () -> ch.write(ascii("x")));
        o.call("read[]", () -> ch.read(new ByteBuffer[] {ByteBuffer.allocate(4)}));
        o.call("write[]", () -> ch.write(new ByteBuffer[] {ascii("x")}));
        o.call("finishConnect", ch::finishConnect);
        o.call("remote", ch::getRemoteAddress);
        o.call("local", ch::getLocalAddress);
        o.run("shutdownInput", ch::shutdownInput);
        o.run("shutdownOutput", ch::shutdownOutput);
        o.call("provider same", () -> ch.provider() == o.provider);
        o.call("blocking", ch::isBlocking);
        o.call("configureBlocking(false)", () -> ch.configureBlocking(false) == ch);
        o.call("read nb", () -> ch.read(ByteBuffer.allocate(4)));
        o.call("finishConnect nb", ch::finishConnect);
        o.state("end", ch);
    }

    static void socketClosed(Outcome o) throws Exception {
        SocketChannel ch = open(o);
        ServerSocketChannel ssc = listener(o);
        ch.close();
        o.run("close again", ch::close);
        o.state("closed", ch);
        o.call("read", () -> ch.read(ByteBuffer.allocate(4)));
        o.call("write", () -> ch.write(ascii("x")));
        o.call("read[]", () -> ch.read(new ByteBuffer[] {ByteBuffer.allocate(4)}, 0, 1));
        o.call("write[]", () -> ch.write(new ByteBuffer[] {ascii("x")}, 0, 1));
        o.call("connect", () -> ch.connect(ssc.getLocalAddress()));
        o.call("finishConnect", ch::finishConnect);
        o.call("bind", () -> ch.bind(null));
        o.call("configureBlocking", () -> ch.configureBlocking(false));
        o.call("local", ch::getLocalAddress);
        o.call("remote", ch::getRemoteAddress);
        o.call("shutdownInput", ch::shutdownInput);
        o.call("shutdownOutput", ch::shutdownOutput);
        o.call("setOption", () -> ch.setOption(StandardSocketOptions.TCP_NODELAY, true));
        o.call("getOption", () -> ch.getOption(StandardSocketOptions.TCP_NODELAY));
        o.call("supportedOptions", () -> ch.supportedOptions().size() > 0);
        Selector sel = o.track(o.provider.openSelector());
        o.call("register", () -> ch.register(sel, OP_READ));
        o.call("keyFor", () -> ch.keyFor(sel));
        o.call("socket", ch::socket);
        o.call("socket.isClosed", () -> ch.socket().isClosed());
        o.call("socket.isConnected", () -> ch.socket().isConnected());
        o.call("socket.getInputStream", () -> ch.socket().getInputStream());
        o.call("socket.getTcpNoDelay", () -> ch.socket().getTcpNoDelay());
        o.state("end", ch);
    }

    static void socketConnectedThenClosed(Outcome o) throws Exception {
        Net.Conn c = pair(o);
        Selector sel = o.track(o.provider.openSelector());
        c.client.configureBlocking(false);
        SelectionKey k = c.client.register(sel, OP_READ);
        c.client.close();
        o.state("closed", c.client);
        o.call("key valid", k::isValid);
        o.call("read", () -> c.client.read(ByteBuffer.allocate(4)));
        o.call("write", () -> c.client.write(ascii("x")));
        o.call("remote", c.client::getRemoteAddress);
        o.call("local", c.client::getLocalAddress);
        o.call("connect", () -> c.client.connect(c.server.getLocalAddress()));
        o.call("selectNow", sel::selectNow);
        o.state("after select", c.client);
        o.call("peer read", () -> c.server.read(ByteBuffer.allocate(4)));
        o.call("socket.isClosed", () -> c.client.socket().isClosed());
        o.call("socket.isConnected", () -> c.client.socket().isConnected());
        o.call("socket.getRemoteSocketAddress", () -> c.client.socket().getRemoteSocketAddress());
        o.call("socket.getOutputStream", () -> c.client.socket().getOutputStream());
    }

    static void serverSocketMisuse(Outcome o) throws Exception {
        ServerSocketChannel ssc = o.track(o.provider.openServerSocketChannel(o.family));
        Selector sel = o.track(o.provider.openSelector());
        o.note("validOps", ssc.validOps());
        o.call("local unbound", ssc::getLocalAddress);
        o.call("accept unbound", ssc::accept);
        o.call("configureBlocking(false)", () -> ssc.configureBlocking(false) == ssc);
        o.call("accept unbound nb", ssc::accept);
        o.call("register OP_READ", () -> ssc.register(sel, OP_READ));
        o.call("register OP_ACCEPT unbound", () -> ssc.register(sel, OP_ACCEPT));
        o.call("bind", () -> ssc.bind(new InetSocketAddress(Net.loopback(o.family), 0)) == ssc);
        o.call("bind again", () -> ssc.bind(new InetSocketAddress(Net.loopback(o.family), 0)));
        o.call("local", ssc::getLocalAddress);
        o.call("accept nb none", ssc::accept);
        o.call("selectNow", sel::selectNow);
        SocketChannel c = open(o);
        o.call("connect", () -> c.connect(ssc.getLocalAddress()));
        o.call("select", () -> sel.select(5000));
        SocketChannel accepted = o.track(ssc.accept());
        o.note("accepted", accepted);
        o.state("accepted", accepted);
        o.call("accepted provider", () -> accepted.provider() == o.provider);
        o.call("accepted local", accepted::getLocalAddress);
        o.call("accepted remote", accepted::getRemoteAddress);
        o.call("accepted remote == client local",
                () -> accepted.getRemoteAddress().equals(c.getLocalAddress()));
        o.call("accept nb none again", ssc::accept);
        ssc.close();
        o.state("closed", ssc);
        o.call("accept closed", ssc::accept);
        o.call("bind closed", () -> ssc.bind(null));
        o.call("local closed", ssc::getLocalAddress);
        o.call("setOption closed", () -> ssc.setOption(StandardSocketOptions.SO_REUSEADDR, true));
        o.call("register closed", () -> ssc.register(sel, OP_ACCEPT));
        o.call("socket.isClosed", () -> ssc.socket().isClosed());
        o.call("accepted still open", accepted::isOpen);
    }

    static void connectTwice(Outcome o) throws Exception {
        ServerSocketChannel ssc = listener(o);
        SocketChannel ch = open(o);
        o.call("connect", () -> ch.connect(ssc.getLocalAddress()));
        o.state("connected", ch);
        o.call("connect again", () -> ch.connect(ssc.getLocalAddress()));
        o.call("finishConnect", ch::finishConnect);
        o.call("bind after connect", () -> ch.bind(null));
        o.call("local", ch::getLocalAddress);
        o.call("remote", ch::getRemoteAddress);
        o.call("remote equals listener", () -> ch.getRemoteAddress().equals(ssc.getLocalAddress()));
        ch.configureBlocking(false);
        o.call("connect again nb", () -> ch.connect(ssc.getLocalAddress()));
        o.state("end", ch);
    }

    static void connectPending(Outcome o) throws Exception {
        Net.FullListener full = o.track(new Net.FullListener(o.provider, o.family));
        SocketChannel ch = open(o);
        ch.configureBlocking(false);
        Selector sel = o.track(o.provider.openSelector());
        o.call("connect nb", () -> ch.connect(full.address()));
        o.state("pending", ch);
        o.call("connect again", () -> ch.connect(full.address()));
        o.call("finishConnect", ch::finishConnect);
        o.call("read", () -> ch.read(ByteBuffer.allocate(4)));
        o.call("write", () -> ch.write(ascii("x")));
        o.call("remote", ch::getRemoteAddress);
        o.call("local", ch::getLocalAddress);
        o.call("shutdownOutput", ch::shutdownOutput);
        o.call("bind", () -> ch.bind(null));
        SelectionKey k = o.call("register", () -> ch.register(sel, OP_CONNECT));
        o.call("selectNow", sel::selectNow);
        o.call("readyOps", k::readyOps);
        o.call("configureBlocking(true) while registered", () -> ch.configureBlocking(true));
        k.cancel();
        sel.selectNow();
        o.call("configureBlocking(true)", () -> ch.configureBlocking(true) == ch);
        o.state("blocking pending", ch);
        ch.close();
        o.state("closed", ch);
        o.call("finishConnect closed", ch::finishConnect);
    }

    static void connectRefusedBlocking(Outcome o) throws Exception {
        InetSocketAddress dead = deadAddress(o);
        SocketChannel ch = open(o);
        o.call("connect", () -> ch.connect(dead));
        o.state("after refused", ch);
        o.call("connect again", () -> ch.connect(dead));
    }

    static void connectRefusedNonBlocking(Outcome o) throws Exception {
        InetSocketAddress dead = deadAddress(o);
        SocketChannel ch = open(o);
        ch.configureBlocking(false);
        Selector sel = o.track(o.provider.openSelector());
        // The refusal may surface from connect itself or from finishConnect: record where it ended, not how.
        String result;
        try {
            if (ch.connect(dead)) {
                result = "connected?!";
            } else {
                SelectionKey k = ch.register(sel, OP_CONNECT);
                Net.awaitReady(sel, k, OP_CONNECT);
                ch.finishConnect();
                result = "finishConnect returned";
            }
        } catch (Exception e) {
            result = e.getClass().getName();
        }
        o.note("refusal", result);
        o.state("after refused", ch);
        o.call("finishConnect again", ch::finishConnect);
    }

    static void badAddresses(Outcome o) throws Exception {
        SocketChannel ch = open(o);
        o.call("connect unresolved", () -> ch.connect(InetSocketAddress.createUnresolved("localhost", 80)));
        o.state("after unresolved", ch);
        o.call("connect null", () -> ch.connect(null));
        SocketAddress foreign = new SocketAddress() { };
        o.call("connect foreign type", () -> ch.connect(foreign));
        o.call("bind foreign type", () -> ch.bind(foreign));
        o.call("bind unresolved", () -> ch.bind(InetSocketAddress.createUnresolved("localhost", 0)));
        InetSocketAddress other = new InetSocketAddress(
                o.family == StandardProtocolFamily.INET ? Net.LOOPBACK6 : Net.LOOPBACK4, 9);
        o.call("bind other family loopback", () -> ch.bind(other) == ch);
        o.call("local", ch::getLocalAddress);
        o.state("end", ch);
        ch.configureBlocking(false);
        SocketChannel ch2 = open(o);
        ch2.configureBlocking(false);
        o.call("nb connect unresolved", () -> ch2.connect(InetSocketAddress.createUnresolved("localhost", 80)));
        o.state("nb end", ch2);
        ServerSocketChannel ssc = o.track(o.provider.openServerSocketChannel(o.family));
        o.call("server bind unresolved", () -> ssc.bind(InetSocketAddress.createUnresolved("localhost", 0)));
        o.call("server bind foreign type", () -> ssc.bind(foreign));
        o.call("server bind negative backlog", () -> ssc.bind(new InetSocketAddress(Net.loopback(o.family), 0), -1) == ssc);
        o.call("server local", ssc::getLocalAddress);
    }

    static void bindAndAddresses(Outcome o) throws Exception {
        SocketChannel ch = open(o);
        o.call("bind null", () -> ch.bind(null) == ch);
        o.call("local", ch::getLocalAddress);
        o.call("bind again", () -> ch.bind(null));
        o.call("socket.isBound", () -> ch.socket().isBound());
        o.call("socket.getLocalAddress", () -> ch.socket().getLocalAddress());
        o.call("socket.getLocalPort > 0", () -> ch.socket().getLocalPort() > 0);
        SocketChannel ch2 = open(o);
        o.call("bind loopback", () -> ch2.bind(new InetSocketAddress(Net.loopback(o.family), 0)) == ch2);
        o.call("local2", ch2::getLocalAddress);
        ServerSocketChannel ssc = listener(o);
        o.call("connect bound", () -> ch2.connect(ssc.getLocalAddress()));
        o.call("local after connect", ch2::getLocalAddress);
        o.call("remote", ch2::getRemoteAddress);
        // bind to an address in use
        ServerSocketChannel ssc2 = o.track(o.provider.openServerSocketChannel(o.family));
        o.call("server bind in use", () -> ssc2.bind(ssc.getLocalAddress()));
        o.state("server after failed bind", ssc2);
        o.call("server local after failed bind", ssc2::getLocalAddress);
        ServerSocketChannel ssc3 = o.track(o.provider.openServerSocketChannel(o.family));
        o.call("server bind null", () -> ssc3.bind(null) == ssc3);
        o.call("server local wildcard", ssc3::getLocalAddress);
        ServerSocketChannel ssc4 = o.track(o.provider.openServerSocketChannel());
        o.call("default-family server bind null", () -> ssc4.bind(null) == ssc4);
        o.call("default-family server local", ssc4::getLocalAddress);
        SocketChannel ch3 = o.track(o.provider.openSocketChannel());
        o.call("default-family bind null", () -> ch3.bind(null) == ch3);
        o.call("default-family local", ch3::getLocalAddress);
    }

    static void connectToWildcard(Outcome o) throws Exception {
        ServerSocketChannel ssc = listener(o);
        int port = ((InetSocketAddress) ssc.getLocalAddress()).getPort();
        SocketChannel ch = open(o);
        o.call("connect wildcard", () -> ch.connect(new InetSocketAddress(Net.wildcard(o.family), port)));
        o.call("remote", ch::getRemoteAddress);
        o.call("remote is listener", () -> ch.getRemoteAddress().equals(ssc.getLocalAddress()));
        SocketChannel peer = o.track(ssc.accept());
        o.call("peer remote == local", () -> peer.getRemoteAddress().equals(ch.getLocalAddress()));
        SocketChannel ch2 = open(o);
        ch2.configureBlocking(false);
        Selector sel = o.track(o.provider.openSelector());
        boolean done = ch2.connect(new InetSocketAddress(Net.wildcard(o.family), port));
        if (!done) {
            SelectionKey k = ch2.register(sel, OP_CONNECT);
            Net.awaitReady(sel, k, OP_CONNECT);
            o.call("nb finishConnect", ch2::finishConnect);
        } else {
            o.note("nb finishConnect", true);
        }
        o.call("nb remote", ch2::getRemoteAddress);
        o.call("connect wildcard port 0", () -> open(o).connect(new InetSocketAddress(Net.wildcard(o.family), 0)));
    }

    static void bufferKinds(Outcome o) throws Exception {
        Net.Conn c = pair(o);
        ByteBuffer heap = ascii("heap-");
        ByteBuffer direct = ByteBuffer.allocateDirect(7).put(ascii("direct-")).flip();
        ByteBuffer ro = ascii("readonly-").asReadOnlyBuffer();
        ByteBuffer roDirect = ByteBuffer.allocateDirect(4).put(ascii("rod-")).flip().asReadOnlyBuffer();
        ByteBuffer sliced = ascii("xxsliced-yy").position(2).limit(9).slice();
        ByteBuffer positioned = ascii("__pos-").position(2);
        ByteBuffer empty = ByteBuffer.allocate(0);
        for (ByteBuffer b : List.of(heap, direct, ro, roDirect, sliced, positioned, empty)) {
            o.call("write", () -> c.client.write(b));
            o.note("after write", b);
        }
        String expected = "heap-direct-readonly-rod-sliced-pos-";
        o.call("peer got", () -> readN(c.server, expected.length()));
        c.server.write(ascii("0123456789abcdefghij"));
        ByteBuffer rh = ByteBuffer.allocate(3);
        ByteBuffer rd = ByteBuffer.allocateDirect(4);
        ByteBuffer rs = ByteBuffer.allocate(10).position(3).limit(8).slice();   // 5 bytes, offset 3
        ByteBuffer rdSliced = ByteBuffer.allocateDirect(10).position(6).slice();   // 4 bytes
        ByteBuffer full = ByteBuffer.allocate(4).position(4);
        o.call("read heap", () -> c.client.read(rh));
        o.call("read direct", () -> c.client.read(rd));
        o.call("read sliced heap", () -> c.client.read(rs));
        o.call("read sliced direct", () -> c.client.read(rdSliced));
        o.call("read full buffer", () -> c.client.read(full));
        o.note("heap", text(rh));
        o.note("direct", text(rd));
        o.note("sliced", text(rs));
        o.note("sliced direct", text(rdSliced));
        o.call("read read-only", () -> c.client.read(ByteBuffer.allocate(4).asReadOnlyBuffer()));
        o.call("read null", () -> c.client.read((ByteBuffer) null));
        o.call("write null", () -> c.client.write((ByteBuffer) null));
        o.call("read rest", () -> readN(c.client, 4));
        // a large heap buffer goes through a temporary direct buffer (blocking write completes fully)
        ByteBuffer big = ByteBuffer.allocate(300_000);
        for (int i = 0; i < big.capacity(); i++) {
            big.put(i, (byte) (i * 31));
        }
        Thread writer = new Thread(() -> {
            try {
                c.server.write(big);
            } catch (IOException e) {
                // recorded below through what the client receives
            }
        });
        writer.start();
        ByteBuffer got = Net.readFully(c.client, big.capacity());
        writer.join(10_000);
        o.note("big write remaining", big.remaining());
        o.note("big read equal", got.equals(big.clear()));
    }

    static void scatterGather(Outcome o) throws Exception {
        Net.Conn c = pair(o);
        ByteBuffer[] src = {ascii("AAA"), ByteBuffer.allocateDirect(3).put(ascii("BBB")).flip(), ascii("CCC"),
            ascii("DDD").asReadOnlyBuffer(), ascii("EEE")};
        o.call("gather 1..3", () -> c.client.write(src, 1, 3));
        for (ByteBuffer b : src) {
            o.note("src", b);
        }
        o.call("gather 0..0", () -> c.client.write(src, 0, 0));
        o.call("gather all", () -> c.client.write(src));
        o.call("gather exhausted", () -> c.client.write(src));
        o.call("peer got", () -> readN(c.server, 15));
        c.server.write(ascii("0123456789"));
        ByteBuffer[] dst = {ByteBuffer.allocate(2), ByteBuffer.allocateDirect(3), ByteBuffer.allocate(4),
            ByteBuffer.allocate(10).position(5).slice()};
        o.call("scatter 0..0", () -> c.client.read(dst, 1, 0));
        long n = 0;
        while (n < 9) {
            long r = c.client.read(dst, 0, 3);
            if (r < 0) {
                break;
            }
            n += r;
        }
        o.note("scatter 0..3 total", n);
        for (ByteBuffer b : dst) {
            o.note("dst", text(b));
        }
        o.call("scatter into full buffers", () -> c.client.read(dst, 0, 3));
        o.call("scatter last", () -> c.client.read(dst, 3, 1));
        o.note("dst last", text(dst[3]));
        // many buffers (more than a small IOV cache would hold)
        ByteBuffer[] many = new ByteBuffer[1500];
        for (int i = 0; i < many.length; i++) {
            many[i] = ByteBuffer.allocate(1).put(0, (byte) i);
        }
        long w = 0;
        while (w < many.length) {
            w += c.server.write(many);
        }
        o.note("gathered many", w);
        ByteBuffer[] into = new ByteBuffer[1500];
        for (int i = 0; i < into.length; i++) {
            into[i] = ByteBuffer.allocateDirect(1);
        }
        long r = 0;
        while (r < into.length) {
            r += c.client.read(into);
        }
        boolean ok = true;
        for (int i = 0; i < into.length; i++) {
            ok &= into[i].get(0) == (byte) i;
        }
        o.note("scattered many", r + " " + ok);
    }

    static void badOffsetsAndBuffers(Outcome o) throws Exception {
        Net.Conn c = pair(o);
        SocketChannel ch = c.client;
        ByteBuffer[] two = {ByteBuffer.allocate(4), ByteBuffer.allocate(4)};
        o.call("read -1,1", () -> ch.read(two, -1, 1));
        o.call("read 0,-1", () -> ch.read(two, 0, -1));
        o.call("read 0,3", () -> ch.read(two, 0, 3));
        o.call("read 3,0", () -> ch.read(two, 3, 0));
        o.call("read 2,0", () -> ch.read(two, 2, 0));
        o.call("read MAX,1", () -> ch.read(two, Integer.MAX_VALUE, 1));
        o.call("write -1,1", () -> ch.write(two, -1, 1));
        o.call("write 1,2", () -> ch.write(two, 1, 2));
        o.call("write 0,MAX", () -> ch.write(two, 0, Integer.MAX_VALUE));
        o.call("read null array", () -> ch.read((ByteBuffer[]) null));
        o.call("write null array", () -> ch.write((ByteBuffer[]) null, 0, 0));
        o.call("read null element", () -> ch.read(new ByteBuffer[] {ByteBuffer.allocate(1), null}));
        o.call("write null element", () -> ch.write(new ByteBuffer[] {ascii("z"), null}));
        o.call("read read-only element",
                () -> ch.read(new ByteBuffer[] {ByteBuffer.allocate(1), ByteBuffer.allocate(1).asReadOnlyBuffer()}));
        o.call("read empty array", () -> ch.read(new ByteBuffer[0]));
        o.call("write empty array", () -> ch.write(new ByteBuffer[0]));
        o.state("still fine", ch);
        c.server.write(ascii("ok"));
        o.call("read after bad calls", () -> readN(ch, 2));
        // bad offsets on an unconnected and a closed channel: which check comes first
        SocketChannel un = open(o);
        o.call("unconnected read -1,1", () -> un.read(two, -1, 1));
        o.call("unconnected write null", () -> un.write((ByteBuffer) null));
        o.call("unconnected read read-only", () -> un.read(ByteBuffer.allocate(1).asReadOnlyBuffer()));
        un.close();
        o.call("closed read -1,1", () -> un.read(two, -1, 1));
        o.call("closed read read-only", () -> un.read(ByteBuffer.allocate(1).asReadOnlyBuffer()));
    }

    static void nonBlockingIo(Outcome o) throws Exception {
        Net.Conn c = pair(o);
        SocketChannel ch = c.client;
        o.call("configureBlocking(false)", () -> ch.configureBlocking(false) == ch);
        o.call("configureBlocking(false) again", () -> ch.configureBlocking(false) == ch);
        o.state("nb", ch);
        o.call("read empty", () -> ch.read(ByteBuffer.allocate(4)));
        o.call("read[] empty", () -> ch.read(new ByteBuffer[] {ByteBuffer.allocate(4)}));
        Selector sel = o.track(o.provider.openSelector());
        SelectionKey k = ch.register(sel, OP_READ);
        c.server.write(ascii("hello"));
        Net.awaitReady(sel, k, OP_READ);
        o.call("readyOps", k::readyOps);
        ByteBuffer b = ByteBuffer.allocate(16);
        o.call("read", () -> ch.read(b));
        o.note("data", text(b));
        o.call("read drained", () -> ch.read(b));
        // fill the send buffer: write eventually returns 0
        ByteBuffer chunk = ByteBuffer.allocateDirect(1 << 16);
        long total = 0;
        int zeros = 0;
        for (int i = 0; i < 10_000 && zeros == 0; i++) {
            chunk.clear();
            int n = ch.write(chunk);
            if (n == 0) {
                zeros++;
            }
            total += n;
        }
        o.note("write reached 0", zeros == 1);
        o.note("wrote something", total > 0);
        k.interestOps(OP_WRITE);
        o.call("selectNow not writable", () -> sel.selectNow() == 0 || !k.isWritable());
        c.server.shutdownOutput();
        k.interestOps(OP_READ);
        sel.selectedKeys().clear();
        Net.awaitReady(sel, k, OP_READ);
        o.call("read eof", () -> ch.read(ByteBuffer.allocate(4)));
        o.call("read eof again", () -> ch.read(ByteBuffer.allocate(4)));
        k.cancel();
        sel.selectNow();
        o.call("configureBlocking(true)", () -> ch.configureBlocking(true) == ch);
        o.call("blocking read eof", () -> ch.read(ByteBuffer.allocate(4)));
        o.state("end", ch);
    }

    static void shutdown(Outcome o) throws Exception {
        Net.Conn c = pair(o);
        SocketChannel ch = c.client;
        o.call("shutdownOutput", () -> ch.shutdownOutput() == ch);
        o.call("shutdownOutput again", () -> ch.shutdownOutput() == ch);
        o.call("write after shutdownOutput", () -> ch.write(ascii("x")));
        o.call("write[] after shutdownOutput", () -> ch.write(new ByteBuffer[] {ascii("x")}));
        o.call("peer reads eof", () -> c.server.read(ByteBuffer.allocate(4)));
        o.call("socket.isOutputShutdown", () -> ch.socket().isOutputShutdown());
        o.call("socket.isInputShutdown", () -> ch.socket().isInputShutdown());
        o.state("half closed", ch);
        o.call("peer writes", () -> c.server.write(ascii("back")));
        o.call("read still works", () -> readN(ch, 4));
        o.call("shutdownInput", () -> ch.shutdownInput() == ch);
        o.call("read after shutdownInput", () -> ch.read(ByteBuffer.allocate(4)));
        o.call("read[] after shutdownInput", () -> ch.read(new ByteBuffer[] {ByteBuffer.allocate(4)}));
        o.call("socket.isInputShutdown", () -> ch.socket().isInputShutdown());
        o.call("remote", ch::getRemoteAddress);
        o.state("both shut", ch);
        o.call("socket.getInputStream().read()", () -> ch.socket().getInputStream().read());
        o.call("socket.getOutputStream().write()", () -> {
            ch.socket().getOutputStream().write(1);
            return "written";
        });
        Selector sel = o.track(o.provider.openSelector());
        ch.configureBlocking(false);
        SelectionKey k = ch.register(sel, OP_READ | OP_WRITE);
        o.call("selectNow", sel::selectNow);
        o.call("readyOps", k::readyOps);
    }

    static void peerReset(Outcome o) throws Exception {
        Net.Conn c = pair(o);
        c.server.setOption(StandardSocketOptions.SO_LINGER, 0);
        c.server.close();
        Selector sel = o.track(o.provider.openSelector());
        c.client.configureBlocking(false);
        SelectionKey k = c.client.register(sel, OP_READ);
        Net.awaitReady(sel, k, OP_READ);
        o.call("readyOps", k::readyOps);
        o.call("read after reset", () -> c.client.read(ByteBuffer.allocate(4)));
        o.call("read again", () -> c.client.read(ByteBuffer.allocate(4)));
        o.call("write", () -> c.client.write(ascii("x")));
        o.state("after reset", c.client);
        // orderly close: read -1 then writes fail eventually
        Net.Conn d = pair(o);
        d.server.close();
        o.call("read eof", () -> d.client.read(ByteBuffer.allocate(4)));
        String w = "no failure";
        for (int i = 0; i < 200; i++) {
            try {
                d.client.write(ascii("x"));
            } catch (IOException e) {
                w = e.getClass().getName();
                break;
            }
            Thread.sleep(1);
        }
        o.note("writes to closed peer end with", w);
        o.state("after write failure", d.client);
    }

    /** Values for setOption per option name: what to set and read back. */
    private static Object testValue(String name) {
        switch (name) {
            case "SO_RCVBUF": case "SO_SNDBUF": return 16384;
            case "SO_LINGER": return 7;
            case "IP_TOS": return 0x20;
            case "TCP_KEEPIDLE": return 120;
            case "TCP_KEEPINTERVAL": return 15;
            case "TCP_KEEPCOUNT": return 4;
            default: return null;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void exerciseOptions(Outcome o, java.nio.channels.NetworkChannel ch, String what) {
        o.call(what + " supportedOptions", ch::supportedOptions);
        List<java.net.SocketOption<?>> opts = new ArrayList<>(ch.supportedOptions());
        // Edgewise's extension options (io.edgewise.EdgewiseSocketOptions) have no JDK counterpart
        opts.removeIf(opt -> opt.getClass().getName().startsWith("io.edgewise.EdgewiseSocketOptions"));
        // the POSIX/BSD socket layer has no Linux-only options (SocketLayer.LINUX_ONLY_REASON)
        opts.removeIf(io.edgewise.testing.SocketLayer::expectedMissing);
        opts.sort((a, b) -> a.name().compareTo(b.name()));
        for (java.net.SocketOption opt : opts) {
            o.call(what + " default " + opt.name(), () -> ch.getOption(opt));
            Object v = opt.type() == Boolean.class ? (Object) Boolean.TRUE : testValue(opt.name());
            if (v != null) {
                o.call(what + " set " + opt.name(), () -> ch.setOption(opt, v) == ch);
                o.call(what + " get " + opt.name(), () -> ch.getOption(opt));
            }
            if (opt.type() == Boolean.class) {
                o.call(what + " set false " + opt.name(), () -> ch.setOption(opt, false) == ch);
                o.call(what + " get " + opt.name(), () -> ch.getOption(opt));
            }
            if (opt.type() == Integer.class) {
                o.call(what + " set -1 " + opt.name(), () -> ch.setOption(opt, -1) == ch);
                o.call(what + " get " + opt.name(), () -> ch.getOption(opt));
            }
            o.call(what + " set null " + opt.name(), () -> ch.setOption(opt, null));
        }
    }

    static void socketOptions(Outcome o) throws Exception {
        SocketChannel un = open(o);
        exerciseOptions(o, un, "unconnected");
        Net.Conn c = pair(o);
        exerciseOptions(o, c.client, "connected");
        o.call("SO_LINGER 70000", () -> c.client.setOption(StandardSocketOptions.SO_LINGER, 70000) == c.client);
        o.call("SO_LINGER get", () -> c.client.getOption(StandardSocketOptions.SO_LINGER));
        o.call("SO_RCVBUF 0", () -> c.client.setOption(StandardSocketOptions.SO_RCVBUF, 0));
        o.call("IP_TOS 256", () -> c.client.setOption(StandardSocketOptions.IP_TOS, 256));
        o.call("unsupported option", () -> c.client.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 1));
        o.call("unsupported get", () -> c.client.getOption(StandardSocketOptions.SO_BROADCAST));
        o.call("null option", () -> c.client.setOption(null, 1));
        o.call("null get", () -> c.client.getOption(null));
        exerciseOptions(o, c.server, "accepted");
    }

    static void serverSocketOptions(Outcome o) throws Exception {
        ServerSocketChannel un = o.track(o.provider.openServerSocketChannel(o.family));
        exerciseOptions(o, un, "unbound");
        ServerSocketChannel ssc = listener(o);
        exerciseOptions(o, ssc, "bound");
        o.call("unsupported", () -> ssc.setOption(StandardSocketOptions.TCP_NODELAY, true));
        o.call("unsupported get", () -> ssc.getOption(StandardSocketOptions.SO_LINGER));
    }

    static void socketAdaptor(Outcome o) throws Exception {
        ServerSocketChannel ssc = listener(o);
        SocketChannel ch = open(o);
        Socket s = ch.socket();
        o.call("socket.getChannel same", () -> s.getChannel() == ch);
        o.call("socket same", () -> ch.socket() == s);
        o.call("connect with timeout", () -> {
            s.connect(ssc.getLocalAddress(), 5000);
            return s.isConnected();
        });
        o.state("after adaptor connect", ch);
        SocketChannel peer = o.track(ssc.accept());
        o.call("getInetAddress", s::getInetAddress);
        o.call("getPort equals", () -> s.getPort() == ((InetSocketAddress) ssc.getLocalAddress()).getPort());
        o.call("getLocalSocketAddress", s::getLocalSocketAddress);
        o.call("getRemoteSocketAddress", s::getRemoteSocketAddress);
        o.call("isBound", s::isBound);
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        o.run("write", () -> out.write("stream".getBytes(StandardCharsets.ISO_8859_1)));
        o.run("flush", out::flush);
        o.call("peer got", () -> readN(peer, 6));
        o.call("available none", in::available);
        peer.write(ascii("abc"));
        o.call("read byte", in::read);
        byte[] buf = new byte[10];
        o.call("read array", () -> {
            int n = 0;
            while (n < 2) {
                n += in.read(buf, n, 10 - n);
            }
            return new String(buf, 0, n, StandardCharsets.ISO_8859_1);
        });
        o.call("read len 0", () -> in.read(buf, 0, 0));
        o.call("read bad offset", () -> in.read(buf, -1, 2));
        o.call("write bad offset", () -> {
            out.write(buf, 5, 6);
            return "written";
        });
        o.call("getSoTimeout", s::getSoTimeout);
        o.run("setSoTimeout 50", () -> s.setSoTimeout(50));
        o.call("timed read", in::read);
        o.state("after timeout", ch);
        peer.write(ascii("z"));
        o.call("read after timeout", in::read);
        o.run("setSoTimeout -1", () -> s.setSoTimeout(-1));
        o.run("setTcpNoDelay", () -> s.setTcpNoDelay(true));
        o.call("getTcpNoDelay", s::getTcpNoDelay);
        o.call("channel TCP_NODELAY", () -> ch.getOption(StandardSocketOptions.TCP_NODELAY));
        o.run("setKeepAlive", () -> s.setKeepAlive(true));
        o.call("getKeepAlive", s::getKeepAlive);
        o.run("setSoLinger on 3", () -> s.setSoLinger(true, 3));
        o.call("getSoLinger", s::getSoLinger);
        o.run("setSoLinger off", () -> s.setSoLinger(false, 0));
        o.call("getSoLinger off", s::getSoLinger);
        o.run("setSoLinger negative", () -> s.setSoLinger(true, -1));
        o.run("setReceiveBufferSize", () -> s.setReceiveBufferSize(32768));
        o.call("getReceiveBufferSize", s::getReceiveBufferSize);
        o.run("setReceiveBufferSize 0", () -> s.setReceiveBufferSize(0));
        o.run("setSendBufferSize", () -> s.setSendBufferSize(32768));
        o.call("getSendBufferSize", s::getSendBufferSize);
        o.run("setReuseAddress", () -> s.setReuseAddress(true));
        o.call("getReuseAddress", s::getReuseAddress);
        o.run("setTrafficClass", () -> s.setTrafficClass(0x10));
        o.call("getTrafficClass", s::getTrafficClass);
        o.run("setOOBInline", () -> s.setOOBInline(true));
        o.call("getOOBInline", s::getOOBInline);
        o.run("sendUrgentData", () -> s.sendUrgentData(1));
        o.call("supportedOptions", s::supportedOptions);
        o.run("shutdownInput", s::shutdownInput);
        o.call("isInputShutdown", s::isInputShutdown);
        o.call("read after shutdownInput", in::read);
        o.run("shutdownOutput", s::shutdownOutput);
        o.call("isOutputShutdown", s::isOutputShutdown);
        o.call("write after shutdownOutput", () -> {
            out.write(1);
            return "written";
        });
        o.call("getOutputStream after shutdown", s::getOutputStream);
        o.call("getInputStream after shutdown", s::getInputStream);
        o.run("close via adaptor", s::close);
        o.state("after adaptor close", ch);
        o.call("isClosed", s::isClosed);
        o.call("read after close", in::read);
        o.call("getInputStream after close", s::getInputStream);
        o.call("getLocalSocketAddress after close", s::getLocalSocketAddress);
        o.call("getTcpNoDelay after close", s::getTcpNoDelay);
        o.call("getRemoteSocketAddress after close", s::getRemoteSocketAddress);
        o.call("getInetAddress after close", s::getInetAddress);
        o.call("getPort after close > 0", () -> s.getPort() > 0);
        o.run("bind after close", () -> s.bind(null));
        o.run("connect after close", () -> s.connect(ssc.getLocalAddress()));
        o.run("shutdownInput after close", s::shutdownInput);
        o.run("shutdownOutput after close", s::shutdownOutput);
        o.run("setSoTimeout after close", () -> s.setSoTimeout(1));
        o.run("setTcpNoDelay after close", () -> s.setTcpNoDelay(true));
    }

    static void socketAdaptorUnconnected(Outcome o) throws Exception {
        SocketChannel ch = open(o);
        Socket s = ch.socket();
        o.call("getLocalSocketAddress", s::getLocalSocketAddress);
        o.call("getLocalAddress", s::getLocalAddress);
        o.call("getLocalPort", s::getLocalPort);
        o.call("getRemoteSocketAddress", s::getRemoteSocketAddress);
        o.call("getInetAddress", s::getInetAddress);
        o.call("getPort", s::getPort);
        o.call("isBound", s::isBound);
        o.call("isConnected", s::isConnected);
        o.call("getInputStream", s::getInputStream);
        o.call("getOutputStream", s::getOutputStream);
        o.call("getSoTimeout", s::getSoTimeout);
        o.run("shutdownInput", s::shutdownInput);
        o.call("connect null", () -> {
            s.connect(null);
            return "connected";
        });
        o.call("connect unresolved", () -> {
            s.connect(InetSocketAddress.createUnresolved("localhost", 80));
            return "connected";
        });
        o.state("after unresolved", ch);
        o.call("connect negative timeout", () -> {
            s.connect(new InetSocketAddress(Net.loopback(o.family), 9), -1);
            return "connected";
        });
        InetSocketAddress dead = deadAddress(o);
        o.call("connect refused", () -> {
            s.connect(dead, 1000);
            return "connected";
        });
        o.state("after refused", ch);
        SocketChannel nb = open(o);
        nb.configureBlocking(false);
        ServerSocketChannel ssc = listener(o);
        o.call("non-blocking adaptor connect", () -> {
            nb.socket().connect(ssc.getLocalAddress());
            return "connected";
        });
        o.state("nb after adaptor connect", nb);
        SocketChannel nb2 = open(o);
        nb2.configureBlocking(false);
        Selector sel = o.track(o.provider.openSelector());
        if (!nb2.connect(ssc.getLocalAddress())) {
            SelectionKey k = nb2.register(sel, OP_CONNECT);
            Net.awaitReady(sel, k, OP_CONNECT);
            nb2.finishConnect();
        }
        o.call("nb stream read", () -> nb2.socket().getInputStream().read());
        o.call("nb stream write", () -> {
            nb2.socket().getOutputStream().write(1);
            return "written";
        });
        o.call("bind via adaptor", () -> {
            Socket s2 = open(o).socket();
            s2.bind(new InetSocketAddress(Net.loopback(o.family), 0));
            return s2.getLocalSocketAddress();
        });
        o.call("bind null via adaptor", () -> {
            Socket s2 = open(o).socket();
            s2.bind(null);
            return s2.getLocalSocketAddress();
        });
    }

    static void serverSocketAdaptor(Outcome o) throws Exception {
        ServerSocketChannel ssc = o.track(o.provider.openServerSocketChannel(o.family));
        ServerSocket ss = ssc.socket();
        o.call("getChannel same", () -> ss.getChannel() == ssc);
        o.call("getLocalSocketAddress unbound", ss::getLocalSocketAddress);
        o.call("getInetAddress unbound", ss::getInetAddress);
        o.call("getLocalPort unbound", ss::getLocalPort);
        o.call("isBound", ss::isBound);
        o.call("accept unbound", ss::accept);
        o.call("getSoTimeout", ss::getSoTimeout);
        o.call("getReuseAddress", ss::getReuseAddress);
        o.run("setReceiveBufferSize", () -> ss.setReceiveBufferSize(65536));
        o.call("getReceiveBufferSize", ss::getReceiveBufferSize);
        o.run("bind", () -> ss.bind(new InetSocketAddress(Net.loopback(o.family), 0), 10));
        o.call("isBound", ss::isBound);
        o.call("getLocalSocketAddress", ss::getLocalSocketAddress);
        o.call("getInetAddress", ss::getInetAddress);
        o.call("bind again", () -> {
            ss.bind(new InetSocketAddress(Net.loopback(o.family), 0));
            return "bound";
        });
        o.run("setSoTimeout 50", () -> ss.setSoTimeout(50));
        o.call("timed accept", ss::accept);
        o.state("after timed accept", ssc);
        SocketChannel c = open(o);
        c.connect(ssc.getLocalAddress());
        Socket accepted = o.call("accept", ss::accept);
        if (accepted != null) {
            o.track(accepted);
            o.call("accepted channel", accepted::getChannel);
            o.call("accepted channel provider", () -> accepted.getChannel().provider() == o.provider);
            o.call("accepted blocking", () -> accepted.getChannel().isBlocking());
            o.call("accepted connected", accepted::isConnected);
            o.call("accepted remote == client local",
                    () -> accepted.getRemoteSocketAddress().equals(c.getLocalAddress()));
            o.call("accepted soTimeout", accepted::getSoTimeout);
        }
        ssc.configureBlocking(false);
        o.call("accept non-blocking", ss::accept);
        ssc.configureBlocking(true);
        o.run("close", ss::close);
        o.state("closed", ssc);
        o.call("isClosed", ss::isClosed);
        o.call("accept closed", ss::accept);
        o.call("getLocalSocketAddress closed", ss::getLocalSocketAddress);
        o.call("getLocalPort closed", () -> ss.getLocalPort() > 0);
        o.call("getSoTimeout closed", ss::getSoTimeout);
        o.run("bind closed", () -> ss.bind(null));
        o.run("setReceiveBufferSize closed", () -> ss.setReceiveBufferSize(1024));
    }

    static void dualStack(Outcome o) throws Exception {
        // an INET6 socket talking to an IPv4 listener, and an INET socket refusing IPv6 addresses
        ServerSocketChannel ssc4 = o.track(Net.listen(o.provider, StandardProtocolFamily.INET, 10));
        SocketChannel ch6 = o.track(o.provider.openSocketChannel(StandardProtocolFamily.INET6));
        o.call("INET6 connect to 127.0.0.1", () -> ch6.connect(ssc4.getLocalAddress()));
        o.call("local", ch6::getLocalAddress);
        o.call("remote", ch6::getRemoteAddress);
        SocketChannel acc = o.track(ssc4.accept());
        o.call("accepted remote", acc::getRemoteAddress);
        SocketChannel ch4 = o.track(o.provider.openSocketChannel(StandardProtocolFamily.INET));
        o.call("INET connect to ::1", () -> ch4.connect(new InetSocketAddress(Net.LOOPBACK6, 9)));
        o.call("INET bind ::1", () -> ch4.bind(new InetSocketAddress(Net.LOOPBACK6, 0)));
        o.state("INET after", ch4);
        ServerSocketChannel ssc6 = o.track(o.provider.openServerSocketChannel(StandardProtocolFamily.INET6));
        o.call("INET6 server bind 127.0.0.1", () -> ssc6.bind(new InetSocketAddress(Net.LOOPBACK4, 0)) == ssc6);
        o.call("INET6 server local", ssc6::getLocalAddress);
        ServerSocketChannel ssc4b = o.track(o.provider.openServerSocketChannel(StandardProtocolFamily.INET));
        o.call("INET server bind ::1", () -> ssc4b.bind(new InetSocketAddress(Net.LOOPBACK6, 0)));
        o.call("unsupported family", () -> o.provider.openSocketChannel(new ProtocolFamily() {
            @Override
            public String name() {
                return "BOGUS";
            }
        }));
        o.call("null family", () -> o.provider.openSocketChannel(null));
        o.call("null server family", () -> o.provider.openServerSocketChannel(null));
    }

    static void pipe(Outcome o) throws Exception {
        Pipe p = o.provider.openPipe();
        Pipe.SourceChannel src = o.track(p.source());
        Pipe.SinkChannel sink = o.track(p.sink());
        o.call("source type", () -> src);
        o.call("sink type", () -> sink);
        o.call("provider", () -> src.provider() == o.provider && sink.provider() == o.provider);
        o.state("source", src);
        o.state("sink", sink);
        o.note("validOps", src.validOps() + "/" + sink.validOps());
        o.call("write", () -> sink.write(ascii("hello")));
        ByteBuffer b = ByteBuffer.allocate(3);
        o.call("read", () -> src.read(b));
        ByteBuffer[] bs = {ByteBuffer.allocate(1), ByteBuffer.allocateDirect(5)};
        o.call("scatter", () -> src.read(bs, 0, 2));
        o.note("bufs", text(b) + "|" + text(bs[0]) + "|" + text(bs[1]));
        o.call("gather", () -> sink.write(new ByteBuffer[] {ascii("ab"), ascii("cd").asReadOnlyBuffer()}, 0, 2));
        o.call("read rest", () -> StandardCharsets.ISO_8859_1.decode(Net.readFully(src, 4)).toString());
        o.call("read read-only", () -> src.read(ByteBuffer.allocate(2).asReadOnlyBuffer()));
        o.call("scatter bad offset", () -> src.read(bs, -1, 1));
        o.call("gather bad length", () -> sink.write(bs, 0, 3));
        src.configureBlocking(false);
        sink.configureBlocking(false);
        o.call("nb read empty", () -> src.read(ByteBuffer.allocate(4)));
        int zeros = 0;
        long total = 0;
        for (int i = 0; i < 10_000 && zeros == 0; i++) {
            int n = sink.write(ByteBuffer.allocate(8192));
            zeros += n == 0 ? 1 : 0;
            total += n;
        }
        o.note("nb write reached 0", zeros == 1);
        o.note("pipe capacity", total);
        Selector sel = o.track(o.provider.openSelector());
        o.call("register source OP_WRITE", () -> src.register(sel, OP_WRITE));
        o.call("register sink OP_READ", () -> sink.register(sel, OP_READ));
        SelectionKey ks = src.register(sel, OP_READ);
        SelectionKey kw = sink.register(sel, OP_WRITE);
        o.call("selectNow", sel::selectNow);
        o.call("source ready", ks::readyOps);
        o.call("sink ready", () -> sel.selectedKeys().contains(kw));
        ks.cancel();
        kw.cancel();
        sel.selectNow();
        src.configureBlocking(true);
        sink.configureBlocking(true);
        sink.close();
        o.state("sink closed", sink);
        o.call("write closed sink", () -> sink.write(ascii("x")));
        long drained = 0;
        ByteBuffer d = ByteBuffer.allocate(65536);
        int r;
        while ((r = src.read(d.clear())) > 0) {
            drained += r;
        }
        o.note("drained", drained);
        o.note("read at eof", r);
        o.call("read eof again", () -> src.read(ByteBuffer.allocate(4)));
        Pipe p2 = o.provider.openPipe();
        o.track(p2.sink());
        p2.source().close();
        o.call("write after source closed", () -> p2.sink().write(ascii("x")));
        o.call("read closed source", () -> p2.source().read(ByteBuffer.allocate(4)));
        o.state("sink after failed write", p2.sink());
    }

    static void registrationMisuse(Outcome o) throws Exception {
        Selector sel = o.track(o.provider.openSelector());
        Net.Conn c = pair(o);
        o.call("register blocking with bad ops", () -> c.client.register(sel, OP_ACCEPT));
        o.call("register blocking", () -> c.client.register(sel, OP_READ));
        c.client.configureBlocking(false);
        o.call("register bad ops", () -> c.client.register(sel, OP_ACCEPT));
        o.call("register null selector", () -> c.client.register(null, OP_READ));
        SelectionKey k = o.call("register", () -> c.client.register(sel, OP_READ, "a"));
        o.call("keyFor", () -> c.client.keyFor(sel) == k);
        o.call("isRegistered", c.client::isRegistered);
        o.call("configureBlocking(true) registered", () -> c.client.configureBlocking(true));
        o.call("interestOps bad", () -> k.interestOps(OP_ACCEPT));
        o.call("interestOps", () -> k.interestOps(OP_READ | OP_WRITE) == k);
        o.call("attach", () -> k.attach("b"));
        o.call("attachment", k::attachment);
        k.cancel();
        o.call("register cancelled", () -> c.client.register(sel, OP_READ));
        o.call("interestOps cancelled", () -> k.interestOps(OP_READ));
        o.call("readyOps cancelled", k::readyOps);
        o.call("isReadable cancelled", k::isReadable);
        o.call("attachment cancelled", k::attachment);
        o.call("keys contains cancelled", () -> sel.keys().contains(k));
        o.call("selectNow", sel::selectNow);
        o.call("keys contains flushed", () -> sel.keys().contains(k));
        o.call("keyFor flushed", () -> c.client.keyFor(sel));
        o.call("configureBlocking(true) after flush", () -> c.client.configureBlocking(true) == c.client);
        c.client.close();
        o.call("register closed channel", () -> c.client.register(sel, OP_READ));
        sel.close();
        c.server.configureBlocking(false);
        o.call("register closed selector", () -> c.server.register(sel, OP_READ));
        o.call("register closed selector bad ops", () -> c.server.register(sel, OP_ACCEPT));
        Selector other = o.track(o.provider.openSelector());
        SelectionKey k2 = c.server.register(other, OP_READ);
        c.server.close();
        o.call("register closed channel, open selector", () -> c.server.register(other, OP_READ));
        o.call("key of closed channel valid", k2::isValid);
    }

    static void unixDomain(Outcome o) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("edgewise-uds");
        o.track(() -> {
            try (java.util.stream.Stream<java.nio.file.Path> files = java.nio.file.Files.list(dir)) {
                for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                    java.nio.file.Files.deleteIfExists(f);
                }
            }
            java.nio.file.Files.deleteIfExists(dir);
        });
        java.net.UnixDomainSocketAddress addr = java.net.UnixDomainSocketAddress.of(dir.resolve("s"));
        ServerSocketChannel ssc = o.track(o.provider.openServerSocketChannel(StandardProtocolFamily.UNIX));
        o.call("server local unbound", ssc::getLocalAddress);
        o.call("server supportedOptions", ssc::supportedOptions);
        o.call("server bind", () -> ssc.bind(addr) == ssc);
        o.call("server local", ssc::getLocalAddress);
        o.call("server local equals", () -> addr.equals(ssc.getLocalAddress()));
        o.call("socket file exists", () -> java.nio.file.Files.exists(addr.getPath()));
        ServerSocketChannel ssc2 = o.track(o.provider.openServerSocketChannel(StandardProtocolFamily.UNIX));
        o.call("bind in use", () -> ssc2.bind(addr));
        o.call("bind inet address", () -> ssc2.bind(new InetSocketAddress(Net.LOOPBACK4, 0)));
        o.call("socket adaptor", ssc::socket);
        SocketChannel c = o.track(o.provider.openSocketChannel(StandardProtocolFamily.UNIX));
        o.state("client new", c);
        o.call("client supportedOptions", c::supportedOptions);
        o.call("client local unbound", c::getLocalAddress);
        o.call("connect inet address", () -> c.connect(new InetSocketAddress(Net.LOOPBACK4, 9)));
        o.call("connect", () -> c.connect(addr));
        o.state("client connected", c);
        o.call("client local", c::getLocalAddress);
        o.call("client remote", c::getRemoteAddress);
        SocketChannel s = o.track(ssc.accept());
        o.call("accepted local", s::getLocalAddress);
        o.call("accepted remote", s::getRemoteAddress);
        o.call("write", () -> c.write(ascii("unix!")));
        o.call("read", () -> readN(s, 5));
        o.call("gather", () -> s.write(new ByteBuffer[] {ascii("ab"), ByteBuffer.allocateDirect(2).put(ascii("cd")).flip()}));
        o.call("read back", () -> readN(c, 4));
        o.call("SO_SNDBUF set", () -> c.setOption(StandardSocketOptions.SO_SNDBUF, 65536) == c);
        o.call("TCP_NODELAY", () -> c.setOption(StandardSocketOptions.TCP_NODELAY, true));
        o.call("socket()", c::socket);
        o.call("shutdownOutput", () -> c.shutdownOutput() == c);
        o.call("peer eof", () -> s.read(ByteBuffer.allocate(4)));
        c.configureBlocking(false);
        Selector sel = o.track(o.provider.openSelector());
        SelectionKey k = c.register(sel, OP_READ);
        s.write(ascii("z"));
        Net.awaitReady(sel, k, OP_READ);
        o.call("readyOps", k::readyOps);
        o.call("nb read", () -> c.read(ByteBuffer.allocate(4)));
        o.call("nb read empty", () -> c.read(ByteBuffer.allocate(4)));
        c.close();
        o.state("client closed", c);
        o.call("read closed", () -> c.read(ByteBuffer.allocate(4)));
        o.call("peer read after close", () -> s.read(ByteBuffer.allocate(4)));
        SocketChannel un = o.track(o.provider.openSocketChannel(StandardProtocolFamily.UNIX));
        o.call("bind null", () -> un.bind(null) == un);
        o.call("bound local", un::getLocalAddress);
        ssc.close();
        o.call("socket file after server close", () -> java.nio.file.Files.exists(addr.getPath()));
        SocketChannel late = o.track(o.provider.openSocketChannel(StandardProtocolFamily.UNIX));
        o.call("connect to stale socket file", () -> late.connect(addr));
        o.state("after failed connect", late);
    }

    /** A direct buffer over {@code size} bytes of a new {@code Arena.ofShared()} or {@code ofConfined()} (JDK 22+). */
    private static ByteBuffer arenaBuffer(AutoCloseable arena, long size) throws ReflectiveOperationException {
        Object segment = Class.forName("java.lang.foreign.SegmentAllocator")
                .getMethod("allocate", long.class).invoke(arena, size);
        return (ByteBuffer) Class.forName("java.lang.foreign.MemorySegment").getMethod("asByteBuffer").invoke(segment);
    }

    private static AutoCloseable arena(String kind) throws ReflectiveOperationException {
        return (AutoCloseable) Class.forName("java.lang.foreign.Arena").getMethod(kind).invoke(null);
    }

    /**
     * Buffers over an arena's memory (JDK 22+, through reflection: the tests build for 17): usable while
     * the arena is open; once it is closed, or from a thread other than a confined arena's owner, every
     * read, write, send and receive throws (the JDK's IllegalStateException / WrongThreadException) and
     * moves no byte.
     */
    static void arenaBuffers(Outcome o) throws Exception {
        Net.Conn c = pair(o);
        AutoCloseable shared = arena("ofShared");
        ByteBuffer b = arenaBuffer(shared, 8).put(ascii("arena-ok")).flip();
        o.call("write open arena", () -> c.client.write(b));
        o.call("peer got", () -> readN(c.server, 8));
        c.server.write(ascii("1234"));
        o.call("read open arena", () -> c.client.read(b.clear().limit(2)));
        shared.close();
        o.call("write closed arena", () -> c.client.write(b.clear()));
        o.call("read closed arena", () -> c.client.read(b.clear()));
        o.call("gather with closed arena", () -> c.client.write(new ByteBuffer[] {ascii("a"), b.clear()}));
        o.call("scatter with closed arena", () -> c.client.read(new ByteBuffer[] {b.clear(), ByteBuffer.allocate(1)}));
        o.call("scatter direct with closed arena",
                () -> c.client.read(new ByteBuffer[] {ByteBuffer.allocateDirect(1), b.clear()}));
        // non-blocking: a failed read that took the bytes anyway must show as missing bytes, not a hang
        c.client.configureBlocking(false);
        ByteBuffer rest = ByteBuffer.allocate(4);
        o.call("rest still there", () -> c.client.read(rest));
        o.note("rest", text(rest));
        c.client.configureBlocking(true);
        o.state("client", c.client);

        AutoCloseable confined = arena("ofConfined");
        ByteBuffer mine = arenaBuffer(confined, 4).put(ascii("mine")).flip();
        String[] other = new String[2];
        Thread t = new Thread(() -> {
            try {
                other[0] = "wrote " + c.client.write(mine);
            } catch (Throwable e) {
                other[0] = e.getClass().getName();
            }
            try {
                other[1] = "read " + c.client.read(mine.clear());
            } catch (Throwable e) {
                other[1] = e.getClass().getName();
            }
        });
        t.start();
        t.join(10_000);
        o.note("write from another thread", other[0]);
        o.note("read from another thread", other[1]);
        o.call("write from owner", () -> c.client.write(mine.clear()));
        o.call("peer got", () -> readN(c.server, 4));
        confined.close();

        java.nio.channels.DatagramChannel x = o.track(o.provider.openDatagramChannel(o.family));
        java.nio.channels.DatagramChannel y = o.track(o.provider.openDatagramChannel(o.family));
        x.bind(new InetSocketAddress(Net.loopback(o.family), 0));
        y.bind(new InetSocketAddress(Net.loopback(o.family), 0));
        AutoCloseable gone = arena("ofShared");
        ByteBuffer d = arenaBuffer(gone, 4);
        gone.close();
        o.call("send closed arena", () -> y.send(d, x.getLocalAddress()));
        y.send(ascii("dgram"), x.getLocalAddress());
        o.call("receive closed arena", () -> x.receive(d.clear()));
        ByteBuffer r = ByteBuffer.allocate(8);
        o.call("datagram still there", () -> x.receive(r) != null);
        o.note("datagram", text(r));
    }

    static void datagram(Outcome o) throws Exception {
        java.nio.channels.DatagramChannel a = o.track(o.provider.openDatagramChannel(o.family));
        java.nio.channels.DatagramChannel b = o.track(o.provider.openDatagramChannel(o.family));
        o.state("new", a);
        o.note("validOps", a.validOps());
        o.call("supportedOptions", a::supportedOptions);
        o.call("local unbound", a::getLocalAddress);
        o.call("remote unbound", a::getRemoteAddress);
        o.call("isConnected", a::isConnected);
        o.call("read unconnected", () -> a.read(ByteBuffer.allocate(4)));
        o.call("write unconnected", () -> a.write(ascii("x")));
        o.call("send unresolved", () -> a.send(ascii("x"), InetSocketAddress.createUnresolved("localhost", 9)));
        o.call("send null", () -> a.send(ascii("x"), null));
        o.call("bind a", () -> a.bind(new InetSocketAddress(Net.loopback(o.family), 0)) == a);
        o.call("bind again", () -> a.bind(null));
        o.call("bind b", () -> b.bind(new InetSocketAddress(Net.loopback(o.family), 0)) == b);
        o.call("local", a::getLocalAddress);
        o.call("send", () -> b.send(ascii("hello"), a.getLocalAddress()));
        ByteBuffer r = ByteBuffer.allocate(3);
        SocketAddress from = o.call("receive truncated", () -> a.receive(r));
        o.call("from is b", () -> b.getLocalAddress().equals(from));
        o.note("truncated data", text(r));
        a.configureBlocking(false);
        o.call("receive nb empty", () -> a.receive(ByteBuffer.allocate(8)));
        o.call("receive read-only", () -> a.receive(ByteBuffer.allocate(8).asReadOnlyBuffer()));
        o.call("connect", () -> a.connect(b.getLocalAddress()) == a);
        o.call("isConnected", a::isConnected);
        o.call("remote", a::getRemoteAddress);
        o.call("connect again", () -> a.connect(b.getLocalAddress()) == a);
        o.call("write", () -> a.write(ascii("ping")));
        o.call("b receive", () -> {
            ByteBuffer x = ByteBuffer.allocate(8);
            b.receive(x);
            return text(x);
        });
        Selector sel = o.track(o.provider.openSelector());
        SelectionKey k = a.register(sel, OP_READ | OP_WRITE);
        b.send(ascii("pong"), a.getLocalAddress());
        Net.awaitReady(sel, k, OP_READ | OP_WRITE);
        o.call("readyOps", k::readyOps);
        o.call("read connected", () -> {
            ByteBuffer x = ByteBuffer.allocate(8);
            int n = a.read(x);
            return n + " " + text(x);
        });
        o.call("scatter read nb empty", () -> a.read(new ByteBuffer[] {ByteBuffer.allocate(2)}, 0, 1));
        o.call("gather write", () -> a.write(new ByteBuffer[] {ascii("ab"), ascii("cd")}, 0, 2));
        o.call("bad offsets", () -> a.read(new ByteBuffer[] {ByteBuffer.allocate(2)}, -1, 1));
        o.call("send to other while connected", () -> a.send(ascii("x"), new InetSocketAddress(Net.loopback(o.family), 9)));
        o.call("disconnect", () -> a.disconnect() == a);
        o.call("isConnected after disconnect", a::isConnected);
        o.call("remote after disconnect", a::getRemoteAddress);
        o.call("local after disconnect", a::getLocalAddress);
        o.call("read after disconnect", () -> a.read(ByteBuffer.allocate(4)));
        o.call("SO_RCVBUF", () -> a.setOption(StandardSocketOptions.SO_RCVBUF, 16384) == a);
        o.call("SO_BROADCAST", () -> a.setOption(StandardSocketOptions.SO_BROADCAST, true) == a);
        o.call("get SO_BROADCAST", () -> a.getOption(StandardSocketOptions.SO_BROADCAST));
        o.call("TCP_NODELAY", () -> a.setOption(StandardSocketOptions.TCP_NODELAY, true));
        o.call("socket()", () -> a.socket() != null);
        o.call("adaptor local", () -> a.socket().getLocalSocketAddress());
        k.cancel();
        a.close();
        o.state("closed", a);
        o.call("send closed", () -> a.send(ascii("x"), b.getLocalAddress()));
        o.call("receive closed", () -> a.receive(ByteBuffer.allocate(4)));
        o.call("local closed", a::getLocalAddress);
    }

    static void selectorMisuse(Outcome o) throws Exception {
        Selector sel = o.provider.openSelector();
        o.call("select -1", () -> sel.select(-1));
        o.call("select null action", () -> sel.select(null));
        o.call("selectNow", sel::selectNow);
        o.call("select 1", () -> sel.select(1));
        o.call("wakeup", () -> sel.wakeup() == sel);
        o.call("select after wakeup", () -> sel.select(0));
        o.call("keys add", () -> sel.keys().add(null));
        o.call("selectedKeys add", () -> sel.selectedKeys().add(null));
        Net.Conn c = pair(o);
        c.client.configureBlocking(false);
        SelectionKey k = c.client.register(sel, OP_WRITE);
        o.call("selectNow", sel::selectNow);
        o.call("selectNow again", sel::selectNow);
        o.call("select(action)", () -> sel.select(key -> { }, 10));
        o.call("selected size", () -> sel.selectedKeys().size());
        sel.close();
        o.call("isOpen", sel::isOpen);
        o.call("key valid", k::isValid);
        o.call("interestOps closed selector", () -> k.interestOps(OP_READ));
        o.call("interestOps() closed selector", k::interestOps);
        o.call("select", () -> sel.select(1));
        o.call("selectNow", sel::selectNow);
        o.call("keys", sel::keys);
        o.call("selectedKeys", sel::selectedKeys);
        o.call("wakeup closed", () -> sel.wakeup() == sel);
        o.run("close again", sel::close);
        o.state("channel after selector close", c.client);
        o.call("keyFor closed selector", () -> c.client.keyFor(sel));
    }
}
