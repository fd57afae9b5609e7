package io.edgewise.kqueue;

import io.edgewise.sys.PollEvents;
import static io.edgewise.backend.Poller.*;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.backend.kqueue.KqueuePoller;
import io.edgewise.sys.Platform;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.bsd.KqueueConstants;
import io.edgewise.sys.bsd.KqueueLibrary;
import io.edgewise.sys.posix.LibC;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Poller contract over a real kqueue: natively on macOS/BSD, on Linux when
 * {@code -Dio.edgewise.kqueue.library} names libkqueue; skipped (with the reason) elsewhere.
 */
@Timeout(20)
class KqueuePollerTest {
    private final List<Integer> fds = new ArrayList<>();
    private final List<KqueuePoller> pollers = new ArrayList<>();
    private static final ByteBuffer BUF = ByteBuffer.allocateDirect(4096);
    private static long bufAddr;

    @BeforeAll
    static void buffer() {
        bufAddr = com.sun.jna.Pointer.nativeValue(com.sun.jna.Native.getDirectBufferPointer(BUF));
    }

    /** Per test, so a run without kqueue shows every test as skipped, with the reason. */
    @BeforeEach
    void needKqueue() {
        Assumptions.assumeTrue(KqueueLibrary.available(), "no kqueue here (" + System.getProperty("os.name")
                + "): on Linux run with -D" + KqueueConstants.LIBRARY_PROPERTY + "=/path/to/libkqueue.so.0");
    }

    @AfterEach
    void closeAll() throws IOException {
        for (KqueuePoller p : pollers) p.close();
        for (int fd : fds) LibC.close(fd);
    }

    private KqueuePoller poller() throws IOException {
        KqueuePoller p = new KqueuePoller();
        pollers.add(p);
        return p;
    }

    /** A non-blocking pipe: {read, write}. */
    private int[] pipe() throws IOException {
        return io.edgewise.testing.Pipes.open(fds);
    }

    private static void write(int fd, int n) {
        assertEquals(n, LibC.write(fd, bufAddr, n));
    }

    private static long read(int fd, int n) {
        return LibC.read(fd, bufAddr, n);
    }

    /** Events of {@code fd} in the batch of one poll, or -1 when absent. */
    private static int eventsOf(KqueuePoller p, int fd, long timeout) throws IOException {
        int n;
        do {
            n = p.poll(timeout);
        } while (n < 0);
        int found = -1;
        for (int i = 0; i < n; i++) {
            if (p.descriptor(i) == fd) {
                assertEquals(-1, found, "one entry per descriptor");
                found = p.events(i);
            }
        }
        return found;
    }

    @Test
    void levelTriggeredReportsWhileReadable() throws IOException {
        KqueuePoller p = poller();
        int[] pp = pipe();
        p.update(pp[0], 0, IN);
        assertEquals(-1, eventsOf(p, pp[0], 0));
        write(pp[1], 3);
        assertEquals(IN, eventsOf(p, pp[0], 5000) & IN);
        assertEquals(IN, eventsOf(p, pp[0], 0) & IN, "level: again while data is there");
        assertEquals(3, read(pp[0], 100));
        assertEquals(-1, eventsOf(p, pp[0], 0));
    }

    @Test
    void edgeTriggeredReportsOncePerNewData() throws IOException {
        KqueuePoller p = poller();
        int[] pp = pipe();
        p.update(pp[0], 0, IN | EDGE);
        write(pp[1], 1);
        assertEquals(IN, eventsOf(p, pp[0], 5000) & IN);
        assertEquals(-1, eventsOf(p, pp[0], 0), "edge: not again without new data");
        write(pp[1], 1);
        assertEquals(IN, eventsOf(p, pp[0], 5000) & IN, "new data: reported again");
    }

    @Test
    void oneshotDisarmsUntilUpdated() throws IOException {
        KqueuePoller p = poller();
        int[] pp = pipe();
        p.update(pp[0], 0, IN | ONESHOT);
        write(pp[1], 1);
        assertEquals(IN, eventsOf(p, pp[0], 5000) & IN);
        write(pp[1], 1);
        assertEquals(-1, eventsOf(p, pp[0], 0), "oneshot: disarmed even with new data");
        p.update(pp[0], IN | ONESHOT, IN | ONESHOT); // re-arm with the same events
        assertEquals(IN, eventsOf(p, pp[0], 5000) & IN);
        assertEquals(-1, eventsOf(p, pp[0], 0));
    }

