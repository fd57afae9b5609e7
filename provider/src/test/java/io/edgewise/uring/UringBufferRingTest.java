package io.edgewise.uring;

import static io.edgewise.uring.UringCompletionIoTest.counter;
import static io.edgewise.uring.UringCompletionIoTest.echo;
import static io.edgewise.uring.UringCompletionIoTest.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * io_uring level 2, the provided-buffer ring (issue #21, 16 KiB receive): incremental consumption
 * ({@code IOU_PBUF_RING_INC}, Linux 6.12+) and its fallback to a whole buffer per receive, and the window of
 * buffers in the kernel's ring that hands recently returned (cache-hot) buffers out first. Runs with
 * {@code -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true} (skipped otherwise).
 */
@Timeout(120)
class UringBufferRingTest {
    private static final String RING = "io.edgewise.uring.test.bufferRing", MODE = "io.edgewise.uring.test.bufferMode";

    @BeforeEach
    void levelTwo() {
        UringCompletionIoTest.assumeLevelTwo();
    }

    /** An echo server whose selector made its buffer ring with these test settings ("" for the default). */
    private static UringCompletionIoTest.EchoServer server(String ring, String mode) throws Exception {
        String ringBefore = System.getProperty(RING), modeBefore = System.getProperty(MODE);
        set(RING, ring);
        set(MODE, mode);
        try {
            UringCompletionIoTest.EchoServer srv = new UringCompletionIoTest.EchoServer();
            byte[] first = random(100, 1);
            assertArrayEquals(first, echo(srv.address(), first)); // makes the selector's ring
            return srv;
        } finally {
            set(RING, ringBefore);
            set(MODE, modeBefore);
        }
    }

    private static void set(String key, String value) {
        if (value == null || value.isEmpty()) System.clearProperty(key);
        else System.setProperty(key, value);
    }

    /** The selector's BufferRing. */
    private static Object buffers(Selector sel) throws Exception {
        return UringCompletionIoTest.bufferRing(sel);
    }

    private static Object field(Object o, String name) throws Exception {
        java.lang.reflect.Field f = o.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(o);
    }

    private static int retired(Object buffers) throws Exception {
        java.lang.reflect.Method m = buffers.getClass().getDeclaredMethod("retired");
        m.setAccessible(true);
        return (int) m.invoke(buffers);
    }

    /** {@code count} messages of {@code size} bytes, each echoed back before the next is sent. */
    private static void pingPong(UringCompletionIoTest.EchoServer srv, int count, int size) throws Exception {
        try (Socket s = new Socket()) {
            s.connect(srv.address(), 10_000);
            s.setSoTimeout(30_000);
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            for (int i = 0; i < count; i++) {
                byte[] msg = random(size, i);
                out.write(msg);
                byte[] back = in.readNBytes(size);
                assertArrayEquals(msg, back, "message " + i);
            }
        }
    }

    /** The kernel of this machine consumes buffers in pieces (the default ring tells). */
    private static void assumeIncremental(Object buffers) throws Exception {
        Assumptions.assumeTrue((boolean) field(buffers, "incremental"), "the kernel lacks IOU_PBUF_RING_INC (6.12)");
    }

    @Test
    void incrementalBuffersHoldManySmallReceivesEach() throws Exception {
        try (UringCompletionIoTest.EchoServer srv = server("", "")) {
            Object b = buffers(srv.sel);
            assumeIncremental(b);
            pingPong(srv, 200, 100);
            // 200 receives of 100 bytes and the first echo: under 64 KiB, so they share one buffer the kernel is
            // still filling (a buffer per receive would have used up 201 of them)
            assertEquals(0, retired(b), "buffers used up");
            assertEquals(1, Long.bitCount((long) field(b, "named")), "buffers named by completions");
        }
    }

    @Test
    void theTestSettingForcesAWholeBufferPerReceive() throws Exception {
        try (UringCompletionIoTest.EchoServer srv = server("", "plain")) {
            Object b = buffers(srv.sel);
            assertFalse((boolean) field(b, "incremental"));
            pingPong(srv, 50, 100);
            assertTrue(retired(b) >= 51, "a buffer per receive: " + retired(b));
        }
    }

    /**
     * Both modes, with buffers of 4 KiB (incremental: receives straddle buffers, buffers shared by four
     * connections come back only when every piece was read): every byte arrives in order.
     */
    @Test
    void bothModesEchoEveryByteInOrderThroughSmallSharedBuffers() throws Exception {
        for (String mode : new String[] {"", "plain"}) {
            try (UringCompletionIoTest.EchoServer srv = server("16x4096", mode)) {
                UringCompletionIoTest.echoAtOnce(srv.address(), 4, i -> UringCompletionIoTest.random(1_500_000, (300 + i)));
            }
        }
    }

    /**
     * A window of 2 buffers of 16 in the kernel's ring: one message at a time is received, read and its buffer
     * handed back, and the kernel is handed the recently returned buffers again; the ring's FIFO order alone
     * would cycle through all 16 (each cold by the time it is filled again).
     */
    @Test
    void recentlyReturnedBuffersAreHandedOutFirst() throws Exception {
        try (UringCompletionIoTest.EchoServer srv = server("16x1024x16x2", "plain")) {
            Object b = buffers(srv.sel);
            pingPong(srv, 100, 100);
            long named = (long) field(b, "named");
            assertTrue(Long.bitCount(named) <= 4, "buffers used: " + Long.toBinaryString(named));
        }
    }

    /**
     * A window of one buffer of 256 bytes runs dry within one enter (ENOBUFS: one connection's receive took the
     * buffer, the next found none) while 63 more wait in the spare stack: the receive goes on once the window is
     * topped up, and no stream is demoted to readiness for it (that is for a ring that is really empty; a
     * demoted stream holds nothing, so the second connection, with nothing queued, would be).
     */
    @Test
    void aWindowThatRunsDryResumesWithoutDemotingTheReceiver() throws Exception {
        for (String mode : new String[] {"", "plain"}) {
            try (UringCompletionIoTest.EchoServer srv = server("64x256x64x1", mode)) {
                UringCompletionIoTest.echoAtOnce(srv.address(), 4, i -> UringCompletionIoTest.random(400_000, (400 + i)));
                assertTrue(counter(srv.sel, "starvations") > 0, "the window ran dry");
                assertEquals(0, counter(srv.sel, "demotions"),
                        "mode '" + mode + "', ENOBUFS: " + counter(srv.sel, "starvations"));
            }
        }
    }
}
