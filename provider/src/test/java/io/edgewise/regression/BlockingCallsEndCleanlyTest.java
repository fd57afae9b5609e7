package io.edgewise.regression;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.conformance.ProviderTest;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Whatever way a blocking call on a stream channel ends — with bytes, at end of stream, with an
 * exception, through the socket adaptor's timeout — it leaves nothing behind, on the JDK's provider
 * and on Edgewise (found by mutation testing, scripts/mutation.sh channels: each way out runs its own
 * copy of the call's cleanup): its locks are free for another thread (configureBlocking takes both),
 * and the thread's interrupt hook is gone, so a later interrupt of the thread leaves the channel open.
 */
@Timeout(60)
class BlockingCallsEndCleanlyTest {

    /** The call left no lock held and no interrupt hook installed on this thread. */
    private static void assertEndedCleanly(SocketChannel c, String what) throws Exception {
        CompletableFuture<Void> other = CompletableFuture.runAsync(() -> {
            try {
                c.configureBlocking(false);
                c.configureBlocking(true);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        other.get(10, TimeUnit.SECONDS); // a lock kept by the call would make this wait
        // from another thread: only such an interrupt runs a blocked thread's channel hook
        Thread me = Thread.currentThread();
        Thread interrupter = new Thread(me::interrupt);
        interrupter.start();
        while (interrupter.isAlive()) {
            try {
                interrupter.join();
            } catch (InterruptedException expected) {
                // the interrupt it was sent to make
            }
        }
        boolean open = c.isOpen();
        Thread.interrupted();
        assertTrue(open, what + ": a later interrupt closed the channel");
    }

    @ProviderTest
    void blockingReadsAndWritesThatMovedBytes(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc)) {
            assertEndedCleanly(c.client, "blocking connect");
            Pair.send(c.peer, 3, (byte) 1);
            assertEquals(3, readFully(c.client, 3));
            assertEndedCleanly(c.client, "read");
            Pair.send(c.peer, 2, (byte) 1);
            long n = 0;
            while (n < 2) n += c.client.read(new ByteBuffer[] {ByteBuffer.allocate(1), ByteBuffer.allocate(1)});
            assertEndedCleanly(c.client, "scattering read");
            assertEquals(4, c.client.write(ByteBuffer.allocate(4)));
            assertEndedCleanly(c.client, "write");
            assertEquals(2, c.client.write(new ByteBuffer[] {ByteBuffer.allocate(1), ByteBuffer.allocate(1)}));
            assertEndedCleanly(c.client, "gathering write");
        }
    }

    private static int readFully(SocketChannel ch, int n) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(n);
        while (b.hasRemaining()) {
            if (ch.read(b) < 0) break;
        }
        return b.position();
    }

    @ProviderTest
    void blockingCallsAfterAShutdown(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc)) {
            c.client.shutdownInput();
            assertEquals(-1, c.client.read(ByteBuffer.allocate(1)));
            assertEndedCleanly(c.client, "read after shutdownInput");
            c.client.shutdownOutput();
            assertThrows(ClosedChannelException.class, () -> c.client.write(ByteBuffer.allocate(1)));
            assertEndedCleanly(c.client, "write after shutdownOutput");
        }
    }

    @ProviderTest
    void aBlockingReadThatFailsOrTimesOut(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Pair.listen(p); Pair c = Pair.open(p, ssc)) {
            c.client.socket().setSoTimeout(50);
            InputStream in = c.client.socket().getInputStream();
            assertThrows(SocketTimeoutException.class, in::read);
            assertEndedCleanly(c.client, "adaptor read timed out");
            c.peer.setOption(StandardSocketOptions.SO_LINGER, 0);
            c.peer.close(); // a reset
            assertThrows(SocketException.class, () -> {
                while (true) c.client.read(ByteBuffer.allocate(1));
            });
            assertEndedCleanly(c.client, "reset read");
        }
    }
}
