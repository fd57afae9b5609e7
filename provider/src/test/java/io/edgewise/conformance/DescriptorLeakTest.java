package io.edgewise.conformance;

import static java.nio.channels.SelectionKey.OP_READ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.testing.OpenDescriptors;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import org.junit.jupiter.api.Timeout;

/**
 * Open/close cycles leave the process's descriptor count ({@code /proc/self/fd}) where it started:
 * 10,000 connect/accept/close cycles, 1,000 selector open/close, failed connects, pipes, channels
 * closed while registered. Each test runs a warm-up round first (the JVM opens files on first use)
 * and then requires an exact match.
 */
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DescriptorLeakTest {

    interface Round {
        void run(int n) throws Exception;
    }

    /** A warm-up round, then {@link OpenDescriptors#assertNoLeak} over {@code n} cycles. */
    private static void assertNoLeak(String what, int n, Round round) throws Exception {
        round.run(Math.max(10, n / 50));
        OpenDescriptors.assertNoLeak(what + ", " + n + " cycles", () -> round.run(n));
    }

    private static SocketChannel acceptSpin(ServerSocketChannel ssc) throws IOException {
        long deadline = System.nanoTime() + 5_000_000_000L;
        SocketChannel s;
        while ((s = ssc.accept()) == null) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no connection to accept within 5 s");
            }
            Thread.onSpinWait();
        }
        return s;
    }

    @ProviderTest
    void tenThousandConnectAcceptCloseCycles(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Net.listen(p, StandardProtocolFamily.INET, 1024)) {
            ssc.configureBlocking(false);
            InetSocketAddress addr = Net.local(ssc);
            ByteBuffer one = ByteBuffer.allocateDirect(1);
            assertNoLeak("connect/accept/close", 10_000, n -> {
                for (int i = 0; i < n; i++) {
                    SocketChannel c = p.openSocketChannel();
                    SocketChannel s = null;
                    try {
                        assertTrue(c.connect(addr));
                        s = acceptSpin(ssc);
                        if (i % 4 == 1) {
                            c.setOption(StandardSocketOptions.SO_LINGER, 0);   // reset instead of FIN
                        }
                        if (i % 4 == 2) {
                            c.write(one.clear());   // some with data in flight
                        }
                    } finally {
                        if (i % 2 == 0) {
                            Net.closeQuietly(c, s);
                        } else {
                            Net.closeQuietly(s, c);
                        }
                    }
                }
            });
            assertTrue(ssc.isOpen());
        }
    }

    @ProviderTest
    void thousandSelectorsOpenedAndClosed(SelectorProvider p) throws Exception {
        try (Net.Conn c = Net.connect(p)) {
            c.client.configureBlocking(false);
            assertNoLeak("selector open/close", 1_000, n -> {
                for (int i = 0; i < n; i++) {
                    Selector sel = p.openSelector();
                    try {
                        if (i % 3 == 0) {
                            c.client.register(sel, OP_READ);
                            sel.selectNow();
                        } else if (i % 3 == 1) {
                            sel.wakeup();
                            sel.select(1);
                        }
                    } finally {
                        sel.close();
                    }
                }
            });
            assertFalse(c.client.isRegistered(), "closed selectors deregistered the channel");
            assertTrue(c.client.isOpen());
        }
    }

    @ProviderTest
    void failedConnectsReleaseTheirDescriptors(SelectorProvider p) throws Exception {
        InetSocketAddress dead;
        try (ServerSocketChannel ssc = Net.listen(p)) {
            dead = Net.local(ssc);
        }
        assertNoLeak("refused connect", 1_000, n -> {
            for (int i = 0; i < n; i++) {
                SocketChannel c = p.openSocketChannel();
                try {
                    c.connect(dead);
                    throw new AssertionError("connected to a closed port");
                } catch (ConnectException expected) {
                    // JDK closes the channel on a failed blocking connect
                } finally {
                    c.close();
                }
            }
        });
        assertNoLeak("refused non-blocking connect", 1_000, n -> {
            for (int i = 0; i < n; i++) {
                SocketChannel c = p.openSocketChannel();
                try {
                    c.configureBlocking(false);
                    if (!c.connect(dead)) {
                        long deadline = System.nanoTime() + 5_000_000_000L;
                        while (!c.finishConnect() && System.nanoTime() < deadline) {
                            Thread.onSpinWait();
                        }
                    }
                    throw new AssertionError("connected to a closed port");
                } catch (ConnectException expected) {
                    // refused
                } finally {
                    c.close();
                }
            }
        });
        assertNoLeak("unresolved connect", 1_000, n -> {
            for (int i = 0; i < n; i++) {
                try (SocketChannel c = p.openSocketChannel()) {
                    c.connect(InetSocketAddress.createUnresolved("localhost", 80));
                } catch (java.nio.channels.UnresolvedAddressException expected) {
                    // rejected before any system call
                }
            }
        });
    }

    @ProviderTest
    void pendingConnectsClosedAndPipesReleaseTheirDescriptors(SelectorProvider p) throws Exception {
        try (Net.FullListener full = new Net.FullListener(p, StandardProtocolFamily.INET)) {
            InetSocketAddress addr = full.address();
            assertNoLeak("pending connect closed", 500, n -> {
                for (int i = 0; i < n; i++) {
                    try (SocketChannel c = p.openSocketChannel()) {
                        c.configureBlocking(false);
                        assertFalse(c.connect(addr));
                        assertTrue(c.isConnectionPending());
                    }
                }
            });
        }
        assertNoLeak("pipe open/close", 1_000, n -> {
            for (int i = 0; i < n; i++) {
                Pipe pipe = p.openPipe();
                if (i % 2 == 0) {
                    pipe.sink().write(ByteBuffer.allocate(10));
                }
                Net.closeQuietly(pipe.sink(), pipe.source());
            }
        });
    }

    @ProviderTest
    void adaptorCyclesAndBlockedOpsEndedByCloseOrInterrupt(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Net.listen(p, StandardProtocolFamily.INET, 1024)) {
            InetSocketAddress addr = Net.local(ssc);
            assertNoLeak("socket adaptor connect/accept/streams/close", 1_000, n -> {
                for (int i = 0; i < n; i++) {
                    SocketChannel c = p.openSocketChannel();
                    java.net.Socket s = c.socket();
                    s.connect(addr, 5_000);
                    java.net.Socket peer = ssc.socket().accept();
                    s.getOutputStream().write(7);
                    assertEquals(7, peer.getInputStream().read());
                    peer.close();
                    assertEquals(-1, s.getInputStream().read());
                    s.close();
                }
            });
            assertNoLeak("blocked read ended by close or interrupt", 200, n -> {
                for (int i = 0; i < n; i++) {
                    Net.Conn c = Net.connect(p, StandardProtocolFamily.INET, ssc);
                    try {
                        Thread t = new Thread(() -> {
                            try {
                                c.client.read(ByteBuffer.allocate(1));
                            } catch (IOException expected) {
                                // AsynchronousCloseException or ClosedByInterruptException
                            }
                        });
                        t.start();
                        assertTrue(Net.awaitBlocked(t), "read blocks");
                        if (i % 2 == 0) {
                            c.client.close();
                        } else {
                            t.interrupt();
                        }
                        t.join(5_000);
                        assertFalse(t.isAlive());
                        assertFalse(c.client.isOpen());
                    } finally {
                        c.close();
                    }
                }
            });
        }
    }

    @ProviderTest
    void channelsClosedWhileRegisteredAreReleasedByTheSelector(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = Net.listen(p, StandardProtocolFamily.INET, 1024)) {
            ssc.configureBlocking(false);
            InetSocketAddress addr = Net.local(ssc);
            assertNoLeak("closed while registered, then select", 1_000, n -> {
                try (Selector sel = p.openSelector()) {
                    for (int i = 0; i < n; i++) {
                        SocketChannel c = p.openSocketChannel();
                        assertTrue(c.connect(addr));
                        SocketChannel s = acceptSpin(ssc);
                        c.configureBlocking(false);
                        s.configureBlocking(false);
                        SelectionKey kc = c.register(sel, OP_READ);
                        s.register(sel, OP_READ);
                        c.close();
                        s.close();
                        assertFalse(kc.isValid());
                        if (i % 10 == 9) {
                            sel.selectNow();
                        }
                    }
                    sel.selectNow();
                    assertTrue(sel.keys().isEmpty());
                }
            });
            assertNoLeak("closed while registered, then selector closed", 1_000, n -> {
                for (int i = 0; i < n; i++) {
                    Selector sel = p.openSelector();
                    SocketChannel c = p.openSocketChannel();
                    assertTrue(c.connect(addr));
                    SocketChannel s = acceptSpin(ssc);
                    assertNotNull(s);
                    c.configureBlocking(false);
                    c.register(sel, OP_READ);
                    c.close();
                    s.close();
                    sel.close();
                }
            });
        }
    }
}
