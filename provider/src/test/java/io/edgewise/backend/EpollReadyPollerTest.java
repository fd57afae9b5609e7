package io.edgewise.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.backend.epoll.EpollReadyPoller;
import io.edgewise.sys.Platform;
import io.edgewise.sys.PollEvents;
import io.edgewise.sys.linux.Linux;
import io.edgewise.sys.posix.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * epoll's {@link ReadyPoller}: a registration that fired stays in the set, disabled, and the next wait re-arms it;
 * a second live registration of a descriptor is refused; a reused number registers afresh; and the unthreaded
 * kind ({@link PolledReadyPoller}) that virtual-thread pollers poll.
 */
@Timeout(20)
class EpollReadyPollerTest {
    private final List<Integer> fds = new ArrayList<>();
    private static final ByteBuffer BUF = ByteBuffer.allocateDirect(64);

    @BeforeEach
    void linux() {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "epoll is Linux's");
    }

    @AfterEach
    void closeAll() {
        for (int fd : fds) LibC.close(fd);
    }

    /** A non-blocking pipe: {read, write}. */
    private int[] pipe() throws IOException {
        return io.edgewise.testing.Pipes.open(fds);
    }

    private static void writeByte(int fd) {
        assertEquals(1, LibC.write(fd, LibC.address(BUF), 1));
    }

    private static CompletableFuture<Long> watch(ReadyPoller p, int fd, long token) throws IOException {
        CompletableFuture<Long> fired = new CompletableFuture<>();
        p.register(fd, PollEvents.IN, token, (t, ev) -> fired.complete(t));
        return fired;
    }

    @Test
    void aWaitThatFiredIsReArmedByTheNext() throws Exception {
        ReadyPoller p = EpollReadyPoller.forEvents(PollEvents.IN);
        int[] pp = pipe();
        writeByte(pp[1]);
        for (int i = 0; i < 5; i++) { // the byte stays: each new wait fires at once
            long t = p.newToken();
            assertEquals(t, watch(p, pp[0], t).get(5, TimeUnit.SECONDS));
            p.deregister(pp[0], t);
        }
    }

    @Test
    void aSecondLiveRegistrationIsRefusedAndTheFirstStays() throws Exception {
        ReadyPoller p = EpollReadyPoller.forEvents(PollEvents.IN);
        int[] pp = pipe();
        long first = p.newToken();
        CompletableFuture<Long> fired = watch(p, pp[0], first);
        assertThrows(IOException.class, () -> watch(p, pp[0], p.newToken()));
        writeByte(pp[1]);
        assertEquals(first, fired.get(5, TimeUnit.SECONDS));
        p.deregister(pp[0], first);
    }

    @Test
    void aDeregisteredWaitNeverFiresAndTheDescriptorCanWaitAgain() throws Exception {
        ReadyPoller p = EpollReadyPoller.forEvents(PollEvents.IN);
        int[] a = pipe();
        int[] b = pipe();
        long ta = p.newToken();
        CompletableFuture<Long> firedA = watch(p, a[0], ta);
        p.deregister(a[0], ta);
        writeByte(a[1]);
        long tb = p.newToken();
        CompletableFuture<Long> firedB = watch(p, b[0], tb);
        writeByte(b[1]);
        assertEquals(tb, firedB.get(5, TimeUnit.SECONDS)); // the poller ran past a's byte
        assertFalse(firedA.isDone(), "a deregistered wait fired");
        p.deregister(b[0], tb);
        long ta2 = p.newToken();
        assertEquals(ta2, watch(p, a[0], ta2).get(5, TimeUnit.SECONDS));
        p.deregister(a[0], ta2);
    }

    /** A fired registration stays after its descriptor is closed; a new file under the number is watched afresh. */
    @Test
    void aReusedNumberIsWatchedForItsNewFile() throws Exception {
        ReadyPoller p = EpollReadyPoller.forEvents(PollEvents.IN);
        int[] old = pipe();
        writeByte(old[1]);
        long t = p.newToken();
        assertEquals(t, watch(p, old[0], t).get(5, TimeUnit.SECONDS));
        p.deregister(old[0], t);
        int[] fresh = pipe();
        // the new pipe's read end moves onto the old number, closing the old file: a close and a reuse of the
        // number in one step, so no other thread of this JVM can take the number in between
        assertEquals(old[0], LibC.dup3(fresh[0], old[0], Linux.O_CLOEXEC), "the number was reused");
        long u = p.newToken();
        CompletableFuture<Long> fired = watch(p, old[0], u);
        assertFalse(fired.isDone(), "the new pipe has nothing to read");
        writeByte(fresh[1]);
        assertEquals(u, fired.get(5, TimeUnit.SECONDS));
        p.deregister(old[0], u);
    }

    @Test
    void anUnthreadedPollerRunsCallbacksOnlyWhenPolledAndItsDescriptorShowsReadiness() throws Exception {
        EpollReadyPoller p = EpollReadyPoller.unthreaded();
        try {
            int[] pp = pipe();
            long t = p.newToken();
            CompletableFuture<Long> fired = watch(p, pp[0], t);
            assertEquals(0, p.pollNow(), "nothing ready: returns without waiting");
            assertEquals(0, Platform.waitOps().poll(p.fd(), PollEvents.IN, -1, 0), "its descriptor is not readable yet");
            writeByte(pp[1]);
            assertNotEquals(0, Platform.waitOps().poll(p.fd(), PollEvents.IN, -1, 5000) & PollEvents.IN, "readable: a registration is ready");
            assertFalse(fired.isDone(), "no thread of its own runs the callback");
            assertEquals(1, p.pollNow());
            assertEquals(t, fired.getNow(null), "run by the poll, on the polling thread");
            p.deregister(pp[0], t);
            assertTrue(p.pollNow() == 0, "oneshot: nothing more");
        } finally {
            p.close();
        }
    }
}
