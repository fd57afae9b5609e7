package io.edgewise.resolve;

import io.edgewise.sys.Platform;
import io.edgewise.sys.Settings;
import io.edgewise.sys.SystemProps;
import java.lang.reflect.Method;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Name resolution that never blocks the caller: literal addresses and cached names answer inline;
 * other names go to a bounded pool (virtual threads on JDK 21+, daemon platform threads before), with
 * concurrent look-ups of one name coalesced into one, positive and negative caching for
 * {@code networkaddress.cache.ttl} / {@code networkaddress.cache.negative.ttl} (security properties,
 * then the {@code sun.net.inetaddr.ttl} / {@code sun.net.inetaddr.negative.ttl} system properties, then
 * the JDK's defaults 30 s / 10 s; {@code -1} = forever, {@code 0} = no caching), and a look-up timeout
 * ({@code io.edgewise.resolve.timeoutMillis}, default 10,000) after which the waiting connects fail
 * with {@link UnknownHostException} — the look-up itself cannot be interrupted and finishes on its
 * pool thread (its result is still cached).
 *
 * <p>Threads: {@code cache} and {@code inflight} are concurrent maps; an in-flight future is removed
 * after its result is cached, so a caller finds either one or the other. {@code DEFAULT} is volatile.
 */
public final class AsyncResolver {
    private static volatile AsyncResolver DEFAULT;

    /** The resolver connects use (created on first use with the default name service). */
    public static AsyncResolver get() {
        AsyncResolver r = DEFAULT;
        if (r == null) {
            synchronized (AsyncResolver.class) {
                r = DEFAULT;
                if (r == null) {
                    r = DEFAULT = new AsyncResolver(InetAddress::getAllByName);
                }
            }
        }
        return r;
    }

    /** Replaces the resolver connects use (e.g. with another {@link NameService}); returns the previous. */
    public static synchronized AsyncResolver install(AsyncResolver r) {
        AsyncResolver old = DEFAULT;
        DEFAULT = r;
        return old;
    }

    private static final class Entry {
        final InetAddress[] addresses;
        final UnknownHostException failure;
        final long expires; // clock value; Long.MAX_VALUE = forever

        Entry(InetAddress[] a, UnknownHostException f, long expires) {
            this.addresses = a;
            this.failure = f;
            this.expires = expires;
        }
    }

    private final NameService names;
    private final long positiveTtlNanos, negativeTtlNanos; // -1 forever, 0 none
    private final long timeoutMillis;
    private final LongSupplier clock;
    private final ThreadPoolExecutor pool;
    private final ConcurrentHashMap<String, Entry> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<InetAddress[]>> inflight = new ConcurrentHashMap<>();
    private final AtomicInteger lookups = new AtomicInteger();

    /** A resolver with the JVM's cache policy, and the platform's timeout and pool size. */
    public AsyncResolver(NameService names) {
        this(names, Platform.current().settings());
    }

    /**
     * A resolver with the JVM's cache policy, and the look-up timeout and pool size of {@code settings}
     * ({@code io.edgewise.resolve.timeoutMillis}, {@code io.edgewise.resolve.threads}).
     */
    public AsyncResolver(NameService names, Settings settings) {
        this(names, ttl("networkaddress.cache.ttl", "sun.net.inetaddr.ttl", 30),
                ttl("networkaddress.cache.negative.ttl", "sun.net.inetaddr.negative.ttl", 10),
                settings.resolveTimeoutMillis(), settings.resolveThreads(), System::nanoTime);
    }

    /**
     * A resolver with an explicit policy: TTLs in seconds ({@code -1} forever, {@code 0} none), the
     * look-up timeout, the most look-ups at once, and the clock (nanoseconds) the cache expires by.
     */
    public AsyncResolver(NameService names, long positiveTtlSeconds, long negativeTtlSeconds, long timeoutMillis,
                         int maxConcurrent, LongSupplier clock) {
        this.names = names;
        this.positiveTtlNanos = positiveTtlSeconds < 0 ? -1 : TimeUnit.SECONDS.toNanos(positiveTtlSeconds);
        this.negativeTtlNanos = negativeTtlSeconds < 0 ? -1 : TimeUnit.SECONDS.toNanos(negativeTtlSeconds);
        this.timeoutMillis = timeoutMillis;
        this.clock = clock;
        this.pool = new ThreadPoolExecutor(maxConcurrent, maxConcurrent, 30, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), threadFactory());
        this.pool.allowCoreThreadTimeOut(true);
    }

    private static long ttl(String securityProperty, String systemProperty, long dflt) {
        String v = SystemProps.security(securityProperty);
        if (v == null) v = SystemProps.get(systemProperty);
        if (v == null) return dflt;
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** Virtual threads on JDK 21+ (a look-up parks or pins one for its duration), daemon threads before. */
    private static ThreadFactory threadFactory() {
        try {
            Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
            Class<?> b = Class.forName("java.lang.Thread$Builder");
            builder = b.getMethod("name", String.class, long.class).invoke(builder, "edgewise-resolver-", 0L);
            Method factory = b.getMethod("factory");
            return (ThreadFactory) factory.invoke(builder);
        } catch (ReflectiveOperationException | RuntimeException e) {
            AtomicInteger n = new AtomicInteger();
            return r -> {
                Thread t = new Thread(r, "edgewise-resolver-" + n.getAndIncrement());
                t.setDaemon(true);
                return t;
            };
        }
    }

    /** How many times the name service was called (look-ups not answered by literal, cache or coalescing). */
    public int lookups() {
        return lookups.get();
    }

    /**
     * The answer available without a look-up: the literal's address, or the cached addresses; throws
     * a cached failure; {@code null} when a look-up is needed.
     */
    public InetAddress[] cached(String host) throws UnknownHostException {
        InetAddress literal = literal(host);
        if (literal != null) {
            return new InetAddress[] {literal};
        }
        Entry e = cache.get(key(host));
        if (e == null) {
            return null;
        }
        if (e.expires != Long.MAX_VALUE && clock.getAsLong() - e.expires >= 0) {
            cache.remove(key(host), e);
            return null;
        }
        if (e.failure != null) {
            throw copy(e.failure);
        }
        return e.addresses.clone();
    }

    /** Resolves without blocking: the future is complete at once for literals and cached names. */
    public CompletableFuture<InetAddress[]> resolve(String host) {
        try {
            InetAddress[] a = cached(host);
            if (a != null) {
                return CompletableFuture.completedFuture(a);
            }
        } catch (UnknownHostException e) {
            return CompletableFuture.failedFuture(e);
        }
        String key = key(host);
        CompletableFuture<InetAddress[]> shared = inflight.computeIfAbsent(key, k -> startLookup(host, k));
        // each caller gets its own future: its timeout or cancellation must not touch the shared look-up
        CompletableFuture<InetAddress[]> mine = new CompletableFuture<>();
        ScheduledFuture<?> timeout = Timers.schedule(() -> mine.completeExceptionally(
                new UnknownHostException(host + ": look-up timed out after " + timeoutMillis + " ms")), timeoutMillis);
        shared.whenComplete((a, t) -> {
            timeout.cancel(false);
            if (t != null) mine.completeExceptionally(t);
            else mine.complete(a.clone());
        });
        return mine;
    }

    /** Resolves on the calling thread (blocking-mode connect): cache first, then the name service. */
    public InetAddress[] resolveNow(String host) throws UnknownHostException {
        InetAddress[] a = cached(host);
        if (a != null) {
            return a;
        }
        lookups.incrementAndGet();
        try {
            a = names.lookup(host);
            store(key(host), a, null);
            return a.clone();
        } catch (UnknownHostException e) {
            store(key(host), null, e);
            throw e;
        }
    }

    private CompletableFuture<InetAddress[]> startLookup(String host, String key) {
        CompletableFuture<InetAddress[]> f = new CompletableFuture<>();
        pool.execute(() -> {
            lookups.incrementAndGet();
            try {
                InetAddress[] a = names.lookup(host);
                if (a == null || a.length == 0) throw new UnknownHostException(host);
                store(key, a, null);
                inflight.remove(key, f);
                f.complete(a);
            } catch (UnknownHostException e) {
                store(key, null, e);
                inflight.remove(key, f);
                f.completeExceptionally(e);
            } catch (Throwable t) {
                inflight.remove(key, f); // not a name failure: not cached
                UnknownHostException u = new UnknownHostException(host + ": " + t);
                u.initCause(t);
                f.completeExceptionally(u);
            }
        });
        return f;
    }

    private void store(String key, InetAddress[] a, UnknownHostException failure) {
        long ttl = failure == null ? positiveTtlNanos : negativeTtlNanos;
        if (ttl == 0) {
            return;
        }
        long expires = ttl < 0 ? Long.MAX_VALUE : clock.getAsLong() + ttl;
        cache.put(key, new Entry(a, failure, expires));
    }

    private static String key(String host) {
        return host.toLowerCase(Locale.ROOT);
    }

    private static UnknownHostException copy(UnknownHostException e) {
        UnknownHostException c = new UnknownHostException(e.getMessage());
        c.initCause(e);
        return c;
    }

    /** An IPv4 dotted quad or an IPv6 literal (with or without brackets), else null; never a look-up. */
    static InetAddress literal(String host) {
        if (host.isEmpty()) {
            return null;
        }
        if (host.indexOf(':') >= 0) {
            String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            try {
                InetAddress a = InetAddress.getByName(h); // a string with ':' is parsed, never looked up
                return a instanceof Inet6Address || a != null ? a : null;
            } catch (UnknownHostException e) {
                return null;
            }
        }
        byte[] b = new byte[4];
        int part = 0, value = -1;
        for (int i = 0; i <= host.length(); i++) {
            char c = i < host.length() ? host.charAt(i) : '.';
            if (c == '.') {
                if (value < 0 || part == 4) return null;
                b[part++] = (byte) value;
                value = -1;
            } else if (c >= '0' && c <= '9') {
                value = value < 0 ? c - '0' : value * 10 + (c - '0');
                if (value > 255) return null;
            } else {
                return null;
            }
        }
        if (part != 4) return null;
        try {
            return InetAddress.getByAddress(b);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
