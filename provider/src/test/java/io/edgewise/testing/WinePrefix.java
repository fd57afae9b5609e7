package io.edgewise.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The one wine prefix the tests share ({@code target/wineprefix}, or {@code $WINEPREFIX}), made ready
 * before any test program runs in it by {@code scripts/wine-prefix.sh} (which says why a step of its own is
 * needed, and is the one place that makes prefixes: {@code scripts/iocp-probes.sh} calls it too). A failed
 * start in our own prefix is retried three times in a fresh prefix; a prefix given in {@code $WINEPREFIX}
 * gets one attempt and is never deleted.
 *
 * <p>Threads: {@link #environment} is synchronized on the class; {@code ready} is read and written under
 * that lock.
 */
public final class WinePrefix {
    private static final int ATTEMPTS = 3;
    /** Tests run with the provider module as working directory. */
    private static final Path SCRIPT = Paths.get("..", "scripts", "wine-prefix.sh").toAbsolutePath();
    private static Path ready;

    private WinePrefix() { }

    /**
     * The environment additions for running a program under {@code wine} in the ready prefix: WINEDEBUG,
     * WINEARCH, WINEPREFIX. Throws with every attempt's reason when the prefix cannot be made.
     */
    public static synchronized Map<String, String> environment(String wine) throws IOException, InterruptedException {
        String given = System.getenv("WINEPREFIX");
        Path prefix = given != null ? Path.of(given) : HeaderValues.outDir("wineprefix");
        Map<String, String> env = new HashMap<>();
        env.put("WINEDEBUG", "-all");
        env.put("WINEARCH", "win64");
        env.put("WINEPREFIX", prefix.toString());
        if (prefix.equals(ready)) return env;
        make(wine, null, env, given == null ? ATTEMPTS : 1);
        ready = prefix;
        return env;
    }

    /**
     * Runs {@code scripts/wine-prefix.sh} for {@code env}'s WINEPREFIX with this wine (and server, null for
     * the script's choice), at most {@code attempts} times; throws with the script's output when it fails.
     */
    static void make(String wine, String server, Map<String, String> env, int attempts)
            throws IOException, InterruptedException {
        Map<String, String> e = new HashMap<>(env);
        e.put("WINE", wine);
        if (server != null) e.put("WINESERVER", server);
        // the script bounds each step (280 s boot, 120 s wait, per attempt); this only catches a hung script
        HeaderValues.run(List.of("bash", SCRIPT.toString(), Integer.toString(attempts)), e, 500L * attempts);
    }
}