    /** A connected loopback TCP pair {client, server side}. */
    private int[] tcpPair() throws IOException, InterruptedException {
        SocketOps ops = Platform.ops();
        int l = ops.socket(SocketOps.INET, true);
        fds.add(l);
        ops.bind(l, SocketOps.INET, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        ops.listen(l, 4);
        InetSocketAddress addr = ops.localAddress(l);
        int c = ops.socket(SocketOps.INET, true);
        fds.add(c);
        ops.connect(c, SocketOps.INET, addr);
        InetSocketAddress[] remote = new InetSocketAddress[1];
        int s = -1;
        for (int i = 0; i < 500 && s < 0; i++) {
            s = ops.accept(l, SocketOps.INET, remote);
            if (s < 0) Platform.waitOps().poll(l, PollEvents.IN, -1, 10);
        }
        assertTrue(s >= 0, "accepted");
        fds.add(s);
        for (int i = 0; i < 500 && !ops.finishConnect(c); i++) Platform.waitOps().poll(c, PollEvents.OUT, -1, 10);
        return new int[] {c, s};
    }

    @Test
    void readAndWriteReadinessIsOneEntry() throws Exception {
        KqueuePoller p = poller();
        int[] t = tcpPair();
        write(t[0], 10);
        Platform.waitOps().poll(t[1], PollEvents.IN, -1, 5000);
        p.update(t[1], 0, IN | OUT);
        assertEquals(IN | OUT, eventsOf(p, t[1], 5000) & (IN | OUT));
    }

    @Test
    void oneshotDisarmsTheWholeDescriptor() throws Exception {
        KqueuePoller p = poller();
        int[] t = tcpPair();
        p.update(t[1], 0, IN | OUT | ONESHOT);
        int ev = eventsOf(p, t[1], 5000);
        assertTrue((ev & OUT) != 0, "writable at once");
        write(t[0], 10);
        Platform.waitOps().poll(t[1], PollEvents.IN, -1, 5000);
        assertEquals(-1, eventsOf(p, t[1], 100), "neither filter reports until re-armed");
        p.update(t[1], IN | OUT | ONESHOT, IN | OUT | ONESHOT);
        assertEquals(IN | OUT, eventsOf(p, t[1], 5000) & (IN | OUT));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, EDGE, ONESHOT})
    void peerHangUpIsReadableInEveryMode(int mode) throws Exception {
        KqueuePoller p = poller();
        int[] t = tcpPair();
        p.update(t[1], 0, IN | mode);
        assertEquals(-1, eventsOf(p, t[1], 0));
        Platform.ops().shutdown(t[0], 1);
        int ev = eventsOf(p, t[1], 5000);
        assertEquals(IN, ev & IN, "hang-up reported as readable");
        assertEquals(0L, read(t[1], 10), "and the read sees end of stream");
    }

    /**
     * A reset connection: the poll reports it, and the socket's pending error is still there for the
     * read that follows. A BSD kernel reports so_error in fflags without clearing it; libkqueue reads
     * SO_ERROR itself when epoll says EPOLLERR, which clears it on Linux
     * ({@code provider/src/test/c/kqueue/consumed-error.c} proves it without Java), so the backend keeps
     * the error it reported ({@code io.edgewise.sys.ConsumedErrors}) and the read throws it.
     */
    @Test
    void pendingSocketErrorSurvivesThePoll() throws Exception {
        KqueuePoller p = poller();
        int[] t = tcpPair();
        Platform.ops().setOption(t[0], SocketOps.INET, java.net.StandardSocketOptions.SO_LINGER, 0);
        p.update(t[1], 0, IN);
        Platform.ops().close(t[0]); // RST
        fds.remove(Integer.valueOf(t[0]));
        int ev = eventsOf(p, t[1], 5000);
        assertEquals(IN, ev & IN);
        assertThrows(java.net.SocketException.class, () -> Platform.byteIo().read(t[1], bufAddr, 10),
                "Connection reset");
    }

