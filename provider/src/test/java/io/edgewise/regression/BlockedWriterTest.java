package io.edgewise.regression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.edgewise.conformance.ProviderTest;
import io.edgewise.conformance.Providers;
import io.edgewise.testing.Blocking;
import io.edgewise.testing.OpenDescriptors;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Timeout;

/**
 * A thread blocked in {@code write} (the peer reads nothing) over TCP and Unix-domain sockets, on the
 * JDK's provider and on Edgewise: {@code shutdownOutput} from another thread ends it as it ends the JDK's
 * (TCP: the write returns what it wrote so far; Edgewise threw {@code AsynchronousCloseException} when
 * the kernel's shutdown woke the writer before the flag was set); once the peer reads, it completes; and on Edgewise a blocked TCP
 * writer spends no descriptor (the JDK spends none), while a Unix-domain writer's pooled wakeup descriptor
 * goes back to the pool each time (found by mutation testing, scripts/mutation.sh channels).
 */
@Timeout(60)
class BlockedWriterTest {
    private static final String EVENTFD = "anon_inode:[eventfd]";

    private static int eventfds() {
        return OpenDescriptors.snapshot().getOrDefault(EVENTFD, 0);
    }

    /** Edgewise's pooled wakeup descriptors ({@code Waiter.idleDescriptors()}, package-private). */
    private static int pooled() throws ReflectiveOperationException {
        java.lang.reflect.Method m = Class.forName("io.edgewise.channels.Waiter").getDeclaredMethod("idleDescriptors");
        m.setAccessible(true);
        return (Integer) m.invoke(null);
    }

    /** A connected blocking pair of {@code family}: [client, accepted]. */
    private static SocketChannel[] pair(SelectorProvider p, ProtocolFamily family, ServerSocketChannel[] listener)
            throws Exception {
        SocketAddress at;
        if (family == StandardProtocolFamily.UNIX) {
            Path dir = Files.createTempDirectory("edgewise-writer");
            at = UnixDomainSocketAddress.of(dir.resolve("s"));
            dir.toFile().deleteOnExit();
            dir.resolve("s").toFile().deleteOnExit();
        } else {
            at = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        }
        listener[0] = p.openServerSocketChannel(family).bind(at);
        SocketChannel c = p.openSocketChannel(family);
        c.connect(listener[0].getLocalAddress());
        return new SocketChannel[] {c, listener[0].accept()};
    }

    /** A thread writing 8 MB (far more than the socket buffers hold); what it ended with lands in {@code out}. */
    private static Thread writer(SocketChannel c, AtomicReference<Object> out) {
        Thread t = new Thread(() -> {
            try {
                out.set(c.write(ByteBuffer.allocate(32 << 20)));
            } catch (Throwable e) {
                out.set(e);
            }
        }, "blocked-writer");
        t.start();
        return t;
    }

    private static void closeAll(SocketChannel[] pair, ServerSocketChannel[] listener) throws Exception {
        pair[0].close();
        pair[1].close();
        SocketAddress at = listener[0].getLocalAddress();
        listener[0].close();
        if (at instanceof UnixDomainSocketAddress) Files.deleteIfExists(((UnixDomainSocketAddress) at).getPath());
    }

    /**
     * How a blocked writer that {@code shutdownOutput} interrupts ends: "wrote part" (the count of what it
     * wrote before, as the JDK's returns for TCP) or the class of what it threw.
     */
    private static String shutdownOutcome(SelectorProvider p, ProtocolFamily family) throws Exception {
        ServerSocketChannel[] listener = new ServerSocketChannel[1];
        SocketChannel[] pair = pair(p, family, listener);
        try {
            AtomicReference<Object> out = new AtomicReference<>();
            Thread t = writer(pair[0], out);
            Blocking.assertBlocks(t);
            pair[0].shutdownOutput();
            t.join(10_000);
            assertFalse(t.isAlive(), Providers.name(p) + " " + family + ": the writer still blocks after shutdownOutput");
            Object o = out.get();
            if (o instanceof Integer) {
                int n = (Integer) o;
                return n > 0 && n < (32 << 20) ? "wrote part" : "wrote " + n;
            }
            return o == null ? "nothing" : o.getClass().getName();
        } finally {
            closeAll(pair, listener);
        }
    }

    @org.junit.jupiter.api.Test
    void shutdownOutputEndsABlockedWriterAsTheJdksDoes() throws Exception {
        for (ProtocolFamily family : new ProtocolFamily[] {StandardProtocolFamily.INET, StandardProtocolFamily.UNIX}) {
            String jdk = shutdownOutcome(Providers.jdk(), family);
            for (int round = 0; round < 3; round++) { // the wake-up races the flag: try it a few times
                assertEquals(jdk, shutdownOutcome(Providers.edgewise(), family), family + " round " + round);
            }
        }
    }

    @ProviderTest
    void aBlockedWriterCompletesAndLeavesNoDescriptor(SelectorProvider p) throws Exception {
        for (ProtocolFamily family : new ProtocolFamily[] {StandardProtocolFamily.INET, StandardProtocolFamily.UNIX}) {
            ServerSocketChannel[] listener = new ServerSocketChannel[1];
            SocketChannel[] pair = pair(p, family, listener);
            try {
                int before = -1;
                int pooledAfterFirst = -1;
                for (int round = 0; round < 3; round++) {
                    AtomicReference<Object> out = new AtomicReference<>();
                    Thread t = writer(pair[0], out);
                    Blocking.assertBlocks(t);
                    if (round == 0) {
                        before = eventfds(); // the first round may take a wakeup descriptor into the pool
                    } else if (family != StandardProtocolFamily.UNIX || p == Providers.jdk()) {
                        assertEquals(before, eventfds(), family + ": a blocked writer spends no descriptor");
                    }
                    ByteBuffer sink = ByteBuffer.allocate(1 << 20);
                    long got = 0;
                    while (got < (32 << 20)) {
                        sink.clear();
                        got += pair[1].read(sink);
                    }
                    t.join(10_000);
                    assertFalse(t.isAlive());
                    assertEquals(32 << 20, out.get(), family + " round " + round);
                    if (round > 0) assertEquals(before, eventfds(), family + ": round " + round + " left a descriptor");
                    if (p != Providers.jdk()) {
                        if (round == 0) pooledAfterFirst = pooled();
                        else assertEquals(pooledAfterFirst, pooled(), family + ": the writer's waiter went back to the pool");
                    }
                }
            } finally {
                closeAll(pair, listener);
            }
        }
    }
}
