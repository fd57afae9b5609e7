package io.edgewise.resources;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.conformance.Providers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractInterruptibleChannel;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16 item 13: no wake-up of a blocked thread may be lost. Many threads block at once in
 * {@code read}, {@code write}, {@code accept} and {@code receive} on TCP, Unix-domain, pipe and UDP
 * channels (kernel-woken and wakeup-descriptor waiters, the latter reused from the pool), and are
 * woken by data, close, interrupt or shutdown, fired at random moments: before the thread reached its
 * wait, while it enters it, or once it waits. Every thread must end, with the outcome its wake
 * implies; none may be left waiting.
 */
@Timeout(300)
class WakeupStressTest {
    private static final int ROUNDS = 16, PER_ROUND = 20;
    /** More than the socket buffers hold, so the write blocks (TCP's are small here: 8 KiB). */
    private static final int TCP_WRITE_SIZE = 64 * 1024, UNIX_WRITE_SIZE = 2 << 20;

    enum Kind { TCP_READ, TCP_WRITE, UNIX_READ, UNIX_WRITE, PIPE_READ, UDP_RECEIVE, ACCEPT }

    enum Wake { DATA, CLOSE, INTERRUPT, SHUTDOWN }

    /** One blocking call and what can wake it. */
    private abstract static class Case {
        final Kind kind;
        final Wake wake;
        final List<AutoCloseable> resources = new ArrayList<>();
        volatile Object outcome; // the call's result or its exception
        Thread thread;

        Case(Kind kind, Wake wake) {
            this.kind = kind;
            this.wake = wake;
        }

        <T extends AutoCloseable> T own(T c) {
            resources.add(c);
            return c;
        }

        /** The blocking call. */
        abstract Object block() throws Exception;

        /** The channel the call blocks on. */
        abstract AbstractInterruptibleChannel blocked();

        /** Makes the call return normally. */
        abstract void data() throws Exception;

        /** shutdownInput / shutdownOutput where there is one; else a close. */
        void shutdown() throws Exception {
            blocked().close();
        }

        void fire() throws Exception {
            switch (wake) {
                case DATA: data(); break;
                case CLOSE: blocked().close(); break;
                case INTERRUPT: thread.interrupt(); break;
                default: shutdown(); break;
            }
        }

        /** Null when the outcome fits the wake; else what is wrong. */
        String check() {
            Object o = outcome;
            boolean ok;
            boolean writer = kind == Kind.TCP_WRITE || kind == Kind.UNIX_WRITE;
            if (writer && wake != Wake.INTERRUPT && o instanceof Integer && (Integer) o > 0) {
                return null; // a blocking write ended by close or shutdown returns what it wrote (JDK too)
            }
            switch (wake) {
                case DATA: ok = !(o instanceof Throwable); break;
                case CLOSE: ok = o instanceof ClosedChannelException && !(o instanceof ClosedByInterruptException); break;
                case INTERRUPT: ok = o instanceof ClosedByInterruptException; break;
                default:
                    ok = kind == Kind.TCP_READ || kind == Kind.UNIX_READ ? Integer.valueOf(-1).equals(o)
                            : writer ? o instanceof AsynchronousCloseException
                            : o instanceof ClosedChannelException;
                    break;
            }
            return ok ? null : kind + " woken by " + wake + " ended with " + o;
        }

        void close() {
            for (AutoCloseable c : resources) {
                try {
                    c.close();
                } catch (Exception ignore) {
                    // cleanup
                }
            }
        }
    }

    private final SelectorProvider p = Providers.edgewise();
    private final InetAddress lo = InetAddress.getLoopbackAddress();
    private Path dir;

    @Test
    void everyBlockedThreadIsWoken() throws Exception {
        dir = Files.createTempDirectory("wakeup-stress");
        SplittableRandom rnd = new SplittableRandom(16_13);
        try {
            for (int round = 0; round < ROUNDS; round++) {
                round(rnd, round);
            }
        } finally {
            try (var s = Files.list(dir)) {
                for (Path f : (Iterable<Path>) s::iterator) Files.deleteIfExists(f);
            }
            Files.deleteIfExists(dir);
        }
    }

