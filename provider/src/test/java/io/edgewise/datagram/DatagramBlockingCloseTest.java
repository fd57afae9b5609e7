package io.edgewise.datagram;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A close ends a thread blocked in a receive or read of a <em>connected</em> datagram channel with
 * {@code AsynchronousCloseException}, on the JDK's provider and on Edgewise (UDP), and on Edgewise's
 * Unix domain datagram channel: the call must not end as "completed" (a read reporting 0 bytes, a
 * receive reporting the peer) once the close has woken it. Guards the blocking frame the datagram
 * channels share (issue #20); the older scenarios covered only an unconnected receive.
 */
@Timeout(60)
class DatagramBlockingCloseTest {
    /** The kinds of blocked call. */
    private static final String[] CALLS = {"receive-heap", "receive-direct", "read-heap", "read-direct", "readv"};

    private static Object call(DatagramChannel ch, String what) throws Exception {
        switch (what) {
            case "receive-heap": return ch.receive(ByteBuffer.allocate(8));
            case "receive-direct": return ch.receive(ByteBuffer.allocateDirect(8));
            case "read-heap": return ch.read(ByteBuffer.allocate(8));
            case "read-direct": return ch.read(ByteBuffer.allocateDirect(8));
            default: return ch.read(new ByteBuffer[] {ByteBuffer.allocateDirect(4), ByteBuffer.allocate(4)});
        }
    }

    /** Blocks a thread in {@code what} on {@code ch}, closes {@code ch}, and returns how the call ended. */
    private static Object closeWhileBlocked(DatagramChannel ch, String what) throws Exception {
        CompletableFuture<Object> r = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                r.complete("returned " + call(ch, what));
            } catch (Throwable e) {
                r.complete(e.getClass());
            }
        });
        t.start();
        TestProviders.awaitBlocked(t);
        ch.close();
        Object how = r.get(10, TimeUnit.SECONDS);
        t.join();
        assertFalse(ch.isOpen());
        return how;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void closeEndsBlockedCallOnConnectedUdpChannel(String name, SelectorProvider p) throws Exception {
        for (String what : CALLS) {
            try (DatagramChannel peer = DatagramDifferentialTest.bound(p, StandardProtocolFamily.INET, DatagramDifferentialTest.LO4)) {
                DatagramChannel ch = DatagramDifferentialTest.bound(p, StandardProtocolFamily.INET, DatagramDifferentialTest.LO4);
                ch.connect(peer.getLocalAddress());
                assertEquals(AsynchronousCloseException.class, closeWhileBlocked(ch, what), what);
            }
        }
    }

    @Test
    void closeEndsBlockedCallOnConnectedUnixChannel() throws Exception {
        SelectorProvider p = TestProviders.edgewise();
        Path dir = Files.createTempDirectory("dgclose");
        try {
            int i = 0;
            for (String what : CALLS) {
                UnixDomainSocketAddress pa = UnixDomainSocketAddress.of(dir.resolve("p" + i));
                UnixDomainSocketAddress ca = UnixDomainSocketAddress.of(dir.resolve("c" + i++));
                try (DatagramChannel peer = p.openDatagramChannel(StandardProtocolFamily.UNIX).bind(pa)) {
                    DatagramChannel ch = p.openDatagramChannel(StandardProtocolFamily.UNIX).bind(ca);
                    ch.connect(pa);
                    assertEquals(AsynchronousCloseException.class, closeWhileBlocked(ch, what), what);
                }
            }
        } finally {
            try (var s = Files.list(dir)) {
                s.forEach(f -> f.toFile().delete());
            }
            Files.deleteIfExists(dir);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.edgewise.datagram.TestProviders#both")
    void closeEndsBlockedReceiveOnUnconnectedUdpChannel(String name, SelectorProvider p) throws Exception {
        DatagramChannel ch = DatagramDifferentialTest.bound(p, StandardProtocolFamily.INET, DatagramDifferentialTest.LO4);
        assertEquals(AsynchronousCloseException.class, closeWhileBlocked(ch, "receive-direct"));
    }
}
