package io.edgewise.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.channels.spi.SelectorProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The frame every differential test class shares: scenarios named for JUnit, each run on the reference
 * provider (the JDK's) and on Edgewise, their {@link Outcome} records compared line by line.
 * {@code -Dedgewise.conformance.dump=DIR} writes both records of every scenario to DIR. Stateless.
 */
final class Differential {
    private Differential() { }

    /** One scenario: steps on channels of {@link Outcome#provider()}, each recorded in the outcome. */
    interface Scenario {
        void run(Outcome o) throws Exception;
    }

    /** Adds the scenario for IPv4 and for IPv6. */
    static void both(List<Arguments> out, String name, Scenario s) {
        add(out, name, StandardProtocolFamily.INET, s);
        add(out, name, StandardProtocolFamily.INET6, s);
    }

    /** Adds the scenario for one family, named "name family" in the report. */
    static void add(List<Arguments> out, String name, ProtocolFamily f, Scenario s) {
        Scenario named = new Scenario() {
            @Override
            public void run(Outcome o) throws Exception {
                s.run(o);
            }

            @Override
            public String toString() {
                return name;
            }
        };
        out.add(Arguments.of(Named.of(name + " " + f, named), f));
    }

    /**
     * Runs the scenario on both providers and fails at the first line where Edgewise's record differs.
     * {@code abortMessages}: whether a step the scenario did not guard records its exception's message
     * too, or only its class.
     */
    static void assertSameOutcome(Scenario s, ProtocolFamily family, boolean abortMessages) throws Exception {
        String reference = record(Providers.reference(), family, s, abortMessages);
        String candidate = record(Providers.candidate(), family, s, abortMessages);
        String dump = System.getProperty("edgewise.conformance.dump");
        if (dump != null) {
            Path dir = Path.of(dump);
            Files.createDirectories(dir);
            String base = s.toString().replaceAll("[^A-Za-z0-9]+", "_") + "_" + family;
            Files.writeString(dir.resolve(base + "_reference.txt"), reference);
            Files.writeString(dir.resolve(base + "_candidate.txt"), candidate);
        }
        assertTrue(reference.lines().count() > 2, "scenario records something");
        if (!reference.equals(candidate)) {
            assertEquals(reference, candidate, "Edgewise (actual) differs from the JDK (expected) first at:\n"
                    + firstDifference(reference, candidate) + "\n");
        }
    }

    static String firstDifference(String expected, String actual) {
        List<String> e = expected.lines().toList();
        List<String> a = actual.lines().toList();
        for (int i = 0; i < Math.max(e.size(), a.size()); i++) {
            String x = i < e.size() ? e.get(i) : "<end>";
            String y = i < a.size() ? a.get(i) : "<end>";
            if (!x.equals(y)) {
                return "  jdk:      " + x + "\n  edgewise: " + y;
            }
        }
        return "(none)";
    }

    private static String record(SelectorProvider p, ProtocolFamily family, Scenario s, boolean abortMessages) {
        try (Outcome o = new Outcome(p, family)) {
            try {
                s.run(o);
            } catch (Throwable t) {   // a step the scenario did not guard: part of the outcome too
                o.note("scenario aborted", t.getClass().getName() + (abortMessages ? ": " + t.getMessage() : ""));
            }
            return o.text();
        }
    }
}
