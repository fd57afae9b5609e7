package io.edgewise.resources;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;

/**
 * Child-JVM main for {@link HeapPerConnectionTest}: opens N loopback connections, registers the
 * accepted ends for OP_READ on one selector, and prints {@code bytesPerConnection <heap after GC
 * growth / N>} (both ends, the key and the selector's share). Args: connections.
 */
public final class IdleConnectionsHeap {
    private IdleConnectionsHeap() { }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        SelectorProvider p = SelectorProvider.provider();
        List<SocketChannel> all = new ArrayList<>(2 * n);
        try (ServerSocketChannel l = p.openServerSocketChannel(); Selector sel = p.openSelector()) {
            l.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4096);
            open(p, l, sel, all, 200); // warm-up: lazily created per-thread and per-class state
            sel.selectNow();
            long before = heapAfterGc();
            open(p, l, sel, all, n);
            sel.selectNow();
            long after = heapAfterGc();
            System.out.println("bytesPerConnection " + (after - before) / n);
            System.out.println("open " + all.size()); // keeps every channel reachable until here
            if (args.length > 1) { // "hold": time for a class histogram (jcmd <pid> GC.class_histogram)
                System.out.flush();
                Thread.sleep(Long.parseLong(args[1]));
            }
        }
    }

    private static void open(SelectorProvider p, ServerSocketChannel l, Selector sel, List<SocketChannel> all, int n)
            throws Exception {
        for (int i = 0; i < n; i++) {
            SocketChannel c = p.openSocketChannel();
            c.connect(l.getLocalAddress());
            SocketChannel a = l.accept();
            a.configureBlocking(false);
            a.register(sel, SelectionKey.OP_READ);
            all.add(c);
            all.add(a);
        }
    }

    private static long heapAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20); // lets reference processing and cleaners finish between collections
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
