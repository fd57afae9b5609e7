package io.edgewise.kqueue;

import io.edgewise.sys.PollEvents;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.backend.ReadyPoller;
import io.edgewise.backend.kqueue.KqueueReadyPoller;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.bsd.KqueueConstants;
import io.edgewise.sys.bsd.KqueueLibrary;
import io.edgewise.sys.posix.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link ReadyPoller} contract over kqueue (virtual-thread parking and asynchronous connect use
 * it on macOS/BSD): natively there, on Linux when {@code -Dio.edgewise.kqueue.library} names
 * libkqueue; skipped elsewhere.
 */
@Timeout(20)
class KqueueReadyPollerTest {
    private final List<Integer> fds = new ArrayList<>();
    private static final ByteBuffer BUF = ByteBuffer.allocateDirect(64);
    private static final long BUF_ADDR =
            com.sun.jna.Pointer.nativeValue(com.sun.jna.Native.getDirectBufferPointer(BUF));

    @BeforeEach
    void needKqueue() {
        Assumptions.assumeTrue(KqueueLibrary.available(), "no kqueue here (" + System.getProperty("os.name")
                + "): on Linux run with -D" + KqueueConstants.LIBRARY_PROPERTY + "=/path/to/libkqueue.so.0");
    }

    @AfterEach
    void closeAll() {
        for (int fd : fds) LibC.close(fd);
    }

    /** A non-blocking pipe: {read, write}. */
    private int[] pipe() throws IOException {
        return io.edgewise.testing.Pipes.open(fds);
    }

    /** Registers a oneshot wait and returns what its callback receives: {token, events}. */
    private static CompletableFuture<long[]> watch(ReadyPoller p, int fd, int events, long token) throws IOException {
        CompletableFuture<long[]> fired = new CompletableFuture<>();
        p.register(fd, events, token, (t, ev) -> fired.complete(new long[] {t, ev}));
        return fired;
    }

    @Test
    void inputWaitFiresOnceWhenDataArrives() throws Exception {
        ReadyPoller p = KqueueReadyPoller.forEvents(PollEvents.IN);
        int[] pp = pipe();
        long token = p.newToken();
        CompletableFuture<long[]> fired = watch(p, pp[0], PollEvents.IN, token);
        assertThrows(TimeoutException.class, () -> fired.get(100, TimeUnit.MILLISECONDS), "nothing to read yet");
        assertEquals(1, LibC.write(pp[1], BUF_ADDR, 1));
        long[] got = fired.get(5, TimeUnit.SECONDS);
        assertEquals(token, got[0]);
        assertNotEquals(0, got[1] & PollEvents.IN);
        p.deregister(pp[0], token);
        // oneshot: a new registration is needed, and it fires at once since the byte is still there
        long again = p.newToken();
        assertNotEquals(token, again);
        assertEquals(again, watch(p, pp[0], PollEvents.IN, again).get(5, TimeUnit.SECONDS)[0]);
        p.deregister(pp[0], again);
    }

    @Test
    void outputWaitFiresForAWritableDescriptor() throws Exception {
        ReadyPoller p = KqueueReadyPoller.forEvents(PollEvents.OUT);
        assertNotSame(KqueueReadyPoller.forEvents(PollEvents.IN), p);
        int[] pp = pipe();
        long token = p.newToken();
        long[] got = watch(p, pp[1], PollEvents.OUT, token).get(5, TimeUnit.SECONDS);
        assertEquals(token, got[0]);
        assertNotEquals(0, got[1] & PollEvents.OUT);
        p.deregister(pp[1], token);
    }

    @Test
    void aSecondRegistrationOfTheSameDescriptorIsRefused() throws Exception {
        ReadyPoller p = KqueueReadyPoller.forEvents(PollEvents.IN);
        int[] pp = pipe();
        long first = p.newToken();
        CompletableFuture<long[]> fired = watch(p, pp[0], PollEvents.IN, first);
        assertThrows(IOException.class, () -> watch(p, pp[0], PollEvents.IN, p.newToken()));
        // the refused registration left the first one in place
        assertEquals(1, LibC.write(pp[1], BUF_ADDR, 1));
        assertEquals(first, fired.get(5, TimeUnit.SECONDS)[0]);
        p.deregister(pp[0], first);
    }

    @Test
    void deregisteredWaitNeverFires() throws Exception {
        ReadyPoller p = KqueueReadyPoller.forEvents(PollEvents.IN);
        int[] a = pipe();
        int[] b = pipe();
        long ta = p.newToken();
        CompletableFuture<long[]> firedA = watch(p, a[0], PollEvents.IN, ta);
        p.deregister(a[0], ta);
        // a later wait on another descriptor proves the poller ran past the moment a's byte arrived
        assertEquals(1, LibC.write(a[1], BUF_ADDR, 1));
        long tb = p.newToken();
        CompletableFuture<long[]> firedB = watch(p, b[0], PollEvents.IN, tb);
        assertEquals(1, LibC.write(b[1], BUF_ADDR, 1));
        assertEquals(tb, firedB.get(5, TimeUnit.SECONDS)[0]);
        assertFalse(firedA.isDone(), "a deregistered wait fired");
        p.deregister(b[0], tb);
        // and the descriptor can be watched again
        long ta2 = p.newToken();
        assertEquals(ta2, watch(p, a[0], PollEvents.IN, ta2).get(5, TimeUnit.SECONDS)[0]);
        p.deregister(a[0], ta2);
    }
}
