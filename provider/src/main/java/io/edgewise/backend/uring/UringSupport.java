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
 * that reason (the fallback path cannot otherwise be reached on a machine that has io_uring).
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
        System.exit(p == null ? 0 : 1);
    }

    private static String probe() {
        String planted = Platform.current().settings().uringTestProbeFailure();
        if (!planted.isEmpty()) {
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
        int ops = 256;
        ByteBuffer probe = ByteBuffer.allocateDirect(PROBE_SIZE + ops * PROBE_OP_SIZE).order(ByteOrder.nativeOrder());
        long r = LibC.syscall(NR_IO_URING_REGISTER, ringFd, IORING_REGISTER_PROBE, LibC.address(probe), ops, 0, 0);
        if (r < 0) {
            return "IORING_REGISTER_PROBE failed: " + LibC.strerror((int) -r);
        }
        int len = probe.get(PROBE_OPS_LEN) & 0xff;
        for (int op : new int[] {IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE}) {
            int at = PROBE_OPS + op * PROBE_OP_SIZE;
            boolean ok = op < len && (probe.getShort(at + PROBE_OP_FLAGS) & IO_URING_OP_SUPPORTED) != 0;
            if (!ok) {
                return "the kernel does not support io_uring opcode " + (op == IORING_OP_POLL_ADD ? "POLL_ADD" : "POLL_REMOVE");
            }
        }
        return null;
    }
}
