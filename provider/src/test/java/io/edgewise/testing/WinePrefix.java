package io.edgewise.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The one wine prefix the tests share ({@code target/wineprefix}, or {@code $WINEPREFIX}), made ready
 * before any test program runs in it.
 *
 * <p>Why a step of its own: wine creates a missing prefix inside the first program's start, and in CI
 * that start once failed half-way ({@code could not load kernel32.dll, status c0000135}, exit 53; the
 * cause was not found). That is the test machine failing, not the code under test. So
 * {@link #environment} runs {@code wineboot --init} on its own, waits for the wine server to
 * finish, checks the prefix's files, and on failure deletes the prefix and tries again (three attempts;
 * one for a prefix given in {@code $WINEPREFIX}, which is never deleted).
 *
 * <p>Threads: {@link #environment} is synchronized on the class; {@code ready} is read and written under
 * that lock.
 */
public final class WinePrefix {
    private static final int ATTEMPTS = 3;
    private static Path ready;

    private WinePrefix() { }

    /**
     * The environment additions for running a program under {@code wine} in the ready prefix: WINEDEBUG,
     * WINEARCH, WINEPREFIX. Throws with every attempt's output when the prefix cannot be made.
     */
    public static synchronized Map<String, String> environment(String wine) throws IOException, InterruptedException {
        String given = System.getenv("WINEPREFIX");
        Path prefix = given != null ? Path.of(given) : HeaderValues.outDir("wineprefix");
        Map<String, String> env = new HashMap<>();
        env.put("WINEDEBUG", "-all");
        env.put("WINEARCH", "win64");
        env.put("WINEPREFIX", prefix.toString());
        if (prefix.equals(ready)) return env;
        make(wine, server(wine), prefix, env, given == null ? ATTEMPTS : 1); // a caller's prefix is never deleted
        ready = prefix;
        return env;
    }

    /**
     * Runs {@code wine wineboot --init} until {@code prefix} is complete, at most {@code attempts} times,
     * killing the server and deleting the prefix between attempts; throws with each attempt's failure.
     */
    static void make(String wine, String server, Path prefix, Map<String, String> env, int attempts)
            throws IOException, InterruptedException {
        StringBuilder failures = new StringBuilder();
        for (int attempt = 1; attempt <= attempts; attempt++) {
            try {
                if (!complete(prefix)) HeaderValues.run(List.of(wine, "wineboot", "--init"), env, 280);
                if (server != null) HeaderValues.run(List.of(server, "-w"), env, 120); // wineboot's children end
                if (complete(prefix)) return;
                failures.append("attempt ").append(attempt).append(": wineboot left no complete prefix\n");
            } catch (IOException e) {
                failures.append("attempt ").append(attempt).append(": ").append(e.getMessage()).append('\n');
            }
            killServer(server, env);
            if (attempt < attempts) {
                deleteTree(prefix);
                Files.createDirectories(prefix);
            }
        }
        throw new IOException("wine prefix " + prefix + " could not be made:\n" + failures);
    }

    /** The files a finished {@code wineboot --init} leaves: the registry and the 64-bit kernel32. */
    static boolean complete(Path prefix) {
        return Files.isRegularFile(prefix.resolve("system.reg"))
                && Files.isRegularFile(prefix.resolve("drive_c/windows/system32/kernel32.dll"));
    }

    private static void killServer(String server, Map<String, String> env) throws InterruptedException {
        if (server == null) return;
        try {
            HeaderValues.run(List.of(server, "-k"), env, 60);
        } catch (IOException e) {
            // no server was running
        }
    }

    /** The wineserver that goes with this wine loader (wine64 pairs with wineserver64). */
    private static String server(String wine) {
        Path dir = Path.of(wine).getParent();
        String name = Path.of(wine).getFileName().toString().endsWith("64") ? "wineserver64" : "wineserver";
        return HeaderValues.tool(dir == null ? name : dir.resolve(name).toString(), name, "wineserver");
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) Files.deleteIfExists(p);
        }
    }
}
