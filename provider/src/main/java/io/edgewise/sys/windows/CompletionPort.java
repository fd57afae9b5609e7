package io.edgewise.sys.windows;

import java.io.IOException;

/**
 * The few completion-port and AFD operations the IOCP backend needs, one method per Win32/NT call,
 * so that the readiness state machine in {@link io.edgewise.backend.iocp.IocpPoller} is pure Java: the native implementation is
 * {@link NativeCompletionPort}; tests replay completion sequences through a fake.
 *
 * <h2>Slots</h2>
 * Each socket registered with the backend owns one <em>slot</em>: a small block of native memory holding
 * the {@code IO_STATUS_BLOCK} and the one-handle {@code AFD_POLL_INFO} of its outstanding poll. The kernel
 * writes into it until the poll's completion has been dequeued, so a slot is freed only after that.
 * Slots are small non-negative ints; a completion names the slot whose poll completed.
 *
 * <h2>Keys</h2>
 * AFD helper handles are associated with the port with completion key {@link #AFD_KEY}; packets posted
 * with {@link #post} carry {@link #WAKEUP_KEY} or {@link #KICK_KEY} and no slot.
 *
 * <h2>Threads</h2>
 * {@link #post} may be called by any thread; everything else only by the selecting thread.
 */
public interface CompletionPort {
    long AFD_KEY = 0, WAKEUP_KEY = 1, KICK_KEY = 2;

    /** Opens an AFD helper handle ({@code NtCreateFile("\Device\Afd\...")}) associated with the port. */
    long openAfd() throws IOException;

    /** {@code CloseHandle} of an AFD helper that has no poll outstanding. */
    void closeAfd(long afd);

    /** The base service provider socket ({@code WSAIoctl(SIO_BASE_HANDLE)}), which AFD polls need. */
    long baseSocket(long socket) throws IOException;

    /** Allocates a slot (see above). */
    int newSlot();

    void freeSlot(int slot);

    /**
     * {@code NtDeviceIoControlFile(afd, IOCTL_AFD_POLL)} for one socket with the slot's IO_STATUS_BLOCK as
     * APC context. Returns the NTSTATUS: {@code STATUS_PENDING} or {@code STATUS_SUCCESS} (a completion
     * packet follows in both cases), or an error (no packet follows).
     */
    int submitPoll(long afd, int slot, long baseSocket, int afdEvents);

    /**
     * {@code NtCancelIoFileEx(afd, slot's IO_STATUS_BLOCK)}. Returns the NTSTATUS; {@code STATUS_NOT_FOUND}
     * means the poll had already completed. Either way exactly one completion packet follows.
     */
    int cancelPoll(long afd, int slot);

    /**
     * {@code GetQueuedCompletionStatusEx}: waits up to {@code timeoutMillis} (-1 forever, 0 not at all)
     * and returns the number of packets dequeued (0 on timeout).
     */
    int dequeue(long timeoutMillis) throws IOException;

    /** Completion key of packet {@code i} of the last dequeue. */
    long entryKey(int i);

    /** Slot of packet {@code i} (packets with {@link #AFD_KEY}). */
    int entrySlot(int i);

    /** The slot's IO_STATUS_BLOCK status, valid once its completion was dequeued. */
    int slotStatus(int slot);

    /** AFD events of the slot's handle entry (0 when the poll returned no handle). */
    int slotEvents(int slot);

    /** {@code PostQueuedCompletionStatus(port, 0, key, NULL)}; any thread. */
    void post(long key) throws IOException;

    /**
     * Closes the port and the AFD helpers still open. With {@code ioOutstanding} the slots' memory is
     * deliberately not freed, because the kernel may still write to it.
     */
    void close(boolean ioOutstanding);
}
