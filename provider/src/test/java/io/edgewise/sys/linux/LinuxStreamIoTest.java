package io.edgewise.sys.linux;

import io.edgewise.sys.posix.LibC;
import static io.edgewise.sys.SocketOps.EOF;
import static io.edgewise.sys.SocketOps.INET;
import static io.edgewise.sys.SocketOps.UNAVAILABLE;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.sys.ByteIo;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stream sockets on Linux move data with the socket calls ({@code recv}, {@code send}, {@code sendmsg}),
 * pipes with the file calls, and both give the same results for the same socket.
 */
class LinuxStreamIoTest {
    private static final LinuxSocketOps OPS = LinuxSocketOps.INSTANCE;
    private int a = -1, b = -1;

    @BeforeEach
    void linuxOnly() {
        Assumptions.assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux"));
    }

    @AfterEach
    void closeAll() throws IOException {
        if (a >= 0) OPS.close(a);
        if (b >= 0) OPS.close(b);
    }

    /** A connected loopback TCP pair in {@link #a} (client) and {@link #b} (accepted). */
    private void tcpPair() throws Exception {
        int l = OPS.socket(INET, true);
        try {
            OPS.bind(l, INET, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            OPS.listen(l, 1);
            a = OPS.socket(INET, true);
            if (OPS.connect(a, INET, OPS.localAddress(l)) != 1) {
                while (!OPS.finishConnect(a)) {
                    Thread.onSpinWait();
                }
            }
            InetSocketAddress[] remote = new InetSocketAddress[1];
            int fd;
            while ((fd = OPS.accept(l, INET, remote)) < 0) {
                Thread.onSpinWait();
            }
            b = fd;
        } finally {
            OPS.close(l);
        }
    }

    private static ByteBuffer direct(String s) {
        ByteBuffer d = ByteBuffer.allocateDirect(64);
        d.put(s.getBytes(StandardCharsets.US_ASCII)).flip();
        return d;
    }

    /** Reads until {@code want} bytes have come (the sender's bytes are already queued on loopback). */
    private static String readAll(ByteIo io, int fd, int want) throws IOException {
        ByteBuffer in = ByteBuffer.allocateDirect(want);
        long base = LibC.address(in);
        int got = 0;
        while (got < want) {
            int n = io.read(fd, base + got, want - got);
            if (n == UNAVAILABLE) {
                Thread.onSpinWait();
                continue;
            }
            assertTrue(n > 0, "read result " + n);
            got += n;
        }
        byte[] bytes = new byte[want];
        in.get(0, bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    @Test
    void streamIoIsTheSocketCalls() throws IOException {
        ByteIo stream = OPS.streamIo();
        assertNotSame(OPS, stream);
        long fds = OPS.pipe();
        int r = (int) fds, w = (int) (fds >>> 32);
        try {
            ByteBuffer buf = direct("x");
            long addr = LibC.address(buf);
            // send(2) and recv(2) refuse a pipe (ENOTSOCK); write(2) and read(2) take it
            assertThrows(IOException.class, () -> stream.write(w, addr, 1));
            assertEquals(1, OPS.write(w, addr, 1));
            assertThrows(IOException.class, () -> stream.read(r, addr, 1));
            assertEquals(1, OPS.read(r, addr, 1));
        } finally {
            OPS.close(r);
            OPS.close(w);
        }
    }

    @Test
    void socketCallsMoveTheSameBytesAsFileCalls() throws Exception {
        tcpPair();
        ByteIo stream = OPS.streamIo();
        ByteBuffer out = direct("hello");
        assertEquals(5, stream.write(a, LibC.address(out), 5));
        assertEquals("hello", readAll(OPS, b, 5));
        assertEquals(5, OPS.write(b, LibC.address(out), 5));
        assertEquals("hello", readAll(stream, a, 5));
        // nothing queued: would block, not EOF
        ByteBuffer in = ByteBuffer.allocateDirect(8);
        assertEquals(UNAVAILABLE, stream.read(a, LibC.address(in), 8));
        assertEquals(OPS.read(a, LibC.address(in), 0), stream.read(a, LibC.address(in), 0));
        assertEquals(OPS.write(a, LibC.address(in), 0), stream.write(a, LibC.address(in), 0));

        // a gathering write: two iovec entries, one sendmsg
        ByteBuffer iov = ByteBuffer.allocateDirect(2 * stream.iovecSize()).order(ByteOrder.nativeOrder());
        ByteBuffer p1 = direct("gath"), p2 = direct("ered");
        stream.putIovec(iov, 0, LibC.address(p1), 4);
        stream.putIovec(iov, 1, LibC.address(p2), 4);
        assertEquals(8, stream.writev(a, LibC.address(iov), 2));
        assertEquals("gathered", readAll(stream, b, 8));

        if (stream.arrayIo()) { // heap arrays without a copy (FFM)
            byte[] src = "..array..".getBytes(StandardCharsets.US_ASCII);
            assertEquals(5, stream.writeArray(a, src, 2, 5));
            byte[] dst = new byte[9];
            int got = 0;
            while (got < 5) {
                int n = stream.readArray(b, dst, 1 + got, 5 - got);
                if (n == UNAVAILABLE) continue;
                got += n;
            }
            assertEquals(".array...", new String(dst, 0, 9, StandardCharsets.US_ASCII).replace('\0', '.'));
        }

        // orderly shutdown: EOF through recv as through read
        OPS.shutdown(a, 1);
        int n;
        while ((n = stream.read(b, LibC.address(in), 8)) == UNAVAILABLE) {
            Thread.onSpinWait();
        }
        assertEquals(EOF, n);
        assertEquals(EOF, OPS.read(b, LibC.address(in), 8));
    }

    @Test
    void writeAfterPeerShutdownFailsAsWriteDoes() throws Exception {
        tcpPair();
        ByteIo stream = OPS.streamIo();
        OPS.shutdown(a, 1); // a's output closed: writing on a fails with EPIPE through either call
        ByteBuffer out = direct("late");
        IOException viaWrite = assertThrows(IOException.class, () -> OPS.write(a, LibC.address(out), 4));
        IOException viaSend = assertThrows(IOException.class, () -> stream.write(a, LibC.address(out), 4));
        assertEquals(viaWrite.getClass(), viaSend.getClass());
        assertEquals(viaWrite.getMessage(), viaSend.getMessage());
        ByteBuffer iov = ByteBuffer.allocateDirect(stream.iovecSize()).order(ByteOrder.nativeOrder());
        stream.putIovec(iov, 0, LibC.address(out), 4);
        IOException viaSendmsg = assertThrows(IOException.class, () -> stream.writev(a, LibC.address(iov), 1));
        assertEquals(viaWrite.getMessage(), viaSendmsg.getMessage());
    }
}
