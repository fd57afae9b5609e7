package io.edgewise.sys;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;

/**
 * The base address of a direct buffer through {@link MemorySegment#ofBuffer} (JDK 22+), with the
 * checks the JDK's channels make on a buffer backed by an arena's memory: its arena must still be open
 * ({@code IllegalStateException: Already closed}) and, for a confined arena, the caller must be its
 * owner ({@code WrongThreadException}). Without them a read or write would reach freed memory. An
 * ordinary direct buffer passes both.
 *
 * <p>Called by {@link NativeMemory#address} directly rather than through the platform's bindings: the JIT
 * removes the segment and its session only when it inlines the whole chain from its compilation root,
 * and one call level more made every TCP read and write allocate 32 bytes ({@code HotPathAllocationTest}).
 */
final class SegmentAddress implements NativeMemory.Source {
    @Override
    public long base(ByteBuffer direct) {
        MemorySegment s = MemorySegment.ofBuffer(direct);
        if (!s.scope().isAlive()) {
            throw new IllegalStateException("Already closed");
        }
        if (!s.isAccessibleBy(Thread.currentThread())) {
            throw new WrongThreadException("Attempted access outside owning thread");
        }
        return s.address() - direct.position();
    }

    @Override
    public int getInt(long address) {
        return MemorySegment.ofAddress(address).reinterpret(4).get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0);
    }
}
