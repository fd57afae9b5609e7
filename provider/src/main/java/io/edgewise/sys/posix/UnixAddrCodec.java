package io.edgewise.sys.posix;

import io.edgewise.AbstractUnixSocketAddress;
import io.edgewise.sys.SystemProps;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

/**
 * {@code sockaddr_un} in a native-order buffer for one platform ({@link PosixNet}: {@code sun_len} on
 * the BSDs, the size of {@code sun_path}, Linux's abstract namespace). A path is encoded in
 * {@code sun.jnu.encoding} (the JDK's file-name charset), NUL-terminated; an abstract name starts with
 * a NUL byte and is length-delimited; an address with no path bytes is the unnamed address. Stateless.
 */
public final class UnixAddrCodec {
    static final Charset CHARSET = charset();
    static final UnixDomainSocketAddress UNNAMED = UnixDomainSocketAddress.of("");

    private final PosixNet n;
    private final Charset charset;
    /** The largest {@code sockaddr_un}: family part and {@code sun_path}. */
    public final int size;

    public UnixAddrCodec(PosixNet n) {
        this(n, CHARSET);
    }

    /** With the charset of path names given (Windows: UTF-8, whatever the file-name encoding). */
    public UnixAddrCodec(PosixNet n, Charset charset) {
        this.n = n;
        this.charset = charset;
        this.size = n.sunPathOffset + n.sunPathMax;
    }

    private static Charset charset() {
        try {
            String name = SystemProps.get("sun.jnu.encoding");
            return name != null ? Charset.forName(name) : StandardCharsets.UTF_8;
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8;
        }
    }

    private void putFamily(ByteBuffer buf, int off, int len) {
        if (n.saLen) {
            buf.put(off, (byte) len);
            buf.put(off + 1, (byte) n.afUnix);
        } else {
            buf.putShort(off, (short) n.afUnix);
        }
    }

    /**
     * Writes {@code sa} at {@code off}; returns the address length to pass to the kernel. A path too
     * long for {@code sun_path} is a SocketException and an abstract name where the platform has none
     * an UnsupportedAddressTypeException, both before anything is written.
     */
    public int encode(ByteBuffer buf, int off, SocketAddress sa) throws SocketException {
        int p = off + n.sunPathOffset;
        if (sa instanceof UnixDomainSocketAddress) {
            byte[] path = ((UnixDomainSocketAddress) sa).getPath().toString().getBytes(charset);
            if (path.length > n.sunPathMax - 1) {
                throw new SocketException("Unix domain path too long");
            }
            int len = path.length == 0 ? n.sunPathOffset : n.sunPathOffset + path.length + 1;
            putFamily(buf, off, len);
            for (int i = 0; i < path.length; i++) buf.put(p + i, path[i]);
            buf.put(p + path.length, (byte) 0);
            return len;
        }
        if (sa instanceof AbstractUnixSocketAddress && n.abstractUnix) {
            byte[] name = ((AbstractUnixSocketAddress) sa).getNameBytes();
            if (name.length > n.sunPathMax - 1) {
                throw new SocketException("Unix domain path too long");
            }
            int len = n.sunPathOffset + 1 + name.length;
            putFamily(buf, off, len);
            buf.put(p, (byte) 0);
            for (int i = 0; i < name.length; i++) buf.put(p + 1 + i, name[i]);
            return len;
        }
        throw new UnsupportedAddressTypeException();
    }

    /** The address of {@code len} bytes at {@code off}. */
    public SocketAddress decode(ByteBuffer buf, int off, int len) {
        int max = Math.min(len, size) - n.sunPathOffset;
        int p = off + n.sunPathOffset;
        if (max <= 0) {
            return UNNAMED;
        }
        if (buf.get(p) == 0) {
            if (!n.abstractUnix) return UNNAMED; // BSD: an empty sun_path
            byte[] name = new byte[max - 1];
            for (int i = 0; i < name.length; i++) name[i] = buf.get(p + 1 + i);
            return AbstractUnixSocketAddress.of(name);
        }
        int end = 0;
        while (end < max && buf.get(p + end) != 0) end++;
        byte[] path = new byte[end];
        for (int i = 0; i < end; i++) path[i] = buf.get(p + i);
        return UnixDomainSocketAddress.of(new String(path, charset));
    }
}
