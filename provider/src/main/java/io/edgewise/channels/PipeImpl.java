package io.edgewise.channels;

import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.nio.channels.Pipe;
import java.nio.channels.spi.SelectorProvider;

/** A {@link Pipe} over the OS pipe (both ends non-blocking descriptors). */
public final class PipeImpl extends Pipe {
    private final SourceChannelImpl source;
    private final SinkChannelImpl sink;

    public PipeImpl(SelectorProvider provider, SocketOps ops) throws IOException {
        long fds = ops.pipe();
        source = new SourceChannelImpl(provider, ops, (int) fds);
        sink = new SinkChannelImpl(provider, ops, (int) (fds >>> 32));
    }

    @Override
    public SourceChannel source() {
        return source;
    }

    @Override
    public SinkChannel sink() {
        return sink;
    }
}
