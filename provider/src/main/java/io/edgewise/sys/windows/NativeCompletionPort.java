package io.edgewise.sys.windows;

import static io.edgewise.sys.windows.Win64.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link CompletionPort} on Windows (the IOCP backend's neutral interface; this binding lives in
 * {@code sys.windows} with the other Windows calls, so no JNA or FFM type reaches {@code backend}): one I/O completion port, AFD helper handles opened with
 * {@code NtCreateFile("\Device\Afd\Edgewise")}, polls through {@code NtDeviceIoControlFile(IOCTL_AFD_POLL)},
 * completions through {@code GetQueuedCompletionStatusEx}. The same sequence is asserted under wine by
 * {@code provider/src/test/c/iocp/afd_poll.c}.
 *
 * <h2>Native memory</h2>
 * Slots live in slabs of {@link #SLAB_SLOTS} × {@link #SLOT_SIZE} bytes, never moved or freed while the
 * port is open: {@code IO_STATUS_BLOCK} at offset 0 (it is also the APC context, so a completion's
 * {@code lpOverlapped} is the slot's address), {@code AFD_POLL_INFO} with one handle at 16. Completions are
 * dequeued into one array of {@code OVERLAPPED_ENTRY}. Slabs whose polls may still be written by the
 * kernel at close are kept reachable forever ({@link #LEAKED}) rather than freed.
 *
 * <p>Threads: {@link #post} from any thread (it uses only the final {@code port} handle); the rest on
 * the selecting thread.
 */
public final class NativeCompletionPort implements CompletionPort {
    public static final int SLOT_SIZE = 64, SLOT_IOSB = 0, SLOT_INFO = 16, SLAB_SLOTS = 64;
    /** Packets per dequeue: the shared batch rule (Windows has no descriptor limit). */
    private static final int ENTRIES = io.edgewise.backend.Poller.batchSize(Integer.MAX_VALUE);
    private static final List<ByteBuffer> LEAKED = new ArrayList<>();

    private final long port;
    private final List<ByteBuffer> slabs = new ArrayList<>();
    private final List<Long> slabAddrs = new ArrayList<>();
    private final ArrayList<Integer> freeSlots = new ArrayList<>();
    private int nextSlot;
    private final List<Long> afds = new ArrayList<>();
    private final ByteBuffer entries = direct(ENTRIES * OVERLAPPED_ENTRY_SIZE);
    private final long entriesAddr = address(entries);
    /** Scratch: [0..8) count/handle out, [16..32) IOSB, [32..48) UNICODE_STRING, [48..96) OBJECT_ATTRIBUTES,
     *  [96..) the helper's name in UTF-16. */
    private final ByteBuffer scratch = direct(256);
    private final long scratchAddr = address(scratch);
    private int count;

    public NativeCompletionPort() throws IOException {
        long p = Kernel32.CreateIoCompletionPort(INVALID_HANDLE_VALUE, 0L, 0L, 1);
        if (p < 0) {
            throw new IOException("CreateIoCompletionPort failed: error " + -p);
        }
        port = p;
    }

    private static ByteBuffer direct(int size) {
        return ByteBuffer.allocateDirect(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static long address(ByteBuffer b) {
        return io.edgewise.sys.NativeMemory.address(b);
    }

    @Override
    public long openAfd() throws IOException {
        ByteBuffer s = scratch;
        writeAfdName(s, scratchAddr, 32, 48, 96);
        int st = Ntdll.NtCreateFile(scratchAddr, SYNCHRONIZE, scratchAddr + 48, scratchAddr + 16, 0L, 0,
                FILE_SHARE_READ | FILE_SHARE_WRITE, FILE_OPEN, 0, 0L, 0);
        if (st != STATUS_SUCCESS) {
            throw new IOException("NtCreateFile(" + AFD_HELPER_NAME + ") failed: NTSTATUS 0x" + Integer.toHexString(st));
        }
        long afd = s.getLong(0);
        long assoc = Kernel32.CreateIoCompletionPort(afd, port, AFD_KEY, 0);
        if (assoc < 0) {
            Kernel32.CloseHandle(afd);
            throw new IOException("CreateIoCompletionPort(afd) failed: error " + -assoc);
        }
        int modes = Kernel32.SetFileCompletionNotificationModes(afd, (byte) FILE_SKIP_SET_EVENT_ON_HANDLE);
        if (modes < 0) {
            Kernel32.CloseHandle(afd);
            throw new IOException("SetFileCompletionNotificationModes failed: error " + -modes);
        }
        afds.add(afd);
        return afd;
    }

    @Override
    public void closeAfd(long afd) {
        afds.remove(afd);
        Kernel32.CloseHandle(afd);
    }

    @Override
    public long baseSocket(long socket) throws IOException {
        scratch.putLong(0, INVALID_SOCKET);
        int r = Ws2_32.WSAIoctl(socket, SIO_BASE_HANDLE, 0L, 0, scratchAddr, 8, scratchAddr + 8, 0L, 0L);
        if (r != 0) {
            throw new IOException("WSAIoctl(SIO_BASE_HANDLE) failed: error " + -r);
        }
        return scratch.getLong(0);
    }

    @Override
    public int newSlot() {
        if (!freeSlots.isEmpty()) {
            return freeSlots.remove(freeSlots.size() - 1);
        }
        int slot = nextSlot++;
        if (slot / SLAB_SLOTS == slabs.size()) {
            ByteBuffer slab = direct(SLAB_SLOTS * SLOT_SIZE);
            slabs.add(slab);
            slabAddrs.add(address(slab));
        }
        return slot;
    }

    @Override
    public void freeSlot(int slot) {
        freeSlots.add(slot);
    }

    private ByteBuffer slab(int slot) {
        return slabs.get(slot / SLAB_SLOTS);
    }

    private static int offset(int slot) {
        return (slot % SLAB_SLOTS) * SLOT_SIZE;
    }

    long slotAddress(int slot) {
        return slabAddrs.get(slot / SLAB_SLOTS) + offset(slot);
    }

    /** Writes a slot for a new poll: IO_STATUS_BLOCK pending, AFD_POLL_INFO with one handle, no timeout. */
    public static void writePoll(ByteBuffer b, int o, long baseSocket, int afdEvents) {
        b.putInt(o + SLOT_IOSB + IOSB_STATUS, STATUS_PENDING);
        b.putInt(o + SLOT_IOSB + IOSB_STATUS + 4, 0);
        b.putLong(o + SLOT_IOSB + IOSB_INFORMATION, 0L);
        b.putLong(o + SLOT_INFO + API_TIMEOUT, Long.MAX_VALUE);
        b.putInt(o + SLOT_INFO + API_NUMBER_OF_HANDLES, 1);
        b.putInt(o + SLOT_INFO + API_EXCLUSIVE, 0);
        b.putLong(o + SLOT_INFO + API_HANDLES + APHI_HANDLE, baseSocket);
        b.putInt(o + SLOT_INFO + API_HANDLES + APHI_EVENTS, afdEvents);
        b.putInt(o + SLOT_INFO + API_HANDLES + APHI_STATUS, 0);
    }

    /** Events a completed slot reports (0 when the poll returned no handle entry). */
    public static int readEvents(ByteBuffer b, int o) {
        if (b.getInt(o + SLOT_INFO + API_NUMBER_OF_HANDLES) < 1) return 0;
        return b.getInt(o + SLOT_INFO + API_HANDLES + APHI_EVENTS);
    }

    /**
     * Writes the UNICODE_STRING (at {@code us}) and OBJECT_ATTRIBUTES (at {@code oa}) naming the AFD helper,
     * whose UTF-16 name goes at {@code name}; {@code base} is the buffer's native address.
     */
    public static void writeAfdName(ByteBuffer s, long base, int us, int oa, int name) {
        byte[] n = AFD_HELPER_NAME.getBytes(StandardCharsets.UTF_16LE);
        for (int i = 0; i < n.length + 2; i++) s.put(name + i, i < n.length ? n[i] : 0);
        for (int i = 0; i < UNICODE_STRING_SIZE; i++) s.put(us + i, (byte) 0);
        for (int i = 0; i < OBJECT_ATTRIBUTES_SIZE; i++) s.put(oa + i, (byte) 0);
        s.putShort(us + US_LENGTH, (short) n.length);
        s.putShort(us + US_MAXIMUM_LENGTH, (short) (n.length + 2));
        s.putLong(us + US_BUFFER, base + name);
        s.putInt(oa + OA_LENGTH, OBJECT_ATTRIBUTES_SIZE);
        s.putLong(oa + OA_NAME, base + us);
    }

    @Override
    public int submitPoll(long afd, int slot, long baseSocket, int afdEvents) {
        writePoll(slab(slot), offset(slot), baseSocket, afdEvents);
        long addr = slotAddress(slot);
        long info = addr + SLOT_INFO;
        return Ntdll.NtDeviceIoControlFile(afd, 0L, 0L, addr + SLOT_IOSB, addr + SLOT_IOSB, IOCTL_AFD_POLL,
                info, AFD_POLL_INFO_SIZE, info, AFD_POLL_INFO_SIZE);
    }

    @Override
    public int cancelPoll(long afd, int slot) {
        return Ntdll.NtCancelIoFileEx(afd, slotAddress(slot) + SLOT_IOSB, scratchAddr + 16);
    }

    @Override
    public int dequeue(long timeoutMillis) throws IOException {
        int ms = timeoutMillis < 0 ? INFINITE : (int) Math.min(timeoutMillis, 0xFFFFFFFEL);
        scratch.putInt(0, 0);
        int r = Kernel32.GetQueuedCompletionStatusEx(port, entriesAddr, ENTRIES, scratchAddr, ms, 0);
        if (r < 0) {
            int e = -r;
            if (e == WAIT_TIMEOUT) {
                count = 0;
                return 0;
            }
            throw new IOException("GetQueuedCompletionStatusEx failed: error " + e);
        }
        count = scratch.getInt(0);
        return count;
    }

    @Override
    public long entryKey(int i) {
        return entries.getLong(i * OVERLAPPED_ENTRY_SIZE + OE_COMPLETION_KEY);
    }

    @Override
    public int entrySlot(int i) {
        long ov = entries.getLong(i * OVERLAPPED_ENTRY_SIZE + OE_OVERLAPPED);
        for (int s = 0; s < slabAddrs.size(); s++) {
            long base = slabAddrs.get(s);
            if (ov >= base && ov < base + (long) SLAB_SLOTS * SLOT_SIZE) {
                return s * SLAB_SLOTS + (int) ((ov - base) / SLOT_SIZE);
            }
        }
        return -1;
    }

    @Override
    public int slotStatus(int slot) {
        return slab(slot).getInt(offset(slot) + SLOT_IOSB + IOSB_STATUS);
    }

    @Override
    public int slotEvents(int slot) {
        return readEvents(slab(slot), offset(slot));
    }

    @Override
    public void post(long key) throws IOException {
        int r = Kernel32.PostQueuedCompletionStatus(port, 0, key, 0L);
        if (r < 0) {
            throw new IOException("PostQueuedCompletionStatus failed: error " + -r);
        }
    }

    @Override
    public void close(boolean ioOutstanding) {
        for (long afd : afds) {
            Kernel32.CloseHandle(afd);
        }
        afds.clear();
        Kernel32.CloseHandle(port);
        if (ioOutstanding) {
            synchronized (LEAKED) {
                LEAKED.addAll(slabs);
            }
        }
    }
}
