package io.edgewise.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of the harness's {@code observe} section: for each test, each JVM's throughput and CPU per
 * message by round, summarised as per-round ratios of every recording JVM to the unrecorded one (index 0).
 * A round's windows are seconds apart, so a ratio within a round cancels slow changes of the machine's load;
 * the median of many rounds, with its middle half, says how close to 1 the cost is.
 */
final class ObserveCost {
    final List<String> names;
    /** test -> [jvm][round] -> {throughput, cpu per message}. */
    private final Map<String, double[][][]> byTest = new LinkedHashMap<>();

    ObserveCost(List<String> names) {
        this.names = names;
    }

    void put(String test, int jvm, int round, Map<String, String> result) {
        double[][][] t = byTest.computeIfAbsent(test, k -> new double[names.size()][][]);
        if (t[jvm] == null || t[jvm].length <= round) {
            double[][] grown = new double[round + 1][];
            if (t[jvm] != null) {
                System.arraycopy(t[jvm], 0, grown, 0, t[jvm].length);
            }
            t[jvm] = grown;
        }
        boolean pp = test.equals("PP");
        t[jvm][round] = new double[] {
            value(result, pp ? "rttPerSec" : "msgsPerSec"), value(result, pp ? "cpuUsPerRtt" : "cpuUsPerMsg")};
    }

    private static double value(Map<String, String> m, String k) {
        String s = m.get(k);
        return s == null ? Double.NaN : Double.parseDouble(s);
    }

    List<String> lines(int rounds, long windowMs) {
        List<String> out = new ArrayList<>();
        out.add("Observe (what observability costs Edgewise): Edgewise echo JVMs — " + String.join("; ", names)
                + " — alternated in " + windowMs + " ms windows, " + rounds + " rounds. Each figure: the median of the "
                + "per-round ratios of that JVM to the first (" + names.get(0) + "), then the middle half and the "
                + "extremes of those ratios; where the cost is nil the median sits at 1 within the middle half's width.");
        for (Map.Entry<String, double[][][]> e : byTest.entrySet()) {
            double[][][] t = e.getValue();
            String title = title(e.getKey());
            for (int j = 1; j < names.size(); j++) {
                out.add(String.format(Locale.ROOT, "%s, %s: throughput %s, CPU per message %s", title, names.get(j),
                        summary(t[0], t[j], 0), summary(t[0], t[j], 1)));
            }
        }
        return out;
    }

    private static String title(String test) {
        switch (test) {
            case "TPUT 64": return "Echo 64 B";
            case "TPUT 16384": return "Echo 16 KiB";
            case "PP": return "Ping-pong";
            default: return test;
        }
    }

    /** Median ratio [middle half; min–max] of column {@code col}, over the rounds both JVMs have. */
    static String summary(double[][] base, double[][] other, int col) {
        double[] r = ratios(base, other, col);
        if (r.length == 0) {
            return "n/a";
        }
        return String.format(Locale.ROOT, "%.3f× [%.3f–%.3f; %.2f–%.2f]", quantile(r, 0.5), quantile(r, 0.25),
                quantile(r, 0.75), r[0], r[r.length - 1]);
    }

    /** The sorted per-round ratios other / base. */
    static double[] ratios(double[][] base, double[][] other, int col) {
        int n = Math.min(base == null ? 0 : base.length, other == null ? 0 : other.length);
        double[] r = new double[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            if (base[i] != null && other[i] != null && base[i][col] > 0 && other[i][col] > 0) {
                r[k++] = other[i][col] / base[i][col];
            }
        }
        r = Arrays.copyOf(r, k);
        Arrays.sort(r);
        return r;
    }

    /** Linear interpolation between the closest ranks of a sorted array. */
    static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
