package io.edgewise.conformance;

import java.lang.management.ManagementFactory;

/** What the calling thread allocates per operation (the hot-path allocation tests). */
public final class Allocations {
    private Allocations() { }

    /** One operation of a measured round. */
    @FunctionalInterface
    public interface Op {
        void run() throws Exception;
    }

    /**
     * The fewest bytes per operation the calling thread allocated over a round of {@code ops} operations,
     * out of at most {@code rounds} rounds; the first rounds are the JIT's warm-up, and it stops at a round
     * that allocated nothing.
     */
    public static double leastBytesPerOp(int ops, int rounds, Op op) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        double least = Double.MAX_VALUE;
        for (int r = 0; r < rounds && least > 0; r++) {
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < ops; i++) {
                op.run();
            }
            least = Math.min(least, (mx.getThreadAllocatedBytes(tid) - before) / (double) ops);
        }
        return least;
    }
}
