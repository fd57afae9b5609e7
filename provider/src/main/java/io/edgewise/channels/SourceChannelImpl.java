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

/** The read end of a {@link PipeImpl}; locking is {@link PipeEnd}'s. */
final class SourceChannelImpl extends Pipe.SourceChannel implements SelChannel {
    private final PipeEnd end;

    SourceChannelImpl(SelectorProvider provider, SocketOps ops, int fd) {
        super(provider);
        this.end = new PipeEnd(ops, fd);
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst);
        return (int) read(dst, null, 0, 0);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        return read(null, dsts, offset, length);
    }

    @Override
    public long read(ByteBuffer[] dsts) throws IOException {
        return read(dsts, 0, dsts.length);
    }

    private long read(ByteBuffer one, ByteBuffer[] many, int offset, int length) throws IOException {
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
                n = end.transfer(true, one, many, offset, length, blocking, this::isOpen);
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
        return (ops & SelectionKey.OP_READ) != 0 ? Poller.IN : 0;
    }

    @Override
    public int translateReadyOps(int events, int interest) {
        if ((events & (Poller.ERR | Poller.HUP)) != 0) return interest;
        return (events & Poller.IN) != 0 ? interest & SelectionKey.OP_READ : 0;
    }
}
