package io.edgewise.resources;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Child-JVM main for {@link DescriptorBudgetTest}: a thread-per-connection server (one thread blocked
 * in {@code accept}, one blocked in {@code read} per connection) and its clients in one process.
 * Prints {@code accepted N}, {@code blocked N}, {@code error <first failure>}.
 * Args: connections.
 */
public final class ThreadPerConnectionServer {
    private ThreadPerConnectionServer() { }

    public static void main(String[] args) {
        try {
            Blocked.inWait(Thread.currentThread()); // load now: at the descriptor limit a class load fails
            run(args);
        } catch (Throwable t) {
            System.out.println("error " + t);
        } finally {
            System.out.flush();
            Runtime.getRuntime().halt(0); // the blocked threads need no orderly end
        }
    }

    private static void run(String[] args) throws Exception {
        SelectorProvider p = SelectorProvider.provider(); // chosen by the parent (ChildJvm.providerFlag)
        int n = Integer.parseInt(args[0]);
        AtomicInteger accepted = new AtomicInteger();
        AtomicReference<Throwable> error = new AtomicReference<>();
        List<Thread> readers = new ArrayList<>();
        List<SocketChannel> clients = new ArrayList<>();
        ServerSocketChannel listener = p.openServerSocketChannel();
        listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), n);
        Thread acceptor = new Thread(() -> {
            try {
                while (accepted.get() < n) {
                    SocketChannel c = listener.accept();
                    accepted.incrementAndGet();
                    Thread r = new Thread(null, () -> {
                        try (c) {
                            c.read(ByteBuffer.allocate(1));
                        } catch (Throwable t) {
                            if (!(t instanceof java.nio.channels.AsynchronousCloseException)) error.compareAndSet(null, t);
                        }
                    }, "reader", 256 * 1024);
                    synchronized (readers) {
                        readers.add(r);
                    }
                    r.start();
                }
            } catch (Throwable t) {
                error.compareAndSet(null, t);
            }
        });
        acceptor.start();
        try {
            for (int i = 0; i < n && error.get() == null; i++) {
                SocketChannel c = p.openSocketChannel();
                clients.add(c);
                c.connect(listener.getLocalAddress());
            }
        } catch (Throwable t) {
            error.compareAndSet(null, t);
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (accepted.get() < clients.size() && error.get() == null && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        List<Thread> snapshot;
        synchronized (readers) {
            snapshot = new ArrayList<>(readers);
        }
        Blocked.awaitAll(snapshot, 30_000);
        int blocked = 0;
        for (Thread r : snapshot) if (Blocked.inWait(r)) blocked++;
        System.out.println("accepted " + accepted.get());
        System.out.println("blocked " + blocked);
        Throwable e = error.get();
        System.out.println("error " + (e == null ? "none" : e));
    }
}
