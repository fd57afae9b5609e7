/* Prints, as NAME=value lines, the io_uring constants and layouts io.edgewise.sys.linux.UringLayout
 * declares, from the kernel's own <linux/io_uring.h> and <sys/syscall.h>, for UringLayoutTest. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <linux/io_uring.h>
#include <linux/time_types.h>

#define V(n, v) printf("%s=%lld\n", n, (long long) (v))
#define C(n) V(#n, n)
#define O(n, s, m) V(#n, offsetof(struct s, m))

int main(void) {
    V("NR_IO_URING_SETUP", __NR_io_uring_setup);
    V("NR_IO_URING_ENTER", __NR_io_uring_enter);
    V("NR_IO_URING_REGISTER", __NR_io_uring_register);
    C(IORING_SETUP_CQSIZE); C(IORING_SETUP_CLAMP); C(IORING_SETUP_SUBMIT_ALL);
    C(IORING_SETUP_COOP_TASKRUN); C(IORING_SETUP_TASKRUN_FLAG);
    C(IORING_SETUP_R_DISABLED); C(IORING_SETUP_SINGLE_ISSUER); C(IORING_SETUP_DEFER_TASKRUN);
    C(IORING_FEAT_SINGLE_MMAP); C(IORING_FEAT_NODROP); C(IORING_FEAT_EXT_ARG);
    C(IORING_ENTER_GETEVENTS); C(IORING_ENTER_EXT_ARG);
    C(IORING_REGISTER_PROBE); C(IORING_REGISTER_ENABLE_RINGS); C(IO_URING_OP_SUPPORTED);
    C(IORING_OFF_SQ_RING); C(IORING_OFF_CQ_RING); C(IORING_OFF_SQES);
    C(PROT_READ); C(PROT_WRITE); C(MAP_SHARED); C(MAP_POPULATE);
    C(IORING_OP_NOP); C(IORING_OP_POLL_ADD); C(IORING_OP_POLL_REMOVE);
    C(IORING_POLL_ADD_MULTI); C(IORING_POLL_UPDATE_EVENTS); C(IORING_POLL_UPDATE_USER_DATA);
    C(IORING_CQE_F_MORE); C(IORING_SQ_CQ_OVERFLOW); C(IORING_SQ_TASKRUN);

    V("PARAMS_SIZE", sizeof(struct io_uring_params));
    O(PARAMS_SQ_ENTRIES, io_uring_params, sq_entries); O(PARAMS_CQ_ENTRIES, io_uring_params, cq_entries);
    O(PARAMS_FLAGS, io_uring_params, flags); O(PARAMS_FEATURES, io_uring_params, features);
    O(PARAMS_SQ_OFF, io_uring_params, sq_off); O(PARAMS_CQ_OFF, io_uring_params, cq_off);

    O(SQ_OFF_HEAD, io_sqring_offsets, head); O(SQ_OFF_TAIL, io_sqring_offsets, tail);
    O(SQ_OFF_RING_MASK, io_sqring_offsets, ring_mask); O(SQ_OFF_RING_ENTRIES, io_sqring_offsets, ring_entries);
    O(SQ_OFF_FLAGS, io_sqring_offsets, flags); O(SQ_OFF_DROPPED, io_sqring_offsets, dropped);
    O(SQ_OFF_ARRAY, io_sqring_offsets, array);

    O(CQ_OFF_HEAD, io_cqring_offsets, head); O(CQ_OFF_TAIL, io_cqring_offsets, tail);
    O(CQ_OFF_RING_MASK, io_cqring_offsets, ring_mask); O(CQ_OFF_RING_ENTRIES, io_cqring_offsets, ring_entries);
    O(CQ_OFF_OVERFLOW, io_cqring_offsets, overflow); O(CQ_OFF_CQES, io_cqring_offsets, cqes);
    O(CQ_OFF_FLAGS, io_cqring_offsets, flags);

    V("SQE_SIZE", sizeof(struct io_uring_sqe));
    O(SQE_OPCODE, io_uring_sqe, opcode); O(SQE_FLAGS, io_uring_sqe, flags); O(SQE_IOPRIO, io_uring_sqe, ioprio);
    O(SQE_FD, io_uring_sqe, fd); O(SQE_OFF, io_uring_sqe, off); O(SQE_ADDR, io_uring_sqe, addr);
    O(SQE_LEN, io_uring_sqe, len); O(SQE_POLL32_EVENTS, io_uring_sqe, poll32_events);
    O(SQE_USER_DATA, io_uring_sqe, user_data); O(SQE_BUF_INDEX, io_uring_sqe, buf_index);
    O(SQE_PERSONALITY, io_uring_sqe, personality); O(SQE_SPLICE_FD_IN, io_uring_sqe, splice_fd_in);
    O(SQE_ADDR3, io_uring_sqe, addr3);

    V("CQE_SIZE", sizeof(struct io_uring_cqe));
    O(CQE_USER_DATA, io_uring_cqe, user_data); O(CQE_RES, io_uring_cqe, res); O(CQE_FLAGS, io_uring_cqe, flags);

    V("GETEVENTS_ARG_SIZE", sizeof(struct io_uring_getevents_arg));
    O(GETEVENTS_ARG_SIGMASK, io_uring_getevents_arg, sigmask);
    O(GETEVENTS_ARG_SIGMASK_SZ, io_uring_getevents_arg, sigmask_sz);
    O(GETEVENTS_ARG_TS, io_uring_getevents_arg, ts);
    V("TIMESPEC_SIZE", sizeof(struct __kernel_timespec));
    O(TIMESPEC_TV_SEC, __kernel_timespec, tv_sec); O(TIMESPEC_TV_NSEC, __kernel_timespec, tv_nsec);

    V("PROBE_SIZE", sizeof(struct io_uring_probe));
    O(PROBE_LAST_OP, io_uring_probe, last_op); O(PROBE_OPS_LEN, io_uring_probe, ops_len);
    O(PROBE_OPS, io_uring_probe, ops);
    V("PROBE_OP_SIZE", sizeof(struct io_uring_probe_op));
    O(PROBE_OP_OP, io_uring_probe_op, op); O(PROBE_OP_FLAGS, io_uring_probe_op, flags);

    C(IORING_OP_SENDMSG); C(IORING_OP_ASYNC_CANCEL); C(IORING_OP_SEND); C(IORING_OP_RECV);
    C(IOSQE_BUFFER_SELECT); C(IORING_RECV_MULTISHOT); C(IORING_CQE_F_BUFFER); C(IORING_CQE_BUFFER_SHIFT);
    C(IORING_REGISTER_PBUF_RING); C(IORING_UNREGISTER_PBUF_RING); C(MAP_PRIVATE); C(MAP_ANONYMOUS);
    V("BUF_SIZE", sizeof(struct io_uring_buf));
    O(BUF_ADDR, io_uring_buf, addr); O(BUF_LEN, io_uring_buf, len); O(BUF_BID, io_uring_buf, bid);
    O(BUF_RING_TAIL, io_uring_buf_ring, tail);
    V("BUF_REG_SIZE", sizeof(struct io_uring_buf_reg));
    O(BUF_REG_RING_ADDR, io_uring_buf_reg, ring_addr); O(BUF_REG_RING_ENTRIES, io_uring_buf_reg, ring_entries);
    O(BUF_REG_BGID, io_uring_buf_reg, bgid);
#ifdef IORING_CQE_F_BUF_MORE /* 6.12 uapi: incremental buffer rings */
    O(BUF_REG_FLAGS, io_uring_buf_reg, flags); C(IOU_PBUF_RING_INC); C(IORING_CQE_F_BUF_MORE);
#else /* older headers: the flags field is the padding after bgid; the test skips the two 6.12 values */
    O(BUF_REG_FLAGS, io_uring_buf_reg, pad);
#endif

    C(ENOSYS); C(ETIME); C(ECANCELED); C(EBUSY); C(ENOBUFS); C(ENOENT); C(EALREADY);
    printf("END\n");
    return 0;
}
