package io.edgewise.conformance;

import static io.edgewise.conformance.Differential.add;

import static java.nio.channels.SelectionKey.OP_READ;

import java.io.Closeable;
import java.net.ProtocolFamily;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import jdk.net.ExtendedSocketOptions;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import io.edgewise.conformance.Differential.Scenario;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential scenarios of issue #16 (selector, options, IOV_MAX, peer credentials, messages): each
 * runs on the JDK's provider and on Edgewise and the records must be equal. Unlike
 * {@link DifferentialTest}, steps recorded with {@link #msg} keep the exception's message too, because
 * programs and logs match on it.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SelectorOptionsDifferentialTest {


    static Stream<Arguments> scenarios() {
        List<Arguments> out = new ArrayList<>();
        add(out, "selected-key set is ungrowable", StandardProtocolFamily.INET,
                SelectorOptionsDifferentialTest::ungrowableSelectedKeys);
        add(out, "one select reports hundreds of ready keys", StandardProtocolFamily.INET,
                SelectorOptionsDifferentialTest::manyReadyKeys);
        add(out, "option check order: socket", StandardProtocolFamily.INET, o -> optionMatrix(o, socket(o)));
        add(out, "option check order: socket", StandardProtocolFamily.INET6, o -> optionMatrix(o, socket(o)));
        add(out, "option check order: server socket", StandardProtocolFamily.INET,
                o -> optionMatrix(o, o.track(o.provider.openServerSocketChannel(o.family))));
        add(out, "option check order: datagram", StandardProtocolFamily.INET,
                o -> optionMatrix(o, o.track(o.provider.openDatagramChannel(o.family))));
        add(out, "option check order: datagram", StandardProtocolFamily.INET6,
                o -> optionMatrix(o, o.track(o.provider.openDatagramChannel(o.family))));
        add(out, "option check order: unix socket", StandardProtocolFamily.UNIX,
                o -> optionMatrix(o, o.track(o.provider.openSocketChannel(o.family))));
        add(out, "option check order: unix server socket", StandardProtocolFamily.UNIX,
                o -> optionMatrix(o, o.track(o.provider.openServerSocketChannel(o.family))));
        add(out, "adaptor option check order: socket", StandardProtocolFamily.INET,
                SelectorOptionsDifferentialTest::socketAdaptorOptions);
        add(out, "adaptor option check order: server socket", StandardProtocolFamily.INET,
                SelectorOptionsDifferentialTest::serverSocketAdaptorOptions);
        add(out, "adaptor option check order: datagram socket", StandardProtocolFamily.INET,
                SelectorOptionsDifferentialTest::datagramSocketAdaptorOptions);
        add(out, "peer credentials", StandardProtocolFamily.UNIX, SelectorOptionsDifferentialTest::peerCredentials);
        add(out, "messages: selection keys", StandardProtocolFamily.INET, SelectorOptionsDifferentialTest::keyMessages);
        add(out, "messages: connect and I/O errors", StandardProtocolFamily.INET,
                SelectorOptionsDifferentialTest::ioMessages);
        add(out, "messages: connect and I/O errors", StandardProtocolFamily.INET6,
                SelectorOptionsDifferentialTest::ioMessages);
        add(out, "messages: unresolved address", StandardProtocolFamily.INET,
                SelectorOptionsDifferentialTest::unresolvedMessages);
        add(out, "more buffers than IOV_MAX: stream socket", StandardProtocolFamily.INET,
                SelectorOptionsDifferentialTest::iovMaxStream);
        add(out, "more buffers than IOV_MAX: unix socket", StandardProtocolFamily.UNIX,
                SelectorOptionsDifferentialTest::iovMaxStream);
        add(out, "more buffers than IOV_MAX: pipe", StandardProtocolFamily.INET,
                SelectorOptionsDifferentialTest::iovMaxPipe);
        add(out, "more buffers than IOV_MAX: datagram", StandardProtocolFamily.INET,
                SelectorOptionsDifferentialTest::iovMaxDatagram);
        return out.stream();
    }

    private static java.nio.channels.SocketChannel socket(Outcome o) throws java.io.IOException {
        return o.track(o.provider.openSocketChannel(o.family));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void sameOutcomeOnBothProviders(Scenario s, ProtocolFamily family) throws Exception {
        Differential.assertSameOutcome(s, family, true);
    }

    /** Records the step's value, or the class and message of what it threw. */
    static <T> void msg(Outcome o, String label, Outcome.Step<T> s) {
        o.note(label, describeWithMessage(s));
    }

    static <T> String describeWithMessage(Outcome.Step<T> s) {
        try {
            return Outcome.describe(s.get());
        } catch (Throwable t) {
            return "!! " + t.getClass().getName() + ": " + t.getMessage();
        }
    }

    // ---------------------------------------------------------------------------------- item 1

    /** add/addAll throw UnsupportedOperationException for any argument, before looking at it. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void ungrowableSelectedKeys(Outcome o) throws Exception {
        Selector sel = o.track(o.provider.openSelector());
        Pipe p = o.provider.openPipe();
        o.track(p.sink());
        o.track(p.source());
        p.source().configureBlocking(false);
        SelectionKey key = p.source().register(sel, OP_READ);
        Set<SelectionKey> keys = sel.selectedKeys();
        Set raw = keys;
        msg(o, "add(key)", () -> keys.add(key));
        msg(o, "add(null)", () -> keys.add(null));
        msg(o, "add(non-key)", () -> raw.add("not a key"));
        msg(o, "addAll(empty)", () -> keys.addAll(List.of()));
        msg(o, "addAll(key)", () -> keys.addAll(List.of(key)));
        msg(o, "addAll(non-keys)", () -> raw.addAll(List.of("a", 1)));
        msg(o, "addAll(null)", () -> keys.addAll(null));
        msg(o, "contains(non-key)", () -> raw.contains("x"));
        msg(o, "contains(null)", () -> keys.contains(null));
        msg(o, "remove(non-key)", () -> raw.remove("x"));
        msg(o, "remove(null)", () -> keys.remove(null));
        msg(o, "removeAll(null)", () -> keys.removeAll(null));
        msg(o, "retainAll(null)", () -> keys.retainAll(null));
        p.sink().write(ByteBuffer.wrap(new byte[] {1}));
        msg(o, "selectNow", sel::selectNow);
        msg(o, "add(selected key)", () -> keys.add(key));
        msg(o, "addAll(empty) with a key in", () -> keys.addAll(List.of()));
        msg(o, "size", keys::size);
        msg(o, "remove(key)", () -> keys.remove(key));
        msg(o, "size after remove", keys::size);
    }

    // ---------------------------------------------------------------------------------- item 2

    /**
     * 300 ready pipes are selected by one selectNow; 1100 take two (the JDK asks the kernel for at most
     * min(fd limit, 1024) events per call). libkqueue (kqueue on Linux, a test platform) returns at most
     * 512 events per call whatever is asked, so there only the 300 case runs.
     */
    private static void manyReadyKeys(Outcome o) throws Exception {
        boolean libkqueue = io.edgewise.backend.Backends.name().equals("kqueue")
                && System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux");
        for (int ready : libkqueue ? new int[] {300} : new int[] {300, 1100}) {
            try (Selector sel = o.provider.openSelector(); Pipes pipes = new Pipes(o.provider, ready)) {
                for (Pipe p : pipes.list) {
                    p.source().configureBlocking(false);
                    p.source().register(sel, OP_READ);
                    p.sink().write(ByteBuffer.wrap(new byte[] {1}));
                }
                msg(o, ready + " ready: select()", sel::select);
                msg(o, ready + " ready: selected", () -> sel.selectedKeys().size());
                msg(o, ready + " ready: selectNow again", sel::selectNow);
                msg(o, ready + " ready: selected now", () -> sel.selectedKeys().size());
            }
        }
    }

    // ---------------------------------------------------------------------------------- item 9

    /** Options every matrix tries, supported or not by the channel at hand. */
    private static final List<SocketOption<?>> OPTIONS = options();

    private static List<SocketOption<?>> options() {
        List<SocketOption<?>> l = new ArrayList<>(List.of(
                StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_LINGER,
                StandardSocketOptions.SO_KEEPALIVE, StandardSocketOptions.SO_REUSEADDR,
                StandardSocketOptions.SO_REUSEPORT, StandardSocketOptions.TCP_NODELAY, StandardSocketOptions.IP_TOS,
                StandardSocketOptions.SO_BROADCAST, StandardSocketOptions.IP_MULTICAST_TTL,
                StandardSocketOptions.IP_MULTICAST_LOOP, StandardSocketOptions.IP_MULTICAST_IF));
        l.addAll(List.of(ExtendedSocketOptions.TCP_QUICKACK, ExtendedSocketOptions.TCP_KEEPIDLE,
                ExtendedSocketOptions.TCP_KEEPINTERVAL, ExtendedSocketOptions.TCP_KEEPCOUNT,
                ExtendedSocketOptions.SO_INCOMING_NAPI_ID, ExtendedSocketOptions.SO_PEERCRED));
        // under the POSIX/BSD socket layer (kqueue suite variants) Edgewise lacks Linux's own options,
        // as macOS and the BSDs do, while the JDK here has them: SocketLayer.LINUX_ONLY_REASON
        l.removeIf(io.edgewise.testing.SocketLayer::expectedMissing);
        return l;
    }

    /** Values that are out of range (or of the wrong kind) for each option type. */
    private static List<Object> badValues(SocketOption<?> name) {
        Class<?> t = name.type();
        if (t == Integer.class) {
            return List.of(-1, 256, 70000, Integer.MIN_VALUE);
        }
        return List.of("not a value");
    }

    /** Good values (some in range for every Integer option here). */
    private static List<Object> goodValues(SocketOption<?> name) {
        Class<?> t = name.type();
        if (t == Integer.class) {
            return List.of(0, 1, 16384);
        }
        if (t == Boolean.class) {
            return List.of(Boolean.TRUE, Boolean.FALSE);
        }
        if (t == jdk.net.UnixDomainPrincipal.class) {
            return List.of(SELF);
        }
        return List.of();
    }

    /**
     * Every option path on an open and on a closed channel: null name, null value, unsupported option,
     * wrong type, out-of-range and good values, get of everything. The JDK checks name, support and
     * type first, then "closed", then the value's range.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void optionMatrix(Outcome o, NetworkChannel ch) throws Exception {
        for (String phase : List.of("open", "closed")) {
            if (phase.equals("closed")) {
                ch.close();
            }
            msg(o, phase + " set(null, 1)", () -> ch.setOption(null, 1));
            msg(o, phase + " get(null)", () -> ch.getOption(null));
            msg(o, phase + " set(foreign option)", () -> ch.setOption((SocketOption) FOREIGN, 1));
            msg(o, phase + " get(foreign option)", () -> ch.getOption(FOREIGN));
            for (SocketOption<?> name : OPTIONS) {
                SocketOption raw = name;
                String n = phase + " " + name.name();
                if (name == ExtendedSocketOptions.SO_PEERCRED) {
                    // the JDK's message here is strerror of whatever errno an earlier call left: class only
                    o.call(n + " get", () -> ch.getOption(name));
                } else {
                    msg(o, n + " get", () -> ch.getOption(name));
                }
                msg(o, n + " set(null)", () -> ch.setOption(raw, null));
                for (Object v : badValues(name)) {
                    msg(o, n + " set(" + v + ")", () -> ch.setOption(raw, v));
                }
                for (Object v : goodValues(name)) {
                    // what the kernel accepts may round (buffers): record only success or failure
                    o.note(n + " set(" + v + ")", describeWithMessage(() -> {
                        ch.setOption(raw, v);
                        return "ok";
                    }));
                }
            }
        }
    }

    /** This process's user and group, a valid SO_PEERCRED value. */
    private static final jdk.net.UnixDomainPrincipal SELF = self();

    private static jdk.net.UnixDomainPrincipal self() {
        try {
            java.nio.file.Path tmp = java.nio.file.Files.createTempFile("ew-self", null);
            try {
                java.nio.file.attribute.PosixFileAttributes a = java.nio.file.Files.readAttributes(tmp,
                        java.nio.file.attribute.PosixFileAttributes.class);
                return new jdk.net.UnixDomainPrincipal(a.owner(), a.group());
            } finally {
                java.nio.file.Files.delete(tmp);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** An option no provider supports. */
    private static final SocketOption<Integer> FOREIGN = new SocketOption<>() {
        @Override
        public String name() {
            return "FOREIGN";
        }

        @Override
        public Class<Integer> type() {
            return Integer.class;
        }

        @Override
        public String toString() {
            return name();
        }
    };

    /** The Socket adaptor's setters and getters, open and closed, with bad values. */
    private static void socketAdaptorOptions(Outcome o) throws Exception {
        java.net.Socket s = socket(o).socket();
        for (String phase : List.of("open", "closed")) {
            if (phase.equals("closed")) {
                s.close();
            }
            msg(o, phase + " setReceiveBufferSize(-1)", () -> { s.setReceiveBufferSize(-1); return "ok"; });
            msg(o, phase + " setReceiveBufferSize(0)", () -> { s.setReceiveBufferSize(0); return "ok"; });
            msg(o, phase + " setSendBufferSize(-1)", () -> { s.setSendBufferSize(-1); return "ok"; });
            msg(o, phase + " setSendBufferSize(0)", () -> { s.setSendBufferSize(0); return "ok"; });
            msg(o, phase + " setSoTimeout(-1)", () -> { s.setSoTimeout(-1); return "ok"; });
            msg(o, phase + " setSoLinger(true, -1)", () -> { s.setSoLinger(true, -1); return "ok"; });
            msg(o, phase + " setSoLinger(true, 70000)", () -> { s.setSoLinger(true, 70000); return "ok"; });
            msg(o, phase + " getSoLinger", s::getSoLinger);
            msg(o, phase + " setTrafficClass(256)", () -> { s.setTrafficClass(256); return "ok"; });
            msg(o, phase + " setTrafficClass(-1)", () -> { s.setTrafficClass(-1); return "ok"; });
            msg(o, phase + " setTcpNoDelay", () -> { s.setTcpNoDelay(true); return "ok"; });
            msg(o, phase + " getTcpNoDelay", s::getTcpNoDelay);
            msg(o, phase + " setKeepAlive", () -> { s.setKeepAlive(true); return "ok"; });
            msg(o, phase + " getKeepAlive", s::getKeepAlive);
            msg(o, phase + " setOOBInline", () -> { s.setOOBInline(true); return "ok"; });
            msg(o, phase + " getOOBInline", s::getOOBInline);
            msg(o, phase + " setReuseAddress", () -> { s.setReuseAddress(true); return "ok"; });
            msg(o, phase + " getReuseAddress", s::getReuseAddress);
            msg(o, phase + " getReceiveBufferSize > 0", () -> s.getReceiveBufferSize() > 0);
            msg(o, phase + " getSendBufferSize > 0", () -> s.getSendBufferSize() > 0);
            msg(o, phase + " getTrafficClass", s::getTrafficClass);
            msg(o, phase + " getSoTimeout", s::getSoTimeout);
            msg(o, phase + " setOption(null)", () -> s.setOption(null, 1));
            msg(o, phase + " getOption(null)", () -> s.getOption(null));
            msg(o, phase + " setOption(SO_RCVBUF, -1)", () -> s.setOption(StandardSocketOptions.SO_RCVBUF, -1));
            msg(o, phase + " setOption(SO_RCVBUF, null)", () -> s.setOption(StandardSocketOptions.SO_RCVBUF, null));
            msg(o, phase + " setOption(FOREIGN)", () -> s.setOption(FOREIGN, 1));
            msg(o, phase + " getOption(FOREIGN)", () -> s.getOption(FOREIGN));
            msg(o, phase + " getOption(SO_LINGER)", () -> s.getOption(StandardSocketOptions.SO_LINGER));
        }
    }

    /** The ServerSocket adaptor's setters and getters, open and closed. */
    private static void serverSocketAdaptorOptions(Outcome o) throws Exception {
        java.net.ServerSocket s = o.track(o.provider.openServerSocketChannel(o.family)).socket();
        for (String phase : List.of("open", "closed")) {
            if (phase.equals("closed")) {
                s.close();
            }
            msg(o, phase + " setReceiveBufferSize(-1)", () -> { s.setReceiveBufferSize(-1); return "ok"; });
            msg(o, phase + " setReceiveBufferSize(0)", () -> { s.setReceiveBufferSize(0); return "ok"; });
            msg(o, phase + " setSoTimeout(-1)", () -> { s.setSoTimeout(-1); return "ok"; });
            msg(o, phase + " getSoTimeout", s::getSoTimeout);
            msg(o, phase + " setReuseAddress", () -> { s.setReuseAddress(true); return "ok"; });
            msg(o, phase + " getReuseAddress", s::getReuseAddress);
            msg(o, phase + " getReceiveBufferSize > 0", () -> s.getReceiveBufferSize() > 0);
            msg(o, phase + " setOption(null)", () -> s.setOption(null, 1));
            msg(o, phase + " getOption(null)", () -> s.getOption(null));
            msg(o, phase + " setOption(SO_RCVBUF, -1)", () -> s.setOption(StandardSocketOptions.SO_RCVBUF, -1));
            msg(o, phase + " setOption(SO_RCVBUF, null)", () -> s.setOption(StandardSocketOptions.SO_RCVBUF, null));
            msg(o, phase + " setOption(FOREIGN)", () -> s.setOption(FOREIGN, 1));
            msg(o, phase + " getOption(FOREIGN)", () -> s.getOption(FOREIGN));
            msg(o, phase + " getOption(SO_REUSEADDR)", () -> s.getOption(StandardSocketOptions.SO_REUSEADDR));
        }
    }

    /** The DatagramSocket adaptor's setters and getters, open and closed. */
    private static void datagramSocketAdaptorOptions(Outcome o) throws Exception {
        java.net.DatagramSocket s = o.track(o.provider.openDatagramChannel(o.family)).socket();
        for (String phase : List.of("open", "closed")) {
            if (phase.equals("closed")) {
                s.close();
            }
            msg(o, phase + " setReceiveBufferSize(-1)", () -> { s.setReceiveBufferSize(-1); return "ok"; });
            msg(o, phase + " setReceiveBufferSize(0)", () -> { s.setReceiveBufferSize(0); return "ok"; });
            msg(o, phase + " setSendBufferSize(-1)", () -> { s.setSendBufferSize(-1); return "ok"; });
            msg(o, phase + " setSendBufferSize(0)", () -> { s.setSendBufferSize(0); return "ok"; });
            msg(o, phase + " setSoTimeout(-1)", () -> { s.setSoTimeout(-1); return "ok"; });
            msg(o, phase + " getSoTimeout", s::getSoTimeout);
            msg(o, phase + " setTrafficClass(256)", () -> { s.setTrafficClass(256); return "ok"; });
            msg(o, phase + " getTrafficClass", s::getTrafficClass);
            msg(o, phase + " setBroadcast", () -> { s.setBroadcast(true); return "ok"; });
            msg(o, phase + " getBroadcast", s::getBroadcast);
            msg(o, phase + " setReuseAddress", () -> { s.setReuseAddress(true); return "ok"; });
            msg(o, phase + " getReuseAddress", s::getReuseAddress);
            msg(o, phase + " getReceiveBufferSize > 0", () -> s.getReceiveBufferSize() > 0);
            msg(o, phase + " getSendBufferSize > 0", () -> s.getSendBufferSize() > 0);
            msg(o, phase + " setOption(null)", () -> s.setOption(null, 1));
            msg(o, phase + " getOption(null)", () -> s.getOption(null));
            msg(o, phase + " setOption(SO_RCVBUF, -1)", () -> s.setOption(StandardSocketOptions.SO_RCVBUF, -1));
            msg(o, phase + " setOption(SO_RCVBUF, null)", () -> s.setOption(StandardSocketOptions.SO_RCVBUF, null));
            msg(o, phase + " setOption(IP_MULTICAST_TTL, 300)",
                    () -> s.setOption(StandardSocketOptions.IP_MULTICAST_TTL, 300));
            msg(o, phase + " setOption(FOREIGN)", () -> s.setOption(FOREIGN, 1));
            msg(o, phase + " getOption(FOREIGN)", () -> s.getOption(FOREIGN));
        }
    }

    // ---------------------------------------------------------------------------------- item 11

    /** SO_PEERCRED: refused on an unconnected or closed channel, a principal on a connected one. */
    private static void peerCredentials(Outcome o) throws Exception {
        SocketOption<jdk.net.UnixDomainPrincipal> peercred = ExtendedSocketOptions.SO_PEERCRED;
        java.nio.channels.SocketChannel unconnected = socket(o);
        msg(o, "unconnected get", () -> unconnected.getOption(peercred));
        msg(o, "unconnected set", () -> unconnected.setOption(peercred, null));
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ew-peercred");
        java.net.UnixDomainSocketAddress addr = java.net.UnixDomainSocketAddress.of(dir.resolve("s"));
        try (java.nio.channels.ServerSocketChannel ssc = o.provider.openServerSocketChannel(o.family)) {
            ssc.bind(addr);
            msg(o, "bound, unconnected get", () -> {
                java.nio.channels.SocketChannel bound = socket(o);
                bound.bind(null);
                return bound.getOption(peercred);
            });
            java.nio.channels.SocketChannel c = socket(o);
            c.connect(addr);
            java.nio.channels.SocketChannel a = o.track(ssc.accept());
            msg(o, "connected: same user", () -> c.getOption(peercred).user().getName()
                    .equals(System.getProperty("user.name")));
            msg(o, "accepted: same user", () -> a.getOption(peercred).user().getName()
                    .equals(System.getProperty("user.name")));
            c.shutdownOutput();
            msg(o, "after shutdownOutput", () -> c.getOption(peercred) != null);
            a.close();
            msg(o, "peer closed", () -> c.getOption(peercred) != null);
            c.close();
            msg(o, "closed get", () -> c.getOption(peercred));
        } finally {
            java.nio.file.Files.deleteIfExists(dir.resolve("s"));
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    // ---------------------------------------------------------------------------------- item 12

    /** interestOps, register and selector misuse: the JDK's exceptions carry no message here. */
    private static void keyMessages(Outcome o) throws Exception {
        Selector sel = o.track(o.provider.openSelector());
        Pipe p = o.provider.openPipe();
        o.track(p.sink());
        o.track(p.source());
        p.source().configureBlocking(false);
        SelectionKey key = p.source().register(sel, OP_READ);
        msg(o, "interestOps(OP_WRITE)", () -> key.interestOps(SelectionKey.OP_WRITE));
        msg(o, "interestOps(-1)", () -> key.interestOps(-1));
        msg(o, "interestOpsOr(OP_ACCEPT)", () -> key.interestOpsOr(SelectionKey.OP_ACCEPT));
        msg(o, "interestOpsAnd(0)", () -> key.interestOpsAnd(0));
        msg(o, "register(OP_WRITE)", () -> p.source().register(sel, SelectionKey.OP_WRITE));
        msg(o, "select(-1)", () -> sel.select(-1));
        key.cancel();
        msg(o, "cancelled interestOps()", key::interestOps);
        msg(o, "cancelled interestOps(OP_READ)", () -> key.interestOps(OP_READ));
        msg(o, "cancelled interestOpsOr", () -> key.interestOpsOr(OP_READ));
        msg(o, "cancelled interestOpsAnd", () -> key.interestOpsAnd(0));
        msg(o, "cancelled readyOps", key::readyOps);
        msg(o, "re-register before flush", () -> p.source().register(sel, OP_READ));
        msg(o, "selectNow", sel::selectNow);
        p.source().configureBlocking(true);
        Selector other = o.track(o.provider.openSelector());
        msg(o, "register blocking", () -> p.source().register(other, OP_READ));
        sel.close();
        msg(o, "closed select", sel::select);
        msg(o, "closed keys", sel::keys);
        msg(o, "closed selectedKeys", sel::selectedKeys);
    }

    /** "Connection refused", "Connection reset", "Broken pipe", closed-socket messages. */
    private static void ioMessages(Outcome o) throws Exception {
        java.net.InetSocketAddress dead;
        try (java.nio.channels.ServerSocketChannel ssc = Net.listen(o.provider, o.family, 1)) {
            dead = (java.net.InetSocketAddress) ssc.getLocalAddress();
        }
        msg(o, "blocking connect refused", () -> socket(o).connect(dead));
        java.nio.channels.SocketChannel nb = socket(o);
        nb.configureBlocking(false);
        msg(o, "non-blocking connect", () -> nb.connect(dead));
        try (Selector sel = o.provider.openSelector()) {
            nb.register(sel, SelectionKey.OP_CONNECT);
            msg(o, "connect selected", () -> sel.select(10_000));
        }
        msg(o, "finishConnect refused", nb::finishConnect);
        msg(o, "adaptor connect refused", () -> {
            socket(o).socket().connect(dead);
            return "ok";
        });

        // reset: the peer closes with SO_LINGER 0
        Net.Conn c = o.track(Net.connect(o.provider, o.family));
        c.server.setOption(StandardSocketOptions.SO_LINGER, 0);
        c.server.close();
        c.client.configureBlocking(false);
        try (Selector sel = o.provider.openSelector()) {
            c.client.register(sel, OP_READ);
            msg(o, "reset selected", () -> sel.select(10_000));
        }
        msg(o, "read after reset", () -> c.client.read(ByteBuffer.allocate(10)));
        msg(o, "write after reset", () -> c.client.write(ByteBuffer.wrap(new byte[10])));
        msg(o, "write again", () -> c.client.write(ByteBuffer.wrap(new byte[10])));

        // stream adaptors of a closed socket
        Net.Conn d = o.track(Net.connect(o.provider, o.family));
        java.io.InputStream in = d.client.socket().getInputStream();
        java.io.OutputStream out = d.client.socket().getOutputStream();
        d.client.close();
        msg(o, "closed stream read", in::read);
        msg(o, "closed stream write", () -> {
            out.write(1);
            return "ok";
        });
        msg(o, "closed adaptor getInputStream", () -> d.client.socket().getInputStream());
        msg(o, "closed channel read", () -> d.client.read(ByteBuffer.allocate(1)));
    }

    /** A connect to an unresolved address through the channel and through its socket adaptor. */
    private static void unresolvedMessages(Outcome o) throws Exception {
        java.net.InetSocketAddress u = java.net.InetSocketAddress.createUnresolved("nowhere.invalid", 1);
        msg(o, "channel connect", () -> socket(o).connect(u));
        java.nio.channels.SocketChannel sc = socket(o);
        msg(o, "adaptor connect", () -> {
            sc.socket().connect(u);
            return "ok";
        });
        msg(o, "adaptor connect with timeout", () -> {
            socket(o).socket().connect(u, 1000);
            return "ok";
        });
        msg(o, "channel open after adaptor connect", sc::isOpen);
        msg(o, "datagram send", () -> o.track(o.provider.openDatagramChannel(o.family))
                .send(ByteBuffer.allocate(1), u));
        msg(o, "datagram adaptor connect", () -> {
            o.track(o.provider.openDatagramChannel(o.family)).socket().connect(u);
            return "ok";
        });
    }

    // ---------------------------------------------------------------------------------- item 10

    /** {@code n} buffers of one byte each (direct or heap); every {@code emptyEvery}-th one empty (0: none). */
    private static ByteBuffer[] bytes(int n, boolean direct, int emptyEvery) {
        ByteBuffer[] b = new ByteBuffer[n];
        for (int i = 0; i < n; i++) {
            b[i] = direct ? ByteBuffer.allocateDirect(1) : ByteBuffer.allocate(1);
            b[i].put(0, (byte) i);
            if (emptyEvery > 0 && i % emptyEvery == 0) {
                b[i].limit(0);
            }
        }
        return b;
    }

    /** How many buffers of {@code b} have moved (position > 0). */
    private static int moved(ByteBuffer[] b) {
        int k = 0;
        for (ByteBuffer x : b) {
            if (x.position() > 0) k++;
        }
        return k;
    }

    /** Blocking and non-blocking gathering writes and scattering reads of 2000 one-byte buffers. */
    private static void iovMaxStream(Outcome o) throws Exception {
        java.nio.channels.SocketChannel c, s;
        if (o.family == StandardProtocolFamily.UNIX) {
            java.nio.channels.SocketChannel[] pair = unixPair(o);
            c = pair[0];
            s = pair[1];
        } else {
            Net.Conn conn = o.track(Net.connect(o.provider, o.family));
            c = conn.client;
            s = conn.server;
        }
        for (boolean direct : new boolean[] {false, true}) {
            String k = direct ? "direct" : "heap";
            ByteBuffer[] out = bytes(2000, direct, 0);
            msg(o, k + " blocking write(2000)", () -> c.write(out));
            msg(o, k + " moved", () -> moved(out));
            c.configureBlocking(false);
            msg(o, k + " non-blocking write(rest)", () -> c.write(out));
            msg(o, k + " moved after", () -> moved(out));
            c.configureBlocking(true);
            ByteBuffer[] in = bytes(2000, direct, 0);
            for (ByteBuffer b : in) b.clear();
            msg(o, k + " blocking read(2000)", () -> s.read(in));
            s.configureBlocking(false);
            msg(o, k + " non-blocking read(rest)", () -> s.read(in));
            msg(o, k + " non-blocking read(none left)", () -> s.read(in));
            s.configureBlocking(true);
            msg(o, k + " filled", () -> moved(in));
            // empty buffers do not count against IOV_MAX
            ByteBuffer[] sparse = bytes(2000, direct, 2);
            msg(o, k + " write(1000 of 2000 non-empty)", () -> c.write(sparse));
            ByteBuffer[] sparse2 = bytes(3000, direct, 3);
            msg(o, k + " write(2000 of 3000 non-empty)", () -> c.write(sparse2, 1, 2999));
            ByteBuffer[] drain = bytes(4000, direct, 0);
            for (ByteBuffer b : drain) b.clear();
            msg(o, k + " read back", () -> s.read(drain, 0, 1024) + (s.read(drain, 1024, 1024) + 0L));
        }
    }

    private static java.nio.channels.SocketChannel[] unixPair(Outcome o) throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("ew-iov");
        java.net.UnixDomainSocketAddress addr = java.net.UnixDomainSocketAddress.of(dir.resolve("s"));
        try (java.nio.channels.ServerSocketChannel ssc = o.provider.openServerSocketChannel(o.family)) {
            ssc.bind(addr);
            java.nio.channels.SocketChannel c = socket(o);
            c.connect(addr);
            return new java.nio.channels.SocketChannel[] {c, o.track(ssc.accept())};
        } finally {
            java.nio.file.Files.deleteIfExists(dir.resolve("s"));
            java.nio.file.Files.deleteIfExists(dir);
        }
    }

    private static void iovMaxPipe(Outcome o) throws Exception {
        Pipe p = o.provider.openPipe();
        o.track(p.sink());
        o.track(p.source());
        for (boolean direct : new boolean[] {false, true}) {
            String k = direct ? "direct" : "heap";
            ByteBuffer[] out = bytes(2000, direct, 0);
            msg(o, k + " blocking sink write(2000)", () -> p.sink().write(out));
            p.sink().configureBlocking(false);
            msg(o, k + " non-blocking sink write(rest)", () -> p.sink().write(out));
            p.sink().configureBlocking(true);
            ByteBuffer[] in = bytes(2000, direct, 0);
            for (ByteBuffer b : in) b.clear();
            msg(o, k + " blocking source read(2000)", () -> p.source().read(in));
            p.source().configureBlocking(false);
            msg(o, k + " non-blocking source read(rest)", () -> p.source().read(in));
            msg(o, k + " non-blocking source read(none)", () -> p.source().read(in));
            p.source().configureBlocking(true);
        }
    }

    private static void iovMaxDatagram(Outcome o) throws Exception {
        java.nio.channels.DatagramChannel a = o.track(o.provider.openDatagramChannel(o.family));
        java.nio.channels.DatagramChannel b = o.track(o.provider.openDatagramChannel(o.family));
        a.bind(new java.net.InetSocketAddress(Net.loopback(o.family), 0));
        b.bind(new java.net.InetSocketAddress(Net.loopback(o.family), 0));
        a.connect(b.getLocalAddress());
        b.connect(a.getLocalAddress());
        for (boolean direct : new boolean[] {false, true}) {
            String k = direct ? "direct" : "heap";
            ByteBuffer[] out = bytes(2000, direct, 0);
            msg(o, k + " write(2000)", () -> a.write(out));
            msg(o, k + " moved", () -> moved(out));
            ByteBuffer whole = ByteBuffer.allocate(4096);
            msg(o, k + " datagram size", () -> b.read(whole));
            msg(o, k + " write(2000) again", () -> a.write(out, 1024, 976));
            ByteBuffer[] in = bytes(2000, direct, 0);
            for (ByteBuffer x : in) x.clear();
            msg(o, k + " read(2000)", () -> b.read(in));
            ByteBuffer[] out2 = bytes(2000, direct, 0);
            msg(o, k + " write(2000) for a scattered read", () -> a.write(out2));
            ByteBuffer[] in2 = bytes(2000, direct, 0);
            for (ByteBuffer x : in2) x.clear();
            msg(o, k + " scattered read(2000) of 1024", () -> b.read(in2));
            msg(o, k + " filled", () -> moved(in2));
        }
    }

    /** n pipes, closed together. */
    static final class Pipes implements Closeable {
        final List<Pipe> list = new ArrayList<>();

        Pipes(SelectorProvider provider, int n) throws java.io.IOException {
            try {
                for (int i = 0; i < n; i++) {
                    list.add(provider.openPipe());
                }
            } catch (java.io.IOException | RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            for (Pipe p : list) {
                Net.closeQuietly(p.sink(), p.source());
            }
        }
    }
}
