package io.edgewise.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * One benchmark JVM: a Netty echo server and client in this process, both on the variant's transport.
 *
 * <pre>
 * EchoWorker echo VARIANT [--conns 8] [--window 16] [--sizes 64,16384] [--warmup-ms 1000] [--measure-ms 2000]
 *                         [--pp-conns 4] [--pp-warmup-ms 1000] [--pp-measure-ms 2000]
 * EchoWorker syscalls VARIANT [--conns 8] [--window 16] [--size 64] [--count 100000] [--warmup-ms 1000]
 * </pre>
 * Output lines for the harness: {@code PROVIDER}, {@code TRANSPORT}, {@code RESULT ...}; in {@code syscalls}
 * mode it prints {@code READY pid=...}, waits for {@code GO} on stdin, runs exactly {@code count} messages
 * per connection, prints {@code DONE msgs=...} and waits for {@code EXIT}.
 */
public final class EchoWorker {
    private EchoWorker() { }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        String mode = a.positional.get(0);
        Variant v = Variant.parse(a.positional.get(1));
        Transport t = new Transport(v);
        t.announceAndCheck();
        if (mode.equals("probe")) {
            System.exit(0);
        }
        int exit = 0;
        try (EchoServer server = new EchoServer(t, 1)) {
            EventLoopGroup clientGroup = t.group(1);
            try {
                if (mode.equals("echo")) {
                    for (int size : a.ints("sizes", "64,16384")) {
                        throughput(t, clientGroup, server.port(), size, a.i("conns", 8), a.i("window", 16),
                                a.l("warmup-ms", 1000), a.l("measure-ms", 2000));
                    }
                    pingPong(t, clientGroup, server.port(), a.i("pp-conns", 4),
                            a.l("pp-warmup-ms", 1000), a.l("pp-measure-ms", 2000));
                } else if (mode.equals("serve")) {
                    serve(t, clientGroup, server.port(), a.i("conns", 8), a.i("window", 16), a.i("pp-conns", 4));
                } else if (mode.equals("syscalls")) {
                    syscalls(t, clientGroup, server.port(), a.i("size", 64), a.i("conns", 8), a.i("window", 16),
                            a.l("count", 100_000), a.l("warmup-ms", 1000));
                } else {
                    throw new IllegalArgumentException("unknown mode " + mode);
                }
            } finally {
                clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
            }
        } catch (Throwable e) {
            System.out.println("ERROR " + e);
            e.printStackTrace(System.out);
            exit = 1;
        }
        System.out.flush();
        // event loop threads are non-daemon in Netty; exit explicitly
        System.exit(exit);
    }

    private static List<EchoClientHandler> connect(Transport t, EventLoopGroup group, int port, int conns,
                                                   int size, int window) throws InterruptedException {
        ByteBuf payload = Unpooled.unreleasableBuffer(Unpooled.directBuffer(size).writeZero(size));
        List<EchoClientHandler> hs = new ArrayList<>();
        Bootstrap b = new Bootstrap().group(group).channel(t.clientChannel())
                .option(ChannelOption.TCP_NODELAY, true);
        for (int i = 0; i < conns; i++) {
            EchoClientHandler h = new EchoClientHandler(payload, size, window);
            b.handler(h).connect("127.0.0.1", port).sync();
            if (!h.active.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("connection " + i + " never became active");
            }
            hs.add(h);
        }
        return hs;
    }

    private static void close(List<EchoClientHandler> hs) {
        // channels close with the group; nothing per-connection to do besides checking failures
        for (EchoClientHandler h : hs) {
            if (h.failure != null) {
                throw new IllegalStateException("connection failed", h.failure);
            }
        }
    }

    private static long received(List<EchoClientHandler> hs) {
        long s = 0;
        for (EchoClientHandler h : hs) {
            s += h.received;
        }
        return s;
    }

    /** Stops all senders and waits (bounded) until every in-flight message came back. */
    private static void quiesce(List<EchoClientHandler> hs) throws InterruptedException {
        for (EchoClientHandler h : hs) {
            h.stop();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (EchoClientHandler h : hs) {
            while (h.sent != h.received) {
                if (h.failure != null) {
                    throw new IllegalStateException("connection failed", h.failure);
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("echo did not drain: sent=" + h.sent + " received=" + h.received);
                }
                Thread.sleep(1);
            }
        }
    }

    private static void throughput(Transport t, EventLoopGroup g, int port, int size, int conns, int window,
                                   long warmupMs, long measureMs) throws InterruptedException {
        List<EchoClientHandler> hs = connect(t, g, port, conns, size, window);
        throughputWindow(hs, size, conns, window, warmupMs, measureMs);
    }

    private static void throughputWindow(List<EchoClientHandler> hs, int size, int conns, int window,
                                         long warmupMs, long measureMs) throws InterruptedException {
        for (EchoClientHandler h : hs) {
            h.start(Long.MAX_VALUE);
        }
        Thread.sleep(warmupMs);
        long r0 = received(hs);
        long c0 = cpuNanos();
        long[] k0 = userSysTicks();
        long t0 = System.nanoTime();
        Thread.sleep(measureMs);
        long r1 = received(hs);
        long c1 = cpuNanos();
        long[] k1 = userSysTicks();
        long t1 = System.nanoTime();
        long user = k1[0] - k0[0];
        long sys = k1[1] - k0[1];
        quiesce(hs);
        close(hs);
        double secs = (t1 - t0) / 1e9;
        double msgs = (r1 - r0) / secs;
        System.out.printf(Locale.ROOT, "RESULT echo size=%d conns=%d window=%d msgs=%d secs=%.3f msgsPerSec=%.1f mbPerSec=%.3f"
                        + " cpuUsPerMsg=%.4f kernelShare=%.3f%n",
                size, conns, window, r1 - r0, secs, msgs, msgs * size / 1e6, (c1 - c0) / 1e3 / (r1 - r0),
                user + sys > 0 ? (double) sys / (user + sys) : Double.NaN);
        System.out.flush();
    }

    private static void pingPong(Transport t, EventLoopGroup g, int port, int conns, long warmupMs, long measureMs)
            throws InterruptedException {
        List<EchoClientHandler> hs = connect(t, g, port, conns, 64, 1);
        pingPongWindow(hs, conns, warmupMs, measureMs);
    }

    private static void pingPongWindow(List<EchoClientHandler> hs, int conns, long warmupMs, long measureMs)
            throws InterruptedException {
        for (EchoClientHandler h : hs) {
            h.start(Long.MAX_VALUE);
        }
        Thread.sleep(warmupMs);
        int cap = (int) Math.min(8_000_000L, Math.max(100_000L, measureMs * 200L)); // up to 200k rtt/s/conn
        long r0 = received(hs);
        long c0 = cpuNanos();
        for (EchoClientHandler h : hs) {
            h.recordLatency(cap);
        }
        Thread.sleep(measureMs);
        for (EchoClientHandler h : hs) {
            h.recordLatency(0);
        }
        long r1 = received(hs);
        long c1 = cpuNanos();
        quiesce(hs);
        close(hs);
        int total = 0;
        List<int[]> all = new ArrayList<>();
        for (EchoClientHandler h : hs) {
            int[] s = h.latencies();
            all.add(s);
            total += s.length;
        }
        long[] merged = new long[total];
        int k = 0;
        for (int[] s : all) {
            for (int x : s) {
                merged[k++] = x;
            }
        }
        Arrays.sort(merged);
        System.out.printf(Locale.ROOT, "RESULT pingpong conns=%d n=%d rttPerSec=%.1f p50us=%.2f p99us=%.2f p999us=%.2f"
                        + " cpuUsPerRtt=%.3f%n",
                conns, total, total / (measureMs / 1000.0), Stats.percentile(merged, 50) / 1e3,
                Stats.percentile(merged, 99) / 1e3, Stats.percentile(merged, 99.9) / 1e3,
                (c1 - c0) / 1e3 / Math.max(1, r1 - r0));
        System.out.flush();
    }

    /**
     * Interleaving mode: connects one set of connections per test up front, prints {@code READY}, then runs
     * one measurement window per stdin command, so that the harness can alternate short windows between
     * the variants' JVMs (all alive at once, only one sending at a time):
     * {@code TPUT <size> <rampMs> <measureMs>}, {@code PP <rampMs> <measureMs>}, {@code EXIT}.
     */
    private static void serve(Transport t, EventLoopGroup g, int port, int conns, int window, int ppConns)
            throws Exception {
        java.util.Map<Integer, List<EchoClientHandler>> sets = new java.util.HashMap<>();
        List<EchoClientHandler> pp = connect(t, g, port, ppConns, 64, 1);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("READY pid=" + ProcessHandle.current().pid());
        System.out.flush();
        String line;
        while ((line = in.readLine()) != null) {
            String[] c = line.trim().split("\\s+");
            if (c[0].equals("EXIT")) {
                return;
            } else if (c[0].equals("TPUT")) {
                int size = Integer.parseInt(c[1]);
                List<EchoClientHandler> hs = sets.get(size);
                if (hs == null) {
                    hs = connect(t, g, port, conns, size, window);
                    sets.put(size, hs);
                }
                throughputWindow(hs, size, conns, window, Long.parseLong(c[2]), Long.parseLong(c[3]));
            } else if (c[0].equals("PP")) {
                pingPongWindow(pp, ppConns, Long.parseLong(c[1]), Long.parseLong(c[2]));
            } else {
                throw new IllegalArgumentException("unknown command " + line);
            }
        }
        throw new java.io.EOFException("stdin closed without EXIT");
    }

    private static void syscalls(Transport t, EventLoopGroup g, int port, int size, int conns, int window,
                                 long count, long warmupMs) throws Exception {
        List<EchoClientHandler> hs = connect(t, g, port, conns, size, window);
        for (EchoClientHandler h : hs) {
            h.start(Long.MAX_VALUE);
        }
        Thread.sleep(warmupMs);
        quiesce(hs);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        System.out.println("READY pid=" + ProcessHandle.current().pid());
        System.out.flush();
        expect(in, "GO");
        long r0 = received(hs);
        long t0 = System.nanoTime();
        for (EchoClientHandler h : hs) {
            h.start(count);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (received(hs) - r0 < count * conns) {
            for (EchoClientHandler h : hs) {
                if (h.failure != null) {
                    throw new IllegalStateException("connection failed", h.failure);
                }
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("syscall run did not finish");
            }
            Thread.sleep(2);
        }
        long t1 = System.nanoTime();
        System.out.printf(Locale.ROOT, "DONE msgs=%d size=%d secs=%.3f%n", received(hs) - r0, size, (t1 - t0) / 1e9);
        System.out.flush();
        expect(in, "EXIT");
        close(hs);
    }

    /** CPU time of this whole JVM (all threads, incl. JIT and GC), ns. */
    static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** {utime, stime} of this process in clock ticks, from /proc/self/stat (zeros if unreadable). */
    static long[] userSysTicks() {
        try {
            String st = java.nio.file.Files.readString(java.nio.file.Paths.get("/proc/self/stat"));
            String[] f = st.substring(st.lastIndexOf(')') + 2).split(" ");
            // after "pid (comm) ": state is f[0]; utime and stime are fields 14 and 15 of the full line
            return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
        } catch (Exception e) {
            return new long[] {0, 0};
        }
    }

    static void expect(BufferedReader in, String word) throws java.io.IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.trim().equals(word)) {
                return;
            }
        }
        throw new java.io.EOFException("stdin closed while waiting for " + word);
    }
}
