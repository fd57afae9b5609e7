package io.edgewise.compat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * Watches the JVM's descriptors 0, 1 and 2 (surefire talks to Maven over stdin/stdout). A provider
 * that closes a descriptor twice, after the kernel reused its number, can close or hijack them: then
 * the fork dies "without saying goodbye" and the cause is invisible. This records what each of the
 * three points to at start, polls every 20 ms from a daemon thread, and appends every change (with
 * the test class running at that moment) to {@code target/compat-stdio-watch.log}.
 *
 * <p>Concurrency: {@link #changed} and {@link #currentClass} are volatile, written by the watch thread
 * and by JUnit's thread respectively; {@link #start()} is guarded by the class lock.
 */
final class StdioWatch {
    private static final Path LOG = Paths.get("target", "compat-stdio-watch.log");
    private static Thread thread;
    private static volatile String changed;
    static volatile String currentClass = "(none)";

    private StdioWatch() { }

    static synchronized void start() {
        if (thread != null || !Files.isDirectory(Paths.get("/proc/self/fd"))) {
            return;
        }
        String[] initial = targets();
        thread = new Thread(() -> watch(initial), "compat-stdio-watch");
        thread.setDaemon(true);
        thread.start();
    }

    /** Null while descriptors 0-2 point where they did at start; else what changed. */
    static String changed() {
        return changed;
    }

    private static void watch(String[] initial) {
        String[] last = initial.clone();
        while (true) {
            String[] now = targets();
            for (int fd = 0; fd < 3; fd++) {
                if (!now[fd].equals(last[fd])) {
                    String line = Instant.now() + " fd " + fd + ": " + last[fd] + " -> " + now[fd]
                            + " (was " + initial[fd] + " at start) during " + currentClass;
                    changed = line;
                    try {
                        Files.createDirectories(LOG.getParent());
                        Files.write(LOG, (line + System.lineSeparator()).getBytes(StandardCharsets.UTF_8),
                                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                    } catch (IOException e) {
                        // nowhere else to report it; the afterAll check still fails the class
                    }
                }
            }
            last = now;
            try {
                Thread.sleep(20); // polling an external state; there is nothing to wait on
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static String[] targets() {
        String[] t = new String[3];
        for (int fd = 0; fd < 3; fd++) {
            try {
                t[fd] = Files.readSymbolicLink(Paths.get("/proc/self/fd/" + fd)).toString();
            } catch (IOException e) {
                t[fd] = "closed";
            }
        }
        return t;
    }
}
