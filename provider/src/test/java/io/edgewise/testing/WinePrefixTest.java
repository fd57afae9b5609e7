package io.edgewise.testing;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link WinePrefix#make} ({@code scripts/wine-prefix.sh}) with stand-in {@code wine} and {@code wineserver}
 * scripts: a first start that fails the way wine's once did in CI is retried in a fresh prefix; a prefix
 * that never completes fails with every attempt's reason; one attempt (a caller's prefix) deletes nothing;
 * a complete prefix is not booted again.
 */
class WinePrefixTest {
    @TempDir
    Path dir;

    /** The prefix every test makes ({@code $WINEPREFIX} of the script's runs). */
    private Path prefix;

    @BeforeEach
    void makePrefixDirectory() throws IOException {
        prefix = Files.createDirectories(dir.resolve("prefix"));
    }

    /** A wine stand-in: counts its calls; fails (exit 53, leaving a stray file) the first {@code failures}. */
    private Path wine(int failures) throws IOException {
        return script("wine", "n=$(cat \"" + dir.resolve("calls") + "\" 2>/dev/null || echo 0); n=$((n+1))\n"
                + "echo $n > \"" + dir.resolve("calls") + "\"\n"
                + "touch \"$WINEPREFIX/stray\"\n"
                + "if [ $n -le " + failures + " ]; then echo 'wine: could not load kernel32.dll, status c0000135' >&2;"
                + " exit 53; fi\n"
                + "mkdir -p \"$WINEPREFIX/drive_c/windows/system32\"\n"
                + "touch \"$WINEPREFIX/system.reg\" \"$WINEPREFIX/drive_c/windows/system32/kernel32.dll\"\n");
    }

    private Path script(String name, String body) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
        return p;
    }

    private int calls() throws IOException {
        return Integer.parseInt(Files.readString(dir.resolve("calls")).trim());
    }

    /** A wineserver stand-in that always succeeds. */
    private Path server() throws IOException {
        return script("wineserver", "exit 0\n");
    }

    private void make(Path wine, Path server, int attempts) throws IOException, InterruptedException {
        WinePrefix.make(wine.toString(), server.toString(), Map.of("WINEPREFIX", prefix.toString()), attempts);
    }

    private static boolean complete(Path prefix) {
        return Files.isRegularFile(prefix.resolve("system.reg"))
                && Files.isRegularFile(prefix.resolve("drive_c/windows/system32/kernel32.dll"));
    }

    @Test
    void aFailedFirstStartIsRetriedInAFreshPrefix() throws Exception {
        make(wine(1), server(), 3);
        assertEquals(2, calls(), "one failed start, one good one");
        assertTrue(complete(prefix));
    }

    @Test
    void aPrefixThatNeverCompletesFailsWithEveryAttempt() throws Exception {
        IOException e = assertThrows(IOException.class, () -> make(wine(99), server(), 3));
        assertEquals(3, calls());
        String m = e.getMessage();
        assertTrue(m.contains("attempt 1:") && m.contains("attempt 2:") && m.contains("attempt 3:"), m);
        assertTrue(m.contains("could not load kernel32.dll"), m);
        assertTrue(Files.exists(prefix.resolve("stray")), "the last attempt's prefix is kept for inspection");
    }

    @Test
    void aBrokenPrefixIsDeletedBeforeTheNextAttempt() throws Exception {
        Files.writeString(prefix.resolve("half-made"), "x");
        make(wine(1), server(), 3);
        assertFalse(Files.exists(prefix.resolve("half-made")), "the failed attempt's prefix was deleted");
    }

    @Test
    void oneAttemptNeverDeletesThePrefix() throws Exception {
        Files.writeString(prefix.resolve("theirs"), "x");
        assertThrows(IOException.class, () -> make(wine(1), server(), 1));
        assertEquals(1, calls());
        assertTrue(Files.exists(prefix.resolve("theirs")), "a prefix given in $WINEPREFIX is kept");
    }

    @Test
    void aCompletePrefixIsNotBootedAgain() throws Exception {
        Path server = server();
        Path wine = wine(0);
        make(wine, server, 3);
        make(wine, server, 3);
        assertEquals(1, calls());
    }

    @Test
    void aServerThatDoesNotEndFailsTheAttempt() throws Exception {
        Path server = script("wineserver", "[ \"$1\" = -w ] && exit 1; exit 0\n");
        IOException e = assertThrows(IOException.class, () -> make(wine(0), server, 2));
        assertTrue(e.getMessage().contains("attempt 2:"), e.getMessage());
    }
}
