package io.edgewise.sys.posix;

import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.AbstractUnixSocketAddress;
import io.edgewise.PeerCredentials;
import io.edgewise.sys.DatagramOps;
import io.edgewise.sys.Platform;
import io.edgewise.sys.SocketOps;
import io.edgewise.sys.bsd.Darwin;
import io.edgewise.sys.bsd.FreeBsd;
import io.edgewise.sys.bsd.NetBsd;
import io.edgewise.sys.bsd.OpenBsd;
import io.edgewise.sys.linux.Linux;
import io.edgewise.sys.linux.LinuxValues;
import io.edgewise.testing.SocketLayer;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Datagram and Unix-domain channels on the one POSIX layer (issue #20): the per-OS values and layouts
 * (sun_len, 104-byte sun_path, macOS's packed group_req), and the POSIX code run on Linux with the
 * gaps of macOS (fcntl flags) and of OpenBSD/NetBSD (no group_req calls).
 */
@Timeout(30)
class PosixDatagramUnixTest {
    @TempDir
    Path dir;

    private static boolean linux() {
        return System.getProperty("os.name").toLowerCase().startsWith("linux");
    }

    private static ByteBuffer direct(int n) {
        return ByteBuffer.allocateDirect(n).order(ByteOrder.nativeOrder());
    }

    /** Under -Dio.edgewise.socketops=posix|posix-macos the channels run the POSIX classes, not Linux's. */
    @Test
    void thePosixLayerServesDatagramAndUnixChannels() {
        Assumptions.assumeTrue(SocketLayer.posix(), "runs under the POSIX socket layer");
        assertSame(PosixDatagramOps.class, Platform.datagramOps().getClass());
        assertSame(PosixUnixOps.class, Platform.unixOps().getClass());
    }

    /** BSD sockaddr_un: sun_len, then the family byte; 104-byte sun_path; no abstract namespace. */
    @Test
    void unixAddressesWithSunLenOnTheBsds() throws Exception {
        for (PosixNet n : new PosixNet[] {Darwin.NET, FreeBsd.NET, OpenBsd.NET, NetBsd.NET}) {
            UnixAddrCodec c = new UnixAddrCodec(n);
            ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
            assertEquals(2 + 6 + 1, c.encode(b, 0, UnixDomainSocketAddress.of("/tmp/x")), n.platform);
            assertEquals(9, b.get(0), "sun_len");
            assertEquals(1, b.get(1), "AF_UNIX");
            assertEquals(0, b.get(8), "NUL");
            assertEquals(UnixDomainSocketAddress.of("/tmp/x"), c.decode(b, 0, 9));
            assertEquals(UnixDomainSocketAddress.of(""), c.decode(b, 0, 2));
            assertEquals(103, new PosixUnixOps(new StubOps(n)).maxPathBytes());
            // bad input: refused, nothing written
            Arrays.fill(b.array(), (byte) 0x55);
            assertThrows(SocketException.class, () -> c.encode(b, 0, UnixDomainSocketAddress.of("p".repeat(104))));
            assertThrows(UnsupportedAddressTypeException.class,
                    () -> c.encode(b, 0, AbstractUnixSocketAddress.of(new byte[] {1, 2})));
            for (int i = 0; i < 128; i++) assertEquals(0x55, b.get(i), "byte " + i + " unwritten");
        }
        UnixAddrCodec linux = new UnixAddrCodec(LinuxValues.NET);
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.nativeOrder());
        assertEquals(2 + 1 + 2, linux.encode(b, 0, AbstractUnixSocketAddress.of(new byte[] {1, 2})));
        assertEquals(Linux.AF_UNIX, b.getShort(0));
        assertEquals(AbstractUnixSocketAddress.of(new byte[] {1, 2}), linux.decode(b, 0, 5));
    }

    /**
     * group_req as Linux.java lays it out (the BSD layouts, macOS's packed one included, are measured in
     * kqueue.BsdHeaderLayoutTest); OpenBSD and NetBSD name no RFC 3678 call, so the fallback serves them.
     */
    @Test
    void groupReqLayoutAndItsAbsence() {
        assertEquals(Linux.GR_GROUP, LinuxValues.NET.grGroup);
        assertEquals(Linux.GR_SIZE, LinuxValues.NET.grSize);
        assertEquals(Linux.GSR_SOURCE, LinuxValues.NET.gsrSource);
        assertEquals(Linux.GSR_SIZE, LinuxValues.NET.gsrSize);
        assertEquals(0, OpenBsd.NET.mcastJoinGroup);
        assertEquals(0, NetBsd.NET.mcastJoinGroup);
        assertNotEquals(0, Darwin.NET.mcastJoinGroup);
        assertNotEquals(0, FreeBsd.NET.mcastJoinGroup);
    }

    /** Unix datagrams through the POSIX code with macOS's gaps: fcntl flags, sender's path, peer credentials. */
    @Test
    void unixDatagramsAndCredentialsWithMacosGaps() throws Exception {
        Assumptions.assumeTrue(linux(), "runs the POSIX code with Linux's values");
        PosixSocketOps ops = new PosixSocketOps(LinuxValues.MACOS_LIKE);
        PosixDatagramOps d = new PosixDatagramOps(ops);
        PosixUnixOps u = new PosixUnixOps(ops);
        int a = d.socket(DatagramOps.UNIX), c = d.socket(DatagramOps.UNIX);
        try {
            for (int fd : new int[] {a, c}) {
                assertEquals(Linux.O_NONBLOCK, LibC.fcntl(fd, Linux.F_GETFL, 0) & Linux.O_NONBLOCK, "non-blocking");
                assertEquals(1, LibC.fcntl(fd, 1 /* F_GETFD */, 0) & 1, "close-on-exec");
            }
            UnixDomainSocketAddress pa = UnixDomainSocketAddress.of(dir.resolve("a")),
                    pc = UnixDomainSocketAddress.of(dir.resolve("c"));
            u.bind(a, pa);
            u.bind(c, pc);
            assertThrows(BindException.class, () -> u.bind(d.socket(DatagramOps.UNIX), pa), "path exists");
            ByteBuffer buf = direct(16);
            long addr = LibC.address(buf);
            buf.put(0, (byte) 42);
            assertEquals(1, d.send(c, DatagramOps.UNIX, addr, 1, pa));
            buf.put(0, (byte) 0);
            assertEquals(1, d.receive(a, addr, 16, false));
            assertEquals(42, buf.get(0));
            assertEquals(pc, d.sender(DatagramOps.UNIX));
            assertEquals(SocketOps.UNAVAILABLE, d.receive(a, addr, 16, false));
            assertEquals(1, u.connect(c, pa));
            assertEquals(pa, u.remoteAddress(c));
            d.disconnect(c); // AF_UNSPEC on a Unix socket: dissolved
        } finally {
            ops.close(a);
            ops.close(c);
        }
        int l = u.socket(true), s = u.socket(true);
        try {
            u.bind(l, UnixDomainSocketAddress.of(dir.resolve("l")));
            ops.listen(l, 1);
            assertEquals(1, u.connect(s, UnixDomainSocketAddress.of(dir.resolve("l"))));
            int p = u.accept(l);
            assertTrue(p >= 0);
            try {
                assertEquals(Linux.O_NONBLOCK, LibC.fcntl(p, Linux.F_GETFL, 0) & Linux.O_NONBLOCK);
                PeerCredentials pc = u.peerCredentials(p);
                assertEquals(ProcessHandle.current().pid(), pc.pid());
                assertEquals((int) (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid"), pc.uid());
                long k = u.inspect(l);
                assertEquals(UnixOpsKinds.LISTENER, (k >>> 32) & 0xff);
                assertEquals(DatagramOps.UNIX, (int) (k >>> 40));
                ops.close((int) k);
            } finally {
                ops.close(p);
            }
        } finally {
            ops.close(l);
            ops.close(s);
        }
    }

    /** OpenBSD/NetBSD style: ip_mreq / ipv6_mreq where no group_req call exists; no source filters. */
    @Test
    void membershipWithoutGroupReqCalls() throws Exception {
        Assumptions.assumeTrue(linux(), "runs the POSIX code with Linux's values");
        PosixNet.Builder b = LinuxValues.builder();
        b.mcastJoinGroup = b.mcastLeaveGroup = b.mcastJoinSourceGroup = b.mcastLeaveSourceGroup = 0;
        b.mcastBlockSource = b.mcastUnblockSource = 0;
        PosixSocketOps ops = new PosixSocketOps(b.build());
        PosixDatagramOps d = new PosixDatagramOps(ops);
        int fd = d.socket(SocketOps.INET);
        try {
            InetAddress group = InetAddress.getByName("239.255.42.99");
            d.membership(fd, SocketOps.INET, DatagramOps.JOIN, group, 0, null);
            assertThrows(BindException.class, () -> d.membership(fd, SocketOps.INET, DatagramOps.JOIN, group, 0, null),
                    "joined already (EADDRINUSE)");
            d.membership(fd, SocketOps.INET, DatagramOps.DROP, group, 0, null);
            assertThrows(BindException.class, () -> d.membership(fd, SocketOps.INET, DatagramOps.DROP, group, 0, null),
                    "not joined any more (EADDRNOTAVAIL)");
            assertThrows(UnsupportedOperationException.class, () -> d.membership(fd, SocketOps.INET, DatagramOps.JOIN,
                    group, 0, InetAddress.getByName("127.0.0.1")));
        } finally {
            ops.close(fd);
        }
    }

    /** UnixOps kinds as numbers, to compare with the packed inspect result. */
    private static final class UnixOpsKinds {
        static final long LISTENER = io.edgewise.sys.UnixOps.KIND_LISTENER;
    }

    /** A POSIX layer with another platform's values that never touches the OS (no probe, no sockets). */
    private static final class StubOps extends PosixSocketOps {
        StubOps(PosixNet n) {
            super(n);
        }
    }
}
