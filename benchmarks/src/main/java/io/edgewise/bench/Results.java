package io.edgewise.bench;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-round values of every metric for every variant, and the ratios computed from them. Harness thread only. */
final class Results {
    /** One row of the report. */
    static final class Metric {
        final String key;
        final String section;
        final String label;
        final String unit;
        final boolean higherBetter;
        /** Target for Edgewise/JDK (NaN: none); for higher-better a minimum, else a maximum. */
        double targetVsJdk = Double.NaN;
        /** Target for Edgewise/epoll (NaN: none), same direction convention. */
        double targetVsEpoll = Double.NaN;
        /** Issue #21's targets for io_uring level 2 (Eu2) against the JDK and Netty epoll (NaN: none). */
        double completionTargetVsJdk = Double.NaN;
        double completionTargetVsEpoll = Double.NaN;
        final Map<Variant, List<Double>> rounds = new EnumMap<>(Variant.class);
        /** Relative error (e.g. JMH's 99.9% interval / score) per variant, when single-shot. */
        final Map<Variant, Double> relErr = new EnumMap<>(Variant.class);

        Metric(String key, String section, String label, String unit, boolean higherBetter) {
            this.key = key;
            this.section = section;
            this.label = label;
            this.unit = unit;
            this.higherBetter = higherBetter;
            for (Variant v : Variant.values()) {
                rounds.put(v, new ArrayList<>());
            }
        }

        void put(Variant v, int round, double value) {
            List<Double> l = rounds.get(v);
            while (l.size() <= round) {
                l.add(Double.NaN);
            }
            l.set(round, value);
        }

        boolean has(Variant v) {
            return rounds.get(v).stream().anyMatch(d -> !d.isNaN());
        }

        double median(Variant v) {
            return Stats.median(rounds.get(v).stream().filter(d -> !d.isNaN()).mapToDouble(d -> d).toArray());
        }

        /** Per-round ratios a/b over rounds where both were measured (A/B interleaved in the same run). */
        double[] ratios(Variant a, Variant b) {
            List<Double> la = rounds.get(a);
            List<Double> lb = rounds.get(b);
            List<Double> r = new ArrayList<>();
            for (int i = 0; i < Math.min(la.size(), lb.size()); i++) {
                double x = la.get(i);
                double y = lb.get(i);
                if (!Double.isNaN(x) && !Double.isNaN(y) && y != 0) {
                    r.add(x / y);
                }
            }
            return r.stream().mapToDouble(d -> d).toArray();
        }

        double ratio(Variant a, Variant b) {
            return Stats.median(ratios(a, b));
        }

        /** "better than X" factor (> 1 means a is better than b), from the median ratio. */
        double goodness(Variant a, Variant b) {
            double r = ratio(a, b);
            return higherBetter ? r : 1 / r;
        }
    }

    final Map<String, Metric> metrics = new LinkedHashMap<>();
    final List<String> notes = new ArrayList<>();
    final List<String> failures = new ArrayList<>();

    Metric metric(String key, String section, String label, String unit, boolean higherBetter) {
        return metrics.computeIfAbsent(key, k -> new Metric(k, section, label, unit, higherBetter));
    }
}
