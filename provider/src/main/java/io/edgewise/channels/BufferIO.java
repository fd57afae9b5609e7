package io.edgewise.channels;

import io.edgewise.sys.NativeMemory;
import io.edgewise.sys.ByteIo;
import io.edgewise.sys.DatagramOps;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;

/**
 * Moves bytes between {@link ByteBuffer}s of every kind (heap, direct, read-only sources, slices)
 * and a descriptor with one system call. Direct buffers are passed by address; heap buffers go
 * through the thread's {@link TempBuffers}; several buffers become one {@code readv}/{@code writev}
 * (direct) or one call through a single temporary buffer (heap); datagrams go whole or not at all.
 * Positions move by what was transferred; results follow {@link ByteIo} ({@code UNAVAILABLE}, {@code INTERRUPTED}, {@code EOF}).
 */
final class BufferIO {
    private BufferIO() { }

    private static int remaining(ByteBuffer b) {
        int pos = b.position(), lim = b.limit();
        return pos <= lim ? lim - pos : 0;
    }

    /**
     * How many of {@code bufs[offset, offset + length)} one call takes: up to and including the
     * {@code iovMax}-th buffer with bytes remaining. The JDK's channels pass at most IOV_MAX buffers to
     * one readv/writev, so a call with more returns having moved only those (the caller calls again).
     */
    static int iovLength(ByteBuffer[] bufs, int offset, int length, int iovMax) {
        int nonEmpty = 0;
        for (int i = offset; i < offset + length; i++) {
            if (remaining(bufs[i]) > 0 && ++nonEmpty == iovMax) {
                return i + 1 - offset;
            }
        }
        return length;
    }

    static void checkWritable(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
    }

    static int read(ByteIo io, int fd, ByteBuffer dst) throws IOException {
        checkWritable(dst);
        int pos = dst.position();
        int rem = remaining(dst);
        if (rem == 0) {
            return 0;
        }
        if (dst.isDirect()) {
            int n = io.read(fd, NativeMemory.address(dst) + pos, rem);
            if (n > 0) dst.position(pos + n);
            return n;
        }
        if (io.arrayIo()) { // a heap buffer is never read-only here
            int n = io.readArray(fd, dst.array(), dst.arrayOffset() + pos, rem);
            if (n > 0) dst.position(pos + n);
            return n;
        }
        TempBuffers t = TempBuffers.get();
        int slot = t.take(rem);
        try {
            ByteBuffer tmp = t.buffer(slot);
            int n = io.read(fd, t.address(slot), Math.min(rem, tmp.capacity()));
            if (n > 0) {
                dst.put(pos, tmp, 0, n);
                dst.position(pos + n);
            }
            return n;
        } finally {
            t.give(slot);
        }
    }

    static int write(ByteIo io, int fd, ByteBuffer src) throws IOException {
        int pos = src.position();
        int rem = remaining(src);
        if (rem == 0) {
            return 0;
        }
        if (src.isDirect()) {
            int n = io.write(fd, NativeMemory.address(src) + pos, rem);
            if (n > 0) src.position(pos + n);
            return n;
        }
        if (io.arrayIo() && src.hasArray()) { // hasArray: false for read-only buffers
            int n = io.writeArray(fd, src.array(), src.arrayOffset() + pos, rem);
            if (n > 0) src.position(pos + n);
            return n;
        }
        TempBuffers t = TempBuffers.get();
        int slot = t.take(rem);
        try {
            ByteBuffer tmp = t.buffer(slot);
            int len = Math.min(rem, tmp.capacity());
            tmp.put(0, src, pos, len);
            int n = io.write(fd, t.address(slot), len);
            if (n > 0) src.position(pos + n);
            return n;
        } finally {
            t.give(slot);
        }
    }

