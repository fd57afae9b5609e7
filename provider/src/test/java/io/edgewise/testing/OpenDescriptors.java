package io.edgewise.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The process's open descriptors ({@code /proc/self/fd}), and the leak check every leak test shares.
 * Stateless.
 */
public final class OpenDescriptors {
    private static final Path FD_DIR = Path.of("/proc/self/fd");

    private OpenDescriptors() { }

    /** Work whose descriptors must all be closed again when it returns. */
    @FunctionalInterface
    public interface Work {
        void run() throws Exception;
    }

    /** What descriptor {@code fd} refers to ({@code /proc/self/fd} link target), or "closed". */
    public static String target(int fd) {
        try {
            return Files.readSymbolicLink(FD_DIR.resolve(Integer.toString(fd))).toString();
        } catch (IOException e) {
            return "closed";
        }
    }

    /**
     * Waits until descriptor {@code fd} no longer refers to {@code target} (closed, or the number reused), at most
     * {@code seconds}; returns what it refers to then. Polled: the change is a kernel state with no event to
     * wait on (a close made by whichever thread ends the last use).
     */
    public static String awaitNotTarget(int fd, String target, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        String now;
        while ((now = target(fd)).equals(target) && System.nanoTime() < deadline) {
            Thread.sleep(1);
        }
        return now;
    }

    /** Number of open descriptors of this process. */
    public static int count() {
        try (Stream<Path> s = Files.list(FD_DIR)) {
            return (int) s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * What the open descriptors refer to, as a multiset of {@code /proc/self/fd} link targets
     * ({@code socket:[inode]}, {@code pipe:[inode]}, {@code anon_inode:[eventpoll]}, a file path), each with
     * the number of descriptors open on it. A socket's or pipe's inode names one kernel object for as long
     * as any descriptor holds it, so two snapshots tell which objects were created in between and are
     * still open, whatever else the JVM opened or closed meanwhile.
     */
    public static Map<String, Integer> snapshot() {
        Map<String, Integer> out = new HashMap<>();
        try (Stream<Path> s = Files.list(FD_DIR)) {
            s.forEach(fd -> {
                try {
                    out.merge(Files.readSymbolicLink(fd).toString(), 1, Integer::sum);
                } catch (IOException e) {
                    // closed between the listing and the readlink (including the listing's own descriptor)
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * The descriptors open in {@code after} beyond those in {@code before} that the code under test can
     * make: sockets, pipes and anonymous inodes (epoll, eventfd). Files are left out: the JVM opens jars
     * and libraries of its own at any time.
     */
    public static List<String> added(Map<String, Integer> before, Map<String, Integer> after) {
        List<String> out = new ArrayList<>();
        after.forEach((target, n) -> {
            if (!(target.startsWith("socket:") || target.startsWith("pipe:") || target.startsWith("anon_inode:"))) {
                return;
            }
            int extra = n - before.getOrDefault(target, 0);
            for (int i = 0; i < extra; i++) {
                out.add(target);
            }
        });
        out.sort(null);
        return out;
    }

    /**
     * Runs {@code work} and asserts that it left none of its own descriptors open: every socket, pipe and
     * anonymous inode open afterwards was already open before (waiting up to 2 s for closes still in flight,
     * e.g. a deferred close on a thread that is leaving). One run decides: a descriptor the rest of the JVM
     * closes meanwhile does not hide a leak, and one it closes does not fail the test. Warm up (lazily
     * opened descriptors, pooled waiters, a provider's shared epoll) before calling this.
     */
    public static void assertNoLeak(String what, Work work) throws Exception {
        Map<String, Integer> before = snapshot();
        work.run();
        List<String> leaked = added(before, snapshot());
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (!leaked.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(1); // a bounded wait for an observable state, not synchronisation
            leaked = added(before, snapshot());
        }
        if (!leaked.isEmpty()) {
            fail(what + ": " + leaked.size() + " descriptor(s) made by the work still open: "
                    + (leaked.size() > 10 ? leaked.subList(0, 10) + " ..." : leaked));
        }
    }
}
