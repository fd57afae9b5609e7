package io.edgewise.conformance;

import static java.nio.channels.SelectionKey.OP_READ;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.Closeable;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Differential scenarios of issue #16 (selector, options, IOV_MAX, peer credentials, messages): each
 * runs on the JDK's provider and on Edgewise and the records must be equal. Unlike
 * {@link DifferentialTest}, steps recorded with {@link #msg} keep the exception's message too, because
 * programs and logs match on it.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SelectorOptionsDifferentialTest {

    interface Scenario {
        void run(Outcome o) throws Exception;
    }

    static Stream<Arguments> scenarios() {
        List<Arguments> out = new ArrayList<>();
        add(out, "selected-key set is ungrowable", StandardProtocolFamily.INET,
                SelectorOptionsDifferentialTest::ungrowableSelectedKeys);
        add(out, "one select reports hundreds of ready keys", StandardProtocolFamily.INET,
                SelectorOptionsDifferentialTest::manyReadyKeys);
        return out.stream();
    }

    private static void add(List<Arguments> out, String name, ProtocolFamily f, Scenario s) {
        out.add(Arguments.of(Named.of(name + " " + f, s), f));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scenarios")
    void sameOutcomeOnBothProviders(Scenario s, ProtocolFamily family) throws Exception {
        String reference = DifferentialTest.normalize(record(Providers.reference(), family, s));
        String candidate = DifferentialTest.normalize(record(Providers.candidate(), family, s));
        assertTrue(reference.lines().count() > 2, "scenario records something");
        if (!reference.equals(candidate)) {
            assertEquals(reference, candidate, "Edgewise (actual) differs from the JDK (expected) first at:\n"
                    + DifferentialTest.firstDifference(reference, candidate) + "\n");
        }
    }

    private static String record(SelectorProvider p, ProtocolFamily family, Scenario s) {
        try (Outcome o = new Outcome(p, family)) {
            try {
                s.run(o);
            } catch (Throwable t) {   // a step the scenario did not guard: part of the outcome too
                o.note("scenario aborted", t.getClass().getName() + ": " + t.getMessage());
            }
            return o.text();
        }
    }

    /** Records the step's value, or the class and message of what it threw. */
    static <T> void msg(Outcome o, String label, Outcome.Step<T> s) {
        o.note(label, describeWithMessage(s));
    }

    static <T> String describeWithMessage(Outcome.Step<T> s) {
        try {
            return Outcome.describe(s.get());
        } catch (Throwable t) {
            return "!! " + t.getClass().getName() + ": " + t.getMessage();
        }
    }

    // ---------------------------------------------------------------------------------- item 1

    /** add/addAll throw UnsupportedOperationException for any argument, before looking at it. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void ungrowableSelectedKeys(Outcome o) throws Exception {
        Selector sel = o.track(o.provider.openSelector());
        Pipe p = o.provider.openPipe();
        o.track(p.sink());
        o.track(p.source());
        p.source().configureBlocking(false);
        SelectionKey key = p.source().register(sel, OP_READ);
        Set<SelectionKey> keys = sel.selectedKeys();
        Set raw = keys;
        msg(o, "add(key)", () -> keys.add(key));
        msg(o, "add(null)", () -> keys.add(null));
        msg(o, "add(non-key)", () -> raw.add("not a key"));
        msg(o, "addAll(empty)", () -> keys.addAll(List.of()));
        msg(o, "addAll(key)", () -> keys.addAll(List.of(key)));
        msg(o, "addAll(non-keys)", () -> raw.addAll(List.of("a", 1)));
        msg(o, "addAll(null)", () -> keys.addAll(null));
        msg(o, "contains(non-key)", () -> raw.contains("x"));
        msg(o, "contains(null)", () -> keys.contains(null));
        msg(o, "remove(non-key)", () -> raw.remove("x"));
        msg(o, "remove(null)", () -> keys.remove(null));
        msg(o, "removeAll(null)", () -> keys.removeAll(null));
        msg(o, "retainAll(null)", () -> keys.retainAll(null));
        p.sink().write(ByteBuffer.wrap(new byte[] {1}));
        msg(o, "selectNow", sel::selectNow);
        msg(o, "add(selected key)", () -> keys.add(key));
        msg(o, "addAll(empty) with a key in", () -> keys.addAll(List.of()));
        msg(o, "size", keys::size);
        msg(o, "remove(key)", () -> keys.remove(key));
        msg(o, "size after remove", keys::size);
    }

    // ---------------------------------------------------------------------------------- item 2

    /**
     * 300 ready pipes are selected by one selectNow; 1100 take two (the JDK asks the kernel for at most
     * min(fd limit, 1024) events per call). libkqueue (kqueue on Linux, a test platform) returns at most
     * 512 events per call whatever is asked, so there only the 300 case runs.
     */
    private static void manyReadyKeys(Outcome o) throws Exception {
        boolean libkqueue = io.edgewise.backend.Backends.name().equals("kqueue")
                && System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).startsWith("linux");
        for (int ready : libkqueue ? new int[] {300} : new int[] {300, 1100}) {
            try (Selector sel = o.provider.openSelector(); Pipes pipes = new Pipes(o.provider, ready)) {
                for (Pipe p : pipes.list) {
                    p.source().configureBlocking(false);
                    p.source().register(sel, OP_READ);
                    p.sink().write(ByteBuffer.wrap(new byte[] {1}));
                }
                msg(o, ready + " ready: select()", sel::select);
                msg(o, ready + " ready: selected", () -> sel.selectedKeys().size());
                msg(o, ready + " ready: selectNow again", sel::selectNow);
                msg(o, ready + " ready: selected now", () -> sel.selectedKeys().size());
            }
        }
    }

    /** n pipes, closed together. */
    static final class Pipes implements Closeable {
        final List<Pipe> list = new ArrayList<>();

        Pipes(SelectorProvider provider, int n) throws java.io.IOException {
            try {
                for (int i = 0; i < n; i++) {
                    list.add(provider.openPipe());
                }
            } catch (java.io.IOException | RuntimeException e) {
                close();
                throw e;
            }
        }

        @Override
        public void close() {
            for (Pipe p : list) {
                Net.closeQuietly(p.sink(), p.source());
            }
        }
    }
}
