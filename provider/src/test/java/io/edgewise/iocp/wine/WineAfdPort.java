package io.edgewise.iocp.wine;

import io.edgewise.sys.windows.CompletionPort;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * A {@link CompletionPort} whose every call is performed by the bridge helper under wine
 * ({@link WineHelper}): a real completion port, real AFD helper handles, wine's real
 * {@code IOCTL_AFD_POLL} on real Winsock sockets. Slot numbers are allocated here; the slots' memory is
 * the helper's. A dequeue brings each completed slot's status and events along, cached here for
 * {@link #slotStatus}/{@link #slotEvents}.
 *
 * <p>Threads: as the contract says — {@link #post} from any thread (one write, no reply), the rest on
 * the selecting thread only.
 */
final class WineAfdPort implements CompletionPort {
    private final WineHelper helper;
    private final long port;
    private final ArrayList<Integer> free = new ArrayList<>();
    private int nextSlot;
    private int[] status = new int[64], events = new int[64];
    private long[] keys = new long[256];
    private int[] entrySlots = new int[256];

    WineAfdPort(WineHelper helper) throws IOException {
        this.helper = helper;
        this.port = Long.parseLong(helper.call("PORT")[0]);
    }

    @Override
    public long openAfd() throws IOException {
        return Long.parseLong(helper.call("AFD " + port)[0]);
    }

    @Override
    public void closeAfd(long afd) {
        try {
            helper.call("CLOSEAFD " + afd);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public long baseSocket(long socket) throws IOException {
        return Long.parseLong(helper.call("BASE " + socket)[0]);
    }

    @Override
    public int newSlot() {
        int s = free.isEmpty() ? nextSlot++ : free.remove(free.size() - 1);
        if (s >= status.length) {
            status = Arrays.copyOf(status, s * 2);
            events = Arrays.copyOf(events, s * 2);
        }
        return s;
    }

    @Override
    public void freeSlot(int slot) {
        free.add(slot);
    }

    private int statusOf(String command) {
        try {
            return (int) Long.parseLong(helper.call(command)[0]);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public int submitPoll(long afd, int slot, long baseSocket, int afdEvents) {
        return statusOf("SUBMIT " + afd + " " + slot + " " + baseSocket + " " + afdEvents);
    }

    @Override
    public int cancelPoll(long afd, int slot) {
        return statusOf("CANCEL " + afd + " " + slot);
    }

    @Override
    public int dequeue(long timeoutMillis) throws IOException {
        String[] w = helper.call("DEQ " + port + " " + timeoutMillis);
        int n = Integer.parseInt(w[0]);
        for (int i = 0; i < n; i++) {
            keys[i] = Long.parseLong(w[1 + 4 * i]);
            int slot = Integer.parseInt(w[2 + 4 * i]);
            entrySlots[i] = slot;
            if (slot >= 0) {
                status[slot] = (int) Long.parseLong(w[3 + 4 * i]);
                events[slot] = (int) Long.parseLong(w[4 + 4 * i]);
            }
        }
        return n;
    }

    @Override
    public long entryKey(int i) {
        return keys[i];
    }

    @Override
    public int entrySlot(int i) {
        return entrySlots[i];
    }

    @Override
    public int slotStatus(int slot) {
        return status[slot];
    }

    @Override
    public int slotEvents(int slot) {
        return events[slot];
    }

    @Override
    public void post(long key) throws IOException {
        helper.send("POST " + port + " " + key);
    }

    @Override
    public void close(boolean ioOutstanding) {
        try {
            helper.call("CLOSEPORT " + port);
        } catch (IOException e) {
            // the helper is gone: nothing left to close
        }
    }
}
