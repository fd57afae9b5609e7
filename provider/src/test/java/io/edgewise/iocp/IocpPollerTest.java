package io.edgewise.iocp;

import io.edgewise.sys.PollEvents;
import static io.edgewise.backend.Poller.*;
import static io.edgewise.sys.windows.Win64.*;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.backend.iocp.AfdEvents;
import io.edgewise.backend.iocp.IocpPoller;
import io.edgewise.sys.windows.WouldBlock;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The IOCP backend's state machine and readiness translation, driven through a fake completion port. */
class IocpPollerTest {
    private FakeCompletionPort port;
    private IocpPoller poller;

    private static long sock(int fd) {
        return 1000 + fd;
    }

    @BeforeEach
    void setUp() {
        port = new FakeCompletionPort();
        poller = new IocpPoller(port, IocpPollerTest::sock);
    }

    /** fd -> events of one non-blocking poll. */
    private Map<Integer, Integer> pollNow() throws IOException {
        return collect(poller.poll(0));
    }

    private Map<Integer, Integer> collect(int n) {
        Map<Integer, Integer> m = new HashMap<>();
        for (int i = 0; i < n; i++) {
            assertNull(m.put(poller.descriptor(i), poller.events(i)), "one entry per socket and poll");
        }
        return m;
    }

    // ---- basic readiness

    @Test
    void pollCompletesWhenSocketBecomesReady() throws IOException {
        poller.update(3, 0, IN);
        assertEquals(1, port.submits);
        assertEquals(AfdEvents.toAfd(IN), port.pendingEvents(sock(3)));
        assertTrue(pollNow().isEmpty());
        port.signal(sock(3), AFD_POLL_RECEIVE);
        assertEquals(Map.of(3, IN), pollNow());
    }

    @Test
    void levelResubmitsAfterEachCompletionAndReportsAgainWhileReady() throws IOException {
        poller.update(3, 0, IN);
        port.signal(sock(3), AFD_POLL_RECEIVE);
        assertEquals(Map.of(3, IN), pollNow());
        assertEquals(Map.of(3, IN), pollNow()); // resubmitted at the start of this poll, completed at once
        assertEquals(Map.of(3, IN), pollNow());
        assertEquals(3, port.submits);
        port.signal(sock(3), 0); // drained
        assertTrue(pollNow().isEmpty());
        assertEquals(AfdEvents.toAfd(IN), port.pendingEvents(sock(3)), "still watched");
    }

    @Test
    void connectAcceptDisconnectAbortConnectFailTranslation() throws IOException {
        poller.update(1, 0, IN);
        poller.update(2, 0, OUT);
        poller.update(4, 0, IN);
        poller.update(5, 0, IN | OUT);
        poller.update(6, 0, OUT);
        port.signal(sock(1), AFD_POLL_ACCEPT);
        port.signal(sock(2), AFD_POLL_SEND);
        port.signal(sock(4), AFD_POLL_DISCONNECT);
        port.signal(sock(5), AFD_POLL_ABORT);
        port.signal(sock(6), AFD_POLL_CONNECT_FAIL);
        Map<Integer, Integer> m = pollNow();
        assertEquals(IN, m.get(1));
        assertEquals(OUT, m.get(2));
        assertEquals(IN | RDHUP, m.get(4));
        assertEquals(HUP, m.get(5));
        assertEquals(ERR, m.get(6));
    }

    @Test
    void afdTranslationTables() {
        assertEquals(0, AfdEvents.toAfd(0));
        assertEquals(AFD_POLL_RECEIVE | AFD_POLL_ACCEPT | AFD_POLL_DISCONNECT | AfdEvents.ALWAYS, AfdEvents.toAfd(IN));
        assertEquals(AFD_POLL_SEND | AfdEvents.ALWAYS, AfdEvents.toAfd(OUT));
        assertEquals(AfdEvents.toAfd(IN) | AfdEvents.toAfd(OUT), AfdEvents.toAfd(IN | OUT | EDGE));
        assertTrue((AfdEvents.ALWAYS & AFD_POLL_LOCAL_CLOSE) != 0);
        assertEquals(0, AfdEvents.fromAfd(AFD_POLL_LOCAL_CLOSE));
        assertEquals(IN | OUT, AfdEvents.fromAfd(AFD_POLL_RECEIVE | AFD_POLL_SEND));
    }

