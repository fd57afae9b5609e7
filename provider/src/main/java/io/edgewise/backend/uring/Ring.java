package io.edgewise.backend.uring;

import static io.edgewise.sys.linux.UringLayout.*;

import io.edgewise.sys.posix.LibC;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * One io_uring instance: its descriptor, the submission and completion rings (one mapping,
 * {@code IORING_FEAT_SINGLE_MMAP}) and the SQE array (a second mapping), seen through direct buffers.
 *
 * <p>Memory order: the kernel and this process share the rings' head and tail words. A tail this side
 * writes (SQ) and a head this side writes (CQ) are stored with release semantics, after the entries
 * they publish or release; the kernel's words (SQ head, CQ tail) are loaded with acquire semantics,
 * before the entries they cover are read. That is {@link VarHandle#setRelease}/{@link VarHandle#getAcquire}
 * through {@link MethodHandles#byteBufferViewVarHandle} over the mapped memory. One code path for JDK 17
 * and 25: a ByteBuffer view VarHandle has these access modes from JDK 9 on and the JIT compiles it to
 * plain loads and stores (plus the fences the modes need), so a MemorySegment variant for 22+ would only
 * add a second copy of the same logic. Entries themselves are read and written with plain accesses.
 *
 * <p>Threads: used only by the thread that holds the selector's selection lock (see the Poller
 * contract); nothing here is shared otherwise.
 */
final class Ring implements AutoCloseable {
    private static final VarHandle U32 = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    final int fd;
    final int sqEntries;
    final int cqEntries;
    final int features;
    /** The setup flags asked for (the kernel refuses a ring whose flags it does not know). */
    final int flags;
    private final long ringAddr;
    private final int ringLen;
    private final long sqesAddr;
    private final int sqesLen;
    /** The SQ and CQ rings (one mapping). */
    private final ByteBuffer ring;
    /** The SQE array. */
    final ByteBuffer sqes;
    private final int sqHeadOff, sqTailOff, sqFlagsOff, sqMask;
    private final int cqHeadOff, cqTailOff, cqMask, cqesOff;
    /** This side's copies of the words only this side writes. */
    private int sqTail, cqHead;

    /**
     * Sets up a ring of {@code sqEntries} submissions and {@code cqEntries} completions (both powers of
     * two; the kernel rounds up). Throws with the errno in the message; {@link #lastSetupErrno} tells
     * the probe why.
     */
    Ring(int sqEntries, int cqEntries, int flags) throws IOException {
        ByteBuffer p = ByteBuffer.allocateDirect(PARAMS_SIZE).order(ByteOrder.nativeOrder());
        p.putInt(PARAMS_FLAGS, flags | IORING_SETUP_CQSIZE);
        p.putInt(PARAMS_CQ_ENTRIES, cqEntries);
        long r = LibC.syscall(NR_IO_URING_SETUP, sqEntries, LibC.address(p), 0, 0, 0, 0);
        if (r < 0) {
            int e = (int) -r;
            throw new SetupException(e, "io_uring_setup: " + LibC.strerror(e));
        }
        fd = (int) r;
        this.flags = flags | IORING_SETUP_CQSIZE;
        this.sqEntries = p.getInt(PARAMS_SQ_ENTRIES);
        this.cqEntries = p.getInt(PARAMS_CQ_ENTRIES);
        features = p.getInt(PARAMS_FEATURES);
        int sq = PARAMS_SQ_OFF, cq = PARAMS_CQ_OFF;
        if ((features & IORING_FEAT_SINGLE_MMAP) == 0) {
            LibC.close(fd);
            throw new SetupException(0, "io_uring without IORING_FEAT_SINGLE_MMAP (Linux 5.4+ needed)");
        }
        int sqArray = p.getInt(sq + SQ_OFF_ARRAY);
        int sqLen = sqArray + this.sqEntries * 4;
        int cqLen = p.getInt(cq + CQ_OFF_CQES) + this.cqEntries * CQE_SIZE;
        ringLen = Math.max(sqLen, cqLen);
        ringAddr = LibC.mmap(0, ringLen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQ_RING);
        if (ringAddr < 0) {
            int e = (int) -ringAddr;
            LibC.close(fd);
            throw new IOException("mmap of the io_uring rings: " + LibC.strerror(e));
        }
        sqesLen = this.sqEntries * SQE_SIZE;
        sqesAddr = LibC.mmap(0, sqesLen, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd, IORING_OFF_SQES);
        if (sqesAddr < 0) {
            int e = (int) -sqesAddr;
            LibC.munmap(ringAddr, ringLen);
            LibC.close(fd);
            throw new IOException("mmap of the io_uring SQEs: " + LibC.strerror(e));
        }
        ring = LibC.view(ringAddr, ringLen);
        sqes = LibC.view(sqesAddr, sqesLen);
        sqHeadOff = p.getInt(sq + SQ_OFF_HEAD);
        sqTailOff = p.getInt(sq + SQ_OFF_TAIL);
        sqFlagsOff = p.getInt(sq + SQ_OFF_FLAGS);
        sqMask = ring.getInt(p.getInt(sq + SQ_OFF_RING_MASK));
        cqHeadOff = p.getInt(cq + CQ_OFF_HEAD);
        cqTailOff = p.getInt(cq + CQ_OFF_TAIL);
        cqMask = ring.getInt(p.getInt(cq + CQ_OFF_RING_MASK));
        cqesOff = p.getInt(cq + CQ_OFF_CQES);
        // SQE slot i is always submitted from array slot i: the indirection is set once
        for (int i = 0; i < this.sqEntries; i++) {
            ring.putInt(sqArray + 4 * i, i);
        }
        sqTail = (int) U32.getAcquire(ring, sqTailOff);
        cqHead = (int) U32.getAcquire(ring, cqHeadOff);
    }

    /**
     * A ring one thread alone will enter: {@code SINGLE_ISSUER | DEFER_TASKRUN}, so the kernel runs its
     * completion work inside that thread's enters instead of announcing it through the signal path (a
     * cheaper wake-up: docs/io_uring.md, "DEFER_TASKRUN"). Made disabled: the thread that will enter it claims
     * it with {@link #enable()}. A kernel without these flags (before 6.1) gets {@code usualFlags}.
     */
    static Ring forOneThread(int sqEntries, int cqEntries, int usualFlags) throws IOException {
        try {
            return new Ring(sqEntries, cqEntries, IORING_SETUP_SUBMIT_ALL | IORING_SETUP_TASKRUN_FLAG
                    | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_R_DISABLED);
        } catch (SetupException e) {
            return new Ring(sqEntries, cqEntries, usualFlags);
        }
    }

    /** Whether the kernel runs this ring's completion work only inside its one thread's enters. */
    boolean deferTaskrun() {
        return (flags & IORING_SETUP_DEFER_TASKRUN) != 0;
    }

    /** Enables a disabled ring ({@link #forOneThread}): the calling thread becomes the only one that may enter it. */
    void enable() throws IOException {
        long r = LibC.syscall(NR_IO_URING_REGISTER, fd, IORING_REGISTER_ENABLE_RINGS, 0, 0, 0, 0);
        if (r < 0) {
            throw new IOException("io_uring: IORING_REGISTER_ENABLE_RINGS: " + LibC.strerror((int) -r));
        }
    }

    /** io_uring_setup failed; {@link #errno} is why (0: a feature is missing). */
    static final class SetupException extends IOException {
        private static final long serialVersionUID = 1L;
        final int errno;

        SetupException(int errno, String message) {
            super(message);
            this.errno = errno;
        }
    }

    // ---- submission ----

    /** Free SQ slots: the kernel consumes up to its head. */
    int sqSpace() {
        return sqEntries - (sqTail - (int) U32.getAcquire(ring, sqHeadOff));
    }

    /** SQEs published but not yet consumed by the kernel. */
    int unsubmitted() {
        return sqTail - (int) U32.getAcquire(ring, sqHeadOff);
    }

    /** The byte offset in {@link #sqes} of the next SQE, zeroed; the caller checked {@link #sqSpace}. */
    int nextSqe() {
        int off = (sqTail & sqMask) * SQE_SIZE;
        for (int i = 0; i < SQE_SIZE; i += 8) {
            sqes.putLong(off + i, 0L);
        }
        return off;
    }

    /** Publishes the SQE {@link #nextSqe} returned (release: its bytes are visible before the tail). */
    void publish() {
        sqTail++;
        U32.setRelease(ring, sqTailOff, sqTail);
    }

    // ---- the requests every part of the backend queues (the SQE at off came from nextSqe; the caller publishes)

    /** A poll of {@code fd} for the kernel's {@code pollEvents}, single-shot or multishot. */
    void prepPollAdd(int off, int fd, int pollEvents, boolean multishot, long userData) {
        sqes.put(off + SQE_OPCODE, (byte) IORING_OP_POLL_ADD);
        sqes.putInt(off + SQE_FD, fd);
        sqes.putInt(off + SQE_POLL32_EVENTS, pollEvents);
        if (multishot) sqes.putInt(off + SQE_LEN, IORING_POLL_ADD_MULTI);
        sqes.putLong(off + SQE_USER_DATA, userData);
    }

    /** The removal of the poll request whose user_data is {@code target}. */
    void prepPollRemove(int off, long target, long userData) {
        prepTargeted(off, IORING_OP_POLL_REMOVE, target, userData);
    }

    /** The cancellation of the request whose user_data is {@code target}. */
    void prepCancel(int off, long target, long userData) {
        prepTargeted(off, IORING_OP_ASYNC_CANCEL, target, userData);
    }

    private void prepTargeted(int off, int opcode, long target, long userData) {
        sqes.put(off + SQE_OPCODE, (byte) opcode);
        sqes.putInt(off + SQE_FD, -1);
        sqes.putLong(off + SQE_ADDR, target);
        sqes.putLong(off + SQE_USER_DATA, userData);
    }

    /**
     * The SQ ring's flags word, written by the kernel (acquire): {@code IORING_SQ_TASKRUN} while completion
     * work waits for this thread's next enter, {@code IORING_SQ_CQ_OVERFLOW} while completions wait in the
     * overflow list.
     */
    int sqFlags() {
        return (int) U32.getAcquire(ring, sqFlagsOff);
    }

    /** io_uring_enter calls made (tests: which polls made no system call). */
    long enters;

    /** io_uring_enter: the result, or {@code -errno}. */
    long enter(int toSubmit, int minComplete, int flags, long arg, int argSize) {
        enters++;
        return LibC.syscall(NR_IO_URING_ENTER, fd, toSubmit, minComplete, flags, arg, argSize);
    }

    // ---- completion ----

    /** Completions ready to read. */
    int cqReady() {
        return (int) U32.getAcquire(ring, cqTailOff) - cqHead;
    }

    /** The byte offset in the ring buffer of the {@code i}-th unread CQE. */
    int cqe(int i) {
        return cqesOff + ((cqHead + i) & cqMask) * CQE_SIZE;
    }

    long cqeUserData(int off) {
        return ring.getLong(off + CQE_USER_DATA);
    }

    int cqeRes(int off) {
        return ring.getInt(off + CQE_RES);
    }

    int cqeFlags(int off) {
        return ring.getInt(off + CQE_FLAGS);
    }

    /** Hands {@code n} read CQEs back to the kernel (release: they were read before). */
    void consume(int n) {
        cqHead += n;
        U32.setRelease(ring, cqHeadOff, cqHead);
    }

    @Override
    public void close() {
        LibC.munmap(sqesAddr, sqesLen);
        LibC.munmap(ringAddr, ringLen);
        LibC.close(fd);
    }

    /** The kernel's SQ head, read from any thread (acquire): every SQE before it was consumed. */
    int sqHeadNow() {
        return (int) U32.getAcquire(ring, sqHeadOff);
    }

    /** The SQ tail this side published last (the publishing thread only). */
    int sqTailNow() {
        return sqTail;
    }
}
