package io.edgewise.vthread;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * 10,000 virtual threads, each blocked in {@code read} on its own connection, on a carrier pool of 2
 * ({@code -Djdk.virtualThreadScheduler.parallelism=2}, {@code maxPoolSize=2}): all must park, and all
 * must complete when data arrives — with the JDK's provider (the reference) and with Edgewise.
 *
 * <p>The scenario runs in forked JVMs so the scheduler settings do not touch the rest of the suite,
 * and in two of them per provider so that neither exceeds the 20,000-descriptor limit: a
 * <em>peer</em> JVM (JDK provider, platform threads) accepts the 10,000 connections and later writes one
 * byte to each; a <em>readers</em> JVM (the provider under test) connects them, starts one virtual
 * thread per connection blocked in {@code read}, reports when every one of them is parked, and
 * reports how many completed. Each JVM holds ~10,000 sockets plus the JVM's own descriptors.
 */
class TenThousandVirtualReadersTest {
    static final int N = 10_000;
    static final String JDK = "sun.nio.ch.EPollSelectorProvider";
    static final String EDGEWISE = "io.edgewise.EdgewiseSelectorProvider";

    @Test
    void tenThousandParkedReadersCompleteWithTwoCarriers() throws Exception {
        VT.assumeVirtualThreads();
        for (String provider : new String[] {JDK, EDGEWISE}) {
            runScenario(provider);
        }
    }

    private static void runScenario(String provider) throws Exception {
        Child peer = Child.start(Peer.class, JDK, String.valueOf(N));
        Child readers = null;
        try {
            String port = peer.expect("PORT", 30);
            readers = Child.start(Readers.class, provider, port, String.valueOf(N));
            String parked = readers.expect("PARKED", 90);
            assertEquals(String.valueOf(N), parked, provider + ": every reader parked");
            assertEquals(String.valueOf(N), peer.expect("ACCEPTED", 30), provider + ": connections accepted");
            peer.send("GO");
            String done = readers.expect("DONE", 90);
            assertEquals(String.valueOf(N), done.split(" ")[0], provider + ": readers completed (" + done + ")");
            System.out.println("[10k virtual readers] " + provider + ": " + done.split(" ")[1] + " ms from PARKED report to all done (includes the parent round trip; not a benchmark)");
        } finally {
            peer.stop();
            if (readers != null) readers.stop();
        }
    }

    /** A forked JVM on this test's class path; its stdout lines are read by a daemon thread. */
    static final class Child {
        final Process process;
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Writer in;

        private Child(Process p) {
            this.process = p;
            this.in = new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8);
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) lines.add(l);
                } catch (IOException ignore) {
                    // process ended
                }
                lines.add("EXIT");
            });
            t.setDaemon(true);
            t.start();
        }

        static Child start(Class<?> main, String provider, String... args) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("--enable-native-access=ALL-UNNAMED");
            cmd.add("-Xmx512m");
            cmd.add("-Djdk.virtualThreadScheduler.parallelism=2");
            cmd.add("-Djdk.virtualThreadScheduler.maxPoolSize=2");
            cmd.add("-Djava.nio.channels.spi.SelectorProvider=" + provider);
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(main.getName());
            for (String a : args) cmd.add(a);
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT);
            return new Child(pb.start());
        }

        /** Waits for a line {@code "<key> <value>"} and returns the value. */
        String expect(String key, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            for (;;) {
                long left = deadline - System.nanoTime();
                String l = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
                if (l == null) fail("no '" + key + "' line within " + seconds + " s");
                if (l.equals("EXIT")) fail("child exited before '" + key + "'");
                if (l.startsWith(key + " ")) return l.substring(key.length() + 1);
                if (l.startsWith("FAIL")) fail("child: " + l);
            }
        }

        void send(String line) throws IOException {
            in.write(line + "\n");
            in.flush();
        }

        void stop() throws InterruptedException {
            try {
                in.close();
            } catch (IOException ignore) {
                // already gone
            }
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** Peer JVM: accepts N connections, writes one byte to each on "GO", closes on end of input. */
    public static final class Peer {
        public static void main(String[] args) throws Exception {
            int n = Integer.parseInt(args[0]);
            PrintStream out = System.out;
            BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            List<SocketChannel> conns = new ArrayList<>(n);
            try (ServerSocketChannel ss = SelectorProvider.provider().openServerSocketChannel()) {
                ss.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
                out.println("PORT " + ((InetSocketAddress) ss.getLocalAddress()).getPort());
                out.flush();
                while (conns.size() < n) conns.add(ss.accept());
                out.println("ACCEPTED " + conns.size());
                out.flush();
                if ("GO".equals(stdin.readLine())) {
                    ByteBuffer one = ByteBuffer.allocateDirect(1);
                    for (SocketChannel c : conns) {
                        one.clear();
                        one.put(0, (byte) 7);
                        c.write(one);
                    }
                }
                while (stdin.readLine() != null) {
                    // until the parent closes our input
                }
            } finally {
                for (SocketChannel c : conns) c.close();
            }
        }
    }

    /** Readers JVM: N connections, one virtual thread blocked in read on each. */
    public static final class Readers {
        public static void main(String[] args) throws Exception {
            int port = Integer.parseInt(args[0]);
            int n = Integer.parseInt(args[1]);
            PrintStream out = System.out;
            InetSocketAddress to = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
            List<SocketChannel> conns = new ArrayList<>(n);
            List<Thread> threads = new ArrayList<>(n);
            AtomicInteger completed = new AtomicInteger();
            long[] dataAt = new long[1];
            try {
                for (int i = 0; i < n; i++) {
                    SocketChannel c = SelectorProvider.provider().openSocketChannel();
                    conns.add(c);
                    c.connect(to);
                }
                for (SocketChannel c : conns) {
                    threads.add(VT.start(() -> {
                        try {
                            ByteBuffer b = ByteBuffer.allocate(1);
                            if (c.read(b) == 1 && b.get(0) == 7) completed.incrementAndGet();
                        } catch (IOException e) {
                            e.printStackTrace();
                        }
                    }));
                }
                // bounded: all parked (a reader holding one of the 2 carriers would keep the rest from running)
                boolean allParked = VT.await(() -> threads.stream().allMatch(VT::parked), 60);
                long parked = threads.stream().filter(VT::parked).count();
                out.println("PARKED " + (allParked ? n : parked));
                out.flush();
                dataAt[0] = System.nanoTime();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                for (Thread t : threads) {
                    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                    if (left > 0) t.join(left);
                }
                out.println("DONE " + completed.get() + " " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - dataAt[0]));
                out.flush();
            } catch (Throwable t) {
                out.println("FAIL " + t);
                out.flush();
                throw t;
            } finally {
                for (SocketChannel c : conns) c.close();
            }
            System.exit(0);
        }
    }
}