    // ---- edge

    @Test
    void edgeReportsOnceUntilReaderSawWouldBlock() throws IOException {
        poller.update(3, 0, IN | EDGE);
        port.signal(sock(3), AFD_POLL_RECEIVE);
        assertEquals(Map.of(3, IN), pollNow());
        int submits = port.submits;
        assertTrue(pollNow().isEmpty(), "data still there, but edge reports a transition once");
        assertTrue(pollNow().isEmpty());
        assertEquals(submits, port.submits, "no resubmission until would-block");
        assertEquals(-1, port.pendingEvents(sock(3)));

        poller.sawWouldBlock(3, IN); // the reader drained the socket
        port.signal(sock(3), 0);
        assertTrue(pollNow().isEmpty());
        assertEquals(AfdEvents.toAfd(IN), port.pendingEvents(sock(3)), "re-armed after would-block");
        port.signal(sock(3), AFD_POLL_RECEIVE); // new data
        assertEquals(Map.of(3, IN), pollNow());
    }

    @Test
    void edgeKeepsWatchingTheOtherDirection() throws IOException {
        poller.update(3, 0, IN | OUT | EDGE);
        port.signal(sock(3), AFD_POLL_RECEIVE);
        assertEquals(Map.of(3, IN), pollNow());
        assertTrue(pollNow().isEmpty());
        assertEquals(AfdEvents.toAfd(OUT), port.pendingEvents(sock(3)), "IN disarmed, OUT still watched");
        port.signal(sock(3), AFD_POLL_RECEIVE | AFD_POLL_SEND);
        assertEquals(Map.of(3, OUT), pollNow());
        assertTrue(pollNow().isEmpty());
        assertEquals(-1, port.pendingEvents(sock(3)));
        poller.sawWouldBlock(3, OUT);
        assertEquals(Map.of(3, OUT), pollNow(), "writer saw would-block, but space is there again");
    }

    @Test
    void wouldBlockWhileSelectorWaitsKicksItToResubmit() throws IOException {
        poller.update(3, 0, IN | EDGE);
        port.signal(sock(3), AFD_POLL_RECEIVE);
        assertEquals(Map.of(3, IN), pollNow());
        port.signal(sock(3), 0);
        // another thread reads to would-block while the selector is blocked in the port; then data comes
        port.duringWait = () -> {
            poller.sawWouldBlock(3, IN);
            port.signal(sock(3), AFD_POLL_RECEIVE);
        };
        int n = poller.poll(-1);
        assertEquals(Map.of(3, IN), collect(n));
        assertFalse(poller.wokenUp(), "a kick is not a wakeup");
    }

    @Test
    void wouldBlockIsIgnoredForLevelAndUnknownSockets() throws IOException {
        poller.update(3, 0, IN);
        poller.sawWouldBlock(3, IN);
        poller.sawWouldBlock(99, IN);
        assertEquals(0, port.queued(), "no kick while not waiting, none for level");
        assertTrue(pollNow().isEmpty());
        assertEquals(1, port.submits);
    }

    @Test
    void edgeErrorDisarmsEveryDirection() throws IOException {
        poller.update(3, 0, IN | OUT | EDGE);
        port.signal(sock(3), AFD_POLL_ABORT);
        assertEquals(Map.of(3, HUP), pollNow());
        assertTrue(pollNow().isEmpty());
        assertEquals(-1, port.pendingEvents(sock(3)));
    }

    // ---- oneshot

    @Test
    void oneshotStaysDisarmedUntilUpdateReArms() throws IOException {
        poller.update(3, 0, IN | ONESHOT);
        port.signal(sock(3), AFD_POLL_RECEIVE);
        assertEquals(Map.of(3, IN), pollNow());
        assertTrue(pollNow().isEmpty());
        poller.sawWouldBlock(3, IN); // irrelevant for oneshot
        assertTrue(pollNow().isEmpty());
        assertEquals(1, port.submits);
        poller.update(3, IN | ONESHOT, IN | ONESHOT); // re-arm with the same events
        assertEquals(Map.of(3, IN), pollNow());
        assertTrue(pollNow().isEmpty());
    }

