package io.edgewise.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.sys.Platform;
import io.edgewise.testing.OpenDescriptors;
import io.edgewise.testing.PatternBytes;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link LeftoverDrain} on its own, over whichever backend the run uses (its room waits go through that
 * backend's output ReadyPoller): bytes handed to it after the socket filled up reach the peer in order and
 * then the FIN, its use of the descriptor defers the closed channel's real close until then, and a peer that
 * takes nothing ends it after the stall limit.
 */
@Timeout(60)
class LeftoverDrainTest {
    private static final EdgewiseSelectorProvider P = new EdgewiseSelectorProvider();

    private static byte pattern(long at) {
        return PatternBytes.at(at);
    }

    /** A connected non-blocking Edgewise channel whose JDK peer has a small receive buffer and reads nothing yet. */
    private static final class Conn implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        final SocketChannel ch;
        final Socket peer;

        Conn() throws Exception {
            server.setReceiveBufferSize(8192); // inherited by the accepted peer
            ch = P.openSocketChannel();
            ch.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()));
            peer = server.accept();
            peer.setSoTimeout(30_000);
            ch.configureBlocking(false);
        }

        StreamSocketChannel stream() {
            return (StreamSocketChannel) ch;
        }

        /** Writes the pattern until the socket takes no more; returns the count. */
        long fill() throws Exception {
            ByteBuffer b = ByteBuffer.allocateDirect(16384);
            long at = 0;
            while (true) {
                b.clear();
                for (int i = 0; i < b.limit(); i++) b.put(i, pattern(at + i));
                int n = ch.write(b);
                if (n == 0) return at;
                at += n;
            }
        }

        /** Starts a drain of the pattern from {@code at}, {@code len} bytes, with its own use of the descriptor. */
        void drain(long at, int len, int stallSeconds) throws Exception {
            byte[] a = new byte[len];
            for (int i = 0; i < len; i++) a[i] = pattern(at + i);
            StreamSocketChannel s = stream();
            int f = s.fd.acquire();
            LeftoverDrain.start(s.fd, f, s.ops, Platform.streamIo(), ByteBuffer.wrap(a), stallSeconds);
        }

        @Override
        public void close() throws Exception {
            ch.close();
            peer.close();
            server.close();
        }
    }

    private static String link(int fd) {
        return OpenDescriptors.target(fd);
    }

    private static CompletableFuture<Long> readToEof(Socket peer) {
        return PatternBytes.readToEof(peer);
    }

    private static void assumeProcFd() {
        Assumptions.assumeTrue(Files.isDirectory(Path.of("/proc/self/fd")), "needs /proc/self/fd");
    }

    @Test
    void theBytesThenTheFinReachThePeerAndTheCloseWaitsForThem() throws Exception {
        assumeProcFd();
        try (Conn c = new Conn()) {
            long filled = c.fill();
            c.drain(filled, 200_000, LeftoverDrain.STALL_SECONDS); // the socket is full: it waits for room
            int fd = c.stream().fdVal();
            String before = link(fd);
            c.ch.close();
            assertEquals(before, link(fd), "the drain's use keeps the number the socket's after close");
            assertEquals(filled + 200_000, readToEof(c.peer).get(30, TimeUnit.SECONDS), "every byte in order, then EOF");
            assertNotEquals(before, OpenDescriptors.awaitNotTarget(fd, before, 10), "closed once the drain ended");
        }
    }

    @Test
    void aPeerThatTakesNothingEndsTheDrainAfterTheStallLimit() throws Exception {
        assumeProcFd();
        try (Conn c = new Conn()) {
            long filled = c.fill();
            c.drain(filled, 200_000, 1);
            int fd = c.stream().fdVal();
            String before = link(fd);
            c.ch.close();
            assertNotEquals(before, OpenDescriptors.awaitNotTarget(fd, before, 20),
                    "the drain gave up and its use ended: the number is closed");
            long got = readToEof(c.peer).get(30, TimeUnit.SECONDS);
            assertTrue(got >= filled && got < filled + 200_000, "what the kernel held, then EOF: " + got);
        }
    }
}
