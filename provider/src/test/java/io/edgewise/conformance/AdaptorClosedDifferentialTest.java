package io.edgewise.conformance;

import static io.edgewise.conformance.Differential.add;
import static io.edgewise.conformance.Differential.both;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.MulticastSocket;
import java.net.NetworkInterface;
import java.net.ProtocolFamily;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import io.edgewise.conformance.Differential.Scenario;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential scenarios for the socket adaptors and for calls on channels closed before the call
 * (issue #16 items 4-8), where the JDK's provider behaves differently between releases: each record
 * is compared exactly with the running JDK's (no mapping of AsynchronousCloseException to
 * ClosedChannelException), and exception messages are part of the record where programs match on them.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AdaptorClosedDifferentialTest {


    static Stream<Arguments> scenarios() {
        List<Arguments> out = new ArrayList<>();
        both(out, "server socket adaptor accept, non-blocking", AdaptorClosedDifferentialTest::adaptorAcceptNonBlocking);
        both(out, "server socket adaptor accept, closed", AdaptorClosedDifferentialTest::adaptorAcceptClosed);
        both(out, "stream channels closed before the call", AdaptorClosedDifferentialTest::streamClosedBeforeCall);
        add(out, "unix channels closed before the call", StandardProtocolFamily.UNIX,
                AdaptorClosedDifferentialTest::unixClosedBeforeCall);
        add(out, "pipe closed before the call", StandardProtocolFamily.INET,
                AdaptorClosedDifferentialTest::pipeClosedBeforeCall);
        both(out, "datagram closed before the call", AdaptorClosedDifferentialTest::datagramClosedBeforeCall);
        both(out, "datagram adaptor keeps the packet's buffer length", AdaptorClosedDifferentialTest::packetBufferLength);
        both(out, "datagram adaptor interrupted in receive", AdaptorClosedDifferentialTest::adaptorReceiveInterrupted);
        both(out, "datagram adaptor interrupted while blocked in receive",
                AdaptorClosedDifferentialTest::adaptorReceiveInterruptedWhileBlocked);
        both(out, "datagram adaptor is a MulticastSocket", AdaptorClosedDifferentialTest::multicastSocket);
        both(out, "datagram adaptor multicast, closed", AdaptorClosedDifferentialTest::multicastSocketClosed);
        return out.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void sameOutcomeOnBothProviders(Scenario s, ProtocolFamily family) throws Exception {
        Differential.assertSameOutcome(s, family, true);
    }

    /** Records the value of {@code s}, or the class and message of what it threw. */
    private static <T> T msg(Outcome o, String label, Outcome.Step<T> s) {
        try {
            T v = s.get();
            o.note(label, v);
            return v;
        } catch (Throwable t) {
            o.note(label + " !!", t.getClass().getName() + ": " + t.getMessage());
            return null;
        }
    }

    // ---- item 4: ServerSocket.accept() of a non-blocking channel's adaptor

    private static void adaptorAcceptNonBlocking(Outcome o) throws Exception {
        ServerSocketChannel ssc = o.track(Net.listen(o.provider, o.family, 50));
        ServerSocket ss = ssc.socket();
        ssc.configureBlocking(false);
        o.call("accept, nothing queued", ss::accept);
        SocketChannel client = o.track(o.provider.openSocketChannel(o.family));
        client.connect(Net.local(ssc));   // blocking: the connection is queued when this returns
        Socket s = o.call("accept, one queued", ss::accept);
        if (s != null) {
            o.track(s);
            o.note("accepted channel blocking", s.getChannel().isBlocking());
            o.note("accepted connected", s.isConnected());
        }
        o.call("accept, queue empty again", ss::accept);

        SocketChannel second = o.track(o.provider.openSocketChannel(o.family));
        second.connect(Net.local(ssc));
        ss.setSoTimeout(200);   // with SO_TIMEOUT the adaptor requires blocking mode
        o.call("timed accept, non-blocking, one queued", ss::accept);
        ss.setSoTimeout(0);
        Socket s2 = o.call("accept, still queued", ss::accept);
        o.track(s2);

        ssc.configureBlocking(true);
        SocketChannel third = o.track(o.provider.openSocketChannel(o.family));
        third.connect(Net.local(ssc));
        o.track(o.call("accept, blocking", ss::accept));
    }

    private static void adaptorAcceptClosed(Outcome o) throws Exception {
        ServerSocketChannel blocking = o.track(Net.listen(o.provider, o.family, 50));
        ServerSocket a = blocking.socket();
        blocking.close();
        o.call("adaptor accept, blocking, closed", a::accept);

        ServerSocketChannel timed = o.track(Net.listen(o.provider, o.family, 50));
        ServerSocket b = timed.socket();
        b.setSoTimeout(100);
        timed.close();
        o.call("adaptor timed accept, closed", b::accept);

        ServerSocketChannel nonBlocking = o.track(Net.listen(o.provider, o.family, 50));
        nonBlocking.configureBlocking(false);
        ServerSocket c = nonBlocking.socket();
        nonBlocking.close();
        o.call("adaptor accept, non-blocking, closed", c::accept);
        o.call("accept, non-blocking, closed", nonBlocking::accept);
    }

    // ---- item 8: channels closed before the call

    private static void streamClosedBeforeCall(Outcome o) throws Exception {
        ServerSocketChannel ssc = o.track(Net.listen(o.provider, o.family, 50));
        InetSocketAddress target = Net.local(ssc);

        SocketChannel a = o.track(o.provider.openSocketChannel(o.family));
        a.close();
        o.call("connect, blocking, closed", () -> a.connect(target));
        o.call("finishConnect, blocking, closed", a::finishConnect);

        SocketChannel b = o.track(o.provider.openSocketChannel(o.family));
        b.configureBlocking(false);
        b.close();
        o.call("connect, non-blocking, closed", () -> b.connect(target));
        o.call("finishConnect, non-blocking, closed", b::finishConnect);

        SocketChannel c = o.track(o.provider.openSocketChannel(o.family));
        Socket cs = c.socket();
        c.close();
        o.call("adaptor connect, closed", () -> {
            cs.connect(target);
            return null;
        });
        o.call("adaptor timed connect, closed", () -> {
            cs.connect(target, 1000);
            return null;
        });

        ServerSocketChannel blocking = o.track(Net.listen(o.provider, o.family, 50));
        blocking.close();
        o.call("accept, blocking, closed", blocking::accept);
        ServerSocketChannel unbound = o.track(o.provider.openServerSocketChannel(o.family));
        unbound.close();
        o.call("accept, blocking, closed, unbound", unbound::accept);
        ServerSocketChannel nonBlocking = o.track(Net.listen(o.provider, o.family, 50));
        nonBlocking.configureBlocking(false);
        nonBlocking.close();
        o.call("accept, non-blocking, closed", nonBlocking::accept);

        Net.Conn conn = o.track(Net.connect(o.provider, o.family, ssc));
        conn.client.close();
        o.call("read, blocking, closed", () -> conn.client.read(ByteBuffer.allocate(8)));
        o.call("write, blocking, closed", () -> conn.client.write(ByteBuffer.allocate(8)));
    }

    private static void unixClosedBeforeCall(Outcome o) throws Exception {
        ServerSocketChannel ssc = o.track(o.provider.openServerSocketChannel(StandardProtocolFamily.UNIX));
        ssc.bind(null);
        SocketAddress target = ssc.getLocalAddress();
        try {
            SocketChannel a = o.track(o.provider.openSocketChannel(StandardProtocolFamily.UNIX));
            a.close();
            o.call("unix connect, blocking, closed", () -> a.connect(target));
            o.call("unix finishConnect, blocking, closed", a::finishConnect);
            SocketChannel b = o.track(o.provider.openSocketChannel(StandardProtocolFamily.UNIX));
            b.configureBlocking(false);
            b.close();
            o.call("unix connect, non-blocking, closed", () -> b.connect(target));

            ServerSocketChannel blocking = o.track(o.provider.openServerSocketChannel(StandardProtocolFamily.UNIX));
            blocking.close();
            o.call("unix accept, blocking, closed", blocking::accept);
            ServerSocketChannel nonBlocking = o.track(o.provider.openServerSocketChannel(StandardProtocolFamily.UNIX));
            nonBlocking.configureBlocking(false);
            nonBlocking.close();
            o.call("unix accept, non-blocking, closed", nonBlocking::accept);
        } finally {
            java.nio.file.Files.deleteIfExists(((java.net.UnixDomainSocketAddress) target).getPath());
        }
    }

    private static void pipeClosedBeforeCall(Outcome o) throws Exception {
        Pipe blocking = o.provider.openPipe();
        o.track(blocking.sink());
        o.track(blocking.source());
        blocking.sink().close();
        blocking.source().close();
        o.call("sink write, blocking, closed", () -> blocking.sink().write(ByteBuffer.allocate(4)));
        o.call("sink gathering write, blocking, closed",
                () -> blocking.sink().write(new ByteBuffer[] {ByteBuffer.allocate(4)}));
        o.call("source read, blocking, closed", () -> blocking.source().read(ByteBuffer.allocate(4)));
        o.call("source scattering read, blocking, closed",
                () -> blocking.source().read(new ByteBuffer[] {ByteBuffer.allocate(4)}));

        Pipe nonBlocking = o.provider.openPipe();
        o.track(nonBlocking.sink());
        o.track(nonBlocking.source());
        nonBlocking.sink().configureBlocking(false);
        nonBlocking.source().configureBlocking(false);
        nonBlocking.sink().close();
        nonBlocking.source().close();
        o.call("sink write, non-blocking, closed", () -> nonBlocking.sink().write(ByteBuffer.allocate(4)));
        o.call("source read, non-blocking, closed", () -> nonBlocking.source().read(ByteBuffer.allocate(4)));
    }

    private static void datagramClosedBeforeCall(Outcome o) throws Exception {
        InetSocketAddress target = new InetSocketAddress(Net.loopback(o.family), 9);
        for (boolean blocking : new boolean[] {true, false}) {
            for (boolean connected : new boolean[] {false, true}) {
                String how = (blocking ? "blocking" : "non-blocking") + (connected ? ", connected" : "");
                DatagramChannel dc = o.track(o.provider.openDatagramChannel(o.family));
                if (connected) dc.connect(target);
                dc.configureBlocking(blocking);
                dc.close();
                o.call("send, " + how, () -> dc.send(ByteBuffer.allocate(4), target));
                o.call("receive, " + how, () -> dc.receive(ByteBuffer.allocate(4)));
                o.call("read, " + how, () -> dc.read(ByteBuffer.allocate(4)));
                o.call("scattering read, " + how, () -> dc.read(new ByteBuffer[] {ByteBuffer.allocate(4)}));
                o.call("write, " + how, () -> dc.write(ByteBuffer.allocate(4)));
                o.call("gathering write, " + how, () -> dc.write(new ByteBuffer[] {ByteBuffer.allocate(4)}));
            }
        }
        DatagramChannel dc = o.track(o.provider.openDatagramChannel(o.family));
        DatagramSocket ds = dc.socket();
        dc.close();
        msg(o, "adaptor receive, closed", () -> {
            ds.receive(new DatagramPacket(new byte[4], 4));
            return null;
        });
        msg(o, "adaptor send, closed", () -> {
            ds.send(new DatagramPacket(new byte[4], 4, target));
            return null;
        });
    }

    // ---- item 5: receive keeps the packet's buffer length

    private static DatagramChannel boundDatagram(Outcome o) throws Exception {
        DatagramChannel dc = o.track(o.provider.openDatagramChannel(o.family));
        dc.bind(new InetSocketAddress(Net.loopback(o.family), 0));
        return dc;
    }

    private static void sendTo(DatagramChannel from, SocketAddress to, int size) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(size);
        for (int i = 0; i < size; i++) b.put((byte) (i + 1));
        from.send(b.flip(), to);
    }

    private static String packet(DatagramPacket p) {
        byte[] d = p.getData();
        int sum = 0;
        for (int i = p.getOffset(); i < p.getOffset() + p.getLength(); i++) sum += d[i];
        return "offset=" + p.getOffset() + " length=" + p.getLength() + " sum=" + sum
                + " sender=" + Outcome.describe(p.getSocketAddress());
    }

    private static void packetBufferLength(Outcome o) throws Exception {
        DatagramChannel dc = boundDatagram(o);
        DatagramSocket adaptor = dc.socket();
        adaptor.setSoTimeout(5000);
        SocketAddress local = dc.getLocalAddress();
        DatagramChannel sender = boundDatagram(o);
        // a java.net socket: the JDK's own implementation whatever the provider
        DatagramSocket plain = o.track(new DatagramSocket(new InetSocketAddress(Net.loopback(o.family), 0)));
        plain.setSoTimeout(5000);

        DatagramPacket p = new DatagramPacket(new byte[100], 100);
        sendTo(sender, local, 10);
        adaptor.receive(p);
        o.note("adaptor receive 10", packet(p));
        sendTo(sender, plain.getLocalSocketAddress(), 80);
        plain.receive(p);
        o.note("then java.net receive 80", packet(p));
        sendTo(sender, local, 90);
        adaptor.receive(p);
        o.note("then adaptor receive 90", packet(p));
        sendTo(sender, local, 120);
        adaptor.receive(p);
        o.note("then adaptor receive 120 (truncated)", packet(p));

        // shrunk by a java.net receive first: the adaptor still fills the whole buffer
        DatagramPacket q = new DatagramPacket(new byte[64], 8, 50);
        sendTo(sender, plain.getLocalSocketAddress(), 5);
        plain.receive(q);
        o.note("java.net receive 5", packet(q));
        sendTo(sender, local, 70);
        adaptor.receive(q);
        o.note("then adaptor receive 70", packet(q));
        q.setLength(20);
        sendTo(sender, local, 30);
        adaptor.receive(q);
        o.note("after setLength(20), adaptor receive 30", packet(q));

        DatagramPacket empty = new DatagramPacket(new byte[4], 0);
        sendTo(sender, local, 3);
        adaptor.receive(empty);
        o.note("zero-length packet", packet(empty));
    }

    // ---- item 7: interrupted in receive

    private static void adaptorReceiveInterrupted(Outcome o) throws Exception {
        DatagramChannel dc = boundDatagram(o);
        DatagramSocket adaptor = dc.socket();
        Thread.currentThread().interrupt();
        try {
            msg(o, "receive, interrupted", () -> {
                adaptor.receive(new DatagramPacket(new byte[8], 8));
                return null;
            });
        } finally {
            o.note("interrupt status", Thread.interrupted());
        }
        o.note("channel open", dc.isOpen());
        o.note("adaptor closed", adaptor.isClosed());
    }

    private static void adaptorReceiveInterruptedWhileBlocked(Outcome o) throws Exception {
        DatagramChannel dc = boundDatagram(o);
        DatagramSocket adaptor = dc.socket();
        java.util.concurrent.atomic.AtomicReference<Throwable> thrown = new java.util.concurrent.atomic.AtomicReference<>();
        boolean[] interruptStatus = new boolean[1];
        Thread t = new Thread(() -> {
            try {
                adaptor.receive(new DatagramPacket(new byte[8], 8));
            } catch (Throwable e) {
                thrown.set(e);
            }
            interruptStatus[0] = Thread.currentThread().isInterrupted();
        });
        t.start();
        Net.awaitBlocked(t);   // if it is not yet blocked, the interrupt is seen on entry: same outcome
        t.interrupt();
        t.join(10_000);
        o.note("receiver ended", !t.isAlive());
        Throwable e = thrown.get();
        o.note("receive threw", e == null ? "nothing" : e.getClass().getName() + ": " + e.getMessage());
        o.note("interrupt status", interruptStatus[0]);
        o.note("channel open", dc.isOpen());
    }

    // ---- item 6: MulticastSocket

    private static String describe(NetworkInterface ni) {
        if (ni == null) return "null";
        String addrs = ni.inetAddresses().map(Outcome::describe).sorted().collect(Collectors.joining(","));
        return "ni(index=" + ni.getIndex() + " name=" + ni.getName() + " addrs=[" + addrs + "])";
    }

    private static InetAddress group(Outcome o) {
        return Net.addr(o.family == StandardProtocolFamily.INET ? "239.255.1.2" : "ff15::1:2");
    }

    private static void multicastSocket(Outcome o) throws Exception {
        DatagramChannel dc = boundDatagram(o);
        DatagramSocket ds = dc.socket();
        o.note("is MulticastSocket", ds instanceof MulticastSocket);
        if (!(ds instanceof MulticastSocket)) {
            return;
        }
        @SuppressWarnings("deprecation")
        MulticastSocket ms = (MulticastSocket) ds;
        msg(o, "getTimeToLive", ms::getTimeToLive);
        msg(o, "setTimeToLive(5)", () -> {
            ms.setTimeToLive(5);
            return ms.getTimeToLive();
        });
        msg(o, "setTimeToLive(-1)", () -> {
            ms.setTimeToLive(-1);
            return null;
        });
        msg(o, "setTimeToLive(256)", () -> {
            ms.setTimeToLive(256);
            return null;
        });
        msg(o, "setTTL(200)", () -> {
            ms.setTTL((byte) 200);
            return ms.getTimeToLive() + "/" + ms.getTTL();
        });
        msg(o, "getLoopbackMode", ms::getLoopbackMode);
        msg(o, "setLoopbackMode(true)", () -> {
            ms.setLoopbackMode(true);
            return ms.getLoopbackMode() + "/" + dc.getOption(java.net.StandardSocketOptions.IP_MULTICAST_LOOP);
        });
        msg(o, "getNetworkInterface, none set", () -> describe(ms.getNetworkInterface()));
        InetSocketAddress other = new InetSocketAddress(Net.addr(o.family == StandardProtocolFamily.INET
                ? "239.255.1.3" : "ff15::1:3"), 0);
        msg(o, "joinGroup(group, null), no interface set", () -> {
            ms.joinGroup(other, null);
            return null;
        });
        msg(o, "leaveGroup(group, null), no interface set", () -> {
            ms.leaveGroup(other, null);
            return null;
        });
        msg(o, "getInterface, none set", ms::getInterface);
        msg(o, "setInterface(null)", () -> {
            ms.setInterface(null);
            return null;
        });
        msg(o, "setInterface(address of no interface)", () -> {
            ms.setInterface(Net.addr(o.family == StandardProtocolFamily.INET ? "192.0.2.231" : "2001:db8::e7"));
            return null;
        });
        msg(o, "setNetworkInterface(null)", () -> {
            ms.setNetworkInterface(null);
            return null;
        });
        NetworkInterface lo = NetworkInterface.getByInetAddress(Net.loopback(o.family));
        msg(o, "setNetworkInterface(lo)", () -> {
            ms.setNetworkInterface(lo);
            return describe(ms.getNetworkInterface()) + " " + Outcome.describe(ms.getInterface());
        });
        msg(o, "setInterface(loopback)", () -> {
            ms.setInterface(Net.loopback(o.family));
            return describe(ms.getNetworkInterface()) + " " + Outcome.describe(ms.getInterface());
        });

        InetAddress group = group(o);
        msg(o, "joinGroup(non-multicast)", () -> {
            ms.joinGroup(new InetSocketAddress(Net.loopback(o.family), 0), null);
            return null;
        });
        msg(o, "joinGroup(InetAddress non-multicast)", () -> {
            ms.joinGroup(Net.loopback(o.family));
            return null;
        });
        msg(o, "joinGroup(unresolved)", () -> {
            ms.joinGroup(InetSocketAddress.createUnresolved("group.invalid", 0), null);
            return null;
        });
        msg(o, "joinGroup(null)", () -> {
            ms.joinGroup(null, null);
            return null;
        });
        msg(o, "joinGroup(InetAddress null)", () -> {
            ms.joinGroup((InetAddress) null);
            return null;
        });
        msg(o, "joinGroup(InetAddress), outgoing interface set", () -> {
            ms.joinGroup(other.getAddress());
            return dc.getOption(java.net.StandardSocketOptions.IP_MULTICAST_IF).getName();
        });
        msg(o, "leaveGroup(InetAddress)", () -> {
            ms.leaveGroup(other.getAddress());
            return null;
        });
        msg(o, "leaveGroup, not a member", () -> {
            ms.leaveGroup(new InetSocketAddress(group, 0), lo);
            return null;
        });
        // lo has no MULTICAST flag here: whatever the kernel says, both must say it the same way
        msg(o, "joinGroup(group, lo)", () -> {
            ms.joinGroup(new InetSocketAddress(group, 0), lo);
            return null;
        });
        msg(o, "joinGroup(group, lo) again", () -> {
            ms.joinGroup(new InetSocketAddress(group, 0), lo);
            return null;
        });
        if (o.family == StandardProtocolFamily.INET) {
            msg(o, "joinGroup(IPv6 group) on an IPv4 socket", () -> {
                ms.joinGroup(new InetSocketAddress(Net.addr("ff15::1:2"), 0), lo);
                return null;
            });
        }
        msg(o, "send(p, ttl) keeps the ttl", () -> {
            ms.setTimeToLive(3);
            DatagramChannel peer = boundDatagram(o);
            ms.send(new DatagramPacket(new byte[3], 3, peer.getLocalAddress()), (byte) 7);
            return ms.getTimeToLive();
        });
    }

    private static void multicastSocketClosed(Outcome o) throws Exception {
        DatagramChannel dc = boundDatagram(o);
        DatagramSocket ds = dc.socket();
        o.note("is MulticastSocket", ds instanceof MulticastSocket);
        if (!(ds instanceof MulticastSocket)) {
            return;
        }
        @SuppressWarnings("deprecation")
        MulticastSocket ms = (MulticastSocket) ds;
        ms.close();
        InetSocketAddress group = new InetSocketAddress(group(o), 0);
        NetworkInterface lo = NetworkInterface.getByInetAddress(Net.loopback(o.family));
        msg(o, "getTimeToLive", ms::getTimeToLive);
        msg(o, "setTimeToLive", () -> {
            ms.setTimeToLive(2);
            return null;
        });
        msg(o, "getTTL", ms::getTTL);
        msg(o, "getLoopbackMode", ms::getLoopbackMode);
        msg(o, "setLoopbackMode", () -> {
            ms.setLoopbackMode(false);
            return null;
        });
        msg(o, "getNetworkInterface", () -> describe(ms.getNetworkInterface()));
        msg(o, "setNetworkInterface", () -> {
            ms.setNetworkInterface(lo);
            return null;
        });
        msg(o, "getInterface", ms::getInterface);
        msg(o, "setInterface", () -> {
            ms.setInterface(Net.loopback(o.family));
            return null;
        });
        msg(o, "joinGroup", () -> {
            ms.joinGroup(group, lo);
            return null;
        });
        msg(o, "joinGroup, no interface", () -> {
            ms.joinGroup(group, null);
            return null;
        });
        msg(o, "joinGroup(InetAddress)", () -> {
            ms.joinGroup(group.getAddress());
            return null;
        });
        msg(o, "leaveGroup", () -> {
            ms.leaveGroup(group, lo);
            return null;
        });
        msg(o, "joinGroup(non-multicast), closed", () -> {
            ms.joinGroup(new InetSocketAddress(Net.loopback(o.family), 0), lo);
            return null;
        });
        msg(o, "send(p, ttl)", () -> {
            ms.send(new DatagramPacket(new byte[3], 3, new InetSocketAddress(Net.loopback(o.family), 9)), (byte) 7);
            return null;
        });
        msg(o, "isClosed", ms::isClosed);
    }

    // ---- the adaptor overrides all of DatagramSocket and MulticastSocket

    /**
     * The adaptor's MulticastSocket superclass delegates to a JDK socket that it closes at once; a public
     * method it did not override would reach that closed socket.
     */
    @Test
    void adaptorOverridesEveryPublicMethod() throws Exception {
        try (DatagramChannel dc = Providers.edgewise().openDatagramChannel()) {
            Class<?> c = dc.socket().getClass();
            List<String> missing = new ArrayList<>();
            for (Class<?> k : new Class<?>[] {DatagramSocket.class, MulticastSocket.class}) {
                for (Method m : k.getDeclaredMethods()) {
                    int mod = m.getModifiers();
                    if (!Modifier.isPublic(mod) || Modifier.isStatic(mod)) continue;
                    try {
                        c.getDeclaredMethod(m.getName(), m.getParameterTypes());
                    } catch (NoSuchMethodException e) {
                        missing.add(k.getSimpleName() + "." + m.getName() + Arrays.toString(m.getParameterTypes()));
                    }
                }
            }
            assertEquals(List.of(), missing);
        }
    }
}
