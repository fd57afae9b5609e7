package io.edgewise.sys.linux;

/**
 * io_uring's system call numbers, constants and struct layouts ({@code <linux/io_uring.h>}), for the
 * io_uring backend. Every field is checked against the kernel header by UringLayoutTest
 * ({@code src/test/c/layouts/uring_layout.c}); the names follow the header (struct members as
 * {@code STRUCT_MEMBER} byte offsets). Little-endian only (x86_64, aarch64): {@code poll32_events} is
 * stored as is, not half-word swapped as big-endian kernels expect.
 */
public final class UringLayout {
    private UringLayout() { }

    /** The same numbers on x86_64 and on aarch64 (asm-generic): added after the tables were unified. */
    public static final int NR_IO_URING_SETUP = 425, NR_IO_URING_ENTER = 426, NR_IO_URING_REGISTER = 427;

    // io_uring_setup flags and features
    public static final int IORING_SETUP_CQSIZE = 1 << 3, IORING_SETUP_CLAMP = 1 << 4,
            IORING_SETUP_SUBMIT_ALL = 1 << 7, IORING_SETUP_COOP_TASKRUN = 1 << 8, IORING_SETUP_TASKRUN_FLAG = 1 << 9;
    /** Linux 6.1+: one task submits and runs the completion work, only in its own enters (see UringPoller). */
    public static final int IORING_SETUP_R_DISABLED = 1 << 6, IORING_SETUP_SINGLE_ISSUER = 1 << 12,
            IORING_SETUP_DEFER_TASKRUN = 1 << 13;
    public static final int IORING_FEAT_SINGLE_MMAP = 1, IORING_FEAT_NODROP = 1 << 1,
            IORING_FEAT_EXT_ARG = 1 << 8;

    // io_uring_enter flags
    public static final int IORING_ENTER_GETEVENTS = 1, IORING_ENTER_EXT_ARG = 1 << 3;

    // io_uring_register opcodes and the probe
    public static final int IORING_REGISTER_PROBE = 8, IORING_REGISTER_ENABLE_RINGS = 12;
    public static final int IO_URING_OP_SUPPORTED = 1;

    // mmap offsets
    public static final long IORING_OFF_SQ_RING = 0L, IORING_OFF_CQ_RING = 0x8000000L, IORING_OFF_SQES = 0x10000000L;
    public static final int PROT_READ = 1, PROT_WRITE = 2, MAP_SHARED = 1, MAP_POPULATE = 0x8000;

    // opcodes and their flags
    public static final int IORING_OP_NOP = 0, IORING_OP_POLL_ADD = 6, IORING_OP_POLL_REMOVE = 7;
    public static final int IORING_POLL_ADD_MULTI = 1, IORING_POLL_UPDATE_EVENTS = 1 << 1,
            IORING_POLL_UPDATE_USER_DATA = 1 << 2;
    public static final int IORING_CQE_F_MORE = 1 << 1;
    /** The sq ring's flags word: completions wait in the kernel's overflow list. */
    public static final int IORING_SQ_CQ_OVERFLOW = 1 << 1;
    /** The sq ring's flags word ({@code IORING_SETUP_TASKRUN_FLAG}): completion work waits for an enter. */
    public static final int IORING_SQ_TASKRUN = 1 << 2;

    // struct io_uring_params
    public static final int PARAMS_SIZE = 120;
    public static final int PARAMS_SQ_ENTRIES = 0, PARAMS_CQ_ENTRIES = 4, PARAMS_FLAGS = 8, PARAMS_FEATURES = 20,
            PARAMS_SQ_OFF = 40, PARAMS_CQ_OFF = 80;

    // struct io_sqring_offsets (at PARAMS_SQ_OFF)
    public static final int SQ_OFF_HEAD = 0, SQ_OFF_TAIL = 4, SQ_OFF_RING_MASK = 8, SQ_OFF_RING_ENTRIES = 12,
            SQ_OFF_FLAGS = 16, SQ_OFF_DROPPED = 20, SQ_OFF_ARRAY = 24;

