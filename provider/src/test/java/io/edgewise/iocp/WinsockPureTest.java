package io.edgewise.iocp;

import io.edgewise.sys.PollEvents;
import static io.edgewise.sys.windows.Win64.*;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.backend.Poller;
import io.edgewise.sys.windows.HandleTable;
import io.edgewise.sys.windows.WinErrors;
import io.edgewise.sys.windows.WinSockAddr;
import io.edgewise.sys.windows.WouldBlock;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The pure-Java parts of the Winsock bindings: handle table, error mapping, socket addresses. */
class WinsockPureTest {
    @Test
    void handleTableGivesLowestFreeDescriptor() {
        HandleTable t = new HandleTable(4);
        assertEquals(0, t.add(0x1000));
        assertEquals(1, t.add(0x2000));
        assertEquals(2, t.add(0x3000));
        assertEquals(0x2000, t.get(1));
        assertEquals(0x2000, t.remove(1));
        assertEquals(-1, t.get(1));
        assertEquals(-1, t.remove(1), "released once");
        assertEquals(1, t.add(0x4000), "lowest free reused, like POSIX descriptors");
        assertEquals(3, t.add(0x5000));
        assertEquals(4, t.add(0x6000), "grows past the initial capacity");
        assertEquals(0x6000, t.get(4));
        assertEquals(-1, t.get(-1));
        assertEquals(-1, t.get(1000));
        assertEquals(5, t.size());
        assertThrows(IllegalArgumentException.class, () -> t.add(INVALID_SOCKET));
    }

    @Test
    void handleTableConcurrentAddsAreUnique() throws Exception {
        HandleTable t = new HandleTable(4);
        Set<Integer> fds = ConcurrentHashMap.newKeySet();
        int threads = 4, each = 500;
        CountDownLatch start = new CountDownLatch(1);
        Thread[] ts = new Thread[threads];
        for (int k = 0; k < threads; k++) {
            final long base = (k + 1) * 100_000L;
            ts[k] = new Thread(() -> {
                try { start.await(); } catch (InterruptedException e) { return; }
                for (int i = 0; i < each; i++) {
                    int fd = t.add(base + i);
                    assertTrue(fds.add(fd));
                    assertEquals(base + i, t.get(fd));
                }
            });
            ts[k].start();
        }
        start.countDown();
        for (Thread th : ts) th.join(10_000);
        assertEquals(threads * each, fds.size());
        assertEquals(threads * each, t.size());
    }

    @Test
    void winsockErrorsMapToTheJdkExceptions() {
        assertInstanceOf(ConnectException.class, WinErrors.socket(WSAECONNREFUSED));
        assertInstanceOf(ConnectException.class, WinErrors.socket(WSAETIMEDOUT));
        assertInstanceOf(NoRouteToHostException.class, WinErrors.socket(WSAEHOSTUNREACH));
        assertInstanceOf(BindException.class, WinErrors.socket(WSAEADDRINUSE));
        assertInstanceOf(BindException.class, WinErrors.socket(WSAEADDRNOTAVAIL));
        assertInstanceOf(BindException.class, WinErrors.socket(WSAEACCES));
        IOException other = WinErrors.socket(WSAEINVAL);
        assertEquals(SocketException.class, other.getClass());
        assertTrue(other.getMessage().contains("10022"));
        IOException reset = WinErrors.read(WSAECONNRESET);
        assertEquals(io.edgewise.sys.ConnectionResetException.class, reset.getClass()); // a reset by type
        assertEquals("Connection reset", reset.getMessage());
        assertEquals("Connection reset", WinErrors.read(WSAECONNABORTED).getMessage());
        assertEquals(IOException.class, WinErrors.io(WSAECONNRESET).getClass());
        assertTrue(WinErrors.message(WSAECONNREFUSED).startsWith("Connection refused"));
        assertTrue(WinErrors.message(99999).contains("99999"));
    }

    @Test
    void sockaddrInIsWinsockLayout() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(SOCKADDR_STORAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        InetSocketAddress a = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0x1234);
        assertEquals(SOCKADDR_IN_SIZE, WinSockAddr.encode(b, 0, false, a));
        assertEquals(AF_INET, b.getShort(0));
        assertEquals(0x12, b.get(2));
        assertEquals(0x34, b.get(3));
        assertEquals(127, b.get(4));
        assertEquals(a, WinSockAddr.decode(b, 0));
    }

    @Test
    void sockaddrIn6UsesFamily23AndMapsIpv4() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(SOCKADDR_STORAGE_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        InetSocketAddress v4 = new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 80);
        assertEquals(SOCKADDR_IN6_SIZE, WinSockAddr.encode(b, 0, true, v4));
        assertEquals(23, b.getShort(0));
        assertEquals((byte) 0xff, b.get(18));
        InetSocketAddress back = WinSockAddr.decode(b, 0);
        assertInstanceOf(Inet4Address.class, back.getAddress(), "IPv4-mapped reads back as IPv4");
        assertEquals(v4, back);
        InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 443);
        WinSockAddr.encode(b, 0, true, v6);
        assertEquals(v6, WinSockAddr.decode(b, 0));
        b.putShort(0, (short) 10); // Linux's AF_INET6 is not an address family Winsock uses here
        assertNull(WinSockAddr.decode(b, 0));
    }

    @Test
    void wouldBlockDirectionsArePollerBits() {
        assertEquals(Poller.IN, PollEvents.IN);
        assertEquals(Poller.OUT, PollEvents.OUT);
    }

    @Test
    void exclusiveBindFollowsTheJdkProperty() {
        assertTrue(io.edgewise.sys.windows.WindowsSocketOps.exclusiveBind(null), "on by default, as on the JDK");
        assertTrue(io.edgewise.sys.windows.WindowsSocketOps.exclusiveBind(""));
        assertTrue(io.edgewise.sys.windows.WindowsSocketOps.exclusiveBind("true"));
        assertFalse(io.edgewise.sys.windows.WindowsSocketOps.exclusiveBind("false"));
    }
}
