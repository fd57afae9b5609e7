package io.edgewise.modes;

import static java.nio.channels.SelectionKey.*;
import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.EdgeReader;
import io.edgewise.EdgewiseSelector;
import io.edgewise.Trigger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.AsynchronousCloseException;
import java.util.ArrayDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A small edge-triggered echo server (every key EDGE, reads drained through {@link EdgeReader},
 * writes queued on a full buffer and resumed on the write edge) passes 100 MB without stalling:
 * a lost edge would hang it and fail the deadline. The deadline is a watchdog that closes the client
 * channel, so it also ends a read or write blocked for good (checking it between blocking reads would not).
 */
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EdgeEchoTransferTest {
    private static final long DEADLINE_SECONDS = 120;
    private static final long TOTAL = 100L << 20;

    @Test
    void edgeTriggeredEchoPasses100MB() throws Exception {
        try (EdgewiseSelector sel = Loopback.selector();
             ServerSocketChannel server = Loopback.PROVIDER.openServerSocketChannel()) {
            sel.defaultTrigger(Trigger.EDGE);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            server.configureBlocking(false);
            server.register(sel, OP_ACCEPT);
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread loop = new Thread(() -> {
                try {
                    serve(sel, server);
                } catch (Throwable t) {
                    if (sel.isOpen()) failure.set(t);
                }
            }, "edge-echo");
            loop.start();

            CountDownLatch finished = new CountDownLatch(1);
            AtomicBoolean timedOut = new AtomicBoolean();
            try (SocketChannel c = Loopback.connect(server.getLocalAddress())) {
                Thread watchdog = new Thread(() -> {
                    try {
                        if (!finished.await(DEADLINE_SECONDS, TimeUnit.SECONDS)) {
                            timedOut.set(true);
                            c.close(); // ends the blocked read and write
                        }
                    } catch (InterruptedException | java.io.IOException ignore) {
                        // the test is over
                    }
                }, "deadline");
                watchdog.setDaemon(true);
                watchdog.start();
                CRC32 sent = new CRC32(), received = new CRC32();
                Thread writer = new Thread(() -> {
                    try {
                        ByteBuffer b = ByteBuffer.allocate(256 * 1024);
                        long left = TOTAL;
                        long seed = 1;
                        while (left > 0) {
                            b.clear();
                            int n = (int) Math.min(b.capacity(), left);
                            for (int i = 0; i < n; i++) { seed = seed * 6364136223846793005L + 1; b.put((byte) (seed >>> 56)); }
                            b.flip();
                            sent.update(b.duplicate());
                            while (b.hasRemaining()) c.write(b);
                            left -= n;
                        }
                    } catch (Exception e) {
                        failure.compareAndSet(null, e);
                    }
                }, "client-writer");
                writer.start();
                ByteBuffer in = ByteBuffer.allocateDirect(256 * 1024);
                long got = 0;
                try {
                    while (got < TOTAL && failure.get() == null) {
                        in.clear();
                        int n = c.read(in);
                        if (n < 0) break;
                        in.flip();
                        received.update(in);
                        got += n;
                    }
                } catch (AsynchronousCloseException e) {
                    assertFalse(timedOut.get(), "no progress within " + DEADLINE_SECONDS + " s (a lost edge?): "
                            + got + " of " + TOTAL + " bytes echoed");
                    throw e;
                }
                finished.countDown();
                writer.join(10_000);
                assertFalse(writer.isAlive(), "writer finished");
                assertNull(failure.get(), () -> "echo failed: " + failure.get());
                assertEquals(TOTAL, got, "bytes echoed");
                assertEquals(sent.getValue(), received.getValue(), "content echoed intact");
            } finally {
                finished.countDown();
                sel.close();
                loop.join(5_000);
            }
        }
    }

    /** Per connection: bytes read but not yet written back. */
    private static final class Conn {
        final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    }

    private static void serve(EdgewiseSelector sel, ServerSocketChannel server) throws Exception {
        EdgeReader reader = new EdgeReader(256 * 1024, (key, data) -> {
            Conn conn = (Conn) key.attachment();
            SocketChannel ch = (SocketChannel) key.channel();
            if (conn.pending.isEmpty()) ch.write(data);
            if (data.hasRemaining()) {
                ByteBuffer copy = ByteBuffer.allocate(data.remaining());
                copy.put(data).flip();
                conn.pending.addLast(copy);
            }
        });
        while (sel.isOpen()) {
            if (reader.hasBacklog()) sel.selectNow(); else sel.select();
            if (!sel.isOpen()) return;
            for (SelectionKey k : sel.selectedKeys()) {
                if (!k.isValid()) continue;
                if (k.isAcceptable()) {
                    SocketChannel ch;
                    while ((ch = server.accept()) != null) { // edge: accept all
                        ch.configureBlocking(false);
                        ch.register(sel, OP_READ | OP_WRITE, new Conn());
                    }
                    continue;
                }
                if (k.isWritable()) flush(k);
                if (k.isReadable()) {
                    if (reader.read(k) == EdgeReader.Result.END_OF_STREAM) {
                        k.channel().close();
                    }
                }
            }
            sel.selectedKeys().clear();
            reader.serveBacklog();
        }
    }

    private static void flush(SelectionKey k) throws Exception {
        Conn conn = (Conn) k.attachment();
        SocketChannel ch = (SocketChannel) k.channel();
        while (!conn.pending.isEmpty()) {
            ByteBuffer b = conn.pending.peekFirst();
            ch.write(b);
            if (b.hasRemaining()) return; // full: the next write edge resumes
            conn.pending.pollFirst();
        }
    }
}