    // struct io_cqring_offsets (at PARAMS_CQ_OFF)
    public static final int CQ_OFF_HEAD = 0, CQ_OFF_TAIL = 4, CQ_OFF_RING_MASK = 8, CQ_OFF_RING_ENTRIES = 12,
            CQ_OFF_OVERFLOW = 16, CQ_OFF_CQES = 20, CQ_OFF_FLAGS = 24;

    // struct io_uring_sqe (64 bytes)
    public static final int SQE_SIZE = 64;
    public static final int SQE_OPCODE = 0, SQE_FLAGS = 1, SQE_IOPRIO = 2, SQE_FD = 4, SQE_OFF = 8, SQE_ADDR = 16,
            SQE_LEN = 24, SQE_POLL32_EVENTS = 28, SQE_USER_DATA = 32, SQE_BUF_INDEX = 40, SQE_PERSONALITY = 42,
            SQE_SPLICE_FD_IN = 44, SQE_ADDR3 = 48;

    // struct io_uring_cqe (16 bytes without IORING_SETUP_CQE32)
    public static final int CQE_SIZE = 16;
    public static final int CQE_USER_DATA = 0, CQE_RES = 8, CQE_FLAGS = 12;

    // struct io_uring_getevents_arg and struct __kernel_timespec
    public static final int GETEVENTS_ARG_SIZE = 24;
    public static final int GETEVENTS_ARG_SIGMASK = 0, GETEVENTS_ARG_SIGMASK_SZ = 8, GETEVENTS_ARG_TS = 16;
    public static final int TIMESPEC_SIZE = 16, TIMESPEC_TV_SEC = 0, TIMESPEC_TV_NSEC = 8;

    // struct io_uring_probe and io_uring_probe_op
    public static final int PROBE_SIZE = 16, PROBE_LAST_OP = 0, PROBE_OPS_LEN = 1, PROBE_OPS = 16;
    public static final int PROBE_OP_SIZE = 8, PROBE_OP_OP = 0, PROBE_OP_FLAGS = 2;

    // level 2 (completion I/O): receive into a provided-buffer ring, send, cancel
    public static final int IORING_OP_SENDMSG = 9, IORING_OP_ASYNC_CANCEL = 14, IORING_OP_SEND = 26, IORING_OP_RECV = 27;
    public static final int IOSQE_BUFFER_SELECT = 1 << 5;
    /** In the SQE's ioprio of a RECV: the request stays armed and completes once per arrival. */
    public static final int IORING_RECV_MULTISHOT = 1 << 1;
    /** In a CQE's flags: a provided buffer was used; its id is in the upper 16 bits. */
    public static final int IORING_CQE_F_BUFFER = 1, IORING_CQE_BUFFER_SHIFT = 16;
    public static final int IORING_REGISTER_PBUF_RING = 22, IORING_UNREGISTER_PBUF_RING = 23;
    public static final int MAP_PRIVATE = 2, MAP_ANONYMOUS = 0x20;

    // struct io_uring_buf (one entry of a provided-buffer ring; entry 0's resv is the ring's tail)
    public static final int BUF_SIZE = 16, BUF_ADDR = 0, BUF_LEN = 8, BUF_BID = 12, BUF_RING_TAIL = 14;

    // struct io_uring_buf_reg
    public static final int BUF_REG_SIZE = 40, BUF_REG_RING_ADDR = 0, BUF_REG_RING_ENTRIES = 8, BUF_REG_BGID = 12,
            BUF_REG_FLAGS = 14;
    /** In io_uring_buf_reg's flags (6.12): a buffer is consumed in pieces, several receives fill it in turn. */
    public static final int IOU_PBUF_RING_INC = 2;
    /** In a CQE's flags (incremental rings): the buffer is not used up, the kernel keeps filling it. */
    public static final int IORING_CQE_F_BUF_MORE = 1 << 4;

    // errno values io_uring returns besides Linux's usual ones
    public static final int ENOSYS = 38, ETIME = 62, ECANCELED = 125, EBUSY = 16, ENOBUFS = 105, ENOENT = 2, EALREADY = 114;
}
