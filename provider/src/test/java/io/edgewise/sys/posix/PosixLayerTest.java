package io.edgewise.sys.posix;

import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.sys.ConnectionResetException;
import io.edgewise.sys.ConsumedErrors;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.SocketOptionTable;
import io.edgewise.sys.bsd.Darwin;
import io.edgewise.sys.bsd.FreeBsd;
import io.edgewise.sys.linux.Linux;
import io.edgewise.sys.linux.LinuxSocketOps;
import io.edgewise.sys.linux.LinuxValues;
import io.edgewise.sys.windows.WinSockAddr;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The one POSIX layer (issue #20): the sockaddr codec every OS shares, errno mapped once with a reset
 * signalled by type, the option table shared with Winsock, the libc door's errno rule, and the
 * fixes the BSD layer got by sharing Linux's code.
 */
@Timeout(30)
class PosixLayerTest {
    private static ByteBuffer buf() {
        return ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
    }

    private static boolean linux() {
        return System.getProperty("os.name").toLowerCase().startsWith("linux");
    }

    /** 0.0.0.0 on an INET6 socket is the IPv6 wildcard on every OS (dual stack), as the JDK binds it. */
    @Test
    void ipv4WildcardOnAnInet6SocketIsTheIpv6WildcardEverywhere() throws Exception {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 80);
        for (SockAddrCodec c : new SockAddrCodec[] {Darwin.NET.sockaddr, FreeBsd.NET.sockaddr, LinuxValues.NET.sockaddr}) {
            ByteBuffer b = buf();
            for (int i = 0; i < 128; i++) b.put(i, (byte) 0x55);
            assertEquals(28, c.encode(b, 0, true, any));
            for (int i = 8; i < 24; i++) assertEquals(0, b.get(i), "address byte " + i);
            assertEquals(new InetSocketAddress(InetAddress.getByName("::"), 80), c.decode(b, 0));
        }
        ByteBuffer w = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        WinSockAddr.encode(w, 0, true, any);
        for (int i = 8; i < 24; i++) assertEquals(0, w.get(i), "Windows address byte " + i);
    }

    /** Bad input: an IPv6 address for an IPv4 socket is refused and nothing is written. */
    @Test
    void ipv6AddressForAnIpv4SocketIsRefusedUnwritten() throws Exception {
        ByteBuffer b = buf();
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("fe80::1"), 80);
        assertThrows(IllegalArgumentException.class, () -> LinuxValues.NET.sockaddr.encode(b, 0, false, v6));
        assertThrows(IllegalArgumentException.class, () -> Darwin.NET.sockaddr.encode(b, 0, false, v6));
        assertTrue(Arrays.equals(new byte[128], b.array()), "nothing written");
    }

    /** Only the family field differs between the layouts: sa_len + 8-bit family, or a 16-bit family. */
    @Test
    void oneCodecServesEveryLayout() throws Exception {
        InetSocketAddress sa = new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 0x1234);
        ByteBuffer bsd = buf(), lin = buf();
        ByteBuffer win = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        Darwin.NET.sockaddr.encode(bsd, 0, false, sa);
        LinuxValues.NET.sockaddr.encode(lin, 0, false, sa);
        WinSockAddr.encode(win, 0, false, sa);
        assertEquals(16, bsd.get(0));
        assertEquals(2, bsd.get(1));
        assertEquals(2, lin.getShort(0));
        assertEquals(2, win.getShort(0));
        for (int i = 2; i < 16; i++) {
            assertEquals(lin.get(i), bsd.get(i), "byte " + i);
            assertEquals(lin.get(i), win.get(i), "byte " + i);
        }
        assertEquals(sa, Darwin.NET.sockaddr.decode(bsd, 0));
        assertEquals(sa, WinSockAddr.decode(win, 0));
    }

    /** A reset read is signalled by type (message as the JDK's), on every platform's errno numbers. */
    @Test
    void resetIsSignalledByType() {
        IOException linux = LinuxValues.ERRORS.read(Linux.ECONNRESET);
        IOException mac = new PosixErrors(Darwin.NET).read(Darwin.NET.econnreset);
        for (IOException e : new IOException[] {linux, mac}) {
            assertInstanceOf(ConnectionResetException.class, e);
            assertInstanceOf(SocketException.class, e);
            assertEquals("Connection reset", e.getMessage());
        }
        assertFalse(LinuxValues.ERRORS.io(Linux.ECONNRESET) instanceof ConnectionResetException,
                "a write's reset is an IOException, as the JDK's");
        assertFalse(LinuxValues.ERRORS.read(Linux.EPIPE) instanceof SocketException);
    }

    /** A failed set-up call returns its own errno, on whichever binding serves. */
    @Test
    void errnoComesWithTheFailedCall() {
        Assumptions.assumeTrue(linux(), "Linux errno numbers");
        assertEquals(-9 /* EBADF */, LibC.close(-1));
        assertEquals(-9, LibC.fcntl(-1, Linux.F_GETFL, 0));
    }

    /**
     * The POSIX layer's replace (dup2 + FD_CLOEXEC, what macOS runs) forgets an error a poll took off
     * the old socket under the target's number, as the Linux one always did.
     */
    @Test
    void replaceForgetsTheTargetsConsumedError() throws Exception {
        Assumptions.assumeTrue(linux(), "runs the POSIX layer with Linux's values");
        PosixSocketOps ops = new PosixSocketOps(LinuxValues.MACOS_LIKE);
        int a = ops.socket(SocketOps.INET, true), b = ops.socket(SocketOps.INET, true);
        try {
            ConsumedErrors.record(b, Linux.ECONNRESET);
            ops.replace(a, b);
            assertEquals(0, ConsumedErrors.take(b), "the error of the socket that was replaced");
        } finally {
            ConsumedErrors.forget(b);
            ops.close(a);
            ops.close(b);
        }
    }

    /** One option table: a linger of two ints on Unix, two u_shorts on Windows; read-only refused. */
    @Test
    void optionTableLaysOutValuesPerPlatform() throws Exception {
        SocketOptionTable unix = new SocketOptionTable(false), win = new SocketOptionTable(true);
        for (SocketOptionTable t : new SocketOptionTable[] {unix, win}) {
            t.putStandard(1, 7, 8, 9, 2, 6, 13, 10, 6, 1, 0, 1, 41, 67);
        }
        ByteBuffer b = buf();
        SocketOptionTable.Opt l = unix.get(StandardSocketOptions.SO_LINGER);
        assertEquals(8, unix.encode(b, 0, l, StandardSocketOptions.SO_LINGER, 5));
        assertEquals(1, b.getInt(0));
        assertEquals(5, b.getInt(4));
        assertEquals(5, unix.decode(b, 0, l));
        ByteBuffer w = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        SocketOptionTable.Opt wl = win.get(StandardSocketOptions.SO_LINGER);
        assertEquals(4, win.encode(w, 0, wl, StandardSocketOptions.SO_LINGER, -1));
        assertEquals(0, w.getShort(0));
        assertEquals(-1, win.decode(w, 0, wl));
        SocketOptionTable.Opt tos = unix.get(StandardSocketOptions.IP_TOS);
        assertEquals(41, tos.level(SocketOps.INET6));
        assertEquals(67, tos.name(SocketOps.INET6));
        assertTrue(tos.alsoIpv4(SocketOps.INET6));
        assertFalse(tos.alsoIpv4(SocketOps.INET));
        assertThrows(UnsupportedOperationException.class, () -> win.get(StandardSocketOptions.SO_REUSEPORT));
    }

    /** Linux's layer is the POSIX one plus Linux's own: a read-only extended option refuses a set. */
    @Test
    void linuxLayerIsAThinSpecialisation() throws Exception {
        Assumptions.assumeTrue(linux(), "Linux");
        LinuxSocketOps ops = LinuxSocketOps.INSTANCE;
        assertSame(LinuxValues.NET, ops.constants());
        assertTrue(ops.shutdownWakesPoll());
        assertFalse(new PosixSocketOps(LinuxValues.NET).shutdownWakesPoll());
        java.net.SocketOption<?> napi = SocketOptionTable.extendedOption("SO_INCOMING_NAPI_ID");
        Assumptions.assumeTrue(napi != null, "this JDK has no SO_INCOMING_NAPI_ID");
        int fd = ops.socket(SocketOps.INET, true);
        try {
            @SuppressWarnings("unchecked")
            java.net.SocketOption<Integer> o = (java.net.SocketOption<Integer>) napi;
            SocketException e = assertThrows(SocketException.class, () -> ops.setOption(fd, SocketOps.INET, o, 1));
            assertTrue(e.getMessage().contains("read only"), e.getMessage());
        } finally {
            ops.close(fd);
        }
    }
}
