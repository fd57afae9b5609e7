package io.edgewise.kqueue;

import static io.edgewise.sys.bsd.KqueueConstants.*;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.backend.Poller;
import io.edgewise.backend.kqueue.KqueueState;
import io.edgewise.sys.ConsumedErrors;
import io.edgewise.sys.Platform;
import io.edgewise.sys.bsd.Darwin;
import io.edgewise.sys.bsd.FreeBsd;
import io.edgewise.sys.bsd.KqueueConstants;
import io.edgewise.sys.linux.LibKqueueLinux;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The error a poll takes off a socket (libkqueue) is kept for the socket's own call, exactly once, and
 * never outlives the descriptor number. Runs without a kqueue (the events are written here as the
 * library would); the end-to-end cases are {@code KqueuePollerTest} and {@code DifferentialTest}'s
 * refused-connect and read-after-reset scenarios over libkqueue.
 */
@Timeout(10)
class ConsumedErrorsTest {
    private static final int ECONNRESET = 104; // Linux: libkqueue's fflags carry the host's errno

    /** One kevent: READ of {@code fd} at end of stream, with {@code fflags}. */
    private static ByteBuffer eofEvent(KqueueConstants k, int fd, int fflags) {
        ByteBuffer b = ByteBuffer.allocateDirect(k.layout.size).order(ByteOrder.nativeOrder());
        k.layout.put(b, 0, fd, k.evfiltRead, EV_EOF, fflags, 0L, 0L);
        return b;
    }

    private static int collect(KqueueConstants k, int fd, int fflags) {
        KqueueState s = new KqueueState(k, k.evfiltUser, 0x5eed);
        s.update(fd, 0, Poller.IN);
        s.applied(1);
        assertEquals(1, s.collect(eofEvent(k, fd, fflags), 1, 0));
        return s.events(0);
    }

    @Test
    void libkqueueKeepsTheErrorItsPollTookOnce() {
        int fd = 30_001; // no real descriptor: nothing else records for it
        int ev = collect(LibKqueueLinux.KQUEUE, fd, ECONNRESET);
        assertEquals(Poller.IN | Poller.RDHUP | Poller.ERR, ev);
        assertEquals(ECONNRESET, ConsumedErrors.take(fd));
        assertEquals(0, ConsumedErrors.take(fd), "reported once");
    }

    @Test
    void kernelKqueuesLeaveTheErrorOnTheSocket() {
        for (KqueueConstants k : new KqueueConstants[] {Darwin.KQUEUE, FreeBsd.KQUEUE}) {
            int fd = 30_002;
            assertEquals(Poller.IN | Poller.RDHUP | Poller.ERR, collect(k, fd, ECONNRESET));
            assertEquals(0, ConsumedErrors.take(fd), k.platform + ": nothing kept, SO_ERROR still has it");
        }
    }

    @Test
    void endOfStreamWithoutErrorKeepsNothing() {
        int fd = 30_003;
        assertEquals(Poller.IN | Poller.RDHUP, collect(LibKqueueLinux.KQUEUE, fd, 0));
        assertEquals(0, ConsumedErrors.take(fd));
    }

    @Test
    void closingTheDescriptorDropsWhatWasKept() throws Exception {
        long rw = Platform.pipeOps().pipe();
        int r = (int) rw, w = (int) (rw >>> 32);
        ConsumedErrors.record(r, ECONNRESET);
        Platform.ops().close(r);
        Platform.ops().close(w);
        assertEquals(0, ConsumedErrors.take(r), "a reused number must not inherit the error");
    }
}