    @Test
    void oneshotEdgeCombined() throws IOException {
        poller.update(3, 0, IN | OUT | ONESHOT | EDGE);
        port.signal(sock(3), AFD_POLL_RECEIVE);
        assertEquals(Map.of(3, IN), pollNow());
        port.signal(sock(3), AFD_POLL_SEND);
        assertTrue(pollNow().isEmpty(), "oneshot: nothing after the first report, not even OUT");
    }

    // ---- interest changes and cancellation

    @Test
    void widerInterestCancelsAndResubmits() throws IOException {
        poller.update(3, 0, IN);
        int slot = port.slotOf(sock(3));
        poller.update(3, IN, IN | OUT);
        assertEquals(1, port.cancels);
        assertFalse(port.isPending(slot));
        port.signal(sock(3), AFD_POLL_SEND);
        Map<Integer, Integer> m = pollNow(); // cancelled completion dequeued: nothing reported
        assertTrue(m.isEmpty());
        assertEquals(Map.of(3, OUT), pollNow(), "resubmitted with IN|OUT, completed at once");
        assertTrue(port.log.contains("submit " + sock(3) + " " + Integer.toHexString(AfdEvents.toAfd(IN | OUT))));
    }

    @Test
    void narrowerInterestKeepsPendingPollAndFiltersSurplus() throws IOException {
        poller.update(3, 0, IN | OUT);
        poller.update(3, IN | OUT, IN);
        assertEquals(0, port.cancels, "a superset poll is left outstanding");
        port.signal(sock(3), AFD_POLL_SEND);
        assertTrue(pollNow().isEmpty(), "OUT is no longer of interest");
        pollNow();
        assertEquals(AfdEvents.toAfd(IN), port.pendingEvents(sock(3)), "resubmitted with the narrower set");
    }

    @Test
    void cancelLosingTheRaceReportsEventsOfTheNewInterest() throws IOException {
        poller.update(3, 0, IN);
        // data arrives at the moment the selector cancels to widen the interest
        port.raceEvents = AFD_POLL_RECEIVE;
        poller.update(3, IN, IN | OUT);
        assertEquals(1, port.cancels);
        port.raceEvents = -1;
        Map<Integer, Integer> m = pollNow();
        assertEquals(Map.of(3, IN), m);
        port.signal(sock(3), AFD_POLL_SEND);
        assertEquals(Map.of(3, OUT), pollNow());
        assertEquals(AfdEvents.toAfd(IN | OUT), port.log.stream().filter(s -> s.startsWith("submit"))
                .reduce((a, b) -> b).map(s -> Integer.parseInt(s.substring(s.lastIndexOf(' ') + 1), 16)).orElse(0));
    }

    @Test
    void changeWhileCancelPendingWaitsForTheCompletion() throws IOException {
        poller.update(3, 0, IN);
        poller.update(3, IN, IN | OUT); // cancel
        poller.update(3, IN | OUT, OUT); // still cancelling: no second cancel, no submit
        assertEquals(1, port.cancels);
        assertEquals(1, port.submits);
        assertEquals(IocpPoller.CANCELLING, poller.stateOf(3));
        pollNow(); // STATUS_CANCELLED dequeued
        pollNow(); // resubmitted with what is wanted now
        assertEquals(AfdEvents.toAfd(OUT), port.pendingEvents(sock(3)));
    }

    // ---- deletion and close

    @Test
    void deleteCancelsAndFreesOnlyAfterTheCompletion() throws IOException {
        poller.update(3, 0, IN);
        assertEquals(1, port.slotsLive);
        poller.update(3, IN, 0);
        assertEquals(1, port.cancels);
        assertEquals(1, port.slotsLive, "the kernel may still write the slot");
        assertEquals(-1, poller.stateOf(3));
        assertTrue(pollNow().isEmpty());
        assertEquals(0, port.slotsLive);
        assertEquals(0, poller.slotsInUse());
        assertEquals(1, port.afdClosed, "empty group closed");
    }

    @Test
    void deletedSocketReportsNothingEvenWhenItsCompletionRacedTheCancel() throws IOException {
        poller.update(3, 0, IN);
        port.signal(sock(3), AFD_POLL_RECEIVE); // completes the poll: packet queued
        poller.update(3, IN, 0);
        assertTrue(pollNow().isEmpty());
        assertEquals(0, port.slotsLive);
    }

