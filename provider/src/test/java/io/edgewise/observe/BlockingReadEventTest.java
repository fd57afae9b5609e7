package io.edgewise.observe;

import static io.edgewise.observe.Jfrs.named;
import static io.edgewise.observe.Jfrs.record;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.testing.Blocking;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import jdk.jfr.consumer.RecordedEvent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code edgewise.Read} event of a blocking stream read, for each way the read can end: its
 * {@code timedOut} field is true only for a read the socket timeout ended, and the event is there also
 * when the read ends by throwing or at once because the input was shut down (found by mutation
 * testing, scripts/mutation.sh channels: the event is made in a {@code finally} whose copies for the
 * early return and the exception path had no test).
 */
@Timeout(60)
class BlockingReadEventTest {
    private static final EdgewiseSelectorProvider P = new EdgewiseSelectorProvider();

    @FunctionalInterface
    interface OnPair {
        void run(SocketChannel client, SocketChannel peer) throws Exception;
    }

    /** The TCP Read events of {@code scenario}, run on a connected blocking pair. */
    private static List<RecordedEvent> reads(OnPair scenario) throws Exception {
        List<RecordedEvent> all = record(() -> {
            try (ServerSocketChannel ss = P.openServerSocketChannel()
                    .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
                 SocketChannel c = P.openSocketChannel()) {
                c.connect(ss.getLocalAddress());
                try (SocketChannel s = ss.accept()) {
                    scenario.run(c, s);
                }
            }
        }, "edgewise.Read");
        return named(all, "edgewise.Read").stream()
                .filter(e -> "tcp".equals(e.getString("channelKind"))).collect(Collectors.toList());
    }

    @Test
    void aReadEndedByTheSocketTimeoutIsMarkedTimedOut() throws Exception {
        List<RecordedEvent> r = reads((c, s) -> {
            c.socket().setSoTimeout(30);
            InputStream in = c.socket().getInputStream();
            assertThrows(SocketTimeoutException.class, () -> in.read(new byte[4]));
        });
        assertEquals(1, r.size(), "one event for the timed-out read: " + r);
        assertTrue(r.get(0).getBoolean("timedOut"));
        assertEquals(0, r.get(0).getLong("bytesRead"));
    }

    @Test
    void aTimedReadThatGotDataIsNotTimedOut() throws Exception {
        List<RecordedEvent> r = reads((c, s) -> {
            s.write(ByteBuffer.wrap(new byte[] {1, 2, 3}));
            c.socket().setSoTimeout(10_000);
            byte[] b = new byte[3];
            int n = 0;
            while (n < 3) n += c.socket().getInputStream().read(b, n, 3 - n);
        });
        assertFalse(r.isEmpty());
        for (RecordedEvent e : r) assertFalse(e.getBoolean("timedOut"), e.toString());
        assertEquals(3, r.stream().mapToLong(e -> e.getLong("bytesRead")).sum());
    }

    @Test
    void aBlockedReadEndedByShutdownInputIsNotTimedOut() throws Exception {
        AtomicInteger result = new AtomicInteger(-2);
        List<RecordedEvent> r = reads((c, s) -> {
            Thread t = new Thread(() -> {
                try {
                    result.set(c.read(ByteBuffer.allocate(4)));
                } catch (Exception e) {
                    result.set(-3);
                }
            }, "blocked-reader");
            t.start();
            Blocking.assertBlocks(t);
            c.shutdownInput();
            t.join(10_000);
            assertFalse(t.isAlive());
        });
        assertEquals(-1, result.get(), "shutdownInput ends a blocked read with end-of-stream");
        assertEquals(1, r.size(), r.toString());
        assertFalse(r.get(0).getBoolean("timedOut"));
    }

    @Test
    void aTimedReadAfterShutdownInputHasItsEventAndIsNotTimedOut() throws Exception {
        List<RecordedEvent> r = reads((c, s) -> {
            InputStream in = c.socket().getInputStream(); // after shutdownInput it would throw
            c.socket().setSoTimeout(10_000);
            c.shutdownInput();
            assertEquals(-1, in.read(new byte[4]));
            assertEquals(-1, c.read(ByteBuffer.allocate(4)));
        });
        assertEquals(2, r.size(), "both blocking reads have an event: " + r);
        for (RecordedEvent e : r) assertFalse(e.getBoolean("timedOut"), e.toString());
    }

    @Test
    void aNonBlockingReadHasNoEvent() throws Exception {
        List<RecordedEvent> r = reads((c, s) -> {
            c.configureBlocking(false);
            assertEquals(0, c.read(ByteBuffer.allocate(4)));
            c.shutdownInput();
            assertEquals(-1, c.read(ByteBuffer.allocate(4)));
        });
        assertTrue(r.isEmpty(), r.toString());
    }
}
