package io.edgewise.sys.linux;

import io.edgewise.sys.SystemProps;
import static io.edgewise.sys.linux.Linux.*;

import io.edgewise.AbstractUnixSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * sockaddr_un marshalling. A path is encoded in {@code sun.jnu.encoding} (the JDK's file-name
 * charset), NUL-terminated; an abstract name starts with a NUL byte and is length-delimited; an
 * address of length 2 (family only) is the unnamed address.
 */
final class UnixAddr {
    private UnixAddr() { }

    static final Charset CHARSET = charset();
    static final UnixDomainSocketAddress UNNAMED = UnixDomainSocketAddress.of("");

    private static Charset charset() {
        try {
            String n = SystemProps.get("sun.jnu.encoding");
            return n != null ? Charset.forName(n) : StandardCharsets.UTF_8;
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    /** Writes {@code sa} at {@code off}; returns the address length to pass to the kernel. */
    static int encode(ByteBuffer buf, int off, SocketAddress sa) throws SocketException {
        buf.putShort(off, (short) AF_UNIX);
        if (sa instanceof UnixDomainSocketAddress) {
            byte[] path = ((UnixDomainSocketAddress) sa).getPath().toString().getBytes(CHARSET);
            if (path.length > SUN_PATH_MAX - 1) {
                throw new SocketException("Unix domain path too long");
            }
            for (int i = 0; i < path.length; i++) buf.put(off + SUN_PATH_OFFSET + i, path[i]);
            buf.put(off + SUN_PATH_OFFSET + path.length, (byte) 0);
            return path.length == 0 ? SUN_PATH_OFFSET : SUN_PATH_OFFSET + path.length + 1;
        }
        if (sa instanceof AbstractUnixSocketAddress) {
            byte[] name = ((AbstractUnixSocketAddress) sa).getNameBytes();
            buf.put(off + SUN_PATH_OFFSET, (byte) 0);
            for (int i = 0; i < name.length; i++) buf.put(off + SUN_PATH_OFFSET + 1 + i, name[i]);
            return SUN_PATH_OFFSET + 1 + name.length;
        }
        throw new UnsupportedAddressTypeException();
    }

    /** The address of {@code len} bytes at {@code off}. */
    static SocketAddress decode(ByteBuffer buf, int off, int len) {
        int n = Math.min(len, SOCKADDR_UN_SIZE) - SUN_PATH_OFFSET;
        if (n <= 0) {
            return UNNAMED;
        }
        if (buf.get(off + SUN_PATH_OFFSET) == 0) {
            byte[] name = new byte[n - 1];
            for (int i = 0; i < name.length; i++) name[i] = buf.get(off + SUN_PATH_OFFSET + 1 + i);
            return AbstractUnixSocketAddress.of(name);
        }
        int end = 0;
        while (end < n && buf.get(off + SUN_PATH_OFFSET + end) != 0) end++;
        byte[] path = new byte[end];
        for (int i = 0; i < end; i++) path[i] = buf.get(off + SUN_PATH_OFFSET + i);
        return UnixDomainSocketAddress.of(new String(path, CHARSET));
    }
}