    /**
     * A refused connect: the poll reports it, and finishConnect throws the refusal (over libkqueue, which
     * took the error off the socket, from what the backend kept) instead of staying pending forever.
     */
    @Test
    void refusedConnectIsThrownByFinishConnectAfterThePoll() throws Exception {
        KqueuePoller p = poller();
        SocketOps ops = Platform.ops();
        int l = ops.socket(SocketOps.INET, true);
        ops.bind(l, SocketOps.INET, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        InetSocketAddress addr = ops.localAddress(l); // bound, never listening: a connect is refused
        fds.add(l);
        int c = ops.socket(SocketOps.INET, true);
        fds.add(c);
        int r;
        try {
            r = ops.connect(c, SocketOps.INET, addr);
        } catch (java.net.ConnectException refusedAtOnce) {
            Assumptions.abort("this kernel refused the loopback connect synchronously");
            return;
        }
        assertEquals(SocketOps.UNAVAILABLE, r, "connect in progress");
        p.update(c, 0, OUT);
        int ev = eventsOf(p, c, 5000);
        assertEquals(OUT, ev & OUT);
        assertNotEquals(0, ev & (ERR | HUP), "the failure is reported");
        assertThrows(java.net.ConnectException.class, () -> ops.finishConnect(c));
        p.update(c, OUT, 0);
    }

    @Test
    void pipeWriterClosedIsReadable() throws IOException {
        KqueuePoller p = poller();
        int[] pp = pipe();
        p.update(pp[0], 0, IN);
        LibC.close(pp[1]);
        fds.remove(Integer.valueOf(pp[1]));
        assertEquals(IN, eventsOf(p, pp[0], 5000) & IN);
    }

    @Test
    void deleteThenCloseThenReuseOfTheNumber() throws IOException {
        KqueuePoller p = poller();
        int[] a = pipe();
        p.update(a[0], 0, IN);
        write(a[1], 1);
        p.update(a[0], IN, 0); // EV_DELETE reaches the kernel here, before the close
        LibC.close(a[0]);
        fds.remove(Integer.valueOf(a[0]));
        int[] b = pipe();
        assertEquals(a[0], b[0], "the kernel reuses the lowest free number");
        assertEquals(-1, eventsOf(p, b[0], 0), "no stale readiness from the old descriptor");
        p.update(b[0], 0, IN);
        assertEquals(-1, eventsOf(p, b[0], 0));
        write(b[1], 1);
        assertEquals(IN, eventsOf(p, b[0], 5000) & IN);
    }

    @Test
    void modeChangeOnALiveRegistration() throws IOException {
        KqueuePoller p = poller();
        int[] pp = pipe();
        p.update(pp[0], 0, IN);
        write(pp[1], 1);
        assertEquals(IN, eventsOf(p, pp[0], 5000) & IN);
        p.update(pp[0], IN, IN | EDGE);
        assertEquals(IN, eventsOf(p, pp[0], 5000) & IN, "re-created knote sees the pending data once");
        assertEquals(-1, eventsOf(p, pp[0], 0));
        p.update(pp[0], IN | EDGE, IN);
        assertEquals(IN, eventsOf(p, pp[0], 5000) & IN);
        assertEquals(IN, eventsOf(p, pp[0], 0) & IN, "level again");
    }

    @Test
    void failedAddIsReportedNotThrown() throws IOException {
        KqueuePoller p = poller();
        int[] pp = pipe();
        LibC.close(pp[0]);
        fds.remove(Integer.valueOf(pp[0]));
        p.update(pp[0], 0, IN); // a closed descriptor: the kernel refuses the change (EBADF)
        int ev = eventsOf(p, pp[0], 1000);
        assertEquals(ERR | HUP, ev & (ERR | HUP));
        p.update(pp[0], IN, 0);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void wakeupFromAnotherThread(boolean pipeWakeup) throws Exception {
        KqueuePoller p;
        if (pipeWakeup) System.setProperty(KqueuePoller.WAKEUP_PROPERTY, "pipe");
        try {
            p = poller();
        } finally {
            System.clearProperty(KqueuePoller.WAKEUP_PROPERTY);
        }
        if (pipeWakeup) assertTrue(p.pipeWakeup());
        CountDownLatch polling = new CountDownLatch(1);
        AtomicInteger result = new AtomicInteger(-2);
        Thread t = new Thread(() -> {
            polling.countDown();
            try {
                int n;
                do n = p.poll(-1); while (n < 0);
                result.set(p.wokenUp() ? n : -3);
            } catch (IOException e) {
                result.set(-4);
            }
        });
        t.start();
        assertTrue(polling.await(5, TimeUnit.SECONDS));
        // the wakeup may come before or during the poll: either way the poll returns
        p.wakeup();
        t.join(5000);
        assertFalse(t.isAlive(), "poll(-1) returned");
        assertEquals(0, result.get(), "woken up, empty batch");
        p.clearWakeup();
        assertEquals(0, p.poll(0));
        assertFalse(p.wokenUp(), "consumed");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void undeliveredWakeupIsCleared(boolean pipeWakeup) throws Exception {
        if (pipeWakeup) System.setProperty(KqueuePoller.WAKEUP_PROPERTY, "pipe");
        KqueuePoller p;
        try {
            p = poller();
        } finally {
            System.clearProperty(KqueuePoller.WAKEUP_PROPERTY);
        }
        int[] pp = pipe();
        p.update(pp[0], 0, IN);
        write(pp[1], 1);
        assertEquals(IN, eventsOf(p, pp[0], 5000) & IN);
        boolean delivered = p.wokenUp();
        p.wakeup(); // after the poll returned: pending
        if (!delivered) p.clearWakeup();
        read(pp[0], 10);
        assertEquals(0, p.poll(0));
        assertFalse(p.wokenUp(), "clearWakeup dropped the signal the poll did not deliver");
        p.wakeup();
        assertEquals(0, p.poll(2000));
        assertTrue(p.wokenUp(), "a wakeup before poll makes it return at once");
    }

    @Test
    void manyDescriptorsGrowTheBatch() throws IOException {
        KqueuePoller p = poller();
        List<int[]> pipes = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            int[] pp = pipe();
            pipes.add(pp);
            p.update(pp[0], 0, IN);
            write(pp[1], 1);
        }
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int round = 0; round < 10 && seen.size() < 150; round++) {
            int n = p.poll(1000);
            for (int i = 0; i < n; i++) {
                seen.add(p.descriptor(i));
                read(p.descriptor(i), 10);
            }
        }
        assertEquals(150, seen.size());
        for (int[] pp : pipes) p.update(pp[0], IN, 0);
    }

    @Test
    void timeoutIsHonoured() throws IOException {
        KqueuePoller p = poller();
        long t0 = System.nanoTime();
        int n;
        do n = p.poll(50); while (n < 0);
        assertEquals(0, n);
        assertTrue(System.nanoTime() - t0 >= 40_000_000L, "waited");
    }
}
