package io.edgewise.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The harness's parsers, statistics and report: fixed inputs, no timing. */
class HarnessParsingTest {
    @TempDir
    Path dir;

    @Test
    void parsesPerfStatCsv() throws Exception {
        Path f = dir.resolve("perf.txt");
        Files.writeString(f, "# started on Sat Nov 28\n\n"
                + "26812,,raw_syscalls:sys_enter,2013000000,100.00,,\n"
                + "4482,,syscalls:sys_enter_epoll_wait,2013000000,100.00,,\n"
                + "0,,syscalls:sys_enter_epoll_ctl,2013000000,100.00,,\n"
                + "<not counted>,,syscalls:sys_enter_ppoll,0,100.00,,\n");
        Map<String, Long> m = Harness.parsePerf(f);
        assertEquals(26812L, m.get("total"));
        assertEquals(4482L, m.get("epoll_wait"));
        assertEquals(0L, m.get("epoll_ctl"));
        assertEquals(3, m.size());
    }

    @Test
    void parsesStraceSummaryWithAndWithoutErrorColumn() throws Exception {
        Path f = dir.resolve("strace.txt");
        Files.writeString(f, "% time     seconds  usecs/call     calls    errors syscall\n"
                + "------ ----------- ----------- --------- --------- ----------------\n"
                + " 45.10    0.120000          10     12000      1944 read\n"
                + " 30.00    0.080000           8     10000           write\n"
                + "------ ----------- ----------- --------- --------- ----------------\n"
                + "100.00    0.266000          12     22000      1944 total\n");
        Map<String, Long> m = Harness.parseStrace(f);
        assertEquals(12000L, m.get("read"));
        assertEquals(10000L, m.get("write"));
        assertEquals(22000L, m.get("total"));
    }

    @Test
    void splitsJmhCsvWithQuotesAndEmptyFields() {
        String[] c = Harness.splitCsv("\"a.B.m:p0.50\",\"sample\",1,9,326.0,NaN,\"ns/op\",,jdk,0,");
        assertArrayEquals(new String[] {"a.B.m:p0.50", "sample", "1", "9", "326.0", "NaN", "ns/op", "", "jdk", "0", ""}, c);
    }

    @Test
    void relaunchBatchesCoverEveryRoundOnce() {
        assertEquals("[0, 7)", show(Harness.batches(7, 0)), "no --relaunch: one set of JVMs for all rounds");
        assertEquals("[0, 1) [1, 2) [2, 3)", show(Harness.batches(3, 1)));
        assertEquals("[0, 4) [4, 7)", show(Harness.batches(7, 4)));
        assertEquals("[0, 3) [3, 6) [6, 7)", show(Harness.batches(7, 3)));
        assertEquals("[0, 5)", show(Harness.batches(5, 9)), "K above the round count: one set");
        assertEquals("", show(Harness.batches(0, 2)));
    }

    private static String show(List<int[]> batches) {
        StringBuilder b = new StringBuilder();
        for (int[] r : batches) {
            b.append(b.length() == 0 ? "" : " ").append('[').append(r[0]).append(", ").append(r[1]).append(')');
        }
        return b.toString();
    }

    @Test
    void keyValueLines() {
        Map<String, String> m = Harness.kv("RESULT echo size=64 msgsPerSec=12.5");
        assertEquals("64", m.get("size"));
        assertEquals("12.5", m.get("msgsPerSec"));
    }

