package io.edgewise.wakeup;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A JVM of its own on this test's class path, for settings that are fixed per JVM (the backend, the
 * socket layer, the virtual-thread scheduler's size). It is killed when it outlives its time limit,
 * so a lost wake-up in the child fails the test instead of hanging the build.
 */
final class ChildJvm {
    /** The libkqueue the kqueue variants use: {@code -Dedgewise.test.libkqueue}, else shared/testing's. */
    static Path libkqueue() {
        String forced = System.getProperty("edgewise.test.libkqueue", System.getenv("KQUEUE_LIBRARY"));
        if (forced != null && !forced.isEmpty()) return Paths.get(forced);
        String already = System.getProperty("io.edgewise.kqueue.library");
        if (already != null && !already.isEmpty()) return Paths.get(already);
        // the project's root is the parent of provider/ (the test's working directory)
        Path root = Paths.get("").toAbsolutePath();
        if (root.getFileName() != null && root.getFileName().toString().equals("provider")) root = root.getParent();
        return root.resolveSibling("shared").resolve("testing").resolve("libkqueue").resolve("libkqueue.so.0");
    }

    static boolean hasLibkqueue() {
        return Files.isRegularFile(libkqueue());
    }

    /** System properties that run a child over kqueue on libkqueue. */
    static List<String> kqueueProperties() {
        return List.of("-Dio.edgewise.backend=kqueue", "-Dio.edgewise.kqueue.library=" + libkqueue());
    }

    /** What a finished child said. */
    static final class Result {
        final int exitCode;
        final String output;
        final boolean timedOut;

        Result(int exitCode, String output, boolean timedOut) {
            this.exitCode = exitCode;
            this.output = output;
            this.timedOut = timedOut;
        }

        @Override
        public String toString() {
            return (timedOut ? "KILLED after its time limit" : "exit " + exitCode) + "\n" + output;
        }
    }

    private ChildJvm() { }

    /**
     * Runs {@code main} with {@code jvmOptions} and {@code args}; stdout and stderr together. Edgewise's
     * own properties of this JVM are not inherited: each child names its backend and socket layer.
     */
    static Result run(Class<?> main, List<String> jvmOptions, int timeLimitSeconds, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Xmx256m");
        cmd.add("-XX:TieredStopAtLevel=1"); // short runs: start fast, spend little CPU compiling
        cmd.add("-Djava.nio.channels.spi.SelectorProvider=io.edgewise.EdgewiseSelectorProvider");
        String binding = System.getProperty("io.edgewise.binding");
        if (binding != null && !binding.isEmpty()) cmd.add("-Dio.edgewise.binding=" + binding);
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        for (String a : args) cmd.add(a);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread reader = new Thread(() -> copy(p.getInputStream(), out), "child-output");
        reader.setDaemon(true);
        reader.start();
        boolean finished = p.waitFor(timeLimitSeconds, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(5_000);
        String text;
        synchronized (out) {
            text = new String(out.toByteArray(), StandardCharsets.UTF_8);
        }
        return new Result(finished ? p.exitValue() : -1, text, !finished);
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] b = new byte[8192];
        try {
            int n;
            while ((n = in.read(b)) > 0) {
                synchronized (out) {
                    out.write(b, 0, n);
                }
            }
        } catch (IOException ignore) {
            // the child ended
        }
    }
}
