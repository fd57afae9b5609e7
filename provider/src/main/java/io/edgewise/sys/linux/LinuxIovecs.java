package io.edgewise.sys.linux;

import static io.edgewise.sys.linux.Linux.IOVEC_SIZE;
import static io.edgewise.sys.linux.Linux.IOV_MAX;

import io.edgewise.sys.ByteIo;
import java.nio.ByteBuffer;

/** The iovec layout on Linux (LP64: base, then length, 8 bytes each), for the {@link ByteIo}s of this package. */
abstract class LinuxIovecs implements ByteIo {
    @Override
    public final int iovecSize() {
        return IOVEC_SIZE;
    }

    @Override
    public final int iovMax() {
        return IOV_MAX;
    }

    @Override
    public final void putIovec(ByteBuffer iov, int index, long base, long length) {
        iov.putLong(index * IOVEC_SIZE, base);
        iov.putLong(index * IOVEC_SIZE + 8, length);
    }
}
