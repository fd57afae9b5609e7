package io.edgewise;

import io.edgewise.backend.Backends;
import io.edgewise.channels.DatagramChannelImpl;
import io.edgewise.channels.InheritedChannels;
import io.edgewise.channels.PipeImpl;
import io.edgewise.channels.ServerSocketChannelImpl;
import io.edgewise.channels.SocketChannelImpl;
import io.edgewise.channels.UnixServerSocketChannelImpl;
import io.edgewise.channels.UnixSocketChannelImpl;
import io.edgewise.sys.DatagramOps;
import io.edgewise.sys.Platform;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;

/**
 * The Edgewise {@link SelectorProvider}. Make it the JVM's provider with
 * {@code -Djava.nio.channels.spi.SelectorProvider=io.edgewise.EdgewiseSelectorProvider}, or by
 * putting the Edgewise jar on the class path (its {@code META-INF/services} entry names this class).
 * Every channel and selector it opens runs on Edgewise's own backend (epoll on Linux).
 */
public class EdgewiseSelectorProvider extends SelectorProvider {
    private final SocketOps ops;

    /**
     * The constructor {@link SelectorProvider#provider()} calls. It checks the configuration first
     * (the {@code io.edgewise.*} properties, JNA where needed) and fails with a
     * {@link java.util.ServiceConfigurationError} whose message names the property or artifact, the bad
     * value, the valid values and the fix. With {@code -Dio.edgewise.verbose=true} the first provider
     * prints one line naming provider, backend and binding.
     */
    public EdgewiseSelectorProvider() {
        this.ops = Startup.ops();
    }

    /** The backend selectors of this provider use ("epoll", ...), for diagnostics. */
    public static String backend() {
        return Backends.name();
    }

    /** The native binding in use: "jna" (every JDK) or "ffm" (JDK 22+), for diagnostics. */
    public static String binding() {
        return Platform.ops().binding();
    }

    @Override
    public DatagramChannel openDatagramChannel() throws IOException {
        return new DatagramChannelImpl(this, defaultFamily());
    }

    /** INET, INET6, and (an Edgewise extension; the JDK throws) UNIX for Unix domain datagrams. */
    @Override
    public DatagramChannel openDatagramChannel(ProtocolFamily family) throws IOException {
        if (family == StandardProtocolFamily.UNIX) {
            return new io.edgewise.channels.UnixDatagramChannelImpl(this);
        }
        return new DatagramChannelImpl(this, Families.of(ops, family));
    }

    /** The socket on descriptor 0 as an Edgewise channel, or null, as {@code System.inheritedChannel()}. */
    @Override
    public Channel inheritedChannel() throws IOException {
        return InheritedChannels.get(this);
    }

    @Override
    public Pipe openPipe() throws IOException {
        return new PipeImpl(this, Platform.pipeOps());
    }

    @Override
    public AbstractSelector openSelector() throws IOException {
        return new EdgewiseSelector(this);
    }

    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException {
        return new ServerSocketChannelImpl(this, ops, defaultFamily());
    }

    @Override
    public SocketChannel openSocketChannel() throws IOException {
        return new SocketChannelImpl(this, ops, defaultFamily());
    }

    @Override
    public SocketChannel openSocketChannel(ProtocolFamily family) throws IOException {
        if (family == StandardProtocolFamily.UNIX) {
            return new UnixSocketChannelImpl(this);
        }
        return new SocketChannelImpl(this, ops, Families.of(ops, family));
    }

    @Override
    public ServerSocketChannel openServerSocketChannel(ProtocolFamily family) throws IOException {
        if (family == StandardProtocolFamily.UNIX) {
            return new UnixServerSocketChannelImpl(this);
        }
        return new ServerSocketChannelImpl(this, ops, Families.of(ops, family));
    }

    private int defaultFamily() {
        return ops.ipv6Available() ? SocketOps.INET6 : SocketOps.INET;
    }
}
