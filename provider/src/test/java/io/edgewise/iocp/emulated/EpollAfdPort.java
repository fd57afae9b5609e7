package io.edgewise.iocp.emulated;

import static io.edgewise.sys.linux.Linux.*;
import static io.edgewise.sys.windows.Win64.AFD_POLL_ABORT;
import static io.edgewise.sys.windows.Win64.AFD_POLL_ACCEPT;
import static io.edgewise.sys.windows.Win64.AFD_POLL_CONNECT_FAIL;
import static io.edgewise.sys.windows.Win64.AFD_POLL_DISCONNECT;
import static io.edgewise.sys.windows.Win64.AFD_POLL_RECEIVE;
import static io.edgewise.sys.windows.Win64.AFD_POLL_SEND;
import static io.edgewise.sys.windows.Win64.STATUS_CANCELLED;
import static io.edgewise.sys.windows.Win64.STATUS_NOT_FOUND;
import static io.edgewise.sys.windows.Win64.STATUS_PENDING;
import static io.edgewise.sys.windows.Win64.STATUS_SUCCESS;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.edgewise.sys.windows.CompletionPort;
import io.edgewise.sys.posix.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A {@link CompletionPort} with AFD poll semantics built on Linux epoll, so the IOCP state machine can
 * drive real sockets under the project's selector test suites: a submitted poll is an
 * {@code EPOLLONESHOT} registration (one-shot, completes at once when already ready — as an AFD poll
 * does), a cancel is {@code EPOLL_CTL_DEL} plus a STATUS_CANCELLED packet, posted packets go through a
 * queue and an eventfd. Test code only; it is not a Windows emulator: LOCAL_CLOSE, base handles and poll
 * groups are not modelled.
 *
 * <p>Threads: {@link #post} from any thread (concurrent queue, eventfd); the rest on the selecting thread.
 */
final class EpollAfdPort implements CompletionPort {
    private static final int CAP = 256;
    private static final long WAKE = -1L;

    private final int epfd, evfd;
    private final ByteBuffer events = ByteBuffer.allocateDirect(CAP * EPOLL_EVENT_SIZE).order(ByteOrder.nativeOrder());
    private final long eventsAddr = Pointer.nativeValue(Native.getDirectBufferPointer(events));
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(32).order(ByteOrder.nativeOrder());
    private final long scratchAddr = Pointer.nativeValue(Native.getDirectBufferPointer(scratch));
    private final ConcurrentLinkedQueue<long[]> queue = new ConcurrentLinkedQueue<>();

    private int[] slotFd = new int[64], slotWant = new int[64], slotStatus = new int[64], slotEvents = new int[64];
    private boolean[] pending = new boolean[64];
    private boolean[] inSet = new boolean[1024];
    private int nextSlot;
    private final java.util.ArrayList<Integer> free = new java.util.ArrayList<>();
    private final long[] keys = new long[CAP];
    private final int[] slots = new int[CAP];
    private int count;
    private long afds;

    EpollAfdPort() throws IOException {
        epfd = LibC.epoll_create1(EPOLL_CLOEXEC);
        evfd = LibC.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (epfd < 0 || evfd < 0) throw new IOException("epoll/eventfd: errno " + -Math.min(epfd, evfd));
        ctl(EPOLL_CTL_ADD, evfd, EPOLLIN, WAKE);
    }

    private int ctl(int op, int fd, int ev, long data) {
        scratch.putInt(0, ev);
        scratch.putLong(EPOLL_EVENT_DATA, data);
        return LibC.epoll_ctl(epfd, op, fd, scratchAddr);
    }

    @Override
    public long openAfd() {
        return ++afds;
    }

    @Override
    public void closeAfd(long afd) { }

    @Override
    public long baseSocket(long socket) {
        return socket;
    }

    @Override
    public int newSlot() {
        int s = free.isEmpty() ? nextSlot++ : free.remove(free.size() - 1);
        if (s >= slotFd.length) {
            int n = slotFd.length * 2;
            slotFd = Arrays.copyOf(slotFd, n);
            slotWant = Arrays.copyOf(slotWant, n);
            slotStatus = Arrays.copyOf(slotStatus, n);
            slotEvents = Arrays.copyOf(slotEvents, n);
            pending = Arrays.copyOf(pending, n);
        }
        return s;
    }

    @Override
    public void freeSlot(int slot) {
        if (pending[slot]) throw new AssertionError("slot freed with a poll outstanding");
        free.add(slot);
    }

    @Override
    public int submitPoll(long afd, int slot, long baseSocket, int afdEvents) {
        int fd = (int) baseSocket;
        if (pending[slot]) throw new AssertionError("two polls outstanding on one slot");
        int ev = EPOLLONESHOT;
        if ((afdEvents & (AFD_POLL_RECEIVE | AFD_POLL_ACCEPT)) != 0) ev |= EPOLLIN;
        if ((afdEvents & AFD_POLL_DISCONNECT) != 0) ev |= EPOLLRDHUP;
        if ((afdEvents & AFD_POLL_SEND) != 0) ev |= EPOLLOUT;
        if (fd >= inSet.length) inSet = Arrays.copyOf(inSet, Math.max(fd + 1, inSet.length * 2));
        int r = ctl(inSet[fd] ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, ev, slot);
        if (r < 0) {
            int e = -r;
            r = ctl(e == ENOENT ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, fd, ev, slot); // the fd was closed and reused
            if (r < 0) return 0xC0000008; // STATUS_INVALID_HANDLE
        }
        inSet[fd] = true;
        slotFd[slot] = fd;
        slotWant[slot] = afdEvents;
        pending[slot] = true;
        return STATUS_PENDING;
    }

    @Override
    public int cancelPoll(long afd, int slot) {
        if (!pending[slot]) return STATUS_NOT_FOUND;
        int fd = slotFd[slot];
        ctl(EPOLL_CTL_DEL, fd, 0, 0);
        inSet[fd] = false;
        pending[slot] = false;
        slotStatus[slot] = STATUS_CANCELLED;
        slotEvents[slot] = 0;
        queue.add(new long[] {AFD_KEY, slot});
        return STATUS_SUCCESS;
    }

    private void take() {
        long[] p;
        while (count < CAP && (p = queue.poll()) != null) {
            keys[count] = p[0];
            slots[count] = (int) p[1];
            count++;
        }
    }

    @Override
    public int dequeue(long timeoutMillis) throws IOException {
        count = 0;
        take();
        if (count == CAP) return count;
        int to = count > 0 ? 0 : (int) Math.min(timeoutMillis, Integer.MAX_VALUE);
        int n = LibC.epoll_wait(epfd, eventsAddr, CAP - count, to);
        if (n < 0) {
            if (-n == EINTR) return count;
            throw new IOException("epoll_wait: errno " + -n);
        }
        for (int i = 0; i < n; i++) {
            long data = events.getLong(i * EPOLL_EVENT_SIZE + EPOLL_EVENT_DATA);
            int ev = events.getInt(i * EPOLL_EVENT_SIZE);
            if (data == WAKE) {
                LibC.read(evfd, scratchAddr + 16, 8);
                continue;
            }
            int slot = (int) data;
            if (!pending[slot]) continue;
            pending[slot] = false;
            int afd = 0;
            if ((ev & EPOLLIN) != 0) afd |= AFD_POLL_RECEIVE | AFD_POLL_ACCEPT;
            if ((ev & EPOLLRDHUP) != 0) afd |= AFD_POLL_DISCONNECT;
            if ((ev & EPOLLOUT) != 0) afd |= AFD_POLL_SEND;
            if ((ev & EPOLLHUP) != 0) afd |= AFD_POLL_ABORT;
            if ((ev & EPOLLERR) != 0) afd |= AFD_POLL_CONNECT_FAIL;
            slotStatus[slot] = STATUS_SUCCESS;
            slotEvents[slot] = afd & slotWant[slot];
            keys[count] = AFD_KEY;
            slots[count] = slot;
            count++;
        }
        take(); // packets posted while we waited (the eventfd woke us)
        return count;
    }

    @Override
    public long entryKey(int i) {
        return keys[i];
    }

    @Override
    public int entrySlot(int i) {
        return slots[i];
    }

    @Override
    public int slotStatus(int slot) {
        return slotStatus[slot];
    }

    @Override
    public int slotEvents(int slot) {
        return slotEvents[slot];
    }

    private static final ByteBuffer ONE = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).putLong(0, 1L);
    private static final long ONE_ADDR = Pointer.nativeValue(Native.getDirectBufferPointer(ONE));

    @Override
    public void post(long key) {
        queue.add(new long[] {key, -1});
        LibC.write(evfd, ONE_ADDR, 8);
    }

    @Override
    public void close(boolean ioOutstanding) {
        LibC.close(epfd);
        LibC.close(evfd);
    }
}
