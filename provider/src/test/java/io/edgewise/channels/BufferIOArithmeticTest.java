package io.edgewise.channels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Pointer;
import io.edgewise.sys.ByteIo;
import io.edgewise.sys.DatagramOps;
import io.edgewise.sys.SocketOps;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link BufferIO}'s position and count arithmetic against a fake binding that moves bytes in memory:
 * partial transfers (fewer bytes than asked, spread over several buffers), "unavailable" results that
 * must move nothing, array offsets of slices, and the paths a real run on one JDK never takes — the
 * array calls ({@code ByteIo.arrayIo()}, the JNA binding's, unused on JDK 22+ where the FFM binding
 * copies through temporary buffers) and the size limits of heap datagrams. Found by mutation testing
 * (scripts/mutation.sh channels): on JDK 25 the array paths had no coverage, and real sockets on
 * loopback always take every byte offered, so no partial count reached the position updates.
 */
@Timeout(60)
class BufferIOArithmeticTest {

    /**
     * A descriptor in memory: reads take from {@code input}, writes append to {@code output}; each call
     * moves at most {@code perCall} bytes, or returns {@code UNAVAILABLE} while {@code unavailable}.
     * Native memory is read and written through JNA's Pointer.
     */
    static final class MemoryIo implements ByteIo {
        final boolean arrays;
        final int iovMax;
        int perCall = Integer.MAX_VALUE;
        boolean unavailable;
        byte[] input = new byte[0];
        int inputPos;
        final ByteArrayOutputStream output = new ByteArrayOutputStream();
        /** Lengths the calls were asked to move, in order. */
        final List<Integer> asked = new ArrayList<>();
        /** iovec counts of the readv/writev calls, in order. */
        final List<Integer> iovecs = new ArrayList<>();

        MemoryIo(boolean arrays, int iovMax) {
            this.arrays = arrays;
            this.iovMax = iovMax;
        }

        void feed(String s) {
            input = s.getBytes(StandardCharsets.US_ASCII);
            inputPos = 0;
        }

        String written() {
            return output.toString(StandardCharsets.US_ASCII);
        }

        private int take(int len) {
            asked.add(len);
            if (unavailable) return SocketOps.UNAVAILABLE;
            return Math.min(Math.min(len, perCall), input.length - inputPos);
        }

        private int give(int len) {
            asked.add(len);
            if (unavailable) return SocketOps.UNAVAILABLE;
            return Math.min(len, perCall);
        }

        @Override
        public int read(int fd, long address, int length) {
            int n = take(length);
            if (n > 0) {
                new Pointer(address).write(0, input, inputPos, n);
                inputPos += n;
            }
            return n;
        }

        @Override
        public int write(int fd, long address, int length) {
            int n = give(length);
            if (n > 0) output.write(new Pointer(address).getByteArray(0, n), 0, n);
            return n;
        }

        @Override
        public long readv(int fd, long iov, int count) {
            iovecs.add(count);
            int want = 0;
            for (int i = 0; i < count; i++) want += (int) new Pointer(iov).getLong(16L * i + 8);
            int n = take(want);
            if (n <= 0) return n;
            int left = n;
            for (int i = 0; i < count && left > 0; i++) {
                long base = new Pointer(iov).getLong(16L * i);
                int k = Math.min(left, (int) new Pointer(iov).getLong(16L * i + 8));
                new Pointer(base).write(0, input, inputPos, k);
                inputPos += k;
                left -= k;
            }
            return n;
        }

        @Override
        public long writev(int fd, long iov, int count) {
            iovecs.add(count);
            int want = 0;
            for (int i = 0; i < count; i++) want += (int) new Pointer(iov).getLong(16L * i + 8);
            int n = give(want);
            if (n <= 0) return n;
            int left = n;
            for (int i = 0; i < count && left > 0; i++) {
                long base = new Pointer(iov).getLong(16L * i);
                int k = Math.min(left, (int) new Pointer(iov).getLong(16L * i + 8));
                output.write(new Pointer(base).getByteArray(0, k), 0, k);
                left -= k;
            }
            return n;
        }

        @Override
        public int iovecSize() {
            return 16;
        }

        @Override
        public int iovMax() {
            return iovMax;
        }

