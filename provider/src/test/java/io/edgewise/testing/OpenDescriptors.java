package io.edgewise.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The process's open descriptors ({@code /proc/self/fd}), and the leak check every leak test shares.
 * Stateless.
 */
public final class OpenDescriptors {
    private OpenDescriptors() { }

    /** Work whose descriptors must all be closed again when it returns. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    /** Number of open descriptors of this process. */
    public static int count() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return (int) s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs {@code work} and asserts that the descriptor count is the same afterwards (waiting up to 2 s
     * for closes still in flight to land). The count is the whole process's, so a descriptor that
     * something else in the JVM opens or closes at the same moment (a cleaner, a class-path jar) shifts
     * it once; a leak or a double close shifts it in every attempt. Up to three attempts, then the last
     * difference fails. Warm up (lazily opened descriptors, pooled waiters) before calling this.
     */
    public static void assertNoLeak(String what, Work work) throws Exception {
        int before = 0, after = 0;
        for (int attempt = 0; attempt < 3; attempt++) {
            before = count();
            work.run();
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (count() > before && System.nanoTime() < deadline) {
                Thread.sleep(1); // a bounded wait for an observable count, not synchronisation
            }
            after = count();
            if (after == before) {
                return;
            }
        }
        assertEquals(before, after, what + ": open descriptors before/after, in three attempts");
    }
}
