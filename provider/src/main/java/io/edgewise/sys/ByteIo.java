package io.edgewise.sys;

import java.io.IOException;

/**
 * The data calls on one kind of descriptor: bytes in and out at native addresses, one buffer or an
 * iovec array, and (where the binding can) straight from Java arrays. Results follow
 * {@link SocketOps}: a count {@code >= 0}, or {@link SocketOps#EOF}, {@link SocketOps#UNAVAILABLE},
 * {@link SocketOps#INTERRUPTED}; every other failure is thrown as the JDK would throw it.
 *
 * <p>The platform's {@code ByteIo} ({@code Platform.byteIo()}) serves any descriptor (a pipe's, say).
 * Connected stream sockets use its {@link #streamIo()}, which a platform may serve with socket-only calls.
 */
public interface ByteIo {
    /**
     * The data calls for a connected stream socket (TCP or Unix domain): the same results as this
     * object's own, through whichever calls the platform makes cheapest for sockets. By default this
     * object itself.
     */
    default ByteIo streamIo() {
        return this;
    }

    int read(int fd, long address, int length) throws IOException;

    int write(int fd, long address, int length) throws IOException;

    /** Scattering read into {@code count} iovec entries at {@code iov} (see {@link #iovecSize}). */
    long readv(int fd, long iov, int count) throws IOException;

    /** Gathering write of {@code count} iovec entries at {@code iov}. */
    long writev(int fd, long iov, int count) throws IOException;

    /** Size of one iovec entry and the most a single readv/writev takes. */
    int iovecSize();

    int iovMax();

    /** Writes iovec entry {@code index} into {@code iov} (a native-order direct buffer). */
    void putIovec(java.nio.ByteBuffer iov, int index, long base, long length);

    /** Whether {@link #readArray}/{@link #writeArray} move bytes to and from Java arrays without a copy. */
    default boolean arrayIo() {
        return false;
    }

    /** Like {@link #read} into {@code a[off, off+len)}; only when {@link #arrayIo()}. */
    default int readArray(int fd, byte[] a, int off, int len) throws IOException {
        throw new UnsupportedOperationException("no array I/O in this binding");
    }

    /** Like {@link #write} from {@code a[off, off+len)}; only when {@link #arrayIo()}. */
    default int writeArray(int fd, byte[] a, int off, int len) throws IOException {
        throw new UnsupportedOperationException("no array I/O in this binding");
    }
}
