package io.edgewise.bench;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

import java.nio.channels.spi.SelectorProvider;

/** Netty transport pieces for one {@link Variant}; also prints and checks which provider serves. */
final class Transport {
    final Variant variant;

    Transport(Variant variant) {
        this.variant = variant;
    }

    /**
     * Prints {@code PROVIDER <class>} (and {@code TRANSPORT ...}) for the harness, and fails fast if this JVM
     * is not served by the provider the variant promises. If the Edgewise provider is still the stub that
     * throws on use, prints {@code STUB ...} and exits with {@link #EXIT_STUB}.
     */
    void announceAndCheck() {
        String actual = SelectorProvider.provider().getClass().getName();
        System.out.println("PROVIDER " + actual);
        if (!actual.equals(variant.providerClass)) {
            System.out.println("ERROR provider mismatch: expected " + variant.providerClass + " got " + actual);
            System.out.flush();
            System.exit(2);
        }
        if (variant == Variant.EPOLL) {
            System.out.println("TRANSPORT netty-epoll available=" + Epoll.isAvailable());
            if (!Epoll.isAvailable()) {
                System.out.println("ERROR native epoll unavailable: " + Epoll.unavailabilityCause());
                System.out.flush();
                System.exit(2);
            }
        } else {
            try {
                SelectorProvider.provider().openSelector().close();
                if (variant == Variant.EDGEWISE) {
                    System.out.println("BINDING " + edgewiseBinding());
                }
                System.out.println("TRANSPORT netty-nio");
            } catch (UnsupportedOperationException e) {
                System.out.println("STUB provider " + actual + " is a stub (openSelector throws " + e + ")");
                System.out.flush();
                System.exit(EXIT_STUB);
            } catch (Exception e) {
                System.out.println("ERROR provider " + actual + " cannot open a selector: " + e);
                System.out.flush();
                System.exit(2);
            }
        }
        System.out.flush();
    }

    /** Edgewise's native binding ("jna" or "ffm"), or "?" if this provider build cannot tell. */
    static String edgewiseBinding() {
        try {
            return String.valueOf(Class.forName("io.edgewise.EdgewiseSelectorProvider").getMethod("binding").invoke(null));
        } catch (ReflectiveOperationException | LinkageError e) {
            return "?";
        }
    }

    /** Worker exit status meaning "the provider under test is still the stub": reported, not a crash. */
    static final int EXIT_STUB = 3;

    IoHandlerFactory ioFactory() {
        return variant.usesNio() ? NioIoHandler.newFactory() : EpollIoHandler.newFactory();
    }

    EventLoopGroup group(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, ioFactory());
    }

    Class<? extends ServerChannel> serverChannel() {
        return variant.usesNio() ? NioServerSocketChannel.class : EpollServerSocketChannel.class;
    }

    Class<? extends SocketChannel> clientChannel() {
        return variant.usesNio() ? NioSocketChannel.class : EpollSocketChannel.class;
    }
}
