package io.edgewise.sys.linux;

import io.edgewise.sys.posix.LibC;
import static io.edgewise.sys.SocketOps.EOF;
import static io.edgewise.sys.linux.Linux.MSG_NOSIGNAL;

import io.edgewise.sys.ByteIo;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The data calls of a connected stream socket on Linux: {@code recv}, {@code send} and
 * {@code sendmsg} instead of {@code read}, {@code write} and {@code writev}. The results are the same;
 * the socket calls skip the file layer ({@code vfs_read}/{@code vfs_write}, their permission and
 * notification hooks): on loopback a read costs 7–9 % less and a write 1–5 % less (20–150 ns)
 * ({@code benchmarks/native/socket-call-cost.c}). {@code MSG_NOSIGNAL} turns a write to a reset
 * connection into {@code EPIPE} without raising {@code SIGPIPE}, which the JVM would only ignore.
 * Scattering reads stay {@code readv}: nothing on the hot path uses them.
 *
 * <p>Thread safety: stateless; a gathering write builds its {@code msghdr} in {@link LinuxSocketOps}'s
 * per-thread scratch memory.
 */
final class LinuxStreamIo implements ByteIo {
    static final LinuxStreamIo INSTANCE = new LinuxStreamIo();

    private LinuxStreamIo() { }

    @Override
    public int read(int fd, long address, int length) throws IOException {
        if (length == 0) {
            return 0; // read(2) on a socket returns 0 at once for no bytes; recv(2) would say EAGAIN
        }
        long n = LibC.recv(fd, address, length, 0);
        if (n > 0) return (int) n;
        if (n == 0) return LinuxSocketOps.INSTANCE.atEof(fd);
        return LinuxSocketOps.INSTANCE.failed(true);
    }

    @Override
    public int write(int fd, long address, int length) throws IOException {
        long n = LibC.send(fd, address, length, MSG_NOSIGNAL);
        if (n >= 0) return (int) n;
        return LinuxSocketOps.INSTANCE.failed(false);
    }

    @Override
    public long readv(int fd, long iov, int count) throws IOException {
        return LinuxSocketOps.INSTANCE.readv(fd, iov, count);
    }

    @Override
    public long writev(int fd, long iov, int count) throws IOException {
        long n = LinuxSocketOps.sendmsg(fd, iov, count, MSG_NOSIGNAL);
        if (n >= 0) return n;
        return LinuxSocketOps.INSTANCE.failed(false);
    }

    @Override
    public int iovecSize() {
        return LinuxSocketOps.INSTANCE.iovecSize();
    }

    @Override
    public int iovMax() {
        return LinuxSocketOps.INSTANCE.iovMax();
    }

    @Override
    public void putIovec(ByteBuffer iov, int index, long base, long length) {
        LinuxSocketOps.INSTANCE.putIovec(iov, index, base, length);
    }

    @Override
    public boolean arrayIo() {
        return LibC.ARRAY_IO;
    }

    @Override
    public int readArray(int fd, byte[] a, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        long n = LibC.recvArray(fd, a, off, len, 0);
        if (n > 0) return (int) n;
        if (n == 0) return LinuxSocketOps.INSTANCE.atEof(fd);
        return LinuxSocketOps.INSTANCE.failed(true);
    }

    @Override
    public int writeArray(int fd, byte[] a, int off, int len) throws IOException {
        long n = LibC.sendArray(fd, a, off, len, MSG_NOSIGNAL);
        if (n >= 0) return (int) n;
        return LinuxSocketOps.INSTANCE.failed(false);
    }
}
