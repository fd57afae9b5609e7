package io.edgewise.security;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;

/**
 * Child-JVM main for {@link SecurityManagerDifferentialTest}, run under a security manager whose
 * policy lets this code base listen, accept and connect on 127.0.0.1 only (and read no property).
 * Prints one line {@code <step> <outcome>} per step.
 */
public final class SecuredClient {
    private SecuredClient() { }

    public static void main(String[] args) {
        try {
            SelectorProvider p = SelectorProvider.provider();
            InetAddress lo = InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
            try (ServerSocketChannel l = p.openServerSocketChannel()) {
                step("bind", () -> l.bind(new InetSocketAddress(lo, 0)).getLocalAddress() != null);
                InetSocketAddress at = (InetSocketAddress) l.getLocalAddress();
                try (SocketChannel c = p.openSocketChannel()) {
                    step("connect", () -> c.connect(at));
                    try (SocketChannel a = l.accept()) {
                        a.write(ByteBuffer.wrap(new byte[] {7}));
                        step("blockingRead", () -> c.read(ByteBuffer.allocate(4)));
                    }
                }
                try (SocketChannel c = p.openSocketChannel()) {
                    InetAddress other = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
                    step("connectDenied", () -> c.connect(new InetSocketAddress(other, at.getPort())));
                    step("closedAfterDenied", () -> c.isOpen());
                }
                try (SocketChannel c = p.openSocketChannel()) {
                    step("connectPortZero", () -> c.connect(new InetSocketAddress(lo, 0)));
                }
                try (SocketChannel c = p.openSocketChannel()) {
                    InetAddress other = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
                    step("connectDeniedPortZero", () -> c.connect(new InetSocketAddress(other, 0)));
                }
                try (ServerSocketChannel w = p.openServerSocketChannel()) {
                    step("bindPrivilegedPort", () -> w.bind(new InetSocketAddress(lo, 1)));
                }
                try (java.nio.channels.DatagramChannel d = p.openDatagramChannel()) {
                    InetAddress other = InetAddress.getByAddress(new byte[] {127, 0, 0, 2});
                    step("datagramBind", () -> d.bind(new InetSocketAddress(lo, 0)) != null);
                    InetSocketAddress self = (InetSocketAddress) d.getLocalAddress();
                    try (java.nio.channels.DatagramChannel s2 = p.openDatagramChannel()) {
                        s2.bind(new InetSocketAddress(other, 0)); // a sender this code may not accept from
                        s2.send(ByteBuffer.wrap(new byte[] {9, 9}), self);
                    }
                    step("datagramSend", () -> d.send(ByteBuffer.wrap(new byte[] {1}), self));
                    step("datagramReceiveScreened", () -> {
                        ByteBuffer b = ByteBuffer.allocate(8);
                        return self.equals(d.receive(b)) + " " + b.position();
                    });
                    d.configureBlocking(false);
                    step("datagramReceiveNothing", () -> d.receive(ByteBuffer.allocate(8)));
                    d.configureBlocking(true);
                    step("datagramSendDenied", () -> d.send(ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress(other, self.getPort())));
                    step("datagramSendDeniedPortZero", () -> d.send(ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress(other, 0)));
                    step("datagramSendPortZero", () -> d.send(ByteBuffer.wrap(new byte[] {1}), new InetSocketAddress(lo, 0)));
                    step("datagramConnectDenied", () -> d.connect(new InetSocketAddress(other, self.getPort())).isConnected());
                    step("datagramConnect", () -> d.connect(self).isConnected());
                }
                try (ServerSocketChannel w = p.openServerSocketChannel()) {
                    w.bind(new InetSocketAddress(0));
                    step("wildcardLocalAddress", () -> ((InetSocketAddress) w.getLocalAddress()).getAddress());
                    try (SocketChannel c = p.openSocketChannel()) {
                        c.bind(new InetSocketAddress(0));
                        step("socketWildcardLocalAddress", () -> ((InetSocketAddress) c.getLocalAddress()).getAddress());
                    }
                }
            }
        } catch (Throwable t) {
            System.out.println("setup " + t);
        }
        System.out.flush();
    }

    interface Step {
        Object run() throws Exception;
    }

    private static void step(String name, Step s) {
        String out;
        try {
            out = String.valueOf(s.run());
        } catch (Throwable t) {
            out = t.getClass().getName();
        }
        System.out.println(name + " " + out);
    }
}
