package io.netty.testsuite.transport.socket;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * NIO run of Netty's abstract {@link SocketAddressesTest} (upstream only subclasses it for its native
 * transports). Lives in Netty's package to reach the package-private permutation it uses by default.
 * Over NIO every address a connected TCP channel reports must be a resolved loopback
 * {@link InetSocketAddress} with a real port.
 */
public class NioSocketAddressesTest extends SocketAddressesTest {
    @Override
    protected void assertAddress(SocketAddress address) {
        InetSocketAddress inet = assertInstanceOf(InetSocketAddress.class, address);
        assertFalse(inet.isUnresolved(), () -> "unresolved: " + inet);
        assertTrue(inet.getAddress().isLoopbackAddress(), () -> "not loopback: " + inet);
        assertNotEquals(0, inet.getPort(), () -> "port 0: " + inet);
    }
}
