package io.edgewise.kqueue;

import static io.edgewise.sys.bsd.KqueueConstants.*;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.sys.bsd.Darwin;
import io.edgewise.sys.bsd.FreeBsd;
import io.edgewise.sys.bsd.KeventLayout;
import io.edgewise.sys.bsd.KqueueConstants;
import io.edgewise.sys.linux.LibKqueueLinux;
import io.edgewise.sys.bsd.NetBsd;
import io.edgewise.sys.bsd.OpenBsd;
import org.junit.jupiter.api.Test;

/** Each platform's kqueue constants, against the values of its headers (sys/event.h, errno.h, fcntl.h). */
class KqueueConstantsTest {

    @Test
    void evFlagsAgreeEverywhere() {
        assertEquals(0x0001, EV_ADD);
        assertEquals(0x0002, EV_DELETE);
        assertEquals(0x0004, EV_ENABLE);
        assertEquals(0x0008, EV_DISABLE);
        assertEquals(0x0010, EV_ONESHOT);
        assertEquals(0x0020, EV_CLEAR);
        assertEquals(0x0040, EV_RECEIPT);
        assertEquals(0x0080, EV_DISPATCH);
        assertEquals(0x4000, EV_ERROR);
        assertEquals(0x8000, EV_EOF);
        assertEquals(0x01000000, NOTE_TRIGGER);
    }

    @Test
    void macos() {
        KqueueConstants k = Darwin.KQUEUE;
        assertSame(KeventLayout.BSD32, k.layout);
        assertEquals(32, k.layout.size);
        assertEquals("kevent", k.keventSymbol);
        assertFalse(k.sizeTCounts);
        assertEquals(-1, k.evfiltRead);
        assertEquals(-2, k.evfiltWrite);
        assertEquals(-10, k.evfiltUser);
        assertBsdErrnoAndFcntl(k);
    }

    @Test
    void freebsd() {
        KqueueConstants k = FreeBsd.KQUEUE;
        assertSame(KeventLayout.FREEBSD64, k.layout);
        assertEquals(64, k.layout.size);
        assertEquals(-1, k.evfiltRead);
        assertEquals(-2, k.evfiltWrite);
        assertEquals(-11, k.evfiltUser);
        assertBsdErrnoAndFcntl(k);
    }

    @Test
    void openbsd() {
        KqueueConstants k = OpenBsd.KQUEUE;
        assertEquals(32, k.layout.size);
        assertEquals(-1, k.evfiltRead);
        assertEquals(-2, k.evfiltWrite);
        assertFalse(k.hasUserFilter(), "OpenBSD wakes up through the pipe fallback");
        assertBsdErrnoAndFcntl(k);
    }

    @Test
    void netbsd() {
        KqueueConstants k = NetBsd.KQUEUE;
        assertSame(KeventLayout.NETBSD40, k.layout);
        assertEquals("__kevent50", k.keventSymbol);
        assertTrue(k.sizeTCounts);
        assertEquals(0, k.evfiltRead);
        assertEquals(1, k.evfiltWrite);
        assertEquals(8, k.evfiltUser);
        assertBsdErrnoAndFcntl(k);
    }

    @Test
    void libkqueueOnLinux() {
        KqueueConstants k = LibKqueueLinux.KQUEUE;
        assertEquals(32, k.layout.size);
        assertEquals(-1, k.evfiltRead);
        assertEquals(-2, k.evfiltWrite);
        assertEquals(-11, k.evfiltUser);
        assertEquals(4, k.eintr);
        assertEquals(11, k.eagain);
        assertEquals(0x800, k.oNonblock);
    }

    private static void assertBsdErrnoAndFcntl(KqueueConstants k) {
        assertEquals(4, k.eintr);
        assertEquals(35, k.eagain);
        assertEquals(2, k.enoent);
        assertEquals(9, k.ebadf);
        assertEquals(22, k.einval);
        assertEquals(3, k.fGetfl);
        assertEquals(4, k.fSetfl);
        assertEquals(2, k.fSetfd);
        assertEquals(1, k.fdCloexec);
        assertEquals(4, k.oNonblock);
    }

    @Test
    void osNames() {
        assertSame(Darwin.KQUEUE, KqueueConstants.forOs("Mac OS X"));
        assertSame(FreeBsd.KQUEUE, KqueueConstants.forOs("FreeBSD"));
        assertSame(OpenBsd.KQUEUE, KqueueConstants.forOs("OpenBSD"));
        assertSame(NetBsd.KQUEUE, KqueueConstants.forOs("NetBSD"));
        assertSame(LibKqueueLinux.KQUEUE, KqueueConstants.forOs("Linux"));
        assertNull(KqueueConstants.forOs("Windows 11"));
    }
}
