package io.edgewise.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Writes {@code latest.md} (tables) and {@code latest.svg} (ratio chart, drawn by hand) from {@link Results}, and
 * the same as {@code quick-jdk17.*}, {@code long-jdk25.*}, … after the profile and JDK that produced them.
 */
final class Report {
    private Report() { }

    private static final Variant J = Variant.JDK;
    private static final Variant E = Variant.EDGEWISE;
    private static final Variant N = Variant.EPOLL;
    private static final Variant IU = Variant.IO_URING;
    private static final Variant EU = Variant.EDGEWISE_URING;
    private static final Variant EU2 = Variant.EDGEWISE_URING_IO;

    /**
     * {@code shown}: the variants that get columns (asked for and runnable here; a stub's column says pending).
     */
    static void write(Results res, String profile, String copyName, boolean allSections, Path out,
                      Map<String, String> machine, Map<Variant, String> servedBy, Set<Variant> stubbed,
                      List<Variant> shown) throws IOException {
        Files.createDirectories(out);
        String md = markdown(res, profile, machine, servedBy, stubbed, shown);
        String svg = svg(res, profile, machine, stubbed, shown);
        // latest.* = the last run of any profile; <copyName>.* = the last complete run of that profile on that JDK
        for (String name : allSections ? new String[] {"latest", copyName} : new String[] {"latest"}) {
            Files.writeString(out.resolve(name + ".md"), md, StandardCharsets.UTF_8);
            Files.writeString(out.resolve(name + ".svg"), svg, StandardCharsets.UTF_8);
        }
    }

    static String fmt(double x) {
        if (Double.isNaN(x) || Double.isInfinite(x)) {
            return "–";
        }
        double a = Math.abs(x);
        if (a >= 1000) {
            return String.format(Locale.ROOT, "%,.0f", x);
        }
        if (a >= 100) {
            return String.format(Locale.ROOT, "%.0f", x);
        }
        if (a >= 10) {
            return String.format(Locale.ROOT, "%.1f", x);
        }
        if (a >= 0.1 || a == 0) {
            return String.format(Locale.ROOT, "%.2f", x);
        }
        return String.format(Locale.ROOT, "%.3f", x);
    }

    static String ratio(double r) {
        return Double.isNaN(r) ? "–" : String.format(Locale.ROOT, "%.2f×", r);
    }

    private static String range(double[] rs) {
        if (rs.length == 0) {
            return null;
        }
        return String.format(Locale.ROOT, "%.2f–%.2f", Stats.min(rs), Stats.max(rs));
    }

    /**
     * The ratio columns for these variants: each against the JDK, then each Edgewise variant against Netty's
     * native transports (the comparisons the targets are about).
     */
    static List<Variant[]> ratioPairs(List<Variant> shown) {
        List<Variant[]> l = new ArrayList<>();
        for (Variant v : shown) {
            if (v != J && shown.contains(J)) {
                l.add(new Variant[] {v, J});
            }
        }
        for (Variant e : new Variant[] {E, EU}) {
            for (Variant n : new Variant[] {N, IU}) {
                if (shown.contains(e) && shown.contains(n) && !(e == E && n == IU)) {
                    l.add(new Variant[] {e, n});
                }
            }
        }
        return l;
    }

    private static String spread(Results.Metric m, List<Variant[]> pairs) {
        List<String> parts = new ArrayList<>();
        int n = 0;
        for (Variant[] pr : pairs) {
            double[] rs = m.ratios(pr[0], pr[1]);
            if (rs.length >= 2 && (pr[0].isEdgewise() || parts.isEmpty() && m.ratios(E, J).length < 2)) {
                parts.add(pr[0].code + "/" + pr[1].code + " " + range(rs));
                n = Math.max(n, rs.length);
            }
        }
        if (parts.isEmpty() && !m.relErr.isEmpty()) {
            for (Map.Entry<Variant, Double> e : m.relErr.entrySet()) {
                parts.add(e.getKey().code + " ±" + (e.getValue().isNaN() ? "?"
                        : String.format(Locale.ROOT, "%.0f%%", 100 * e.getValue())));
            }
        }
        if (parts.isEmpty()) {
            return m.section.startsWith("JMH") ? "1 run each" : "1 round";
        }
        return String.join("; ", parts) + (n >= 2 ? " (" + n + " rounds)" : "");
    }

