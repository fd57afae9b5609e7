package io.edgewise.regression;

import static java.nio.channels.SelectionKey.OP_ACCEPT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.conformance.ProviderTest;
import io.edgewise.testing.Blocking;
import io.edgewise.testing.OpenDescriptors;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * {@code accept} and {@code configureBlocking} of a listening channel against its state, on the JDK's
 * provider and on Edgewise (found by mutation testing, scripts/mutation.sh channels): the exact exception
 * of an accept on a closed channel (blocking: {@code ClosedChannelException} from JDK 23 on, the
 * {@code AsynchronousCloseException} subclass before; non-blocking: {@code ClosedChannelException} even
 * while unbound, or while a selector still holds the descriptor and a connection waits), and a change of
 * blocking mode waiting for an accept in progress. The older tests used {@code assertThrows}, which
 * accepts the subclass, and never changed the mode during an accept.
 */
@Timeout(60)
class ListenerAcceptStatesTest {

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    /** What an operation on a channel closed before the call throws in blocking mode on this JDK. */
    private static Class<?> closedBlockingException() {
        return Runtime.version().feature() >= 23 ? ClosedChannelException.class : AsynchronousCloseException.class;
    }

    @ProviderTest
    void blockingAcceptOnAClosedListenerThrowsWhatTheJdkThrows(SelectorProvider p) throws Exception {
        ServerSocketChannel bound = p.openServerSocketChannel().bind(loopback());
        bound.close();
        assertEquals(closedBlockingException(), assertThrows(ClosedChannelException.class, bound::accept).getClass());

        ServerSocketChannel unbound = p.openServerSocketChannel();
        unbound.close();
        assertEquals(closedBlockingException(), assertThrows(ClosedChannelException.class, unbound::accept).getClass());
    }

    @ProviderTest
    void nonBlockingAcceptOnAClosedListenerThrowsClosedChannelException(SelectorProvider p) throws Exception {
        ServerSocketChannel unbound = p.openServerSocketChannel();
        unbound.configureBlocking(false);
        unbound.close();
        assertEquals(ClosedChannelException.class, assertThrows(Exception.class, unbound::accept).getClass(),
                "closed comes before not yet bound");
        assertEquals(ClosedChannelException.class, assertThrows(Exception.class, unbound::getLocalAddress).getClass());

        try (Selector sel = p.openSelector()) {
            ServerSocketChannel ssc = p.openServerSocketChannel().bind(loopback());
            ssc.configureBlocking(false).register(sel, OP_ACCEPT);
            try (SocketChannel c = p.openSocketChannel()) {
                c.connect(ssc.getLocalAddress()); // a connection waits in the backlog
                ssc.close(); // the descriptor stays open until the selector deregisters the key
                assertEquals(ClosedChannelException.class, assertThrows(Exception.class, ssc::accept).getClass());
                sel.selectNow();
            }
        }
    }

    @ProviderTest
    void aClosedListenerASelectorStillHoldsKeepsListeningUntilDeregistered(SelectorProvider p) throws Exception {
        try (Selector sel = p.openSelector()) {
            ServerSocketChannel ssc = p.openServerSocketChannel().bind(loopback());
            java.net.SocketAddress addr = ssc.getLocalAddress();
            try (SocketChannel c1 = p.openSocketChannel()) {
                c1.connect(addr);
                ssc.accept().close(); // a blocking accept, over
            }
            ssc.configureBlocking(false).register(sel, OP_ACCEPT);
            ssc.close(); // deferred: nobody is blocked in it, nothing is shut down
            try (SocketChannel c2 = p.openSocketChannel()) {
                c2.connect(addr); // still listening: the connection is queued
                assertTrue(c2.isConnected());
            }
            sel.selectNow();
        }
    }

