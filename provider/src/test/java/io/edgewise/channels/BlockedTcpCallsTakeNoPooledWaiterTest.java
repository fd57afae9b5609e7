package io.edgewise.channels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.testing.Blocking;
import io.edgewise.testing.OpenDescriptors;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A platform thread blocked in a TCP write (or read) waits on the socket alone: the kernel's shutdown
 * wakes its poll, so it takes no wakeup descriptor from {@link Waiter}'s pool and opens none — the JDK
 * spends no descriptor on a blocked thread either. Found by mutation testing (scripts/mutation.sh
 * channels: the TCP writer's "shutdown wakes the poll" answer turned to false went unnoticed, as the
 * pooled waiter wakes it too).
 */
@Timeout(60)
class BlockedTcpCallsTakeNoPooledWaiterTest {
    private static final String EVENTFD = "anon_inode:[eventfd]";

    private static int eventfds() {
        return OpenDescriptors.snapshot().getOrDefault(EVENTFD, 0);
    }

    @Test
    void aBlockedTcpWriterAndReaderUseNoWakeupDescriptor() throws Exception {
        // where a shutdown does not wake a thread polling the socket (the BSD socket layer: macOS), a blocked
        // thread needs a pooled wakeup descriptor, and takes one
        org.junit.jupiter.api.Assumptions.assumeTrue(io.edgewise.sys.Platform.waitOps().shutdownWakesPoll(),
                "this socket layer's shutdown does not wake a poll: blocked threads use pooled waiters");
        EdgewiseSelectorProvider p = new EdgewiseSelectorProvider();
        try (ServerSocketChannel ssc = p.openServerSocketChannel()) {
            ssc.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            for (boolean writer : new boolean[] {true, false}) {
                SocketChannel c = p.openSocketChannel();
                assertTrue(c.connect(ssc.getLocalAddress()));
                try (SocketChannel peer = ssc.accept()) {
                    int idle = Waiter.idleDescriptors();
                    int eventfds = eventfds();
                    Thread t = new Thread(() -> {
                        try {
                            if (writer) {
                                ByteBuffer b = ByteBuffer.allocateDirect(1 << 20);
                                while (true) { b.clear(); c.write(b); } // the peer reads nothing
                            } else {
                                c.read(ByteBuffer.allocate(1));
                            }
                        } catch (Exception e) {
                            // ended by the close below
                        }
                    }, writer ? "blocked-writer" : "blocked-reader");
                    t.start();
                    Blocking.assertBlocks(t);
                    assertEquals(idle, Waiter.idleDescriptors(), (writer ? "writer" : "reader") + " took a pooled waiter");
                    assertEquals(eventfds, eventfds(), (writer ? "writer" : "reader") + " opened a wakeup descriptor");
                    c.close();
                    t.join(10_000);
                    assertFalse(t.isAlive());
                } finally {
                    c.close();
                }
            }
        }
    }
}