    /**
     * The targets, checked for each Edgewise variant that has a value (E = epoll backend, Eu = io_uring; Eu2 =
     * io_uring level 2, against issue #21's own targets).
     */
    private static String target(Results.Metric m) {
        List<String> parts = new ArrayList<>();
        for (Variant e : new Variant[] {E, EU}) {
            if (e == EU && !m.has(EU)) {
                continue;
            }
            addTargets(parts, m, e, m.has(EU) || m.has(EU2) ? e.code + " " : "", m.targetVsJdk, m.targetVsEpoll);
        }
        if (m.has(EU2)) {
            addTargets(parts, m, EU2, EU2.code + " ", m.completionTargetVsJdk, m.completionTargetVsEpoll);
        }
        return String.join("; ", parts);
    }

    private static void addTargets(List<String> parts, Results.Metric m, Variant e, String who, double vsJdk,
                                   double vsEpoll) {
        String rel = m.higherBetter ? "≥" : "≤";
        if (!Double.isNaN(vsJdk)) {
            parts.add(who + check(m.ratio(e, J), vsJdk, m.higherBetter, rel + fmtT(vsJdk) + " JDK"));
        }
        if (!Double.isNaN(vsEpoll)) {
            parts.add(who + check(m.ratio(e, N), vsEpoll, m.higherBetter, rel + fmtT(vsEpoll) + " epoll"));
        }
    }

    private static String fmtT(double t) {
        return String.format(Locale.ROOT, "%.2f×", t);
    }

    private static String check(double r, double t, boolean higher, String what) {
        if (Double.isNaN(r)) {
            return what + " (pending)";
        }
        boolean met = higher ? r >= t : r <= t;
        return what + (met ? " ✔" : " ✘");
    }