    private void round(SplittableRandom rnd, int round) throws Exception {
        List<Case> cases = new ArrayList<>();
        try {
            for (int i = 0; i < PER_ROUND; i++) {
                Kind k = Kind.values()[rnd.nextInt(Kind.values().length)];
                Wake w = Wake.values()[rnd.nextInt(Wake.values().length)];
                cases.add(make(k, w, round * PER_ROUND + i));
            }
            CountDownLatch started = new CountDownLatch(cases.size());
            for (Case c : cases) {
                c.thread = new Thread(() -> {
                    started.countDown();
                    try {
                        c.outcome = c.block();
                    } catch (Throwable t) {
                        c.outcome = t;
                    }
                }, c.kind + "/" + c.wake);
                c.thread.start();
            }
            started.await();
            for (Case c : cases) {
                switch (rnd.nextInt(3)) {
                    case 0: break; // at once: most threads have not reached their wait yet
                    case 1: for (int y = rnd.nextInt(200); y > 0; y--) Thread.yield(); break;
                    default: Blocked.awaitAll(List.of(c.thread), 5_000); break;
                }
                c.fire();
            }
            List<String> problems = new ArrayList<>();
            long deadline = System.nanoTime() + 20_000_000_000L; // one bound for the whole round
            for (Case c : cases) {
                c.thread.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                if (c.thread.isAlive()) {
                    problems.add(c.kind + " woken by " + c.wake + " still waits");
                } else {
                    String bad = c.check();
                    if (bad != null) problems.add(bad);
                }
            }
            assertTrue(problems.isEmpty(), "round " + round + ": " + problems);
        } finally {
            for (Case c : cases) c.close();
            for (Case c : cases) if (c.thread != null) c.thread.join(5_000);
        }
    }

    private Case make(Kind kind, Wake wake, int n) throws IOException {
        switch (kind) {
            case TCP_READ: case TCP_WRITE: {
                ServerSocketChannel l = p.openServerSocketChannel();
                l.bind(new InetSocketAddress(lo, 0));
                SocketChannel a = p.openSocketChannel();
                a.setOption(StandardSocketOptions.SO_SNDBUF, 8192);
                a.setOption(StandardSocketOptions.TCP_NODELAY, true);
                a.connect(l.getLocalAddress());
                SocketChannel b = l.accept();
                l.close();
                b.setOption(StandardSocketOptions.SO_RCVBUF, 8192);
                b.setOption(StandardSocketOptions.TCP_NODELAY, true);
                return stream(kind, wake, a, b, kind == Kind.TCP_READ, TCP_WRITE_SIZE);
            }
            case UNIX_READ: case UNIX_WRITE: {
                ServerSocketChannel l = p.openServerSocketChannel(StandardProtocolFamily.UNIX);
                l.bind(UnixDomainSocketAddress.of(dir.resolve("s" + n)));
                SocketChannel a = p.openSocketChannel(StandardProtocolFamily.UNIX);
                a.connect(l.getLocalAddress());
                SocketChannel b = l.accept();
                l.close();
                return stream(kind, wake, a, b, kind == Kind.UNIX_READ, UNIX_WRITE_SIZE);
            }
            case PIPE_READ: {
                Pipe pipe = p.openPipe();
                Case c = new Case(kind, wake) {
                    Object block() throws IOException { return pipe.source().read(ByteBuffer.allocate(1)); }
                    AbstractInterruptibleChannel blocked() { return pipe.source(); }
                    void data() throws IOException { pipe.sink().write(ByteBuffer.wrap(new byte[] {1})); }
                };
                c.own(pipe.source());
                c.own(pipe.sink());
                return c;
            }
            case UDP_RECEIVE: {
                DatagramChannel d = p.openDatagramChannel();
                d.bind(new InetSocketAddress(lo, 0));
                DatagramChannel s = p.openDatagramChannel();
                Case c = new Case(kind, wake) {
                    Object block() throws IOException { return d.receive(ByteBuffer.allocate(8)); }
                    AbstractInterruptibleChannel blocked() { return d; }
                    void data() throws IOException { s.send(ByteBuffer.wrap(new byte[] {1}), d.getLocalAddress()); }
                };
                c.own(d);
                c.own(s);
                return c;
            }
            default: {
                ServerSocketChannel l = p.openServerSocketChannel();
                l.bind(new InetSocketAddress(lo, 0));
                Case c = new Case(kind, wake) {
                    Object block() throws IOException { return own(l.accept()); }
                    AbstractInterruptibleChannel blocked() { return l; }
                    void data() throws IOException { own(p.openSocketChannel()).connect(l.getLocalAddress()); }
                };
                c.own(l);
                return c;
            }
        }
    }

    /** A read on {@code b} (reader) or a write of {@code size} bytes on {@code a} (writer). */
    private static Case stream(Kind kind, Wake wake, SocketChannel a, SocketChannel b, boolean reader, int size) {
        Case c = reader
                ? new Case(kind, wake) {
                    Object block() throws IOException { return b.read(ByteBuffer.allocate(1)); }
                    AbstractInterruptibleChannel blocked() { return b; }
                    void data() throws IOException { a.write(ByteBuffer.wrap(new byte[] {1})); }
                    @Override void shutdown() throws IOException { b.shutdownInput(); }
                }
                : new Case(kind, wake) {
                    Object block() throws IOException { return a.write(ByteBuffer.allocate(size)); }
                    AbstractInterruptibleChannel blocked() { return a; }
                    void data() throws IOException {
                        ByteBuffer sink = ByteBuffer.allocate(64 * 1024);
                        for (long total = 0; total < size; ) {
                            int n = b.read(sink.clear());
                            if (n < 0) break;
                            total += n;
                        }
                    }
                    @Override void shutdown() throws IOException { a.shutdownOutput(); }
                };
        c.own(a);
        c.own(b);
        return c;
    }
}
