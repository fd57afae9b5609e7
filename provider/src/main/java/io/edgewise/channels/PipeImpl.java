package io.edgewise.channels;

import io.edgewise.sys.PipeOps;
import java.io.IOException;
import java.nio.channels.Pipe;
import java.nio.channels.spi.SelectorProvider;

/** A {@link Pipe} over the OS pipe (both ends non-blocking descriptors). */
public final class PipeImpl extends Pipe {
    private final SourceChannelImpl source;
    private final SinkChannelImpl sink;

    public PipeImpl(SelectorProvider provider, PipeOps pipes) throws IOException {
        long fds = pipes.pipe();
        source = new SourceChannelImpl(provider, (int) fds);
        sink = new SinkChannelImpl(provider, (int) (fds >>> 32));
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
