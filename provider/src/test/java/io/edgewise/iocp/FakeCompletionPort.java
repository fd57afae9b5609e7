package io.edgewise.iocp;

import static io.edgewise.sys.windows.Win64.*;

import io.edgewise.sys.windows.CompletionPort;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A completion port that replays what the kernel does, without a kernel: polls complete when the
 * simulated readiness of their socket matches (at submission, or when a test {@link #signal}s it),
 * cancels complete with STATUS_CANCELLED, a closed socket completes its polls with LOCAL_CLOSE. Tests
 * can also enqueue raw packets ({@link #completeRaw}) and make cancel lose the race with a completion
 * ({@link #cancelRaces}). Never blocks: a dequeue of an empty queue returns 0.
 *
 * <p>Threads: all methods are synchronized ({@link #post} is called from other threads in tests).
 */
final class FakeCompletionPort implements CompletionPort {
    static final class Poll {
        final long afd;
        final long base;
        final int events;
        Poll(long afd, long base, int events) { this.afd = afd; this.base = base; this.events = events; }
    }

    private final ArrayDeque<long[]> queue = new ArrayDeque<>(); // {key, slot}
    private final Map<Integer, Poll> pending = new HashMap<>();   // slot -> outstanding poll
    private final Map<Integer, int[]> result = new HashMap<>();   // slot -> {status, events}
    private final Map<Long, Integer> readiness = new HashMap<>(); // base socket -> AFD events now true
    private final List<Integer> freeSlots = new ArrayList<>();
    private int nextSlot;
    private long nextAfd = 100;
    private final List<int[]> lastBatch = new ArrayList<>();

    int maxPerDequeue = 16;
    /** Runs inside the next blocking dequeue, as another thread acting while the selector waits. */
    Runnable duringWait;
    /** When >= 0, a cancel loses the race: the poll completed with these events just before. */
    int raceEvents = -1;
    int failSubmitStatus;         // when non-zero, submissions fail with it
    int submits, cancels, dequeues, blockingDequeues, afdOpen, afdClosed, slotsLive;
    final List<String> log = new ArrayList<>();
    boolean closed, closedWithIo;

    // ---- test controls

    /** Sets what is true on a socket now and completes the polls waiting for it (like the kernel). */
    synchronized void signal(long socket, int afdEvents) {
        readiness.put(socket, afdEvents);
        for (Map.Entry<Integer, Poll> e : new ArrayList<>(pending.entrySet())) {
            Poll p = e.getValue();
            if (p.base == socket && (p.events & afdEvents) != 0) {
                finish(e.getKey(), STATUS_SUCCESS, p.events & afdEvents);
            }
        }
    }

    /** The application closed the socket: its polls complete with LOCAL_CLOSE. */
    synchronized void closeSocket(long socket) {
        readiness.remove(socket);
        for (Map.Entry<Integer, Poll> e : new ArrayList<>(pending.entrySet())) {
            if (e.getValue().base == socket) finish(e.getKey(), STATUS_SUCCESS, AFD_POLL_LOCAL_CLOSE);
        }
    }

    /** Enqueues a packet for the slot as the kernel would, whatever its state. */
    synchronized void completeRaw(int slot, int status, int events) {
        finish(slot, status, events);
    }

    synchronized boolean isPending(int slot) {
        return pending.containsKey(slot);
    }

    synchronized int pendingCount() {
        return pending.size();
    }

    synchronized int queued() {
        return queue.size();
    }

    /** Events of the poll outstanding for the socket, or -1. */
    synchronized int pendingEvents(long base) {
        for (Poll p : pending.values()) if (p.base == base) return p.events;
        return -1;
    }

    synchronized int slotOf(long base) {
        for (Map.Entry<Integer, Poll> e : pending.entrySet()) if (e.getValue().base == base) return e.getKey();
        return -1;
    }

    private void finish(int slot, int status, int events) {
        pending.remove(slot);
        result.put(slot, new int[] {status, events});
        queue.add(new long[] {AFD_KEY, slot});
    }

    // ---- CompletionPort

    @Override
    public synchronized long openAfd() {
        afdOpen++;
        return nextAfd++;
    }

    @Override
    public synchronized void closeAfd(long afd) {
        afdClosed++;
    }

    @Override
    public long baseSocket(long socket) {
        return socket; // the fake has no layered providers
    }

    @Override
    public synchronized int newSlot() {
        slotsLive++;
        return freeSlots.isEmpty() ? nextSlot++ : freeSlots.remove(freeSlots.size() - 1);
    }

    @Override
    public synchronized void freeSlot(int slot) {
        if (pending.containsKey(slot)) throw new AssertionError("slot " + slot + " freed with a poll outstanding");
        slotsLive--;
        freeSlots.add(slot);
    }

    @Override
    public synchronized int submitPoll(long afd, int slot, long baseSocket, int afdEvents) {
        submits++;
        log.add("submit " + baseSocket + " " + Integer.toHexString(afdEvents));
        if (failSubmitStatus != 0) return failSubmitStatus;
        if (pending.containsKey(slot)) throw new AssertionError("two polls outstanding on slot " + slot);
        for (long[] p : queue) {
            if (p[0] == AFD_KEY && p[1] == slot) throw new AssertionError("resubmitted before the completion was dequeued");
        }
        pending.put(slot, new Poll(afd, baseSocket, afdEvents));
        int now = readiness.getOrDefault(baseSocket, 0) & afdEvents;
        if (now != 0) {
            finish(slot, STATUS_SUCCESS, now);
            return STATUS_SUCCESS;
        }
        return STATUS_PENDING;
    }

    @Override
    public synchronized int cancelPoll(long afd, int slot) {
        cancels++;
        log.add("cancel slot " + slot);
        Poll p = pending.get(slot);
        if (p == null) return STATUS_NOT_FOUND;
        if (raceEvents >= 0) {
            finish(slot, STATUS_SUCCESS, raceEvents & p.events);
            return STATUS_NOT_FOUND;
        }
        finish(slot, STATUS_CANCELLED, 0);
        return STATUS_SUCCESS;
    }

    @Override
    public int dequeue(long timeoutMillis) {
        Runnable r = null;
        synchronized (this) {
            if (timeoutMillis != 0 && duringWait != null) { r = duringWait; duringWait = null; }
        }
        if (r != null) r.run();
        return take(timeoutMillis);
    }

    private synchronized int take(long timeoutMillis) {
        dequeues++;
        if (timeoutMillis != 0) blockingDequeues++;
        lastBatch.clear();
        while (lastBatch.size() < maxPerDequeue && !queue.isEmpty()) {
            long[] p = queue.poll();
            lastBatch.add(new int[] {(int) p[0], (int) p[1]});
        }
        return lastBatch.size();
    }

    @Override
    public synchronized long entryKey(int i) {
        return lastBatch.get(i)[0];
    }

    @Override
    public synchronized int entrySlot(int i) {
        return lastBatch.get(i)[1];
    }

    @Override
    public synchronized int slotStatus(int slot) {
        return result.get(slot)[0];
    }

    @Override
    public synchronized int slotEvents(int slot) {
        return result.get(slot)[1];
    }

    @Override
    public synchronized void post(long key) {
        queue.add(new long[] {key, -1});
    }

    @Override
    public synchronized void close(boolean ioOutstanding) {
        closed = true;
        closedWithIo = ioOutstanding;
    }
}
