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
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;

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
        switch (variant.kind) {
            case NETTY_EPOLL:
                System.out.println("TRANSPORT netty-epoll available=" + Epoll.isAvailable());
                if (!Epoll.isAvailable()) {
                    System.out.println("ERROR native epoll unavailable: " + Epoll.unavailabilityCause());
                    System.out.flush();
                    System.exit(2);
                }
                break;
            case NETTY_IO_URING:
                if (!IoUring.isAvailable()) { // a kernel or container without io_uring: not a failure of ours
                    unavailable("Netty io_uring: " + IoUring.unavailabilityCause());
                }
                System.out.println("TRANSPORT netty-io_uring available=true");
                break;
            default:
                try {
                    SelectorProvider.provider().openSelector().close();
                    if (variant.isEdgewise()) {
                        System.out.println("BINDING " + edgewiseBinding());
                        String backend = edgewiseBackend();
                        System.out.println("BACKEND " + backend);
                        if (variant.wantsUring() && !backend.equals("io_uring")) {
                            unavailable(variant.title + ": the backend in use is " + backend);
                        }
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

    /** Edgewise's backend as it reports itself (e.g. "epoll", "io_uring"), or "?" if this build cannot tell. */
    static String edgewiseBackend() {
        try {
            return String.valueOf(Class.forName("io.edgewise.backend.Backends").getMethod("name").invoke(null));
        } catch (ReflectiveOperationException | LinkageError e) {
            return "?";
        }
    }

    private static void unavailable(String why) {
        System.out.println("UNAVAILABLE " + why);
        System.out.flush();
        System.exit(EXIT_UNAVAILABLE);
    }

    /** Worker exit status meaning "the provider under test is still the stub": reported, not a crash. */
    static final int EXIT_STUB = 3;
    /** Worker exit status meaning "this machine cannot run the variant" (no io_uring): reported, not a crash. */
    static final int EXIT_UNAVAILABLE = 4;

    IoHandlerFactory ioFactory() {
        switch (variant.kind) {
            case NETTY_EPOLL: return EpollIoHandler.newFactory();
            case NETTY_IO_URING: return IoUringIoHandler.newFactory();
            default: return NioIoHandler.newFactory();
        }
    }

    EventLoopGroup group(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, ioFactory());
    }

    Class<? extends ServerChannel> serverChannel() {
        switch (variant.kind) {
            case NETTY_EPOLL: return EpollServerSocketChannel.class;
            case NETTY_IO_URING: return IoUringServerSocketChannel.class;
            default: return NioServerSocketChannel.class;
        }
    }

    Class<? extends SocketChannel> clientChannel() {
        switch (variant.kind) {
            case NETTY_EPOLL: return EpollSocketChannel.class;
            case NETTY_IO_URING: return IoUringSocketChannel.class;
            default: return NioSocketChannel.class;
        }
    }
}
