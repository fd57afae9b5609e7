package io.edgewise.channels;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;

/** The write end of a {@link PipeImpl}; locking is {@link PipeEnd}'s. */
final class SinkChannelImpl extends Pipe.SinkChannel implements PipeEndChannel {
    private final PipeEnd end;

    SinkChannelImpl(SelectorProvider provider, int fd) {
        super(provider);
        this.end = new PipeEnd(this, false, this::begin, this::end, fd);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        return (int) end.io(src, null, 0, 0);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        // a blocking write returns once the first IOV_MAX non-empty buffers are written, as the JDK's
        return end.io(null, srcs, offset, BufferIO.iovLength(srcs, offset, length, io.edgewise.sys.Platform.byteIo().iovMax()));
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        end.configureBlocking();
    }

    @Override
    protected void implCloseSelectableChannel() {
        end.close(isRegistered(), isBlocking());
    }

    @Override
    public PipeEnd pipeEnd() {
        return end;
    }
}
