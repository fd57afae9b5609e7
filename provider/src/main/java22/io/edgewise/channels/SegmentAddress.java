package io.edgewise.channels;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The base address of a direct buffer through {@link MemorySegment#ofBuffer} (JDK 22+), for
 * {@link DirectAddress} where {@code sun.misc.Unsafe} is off limits (JDK 24+). Called here, two calls
 * below {@link DirectAddress#of}, rather than through the platform's bindings, so that the JIT can
 * still inline the segment and its session into the caller and drop both: one call level less or more
 * decides whether every read and write allocates 32 bytes ({@code HotPathAllocationTest}).
 */
final class SegmentAddress implements DirectAddress.Source {
    @Override
    public long base(ByteBuffer direct) {
        return MemorySegment.ofBuffer(direct).address() - direct.position();
    }
}
