package io.edgewise.kqueue;

import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.sys.bsd.Darwin;
import io.edgewise.sys.bsd.FreeBsd;
import io.edgewise.sys.linux.LinuxValues;
import io.edgewise.sys.bsd.NetBsd;
import io.edgewise.sys.bsd.OpenBsd;
import io.edgewise.sys.posix.PosixNet;
import io.edgewise.sys.posix.SockAddrCodec;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** BSD socket constants per platform and sockaddr layouts with {@code sa_len} (no native calls). */
class BsdSocketConstantsTest {
    private static final List<PosixNet> BSDS = List.of(Darwin.NET, FreeBsd.NET, OpenBsd.NET, NetBsd.NET);

    @Test
    void commonBsdValues() {
        for (PosixNet n : BSDS) {
            String p = n.platform;
            assertTrue(n.saLen, p);
            assertEquals(2, n.afInet, p);
            assertEquals(0xffff, n.solSocket, p);
            assertEquals(0x4, n.soReuseaddr, p);
            assertEquals(0x8, n.soKeepalive, p);
            assertEquals(0x20, n.soBroadcast, p);
            assertEquals(0x100, n.soOobinline, p);
            assertEquals(0x200, n.soReuseport, p);
            assertEquals(0x1001, n.soSndbuf, p);
            assertEquals(0x1002, n.soRcvbuf, p);
            assertEquals(0x1007, n.soError, p);
            assertEquals(1, n.tcpNodelay, p);
            assertEquals(3, n.ipTos, p);
            assertEquals(27, n.ipv6V6only, p);
            assertEquals(0x4004667fL, n.fionread, p);
            assertEquals(0x4, n.oNonblock, p);
            assertEquals(35, n.eagain, p);
            assertEquals(36, n.einprogress, p);
            assertEquals(57, n.enotconn, p);
            assertEquals(54, n.econnreset, p);
            assertEquals(61, n.econnrefused, p);
            assertEquals(48, n.eaddrinuse, p);
            assertEquals(1024, n.iovMax, p);
            assertFalse(n.doubledBuffers, p + " reports buffer sizes as set");
        }
    }

    @Test
    void macos() {
        PosixNet n = Darwin.NET;
        assertEquals(30, n.afInet6);
        assertEquals(0, n.sockNonblock, "no SOCK_NONBLOCK: fcntl");
        assertFalse(n.hasAccept4);
        assertFalse(n.hasPipe2);
        assertEquals(0, n.msgNosignal, "no MSG_NOSIGNAL");
        assertEquals(0x1022, n.soNosigpipe);
        assertEquals(0x1080, n.soLinger, "SO_LINGER_SEC: seconds, as the JDK uses");
        assertEquals(0x10, n.tcpKeepidle, "TCP_KEEPALIVE");
        assertEquals(36, n.ipv6Tclass);
        assertEquals(100, n.eproto);
    }

    @Test
    void freebsdOpenbsdNetbsd() {
        assertEquals(28, FreeBsd.NET.afInet6);
        assertEquals(24, OpenBsd.NET.afInet6);
        assertEquals(24, NetBsd.NET.afInet6);
        assertEquals(0x20000, FreeBsd.NET.msgNosignal);
        assertEquals(0x400, OpenBsd.NET.msgNosignal);
        assertEquals(0x400, NetBsd.NET.msgNosignal);
        assertEquals(0x800, FreeBsd.NET.soNosigpipe);
        assertEquals(0, OpenBsd.NET.soNosigpipe);
        assertEquals(0x20000000, FreeBsd.NET.sockNonblock);
        assertEquals(0x4000, OpenBsd.NET.sockNonblock);
        assertTrue(FreeBsd.NET.hasAccept4 && OpenBsd.NET.hasAccept4 && NetBsd.NET.hasAccept4);
        assertFalse(OpenBsd.NET.dualStack, "OpenBSD has no IPv4-mapped addresses");
        assertEquals(0x80, FreeBsd.NET.soLinger);
        assertEquals(256, FreeBsd.NET.tcpKeepidle);
        assertEquals(92, FreeBsd.NET.eproto);
        assertEquals(95, OpenBsd.NET.eproto);
        assertEquals(96, NetBsd.NET.eproto);
    }

    @Test
    void linuxValuesComeFromTheLinuxBindings() {
        PosixNet n = LinuxValues.NET;
        assertFalse(n.saLen);
        assertEquals(10, n.afInet6);
        assertEquals(1, n.solSocket);
        assertEquals(11, n.eagain);
        assertTrue(n.doubledBuffers);
    }

    @Test
    void sockaddrInWithSaLen() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        InetSocketAddress sa = new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 0x1234);
        assertEquals(16, Darwin.NET.sockaddr.encode(b, 0, false, sa));
        assertEquals(16, b.get(0), "sin_len");
        assertEquals(2, b.get(1), "sin_family AF_INET");
        assertEquals(0x12, b.get(2) & 0xff, "port in network order");
        assertEquals(0x34, b.get(3) & 0xff);
        assertEquals(192, b.get(4) & 0xff);
        assertEquals(7, b.get(7) & 0xff);
        assertEquals(sa, Darwin.NET.sockaddr.decode(b, 0));
    }

    @Test
    void sockaddrIn6WithSaLenPerPlatformFamily() throws Exception {
        InetSocketAddress sa = new InetSocketAddress(InetAddress.getByName("2001:db8::5"), 443);
        for (PosixNet n : BSDS) {
            ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(28, n.sockaddr.encode(b, 0, true, sa));
            assertEquals(28, b.get(0), n.platform);
            assertEquals(n.afInet6, b.get(1), n.platform);
            assertEquals(0x20, b.get(8) & 0xff);
            assertEquals(sa, n.sockaddr.decode(b, 0), n.platform);
        }
    }

    @Test
    void ipv4OnAnInet6SocketIsMappedAndComesBackAsIpv4() throws Exception {
        InetSocketAddress sa = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 80);
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        FreeBsd.NET.sockaddr.encode(b, 0, true, sa);
        assertEquals((byte) 0xff, b.get(18));
        assertEquals((byte) 0xff, b.get(19));
        InetSocketAddress back = FreeBsd.NET.sockaddr.decode(b, 0);
        assertTrue(back.getAddress() instanceof Inet4Address);
        assertEquals(sa, back);
    }

    @Test
    void scopeIdSurvives() throws Exception {
        Inet6Address ll = Inet6Address.getByAddress(null, InetAddress.getByName("fe80::1").getAddress(), 3);
        InetSocketAddress sa = new InetSocketAddress(ll, 9);
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        Darwin.NET.sockaddr.encode(b, 0, true, sa);
        assertEquals(3, b.getInt(24));
        assertEquals(3, ((Inet6Address) Darwin.NET.sockaddr.decode(b, 0).getAddress()).getScopeId());
    }

    @Test
    void linuxLayoutHasNoSaLen() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
        LinuxValues.NET.sockaddr.encode(b, 0, false, new InetSocketAddress(InetAddress.getByName("10.0.0.1"), 1));
        assertEquals(2, b.getShort(0));
        assertNull(Darwin.NET.sockaddr.decode(ByteBuffer.allocate(128), 0), "unnamed: no address");
    }
}
