package io.edgewise.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Timeout;

/**
 * Deferred close: the kernel reuses a descriptor number as soon as it is closed, so a thread still
 * reading or writing a closed channel must never touch the connection that got its number. A victim
 * connection is written and read by other threads while it is closed, and new connections are opened
 * at once (taking the freed numbers); every new connection must carry exactly its own bytes and the
 * victim threads must never see a byte of the new connections.
 *
 * <p>Concurrency: per round, {@code stolen} (AtomicLong) and {@code errors} (concurrent queue) are
 * written by the victim threads and read by the test thread after joining them (the latch and
 * {@link Thread#join} order those accesses).
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DeferredCloseStressTest {
    private static final int ROUNDS = 150;
    private static final long MAX_NANOS = 4_000_000_000L;
    private static final int NEW_CONNECTIONS = 4;
    private static final int PAYLOAD = 64;
    private static final byte VICTIM = 'V';

    @ProviderTest
    void blockingReadWriteRacingClose(SelectorProvider p) throws Exception {
        run(p, false);
    }

    @ProviderTest
    void nonBlockingRegisteredReadWriteRacingClose(SelectorProvider p) throws Exception {
        run(p, true);
    }

    private static void run(SelectorProvider p, boolean nonBlocking) throws Exception {
        try (ServerSocketChannel ssc = Net.listen(p, StandardProtocolFamily.INET, 256);
             Selector sel = p.openSelector()) {
            InetSocketAddress addr = Net.local(ssc);
            long start = System.nanoTime();
            int rounds = 0;
            while (rounds < ROUNDS && System.nanoTime() - start < MAX_NANOS) {
                round(p, ssc, addr, sel, nonBlocking, rounds);
                rounds++;
            }
            assertTrue(rounds >= 10, "at least 10 rounds ran: " + rounds);
        }
    }

    private static void round(SelectorProvider p, ServerSocketChannel ssc, InetSocketAddress addr, Selector sel,
                              boolean nonBlocking, int round) throws Exception {
        Net.Conn victim = Net.connect(p, StandardProtocolFamily.INET, ssc);
        AtomicLong stolen = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        CountDownLatch started = new CountDownLatch(3);
        SocketChannel v = victim.client;
        if (nonBlocking) {
            v.configureBlocking(false);
            v.register(sel, SelectionKey.OP_READ | SelectionKey.OP_WRITE);
        }
        // victim writer: writes 'V' until the channel is closed
        Thread writer = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocate(512);
            Arrays.fill(b.array(), VICTIM);
            started.countDown();
            try {
                while (true) {
                    b.clear();
                    if (v.write(b) == 0) {
                        LockSupport.parkNanos(20_000);   // non-blocking and full: back off, don't starve the test thread
                    }
                }
            } catch (ClosedChannelException expected) {
                // includes AsynchronousCloseException
            } catch (IOException e) {
                errors.add(e);
            }
        }, "victim-writer");
        // victim reader: its peer never writes, so any byte it reads belongs to someone else
        Thread reader = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocateDirect(512);
            started.countDown();
            try {
                while (true) {
                    b.clear();
                    int n = v.read(b);
                    if (n > 0) {
                        stolen.addAndGet(n);
                    } else if (n == 0) {
                        LockSupport.parkNanos(20_000);   // non-blocking, nothing to read: back off
                    } else {
                        errors.add(new AssertionError("victim saw EOF; its peer never closed"));
                        return;
                    }
                }
            } catch (ClosedChannelException expected) {
                // closed under us
            } catch (IOException e) {
                errors.add(e);
            }
        }, "victim-reader");
        // victim peer drains so the writer keeps issuing writes; checks it only sees 'V'
        SocketChannel vPeer = victim.server;
        Thread drain = new Thread(() -> {
            ByteBuffer b = ByteBuffer.allocate(8192);
            started.countDown();
            try {
                int n;
                while ((n = vPeer.read(b.clear())) >= 0) {
                    for (int i = 0; i < n; i++) {
                        if (b.get(i) != VICTIM) {
                            errors.add(new AssertionError("victim's peer received a foreign byte " + b.get(i)));
                            return;
                        }
                    }
                }
            } catch (IOException e) {
                // reset when the victim closes with unread data: fine
            }
        }, "victim-drain");
        for (Thread t : List.of(writer, reader, drain)) {
            t.setDaemon(true);
            t.start();
        }
        started.await(5, TimeUnit.SECONDS);
        if (round % 2 == 1) {
            Thread.onSpinWait();   // vary the interleaving a little
        }
        v.close();
        if (nonBlocking && round % 3 == 0) {
            sel.selectNow();   // let the selector flush the cancelled key (the deferred close may complete here)
        }
        // new connections take the freed descriptor numbers at once
        List<Net.Conn> fresh = new ArrayList<>();
        try {
            for (int i = 0; i < NEW_CONNECTIONS; i++) {
                fresh.add(Net.connect(p, StandardProtocolFamily.INET, ssc));
            }
            for (int i = 0; i < fresh.size(); i++) {
                exchange(fresh.get(i), (byte) ('a' + i), (byte) ('A' + i));
            }
        } finally {
            for (Net.Conn c : fresh) {
                c.close();
            }
            writer.join(5_000);
            reader.join(5_000);
            vPeer.close();
            drain.join(5_000);
            victim.close();
            sel.selectNow();
        }
        assertEquals(0, stolen.get(), "victim reader read bytes after close (round " + round + ")");
        if (!errors.isEmpty()) {
            AssertionError e = new AssertionError("round " + round + ": " + errors.peek());
            errors.forEach(e::addSuppressed);
            throw e;
        }
        assertTrue(!writer.isAlive() && !reader.isAlive(), "victim threads ended after close");
    }

    /** Each side sends PAYLOAD bytes of its own mark then shuts output; each must receive exactly the other's. */
    private static void exchange(Net.Conn c, byte clientMark, byte serverMark) throws Exception {
        c.client.socket().setSoTimeout(5_000);
        c.server.socket().setSoTimeout(5_000);
        byte[] cm = new byte[PAYLOAD];
        byte[] sm = new byte[PAYLOAD];
        Arrays.fill(cm, clientMark);
        Arrays.fill(sm, serverMark);
        OutputStream co = c.client.socket().getOutputStream();
        OutputStream so = c.server.socket().getOutputStream();
        co.write(cm);
        c.client.shutdownOutput();
        so.write(sm);
        c.server.shutdownOutput();
        assertEquals(new String(cm), new String(readAll(c.server.socket().getInputStream())),
                "server side of a new connection got exactly the client's bytes");
        assertEquals(new String(sm), new String(readAll(c.client.socket().getInputStream())),
                "client side of a new connection got exactly the server's bytes");
    }

    private static byte[] readAll(InputStream in) throws IOException {
        byte[] buf = new byte[4 * PAYLOAD];
        int n = 0;
        int r;
        while (n < buf.length && (r = in.read(buf, n, buf.length - n)) >= 0) {
            n += r;
        }
        return Arrays.copyOf(buf, n);
    }
}
