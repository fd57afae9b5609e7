package io.edgewise.bench;

import java.util.Arrays;

/** Percentiles and medians over small samples. */
final class Stats {
    private Stats() { }

    /** Nearest-rank percentile of a sorted array (0 if empty). */
    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        // the epsilon keeps e.g. 99.9 % of 1000 at rank 999 despite 99.9 not being exact in binary
        int idx = (int) Math.ceil(p / 100.0 * sorted.length - 1e-9) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
    }

    static double median(double[] xs) {
        if (xs.length == 0) {
            return Double.NaN;
        }
        double[] s = xs.clone();
        Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static double min(double[] xs) {
        return Arrays.stream(xs).min().orElse(Double.NaN);
    }

    static double max(double[] xs) {
        return Arrays.stream(xs).max().orElse(Double.NaN);
    }
}
