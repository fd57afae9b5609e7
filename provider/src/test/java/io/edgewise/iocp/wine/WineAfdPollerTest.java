package io.edgewise.iocp.wine;

import static io.edgewise.backend.Poller.*;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.backend.iocp.IocpPoller;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The IOCP backend's Java state machine ({@link IocpPoller}) over wine's real AFD driver: every
 * completion-port and NT call goes through the bridge helper ({@link WineAfdPort}), the sockets are
 * Winsock sockets the helper creates, and the readiness comes from wine's {@code IOCTL_AFD_POLL}.
 * Skipped where mingw-w64 or wine is missing ({@code scripts/iocp-probes.sh} installs both).
 */
@Timeout(120)
class WineAfdPollerTest {
    private static WineHelper helper;
    private IocpPoller poller;
    private final Map<Integer, Long> sockets = new HashMap<>();
    private int nextFd = 10;
    private long client, server;
    private int c, s;

    @BeforeAll
    static void start() throws Exception {
        String missing = WineHelper.available();
        Assumptions.assumeTrue(missing == null, missing);
        helper = new WineHelper();
    }

    @AfterAll
    static void stop() throws Exception {
        if (helper != null) helper.close();
    }

    @BeforeEach
    void setUp() throws IOException {
        poller = new IocpPoller(new WineAfdPort(helper), fd -> sockets.get(fd));
        long[] p = helper.pair();
        client = p[0];
        server = p[1];
        c = fd(client);
        s = fd(server);
    }

    @AfterEach
    void tearDown() throws IOException {
        poller.close();
        for (long h : sockets.values()) helper.call("CLOSE " + h);
    }

    private int fd(long socket) {
        int fd = nextFd++;
        sockets.put(fd, socket);
        return fd;
    }

    /** Events of {@code fd} from polls until it appears (or -1 after {@code millis}). */
    private int eventsOf(int fd, long millis) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        do {
            long left = Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
            int n = poller.poll(left);
            for (int i = 0; i < n; i++) {
                if (poller.descriptor(i) == fd) return poller.events(i);
            }
        } while (System.nanoTime() < deadline);
        return -1;
    }

    @Test
    void readableOnceThePeerSends() throws IOException {
        poller.update(s, 0, IN);
        assertEquals(-1, eventsOf(s, 200), "nothing to read yet");
        assertEquals(10, helper.io("SEND", client, 10));
        assertEquals(IN, eventsOf(s, 5000));
    }

    @Test
    void levelReportsAgainUntilDrained() throws IOException {
        poller.update(s, 0, IN);
        assertEquals(7, helper.io("SEND", client, 7));
        assertEquals(IN, eventsOf(s, 5000));
        assertEquals(IN, eventsOf(s, 5000), "still unread: reported again");
        assertEquals(7, helper.io("RECV", server, 100));
        assertEquals(-1, eventsOf(s, 300), "drained");
        assertEquals(IocpPoller.PENDING, poller.stateOf(s), "and watched again");
    }

    @Test
    void connectedSocketIsWritable() throws IOException {
        poller.update(c, 0, OUT);
        assertEquals(OUT, eventsOf(c, 5000));
    }

    @Test
    void peerShutdownIsReadableWithRdhup() throws IOException {
        poller.update(s, 0, IN);
        helper.call("SHUT " + client + " 1");
        assertEquals(IN | RDHUP, eventsOf(s, 5000) & (IN | RDHUP));
        assertEquals(0, helper.io("RECV", server, 10), "end of stream");
    }

    @Test
    void resetIsReportedAsHangup() throws IOException {
        poller.update(s, 0, IN);
        helper.call("RST " + client);
        sockets.remove(c);
        int ev = eventsOf(s, 5000);
        assertNotEquals(-1, ev);
        assertNotEquals(0, ev & HUP, "AFD_POLL_ABORT: " + ev);
    }

    @Test
    void oneshotReportsOnceUntilRearmed() throws IOException {
        poller.update(s, 0, IN | ONESHOT);
        assertEquals(3, helper.io("SEND", client, 3));
        assertEquals(IN, eventsOf(s, 5000) & IN);
        assertEquals(-1, eventsOf(s, 300), "disarmed");
        poller.update(s, IN | ONESHOT, IN | ONESHOT);
        assertEquals(IN, eventsOf(s, 5000) & IN, "re-armed, still readable");
    }

    @Test
    void deletingAPendingPollCancelsIt() throws IOException {
        poller.update(s, 0, IN);
        assertEquals(-1, eventsOf(s, 100));
        assertEquals(IocpPoller.PENDING, poller.stateOf(s));
        poller.update(s, IN, 0);
        assertEquals(5, helper.io("SEND", client, 5));
        assertEquals(-1, eventsOf(s, 500), "deleted: nothing reported");
        assertEquals(-1, poller.stateOf(s));
    }

    @Test
    void wakeupFromAnotherThreadEndsAPollThatWaitsForever() throws Exception {
        poller.update(s, 0, IN);
        CompletableFuture<Integer> f = CompletableFuture.supplyAsync(() -> {
            try {
                return poller.poll(-1);
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        poller.wakeup();
        assertEquals(0, f.get(30, TimeUnit.SECONDS));
        assertTrue(poller.wokenUp());
    }

    @Test
    void closingTheSocketEndsItsPollWithoutAReport() throws IOException {
        poller.update(s, 0, IN);
        assertEquals(-1, eventsOf(s, 100));
        helper.call("CLOSE " + server);
        sockets.remove(s);
        assertEquals(-1, eventsOf(s, 1000), "LOCAL_CLOSE is not reported");
        assertEquals(-1, poller.stateOf(s), "the backend forgot the socket");
    }
}