    static String markdown(Results res, String profile, Map<String, String> machine,
                           Map<Variant, String> servedBy, Set<Variant> stubbed, List<Variant> shown) {
        List<Variant[]> pairs = ratioPairs(shown);
        StringBuilder b = new StringBuilder();
        b.append("# Edgewise benchmark — ").append(profile).append(" profile\n\n");
        b.append("Generated by `scripts/bench.sh ").append(profile).append("`. Every ratio is the median of ")
                .append("per-round ratios from rounds run interleaved in this one invocation ")
                .append("(the variants below, rotated each round, each in its own JVM); spread = min–max of the ")
                .append("per-round ratios. The value columns are medians of the per-round values, so they need not ")
                .append("multiply out to the ratio columns. JMH rows: one run per provider in one JMH invocation, ")
                .append("SampleTime mode. J = JDK, E = Edgewise (epoll backend), ep = Netty epoll, iu = Netty io_uring, ")
                .append("Eu = Edgewise with its io_uring backend.\n\n");
        b.append("| Machine | |\n|---|---|\n");
        for (Map.Entry<String, String> e : machine.entrySet()) {
            b.append("| ").append(e.getKey()).append(" | ").append(e.getValue()).append(" |\n");
        }
        b.append("\nVariants (provider each JVM reported, checked by the harness):\n\n");
        for (Variant v : shown) {
            b.append("- **").append(v.title).append("**: ");
            b.append(v == N ? "Netty native epoll transport (JNI); " : v == IU ? "Netty native io_uring transport (JNI); "
                    : "Netty NIO transport over ");
            b.append("`").append(servedBy.getOrDefault(v, v.providerClass)).append("`");
            if (stubbed.contains(v)) {
                b.append(" — **PENDING: stub provider, not measured**");
            }
            b.append("\n");
        }
        Map<String, List<Results.Metric>> bySection = new LinkedHashMap<>();
        for (Results.Metric m : res.metrics.values()) {
            bySection.computeIfAbsent(m.section, k -> new ArrayList<>()).add(m);
        }
        for (Map.Entry<String, List<Results.Metric>> sec : bySection.entrySet()) {
            b.append("\n### ").append(sec.getKey()).append("\n\n");
            b.append("| Metric | Unit |");
            for (Variant v : shown) {
                b.append(" ").append(v.title).append(" |");
            }
            for (Variant[] pr : pairs) {
                b.append(" ").append(pr[0].code).append("/").append(pr[1].code).append(" |");
            }
            b.append(" Spread | Target |\n|---|---|");
            b.append("--:|".repeat(shown.size() + pairs.size())).append("---|---|\n");
            List<Results.Metric> ms = new ArrayList<>(sec.getValue());
            boolean sys = sec.getKey().startsWith("System calls");
            if (sys) {
                ms.sort((x, y) -> {
                    if (x.key.endsWith(".total")) {
                        return -1;
                    }
                    if (y.key.endsWith(".total")) {
                        return 1;
                    }
                    return x.key.compareTo(y.key);
                });
                // hide calls that are negligible for every variant
                ms.removeIf(m -> !m.key.endsWith(".total") && !m.key.endsWith(".zother")
                        && maxOver(m) < 0.005);
            }
            for (Results.Metric m : ms) {
                // a per-call ratio against (almost) nothing says nothing: the transports use different calls
                boolean tiny = sys && !m.key.endsWith(".total") && minOver(m) < 0.005;
                b.append("| ").append(m.label).append(" | ").append(m.unit);
                for (Variant v : shown) {
                    b.append(" | ").append(stubbed.contains(v) ? "pending"
                            : m.section.startsWith("JMH") && !v.usesNio() ? "n/a" : fmt(m.median(v)));
                }
                for (Variant[] pr : pairs) {
                    b.append(" | ").append(tiny ? "–" : ratio(m.ratio(pr[0], pr[1])));
                }
                b.append(" | ").append(spread(m, pairs))
                        .append(" | ").append(target(m)).append(" |\n");
            }
        }
        if (!res.notes.isEmpty() || !res.failures.isEmpty()) {
            b.append("\n### Notes\n\n");
            for (String n : res.notes) {
                b.append("- ").append(n).append("\n");
            }
            for (String f : res.failures) {
                b.append("- **FAILURE**: ").append(f).append("\n");
            }
        }
        return b.toString();
    }

    private static double minOver(Results.Metric m) {
        double mn = Double.MAX_VALUE;
        for (Variant v : Variant.values()) {
            double x = m.median(v);
            if (!Double.isNaN(x)) {
                mn = Math.min(mn, x);
            }
        }
        return mn;
    }

