package io.edgewise.sys.windows;

import static io.edgewise.sys.windows.Win64Net.*;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.AbstractUnixSocketAddress;
import io.edgewise.sys.DatagramOps;
import io.edgewise.sys.SocketOps;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The parts of the Winsock datagram and AF_UNIX bindings that run without Windows: argument checks
 * made before any native call, the membership requests in Windows' layouts, the option-family rule and
 * the {@code sockaddr_un} codec. (The native call sequences are asserted by the wine probe
 * {@code src/test/c/iocp/winsock_dgram.c}; the constants by {@code Win64HeaderLayoutTest}.) The ops are
 * built on no {@link WindowsSocketOps} (null): every call here must return or throw before reaching it.
 */
@Timeout(30)
class WindowsDatagramUnixTest {
    private static final WindowsDatagramOps DGRAM = new WindowsDatagramOps(null);
    private static final WindowsUnixOps UNIX_OPS = new WindowsUnixOps(null);

    private static ByteBuffer buffer() {
        return ByteBuffer.allocate(400).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static byte[] bytes(ByteBuffer b, int off, int len) {
        byte[] a = new byte[len];
        for (int i = 0; i < len; i++) a[i] = b.get(off + i);
        return a;
    }

    @Test
    void noUnixDatagramsAsOnTheJdk() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> DGRAM.socket(DatagramOps.UNIX));
        assertEquals("Protocol family not supported", e.getMessage());
        e = assertThrows(UnsupportedOperationException.class, () -> UNIX_OPS.socket(false));
        assertEquals("Protocol family not supported", e.getMessage());
    }

    @Test
    void ipv4SourceMembershipUsesWindowsFieldOrder() throws Exception {
        ByteBuffer b = buffer();
        InetAddress group = InetAddress.getByName("239.1.2.3");
        InetAddress source = InetAddress.getByName("10.0.0.9");
        byte[] ifaddr = {(byte) 192, (byte) 168, 1, 5};
        long req = WindowsDatagramOps.membershipRequest(b, 8, DatagramOps.JOIN, group, ifaddr, 7, source);
        assertEquals(Win64.IPPROTO_IP, (int) (req >>> 48));
        assertEquals(IP_ADD_SOURCE_MEMBERSHIP, (int) (req >>> 32) & 0xffff);
        assertEquals(12, (int) req);
        // group, then source, then interface (Linux puts the interface second)
        assertArrayEquals(group.getAddress(), bytes(b, 8, 4));
        assertArrayEquals(source.getAddress(), bytes(b, 12, 4));
        assertArrayEquals(ifaddr, bytes(b, 16, 4));

        req = WindowsDatagramOps.membershipRequest(b, 8, DatagramOps.BLOCK, group, ifaddr, 7, source);
        assertEquals(IP_BLOCK_SOURCE, (int) (req >>> 32) & 0xffff);
        req = WindowsDatagramOps.membershipRequest(b, 8, DatagramOps.UNBLOCK, group, ifaddr, 7, source);
        assertEquals(IP_UNBLOCK_SOURCE, (int) (req >>> 32) & 0xffff);
        req = WindowsDatagramOps.membershipRequest(b, 8, DatagramOps.DROP, group, ifaddr, 7, source);
        assertEquals(IP_DROP_SOURCE_MEMBERSHIP, (int) (req >>> 32) & 0xffff);
    }

    @Test
    void ipv4MembershipIsIpMreqByInterfaceAddress() throws Exception {
        ByteBuffer b = buffer();
        for (int i = 0; i < 40; i++) b.put(i, (byte) 0x5a);
        InetAddress group = InetAddress.getByName("239.1.2.3");
        long req = WindowsDatagramOps.membershipRequest(b, 0, DatagramOps.DROP, group, new byte[4], 3, null);
        assertEquals(IP_DROP_MEMBERSHIP, (int) (req >>> 32) & 0xffff);
        assertEquals(8, (int) req);
        assertArrayEquals(group.getAddress(), bytes(b, 0, 4));
        assertArrayEquals(new byte[4], bytes(b, 4, 4), "INADDR_ANY: the default interface");
        assertEquals(0, b.get(8), "the request area was zeroed");
    }

    @Test
    void ipv6MembershipsByInterfaceIndex() throws Exception {
        ByteBuffer b = buffer();
        InetAddress group = InetAddress.getByName("ff15::1234");
        long req = WindowsDatagramOps.membershipRequest(b, 0, DatagramOps.JOIN, group, null, 12, null);
        assertEquals(Win64.IPPROTO_IPV6, (int) (req >>> 48));
        assertEquals(IPV6_ADD_MEMBERSHIP, (int) (req >>> 32) & 0xffff);
        assertEquals(20, (int) req);
        assertArrayEquals(group.getAddress(), bytes(b, 0, 16));
        assertEquals(12, b.getInt(16));

        InetAddress source = InetAddress.getByName("2001:db8::7");
        req = WindowsDatagramOps.membershipRequest(b, 0, DatagramOps.JOIN, group, null, 12, source);
        assertEquals(MCAST_JOIN_SOURCE_GROUP, (int) (req >>> 32) & 0xffff);
        assertEquals(264, (int) req);
        assertEquals(12, b.getInt(GSR_INTERFACE));
        assertEquals(Win64.AF_INET6, b.getShort(GSR_GROUP), "sockaddr_in6 with Windows' AF_INET6 (23)");
        assertArrayEquals(group.getAddress(), bytes(b, GSR_GROUP + 8, 16));
        assertEquals(Win64.AF_INET6, b.getShort(GSR_SOURCE));
        assertArrayEquals(source.getAddress(), bytes(b, GSR_SOURCE + 8, 16));
        req = WindowsDatagramOps.membershipRequest(b, 0, DatagramOps.BLOCK, group, null, 12, source);
        assertEquals(MCAST_BLOCK_SOURCE, (int) (req >>> 32) & 0xffff);
    }

    @Test
    void ipv6SocketBoundToIpv4TakesIpv4Options() throws Exception {
        assertEquals(SocketOps.INET, WindowsDatagramOps.optionFamily(SocketOps.INET6,
                new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 5000)));
        assertEquals(SocketOps.INET6, WindowsDatagramOps.optionFamily(SocketOps.INET6,
                new InetSocketAddress(InetAddress.getByName("::"), 5000)));
        assertEquals(SocketOps.INET6, WindowsDatagramOps.optionFamily(SocketOps.INET6, null));
        assertEquals(SocketOps.INET, WindowsDatagramOps.optionFamily(SocketOps.INET, null));
    }

    @Test
    void multicastOptionsAndReuseAddressAreTheDatagramOnes() {
        assertTrue(DGRAM.handlesOption(StandardSocketOptions.IP_MULTICAST_IF));
        assertTrue(DGRAM.handlesOption(StandardSocketOptions.IP_MULTICAST_TTL));
        assertTrue(DGRAM.handlesOption(StandardSocketOptions.IP_MULTICAST_LOOP));
        assertTrue(DGRAM.handlesOption(StandardSocketOptions.SO_REUSEADDR), "set for real, not emulated");
        assertFalse(DGRAM.handlesOption(StandardSocketOptions.SO_RCVBUF));
        assertFalse(DGRAM.handlesOption(null));
    }

    @Test
    void sockaddrUnIsWindowsShapedWithUtf8Paths() throws Exception {
        ByteBuffer b = buffer();
        String path = "C:\\Temp\\\u00e9.sock"; // é: two bytes in UTF-8, whatever sun.jnu.encoding says
        int len = WindowsUnixOps.ADDRESSES.encode(b, 0, UnixDomainSocketAddress.of(path));
        byte[] utf8 = path.getBytes(StandardCharsets.UTF_8);
        assertEquals(SUN_PATH + utf8.length + 1, len);
        assertEquals(AF_UNIX, b.getShort(0), "a 16-bit family, no sun_len");
        assertArrayEquals(utf8, bytes(b, SUN_PATH, utf8.length));
        assertEquals(0, b.get(SUN_PATH + utf8.length), "NUL-terminated");
        SocketAddress back = WindowsUnixOps.ADDRESSES.decode(b, 0, len);
        assertEquals(UnixDomainSocketAddress.of(path), back);
        assertEquals(UnixDomainSocketAddress.of(""), WindowsUnixOps.ADDRESSES.decode(b, 0, SUN_PATH),
                "a bare family is the unnamed address");
        assertEquals(SOCKADDR_UN_SIZE, WindowsUnixOps.ADDRESSES.size);
    }

    @Test
    void pathLimitAndNoAbstractNames() throws Exception {
        ByteBuffer b = buffer();
        assertEquals(107, UNIX_OPS.maxPathBytes());
        String longest = "x".repeat(107);
        assertEquals(SUN_PATH + 108, WindowsUnixOps.ADDRESSES.encode(b, 0, UnixDomainSocketAddress.of(longest)));
        SocketException e = assertThrows(SocketException.class,
                () -> WindowsUnixOps.ADDRESSES.encode(b, 0, UnixDomainSocketAddress.of(longest + "x")));
        assertEquals("Unix domain path too long", e.getMessage());
        assertThrows(UnsupportedAddressTypeException.class,
                () -> WindowsUnixOps.ADDRESSES.encode(b, 0, AbstractUnixSocketAddress.of("name")));
    }

    @Test
    void noPeerCredentialsNoInheritedChannels() {
        assertFalse(UNIX_OPS.peerCredentialsSupported());
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> UNIX_OPS.peerCredentials(3));
        assertEquals("'SO_PEERCRED' not supported", e.getMessage());
        assertEquals(-1, UNIX_OPS.inspect(0));
    }

    @Test
    void unixConnectOutcomes() throws Exception {
        assertEquals(1, UNIX_OPS.connectResult(5, Win64.WSAEISCONN));
        assertEquals(SocketOps.UNAVAILABLE, UNIX_OPS.connectResult(5, Win64.WSAEWOULDBLOCK), "pending");
        assertEquals(SocketOps.UNAVAILABLE, UNIX_OPS.connectResult(5, Win64.WSAEINPROGRESS));
        assertEquals(SocketOps.INTERRUPTED, UNIX_OPS.connectResult(5, Win64.WSAEINTR));
        assertThrows(java.net.ConnectException.class, () -> UNIX_OPS.connectResult(5, Win64.WSAECONNREFUSED),
                "no listener at the path");
        assertThrows(java.net.SocketException.class, () -> UNIX_OPS.connectResult(5, Win64.WSAEINVAL),
                "thrown, not taken for a pending connect (a blocking connect would retry it forever)");
    }

    @Test
    void autoBindDirectoryIsTempThenTmpdir() {
        String temp = System.getenv("TEMP");
        assertEquals(temp != null ? temp : System.getProperty("java.io.tmpdir"), UNIX_OPS.defaultTempDir());
    }
}
