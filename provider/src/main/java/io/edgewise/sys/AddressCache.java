package io.edgewise.sys;

import java.net.SocketAddress;
import java.nio.ByteBuffer;

/**
 * The two address shortcuts of a datagram binding's per-thread scratch buffer: the destination it holds
 * encoded (a sender that sends to the same {@code SocketAddress} object again skips the encoding: a reply
 * loop) and the last sender it decoded (a receiver that hears from the same peer again gets the same
 * {@code SocketAddress} without decoding or allocating). The target is matched by identity, the sender by
 * its raw bytes. One per thread's scratch, never shared (no lock).
 */
public final class AddressCache {
    private Object target;
    private int targetFamily;
    private int targetLength;
    private SocketAddress sender; // decoded form of the cached bytes
    private int senderLength = -1;

    /** The encoded length if {@code target} of {@code family} is the one encoded last, else -1. */
    public int targetLength(Object target, int family) {
        return target == this.target && family == targetFamily ? targetLength : -1;
    }

    /** Records that {@code target} is now encoded, {@code length} bytes; returns {@code length}. */
    public int rememberTarget(Object target, int family, int length) {
        this.target = target;
        this.targetFamily = family;
        this.targetLength = length;
        return length;
    }

    /** The buffer no longer holds an encoded target (it was overwritten). */
    public void forgetTarget() {
        target = null;
    }

    /**
     * The sender decoded last if the {@code length} bytes at {@code src} equal the ones kept at {@code cached},
     * else null.
     */
    public SocketAddress sender(ByteBuffer b, int src, int cached, int length) {
        if (length != senderLength || sender == null) {
            return null;
        }
        int i = 0;
        for (; i + 8 <= length; i += 8) {
            if (b.getLong(src + i) != b.getLong(cached + i)) return null;
        }
        for (; i < length; i++) {
            if (b.get(src + i) != b.get(cached + i)) return null;
        }
        return sender;
    }

    /** Keeps the {@code length} bytes at {@code src} (at {@code cached}) and their decoded form; returns it. */
    public SocketAddress rememberSender(ByteBuffer b, int src, int cached, int length, SocketAddress decoded) {
        for (int i = 0; i < length; i++) b.put(cached + i, b.get(src + i));
        senderLength = length;
        sender = decoded;
        return decoded;
    }
}