    private static double maxOver(Results.Metric m) {
        double mx = 0;
        for (Variant v : Variant.values()) {
            double x = m.median(v);
            if (!Double.isNaN(x)) {
                mx = Math.max(mx, x);
            }
        }
        return mx;
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** Horizontal bars: how many times better than the JDK's provider (> 1 = better), per metric. */
    static String svg(Results res, String profile, Map<String, String> machine, Set<Variant> stubbed,
                      List<Variant> shown) {
        List<Variant> bars = new ArrayList<>(shown);
        bars.remove(J);
        List<Results.Metric> rows = new ArrayList<>();
        for (Results.Metric m : res.metrics.values()) {
            if (m.key.startsWith("sys") && !m.key.endsWith(".total") || m.key.equals("scale.growth")
                    || m.key.endsWith(".p90")) {
                continue;
            }
            if (m.key.startsWith("scale.rss") || m.key.startsWith("echo")
                    && (m.key.endsWith(".mb") || m.key.endsWith(".kernel"))) {
                continue;
            }
            for (Variant v : bars) {
                if (m.ratios(v, J).length > 0) {
                    rows.add(m);
                    break;
                }
            }
        }
        double maxG = 2.0;
        for (Results.Metric m : rows) {
            for (Variant v : bars) {
                for (double r : m.ratios(v, J)) {
                    maxG = Math.max(maxG, m.higherBetter ? r : 1 / r);
                }
            }
        }
        final double scaleMax = Math.min(maxG, 4.0);
        int labelW = 440;
        int plotW = 520;
        int rowH = 6 + 12 * Math.max(2, bars.size());
        int top = 70;
        int width = labelW + plotW + 90;
        int height = top + rows.size() * rowH + 60;
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "font-family=\"sans-serif\" font-size=\"12\">\n", width, height));
        s.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"20\" font-size=\"15\" font-weight=\"bold\">%s</text>\n",
                esc("Edgewise vs JDK provider vs Netty's native transports — " + profile + " profile, JDK "
                        + Runtime.version().feature() + ", " + machine.getOrDefault("Date (UTC)", ""))));
        s.append(String.format(Locale.ROOT, "<text x=\"10\" y=\"38\">%s</text>\n",
                esc("Factor better than the JDK's provider (>1 = better; latency/CPU/syscalls inverted). "
                        + "Median of interleaved rounds; whisker = min–max.")));
        int lx = 10;
        for (Variant v : bars) {
            String legend = v.title + (stubbed.contains(v) ? " (pending: stub)" : "");
            s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"48\" width=\"12\" height=\"10\" fill=\"%s\"/>"
                    + "<text x=\"%d\" y=\"57\">%s</text>\n", lx, color(v), lx + 16, esc(legend)));
            lx += 40 + 7 * legend.length();
        }
        java.util.function.DoubleUnaryOperator x = g -> labelW + Math.max(0, Math.min(g, scaleMax)) / scaleMax * plotW;
        for (int i = 0; i <= (int) Math.floor(scaleMax * 2); i++) {
            double g = i / 2.0;
            double gx = x.applyAsDouble(g);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"%s\" "
                    + "stroke-width=\"%s\"/>\n", gx, top - 5, gx, top + rows.size() * rowH,
                    g == 1.0 ? "#d62728" : "#e5e5e5", g == 1.0 ? "1.5" : "1"));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
                    gx, top + rows.size() * rowH + 15, g == 1.0 ? "1 = JDK" : String.format(Locale.ROOT, "%.1f", g)));
        }
        int y = top;
        for (Results.Metric m : rows) {
            String label = m.label.length() > 64 ? m.label.substring(0, 62) + "…" : m.label;
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>\n",
                    labelW - 8, y + 18, esc((m.section.startsWith("JMH") ? "JMH " : "") + label + " [" + m.unit + "]")));
            int k = 0;
            for (Variant v : bars) {
                double[] rs = m.ratios(v, J);
                int by = y + 3 + k * 12;
                k++;
                if (rs.length == 0) {
                    continue;
                }
                double g = m.goodness(v, J);
                double lo = Double.MAX_VALUE;
                double hi = 0;
                for (double r : rs) {
                    double gg = m.higherBetter ? r : 1 / r;
                    lo = Math.min(lo, gg);
                    hi = Math.max(hi, gg);
                }
                double x0 = x.applyAsDouble(0);
                s.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"10\" fill=\"%s\"/>\n",
                        x0, by, x.applyAsDouble(g) - x0, color(v)));
                if (rs.length > 1) {
                    s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"black\"/>\n",
                            x.applyAsDouble(lo), by + 5, x.applyAsDouble(hi), by + 5));
                }
                s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%.2f</text>\n",
                        Math.max(x.applyAsDouble(g), x.applyAsDouble(hi)) + 4, by + 9, g));
            }
            y += rowH;
        }
        s.append("</svg>\n");
        return s.toString();
    }

    private static String color(Variant v) {
        switch (v) {
            case EDGEWISE: return "#1f77b4";
            case EDGEWISE_URING: return "#ff7f0e";
            case IO_URING: return "#8c8c5a";
            default: return "#aaaaaa";
        }
    }
}