    @Test
    void deleteOfIdleSocketFreesAtOnce() throws IOException {
        poller.update(3, 0, IN | ONESHOT);
        port.signal(sock(3), AFD_POLL_RECEIVE);
        assertEquals(Map.of(3, IN), pollNow()); // now idle, disarmed
        poller.update(3, IN | ONESHOT, 0);
        assertEquals(0, port.slotsLive);
        assertEquals(0, port.cancels);
    }

    @Test
    void descriptorReusedWhileOldPollStillCancelling() throws IOException {
        poller.update(3, 0, IN);
        poller.update(3, IN, 0); // cancelling, slot held
        poller.update(3, 0, OUT); // same number, new socket registration
        assertEquals(2, port.slotsLive);
        port.signal(sock(3), AFD_POLL_SEND);
        Map<Integer, Integer> m = pollNow();
        assertEquals(Map.of(3, OUT), m);
        assertEquals(1, port.slotsLive);
    }

    @Test
    void localCloseForgetsTheSocket() throws IOException {
        poller.update(3, 0, IN | OUT);
        port.closeSocket(sock(3));
        assertTrue(pollNow().isEmpty(), "LOCAL_CLOSE reports nothing");
        assertEquals(-1, poller.stateOf(3));
        assertEquals(0, port.slotsLive);
        poller.update(3, IN | OUT, 0); // the selector's late delete is harmless
        assertTrue(pollNow().isEmpty());
    }

    @Test
    void failedCompletionReportsErrorOnceAndStopsWatching() throws IOException {
        poller.update(3, 0, IN);
        port.completeRaw(port.slotOf(sock(3)), STATUS_INVALID_HANDLE, 0);
        assertEquals(Map.of(3, ERR | HUP), pollNow());
        assertTrue(pollNow().isEmpty());
        assertEquals(1, port.submits);
        poller.update(3, IN, IN); // an update tries again
        assertEquals(2, port.submits);
    }

    @Test
    void warningStatusSuchAsHandlesClosedIsAFailureNotReadiness() throws IOException {
        poller.update(3, 0, IN);
        port.completeRaw(port.slotOf(sock(3)), STATUS_HANDLES_CLOSED, 0);
        assertEquals(Map.of(3, ERR | HUP), pollNow());
        assertTrue(pollNow().isEmpty());
        assertEquals(1, port.submits, "not resubmitted to a helper that is gone");
    }

    @Test
    void failedSubmissionReportsError() throws IOException {
        port.failSubmitStatus = STATUS_INVALID_HANDLE;
        poller.update(3, 0, IN);
        assertEquals(Map.of(3, ERR | HUP), collect(poller.poll(0)));
        assertTrue(pollNow().isEmpty());
    }

    @Test
    void closeCancelsOutstandingPollsAndWaitsForThem() throws IOException {
        poller.update(3, 0, IN);
        poller.update(4, 0, OUT);
        poller.close();
        assertEquals(2, port.cancels);
        assertEquals(0, port.pendingCount());
        assertTrue(port.closed);
        assertFalse(port.closedWithIo);
    }

    // ---- groups and batches

    @Test
    void pollGroupsAreBoundedAndClosedWhenEmpty() throws IOException {
        int n = IocpPoller.GROUP_SIZE * 2 + 1;
        for (int fd = 0; fd < n; fd++) poller.update(fd, 0, IN);
        assertEquals(3, poller.groupCount());
        assertEquals(3, port.afdOpen);
        for (int fd = 0; fd < n; fd++) poller.update(fd, IN, 0);
        for (int i = 0; i < 10 && port.slotsLive > 0; i++) pollNow();
        assertEquals(0, port.slotsLive);
        assertEquals(0, poller.groupCount());
        assertEquals(3, port.afdClosed);
    }

    @Test
    void largeBatchesOverSeveralDequeues() throws IOException {
        port.maxPerDequeue = 1000;
        int n = 300;
        for (int fd = 0; fd < n; fd++) {
            poller.update(fd, 0, IN);
            port.signal(sock(fd), AFD_POLL_RECEIVE);
        }
        Map<Integer, Integer> m = pollNow();
        assertEquals(n, m.size());
        port.maxPerDequeue = 7;
        assertEquals(7, pollNow().size(), "one dequeue per poll; the rest stays queued");
    }

    // ---- wakeup

