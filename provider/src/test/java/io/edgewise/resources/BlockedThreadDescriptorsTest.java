package io.edgewise.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.conformance.Providers;
import io.edgewise.testing.OpenDescriptors;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channel;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16 item 13: a thread blocked in a channel call must not cost a descriptor beyond what the JDK
 * spends (none), and threads that blocked once must not leave descriptors behind. Fifty threads block
 * in {@code read} at once; the descriptor count is taken while they wait and after every channel was
 * closed and every thread joined.
 */
@Timeout(120)
class BlockedThreadDescriptorsTest {
    private static final int THREADS = 50;

    /** Descriptors beyond the channels' own: while the readers wait, and after they ended. */
    private static final class Extra {
        int whileBlocked, after;

        @Override
        public String toString() {
            return "while blocked +" + whileBlocked + ", after +" + after;
        }
    }

    @Test
    void blockedSocketReadersCostNoDescriptor() throws Exception {
        for (SelectorProvider p : List.of(Providers.jdk(), Providers.edgewise())) {
            socketReaders(p, 2); // warm-up: lazily opened descriptors
            Extra e = socketReaders(p, THREADS);
            if (p == Providers.edgewise() && io.edgewise.testing.SocketLayer.posix()) {
                // the POSIX/BSD layer (macOS, the BSDs) has no shutdown wake-up (SocketOps.unblock is
                // Linux's): a blocked socket reader spends a pooled wakeup descriptor, as a pipe reader does
                assertTrue(e.after <= idleBound() + 1, Providers.name(p) + " (POSIX layer): " + e);
            } else {
                assertTrue(e.whileBlocked <= 1 && e.after <= 1, Providers.name(p) + ": " + e);
            }
        }
    }

    @Test
    void blockedPipeReadersLeaveAtMostTheIdleBound() throws Exception {
        int bound = idleBound();
        for (SelectorProvider p : List.of(Providers.jdk(), Providers.edgewise())) {
            pipeReaders(p, 2);
            Extra e = pipeReaders(p, THREADS);
            // a pipe cannot be shut down: Edgewise spends a wakeup descriptor per blocked thread, and
            // keeps at most the idle bound open afterwards
            int allowedAfter = p == Providers.jdk() ? 1 : bound + 1;
            assertTrue(e.after <= allowedAfter, Providers.name(p) + ": " + e + ", idle bound " + bound);
        }
    }

    private static Extra socketReaders(SelectorProvider p, int n) throws Exception {
        Extra e = new Extra();
        int before = OpenDescriptors.count();
        List<Channel> channels = new ArrayList<>();
        try (ServerSocketChannel listener = p.openServerSocketChannel()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), n);
            List<SocketChannel> accepted = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                SocketChannel c = p.openSocketChannel();
                channels.add(c);
                c.connect(listener.getLocalAddress());
                SocketChannel a = listener.accept();
                channels.add(a);
                accepted.add(a);
            }
            e.whileBlocked = blockAndClose(accepted, channels, before, 2 * n + 1);
        }
        e.after = settledCount(before) - before;
        return e;
    }

    private static Extra pipeReaders(SelectorProvider p, int n) throws Exception {
        Extra e = new Extra();
        int before = OpenDescriptors.count();
        List<Channel> channels = new ArrayList<>();
        List<Pipe.SourceChannel> sources = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Pipe pipe = p.openPipe();
            channels.add(pipe.sink());
            channels.add(pipe.source());
            sources.add(pipe.source());
        }
        e.whileBlocked = blockAndClose(sources, channels, before, 2 * n);
        e.after = settledCount(before) - before;
        return e;
    }

    /**
     * Blocks one thread in {@code read} on each of {@code readers}, counts descriptors once all wait,
     * closes every channel, joins the threads (each must end with AsynchronousCloseException).
     * Returns the count while blocked minus {@code before} and the channels' {@code own} descriptors.
     */
    private static int blockAndClose(List<? extends ReadableByteChannel> readers, List<Channel> all,
                                     int before, int own) throws Exception {
        ConcurrentLinkedQueue<Throwable> outcomes = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (ReadableByteChannel r : readers) {
            Thread t = new Thread(() -> {
                try {
                    r.read(ByteBuffer.allocate(1));
                    outcomes.add(new AssertionError("read returned"));
                } catch (Throwable x) {
                    outcomes.add(x);
                }
            });
            t.start();
            threads.add(t);
        }
        int whileBlocked;
        try {
            assertTrue(Blocked.awaitAll(threads, 30_000), "readers did not all block");
            whileBlocked = OpenDescriptors.count() - before - own;
        } finally {
            for (ReadableByteChannel r : readers) r.close(); // the readers' own channels first: no EOF
            for (Channel c : all) c.close();
            for (Thread t : threads) t.join(30_000);
        }
        for (Thread t : threads) assertTrue(!t.isAlive(), "a reader still waits after close");
        assertEquals(readers.size(), outcomes.size());
        for (Throwable x : outcomes) {
            if (!(x instanceof AsynchronousCloseException)) throw new AssertionError("reader ended with " + x, x);
        }
        return whileBlocked;
    }

    /** The count once closes still in flight landed (bounded wait on an observable count). */
    private static int settledCount(int before) throws InterruptedException {
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (OpenDescriptors.count() > before && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        return OpenDescriptors.count();
    }

    /** Edgewise's bound on unused wakeup descriptors (package-private in its channel package). */
    static int idleBound() throws ReflectiveOperationException {
        java.lang.reflect.Field f = Class.forName("io.edgewise.channels.Waiter").getDeclaredField("IDLE_BOUND");
        f.setAccessible(true);
        return f.getInt(null);
    }
}
