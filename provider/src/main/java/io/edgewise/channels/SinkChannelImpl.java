package io.edgewise.channels;

import io.edgewise.backend.Poller;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;

/** The write end of a {@link PipeImpl}; locking is {@link PipeEnd}'s. */
final class SinkChannelImpl extends Pipe.SinkChannel implements SelChannel {
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
    public void kill() {
        end.kill();
    }

    @Override
    public io.edgewise.observe.ChannelTrace trace() {
        return end.trace;
    }

    @Override
    public int fdVal() {
        return end.fdVal;
    }

    @Override
    public int translateInterestOps(int ops) {
        return (ops & SelectionKey.OP_WRITE) != 0 ? Poller.OUT : 0;
    }

    @Override
    public int translateReadyOps(int events, int interest) {
        if ((events & (Poller.ERR | Poller.HUP)) != 0) return interest;
        return (events & Poller.OUT) != 0 ? interest & SelectionKey.OP_WRITE : 0;
    }
}
