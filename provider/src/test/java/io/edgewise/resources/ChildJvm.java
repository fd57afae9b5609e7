package io.edgewise.resources;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@code main} of the test class path in a JVM of its own (the running JDK) and collects what
 * it printed. Used where a test needs a process-wide setting: a descriptor limit, a security manager,
 * a clean heap.
 */
final class ChildJvm {
    /** What the child printed, and how it ended. */
    static final class Result {
        final int exit;
        final String out;

        Result(int exit, String out) {
            this.exit = exit;
            this.out = out;
        }

        /** The value of the last line {@code "<key> <value>"}, or null. */
        String value(String key) {
            String v = null;
            for (String l : out.split("\n")) {
                if (l.startsWith(key + " ")) v = l.substring(key.length() + 1).trim();
            }
            return v;
        }

        @Override
        public String toString() {
            return "exit " + exit + ":\n" + out;
        }
    }

    private ChildJvm() { }

    /** The JVM flag that makes {@code SelectorProvider.provider()} the named one ("jdk" or "edgewise"). */
    static String providerFlag(String provider) {
        return "-Djava.nio.channels.spi.SelectorProvider="
                + (provider.equals("jdk") ? "sun.nio.ch.EPollSelectorProvider" : "io.edgewise.EdgewiseSelectorProvider");
    }

    static boolean prlimitAvailable() {
        return Files.isExecutable(Path.of("/usr/bin/prlimit"));
    }

    /**
     * Runs {@code main} with {@code jvmArgs}; {@code nofile} > 0 caps the child's descriptors with
     * {@code prlimit}. Stdout and stderr are merged. Fails after {@code seconds}.
     */
    static Result run(Class<?> main, int nofile, int seconds, List<String> jvmArgs, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        if (nofile > 0) {
            cmd.addAll(List.of("/usr/bin/prlimit", "--nofile=" + nofile + ":" + nofile, "--"));
        }
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main.getName());
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                in.transferTo(out);
            } catch (IOException ignore) {
                // the child ended
            }
        });
        pump.setDaemon(true);
        pump.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
            pump.join(5_000);
            throw new AssertionError("child " + main.getSimpleName() + " did not end within " + seconds
                    + " s; it printed:\n" + out.toString(StandardCharsets.UTF_8));
        }
        pump.join(5_000);
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
    }
}
