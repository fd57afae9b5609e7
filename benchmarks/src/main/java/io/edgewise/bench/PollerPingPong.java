package io.edgewise.bench;

import io.edgewise.backend.Poller;
import io.edgewise.backend.epoll.EpollPoller;
import io.edgewise.backend.uring.UringPoller;
import io.edgewise.sys.posix.LibC;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Ping-pong over Edgewise's pollers directly (no selector, no Netty): a client thread and a server thread,
 * each with its own poller and {@code conns} loopback TCP connections, one 64 B message in flight per
 * connection, LEVEL read interest. Windows of each backend alternate, order rotated per round; prints per
 * backend the median round trips/s, p50/p99, CPU per round trip (both threads), and the per-round ratio to
 * the first backend. It tells a kernel-path difference between epoll and io_uring from one in the layers
 * above (issue #21: level-1 ping-pong); run it on a quiet machine, the difference depends on idle CPUs.
 *
 * <pre>
 * java --add-opens java.base/sun.nio.ch=ALL-UNNAMED --enable-native-access=ALL-UNNAMED \
 *   -Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.EPollSelectorProvider \
 *   -cp 'benchmarks/target/edgewise-benchmarks-*.jar:benchmarks/target/lib/*' io.edgewise.bench.PollerPingPong \
 *   [conns=4] [timeoutMs=1000] [windowMs=700] [rounds=7] [backends=epoll,io_uring]
 * </pre>
 * The sockets are the JDK's (their descriptors read through {@code sun.nio.ch}, hence the add-opens); the
 * data calls are Edgewise's {@code LibC.recv}/{@code send} for both backends.
 */
public final class PollerPingPong {
    private PollerPingPong() { }

    private static final Method FD_VAL;

    static {
        try {
            FD_VAL = Class.forName("sun.nio.ch.SelChImpl").getMethod("getFDVal");
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static int fd(SocketChannel c) throws ReflectiveOperationException {
        return (int) FD_VAL.invoke(c);
    }

    private static Poller poller(String backend) throws Exception {
        switch (backend) {
            case "epoll": return new EpollPoller();
            case "io_uring": return new UringPoller();
            default: throw new IllegalArgumentException("backend " + backend + " (epoll, io_uring)");
        }
    }

    /** One side's event loop: read what a poll reports, answer (server) or time and send the next (client). */
    private static final class Side implements Runnable {
        final Poller p;
        final int[] fds;
        final boolean client;
        final long timeout;
        volatile boolean stop, record;
        volatile long roundTrips;
        final long[] sentAt = new long[1 << 16];
        final long[] lat = new long[2_000_000];
        int n;
        Throwable failure;

        Side(Poller p, int[] fds, boolean client, long timeout) {
            this.p = p;
            this.fds = fds;
            this.client = client;
            this.timeout = timeout;
        }

        @Override
        public void run() {
            try {
                ByteBuffer b = ByteBuffer.allocateDirect(64);
                long addr = LibC.address(b);
                if (client) {
                    for (int fd : fds) {
                        sentAt[fd] = System.nanoTime();
                        LibC.send(fd, addr, 64, 0);
                    }
                }
                while (!stop) {
                    int k = p.poll(timeout);
                    if (p.wokenUp()) p.clearWakeup();
                    for (int j = 0; j < k; j++) {
                        int fd = p.descriptor(j);
                        long r = LibC.recv(fd, addr, 64, 0);
                        if (r <= 0) continue;
                        if (client) {
                            long now = System.nanoTime();
                            if (record && n < lat.length) lat[n++] = now - sentAt[fd];
                            roundTrips++;
                            sentAt[fd] = now;
                        }
                        LibC.send(fd, addr, r, 0);
                    }
                }
            } catch (Throwable e) {
                failure = e;
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int conns = args.length > 0 ? Integer.parseInt(args[0]) : 4;
        long timeout = args.length > 1 ? Long.parseLong(args[1]) : 1000;
        long window = args.length > 2 ? Long.parseLong(args[2]) : 700;
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 7;
        String[] backends = (args.length > 4 ? args[4] : "epoll,io_uring").split(",");
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        Map<String, List<double[]>> res = new LinkedHashMap<>();
        try (ServerSocketChannel ss = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            for (int r = -1; r < rounds; r++) { // round -1: warm-up
                for (int i = 0; i < backends.length; i++) {
                    String b = backends[(i + Math.max(r, 0)) % backends.length];
                    double[] m = window(ss, b, conns, timeout, window, mx);
                    if (r >= 0) res.computeIfAbsent(b, x -> new ArrayList<>()).add(m);
                }
            }
        }
        System.out.printf(Locale.ROOT, "conns=%d timeoutMs=%d windowMs=%d rounds=%d java=%s%n", conns, timeout, window,
                rounds, System.getProperty("java.version"));
        String[] names = {"rtt/s", "p50 us", "p99 us", "CPU us/rtt"};
        for (Map.Entry<String, List<double[]>> e : res.entrySet()) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-9s", e.getKey()));
            for (int k = 0; k < names.length; k++) {
                double[] xs = column(e.getValue(), k);
                sb.append(String.format(Locale.ROOT, "  %s %.1f [%.1f..%.1f]", names[k], xs[xs.length / 2], xs[0], xs[xs.length - 1]));
            }
            System.out.println(sb);
        }
        List<double[]> base = res.get(backends[0]);
        for (int i = 1; i < backends.length; i++) {
            List<double[]> other = res.get(backends[i]);
            double[] rs = new double[rounds];
            for (int r = 0; r < rounds; r++) rs[r] = other.get(r)[0] / base.get(r)[0];
            Arrays.sort(rs);
            System.out.printf(Locale.ROOT, "%s/%s round trips: median %.2f [%.2f..%.2f]%n", backends[i], backends[0],
                    rs[rounds / 2], rs[0], rs[rounds - 1]);
        }
    }

    private static double[] column(List<double[]> rows, int k) {
        double[] xs = new double[rows.size()];
        for (int i = 0; i < xs.length; i++) xs[i] = rows.get(i)[k];
        Arrays.sort(xs);
        return xs;
    }

    /** One window on fresh connections and pollers: {rtt/s, p50 µs, p99 µs, CPU µs per round trip}. */
    private static double[] window(ServerSocketChannel ss, String backend, int conns, long timeout, long window,
                                   ThreadMXBean mx) throws Exception {
        List<SocketChannel> open = new ArrayList<>();
        int[] cf = new int[conns], sf = new int[conns];
        for (int i = 0; i < conns; i++) {
            SocketChannel c = SocketChannel.open(ss.getLocalAddress());
            SocketChannel s = ss.accept();
            for (SocketChannel x : List.of(c, s)) {
                x.setOption(StandardSocketOptions.TCP_NODELAY, true);
                x.configureBlocking(false);
                open.add(x);
            }
            cf[i] = fd(c);
            sf[i] = fd(s);
        }
        try (Poller pc = poller(backend); Poller ps = poller(backend)) {
            Side client = new Side(pc, cf, true, timeout), server = new Side(ps, sf, false, timeout);
            // registered by the threads that poll (a ring's requests belong to the submitting thread anyway)
            Thread tc = new Thread(() -> {
                try {
                    for (int fd : cf) pc.update(fd, 0, Poller.IN);
                } catch (Exception e) {
                    client.failure = e;
                    return;
                }
                client.run();
            }, "pp-client");
            Thread ts = new Thread(() -> {
                try {
                    for (int fd : sf) ps.update(fd, 0, Poller.IN);
                } catch (Exception e) {
                    server.failure = e;
                    return;
                }
                server.run();
            }, "pp-server");
            ts.start();
            Thread.sleep(50);
            tc.start();
            Thread.sleep(window / 3);
            long r0 = client.roundTrips, t0 = System.nanoTime();
            long cpu0 = mx.getThreadCpuTime(tc.getId()) + mx.getThreadCpuTime(ts.getId());
            client.record = true;
            Thread.sleep(window);
            client.record = false;
            long r1 = client.roundTrips, t1 = System.nanoTime();
            long cpu1 = mx.getThreadCpuTime(tc.getId()) + mx.getThreadCpuTime(ts.getId());
            client.stop = true;
            server.stop = true;
            pc.wakeup();
            ps.wakeup();
            tc.join();
            ts.join();
            for (Side s : List.of(client, server)) {
                if (s.failure != null) throw new IllegalStateException(backend + " failed", s.failure);
            }
            long[] l = Arrays.copyOf(client.lat, client.n);
            Arrays.sort(l);
            long rt = Math.max(1, r1 - r0);
            return new double[] {
                (r1 - r0) / ((t1 - t0) / 1e9),
                l.length == 0 ? 0 : l[l.length / 2] / 1e3,
                l.length == 0 ? 0 : l[(int) (l.length * 0.99)] / 1e3,
                (cpu1 - cpu0) / 1e3 / rt,
            };
        } finally {
            for (SocketChannel x : open) x.close();
        }
    }
}
