package io.edgewise.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.Arrays;
import java.util.Locale;

/**
 * What one data call costs on this machine: a non-blocking {@code SocketChannel.read} on an empty loopback
 * connection through the harness JVM's provider (the JDK's: scripts/bench.sh sets it), that is the channel
 * code, JNI and a {@code read(2)} that returns EAGAIN. Level 2 of the io_uring backend wins by removing such
 * calls, so its ratios to the JDK rise with this price (docs/io_uring.md, "Where system calls are dear");
 * the report prints it, taken at the start and at the end of a run, so that a result says which kind of
 * machine it came from.
 */
final class CallPrice {
    private static final int WARM_UP_CALLS = 50_000;
    private static final int BATCHES = 200;
    private static final int CALLS_PER_BATCH = 1_000;

    private CallPrice() {
    }

    /** The median over batches of the mean time per empty read, in nanoseconds. */
    static double emptyReadNanos() throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(any);
             SocketChannel client = SocketChannel.open(server.getLocalAddress());
             SocketChannel peer = server.accept()) {
            client.configureBlocking(false);
            ByteBuffer buf = ByteBuffer.allocateDirect(64);
            for (int i = 0; i < WARM_UP_CALLS; i++) {
                readNothing(client, buf);
            }
            double[] perCall = new double[BATCHES];
            for (int b = 0; b < BATCHES; b++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < CALLS_PER_BATCH; i++) {
                    readNothing(client, buf);
                }
                perCall[b] = (System.nanoTime() - t0) / (double) CALLS_PER_BATCH;
            }
            Arrays.sort(perCall);
            return perCall[BATCHES / 2];
        }
    }

    /** The price as the report shows it, or why it could not be taken. */
    static String describe() {
        try {
            return String.format(Locale.ROOT, "%.0f ns", emptyReadNanos());
        } catch (IOException | RuntimeException e) {
            return "not measured (" + e + ")";
        }
    }

    /** The report's row name; names the provider when it is not the JDK's. */
    static String rowName() {
        return rowName(SelectorProvider.provider().getClass().getName());
    }

    static String rowName(String provider) {
        String by = provider.startsWith("sun.nio.ch.") ? "the JDK's provider" : provider;
        return "Price of a data call (empty non-blocking read through " + by + "), start / end of the run";
    }

    private static void readNothing(SocketChannel ch, ByteBuffer buf) throws IOException {
        int n = ch.read(buf);
        if (n != 0) {
            throw new IllegalStateException("read " + n + " on a connection nobody writes to");
        }
    }
}
