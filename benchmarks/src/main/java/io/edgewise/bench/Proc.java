package io.edgewise.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child process whose output lines are logged and queued for the harness.
 *
 * <p>Concurrency: one pump thread per stream appends to {@code lines} (a concurrent queue) and to
 * {@code all} and {@code log} under {@code this}'s monitor; the harness thread consumes the queue.
 */
final class Proc implements AutoCloseable {
    private static final String EOF = "\u0000EOF";
    final Process process;
    final String name;
    private final LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> all = new ArrayList<>();
    private final Writer log;
    private final PrintWriter stdin;
    private int openStreams;

    Proc(String name, List<String> cmd, Path logFile, boolean mergeStderr) throws IOException {
        this.name = name;
        Files.createDirectories(logFile.getParent());
        log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8);
        log.write("# " + String.join(" ", cmd) + "\n");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(mergeStderr);
        process = pb.start();
        stdin = new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        pump(process.getInputStream(), "");
        if (!mergeStderr) {
            pump(process.getErrorStream(), "ERR ");
        }
    }

    private void pump(java.io.InputStream s, String prefix) {
        synchronized (this) {
            openStreams++;
        }
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(s, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    synchronized (this) {
                        all.add(prefix + line);
                        log.write(prefix + line + "\n");
                    }
                    lines.add(prefix + line);
                }
            } catch (IOException ignored) {
                // process gone
            } finally {
                synchronized (this) {
                    if (--openStreams == 0) {
                        lines.add(EOF);
                    }
                }
            }
        }, "pump-" + name);
        t.setDaemon(true);
        t.start();
    }

    /** Next line starting with {@code prefix} (others are skipped), or null on timeout / end of output. */
    String await(String prefix, long timeoutMs) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            long left = deadline - System.nanoTime();
            String l = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (l == null) {
                return null;
            }
            if (l.equals(EOF)) {
                lines.add(EOF);
                return null;
            }
            if (l.startsWith(prefix)) {
                return l;
            }
        }
    }

    /** Lines (queued and not yet consumed) that start with {@code prefix}, up to end of output. */
    List<String> drain(String prefix, long timeoutMs) throws InterruptedException {
        List<String> r = new ArrayList<>();
        String l;
        while ((l = await(prefix, timeoutMs)) != null) {
            r.add(l);
        }
        return r;
    }

    void send(String line) {
        stdin.println(line);
    }

    /** Exit status, or -1 after killing a process that did not end in time. */
    int waitExit(long timeoutMs) throws InterruptedException {
        if (!process.waitFor(timeoutMs, TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            return -1;
        }
        return process.exitValue();
    }

    synchronized String tail(int n) {
        return String.join("\n", all.subList(Math.max(0, all.size() - n), all.size()));
    }

    synchronized boolean saw(String prefix) {
        return seen(prefix) != null;
    }

    /** The first line printed so far that starts with {@code prefix} (consumed by {@link #await} or not), or null. */
    synchronized String seen(String prefix) {
        return all.stream().filter(s -> s.startsWith(prefix)).findFirst().orElse(null);
    }

    @Override
    public void close() throws IOException {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
        stdin.close();
        synchronized (this) {
            log.close();
        }
    }
}
