package io.edgewise.channels;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;

/** The read end of a {@link PipeImpl}; locking is {@link PipeEnd}'s. */
final class SourceChannelImpl extends Pipe.SourceChannel implements PipeEndChannel {
    private final PipeEnd end;

    SourceChannelImpl(SelectorProvider provider, int fd) {
        super(provider);
        this.end = new PipeEnd(this, true, this::begin, this::end, fd);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        return (int) end.io(dst, null, 0, 0);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        return end.io(null, dsts, offset, length);
    }

    @Override
    public long read(ByteBuffer[] dsts) throws IOException {
        return read(dsts, 0, dsts.length);
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