    @Test
    void percentilesAreNearestRank() {
        long[] xs = new long[1000];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = i + 1;
        }
        assertEquals(500, Stats.percentile(xs, 50));
        assertEquals(990, Stats.percentile(xs, 99));
        assertEquals(999, Stats.percentile(xs, 99.9));
        assertEquals(0, Stats.percentile(new long[0], 50));
        assertEquals(2.5, Stats.median(new double[] {4, 1, 2, 3}));
    }

    @Test
    void ratiosArePairedByRoundAndSkipMissingRounds() {
        Results.Metric m = new Results.Metric("k", "s", "label", "msgs/s", true);
        m.put(Variant.JDK, 0, 100);
        m.put(Variant.JDK, 1, 200);
        m.put(Variant.JDK, 2, 50);
        m.put(Variant.EDGEWISE, 0, 110);
        m.put(Variant.EDGEWISE, 2, 60); // round 1 missing
        assertArrayEquals(new double[] {1.1, 1.2}, m.ratios(Variant.EDGEWISE, Variant.JDK), 1e-9);
        assertEquals(1.15, m.ratio(Variant.EDGEWISE, Variant.JDK), 1e-9);
        assertEquals(Double.NaN, m.ratio(Variant.EPOLL, Variant.JDK));
    }

    @Test
    void reportMarksUnmetTargetsAndPendingColumns() {
        Results res = new Results();
        Results.Metric m = res.metric("echo64.msgs", "Netty echo", "Echo 64 B", "msgs/s", true);
        m.targetVsJdk = 1.10;
        m.put(Variant.JDK, 0, 100);
        m.put(Variant.EDGEWISE, 0, 105);
        m.put(Variant.EPOLL, 0, 120);
        List<Variant> three = List.of(Variant.JDK, Variant.EDGEWISE, Variant.EPOLL);
        String md = Report.markdown(res, "quick", Map.of("CPUs (nproc)", "2"), Map.of(), Set.of(), three);
        assertTrue(md.contains("| 1.05× |"), md);
        assertTrue(md.contains("≥1.10× JDK ✘"), md);
        assertFalse(md.contains("io_uring |"), "no column for a variant that was not run: " + md);
        String pending = Report.markdown(res, "quick", Map.of(), Map.of(), Set.of(Variant.EDGEWISE), three);
        assertTrue(pending.contains("| pending |"), pending);
        String svg = Report.svg(res, "quick", Map.of(), Set.of(), three);
        assertTrue(svg.startsWith("<svg") && svg.trim().endsWith("</svg>"));
    }

    @Test
    void reportComparesEdgewiseIoUringWithEveryTransport() {
        Results res = new Results();
        Results.Metric m = res.metric("echo64.msgs", "Netty echo", "Echo 64 B", "msgs/s", true);
        m.targetVsJdk = 1.25;
        m.targetVsEpoll = 1.05;
        m.put(Variant.JDK, 0, 100);
        m.put(Variant.EDGEWISE, 0, 105);
        m.put(Variant.EPOLL, 0, 120);
        m.put(Variant.IO_URING, 0, 130);
        m.put(Variant.EDGEWISE_URING, 0, 150);
        m.completionTargetVsJdk = 1.25;
        m.completionTargetVsEpoll = 1.05;
        m.put(Variant.EDGEWISE_URING_IO, 0, 125);
        m.put(Variant.EDGEWISE_URING_IO_COOP, 0, 110);
        List<Variant> all = List.of(Variant.values());
        String md = Report.markdown(res, "quick", Map.of(), Map.of(), Set.of(), all);
        assertTrue(md.contains("| E/J | ep/J | iu/J | Eu/J | Eu2/J | Eu2c/J | E/ep | Eu/ep | Eu/iu | Spread |"), md);
        assertTrue(md.contains("| 1.50× | 1.25× | 1.10× | 0.88× | 1.25× | 1.15× |"),
                "Eu/J, Eu2/J, Eu2c/J, E/ep, Eu/ep, Eu/iu: " + md);
        assertTrue(md.contains("Eu ≥1.25× JDK ✔"), md);
        assertTrue(md.contains("E ≥1.25× JDK ✘"), md);
        // level 2 against issue #21's own targets: 1.25x the JDK met, 1.05x Netty epoll (125/120) not
        assertTrue(md.contains("Eu2 ≥1.25× JDK ✔; Eu2 ≥1.05× epoll ✘"), md);
        String svg = Report.svg(res, "quick", Map.of(), Set.of(), all);
        assertTrue(svg.contains("Edgewise io_uring") && svg.contains("Netty io_uring"), svg);
    }
}
