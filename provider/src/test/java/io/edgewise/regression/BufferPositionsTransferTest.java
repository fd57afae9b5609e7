package io.edgewise.regression;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgewise.conformance.ProviderTest;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import org.junit.jupiter.api.Timeout;

/**
 * Bytes land where the buffers' positions and the array's offset and length say, on the JDK's provider
 * and on Edgewise (found by mutation testing, scripts/mutation.sh channels: the suite's transfers start
 * at position 0 and use whole arrays): a direct buffer read or written from a position past 0, a
 * scattering read into direct buffers, a gathering write of part of an array (the buffers outside it
 * untouched), and the IOV_MAX cap counted from the offset over buffers that all have bytes.
 */
@Timeout(60)
class BufferPositionsTransferTest {
    private static final int IOV_MAX = 1024;

    private static ByteBuffer direct(String s, int pos) {
        ByteBuffer b = ByteBuffer.allocateDirect(pos + s.length());
        for (int i = 0; i < pos; i++) b.put((byte) '#');
        b.put(s.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        b.position(pos);
        return b;
    }

    private static byte[] readExactly(SocketChannel ch, int n) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) throw new AssertionError("EOF after " + b.position() + " of " + n);
        }
        return b.array();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    @ProviderTest
    void aDirectBufferIsReadAndWrittenFromItsPosition(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc)) {
            ByteBuffer src = direct("hello", 7);
            assertEquals(5, c.client.write(src));
            assertEquals(12, src.position());
            assertArrayEquals(ascii("hello"), readExactly(c.peer, 5));

            c.peer.write(ByteBuffer.wrap(ascii("world")));
            ByteBuffer dst = ByteBuffer.allocateDirect(16);
            dst.position(9);
            while (dst.position() < 14) c.client.read(dst);
            assertEquals(14, dst.position());
            byte[] got = new byte[16];
            dst.get(0, got);
            assertArrayEquals(new byte[9], java.util.Arrays.copyOf(got, 9), "nothing before the position written");
            assertArrayEquals(ascii("world"), java.util.Arrays.copyOfRange(got, 9, 14));
        }
    }

    @ProviderTest
    void aScatteringReadFillsDirectBuffersFromTheirPositionsWithinTheRange(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc)) {
            ByteBuffer outside = ByteBuffer.allocateDirect(4);
            ByteBuffer a = ByteBuffer.allocateDirect(5);
            a.position(2); // 3 bytes of room
            ByteBuffer empty = ByteBuffer.allocateDirect(0);
            ByteBuffer b = ByteBuffer.allocateDirect(4);
            ByteBuffer after = ByteBuffer.allocateDirect(4);
            ByteBuffer[] dsts = {outside, a, empty, b, after};
            Pair.send(c.peer, 7, (byte) 0);
            c.peer.write(ByteBuffer.wrap(ascii("abcdefghij"))); // 7 zero bytes already sent
            long n = 0;
            while (n < 7) n += c.client.read(dsts, 1, 3);
            assertEquals(7, n, "the range takes 7 bytes");
            assertEquals(0, outside.position(), "a buffer before the offset is untouched");
            assertEquals(0, after.position(), "a buffer past the length is untouched");
            assertEquals(5, a.position());
            assertEquals(4, b.position());
            // now the letters: the same buffers again from fresh positions
            a.position(2);
            b.clear();
            n = 0;
            while (n < 7) n += c.client.read(dsts, 1, 3);
            byte[] ga = new byte[3];
            a.get(2, ga);
            byte[] gb = new byte[4];
            b.get(0, gb);
            assertArrayEquals(ascii("abc"), ga);
            assertArrayEquals(ascii("defg"), gb);
            assertEquals(0, after.position());
        }
    }

    @ProviderTest
    void aGatheringWriteTakesOnlyTheRangeFromEachPosition(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc)) {
            for (boolean isDirect : new boolean[] {true, false}) {
                ByteBuffer[] srcs = isDirect
                        ? new ByteBuffer[] {direct("XX", 0), direct("ab", 3), direct("cde", 1), direct("YY", 0)}
                        : new ByteBuffer[] {ByteBuffer.wrap(ascii("XX")), ByteBuffer.wrap(ascii("###ab")).position(3),
                                ByteBuffer.wrap(ascii("#cde")).position(1), ByteBuffer.wrap(ascii("YY"))};
                assertEquals(5, c.client.write(srcs, 1, 2), "direct " + isDirect);
                assertArrayEquals(ascii("abcde"), readExactly(c.peer, 5), "direct " + isDirect);
                assertEquals(0, srcs[0].position());
                assertEquals(0, srcs[3].position());
            }
        }
    }

    @ProviderTest
    void theIovMaxCapCountsFromTheOffset(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc)) {
            for (boolean isDirect : new boolean[] {true, false}) {
                ByteBuffer[] bufs = new ByteBuffer[IOV_MAX + 50];
                for (int i = 0; i < bufs.length; i++) {
                    bufs[i] = isDirect ? ByteBuffer.allocateDirect(1) : ByteBuffer.allocate(1);
                    bufs[i].put(0, (byte) i);
                }
                // every buffer has a byte: the call takes IOV_MAX of them, starting at the offset
                assertEquals(IOV_MAX, c.client.write(bufs, 3, bufs.length - 3), "direct " + isDirect);
                assertEquals(0, bufs[2].position());
                assertEquals(1, bufs[3].position());
                assertEquals(1, bufs[3 + IOV_MAX - 1].position());
                assertEquals(0, bufs[3 + IOV_MAX].position());
                byte[] got = readExactly(c.peer, IOV_MAX);
                assertEquals((byte) 3, got[0]);
                assertEquals((byte) (3 + IOV_MAX - 1), got[IOV_MAX - 1]);
            }
        }
    }
}
