package io.edgewise.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.backend.Backends;
import io.edgewise.sys.posix.Binding;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every {@code io.edgewise.*} property is read in {@link Settings} and nowhere else, documented in
 * docs/configuration.md with its real default, and the {@link Platform} made from them is made once.
 * (Tests run with provider/ as the working directory.)
 */
@Timeout(60)
class SettingsTest {
    private static final Path MAIN = Paths.get("src", "main");
    private static final Path DOC = Paths.get("..", "docs", "configuration.md");

    /** A string literal: what is between two unescaped quotes on one line. */
    private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");
    /** A dotted name under io.edgewise whose last part starts in lower case: a property, or a package. */
    private static final Pattern PROPERTY_LIKE = Pattern.compile("io\\.edgewise(\\.[a-z][A-Za-z0-9]*)+");
    /** Reads that bypass {@link SystemProps} (and its privileges). */
    private static final Pattern UNPRIVILEGED = Pattern.compile("\\b(Boolean\\.getBoolean|Integer\\.getInteger|Long\\.getLong)\\(");

    @Test
    void noOtherClassNamesAnEdgewiseProperty() throws IOException {
        List<String> offences = new ArrayList<>();
        Path settings = MAIN.resolve(Paths.get("java", "io", "edgewise", "sys", "Settings.java"));
        List<Path> sources;
        try (Stream<Path> s = Files.walk(MAIN)) {
            sources = s.filter(p -> p.toString().endsWith(".java")).collect(Collectors.toList());
        }
        assertTrue(sources.size() > 100, "found the main sources under " + MAIN.toAbsolutePath());
        for (Path p : sources) {
            if (p.equals(settings)) continue;
            List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                Matcher m = LITERAL.matcher(line);
                while (m.find()) {
                    String text = m.group(1);
                    if (PROPERTY_LIKE.matcher(text).matches() && !isPackage(text)) {
                        offences.add(p + ":" + (i + 1) + ": \"" + text + "\"");
                    }
                }
                if (UNPRIVILEGED.matcher(line).find()) {
                    offences.add(p + ":" + (i + 1) + ": " + line.trim());
                }
            }
        }
        assertEquals(List.of(), offences, "io.edgewise.* properties are read in sys/Settings.java only"
                + " (and document them in docs/configuration.md)");
    }

    private static boolean isPackage(String dotted) {
        return Files.isDirectory(MAIN.resolve("java").resolve(dotted.replace('.', '/')));
    }

    /** The property constants of {@link Settings}: every io.edgewise.* name it reads. */
    private static List<String> propertyNames() throws IllegalAccessException {
        List<String> names = new ArrayList<>();
        for (Field f : Settings.class.getDeclaredFields()) {
            int mod = f.getModifiers();
            if (Modifier.isStatic(mod) && Modifier.isPublic(mod) && f.getType() == String.class) {
                String v = (String) f.get(null);
                if (v.startsWith("io.edgewise.")) names.add(v);
            }
        }
        return names;
    }

    /** "io.edgewise.resolve.timeoutMillis" is the component or method "resolveTimeoutMillis". */
    static String member(String property) {
        String[] parts = property.substring("io.edgewise.".length()).split("\\.");
        StringBuilder b = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.length; i++) {
            b.append(Character.toUpperCase(parts[i].charAt(0))).append(parts[i], 1, parts[i].length());
        }
        return b.toString();
    }

    /** The table of docs/configuration.md: property to {default, read}. */
    private static Map<String, String[]> docTable() throws IOException {
        Pattern row = Pattern.compile("^\\| `(io\\.edgewise\\.[^`]+)` \\| ([^|]+) \\| ([^|]+) \\|");
        Map<String, String[]> table = new TreeMap<>();
        for (String line : Files.readAllLines(DOC, StandardCharsets.UTF_8)) {
            Matcher m = row.matcher(line);
            if (m.find()) {
                table.put(m.group(1), new String[] {m.group(2).trim(), m.group(3).trim()});
            }
        }
        return table;
    }

    /** How the table writes a default: `value`, `""`, or unset. */
    private static String documented(Object value) {
        if (value == null) return "unset";
        return "`" + (value.equals("") ? "\"\"" : value) + "`";
    }

    @Test
    void docTableListsEveryPropertyWithItsDefault() throws Exception {
        Map<String, String[]> table = docTable();
        List<String> names = propertyNames();
        assertEquals(new TreeSet<>(names), table.keySet(), "docs/configuration.md lists exactly Settings' properties");

        Settings defaults = Settings.read(name -> null);
        Map<String, RecordComponent> components = new HashMap<>();
        for (RecordComponent c : Settings.class.getRecordComponents()) components.put(c.getName(), c);
        assertEquals(names.size() - 10, components.size(), "ten properties are read on use (the io_uring ready poller choice and the virtual-thread pollers' at their first use; level 2's sends, their pool, the buffer mode, DEFER_TASKRUN rings and bulk streams when a ring selector is made), the rest at start");
        for (String name : names) {
            String[] row = table.get(name);
            RecordComponent c = components.get(member(name));
            Object dflt;
            if (c != null) {
                dflt = c.getAccessor().invoke(defaults);
                assertTrue(row[1].startsWith("at start"), name + " is read at start: " + row[1]);
            } else {
                Method live = Settings.class.getDeclaredMethod(member(name), UnaryOperator.class);
                UnaryOperator<String> unset = n -> null;
                dflt = live.invoke(null, unset);
                assertFalse(row[1].startsWith("at start"), name + " is read at each use: " + row[1]);
            }
            assertEquals(documented(dflt), row[0], name + "'s documented default");
        }
    }

    @Test
    void readsEachPropertyAsTheJdkParsesIt() {
        Map<String, String> p = new HashMap<>();
        p.put(Settings.BACKEND, "kqueue");
        p.put(Settings.BINDING, " JNA ");
        p.put(Settings.SOCKETOPS, "posix");
        p.put(Settings.KQUEUE_LIBRARY, "/lib/k.so");
        p.put(Settings.VERBOSE, "TRUE");
        p.put(Settings.RESOLVE_TIMEOUT_MILLIS, "0x10");
        p.put(Settings.RESOLVE_THREADS, "seven"); // malformed: the default
        p.put(Settings.CONNECT_STAGGER_MILLIS, "100");
        p.put(Settings.VIRTUAL_THREAD_PARKING, "no");
        p.put(Settings.JMX, "false");
        p.put(Settings.JFR, "FALSE"); // only "false" turns JFR off
        p.put(Settings.SPIN_THRESHOLD, "3");
        p.put(Settings.AGENT_JNA, "/x/jna.jar");
        p.put(Settings.URING_STRICT, "True");
        p.put(Settings.URING_TEST_PROBE_FAILURE, "planted");
        p.put(Settings.WINDOWS_TEST_LIBRARY, "/t/stub.so");
        p.put(Settings.URING_IO, "TRUE");
        assertEquals(new Settings("kqueue", " JNA ", "posix", "/lib/k.so", true, 16, 4, 100, false, "false", true, 3,
                "/x/jna.jar", true, "planted", "/t/stub.so", true), Settings.read(p::get));

        p.put(Settings.ANOMALY_MILLIS, " 25 ");
        p.put(Settings.KQUEUE_WAKEUP, "pipe");
        assertEquals(25, Settings.anomalyMillis(p::get));
        assertEquals("pipe", Settings.kqueueWakeup(p::get));
        assertEquals("", Settings.uringTestBufferRing(p::get));
        p.put(Settings.URING_TEST_BUFFER_RING, "4x512");
        assertEquals("4x512", Settings.uringTestBufferRing(p::get));
        assertTrue(Settings.uringSend(p::get), "level 2 sends unless told not to");
        p.put(Settings.URING_SEND, "FALSE");
        assertFalse(Settings.uringSend(p::get));
        assertEquals(64L << 20, Settings.uringSendPoolBytes(p::get));
        p.put(Settings.URING_SEND_POOL_BYTES, " 1048576 ");
        assertEquals(1L << 20, Settings.uringSendPoolBytes(p::get));
        p.put(Settings.URING_SEND_POOL_BYTES, "1M"); // malformed: the default
        assertEquals(64L << 20, Settings.uringSendPoolBytes(p::get));
        assertEquals("", Settings.uringTestBufferMode(p::get));
        p.put(Settings.URING_TEST_BUFFER_MODE, "plain");
        assertEquals("plain", Settings.uringTestBufferMode(p::get));
        assertTrue(Settings.uringDeferTaskrun(p::get), "level 2's rings are DEFER_TASKRUN ones unless set");
        p.put(Settings.URING_DEFER_TASKRUN, "false");
        assertFalse(Settings.uringDeferTaskrun(p::get));
        assertEquals("auto", Settings.virtualThreadPollers(p::get));
        p.put(Settings.VIRTUAL_THREAD_POLLERS, "platform");
        assertEquals("platform", Settings.virtualThreadPollers(p::get));
        p.put(Settings.VIRTUAL_THREAD_POLLERS, "virtual");
        assertEquals("virtual", Settings.virtualThreadPollers(p::get));
        p.put(Settings.VIRTUAL_THREAD_POLLERS, "Virtual");
        assertEquals("auto", Settings.virtualThreadPollers(p::get), "anything else is the default");
        p.put(Settings.ANOMALY_MILLIS, "0x10"); // parsed as a plain decimal, as before
        assertEquals(1000, Settings.anomalyMillis(p::get));
    }

    @Test
    void platformIsMadeOnceAndItsPartsAgree() {
        Platform p = Platform.current();
        assertSame(p, Platform.current());
        assertEquals(System.getProperty("os.name"), p.os());
        assertEquals(System.getProperty("os.arch"), p.arch());
        assertEquals(Backends.name(), p.backend());
        assertEquals(Binding.name(), p.binding());
        assertEquals(Settings.fromSystem(), p.settings(), "no test changed a property read at start");
    }

    @Test
    void aPropertySetAfterStartChangesNothingButTheLiveOnes() {
        Platform p = Platform.current();
        Settings before = p.settings();
        String spin = System.getProperty(Settings.SPIN_THRESHOLD);
        String wakeup = System.getProperty(Settings.KQUEUE_WAKEUP);
        try {
            System.setProperty(Settings.SPIN_THRESHOLD, Long.toString(before.spinThreshold() + 1));
            System.setProperty(Settings.KQUEUE_WAKEUP, "pipe");
            assertSame(p, Platform.current());
            assertEquals(before.spinThreshold(), Platform.current().settings().spinThreshold(), "read once");
            assertEquals("pipe", Settings.kqueueWakeup(), "read at each kqueue selector's open");
        } finally {
            restore(Settings.SPIN_THRESHOLD, spin);
            restore(Settings.KQUEUE_WAKEUP, wakeup);
        }
    }

    private static void restore(String name, String value) {
        if (value == null) System.clearProperty(name);
        else System.setProperty(name, value);
    }

    @Test
    void backendIsThePropertyOrTheOperatingSystemsOwn() {
        Settings none = Settings.read(n -> null);
        assertEquals("kqueue", new Platform("Mac OS X", "aarch64", none).backend());
        assertEquals("iocp", new Platform("Windows 11", "amd64", none).backend());
        assertEquals("epoll", new Platform("Linux", "amd64", none).backend());
        Map<String, String> forced = Map.of(Settings.BACKEND, "kqueue", Settings.BINDING, "jna");
        Platform p = new Platform("Linux", "amd64", Settings.read(forced::get));
        assertEquals("kqueue", p.backend());
        assertEquals("jna", p.binding());
    }
}
