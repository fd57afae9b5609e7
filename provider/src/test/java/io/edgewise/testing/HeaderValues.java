package io.edgewise.testing;

import java.io.File;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * For layout tests that are not circular: builds a C program under {@code src/test/c/layouts} that
 * prints {@code NAME=value} lines taken from real headers (or, where no header can be compiled here,
 * from declarations written from a cited source), runs it, and compares with the Java constants read by
 * reflection. Returns null from {@link #tool} when a compiler or runner is missing, so tests can skip
 * with the reason.
 */
public final class HeaderValues {
    private HeaderValues() { }

    /** The first of {@code candidates} that is an executable file or a command on PATH, or null. */
    public static String tool(String... candidates) {
        for (String c : candidates) {
            if (c.indexOf('/') >= 0) {
                if (new File(c).canExecute()) return c;
                continue;
            }
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                File f = new File(dir, c);
                if (f.canExecute()) return f.getPath();
            }
        }
        return null;
    }

    /** Runs a command (environment additions in {@code env}); its stdout, or throws with its output. */
    public static String run(List<String> cmd, Map<String, String> env, long timeoutSeconds)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
        pb.environment().putAll(env);
        Path err = Files.createTempFile("edgewise-tool", ".err");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("timed out: " + cmd);
        }
        String stderr = Files.readString(err);
        Files.deleteIfExists(err);
        if (p.exitValue() != 0) {
            throw new IOException(cmd + " exited " + p.exitValue() + ":\n" + new String(out, StandardCharsets.UTF_8)
                    + stderr);
        }
        return new String(out, StandardCharsets.UTF_8);
    }

    /** The {@code NAME=value} lines of a printer's output; the last line must be {@code END}. */
    public static Map<String, Long> parse(String out) {
        Map<String, Long> m = new LinkedHashMap<>();
        boolean end = false;
        for (String line : out.split("\r?\n")) {
            line = line.trim();
            if (line.equals("END")) {
                end = true;
            } else if (line.indexOf('=') > 0) {
                int i = line.indexOf('=');
                m.put(line.substring(0, i), Long.parseLong(line.substring(i + 1)));
            }
        }
        if (!end) throw new IllegalStateException("printer output incomplete (no END line):\n" + out);
        return m;
    }

    /** The C sources of the layout printers (tests run with the provider module as working directory). */
    public static Path source(String name) {
        return Paths.get("src", "test", "c", "layouts", name).toAbsolutePath();
    }

    /** A scratch directory under the module's target. */
    public static Path outDir(String name) throws IOException {
        return Files.createDirectories(Paths.get("target", name).toAbsolutePath());
    }

    /** Public or private static final int/long/short fields of a class, by name (prefixed when asked). */
    public static Map<String, Long> constants(Class<?> c, String prefix) throws IllegalAccessException {
        Map<String, Long> m = new LinkedHashMap<>();
        for (Field f : c.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (!Modifier.isStatic(mod) || !Modifier.isFinal(mod)) continue;
            Class<?> t = f.getType();
            if (t != int.class && t != long.class && t != short.class) continue;
            f.setAccessible(true);
            m.put(prefix + f.getName(), ((Number) f.get(null)).longValue());
        }
        return m;
    }

    /**
     * Compares Java values with header values; a C value is cut to the Java field's width by the caller
     * ({@code widths}: 2, 4 or 8 bytes per name; default 4). Returns the mismatches and the Java names
     * that have no header value, one line each.
     */
    public static List<String> compare(Map<String, Long> java, Map<String, Long> header, Map<String, Integer> widths) {
        List<String> bad = new ArrayList<>();
        for (Map.Entry<String, Long> e : java.entrySet()) {
            Long h = header.get(e.getKey());
            if (h == null) {
                bad.add(e.getKey() + ": no value from the headers (add it to the printer, or document it)");
                continue;
            }
            int w = widths.getOrDefault(e.getKey(), 4);
            long hv = w == 8 ? h : w == 2 ? (short) (long) h : (int) (long) h;
            long jv = e.getValue();
            if (hv != jv) bad.add(e.getKey() + ": Java " + jv + ", headers " + hv);
        }
        return bad;
    }
}
