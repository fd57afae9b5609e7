package io.edgewise.sys.linux;

import io.edgewise.sys.Scratch;
import static io.edgewise.sys.linux.Linux.*;

import io.edgewise.sys.ByteIo;
import io.edgewise.sys.ConsumedErrors;
import io.edgewise.sys.posix.LibC;
import io.edgewise.sys.posix.PosixSocketOps;
import java.io.IOException;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * The POSIX socket layer ({@link PosixSocketOps}) with Linux's values and what only Linux has: an
 * eventfd as wakeup descriptor, {@code dup3}, shutdown that wakes pollers ({@link #unblock}), the
 * socket data calls with {@code MSG_NOSIGNAL} for stream sockets ({@link LinuxStreamIo}), Java arrays
 * passed without a copy (FFM binding), and Linux's extended socket options. {@code accept4},
 * {@code pipe2} and {@code SOCK_NONBLOCK} come from {@link LinuxValues#NET}'s flags. Stateless apart
 * from the per-thread scratch area of the POSIX layer.
 */
public final class LinuxSocketOps extends PosixSocketOps {
    public static final LinuxSocketOps INSTANCE = new LinuxSocketOps();

    // struct msghdr on LP64 Linux (56 bytes at MSGHDR, zero but for the iovec pointer and count):
    // name, namelen(+pad), iov, iovlen, control, controllen, flags(+pad)
    private static final int MSG_IOV = 16, MSG_IOVLEN = 24;

    /** sendmsg(2) of {@code count} iovec entries at {@code iov}, no address, no control data. */
    static long sendmsg(int fd, long iov, int count, int flags) {
        Scratch s = scratch();
        s.buf.putLong(MSGHDR + MSG_IOV, iov);
        s.buf.putLong(MSGHDR + MSG_IOVLEN, count);
        return LibC.sendmsg(fd, s.addr + MSGHDR, flags);
    }

    private LinuxSocketOps() {
        super(LinuxValues.NET);
        ExtendedOptions.register((opt, level, name, kind) -> putExtended(opt, level, name, kind));
    }

    @Override
    public ByteIo streamIo() {
        return LinuxStreamIo.INSTANCE;
    }

    @Override
    public boolean arrayIo() {
        return LibC.ARRAY_IO;
    }

    @Override
    public int readArray(int fd, byte[] a, int off, int len) throws IOException {
        return (int) readResult(fd, LibC.readArray(fd, a, off, len), len == 0);
    }

    @Override
    public int writeArray(int fd, byte[] a, int off, int len) throws IOException {
        return (int) writeResult(LibC.writeArray(fd, a, off, len));
    }

    @Override
    public void replace(int source, int target) throws IOException {
        int rc = LibC.dup3(source, target, O_CLOEXEC);
        if (rc < 0) {
            throw errors.io(-rc);
        }
        ConsumedErrors.forget(target);
    }

    /**
     * Linux wakes every poller of a socket on shutdown, for every socket kind (connected, connecting,
     * listening, unconnected datagram: the last two return an error but still wake), and the shutdown
     * state makes later polls return at once.
     */
    @Override
    public boolean shutdownWakesPoll() {
        return true;
    }

    /**
     * Shut down both ways. When {@code SO_LINGER} is 0 the close would reset the connection instead
     * of finishing it, so a disconnect (connect to {@code AF_UNSPEC}) sends that reset first, and the
     * shutdown that follows sends nothing (an ordinary close ends with a FIN, which the JDK also sends
     * early by shutting the output down). Unix-domain sockets refuse the disconnect; datagram sockets
     * only forget their peer, which the close does anyway.
     */
    @Override
    public void unblock(int fd) {
        Scratch s = scratch();
        ByteBuffer b = s.buf;
        b.putLong(OPT, 0L);
        b.putInt(OPTLEN, 8);
        if (LibC.getsockopt(fd, SOL_SOCKET, SO_LINGER, s.addr + OPT, s.addr + OPTLEN) == 0
                && b.getInt(OPT) != 0 && b.getInt(OPT + 4) == 0) {
            b.putLong(SA, 0L);
            b.putLong(SA + 8, 0L); // sa_family AF_UNSPEC
            LibC.connect(fd, s.addr + SA, 16);
        }
        LibC.shutdown(fd, SHUT_RDWR);
    }

    @Override
    public int wakeupDescriptor() throws IOException {
        int fd = LibC.eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (fd < 0) {
            throw errors.io((int) -fd);
        }
        return fd;
    }

    @Override
    public void signal(int wakeFd) throws IOException {
        Scratch s = scratch();
        s.buf.putLong(U64, 1L);
        long r = LibC.write(wakeFd, s.addr + U64, 8);
        if (r < 0) {
            int e = (int) -r;
            if (e != EAGAIN) { // counter saturated: already signalled
                throw errors.io(e);
            }
        }
    }

    @Override
    public void drain(int wakeFd) throws IOException {
        Scratch s = scratch();
        long r = LibC.read(wakeFd, s.addr + U64, 8);
        if (r < 0) {
            int e = (int) -r;
            if (e != EAGAIN && e != EINTR) {
                throw errors.io(e);
            }
        }
    }
}
