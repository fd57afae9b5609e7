package io.edgewise.iocp;

import static io.edgewise.backend.Poller.*;
import static io.edgewise.sys.windows.Win64.*;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.backend.iocp.IocpPoller;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Random but reproducible (seeded, bounded) sequences of registrations, interest changes, deletions,
 * readiness changes, socket closes, cancel races and would-block reports against the fake port. The fake
 * itself fails on the two fatal mistakes (a second poll outstanding on a slot; a slot freed while the
 * kernel may write it); this test checks what the selector sees:
 * <ul>
 * <li>nothing is ever reported for a descriptor that is not registered;
 * <li>reported IN/OUT are within the interest; ERR/HUP/RDHUP only with an interest;
 * <li>LEVEL: a socket whose readiness meets its interest and stays so is reported by the second poll;
 * <li>ONESHOT: at most one report per arming;
 * <li>at the end, after deleting everything, every slot and AFD handle is released.
 * </ul>
 */
class IocpPollerModelTest {
    private static final int SOCKETS = 12, STEPS = 3000;

    private static long sock(int fd) {
        return 5000 + fd;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 42, 1234, 99991})
    void randomSequencesKeepTheInvariants(long seed) throws IOException {
        Random rnd = new Random(seed);
        FakeCompletionPort port = new FakeCompletionPort();
        IocpPoller poller = new IocpPoller(port, IocpPollerModelTest::sock);
        int[] registered = new int[SOCKETS];     // events the selector registered, 0 = none
        boolean[] closed = new boolean[SOCKETS];  // socket closed under the backend (LOCAL_CLOSE)
        int[] ready = new int[SOCKETS];           // AFD readiness now
        int[] stableSince = new int[SOCKETS];     // poll count when readiness/interest last changed
        int[] reportsSinceArm = new int[SOCKETS];
        int polls = 0, livenessChecks = 0, reports = 0;

        for (int step = 0; step < STEPS; step++) {
            int fd = rnd.nextInt(SOCKETS);
            int action = rnd.nextInt(100);
            if (action < 20) { // register or change interest
                if (closed[fd]) continue;
                int dirs = new int[] {IN, OUT, IN | OUT}[rnd.nextInt(3)];
                int mode = new int[] {0, 0, EDGE, ONESHOT, EDGE | ONESHOT}[rnd.nextInt(5)];
                poller.update(fd, registered[fd], dirs | mode);
                registered[fd] = dirs | mode;
                reportsSinceArm[fd] = 0;
                stableSince[fd] = polls;
            } else if (action < 27) { // delete
                if (registered[fd] != 0) {
                    poller.update(fd, registered[fd], 0);
                    registered[fd] = 0;
                }
                closed[fd] = false; // a new socket may take the number later
            } else if (action < 45) { // readiness change
                if (closed[fd]) continue;
                int[] choices = {0, AFD_POLL_RECEIVE, AFD_POLL_SEND, AFD_POLL_RECEIVE | AFD_POLL_SEND,
                    AFD_POLL_DISCONNECT | AFD_POLL_SEND, AFD_POLL_ABORT, AFD_POLL_ACCEPT};
                ready[fd] = choices[rnd.nextInt(choices.length)];
                port.signal(sock(fd), ready[fd]);
                stableSince[fd] = polls;
            } else if (action < 47) { // the application closes the socket before deregistering
                if (registered[fd] != 0 && !closed[fd]) {
                    port.closeSocket(sock(fd));
                    closed[fd] = true;
                    ready[fd] = 0;
                }
            } else if (action < 52) {
                port.raceEvents = rnd.nextBoolean() ? -1 : ready[fd];
            } else if (action < 60) {
                poller.sawWouldBlock(fd, rnd.nextBoolean() ? IN : OUT);
            } else if (action < 63) {
                poller.wakeup();
            } else { // poll
                port.maxPerDequeue = 1 + rnd.nextInt(16);
                int n = poller.poll(0);
                polls++;
                Map<Integer, Integer> seen = new HashMap<>();
                for (int i = 0; i < n; i++) {
                    int f = poller.descriptor(i), ev = poller.events(i);
                    assertNull(seen.put(f, ev), "seed " + seed + ": two entries for " + f);
                    int reg = registered[f];
                    assertNotEquals(0, reg, "seed " + seed + " step " + step + ": event for unregistered " + f);
                    assertEquals(0, ev & (IN | OUT) & ~reg, "seed " + seed + ": outside the interest");
                    reportsSinceArm[f]++;
                    reports++;
                    if ((reg & ONESHOT) != 0) {
                        assertEquals(1, reportsSinceArm[f], "seed " + seed + " step " + step + ": oneshot fired twice");
                    }
                }
                // LEVEL liveness: ready for the interest, unchanged for two polls, with the full queue taken
                if (port.maxPerDequeue == 16 && port.queued() == 0) {
                    for (int f = 0; f < SOCKETS; f++) {
                        int reg = registered[f];
                        if (reg == 0 || closed[f] || (reg & (EDGE | ONESHOT)) != 0) continue;
                        boolean wanted = ((reg & IN) != 0 && (ready[f] & (AFD_POLL_RECEIVE | AFD_POLL_ACCEPT
                                | AFD_POLL_DISCONNECT)) != 0) || ((reg & OUT) != 0 && (ready[f] & AFD_POLL_SEND) != 0)
                                || (ready[f] & AFD_POLL_ABORT) != 0;
                        if (wanted && polls - stableSince[f] >= 3 && port.raceEvents < 0) {
                            livenessChecks++;
                            assertTrue(seen.containsKey(f), "seed " + seed + " step " + step
                                    + ": level-triggered ready socket " + f + " not reported");
                        }
                    }
                }
            }
        }
        assertTrue(livenessChecks > 20, "seed " + seed + ": the level check ran " + livenessChecks + " times");
        assertTrue(reports > 100, "seed " + seed + ": " + reports + " reports");
        port.raceEvents = -1;
        for (int fd = 0; fd < SOCKETS; fd++) {
            if (registered[fd] != 0) poller.update(fd, registered[fd], 0);
        }
        for (int i = 0; i < 20 && port.slotsLive > 0; i++) poller.poll(0);
        assertEquals(0, port.slotsLive, "seed " + seed + ": slots leaked");
        assertEquals(0, poller.groupCount());
        assertEquals(port.afdOpen, port.afdClosed, "every AFD helper closed");
        assertEquals(0, port.pendingCount());
        poller.close();
        assertFalse(port.closedWithIo);
    }
}