    @Test
    void wakeupEndsPollWithoutEvents() throws IOException {
        poller.update(3, 0, IN);
        poller.wakeup();
        assertEquals(0, poller.poll(-1));
        assertTrue(poller.wokenUp());
        assertEquals(0, poller.poll(0));
        assertFalse(poller.wokenUp());
    }

    @Test
    void staleWakeupPacketIsIgnoredAfterClearWakeup() throws IOException {
        poller.update(3, 0, IN);
        port.signal(sock(3), AFD_POLL_RECEIVE);
        port.maxPerDequeue = 1;
        poller.wakeup(); // queued behind the completion
        assertEquals(Map.of(3, IN), collect(poller.poll(-1)));
        assertFalse(poller.wokenUp());
        poller.clearWakeup();
        port.signal(sock(3), 0);
        port.maxPerDequeue = 16;
        assertEquals(0, poller.poll(0));
        assertFalse(poller.wokenUp(), "the stale wakeup packet was consumed silently");
        poller.wakeup();
        poller.poll(0);
        assertTrue(poller.wokenUp(), "a new wakeup counts again");
    }

    @Test
    void socketOpsWouldBlockReportsReachTheRegistrationOfTheirSocket() throws IOException {
        IocpPoller hooked = new IocpPoller(port, IocpPollerTest::sock, true);
        poller = hooked; // pollNow() reads this one
        int fd = 1003; // a number no other test's registration uses
        try {
            hooked.update(fd, 0, IN | EDGE);
            assertEquals(1, WouldBlock.watchers(fd), "the registration hears its socket's reports");
            port.signal(sock(fd), AFD_POLL_RECEIVE);
            assertEquals(Map.of(fd, IN), pollNow());
            port.signal(sock(fd), 0);
            assertTrue(pollNow().isEmpty());
            port.signal(sock(fd), AFD_POLL_RECEIVE);
            assertTrue(pollNow().isEmpty(), "edge: disarmed until the reader saw would-block");
            WouldBlock.report(fd + 1, PollEvents.IN);
            assertTrue(pollNow().isEmpty(), "a report for another descriptor re-arms nothing");
            WouldBlock.report(fd, PollEvents.IN);
            assertEquals(Map.of(fd, IN), pollNow(), "re-armed by its own report");
            hooked.update(fd, IN | EDGE, 0);
            assertEquals(0, WouldBlock.watchers(fd), "a deleted registration hears nothing");
            hooked.update(fd, 0, IN | EDGE);
            assertEquals(1, WouldBlock.watchers(fd));
        } finally {
            hooked.close();
        }
        assertEquals(0, WouldBlock.watchers(fd), "a closed poller's registrations hear nothing");
        WouldBlock.report(fd, IN); // nobody listening: nothing happens
        assertTrue(port.closed);
    }

    @Test
    void aReportGoesToEveryRegistrationOfItsDescriptorAndNoOther() {
        int[] heard = new int[3];
        WouldBlock.Rearm a = ev -> heard[0] |= ev, b = ev -> heard[1] |= ev, c = ev -> heard[2] |= ev;
        WouldBlock.watch(2001, a);
        WouldBlock.watch(2002, b);
        WouldBlock.watch(2001, c); // the same socket registered with a second selector
        try {
            WouldBlock.report(2001, PollEvents.IN);
            assertArrayEquals(new int[] {PollEvents.IN, 0, PollEvents.IN}, heard);
            WouldBlock.unwatch(2001, a);
            heard[0] = heard[2] = 0;
            WouldBlock.report(2001, PollEvents.OUT);
            assertArrayEquals(new int[] {0, 0, PollEvents.OUT}, heard, "an unwatched hook hears nothing");
            WouldBlock.report(2002, PollEvents.IN);
            assertEquals(PollEvents.IN, heard[1]);
            WouldBlock.report(99_999, PollEvents.IN); // beyond the table: nothing
            assertThrows(IllegalArgumentException.class, () -> WouldBlock.watch(-1, a));
        } finally {
            WouldBlock.unwatch(2001, a);
            WouldBlock.unwatch(2001, c);
            WouldBlock.unwatch(2002, b);
        }
        assertEquals(0, WouldBlock.watchers(2001));
        assertEquals(0, WouldBlock.watchers(2002));
    }
}
