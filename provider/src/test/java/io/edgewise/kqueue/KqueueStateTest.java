package io.edgewise.kqueue;

import static io.edgewise.backend.Poller.*;
import static io.edgewise.sys.bsd.KqueueConstants.*;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.backend.Backends;
import io.edgewise.backend.kqueue.KqueueState;
import io.edgewise.sys.bsd.Darwin;
import io.edgewise.sys.bsd.FreeBsd;
import io.edgewise.sys.bsd.KeventLayout;
import io.edgewise.sys.bsd.KqueueConstants;
import io.edgewise.sys.bsd.NetBsd;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The kqueue backend's decisions without a kernel: change lists built from updates, event lists
 * (written here as a kernel would) turned into Poller batches. Run for the 32-, 64- and 40-byte layouts.
 */
class KqueueStateTest {
    private static final long WAKE = 0x5eed;

    static List<KqueueConstants> platforms() {
        return List.of(Darwin.KQUEUE, FreeBsd.KQUEUE, NetBsd.KQUEUE);
    }

    private static KqueueState state(KqueueConstants k) {
        return new KqueueState(k, k.evfiltUser, WAKE);
    }

    /** The pending changes as "filter:flags" strings with R/W for the filter. */
    private static List<String> changes(KqueueState s, KqueueConstants k) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < s.pendingChanges(); i++) {
            String f = s.changeFilter(i) == k.evfiltRead ? "R" : s.changeFilter(i) == k.evfiltWrite ? "W" : "?";
            out.add(s.changeIdent(i) + f + ":" + flagNames(s.changeFlags(i)));
        }
        return out;
    }

    private static String flagNames(int f) {
        StringBuilder sb = new StringBuilder();
        if ((f & EV_ADD) != 0) sb.append("ADD|");
        if ((f & EV_DELETE) != 0) sb.append("DELETE|");
        if ((f & EV_ENABLE) != 0) sb.append("ENABLE|");
        if ((f & EV_DISABLE) != 0) sb.append("DISABLE|");
        if ((f & EV_CLEAR) != 0) sb.append("CLEAR|");
        if ((f & EV_DISPATCH) != 0) sb.append("DISPATCH|");
        if ((f & EV_RECEIPT) != 0) sb.append("RECEIPT|");
        return sb.length() == 0 ? "0" : sb.substring(0, sb.length() - 1);
    }

    /** A fake kernel event list. */
    private static final class Events {
        final KeventLayout l;
        final ByteBuffer b;
        int n;

        Events(KqueueConstants k, int cap) {
            l = k.layout;
            b = ByteBuffer.allocateDirect(cap * l.size).order(ByteOrder.nativeOrder());
        }

        Events add(long ident, int filter, int flags, int fflags, long data) {
            l.put(b, n++, ident, filter, flags, fflags, data, 0L);
            return this;
        }
    }

    // ---- updates → changes

    @ParameterizedTest
    @MethodSource("platforms")
    void levelAddModifyDelete(KqueueConstants k) {
        KqueueState s = state(k);
        assertFalse(s.update(7, 0, IN));
        assertEquals(List.of("7R:ADD"), changes(s, k));
        s.applied(s.pendingChanges());
        assertFalse(s.update(7, IN, IN | OUT));
        assertEquals(List.of("7W:ADD"), changes(s, k), "only the new filter is added");
        s.applied(1);
        assertTrue(s.update(7, IN | OUT, OUT), "a deletion must be applied at once");
        assertEquals(List.of("7R:DELETE"), changes(s, k));
        s.applied(1);
        assertTrue(s.update(7, OUT, 0));
        assertEquals(List.of("7W:DELETE"), changes(s, k));
        s.applied(1);
        assertEquals(0, s.registeredEvents(7));
    }

    @Test
    void sameLevelEventsNeedNoChange() {
        KqueueState s = state(Darwin.KQUEUE);
        s.update(3, 0, IN | OUT);
        s.applied(2);
        assertFalse(s.update(3, IN | OUT, IN | OUT));
        assertEquals(0, s.pendingChanges());
    }

    @Test
    void modeFlags() {
        KqueueConstants k = Darwin.KQUEUE;
        KqueueState s = state(k);
        s.update(4, 0, IN | OUT | EDGE);
        assertEquals(List.of("4R:ADD|CLEAR", "4W:ADD|CLEAR"), changes(s, k));
        s.applied(2);
        s.update(5, 0, IN | ONESHOT);
        assertEquals(List.of("5R:ADD|DISPATCH"), changes(s, k));
        s.applied(1);
        s.update(6, 0, OUT | EDGE | ONESHOT);
        assertEquals(List.of("6W:ADD|CLEAR|DISPATCH"), changes(s, k));
    }

    @Test
    void modeChangeRecreatesTheKnote() {
        KqueueConstants k = FreeBsd.KQUEUE;
        KqueueState s = state(k);
        s.update(4, 0, IN);
        s.applied(1);
        assertFalse(s.update(4, IN, IN | OUT | EDGE));
        // EV_ADD on an existing knote keeps its old flags on BSD (and fails on libkqueue): delete, re-add
        assertEquals(List.of("4R:DELETE", "4R:ADD|CLEAR", "4W:ADD|CLEAR"), changes(s, k));
    }

    @Test
    void oneshotRearmEnablesEvenWithSameEvents() {
        KqueueConstants k = Darwin.KQUEUE;
        KqueueState s = state(k);
        s.update(9, 0, IN | OUT | ONESHOT);
        s.applied(2);
        assertFalse(s.update(9, IN | OUT | ONESHOT, IN | OUT | ONESHOT));
        assertEquals(List.of("9R:ENABLE", "9W:ENABLE"), changes(s, k));
        s.applied(2);
        s.update(9, IN | OUT | ONESHOT, IN | ONESHOT);
        assertEquals(List.of("9R:ENABLE", "9W:DELETE"), changes(s, k));
    }

    @ParameterizedTest
    @MethodSource("platforms")
    void encodedChangesCarryFiltersAndReceipts(KqueueConstants k) {
        KqueueState s = state(k);
        s.update(11, 0, IN | OUT | EDGE);
        ByteBuffer b = ByteBuffer.allocateDirect(2 * k.layout.size).order(ByteOrder.nativeOrder());
        s.encodeChanges(b, true);
        KeventLayout l = k.layout;
        assertEquals(11, l.ident(b, 0));
        assertEquals(k.evfiltRead, l.filter(b, 0));
        assertEquals(EV_ADD | EV_CLEAR | EV_RECEIPT, l.flags(b, 0));
        assertEquals(k.evfiltWrite, l.filter(b, 1));
        s.encodeChanges(b, false);
        assertEquals(EV_ADD | EV_CLEAR, l.flags(b, 1));
    }

    @Test
    void partialApplyKeepsTheRestInOrder() {
        KqueueConstants k = Darwin.KQUEUE;
        KqueueState s = state(k);
        s.update(1, 0, IN);
        s.update(2, 0, OUT);
        s.update(3, 0, IN);
        s.applied(2);
        assertEquals(List.of("3R:ADD"), changes(s, k));
    }

    @Test
    void changeListGrows() {
        KqueueConstants k = Darwin.KQUEUE;
        KqueueState s = state(k);
        for (int fd = 0; fd < 500; fd++) s.update(fd, 0, IN | OUT);
        assertEquals(1000, s.pendingChanges());
        assertEquals(499, s.changeIdent(998));
        assertEquals(k.evfiltWrite, s.changeFilter(999));
    }

    // ---- events → batch

    @ParameterizedTest
    @MethodSource("platforms")
    void readAndWriteOfOneDescriptorAreOneEntry(KqueueConstants k) {
        KqueueState s = state(k);
        s.update(5, 0, IN | OUT);
        s.update(6, 0, IN);
        s.applied(3);
        Events e = new Events(k, 8).add(5, k.evfiltRead, 0, 0, 10).add(6, k.evfiltRead, 0, 0, 1)
                .add(5, k.evfiltWrite, 0, 0, 1000);
        assertEquals(2, s.collect(e.b, e.n, 0));
        assertEquals(5, s.descriptor(0));
        assertEquals(IN | OUT, s.events(0));
        assertEquals(6, s.descriptor(1));
        assertEquals(IN, s.events(1));
        assertFalse(s.wokenUp());
        // the merge table is clean for the next batch
        Events e2 = new Events(k, 8).add(5, k.evfiltWrite, 0, 0, 1).add(6, k.evfiltRead, 0, 0, 1);
        assertEquals(2, s.collect(e2.b, e2.n, 0));
        assertEquals(OUT, s.events(0));
        assertEquals(IN, s.events(1));
    }

    @Test
    void eofAndSocketErrors() {
        assertEquals(IN | RDHUP, KqueueState.translate(false, EV_EOF, 0), "peer hang-up is readable");
        assertEquals(IN | RDHUP | ERR, KqueueState.translate(false, EV_EOF, 54));
        assertEquals(OUT | HUP, KqueueState.translate(true, EV_EOF, 0));
        assertEquals(OUT | HUP | ERR, KqueueState.translate(true, EV_EOF, 61), "refused connect");
        assertEquals(IN, KqueueState.translate(false, EV_CLEAR, 0));
        assertEquals(OUT, KqueueState.translate(true, 0, 0));
    }

    @Test
    void wakeupIsNotInTheBatch() {
        KqueueConstants k = Darwin.KQUEUE;
        KqueueState s = state(k);
        s.update(5, 0, IN);
        s.applied(1);
        Events e = new Events(k, 4).add(WAKE, k.evfiltUser, EV_CLEAR, NOTE_TRIGGER, 0).add(5, k.evfiltRead, 0, 0, 1);
        assertEquals(1, s.collect(e.b, e.n, 0));
        assertTrue(s.wokenUp());
        assertEquals(5, s.descriptor(0));
        Events none = new Events(k, 1);
        assertEquals(0, s.collect(none.b, 0, 0));
        assertFalse(s.wokenUp());
    }

    @Test
    void pipeWakeupIsRecognisedByItsDescriptor() {
        KqueueConstants k = FreeBsd.KQUEUE;
        KqueueState s = new KqueueState(k, k.evfiltRead, 12);
        Events e = new Events(k, 2).add(12, k.evfiltRead, 0, 0, 1);
        assertEquals(0, s.collect(e.b, e.n, 0));
        assertTrue(s.wokenUp());
    }

    @Test
    void eventsOfUnwatchedDescriptorsOrFiltersAreDropped() {
        KqueueConstants k = Darwin.KQUEUE;
        KqueueState s = state(k);
        s.update(5, 0, IN);
        s.applied(1);
        Events e = new Events(k, 4).add(5, k.evfiltWrite, 0, 0, 1).add(8, k.evfiltRead, 0, 0, 1)
                .add(5, -5 /* EVFILT_PROC */, 0, 0, 0);
        assertEquals(0, s.collect(e.b, e.n, 0));
    }

    @ParameterizedTest
    @MethodSource("platforms")
    void failedAddIsReportedAsErrorOfItsDescriptor(KqueueConstants k) {
        KqueueState s = state(k);
        s.update(5, 0, IN);
        s.update(6, 0, OUT);
        int submitted = s.pendingChanges();
        // FreeBSD overwrites flags with EV_ERROR in a receipt; data holds errno
        Events e = new Events(k, 4).add(6, k.evfiltWrite, EV_ERROR, 0, 32 /* EPIPE */).add(5, k.evfiltRead, 0, 0, 1);
        assertEquals(2, s.collect(e.b, e.n, submitted));
        assertEquals(0, s.pendingChanges(), "the changes went with the call");
        assertEquals(6, s.descriptor(0));
        assertEquals(ERR | HUP, s.events(0), "every interest op ready; the write then reports the error");
        assertEquals(5, s.descriptor(1));
        assertFalse(s.onlyReceipts());
    }

    @Test
    void failedDeleteOrDisableIsIgnored() {
        KqueueConstants k = Darwin.KQUEUE;
        KqueueState s = state(k);
        s.update(5, 0, IN | OUT | ONESHOT);
        s.applied(2);
        s.update(5, IN | OUT | ONESHOT, IN | ONESHOT); // R:ENABLE, W:DELETE
        int submitted = s.pendingChanges();
        Events e = new Events(k, 2).add(5, k.evfiltWrite, EV_ERROR | EV_DELETE, 0, 2 /* ENOENT */);
        assertEquals(0, s.collect(e.b, e.n, submitted));
        assertTrue(s.onlyReceipts(), "a BSD kernel returned before waiting: the caller waits again");
    }

    @Test
    void successReceiptsAreNotEvents() {
        KqueueConstants k = Darwin.KQUEUE;
        KqueueState s = state(k);
        s.update(5, 0, IN);
        Events e = new Events(k, 1).add(5, k.evfiltRead, EV_ERROR | EV_ADD, 0, 0);
        assertEquals(0, s.collect(e.b, e.n, 1));
        assertTrue(s.onlyReceipts());
    }

    @Test
    void flushReceiptErrorsComeWithTheNextBatch() {
        KqueueConstants k = FreeBsd.KQUEUE;
        KqueueState s = state(k);
        s.update(5, 0, IN);
        s.update(6, 0, IN);
        s.update(7, 0, IN);
        ByteBuffer r = ByteBuffer.allocateDirect(3 * k.layout.size).order(ByteOrder.nativeOrder());
        k.layout.put(r, 0, 5, k.evfiltRead, EV_ERROR, 0, 0L, 0L);
        k.layout.put(r, 1, 6, k.evfiltRead, EV_ERROR, 0, 9 /* EBADF */, 0L);
        k.layout.put(r, 2, 7, k.evfiltRead, EV_ERROR, 0, 0L, 0L);
        s.receipts(r, 3, 3);
        assertEquals(0, s.pendingChanges());
        Events e = new Events(k, 1).add(7, k.evfiltRead, 0, 0, 1);
        assertEquals(2, s.collect(e.b, e.n, 0));
        assertEquals(6, s.descriptor(0));
        assertEquals(ERR | HUP, s.events(0));
        assertEquals(7, s.descriptor(1));
        assertEquals(0, s.collect(e.b, 0, 0), "reported once");
    }

    @Test
    void errorForADescriptorDeletedMeanwhileIsDropped() {
        KqueueConstants k = Darwin.KQUEUE;
        KqueueState s = state(k);
        s.update(5, 0, IN);
        ByteBuffer r = ByteBuffer.allocateDirect(k.layout.size).order(ByteOrder.nativeOrder());
        k.layout.put(r, 0, 5, k.evfiltRead, EV_ERROR, 0, 22L, 0L);
        s.receipts(r, 1, 1);
        s.update(5, IN, 0);
        s.applied(1);
        assertEquals(0, s.collect(r, 0, 0));
    }

    @Test
    void oneshotDisablesTheFilterThatDidNotFire() {
        KqueueConstants k = Darwin.KQUEUE;
        KqueueState s = state(k);
        s.update(5, 0, IN | OUT | ONESHOT);
        s.update(6, 0, IN | OUT | ONESHOT);
        s.update(7, 0, IN | OUT);
        s.applied(6);
        Events e = new Events(k, 8).add(5, k.evfiltRead, EV_DISPATCH, 0, 1)
                .add(6, k.evfiltRead, EV_DISPATCH, 0, 1).add(6, k.evfiltWrite, EV_DISPATCH, 0, 1)
                .add(7, k.evfiltRead, 0, 0, 1);
        assertEquals(3, s.collect(e.b, e.n, 0));
        // 5: WRITE did not fire, disable it; 6: both fired, EV_DISPATCH disabled both; 7: level
        assertEquals(List.of("5W:DISABLE"), changes(s, k));
        // the selector re-arms: the disable goes first, the enables after it in the same list
        s.update(5, IN | OUT | ONESHOT, IN | OUT | ONESHOT);
        assertEquals(List.of("5W:DISABLE", "5R:ENABLE", "5W:ENABLE"), changes(s, k));
    }

    @Test
    void largeDescriptorNumbers() {
        KqueueConstants k = Darwin.KQUEUE;
        KqueueState s = state(k);
        s.update(19_000, 0, IN);
        s.applied(1);
        Events e = new Events(k, 1).add(19_000, k.evfiltRead, 0, 0, 1);
        assertEquals(1, s.collect(e.b, e.n, 0));
        assertEquals(19_000, s.descriptor(0));
    }

    @Test
    void interruptedWaitLeavesAnEmptyBatch() {
        KqueueConstants k = Darwin.KQUEUE;
        KqueueState s = state(k);
        s.update(5, 0, IN);
        Events e = new Events(k, 1).add(5, k.evfiltRead, 0, 0, 1);
        s.collect(e.b, e.n, 1);
        s.interrupted();
        assertEquals(0, s.size());
        assertFalse(s.wokenUp());
    }

    @Test
    void backendChoiceByOs() {
        assertEquals("kqueue", Backends.platformDefault("Mac OS X"));
        assertEquals("kqueue", Backends.platformDefault("FreeBSD"));
        assertEquals("kqueue", Backends.platformDefault("OpenBSD"));
        assertEquals("kqueue", Backends.platformDefault("NetBSD"));
        assertEquals("epoll", Backends.platformDefault("Linux"));
    }
}
