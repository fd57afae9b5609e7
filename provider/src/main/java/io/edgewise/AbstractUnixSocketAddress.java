package io.edgewise;

import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A Linux <em>abstract namespace</em> Unix domain socket address: a name that lives in the kernel
 * only, never in the file system (no file to delete, gone when the last socket bound to it closes).
 * {@link java.net.UnixDomainSocketAddress} cannot express it (a path may not contain NUL), so Edgewise's
 * Unix domain channels accept this type wherever they accept a {@code UnixDomainSocketAddress}, and
 * report it as their local or remote address when the socket is bound to an abstract name.
 * An Edgewise extension; other providers throw {@code UnsupportedAddressTypeException} for it.
 *
 * <p>The name is the bytes after the leading NUL of {@code sun_path} (at most 107), given here as
 * a string encoded in UTF-8 or as raw bytes. Immutable.
 */
public final class AbstractUnixSocketAddress extends SocketAddress {
    private static final long serialVersionUID = 1L;

    /** The longest name: sun_path (108 bytes) minus the leading NUL. */
    public static final int MAX_NAME_BYTES = 107;

    private final byte[] name;

    private AbstractUnixSocketAddress(byte[] name) {
        if (name.length > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("Abstract socket name longer than " + MAX_NAME_BYTES + " bytes");
        }
        this.name = name;
    }

    /** The abstract address named {@code name} (UTF-8). */
    public static AbstractUnixSocketAddress of(String name) {
        return new AbstractUnixSocketAddress(name.getBytes(StandardCharsets.UTF_8));
    }

    /** The abstract address whose name is exactly {@code name}. */
    public static AbstractUnixSocketAddress of(byte[] name) {
        return new AbstractUnixSocketAddress(name.clone());
    }

    /** The name, decoded as UTF-8. */
    public String getName() {
        return new String(name, StandardCharsets.UTF_8);
    }

    /** The raw name bytes. */
    public byte[] getNameBytes() {
        return name.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AbstractUnixSocketAddress && Arrays.equals(name, ((AbstractUnixSocketAddress) o).name);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(name);
    }

    /** {@code @name}, as {@code ss} and {@code /proc/net/unix} print it. */
    @Override
    public String toString() {
        return "@" + getName();
    }
}
