package io.edgewise.conformance;

import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.EdgewiseSelectorProvider;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Reads and writes of direct buffers allocate nothing once compiled: TCP, UDP (connected and not) and
 * pipes, with blocking writes (which take a pooled waiter) and non-blocking reads. Up to JDK 23 a direct
 * buffer's address is read through Unsafe; from 24 on it comes from {@code MemorySegment.ofBuffer},
 * whose segment and session the JIT removes only when it inlines the whole call chain, so on 24+ this
 * test also guards the depth of that chain (one call level more made TCP allocate 32 bytes and UDP 104
 * per write and read). A jar built before JDK 22 has no {@code SegmentAddress} and is not checked on 24+.
 *
 * <p>Heap buffers over FFM are not checked: their array segment is sliced per call, and whether the JIT
 * removes the slice depends on how often the path ran when it was compiled ("low call site frequency"
 * after other tests leaves 224 bytes per write and read), which a test in a shared JVM cannot control.
 */
@Timeout(60)
class HotPathAllocationTest {
    private static final int OPS = 20_000, ROUNDS = 30;

    @FunctionalInterface
    interface Op {
        void run() throws Exception;
    }

    /** The fewest bytes per operation the thread allocated over a round, after rounds of warm-up. */
    private static double leastBytesPerOp(Op op) throws Exception {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        double least = Double.MAX_VALUE;
        for (int r = 0; r < ROUNDS && least > 0; r++) {
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < OPS; i++) {
                op.run();
            }
            least = Math.min(least, (mx.getThreadAllocatedBytes(tid) - before) / (double) OPS);
        }
        return least;
    }

    private static SocketChannel connected(EdgewiseSelectorProvider p, ServerSocketChannel ss) throws Exception {
        SocketChannel c = p.openSocketChannel();
        c.connect(ss.getLocalAddress());
        return c;
    }

    private static boolean segmentAddressBuilt() {
        try {
            Class.forName("io.edgewise.channels.SegmentAddress");
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    @Test
    void directBufferIoAllocatesNothing() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() < 24 || segmentAddressBuilt(),
                "JDK 24+ with a provider built before JDK 22: direct buffer addresses come from the binding");
        EdgewiseSelectorProvider p = new EdgewiseSelectorProvider();
        InetAddress lo = InetAddress.getLoopbackAddress();
        ByteBuffer out = ByteBuffer.allocateDirect(64);
        ByteBuffer in = ByteBuffer.allocateDirect(64);
        try (ServerSocketChannel ss = p.openServerSocketChannel().bind(new InetSocketAddress(lo, 0));
             SocketChannel c = connected(p, ss);
             SocketChannel s = ss.accept();
             DatagramChannel x = p.openDatagramChannel().bind(new InetSocketAddress(lo, 0));
             DatagramChannel y = p.openDatagramChannel().bind(new InetSocketAddress(lo, 0))) {
            Pipe pipe = p.openPipe();
            try (Pipe.SinkChannel sink = pipe.sink(); Pipe.SourceChannel source = pipe.source()) {
                s.configureBlocking(false);
                x.configureBlocking(false);
                source.configureBlocking(false);
                InetSocketAddress xa = (InetSocketAddress) x.getLocalAddress();
                assertEquals(0.0, leastBytesPerOp(() -> {
                    out.clear();
                    c.write(out);
                    in.clear();
                    s.read(in);
                }), "TCP bytes per blocking write + non-blocking read");
                assertEquals(0.0, leastBytesPerOp(() -> {
                    out.clear();
                    sink.write(out);
                    in.clear();
                    source.read(in);
                }), "pipe bytes per blocking write + non-blocking read");
                assertEquals(0.0, leastBytesPerOp(() -> {
                    out.clear();
                    y.send(out, xa);
                    in.clear();
                    x.receive(in);
                }), "UDP bytes per blocking send + non-blocking receive");
                y.connect(xa);
                x.connect(y.getLocalAddress());
                assertEquals(0.0, leastBytesPerOp(() -> {
                    out.clear();
                    y.write(out);
                    in.clear();
                    x.read(in);
                }), "connected UDP bytes per blocking write + non-blocking read");
            }
        }
    }
}
