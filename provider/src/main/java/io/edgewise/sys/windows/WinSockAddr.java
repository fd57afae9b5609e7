package io.edgewise.sys.windows;

import static io.edgewise.sys.windows.Win64.*;

import io.edgewise.sys.posix.SockAddrCodec;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * {@code SOCKADDR_IN} / {@code SOCKADDR_IN6} for Winsock: the POSIX codec ({@link SockAddrCodec}) with
 * Windows' family numbers ({@code AF_INET6 = 23}, not 10 as on Linux) and no {@code sa_len} byte (the
 * structures are Linux-shaped). Pure Java.
 */
public final class WinSockAddr {
    private WinSockAddr() { }

    private static final SockAddrCodec CODEC = new SockAddrCodec(false, AF_INET, AF_INET6);

    /** Writes {@code sa} at {@code off}; returns the length to pass to Winsock. */
    public static int encode(ByteBuffer buf, int off, boolean inet6, InetSocketAddress sa) {
        return CODEC.encode(buf, off, inet6, sa);
    }

    /** Reads the address at {@code off}; null for a family other than AF_INET/AF_INET6. */
    public static InetSocketAddress decode(ByteBuffer buf, int off) {
        return CODEC.decode(buf, off);
    }
}
