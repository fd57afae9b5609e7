package io.edgewise.channels;

import io.edgewise.sys.NativeMemory;
import java.nio.ByteBuffer;

/**
 * Kept for the datagram channel while it is being split (issue #20): the addresses come from
 * {@link NativeMemory}, the one native-memory helper. New code calls that directly.
 */
final class DirectAddress {
    private DirectAddress() { }

    static long of(ByteBuffer direct) {
        return NativeMemory.address(direct);
    }

    static void checkUsable(ByteBuffer[] bufs, int offset, int length) {
        NativeMemory.checkUsable(bufs, offset, length);
    }
}
