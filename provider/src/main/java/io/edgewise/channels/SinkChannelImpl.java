package io.edgewise.channels;

import io.edgewise.backend.Poller;
import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.SelectorProvider;
import java.util.Objects;

/** The write end of a {@link PipeImpl}; locking is {@link PipeEnd}'s. */
final class SinkChannelImpl extends Pipe.SinkChannel implements SelChannel {
    private final PipeEnd end;

    SinkChannelImpl(SelectorProvider provider, SocketOps ops, int fd) {
        super(provider);
        this.end = new PipeEnd(ops, fd);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        Objects.requireNonNull(src);
        return (int) write(src, null, 0, 0);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        return write(null, srcs, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs) throws IOException {
        return write(srcs, 0, srcs.length);
    }

    private long write(ByteBuffer one, ByteBuffer[] many, int offset, int length) throws IOException {
        end.ioLock.lock();
        try {
            if (!isOpen()) throw new ClosedChannelException();
            boolean blocking = isBlocking();
            long n = 0;
            try {
                if (blocking) {
                    begin();
                    end.beginBlocking(isOpen());
                }
                n = end.transfer(false, one, many, offset, length, blocking, this::isOpen);
            } finally {
                if (blocking) {
                    end.endBlocking();
                    end(n > 0);
                }
            }
            return SocketChannelImpl.normalize(n);
        } finally {
            end.ioLock.unlock();
        }
    }

    @Override
    protected void implConfigureBlocking(boolean block) throws IOException {
        end.ioLock.lock();
        try {
            if (!isOpen()) throw new ClosedChannelException();
        } finally {
            end.ioLock.unlock();
        }
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
