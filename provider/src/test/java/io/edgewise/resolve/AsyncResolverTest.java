package io.edgewise.resolve;

import static org.junit.jupiter.api.Assertions.*;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The resolver's strategy with a name service and a clock the test controls; no real DNS. */
class AsyncResolverTest {
    static InetAddress addr(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal); // literals only: parsed, never looked up
    }

    @Test
    void literalsAnswerInlineWithoutALookup() throws Exception {
        AsyncResolver r = new AsyncResolver(h -> { throw new AssertionError("looked up " + h); }, 30, 10, 1000, 1, System::nanoTime);
        for (String lit : new String[] {"127.0.0.1", "::1", "[::1]", "10.1.2.3"}) {
            CompletableFuture<InetAddress[]> f = r.resolve(lit);
            assertTrue(f.isDone(), lit);
            assertEquals(1, f.get().length);
        }
        assertEquals(0, r.lookups());
        assertNull(AsyncResolver.literal("1.2.3"));
        assertNull(AsyncResolver.literal("1.2.3.256"));
        assertNull(AsyncResolver.literal("example.test"));
    }

    @Test
    void positiveAndNegativeAnswersAreCachedForTheirTtl() throws Exception {
        AtomicLong now = new AtomicLong();
        InetAddress a = addr("127.0.0.5");
        AsyncResolver r = new AsyncResolver(h -> {
            if (h.equals("good.test")) return new InetAddress[] {a};
            throw new UnknownHostException(h);
        }, 30, 10, 5000, 2, now::get);
        assertArrayEquals(new InetAddress[] {a}, r.resolve("good.test").get(5, TimeUnit.SECONDS));
        assertEquals(1, r.lookups());
        CompletableFuture<InetAddress[]> cached = r.resolve("GOOD.test");
        assertTrue(cached.isDone(), "a cached name answers inline");
        assertEquals(1, r.lookups());

        ExecutionException e = assertThrows(ExecutionException.class, () -> r.resolve("bad.test").get(5, TimeUnit.SECONDS));
        assertInstanceOf(UnknownHostException.class, e.getCause());
        assertEquals(2, r.lookups());
        assertTrue(r.resolve("bad.test").isCompletedExceptionally(), "a failure is cached too");
        assertEquals(2, r.lookups());

        now.addAndGet(TimeUnit.SECONDS.toNanos(11)); // negative TTL (10 s) passed, positive (30 s) not
        assertTrue(r.resolve("good.test").isDone());
        r.resolve("bad.test").handle((x, t) -> null).get(5, TimeUnit.SECONDS);
        assertEquals(3, r.lookups());
        now.addAndGet(TimeUnit.SECONDS.toNanos(20));
        r.resolve("good.test").get(5, TimeUnit.SECONDS);
        assertEquals(4, r.lookups());
    }

    @Test
    void zeroTtlMeansNoCaching() throws Exception {
        InetAddress a = addr("127.0.0.5");
        AsyncResolver r = new AsyncResolver(h -> new InetAddress[] {a}, 0, 0, 5000, 1, System::nanoTime);
        r.resolve("x.test").get(5, TimeUnit.SECONDS);
        r.resolve("x.test").get(5, TimeUnit.SECONDS);
        assertEquals(2, r.lookups());
    }

    @Test
    void concurrentLookUpsOfOneNameAreCoalesced() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch entered = new CountDownLatch(1);
        InetAddress a = addr("127.0.0.6");
        AsyncResolver r = new AsyncResolver(h -> {
            entered.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new UnknownHostException("interrupted");
            }
            return new InetAddress[] {a};
        }, 30, 10, 10_000, 4, System::nanoTime);
        List<CompletableFuture<InetAddress[]>> fs = new ArrayList<>();
        for (int i = 0; i < 8; i++) fs.add(r.resolve("slow.test"));
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        for (CompletableFuture<InetAddress[]> f : fs) assertFalse(f.isDone());
        release.countDown();
        for (CompletableFuture<InetAddress[]> f : fs) assertArrayEquals(new InetAddress[] {a}, f.get(10, TimeUnit.SECONDS));
        assertEquals(1, r.lookups());
    }

    @Test
    void aLookUpThatHangsTimesOutAsUnknownHost() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AsyncResolver r = new AsyncResolver(h -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                // ends below
            }
            throw new UnknownHostException(h);
        }, 30, 10, 100, 1, System::nanoTime);
        try {
            ExecutionException e = assertThrows(ExecutionException.class, () -> r.resolve("hang.test").get(10, TimeUnit.SECONDS));
            assertInstanceOf(UnknownHostException.class, e.getCause());
            assertTrue(e.getCause().getMessage().contains("timed out"), e.getCause().getMessage());
        } finally {
            release.countDown();
        }
    }

    @Test
    void familiesAreInterleavedStartingWithTheFirst() throws Exception {
        InetAddress[] in = {addr("::2"), addr("::3"), addr("127.0.0.2"), addr("127.0.0.3"), addr("127.0.0.4")};
        List<InetSocketAddress> order = HappyEyeballs.interleave(in, 80, io.edgewise.sys.SocketOps.INET6);
        List<String> got = new ArrayList<>();
        for (InetSocketAddress isa : order) got.add(isa.getAddress().getHostAddress());
        assertEquals(List.of("0:0:0:0:0:0:0:2", "127.0.0.2", "0:0:0:0:0:0:0:3", "127.0.0.3", "127.0.0.4"), got);
        // an IPv4 socket skips IPv6 addresses
        assertEquals(3, HappyEyeballs.interleave(in, 80, io.edgewise.sys.SocketOps.INET).size());
    }
}