    static long read(ByteIo io, int fd, ByteBuffer[] dsts, int offset, int length) throws IOException {
        length = iovLength(dsts, offset, length, io.iovMax());
        long total = 0;
        boolean allDirect = true;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer b = dsts[i];
            checkWritable(b);
            total += remaining(b);
            allDirect &= b.isDirect();
        }
        if (total == 0) {
            return 0;
        }
        if (allDirect) {   // at most iovMax non-empty buffers (iovLength)
            TempBuffers t = TempBuffers.get();
            ByteBuffer iov = t.iov(io.iovecSize(), io.iovMax());
            int cnt = 0;
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer b = dsts[i];
                int rem = remaining(b);
                if (rem > 0) io.putIovec(iov, cnt++, NativeMemory.address(b) + b.position(), rem);
            }
            long n = io.readv(fd, t.iovAddress(), cnt);
            if (n > 0) advance(dsts, offset, length, n);
            return n;
        }
        NativeMemory.checkUsable(dsts, offset, length);
        TempBuffers t = TempBuffers.get();
        int slot = t.take((int) Math.min(total, Integer.MAX_VALUE));
        try {
            ByteBuffer tmp = t.buffer(slot);
            int len = (int) Math.min(total, tmp.capacity());
            int n = io.read(fd, t.address(slot), len);
            if (n > 0) {
                int from = 0;
                for (int i = offset; i < offset + length && from < n; i++) {
                    ByteBuffer b = dsts[i];
                    int k = Math.min(remaining(b), n - from);
                    b.put(b.position(), tmp, from, k);
                    b.position(b.position() + k);
                    from += k;
                }
            }
            return n;
        } finally {
            t.give(slot);
        }
    }

    static long write(ByteIo io, int fd, ByteBuffer[] srcs, int offset, int length) throws IOException {
        return write(io, fd, srcs, offset, length, false);
    }

    /**
     * A gathering write of one datagram on a connected datagram socket: like
     * {@link #write(ByteIo, int, ByteBuffer[], int, int)}, but a datagram goes whole or not at all, so
     * heap buffers holding more than a temporary buffer takes are a {@code SocketException}.
     */
    static long writeDatagram(ByteIo io, int fd, ByteBuffer[] srcs, int offset, int length) throws IOException {
        return write(io, fd, srcs, offset, length, true);
    }

    private static long write(ByteIo io, int fd, ByteBuffer[] srcs, int offset, int length, boolean whole)
            throws IOException {
        length = iovLength(srcs, offset, length, io.iovMax());
        long total = 0;
        boolean allDirect = true;
        for (int i = offset; i < offset + length; i++) {
            ByteBuffer b = srcs[i];
            total += remaining(b);
            allDirect &= b.isDirect();
        }
        if (total == 0) {
            return 0;
        }
        if (allDirect) {   // at most iovMax non-empty buffers (iovLength)
            TempBuffers t = TempBuffers.get();
            ByteBuffer iov = t.iov(io.iovecSize(), io.iovMax());
            int cnt = 0;
            for (int i = offset; i < offset + length; i++) {
                ByteBuffer b = srcs[i];
                int rem = remaining(b);
                if (rem > 0) io.putIovec(iov, cnt++, NativeMemory.address(b) + b.position(), rem);
            }
            long n = io.writev(fd, t.iovAddress(), cnt);
            if (n > 0) advance(srcs, offset, length, n);
            return n;
        }
        if (whole && total > TempBuffers.MAX_SIZE) {
            throw new SocketException("Message too long");
        }
        TempBuffers t = TempBuffers.get();
        int slot = t.take((int) Math.min(total, Integer.MAX_VALUE));
        try {
            ByteBuffer tmp = t.buffer(slot);
            int cap = tmp.capacity();
            int len = 0;
            for (int i = offset; i < offset + length && len < cap; i++) {
                ByteBuffer b = srcs[i];
                int k = Math.min(remaining(b), cap - len);
                tmp.put(len, b, b.position(), k);
                len += k;
            }
            int n = io.write(fd, t.address(slot), len);
            if (n > 0) advance(srcs, offset, length, n);
            return n;
        } finally {
            t.give(slot);
        }
    }

    private static void advance(ByteBuffer[] bufs, int offset, int length, long n) {
        for (int i = offset; i < offset + length && n > 0; i++) {
            ByteBuffer b = bufs[i];
            int k = (int) Math.min(remaining(b), n);
            b.position(b.position() + k);
            n -= k;
        }
    }

    // ---- one buffer or several: the channels that offer both forms share one frame

    /** A read into {@code one}, or (when null) scattered into {@code many[offset, offset + length)}. */
    static long read(ByteIo io, int fd, ByteBuffer one, ByteBuffer[] many, int offset, int length)
            throws IOException {
        return one != null ? read(io, fd, one) : read(io, fd, many, offset, length);
    }

    /** A write of {@code one}, or (when null) gathered from {@code many[offset, offset + length)}. */
    static long write(ByteIo io, int fd, ByteBuffer one, ByteBuffer[] many, int offset, int length)
            throws IOException {
        return one != null ? write(io, fd, one) : write(io, fd, many, offset, length);
    }

    /** Whether {@code one}, or (when null) any of {@code many[offset, offset + length)}, has bytes left. */
    static boolean hasRemaining(ByteBuffer one, ByteBuffer[] many, int offset, int length) {
        if (one != null) {
            return one.hasRemaining();
        }
        for (int i = offset; i < offset + length; i++) {
            if (many[i].hasRemaining()) return true;
        }
        return false;
    }

    // ---- datagrams with addresses: one whole datagram per call

    /**
     * Sends {@code src}'s remaining bytes as one datagram to {@code target}, or writes it to the
     * connected peer when {@code target} is null: a direct buffer by address, a heap buffer through a
     * temporary copy ({@code SocketException} when larger than a temporary buffer). Moves the position
     * by the count sent. Plain branches, no call object: the fewer call levels between a send and its
     * downcall, the more the JIT inlines, which decides whether a send allocates on JDK 24+.
     */
    static int sendDatagram(DatagramOps d, int fd, int family, ByteBuffer src, SocketAddress target)
            throws IOException {
        int pos = src.position();
        int rem = remaining(src);
        int n;
        if (src.isDirect()) {
            n = datagram(d, fd, family, DirectAddress.of(src) + pos, rem, target);
        } else {
            if (rem > TempBuffers.MAX_SIZE) {
                throw new SocketException("Message too long");
            }
            TempBuffers t = TempBuffers.get();
            int slot = t.take(rem);
            try {
                t.buffer(slot).put(0, src, pos, rem);
                n = datagram(d, fd, family, t.address(slot), rem, target);
            } finally {
                t.give(slot);
            }
        }
        if (n > 0) src.position(pos + n);
        return n;
    }

    private static int datagram(DatagramOps d, int fd, int family, long address, int length, SocketAddress target)
            throws IOException {
        return target == null ? d.write(fd, address, length) : d.send(fd, family, address, length, target);
    }

    /**
     * Receives one datagram into {@code dst} (the sender is left for {@link DatagramOps#sender}); the
     * part that does not fit is discarded. A heap or full buffer goes through a temporary buffer of at
     * least one byte: a zero-length receive would not consume the datagram.
     */
    static int receiveDatagram(DatagramOps d, int fd, ByteBuffer dst, boolean connected) throws IOException {
        int pos = dst.position();
        int rem = remaining(dst);
        if (dst.isDirect() && rem > 0) {
            int n = d.receive(fd, DirectAddress.of(dst) + pos, rem, connected);
            if (n > 0) dst.position(pos + n);
            return n;
        }
        TempBuffers t = TempBuffers.get();
        int slot = t.take(Math.max(rem, 1));
        try {
            ByteBuffer tmp = t.buffer(slot);
            int n = d.receive(fd, t.address(slot), Math.max(1, Math.min(rem, tmp.capacity())), connected);
            if (n > 0 && rem > 0) {
                int k = Math.min(n, rem);
                dst.put(pos, tmp, 0, k);
                dst.position(pos + k);
                n = k;
            }
            return n;
        } finally {
            t.give(slot);
        }
    }
}
