package io.edgewise.kqueue;

import io.edgewise.sys.PollEvents;
import static org.junit.jupiter.api.Assertions.*;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.posix.PosixSocketOps;
import io.edgewise.sys.linux.LinuxValues;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The POSIX/BSD socket ops against a real kernel: on macOS/BSD with the platform's values, on Linux
 * with Linux's (the same code path, {@code -Dio.edgewise.socketops=posix} for the whole suite).
 */
@Timeout(20)
class PosixSocketOpsTest {
    private PosixSocketOps ops;
    private final List<Integer> fds = new ArrayList<>();
    private final ByteBuffer buf = ByteBuffer.allocateDirect(1024);
    private final long addr = Pointer.nativeValue(Native.getDirectBufferPointer(buf));

    private static PosixSocketOps forOs(String os) {
        io.edgewise.sys.posix.PosixNet n = io.edgewise.sys.bsd.BsdPlatforms.forOs(os);
        return n != null ? new PosixSocketOps(n) : null;
    }

    @BeforeEach
    void ops(org.junit.jupiter.api.TestInfo info) {
        String os = System.getProperty("os.name");
        boolean linux = os.toLowerCase().startsWith("linux");
        boolean macosGaps = info.getDisplayName().contains("macosGaps=true");
        ops = linux ? new PosixSocketOps(macosGaps ? LinuxValues.MACOS_LIKE : LinuxValues.NET) : forOs(os);
        Assumptions.assumeTrue(ops != null, "no POSIX socket values for " + os);
    }

    /** Whether the descriptor has O_NONBLOCK and FD_CLOEXEC (Linux values: the fcntl paths ran). */
    private static void assertNonBlockingCloexec(int fd) {
        int fl = io.edgewise.sys.posix.LibC.fcntl(fd, 3 /* F_GETFL */, 0);
        int fdfl = io.edgewise.sys.posix.LibC.fcntl(fd, 1 /* F_GETFD */, 0);
        assertTrue(fl >= 0 && fdfl >= 0);
        if (System.getProperty("os.name").toLowerCase().startsWith("linux")) {
            assertNotEquals(0, fl & 0x800, "O_NONBLOCK");
            assertNotEquals(0, fdfl & 1, "FD_CLOEXEC");
        }
    }

    @AfterEach
    void close() throws IOException {
        for (int fd : fds) ops.close(fd);
    }

    private int track(int fd) {
        fds.add(fd);
        return fd;
    }

    private static InetSocketAddress loopback(int port) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "macosGaps={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void tcpRoundTripAndOptions(boolean macosGaps) throws Exception {
        int l = track(ops.socket(SocketOps.INET, true));
        ops.setOption(l, SocketOps.INET, StandardSocketOptions.SO_REUSEADDR, true);
        assertTrue(ops.getOption(l, SocketOps.INET, StandardSocketOptions.SO_REUSEADDR));
        ops.bind(l, SocketOps.INET, loopback(0));
        ops.listen(l, 8);
        InetSocketAddress la = ops.localAddress(l);
        assertTrue(la.getPort() > 0);
        int c = track(ops.socket(SocketOps.INET, true));
        int r = ops.connect(c, SocketOps.INET, la);
        assertTrue(r == 1 || r == SocketOps.UNAVAILABLE);
        InetSocketAddress[] remote = new InetSocketAddress[1];
        int s = SocketOps.UNAVAILABLE;
        for (int i = 0; i < 100 && s < 0; i++) {
            ops.poll(l, PollEvents.IN, -1, 100);
            s = ops.accept(l, SocketOps.INET, remote);
        }
        assertTrue(s >= 0);
        track(s);
        assertNonBlockingCloexec(l);
        assertNonBlockingCloexec(c);
        assertNonBlockingCloexec(s);
        assertEquals(ops.localAddress(c), remote[0]);
        for (int i = 0; i < 100 && !ops.finishConnect(c); i++) ops.poll(c, PollEvents.OUT, -1, 100);
        assertEquals(la, ops.remoteAddress(c));
        assertEquals(SocketOps.UNAVAILABLE, ops.read(s, addr, 10), "accepted socket is non-blocking");
        buf.put(0, (byte) 42);
        assertEquals(1, ops.write(c, addr, 1));
        ops.poll(s, PollEvents.IN, -1, 5000);
        assertEquals(1, ops.available(s));
        buf.put(0, (byte) 0);
        assertEquals(1, ops.read(s, addr, 10));
        assertEquals(42, buf.get(0));
        ops.setOption(c, SocketOps.INET, StandardSocketOptions.TCP_NODELAY, true);
        assertTrue(ops.getOption(c, SocketOps.INET, StandardSocketOptions.TCP_NODELAY));
        ops.setOption(c, SocketOps.INET, StandardSocketOptions.SO_LINGER, 5);
        assertEquals(5, ops.getOption(c, SocketOps.INET, StandardSocketOptions.SO_LINGER));
        ops.shutdown(c, 1);
        ops.poll(s, PollEvents.IN, -1, 5000);
        assertEquals(SocketOps.EOF, ops.read(s, addr, 10));
    }

    @Test
    void refusedConnectIsAConnectException() throws Exception {
        int l = track(ops.socket(SocketOps.INET, true));
        ops.bind(l, SocketOps.INET, loopback(0));
        InetSocketAddress unused = ops.localAddress(l); // bound, not listening: refuses
        int c = track(ops.socket(SocketOps.INET, true));
        try {
            int r = ops.connect(c, SocketOps.INET, unused);
            assertEquals(SocketOps.UNAVAILABLE, r);
            ops.poll(c, PollEvents.OUT, -1, 5000);
            assertThrows(ConnectException.class, () -> ops.finishConnect(c));
        } catch (ConnectException refusedAtOnce) {
            // loopback may refuse synchronously
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "macosGaps={0}")
    @org.junit.jupiter.params.provider.ValueSource(booleans = {false, true})
    void pipeIsNonBlocking(boolean macosGaps) throws IOException {
        long p = ops.pipe();
        int r = track((int) p), w = track((int) (p >>> 32));
        assertNonBlockingCloexec(r);
        assertNonBlockingCloexec(w);
        assertEquals(SocketOps.UNAVAILABLE, ops.read(r, addr, 10));
        assertEquals(3, ops.write(w, addr, 3));
        assertEquals(3, ops.read(r, addr, 10));
    }

    @Test
    void wakeupDescriptorSignalsAndDrains() throws IOException {
        int wake = track(ops.wakeupDescriptor());
        long p = ops.pipe();
        int r = track((int) p);
        track((int) (p >>> 32));
        long t0 = System.nanoTime();
        assertEquals(0, ops.poll(r, PollEvents.IN, wake, 50), "timeout");
        assertTrue(System.nanoTime() - t0 >= 40_000_000L);
        ops.signal(wake);
        ops.signal(wake);
        t0 = System.nanoTime();
        assertEquals(0, ops.poll(r, PollEvents.IN, wake, 5000), "woken: no events of fd");
        assertTrue(System.nanoTime() - t0 < 4_000_000_000L, "returned at once");
        ops.drain(wake);
        t0 = System.nanoTime();
        assertEquals(0, ops.poll(r, PollEvents.IN, wake, 50));
        assertTrue(System.nanoTime() - t0 >= 40_000_000L, "drained: blocks again");
    }
}
