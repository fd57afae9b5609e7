package io.edgewise.vthread;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.backend.PolledReadyPoller;
import io.edgewise.channels.vthread.VirtualPollers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pollers that are virtual threads ({@code channels.vthread.VirtualPollers}): when they are chosen, and that the
 * waits of virtual threads are woken through them with no wake-up lost.
 */
@Timeout(120)
class VirtualPollersTest {
    @Test
    void theSettingThenTheJdksModeThenTheVersionChoose() {
        assertTrue(VirtualPollers.virtualFor("virtual", "1", 21), "the setting wins");
        assertFalse(VirtualPollers.virtualFor("platform", "2", 25), "the setting wins");
        assertFalse(VirtualPollers.virtualFor("auto", "1", 25), "as the JDK's jdk.pollerMode=1");
        assertTrue(VirtualPollers.virtualFor("auto", "2", 21), "as the JDK's jdk.pollerMode=2");
        assertTrue(VirtualPollers.virtualFor("auto", null, 24), "JDK 24+: synchronized no longer pins");
        assertFalse(VirtualPollers.virtualFor("auto", null, 23), "before 24 a pinned wait could starve the pollers");
        assertFalse(VirtualPollers.virtualFor("auto", "x", 21), "an unknown jdk.pollerMode counts as unset");
    }

    /**
     * When a sub-poller cannot be made (the descriptor limit), none is used: the ones made are closed, and one
     * warning says that the platform poller wakes virtual threads.
     */
    @Test
    void subPollersThatCannotBeMadeLeaveThePlatformPollerWithAWarning() {
        List<StubPoller> made = new ArrayList<>();
        List<java.util.logging.LogRecord> warnings = new ArrayList<>();
        java.util.logging.Logger log = java.util.logging.Logger.getLogger("io.edgewise");
        java.util.logging.Handler h = new java.util.logging.Handler() {
            @Override
            public void publish(java.util.logging.LogRecord r) {
                if (r.getLevel() == java.util.logging.Level.WARNING) warnings.add(r);
            }

            @Override
            public void flush() { }

            @Override
            public void close() { }
        };
        log.addHandler(h);
        try {
            assertNull(VirtualPollers.makeAll(4, () -> {
                if (made.size() == 2) throw new java.io.IOException("Too many open files");
                StubPoller sp = new StubPoller();
                made.add(sp);
                return sp;
            }), "no sub-pollers when one of them cannot be made");
        } finally {
            log.removeHandler(h);
        }
        assertEquals(2, made.size());
        for (StubPoller sp : made) assertTrue(sp.closed, "a sub-poller made before the failure is closed");
        assertEquals(1, warnings.size(), "one warning");
        assertTrue(warnings.get(0).getMessage().contains("platform poller"), warnings.get(0).getMessage());
        assertEquals("Too many open files", warnings.get(0).getThrown().getMessage(), "the cause is logged");

        PolledReadyPoller[] all = VirtualPollers.makeAll(3, StubPoller::new);
        assertEquals(3, all.length, "every sub-poller when they can be made");
    }

    /** A poller that records its close (nothing is ever registered with it). */
    private static final class StubPoller implements PolledReadyPoller {
        boolean closed;

        @Override
        public int fd() {
            return -1;
        }

        @Override
        public int pollNow() {
            return 0;
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public long newToken() {
            return 1;
        }

        @Override
        public void register(int fd, int pollEvents, long token, Callback cb) {
            throw new UnsupportedOperationException();
        }

        @Override
        public void deregister(int fd, long token) {
            throw new UnsupportedOperationException();
        }
    }

    /**
     * On JDK 24+ with epoll or io_uring (and no setting): 40 virtual-thread pairs echo 300 messages each over
     * blocking channels, every read parking; all finish, and the wakes came from the virtual pollers.
     */
    @Test
    void virtualThreadWaitsAreWokenByVirtualPollers() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 24, "the default needs JDK 24+; CI runs it on 25");
        Assumptions.assumeTrue(io.edgewise.backend.Backends.hasPolledReadyPoller(),
                "backend " + io.edgewise.backend.Backends.name() + " has no polled ready poller");
        Assumptions.assumeTrue(System.getProperty("io.edgewise.virtualThreadPollers") == null
                && System.getProperty("jdk.pollerMode") == null, "the default choice only");
        assertTrue(VirtualPollers.used(), "virtual pollers are the default here");

        EdgewiseSelectorProvider p = new EdgewiseSelectorProvider();
        int pairs = 40, messages = 300;
        long before = VirtualPollers.productivePolls();
        try (ServerSocketChannel server = p.openServerSocketChannel()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), pairs);
            List<CompletableFuture<Integer>> done = new ArrayList<>();
            for (int i = 0; i < pairs; i++) {
                SocketChannel c = p.openSocketChannel();
                c.connect(server.getLocalAddress());
                SocketChannel s = server.accept();
                done.add(virtual(() -> echo(s, messages)));
                done.add(virtual(() -> pingPong(c, messages)));
            }
            for (CompletableFuture<Integer> f : done) {
                assertEquals(messages, f.get(60, TimeUnit.SECONDS), "every message went both ways");
            }
        }
        assertTrue(VirtualPollers.productivePolls() > before, "the parked reads were woken by the virtual pollers");
    }

    private static int echo(SocketChannel s, int messages) throws Exception {
        try (s) {
            ByteBuffer b = ByteBuffer.allocate(8);
            for (int i = 0; i < messages; i++) {
                b.clear();
                while (b.hasRemaining()) {
                    if (s.read(b) < 0) return i;
                }
                b.flip();
                while (b.hasRemaining()) s.write(b);
            }
            return messages;
        }
    }

    private static int pingPong(SocketChannel c, int messages) throws Exception {
        try (c) {
            ByteBuffer b = ByteBuffer.allocate(8);
            for (int i = 0; i < messages; i++) {
                b.clear();
                b.putLong(0, i);
                while (b.hasRemaining()) c.write(b);
                b.clear();
                while (b.hasRemaining()) {
                    if (c.read(b) < 0) return i;
                }
                assertEquals(i, b.getLong(0), "the echo of message " + i);
            }
            return messages;
        }
    }

    private interface Task {
        int run() throws Exception;
    }

    private static CompletableFuture<Integer> virtual(Task t) {
        CompletableFuture<Integer> f = new CompletableFuture<>();
        VT.start(() -> {
            try {
                f.complete(t.run());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }
}