        @Override
        public void putIovec(ByteBuffer iov, int index, long base, long length) {
            iov.putLong(16 * index, base).putLong(16 * index + 8, length);
        }

        @Override
        public boolean arrayIo() {
            return arrays;
        }

        @Override
        public int readArray(int fd, byte[] a, int off, int len) {
            if (!arrays) throw new UnsupportedOperationException("no array calls");
            int n = take(len);
            if (n > 0) {
                System.arraycopy(input, inputPos, a, off, n);
                inputPos += n;
            }
            return n;
        }

        @Override
        public int writeArray(int fd, byte[] a, int off, int len) {
            if (!arrays) throw new UnsupportedOperationException("no array calls");
            int n = give(len);
            if (n > 0) output.write(a, off, n);
            return n;
        }
    }

    private static ByteBuffer heap(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    private static ByteBuffer direct(String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocateDirect(b.length).put(b).flip();
    }

    private static String content(ByteBuffer b, int from, int to) {
        byte[] a = new byte[to - from];
        b.get(from, a);
        return new String(a, StandardCharsets.US_ASCII);
    }

    /** A heap slice with a non-zero array offset: "##" before it in the array, positioned at 1. */
    private static ByteBuffer slice(String s) {
        ByteBuffer b = heap("##" + s).position(2).slice();
        b.position(1);
        return b;
    }

    @Test
    void arrayCallsUseTheArrayOffsetAndPositionAndMoveItByTheCount() throws Exception {
        MemoryIo io = new MemoryIo(true, 1024);
        io.feed("abcdef");
        io.perCall = 3;
        ByteBuffer dst = slice("......");
        assertEquals(3, BufferIO.read(io, 0, dst));
        assertEquals(4, dst.position());
        assertEquals(".abc..", content(dst, 0, 6));
        assertEquals(List.of(5), io.asked, "asked for the room left");
        assertEquals("##.abc..", new String(dst.array(), StandardCharsets.US_ASCII));

        ByteBuffer src = slice("xhello");
        assertEquals(3, BufferIO.write(io, 0, src));
        assertEquals(4, src.position());
        assertEquals("hel", io.written());
        assertEquals(5, (int) io.asked.get(1));
    }

    @Test
    void anUnavailableResultMovesNoPositionOnAnyPath() throws Exception {
        for (boolean arrays : new boolean[] {true, false}) {
            MemoryIo io = new MemoryIo(arrays, 1024);
            io.unavailable = true;
            for (ByteBuffer b : new ByteBuffer[] {slice("abc"), direct("abc").position(1)}) {
                assertEquals(SocketOps.UNAVAILABLE, BufferIO.read(io, 0, b));
                assertEquals(1, b.position());
                assertEquals(SocketOps.UNAVAILABLE, BufferIO.write(io, 0, b));
                assertEquals(1, b.position());
            }
            ByteBuffer[] heaps = {heap("ab"), heap("cd")};
            ByteBuffer[] directs = {direct("ab"), direct("cd")};
            for (ByteBuffer[] bs : new ByteBuffer[][] {heaps, directs}) {
                assertEquals(SocketOps.UNAVAILABLE, BufferIO.read(io, 0, bs, 0, 2));
                assertEquals(SocketOps.UNAVAILABLE, BufferIO.write(io, 0, bs, 0, 2));
                assertEquals(0, bs[0].position() + bs[1].position());
            }
        }
    }

    @Test
    void aReadOnlyHeapSourceGoesThroughATemporaryBufferEvenWithArrayCalls() throws Exception {
        MemoryIo io = new MemoryIo(true, 1024);
        ByteBuffer src = heap("xyz").asReadOnlyBuffer().position(1);
        assertEquals(2, BufferIO.write(io, 0, src));
        assertEquals("yz", io.written());
        assertEquals(3, src.position());
    }

    @Test
    void aPartialHeapReadThroughATemporaryBufferFillsFromThePosition() throws Exception {
        MemoryIo io = new MemoryIo(false, 1024);
        io.feed("abcdef");
        io.perCall = 4;
        ByteBuffer dst = heap("........").position(2);
        assertEquals(4, BufferIO.read(io, 0, dst));
        assertEquals(6, dst.position());
        assertEquals("..abcd..", content(dst, 0, 8));
        assertEquals(List.of(6), io.asked);
    }

    @Test
    void aPartialGatheringWriteMovesEachPositionByWhatItGave() throws Exception {
        for (boolean isDirect : new boolean[] {true, false}) {
            MemoryIo io = new MemoryIo(false, 1024);
            io.perCall = 4;
            ByteBuffer[] srcs = isDirect
                    ? new ByteBuffer[] {direct("zz"), direct("abc"), direct(""), direct("de"), direct("fg"), direct("zz")}
                    : new ByteBuffer[] {heap("zz"), heap("abc"), heap(""), heap("de"), heap("fg"), heap("zz")};
            assertEquals(4, BufferIO.write(io, 0, srcs, 1, 4), "direct " + isDirect);
            assertEquals("abcd", io.written());
            assertEquals(List.of(7), io.asked, "the range's bytes offered in one call");
            int[] positions = new int[srcs.length];
            for (int i = 0; i < srcs.length; i++) positions[i] = srcs[i].position();
            assertArrayEquals(new int[] {0, 3, 0, 1, 0, 0}, positions, "direct " + isDirect);
            // the rest, then nothing left
            io.perCall = Integer.MAX_VALUE;
            assertEquals(3, BufferIO.write(io, 0, srcs, 1, 4));
            assertEquals("abcdefg", io.written());
            assertEquals(0, BufferIO.write(io, 0, srcs, 1, 4));
            assertEquals(0, srcs[0].position());
            assertEquals(0, srcs[5].position());
        }
    }

    @Test
    void aPartialScatteringReadFillsTheBuffersInOrder() throws Exception {
        for (boolean isDirect : new boolean[] {true, false}) {
            MemoryIo io = new MemoryIo(false, 1024);
            io.feed("abcdefgh");
            io.perCall = 6;
            ByteBuffer[] dsts = new ByteBuffer[5];
            for (int i = 0; i < dsts.length; i++) {
                dsts[i] = isDirect ? ByteBuffer.allocateDirect(3) : ByteBuffer.allocate(3);
            }
            dsts[1].position(1);
            assertEquals(6, BufferIO.read(io, 0, dsts, 1, 3), "direct " + isDirect);
            assertEquals(List.of(8), io.asked);
            int[] positions = new int[dsts.length];
            for (int i = 0; i < dsts.length; i++) positions[i] = dsts[i].position();
            assertArrayEquals(new int[] {0, 3, 3, 1, 0}, positions, "direct " + isDirect);
            assertEquals("ab", content(dsts[1], 1, 3));
            assertEquals("cde", content(dsts[2], 0, 3));
            assertEquals("f", content(dsts[3], 0, 1));
            assertEquals(2, BufferIO.read(io, 0, dsts, 1, 3));
            assertEquals("fgh", content(dsts[3], 0, 3));
            assertEquals(0, BufferIO.read(io, 0, dsts, 1, 3), "no room left in the range");
            assertEquals(0, dsts[4].position());
        }
    }

    @Test
    void theIovMaxCapCountsOnlyBuffersWithBytes() {
        ByteBuffer[] bufs = {heap("a"), heap(""), heap("b"), heap(""), heap("c"), heap("d")};
        assertEquals(3, BufferIO.iovLength(bufs, 0, 6, 2), "up to and including the 2nd non-empty");
        assertEquals(4, BufferIO.iovLength(bufs, 1, 5, 2), "counted from the offset");
        assertEquals(2, BufferIO.iovLength(bufs, 1, 2, 2), "fewer than the cap: the whole length");
        assertEquals(0, BufferIO.iovLength(bufs, 3, 0, 1));
    }

    @Test
    void aDatagramGatheredFromHeapBuffersGoesWholeOrNotAtAll() throws Exception {
        MemoryIo io = new MemoryIo(false, 1024);
        int max = TempBuffers.MAX_SIZE;
        ByteBuffer[] exact = {ByteBuffer.allocate(max - 10), ByteBuffer.allocate(10)};
        assertEquals(max, BufferIO.writeDatagram(io, 0, exact, 0, 2), "a datagram of the temporary buffer's size");
        assertEquals(max, io.output.size());
        ByteBuffer[] tooLong = {ByteBuffer.allocate(max - 10), ByteBuffer.allocate(11)};
        SocketException e = assertThrows(SocketException.class, () -> BufferIO.writeDatagram(io, 0, tooLong, 0, 2));
        assertEquals("Message too long", e.getMessage());
        assertEquals(0, tooLong[0].position() + tooLong[1].position(), "nothing moved");
        assertEquals(max, io.output.size(), "nothing sent");
        // a stream write of the same buffers takes what a temporary buffer holds
        assertEquals(max, BufferIO.write(io, 0, tooLong, 0, 2));
        assertEquals(max, tooLong[0].position() + tooLong[1].position());
    }

    /** A datagram socket in memory: sends are recorded, receives give {@code datagram}. */
    private static final class MemoryDatagrams {
        final List<String> sent = new ArrayList<>();
        final List<Object> targets = new ArrayList<>();
        byte[] datagram;
        boolean unavailable;
        final DatagramOps ops = (DatagramOps) Proxy.newProxyInstance(DatagramOps.class.getClassLoader(),
                new Class<?>[] {DatagramOps.class}, (proxy, m, args) -> {
                    switch (m.getName()) {
                        case "send":
                            targets.add(args[4]);
                            return record((Long) args[2], (Integer) args[3]);
                        case "write":
                            targets.add(null);
                            return record((Long) args[1], (Integer) args[2]);
                        case "receive": {
                            if (unavailable) return SocketOps.UNAVAILABLE;
                            int len = (Integer) args[2];
                            int k = Math.min(len, datagram.length);
                            new Pointer((Long) args[1]).write(0, datagram, 0, k);
                            return k;
                        }
                        default:
                            throw new UnsupportedOperationException(m.getName());
                    }
                });

        private Object record(long address, int length) {
            if (unavailable) return SocketOps.UNAVAILABLE;
            sent.add(new String(new Pointer(address).getByteArray(0, length), StandardCharsets.US_ASCII));
            return length;
        }
    }

    @Test
    void aDatagramIsSentWholeFromThePositionToTheTargetOrThePeer() throws Exception {
        MemoryDatagrams d = new MemoryDatagrams();
        SocketAddress to = new InetSocketAddress("127.0.0.1", 9);
        ByteBuffer h = heap("#abc").position(1);
        assertEquals(3, BufferIO.sendDatagram(d.ops, 0, 0, h, to));
        assertEquals(4, h.position());
        ByteBuffer dir = direct("#de").position(1);
        assertEquals(2, BufferIO.sendDatagram(d.ops, 0, 0, dir, null));
        assertEquals(3, dir.position());
        assertEquals(List.of("abc", "de"), d.sent);
        assertEquals(java.util.Arrays.asList(to, null), d.targets);

        d.unavailable = true;
        ByteBuffer again = heap("xy");
        assertEquals(SocketOps.UNAVAILABLE, BufferIO.sendDatagram(d.ops, 0, 0, again, to));
        assertEquals(0, again.position());
        d.unavailable = false;

        int max = TempBuffers.MAX_SIZE;
        ByteBuffer exact = ByteBuffer.allocate(max);
        assertEquals(max, BufferIO.sendDatagram(d.ops, 0, 0, exact, to), "a datagram of the temporary buffer's size");
        ByteBuffer tooLong = ByteBuffer.allocate(max + 1);
        assertEquals("Message too long",
                assertThrows(SocketException.class, () -> BufferIO.sendDatagram(d.ops, 0, 0, tooLong, to)).getMessage());
        assertEquals(0, tooLong.position());
    }

    @Test
    void aReceivedDatagramFillsFromThePositionAndItsExcessIsDiscarded() throws Exception {
        MemoryDatagrams d = new MemoryDatagrams();
        for (boolean isDirect : new boolean[] {true, false}) {
            d.datagram = "abcdef".getBytes(StandardCharsets.US_ASCII);
            ByteBuffer dst = isDirect ? ByteBuffer.allocateDirect(6) : ByteBuffer.allocate(6);
            dst.position(2);
            assertEquals(4, BufferIO.receiveDatagram(d.ops, 0, dst, false), "direct " + isDirect);
            assertEquals(6, dst.position());
            assertEquals("abcd", content(dst, 2, 6));
            assertTrue(BufferIO.receiveDatagram(d.ops, 0, dst, false) > 0, "a full buffer still consumes the datagram");
            assertEquals(6, dst.position(), "a full buffer takes nothing");

            d.unavailable = true;
            ByteBuffer none = isDirect ? ByteBuffer.allocateDirect(4) : ByteBuffer.allocate(4);
            assertEquals(SocketOps.UNAVAILABLE, BufferIO.receiveDatagram(d.ops, 0, none, true));
            assertEquals(0, none.position());
            d.unavailable = false;
        }
    }

    @Test
    void aDirectBufferMovesBytesAtItsPosition() throws Exception {
        MemoryIo io = new MemoryIo(false, 1024);
        io.feed("abc");
        ByteBuffer dst = ByteBuffer.allocateDirect(6).position(2);
        assertEquals(3, BufferIO.read(io, 0, dst));
        assertEquals(5, dst.position());
        assertEquals("\0\0abc\0", content(dst, 0, 6));
        ByteBuffer src = direct("##xyz").position(2);
        assertEquals(3, BufferIO.write(io, 0, src));
        assertEquals(5, src.position());
        assertEquals("xyz", io.written());
    }

    @Test
    void emptyBuffersTakeNoIovecAndTheCapStopsAtTheLastBufferItTook() throws Exception {
        MemoryIo io = new MemoryIo(false, 2);
        ByteBuffer[] srcs = {direct("a"), direct(""), direct("b"), direct("c")};
        assertEquals(2, BufferIO.write(io, 0, srcs, 0, 4));
        assertEquals("ab", io.written());
        io.feed("xyz");
        ByteBuffer[] dsts = {ByteBuffer.allocateDirect(0), ByteBuffer.allocateDirect(1), ByteBuffer.allocateDirect(0),
                ByteBuffer.allocateDirect(1), ByteBuffer.allocateDirect(1)};
        assertEquals(2, BufferIO.read(io, 0, dsts, 0, 5));
        assertEquals(List.of(2, 2), io.iovecs, "one iovec per buffer with bytes, at most iovMax");
        assertEquals(0, dsts[4].position());
    }

    @Test
    void aReadOnlyBufferInAScatteringReadIsRejectedBeforeReading() {
        MemoryIo io = new MemoryIo(false, 1024);
        io.feed("abc");
        for (ByteBuffer ro : new ByteBuffer[] {ByteBuffer.allocate(2).asReadOnlyBuffer(),
                ByteBuffer.allocateDirect(2).asReadOnlyBuffer()}) {
            ByteBuffer[] dsts = {ByteBuffer.allocateDirect(2), ro};
            assertThrows(IllegalArgumentException.class, () -> BufferIO.read(io, 0, dsts, 0, 2));
            assertThrows(IllegalArgumentException.class, () -> BufferIO.read(io, 0, ro));
        }
        assertEquals(List.of(), io.asked, "nothing read");
    }

    @Test
    void everyHeapPathGivesItsTemporaryBufferBack() throws Exception {
        // a thread holds a few temporary buffers: one kept per call would exhaust them within a few calls
        MemoryIo io = new MemoryIo(false, 1024);
        MemoryDatagrams d = new MemoryDatagrams();
        d.datagram = new byte[] {1, 2};
        for (int i = 0; i < 12; i++) {
            io.feed("abcd");
            assertEquals(2, BufferIO.read(io, 0, ByteBuffer.allocate(2)));
            assertEquals(2, BufferIO.write(io, 0, ByteBuffer.allocate(2)));
            assertEquals(2, BufferIO.read(io, 0, new ByteBuffer[] {ByteBuffer.allocate(2)}, 0, 1));
            assertEquals(2, BufferIO.write(io, 0, new ByteBuffer[] {ByteBuffer.allocate(2)}, 0, 1));
            assertEquals(2, BufferIO.writeDatagram(io, 0, new ByteBuffer[] {ByteBuffer.allocate(2)}, 0, 1));
            assertEquals(2, BufferIO.sendDatagram(d.ops, 0, 0, ByteBuffer.allocate(2), null));
            assertEquals(2, BufferIO.receiveDatagram(d.ops, 0, ByteBuffer.allocate(2), true));
        }
    }
}
