package io.edgewise.backend.uring;

import static io.edgewise.sys.linux.UringLayout.*;

import io.edgewise.sys.Platform;
import io.edgewise.sys.posix.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * Whether the io_uring backend can run here, asked once per JVM: Linux on x86_64 or aarch64, a ring
 * can be set up with the flags the poller uses ({@code IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL |
 * IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG}, Linux 5.19+), the features it relies on are
 * there ({@code SINGLE_MMAP}, {@code NODROP}, {@code EXT_ARG}), and {@code IORING_REGISTER_PROBE} lists
 * its opcodes (POLL_ADD, POLL_REMOVE).
 * {@link #problem()} is null when it can, else the reason in one phrase.
 *
 * <p>For tests only: {@code -Dio.edgewise.uring.test.probeFailure=REASON} makes the probe fail with
 * that reason (the fallback path cannot otherwise be reached on a machine that has io_uring);
 * {@code io:REASON} makes only the level-2 probe fail ({@link #ioProblem()}).
 *
 * <p>Threads: the answer is computed in a class initialiser (the JVM's lock) and final afterwards.
 */
public final class UringSupport {
    private UringSupport() { }

    /** The test-only property that plants a probe failure. */
    public static final String TEST_FAILURE_PROPERTY = io.edgewise.sys.Settings.URING_TEST_PROBE_FAILURE;

    /**
     * The setup flags every ring of the backend uses (CQSIZE is added by {@link Ring}). COOP_TASKRUN: a
     * completion for the selecting thread while it runs is not pushed at it by an inter-processor
     * interrupt; the thread takes it on its next entry into the kernel (a sleeping thread is still woken).
     * TASKRUN_FLAG: the kernel says in the SQ ring's flags when such work waits, so a poll that finds the
     * CQ empty and nothing waiting makes no system call.
     */
    static final int SETUP_FLAGS = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN | IORING_SETUP_TASKRUN_FLAG;

    private static final class Answer {
        static final String PROBLEM = probe();
    }

    private static final class IoAnswer {
        static final String PROBLEM = problem() != null ? problem() : ioProbe();
        static final boolean ENABLED = enabled();

        private static boolean enabled() {
            if (!Platform.current().settings().uringIo()) {
                return false;
            }
            if (PROBLEM != null) {
                System.getLogger("io.edgewise").log(System.Logger.Level.WARNING,
                        "Edgewise: io_uring level 2 (completion I/O) unavailable ({0}); level 1 (readiness) runs.",
                        PROBLEM);
                return false;
            }
            return true;
        }
    }

    /**
     * Level 2 (completion I/O): null when this kernel has what it needs — the RECV, SEND and ASYNC_CANCEL
     * opcodes, provided-buffer rings ({@code IORING_REGISTER_PBUF_RING}, Linux 5.19) and multishot
     * {@code recv} (6.0), tried on a socket pair — otherwise why not.
     */
    public static String ioProblem() {
        return IoAnswer.PROBLEM;
    }

    /**
     * Whether ring selectors run level 2: asked for ({@code -Dio.edgewise.uring.io=true}) and available.
     * Asked for and unavailable: one WARNING with the reason, and level 1 runs.
     */
    public static boolean ioEnabled() {
        return IoAnswer.ENABLED;
    }

    /** Null when io_uring can serve as a backend here; otherwise why not. */
    public static String problem() {
        return Answer.PROBLEM;
    }

    /**
     * Prints whether the io_uring backend can run here ({@code io_uring available}, exit 0) or why not
     * ({@code io_uring unavailable: REASON}, exit 1): for scripts (scripts/test.sh decides its io_uring
     * stages with it).
     */
    public static void main(String[] args) {
        String p = problem();
        System.out.println(p == null ? "io_uring available" : "io_uring unavailable: " + p);
        if (p == null) {
            String io = ioProblem();
            System.out.println(io == null ? "io_uring level 2 available" : "io_uring level 2 unavailable: " + io);
        }
        System.exit(p == null ? 0 : 1);
    }

    private static String probe() {
        String planted = Platform.current().settings().uringTestProbeFailure();
        if (!planted.isEmpty() && !planted.startsWith("io:")) {
            return planted;
        }
        String os = Platform.Os.NAME;
        String arch = Platform.Os.ARCH.toLowerCase(Locale.ROOT);
        if (!Platform.Os.isLinux()) {
            return "io_uring is Linux's and this is " + os;
        }
        if (!(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("aarch64"))) {
            return "the io_uring backend supports x86_64 and aarch64, not " + arch;
        }
        try {
            return probeKernel();
        } catch (LinkageError | RuntimeException e) {
            return "the native binding could not be loaded (" + e + ")";
        }
    }

    private static String probeKernel() {
        Ring ring;
        try {
            ring = new Ring(2, 4, SETUP_FLAGS);
        } catch (Ring.SetupException e) {
            switch (e.errno) {
                case ENOSYS:
                    return "the kernel has no io_uring (io_uring_setup: ENOSYS)";
                case 1: // EPERM
                    return "io_uring is not permitted (io_uring_setup: EPERM; kernel.io_uring_disabled,"
                            + " or a seccomp profile such as a container's)";
                case 22: // EINVAL
                    return "the kernel lacks IORING_SETUP_SUBMIT_ALL, CQSIZE, COOP_TASKRUN or TASKRUN_FLAG"
                            + " (io_uring_setup: EINVAL; Linux 5.19+ needed)";
                default:
                    return e.getMessage();
            }
        } catch (java.io.IOException e) {
            return e.getMessage();
        }
        try {
            int f = ring.features;
            if ((f & IORING_FEAT_NODROP) == 0) return "the kernel lacks IORING_FEAT_NODROP";
            if ((f & IORING_FEAT_EXT_ARG) == 0) return "the kernel lacks IORING_FEAT_EXT_ARG";
            return opcodesProblem(ring.fd);
        } finally {
            ring.close();
        }
    }

    /** IORING_REGISTER_PROBE: every opcode the poller submits must be supported. */
    private static String opcodesProblem(int ringFd) {
        return opcodesProblem(ringFd, new int[] {IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE});
    }

    private static String ioProbe() {
        String planted = Platform.current().settings().uringTestProbeFailure();
        if (planted.startsWith("io:")) {
            return planted.substring(3);
        }
        Ring ring;
        try {
            ring = new Ring(2, 4, SETUP_FLAGS);
        } catch (java.io.IOException | RuntimeException e) {
            return e.getMessage();
        }
        try {
            String p = opcodesProblem(ring.fd, new int[] {IORING_OP_RECV, IORING_OP_SEND, IORING_OP_SENDMSG, IORING_OP_ASYNC_CANCEL});
            return p != null ? p : multishotRecvProblem(ring);
        } finally {
            ring.close();
        }
    }

    /** A multishot recv into a provided buffer on a socket pair: one byte, with F_BUFFER and F_MORE. */
    private static String multishotRecvProblem(Ring ring) {
        BufferRing buffers;
        try {
            buffers = new BufferRing(ring.fd, 2, 64);
        } catch (java.io.IOException e) {
            return "no provided-buffer rings (" + e.getMessage() + "; Linux 5.19+ needed)";
        }
        ByteBuffer pair = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
        int paired = LibC.socketpair(1 /* AF_UNIX */, 1 /* SOCK_STREAM */, 0, LibC.address(pair));
        if (paired < 0) {
            buffers.close();
            return "socketpair: " + LibC.strerror(-paired);
        }
        int a = pair.getInt(0), b = pair.getInt(4);
        try {
            if (LibC.write(b, LibC.address(pair), 1) != 1) {
                return "socketpair write failed";
            }
            int off = ring.nextSqe();
            ring.sqes.put(off + SQE_OPCODE, (byte) IORING_OP_RECV);
            ring.sqes.put(off + SQE_FLAGS, (byte) IOSQE_BUFFER_SELECT);
            ring.sqes.putShort(off + SQE_IOPRIO, (short) IORING_RECV_MULTISHOT);
            ring.sqes.putInt(off + SQE_FD, a);
            ring.sqes.putShort(off + SQE_BUF_INDEX, (short) BufferRing.GROUP);
            ring.sqes.putLong(off + SQE_USER_DATA, 7);
            ring.publish();
            long entered = ring.enter(1, 1, IORING_ENTER_GETEVENTS, 0, 0);
            if (entered < 0) {
                return "io_uring_enter: " + LibC.strerror((int) -entered);
            }
            int cqe = ring.cqe(0);
            int res = ring.cqeRes(cqe), flags = ring.cqeFlags(cqe);
            if (res != 1 || (flags & IORING_CQE_F_BUFFER) == 0 || (flags & IORING_CQE_F_MORE) == 0) {
                return "no multishot recv with provided buffers (res " + (res < 0 ? LibC.strerror(-res) : res)
                        + ", flags " + flags + "; Linux 6.0+ needed)";
            }
            ring.consume(ring.cqReady());
            return null;
        } finally {
            LibC.close(a);
            LibC.close(b);
            buffers.close();
        }
    }

    private static String opcodesProblem(int ringFd, int[] needed) {
        int ops = 256;
        ByteBuffer probe = ByteBuffer.allocateDirect(PROBE_SIZE + ops * PROBE_OP_SIZE).order(ByteOrder.nativeOrder());
        long r = LibC.syscall(NR_IO_URING_REGISTER, ringFd, IORING_REGISTER_PROBE, LibC.address(probe), ops, 0, 0);
        if (r < 0) {
            return "IORING_REGISTER_PROBE failed: " + LibC.strerror((int) -r);
        }
        int len = probe.get(PROBE_OPS_LEN) & 0xff;
        for (int op : needed) {
            int at = PROBE_OPS + op * PROBE_OP_SIZE;
            boolean ok = op < len && (probe.getShort(at + PROBE_OP_FLAGS) & IO_URING_OP_SUPPORTED) != 0;
            if (!ok) {
                return "the kernel does not support io_uring opcode " + opName(op);
            }
        }
        return null;
    }

    private static String opName(int op) {
        switch (op) {
            case IORING_OP_POLL_ADD: return "POLL_ADD";
            case IORING_OP_POLL_REMOVE: return "POLL_REMOVE";
            case IORING_OP_RECV: return "RECV";
            case IORING_OP_SEND: return "SEND";
            case IORING_OP_ASYNC_CANCEL: return "ASYNC_CANCEL";
            default: return Integer.toString(op);
        }
    }
}
