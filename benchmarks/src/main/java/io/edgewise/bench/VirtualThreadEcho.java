package io.edgewise.bench;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Blocking echo on virtual threads (JDK 21+): {@code pairs} client virtual threads, each with one loopback
 * TCP connection to a server virtual thread that echoes; one {@code size}-byte message in flight per
 * connection, so nearly every read parks its thread on the provider's ready poller (issue #21: does an
 * io_uring ready poller pay for virtual-thread parking?). Runs on the default provider, so the same class
 * measures the JDK, Edgewise on epoll, and Edgewise on io_uring with either ready poller:
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -Djava.nio.channels.spi.SelectorProvider=io.edgewise.EdgewiseSelectorProvider \
 *   -Dio.edgewise.backend=io_uring [-Dio.edgewise.uring.readyPoller=epoll] \
 *   -cp CLASSPATH io.edgewise.bench.VirtualThreadEcho [pairs=200] [size=64] [warmupMs=2000] [windowMs=3000] [rounds=3]
 * </pre>
 * Prints round trips per second and process CPU per round trip for each measured window. With {@code messages=N} instead it runs N round
 * trips per connection and exits (for {@code strace -f -c}: system calls per round trip = counts / (pairs × N)).
 */
public final class VirtualThreadEcho {
    private VirtualThreadEcho() { }

    public static void main(String[] args) throws Exception {
        int pairs = 200, size = 64, rounds = 3;
        long warmupMs = 2000, windowMs = 3000, messages = 0;
        for (String a : args) {
            String[] kv = a.split("=", 2);
            switch (kv[0]) {
                case "pairs": pairs = Integer.parseInt(kv[1]); break;
                case "size": size = Integer.parseInt(kv[1]); break;
                case "warmupMs": warmupMs = Long.parseLong(kv[1]); break;
                case "windowMs": windowMs = Long.parseLong(kv[1]); break;
                case "rounds": rounds = Integer.parseInt(kv[1]); break;
                case "messages": messages = Long.parseLong(kv[1]); break;
                default: throw new IllegalArgumentException("unknown argument " + a);
            }
        }
        ExecutorService vts = (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        SelectorProvider p = SelectorProvider.provider();
        LongAdder trips = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        List<SocketChannel> all = new ArrayList<>();
        try (ServerSocketChannel server = p.openServerSocketChannel()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
            for (int i = 0; i < pairs; i++) {
                SocketChannel c = p.openSocketChannel();
                c.connect(server.getLocalAddress());
                SocketChannel s = server.accept();
                c.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                s.setOption(java.net.StandardSocketOptions.TCP_NODELAY, true);
                all.add(c);
                all.add(s);
                int sz = size;
                long n = messages;
                vts.submit(() -> echo(s, sz));
                vts.submit(() -> ping(c, sz, n, trips, stop));
            }
            if (messages > 0) {
                vts.shutdown();
                long deadline = System.nanoTime() + 600_000_000_000L;
                while (trips.sum() < pairs * messages && System.nanoTime() < deadline) {
                    Thread.sleep(10); // progress check of a fixed-size run, not synchronisation
                }
                System.out.printf(Locale.ROOT, "round trips %d (pairs %d x %d)%n", trips.sum(), pairs, messages);
            } else {
                Thread.sleep(warmupMs);
                for (int r = 0; r < rounds; r++) {
                    long t0 = System.nanoTime(), n0 = trips.sum(), c0 = cpuNanos();
                    Thread.sleep(windowMs);
                    long n1 = trips.sum(), t1 = System.nanoTime(), c1 = cpuNanos();
                    System.out.printf(Locale.ROOT, "round %d: %.0f round trips/s %.2f us CPU per round trip%n", r,
                            (n1 - n0) * 1e9 / (t1 - t0), (c1 - c0) / 1e3 / Math.max(1, n1 - n0));
                }
            }
            stop.set(true);
            for (SocketChannel ch : all) ch.close();
        }
        System.exit(0);
    }

    /** CPU time of the whole process (every thread, kernel and user). */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static Void echo(SocketChannel s, int size) {
        ByteBuffer b = ByteBuffer.allocateDirect(size);
        try {
            for (;;) {
                b.clear();
                while (b.hasRemaining()) {
                    if (s.read(b) < 0) return null;
                }
                b.flip();
                while (b.hasRemaining()) s.write(b);
            }
        } catch (IOException e) {
            return null; // closed at the end
        }
    }

    private static Void ping(SocketChannel c, int size, long messages, LongAdder trips, AtomicBoolean stop) {
        ByteBuffer out = ByteBuffer.allocateDirect(size), in = ByteBuffer.allocateDirect(size);
        try {
            for (long i = 0; (messages == 0 || i < messages) && !stop.get(); i++) {
                out.clear();
                while (out.hasRemaining()) c.write(out);
                in.clear();
                while (in.hasRemaining()) {
                    if (c.read(in) < 0) return null;
                }
                trips.increment();
            }
        } catch (IOException e) {
            // closed at the end
        }
        return null;
    }
}
