package io.edgewise.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Scale benchmark, client side (always the JDK's provider; it is only the load): holds a growing number of
 * idle connections to the {@link ScaleServer} and, at each level, runs {@code active} blocking ping-pong
 * connections (64 B, one message in flight each).
 * <pre>ScaleClient --port P [--levels 0,1000,10000] [--active 4] [--measure-ms 1500] [--warmup-ms 1000]</pre>
 * Per level prints {@code READY idle=N}, waits for {@code GO} on stdin, measures, prints
 * {@code RESULT scale idle=N rtts=... p50us=... p99us=...}. Ends with {@code FINISHED}.
 *
 * <p>Concurrency: each ping-pong thread owns its channel and sample array; results are read after
 * {@code join()}. {@code stop} is the only shared flag.
 */
public final class ScaleClient {
    private ScaleClient() { }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        int port = a.i("port", 0);
        int[] levels = a.ints("levels", "0,1000,10000");
        int activeN = a.i("active", 4);
        long measureMs = a.l("measure-ms", 1500);
        System.out.println("PROVIDER " + java.nio.channels.spi.SelectorProvider.provider().getClass().getName());
        InetSocketAddress addr = new InetSocketAddress("127.0.0.1", port);
        List<SocketChannel> idle = new ArrayList<>();
        List<SocketChannel> active = new ArrayList<>();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        int exit = 0;
        try {
            for (int i = 0; i < activeN; i++) {
                SocketChannel c = SocketChannel.open(addr);
                c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                active.add(c);
            }
            pingPong(active, a.l("warmup-ms", 2000)); // warm both JVMs' JIT
            for (int level : levels) {
                long t0 = System.nanoTime();
                List<SocketChannel> fresh = new ArrayList<>();
                while (idle.size() + fresh.size() < level) {
                    SocketChannel c = SocketChannel.open(addr);
                    c.setOption(StandardSocketOptions.TCP_NODELAY, true);
                    fresh.add(c);
                }
                // one byte round trip on each new connection proves the server accepted and registered it
                ByteBuffer one = ByteBuffer.allocateDirect(1);
                for (SocketChannel c : fresh) {
                    one.clear();
                    c.write(one);
                }
                for (SocketChannel c : fresh) {
                    one.clear();
                    while (one.hasRemaining()) {
                        if (c.read(one) < 0) {
                            throw new IOException("server closed an idle connection");
                        }
                    }
                }
                idle.addAll(fresh);
                System.out.printf(Locale.ROOT, "READY idle=%d openSecs=%.2f%n", idle.size(), (System.nanoTime() - t0) / 1e9);
                System.out.flush();
                EchoWorker.expect(in, "GO");
                long[] lat = pingPong(active, measureMs);
                System.out.printf(Locale.ROOT, "RESULT scale idle=%d rtts=%d rttPerSec=%.1f p50us=%.2f p99us=%.2f p999us=%.2f%n",
                        idle.size(), lat.length, lat.length / (measureMs / 1000.0), Stats.percentile(lat, 50) / 1e3,
                        Stats.percentile(lat, 99) / 1e3, Stats.percentile(lat, 99.9) / 1e3);
                System.out.flush();
            }
            System.out.println("FINISHED");
        } catch (Throwable e) {
            System.out.println("ERROR " + e);
            e.printStackTrace(System.out);
            exit = 1;
        } finally {
            for (SocketChannel c : idle) {
                c.close();
            }
            for (SocketChannel c : active) {
                c.close();
            }
        }
        System.out.flush();
        System.exit(exit);
    }

    /** Blocking ping-pong on every active connection for {@code ms}; returns sorted round-trip times (ns). */
    private static long[] pingPong(List<SocketChannel> chans, long ms) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        List<long[]> results = new ArrayList<>();
        int[] counts = new int[chans.size()];
        Throwable[] errors = new Throwable[chans.size()];
        List<Thread> threads = new ArrayList<>();
        CountDownLatch started = new CountDownLatch(chans.size());
        for (int i = 0; i < chans.size(); i++) {
            long[] samples = new long[(int) Math.min(4_000_000L, Math.max(10_000L, ms * 100L))];
            results.add(samples);
            final int idx = i;
            SocketChannel c = chans.get(i);
            Thread th = new Thread(() -> {
                ByteBuffer buf = ByteBuffer.allocateDirect(64);
                int n = 0;
                started.countDown();
                try {
                    while (!stop.get() && n < samples.length) {
                        long s = System.nanoTime();
                        buf.clear();
                        while (buf.hasRemaining()) {
                            c.write(buf);
                        }
                        buf.clear();
                        while (buf.hasRemaining()) {
                            if (c.read(buf) < 0) {
                                throw new IOException("server closed");
                            }
                        }
                        samples[n++] = System.nanoTime() - s;
                    }
                } catch (Throwable e) {
                    errors[idx] = e;
                }
                counts[idx] = n;
            }, "pingpong-" + i);
            threads.add(th);
            th.start();
        }
        started.await();
        Thread.sleep(ms);
        stop.set(true);
        int total = 0;
        for (int i = 0; i < threads.size(); i++) {
            threads.get(i).join(10_000);
            if (threads.get(i).isAlive()) {
                throw new IllegalStateException("ping-pong thread stuck");
            }
            if (errors[i] != null) {
                throw new IllegalStateException("ping-pong failed", errors[i]);
            }
            total += counts[i];
        }
        long[] all = new long[total];
        int k = 0;
        for (int i = 0; i < threads.size(); i++) {
            System.arraycopy(results.get(i), 0, all, k, counts[i]);
            k += counts[i];
        }
        Arrays.sort(all);
        return all;
    }
}