    @ProviderTest
    void acceptsLeaveNoDescriptorAfterClose(SelectorProvider p) throws Exception {
        p.openServerSocketChannel().close(); // warm-up
        OpenDescriptors.assertNoLeak("listener with accepts", () -> {
            ServerSocketChannel ssc = p.openServerSocketChannel().bind(loopback());
            try (SocketChannel c = p.openSocketChannel()) {
                c.connect(ssc.getLocalAddress());
                ssc.accept().close(); // blocking
                ssc.configureBlocking(false);
                assertEquals(null, ssc.accept()); // non-blocking, nothing queued
            }
            ssc.close();
        });
    }

    @ProviderTest
    void aBlockedAcceptEndedByCloseLeavesNoDescriptor(SelectorProvider p) throws Exception {
        p.openServerSocketChannel().close(); // warm-up
        OpenDescriptors.assertNoLeak("accept ended by close", () -> {
            ServerSocketChannel ssc = p.openServerSocketChannel().bind(loopback());
            CompletableFuture<SocketChannel> accepted = new CompletableFuture<>();
            Thread acceptor = new Thread(() -> {
                try {
                    accepted.complete(ssc.accept());
                } catch (Throwable e) {
                    accepted.completeExceptionally(e);
                }
            }, "accept-then-close");
            acceptor.start();
            Blocking.assertBlocks(acceptor);
            ssc.close(); // wakes the accept; the descriptor is closed by whoever leaves last
            acceptor.join(10_000);
            assertFalse(acceptor.isAlive(), "accept not woken by close");
            assertEquals(AsynchronousCloseException.class,
                    assertThrows(java.util.concurrent.ExecutionException.class, accepted::get).getCause().getClass());
        });
    }

    @ProviderTest
    void anInterruptAfterABlockingAcceptLeavesTheListenerOpen(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = p.openServerSocketChannel().bind(loopback())) {
            CountDownLatch accepted = new CountDownLatch(1);
            CountDownLatch never = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                try (SocketChannel c = p.openSocketChannel()) {
                    c.connect(ssc.getLocalAddress());
                    ssc.accept().close(); // blocking, over: its interrupt hook must be gone
                    accepted.countDown();
                    never.await(); // until interrupted
                } catch (Exception e) {
                    // the interrupt ends the wait
                }
            }, "accept-then-interrupted");
            t.start();
            assertTrue(accepted.await(10, TimeUnit.SECONDS), "accept did not complete");
            t.interrupt(); // from another thread: what would close a channel the thread is blocked in
            t.join(10_000);
            assertFalse(t.isAlive());
            assertTrue(ssc.isOpen(), "an interrupt after the accept closed the listener");
        }
    }

    @ProviderTest
    void configureBlockingWaitsForAnAcceptInProgress(SelectorProvider p) throws Exception {
        try (ServerSocketChannel ssc = p.openServerSocketChannel().bind(loopback())) {
            CompletableFuture<SocketChannel> accepted = new CompletableFuture<>();
            Thread acceptor = new Thread(() -> {
                try {
                    accepted.complete(ssc.accept());
                } catch (Throwable e) {
                    accepted.completeExceptionally(e);
                }
            }, "blocked-accept");
            acceptor.start();
            Blocking.assertBlocks(acceptor);

            CompletableFuture<Void> switched = new CompletableFuture<>();
            Thread switcher = new Thread(() -> {
                try {
                    ssc.configureBlocking(false);
                    switched.complete(null);
                } catch (Throwable e) {
                    switched.completeExceptionally(e);
                }
            }, "configure-blocking");
            switcher.start();
            Blocking.assertBlocks(switcher); // waits for the accept to leave
            assertFalse(switched.isDone(), "the mode changed under a blocked accept");

            try (SocketChannel c = p.openSocketChannel()) {
                c.connect(ssc.getLocalAddress());
                try (SocketChannel s = accepted.get(10, TimeUnit.SECONDS)) {
                    assertNotNull(s);
                }
                switched.get(10, TimeUnit.SECONDS);
                assertFalse(ssc.isBlocking());
            }
        }
    }
}
