package io.edgewise.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The benchmark driver (started by {@code scripts/bench.sh}): launches one JVM per variant and round, interleaved
 * (JDK, Edgewise, epoll, then rotated), checks which provider served each, and writes the report.
 *
 * <pre>Harness [--profile quick|long] [--out benchmarks/results] [--logs benchmarks/target/bench-logs]
 *         [--sections probe,echo,syscalls,scale,jmh] [--tracer auto|strace] [--binding jna|ffm]</pre>
 * Exit status 0 unless a variant crashed, a provider check failed or a section could not produce its rows
 * (a stub Edgewise provider is reported as "pending", not as a failure). Slowness never fails the run.
 * Single-threaded.
 */
public final class Harness {
    /** Knobs of one profile. */
    static final class Profile {
        final String name;
        int rounds;
        long warmupMs;
        long measureMs;
        long rampMs = 200;
        long ppMeasureMs;
        int conns = 8;
        int window = 16;
        int ppConns = 4;
        int syscallRounds;
        long syscallCountPerConn;
        int scaleRounds;
        String scaleLevels = "0,1000,10000";
        long scaleMeasureMs;
        String jmhArgs;

        Profile(String name) {
            this.name = name;
            if (name.equals("long")) {
                rounds = 15;
                warmupMs = 3000;
                measureMs = 2000;
                ppMeasureMs = 2000;
                rampMs = 300;
                syscallRounds = 3;
                syscallCountPerConn = 50_000;
                scaleRounds = 3;
                scaleMeasureMs = 3000;
                jmhArgs = "-f 2 -wi 3 -w 1s -i 5 -r 1s";
            } else if (name.equals("quick")) {
                rounds = 7;
                warmupMs = 1000;
                measureMs = 800;
                ppMeasureMs = 800;
                syscallRounds = 1;
                syscallCountPerConn = 10_000;
                scaleRounds = 1;
                scaleMeasureMs = 1000;
                jmhArgs = "-f 1 -wi 1 -w 300ms -i 3 -r 300ms";
            } else {
                throw new IllegalArgumentException("profile must be quick or long: " + name);
            }
        }
    }

    /** The variants this run measures ({@code --variants}), in rotation order. */
    private Variant[] variants = Variant.defaults();
    private final Profile p;
    private final Path out;
    private final Path logs;
    private final String javaBin;
    private final String classPath;
    private final Results res = new Results();
    private final Set<Variant> stubbed = EnumSet.noneOf(Variant.class);
    private final Map<Variant, String> servedBy = new EnumMap<>(Variant.class);
    /** Variants this machine cannot run (no io_uring in the kernel, a fallback backend), with the reason. */
    private final Map<Variant, String> unavailable = new EnumMap<>(Variant.class);
    private int launches;
    /** {@code --tracer strace} forces strace for the syscall section (default: perf if usable, else strace). */
    private String tracerChoice = "auto";
    /** {@code --binding jna|ffm}: passed to Edgewise JVMs as -Dio.edgewise.binding; empty = provider's choice. */
    private String bindingChoice = "";
    /** {@code --base-jar}: an older provider jar the observe section also runs, unrecorded, ahead of the class path. */
    private String observeBaseJar = "";
    /** {@code --relaunch K}: the echo section starts new JVMs every K rounds; 0 = one set for all rounds. */
    private int relaunchEvery;
    /** {@link CallPrice} taken before the first section; the report shows it next to the price at the end. */
    private String callPriceAtStart = "";

    private Harness(Profile p, Path out, Path logs) {
        this.p = p;
        this.out = out;
        this.logs = logs;
        this.javaBin = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
        this.classPath = System.getProperty("java.class.path");
    }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        Profile p = new Profile(a.str("profile", "quick"));
        Harness h = new Harness(p, Paths.get(a.str("out", "benchmarks/results")),
                Paths.get(a.str("logs", "benchmarks/target/bench-logs")));
        h.tracerChoice = a.str("tracer", "auto");
        h.bindingChoice = a.str("binding", "");
        h.observeBaseJar = a.str("base-jar", "");
        h.relaunchEvery = a.i("relaunch", 0);
        if (h.relaunchEvery < 0) {
            throw new IllegalArgumentException("--relaunch takes a number of rounds >= 0, not " + h.relaunchEvery);
        }
        String vs = a.str("variants", "");
        if (!vs.isEmpty()) {
            h.variants = Arrays.stream(vs.split(",")).map(String::trim).map(Variant::parse).distinct()
                    .sorted().toArray(Variant[]::new);
        }
        Set<String> sections = new java.util.HashSet<>(Arrays.asList(
                a.str("sections", "probe,echo,syscalls,scale,jmh").split(",")));
        h.callPriceAtStart = CallPrice.describe();
        long t0 = System.nanoTime();
        boolean ok = h.run(sections);
        String took = String.format(Locale.ROOT, "%.0f s", (System.nanoTime() - t0) / 1e9);
        h.res.notes.add("Harness wall time: " + took + ".");
        boolean all = sections.containsAll(List.of("probe", "echo", "syscalls", "scale", "jmh"));
        Report.write(h.res, h.p.name, h.p.name + "-jdk" + Runtime.version().feature(), all, h.out, h.machine(),
                h.servedBy, h.stubbed, h.shown());
        System.out.println();
        System.out.println(Files.readString(h.out.resolve("latest.md")));
        if (!h.res.failures.isEmpty()) {
            System.out.println("FAILED (" + h.res.failures.size() + "):");
            h.res.failures.forEach(f -> System.out.println("  - " + f));
        }
        System.exit(ok && h.res.failures.isEmpty() ? 0 : 1);
    }

    private boolean run(Set<String> sections) throws Exception {
        Files.createDirectories(out);
        if (sections.contains("probe") && !probe()) {
            return false;
        }
        if (sections.contains("echo")) {
            echo();
        }
        if (sections.contains("syscalls")) {
            syscalls();
        }
        if (sections.contains("scale")) {
            scale();
        }
        if (sections.contains("jmh")) {
            jmh();
        }
        if (sections.contains("observe")) {
            observe();
        }
        for (Map.Entry<Variant, String> e : unavailable.entrySet()) {
            res.notes.add(e.getKey().title + ": NOT MEASURED — unavailable on this machine (" + e.getValue() + ").");
        }
        for (Variant v : stubbed) {
            res.notes.add(v.title + ": PENDING — the provider in this build is still the stub (openSelector throws); "
                    + "its column is empty until the real provider is merged.");
        }
        return true;
    }

    /** The variants that run in the measuring sections: asked for, not a stub, available here. */
    private List<Variant> measured() {
        List<Variant> l = new ArrayList<>();
        for (Variant v : variants) {
            if (!stubbed.contains(v) && !unavailable.containsKey(v)) {
                l.add(v);
            }
        }
        return l;
    }

    /** The variants the report has columns for: asked for and runnable here (a stub's column says pending). */
    private List<Variant> shown() {
        List<Variant> l = new ArrayList<>();
        for (Variant v : variants) {
            if (!unavailable.containsKey(v)) {
                l.add(v);
            }
        }
        return l;
    }

    // ---------------------------------------------------------------- launching

    private List<String> jvm(Variant v, String main, String... args) {
        return jvm(v, List.of(), main, args);
    }

    private List<String> jvm(Variant v, List<String> extraFlags, String main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(javaBin, "--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx1g",
                "-XX:+UseG1GC"));
        cmd.addAll(v.jvmFlags());
        cmd.addAll(extraFlags);
        if (!bindingChoice.isEmpty()) {
            cmd.add("-Dio.edgewise.binding=" + bindingChoice); // only Edgewise reads it
        }
        if (!extraFlags.contains("-cp")) {
            cmd.add("-cp");
            cmd.add(classPath);
        }
        cmd.add(main);
        cmd.addAll(Arrays.asList(args));
        return cmd;
    }

    private Proc start(String tag, List<String> cmd, boolean merge) throws IOException {
        String name = String.format(Locale.ROOT, "%03d-%s", ++launches, tag);
        log("  launch " + name);
        return new Proc(name, cmd, logs.resolve(name + ".log"), merge);
    }

    private static void log(String s) {
        System.out.println(s);
        System.out.flush();
    }

    /**
     * Waits for the worker's PROVIDER line and checks it. Returns "ok", "stub" (worker printed STUB and exits 3),
     * "unavailable" (worker printed UNAVAILABLE and exits 4: the machine cannot run the variant; noted in
     * {@link #unavailable}) or null after recording a failure.
     */
    private String checkProvider(Proc w, Variant v, String what) throws InterruptedException {
        String line = w.await("PROVIDER ", 60_000);
        if (line == null) {
            fail(v, what, "no PROVIDER line", w);
            return null;
        }
        String actual = line.substring("PROVIDER ".length()).trim();
        servedBy.putIfAbsent(v, actual);
        if (!actual.equals(v.providerClass)) {
            fail(v, what, "served by " + actual + ", expected " + v.providerClass + " — row refused", w);
            return null;
        }
        if (v.isEdgewise()) {
            String b = w.await("BINDING ", 30_000);
            if (b != null) {
                String binding = b.substring("BINDING ".length()).trim();
                String backend = w.await("BACKEND ", 30_000);
                servedBy.put(v, actual + " (native binding: " + binding
                        + (backend == null ? "" : ", backend: " + backend.substring("BACKEND ".length()).trim()) + ")");
                if (!bindingChoice.isEmpty() && !bindingChoice.equals(binding)) {
                    fail(v, what, "binding " + binding + " served, " + bindingChoice + " was asked for — row refused", w);
                    return null;
                }
            } else if (w.waitExit(30_000) == Transport.EXIT_STUB && w.saw("STUB")) {
                return "stub";
            }
        }
        String tr = w.await("TRANSPORT ", 30_000);
        String want = v.transportLine();
        if (tr == null) {
            int rc = w.waitExit(30_000);
            if (v.usesNio() && rc == Transport.EXIT_STUB && w.saw("STUB")) {
                return "stub";
            }
            String why = w.seen("UNAVAILABLE ");
            if (rc == Transport.EXIT_UNAVAILABLE && why != null) {
                unavailable.putIfAbsent(v, why.substring("UNAVAILABLE ".length()).trim());
                log("  " + v.title + ": unavailable here — " + unavailable.get(v));
                return "unavailable";
            }
            fail(v, what, "no TRANSPORT line", w);
            return null;
        }
        if (!tr.equals(want)) {
            fail(v, what, "transport check failed: '" + tr + "', expected '" + want + "'", w);
            return null;
        }
        return "ok";
    }

    private void fail(Variant v, String what, String why, Proc w) {
        String msg = (v == null ? "" : v.title + " ") + what + ": " + why;
        res.failures.add(msg);
        log("  FAILURE " + msg + (w == null ? "" : "\n" + indent(w.tail(15))));
    }

    private static String indent(String s) {
        return s.lines().map(l -> "      | " + l).collect(Collectors.joining("\n"));
    }

    /** The measured variants in rotated order for round r: JDK, Edgewise, epoll, …; Edgewise, epoll, …, JDK; … */
    private List<Variant> order(int r) {
        List<Variant> all = measured();
        List<Variant> l = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            l.add(all.get((i + r) % all.size()));
        }
        return l;
    }

    static Map<String, String> kv(String line) {
        Map<String, String> m = new HashMap<>();
        for (String tok : line.trim().split("\\s+")) {
            int i = tok.indexOf('=');
            if (i > 0) {
                m.put(tok.substring(0, i), tok.substring(i + 1));
            }
        }
        return m;
    }

    private static double d(Map<String, String> m, String k) {
        String s = m.get(k);
        return s == null ? Double.NaN : Double.parseDouble(s);
    }

    // ---------------------------------------------------------------- sections

    /** One short JVM per variant: right provider? Edgewise still a stub? */
    private boolean probe() throws Exception {
        log("== probe: which provider serves each variant");
        boolean ok = true;
        for (Variant v : variants) {
            try (Proc w = start("probe-" + v.name().toLowerCase(Locale.ROOT),
                    jvm(v, EchoWorker.class.getName(), "probe", v.name()), true)) {
                String s = checkProvider(w, v, "probe");
                int rc = w.waitExit(60_000);
                if ("stub".equals(s)) {
                    stubbed.add(v);
                    log("  " + v.title + ": STUB provider — column will be reported as pending");
                } else if ("unavailable".equals(s)) {
                    continue; // noted; its sections skip it
                } else if (s == null) {
                    ok = false;
                } else if (rc != 0) {
                    fail(v, "probe", "exit status " + rc, w);
                    ok = false;
                } else {
                    log("  " + v.title + ": served by " + servedBy.get(v));
                }
            }
        }
        return ok;
    }

    /**
     * All variants' echo JVMs are started together and kept warm; the harness then alternates short
     * measurement windows between them (only one JVM sends at a time), test by test, rotating the order each
     * round. A round's ratio compares windows a few seconds apart, so slow changes in the machine's load
     * cancel out. With {@code --relaunch K} every variant gets fresh JVMs (warmed up again) every K rounds: a
     * JVM can keep one throughput regime for its whole life (16 KiB echo on a 2-vCPU VM: 0.2 M messages/s in
     * one launch, 0.4 M in the next), which interleaving alone does not average out.
     */
    private void echo() throws Exception {
        log("== echo throughput + ping-pong latency: " + p.rounds + " interleaved rounds of "
                + p.measureMs + " ms windows" + (relaunchEvery > 0 ? ", new JVMs every " + relaunchEvery + " rounds" : ""));
        res.notes.add("Echo and ping-pong: the variants' JVMs (each a Netty echo server + client, one event-loop "
                + "thread each) run side by side; the harness alternates " + p.measureMs + " ms windows between them "
                + "(only one sends at a time; " + p.rampMs + " ms ramp before each window), " + p.rounds
                + " rounds, order rotated each round; every test first gets a " + p.warmupMs + " ms warm-up per JVM"
                + (relaunchEvery > 0 ? " (new JVMs for every variant every " + relaunchEvery + " rounds, each warmed up)" : "")
                + ". CPU per message = the whole JVM's CPU time over the window (client + server + JIT/GC).");
        Set<Variant> dropped = EnumSet.noneOf(Variant.class); // failed or not measurable: not started again
        for (int[] b : batches(p.rounds, relaunchEvery)) {
            echoRounds(b[0], b[1], dropped);
        }
    }

    /** The rounds {@code [from, to)} each set of echo JVMs serves: batches of {@code every}, 0 = one for all. */
    static List<int[]> batches(int rounds, int every) {
        int batch = every > 0 ? every : Math.max(rounds, 1);
        List<int[]> out = new ArrayList<>();
        for (int first = 0; first < rounds; first += batch) {
            out.add(new int[] {first, Math.min(rounds, first + batch)});
        }
        return out;
    }

    /** Rounds {@code [from, to)} of the echo section on JVMs started (and warmed up) for them. */
    private void echoRounds(int from, int to, Set<Variant> dropped) throws Exception {
        Map<Variant, Proc> procs = new EnumMap<>(Variant.class);
        try {
            for (Variant v : measured()) {
                if (dropped.contains(v)) {
                    continue;
                }
                Proc w = start("echo-" + v.name().toLowerCase(Locale.ROOT), jvm(v, List.of(), EchoWorker.class.getName(), serveArgs(v)), true);
                String s = checkProvider(w, v, "echo");
                if ("stub".equals(s)) {
                    stubbed.add(v);
                    w.close();
                } else if ("unavailable".equals(s)) {
                    w.close();
                } else if (s == null || w.await("READY ", 60_000) == null) {
                    if (s != null) {
                        fail(v, "echo", "worker never became READY", w);
                    }
                    w.close();
                } else {
                    procs.put(v, w);
                }
            }
            String[] tests = {"TPUT 64", "TPUT 16384", "PP"};
            for (String test : tests) {
                for (Variant v : variants) {
                    echoWindow(procs, v, test, p.warmupMs, 200, -1);
                }
            }
            for (int r = from; r < to; r++) {
                for (String test : tests) {
                    for (Variant v : order(r)) {
                        echoWindow(procs, v, test, p.rampMs, test.equals("PP") ? p.ppMeasureMs : p.measureMs, r);
                    }
                }
                log("  round " + (r + 1) + " done");
            }
            for (Map.Entry<Variant, Proc> e : procs.entrySet()) {
                e.getValue().send("EXIT");
                int rc = e.getValue().waitExit(30_000);
                if (rc != 0) {
                    fail(e.getKey(), "echo", "exit status " + rc, e.getValue());
                }
            }
        } finally {
            for (Proc w : procs.values()) {
                w.close();
            }
            for (Variant v : measured()) {
                if (!procs.containsKey(v)) {
                    dropped.add(v); // stub, unavailable, never READY, or a failed window in these rounds
                }
            }
        }
    }

    /** One window on one variant's JVM; round -1 = warm-up (not recorded). Drops the JVM on failure. */
    private void echoWindow(Map<Variant, Proc> procs, Variant v, String test, long rampMs, long ms, int round)
            throws Exception {
        Proc w = procs.get(v);
        if (w == null) {
            return;
        }
        String line = window(w, v, "echo " + test + (round < 0 ? " warm-up" : " round " + (round + 1)), test, rampMs, ms);
        if (line == null) {
            w.close();
            procs.remove(v);
            return;
        }
        if (round >= 0) {
            recordEcho(v, round, line);
        }
    }

    private void recordEcho(Variant v, int r, String line) {
        Map<String, String> m = kv(line);
        if (line.startsWith("RESULT echo")) {
            int size = Integer.parseInt(m.get("size"));
            String sz = size >= 1024 ? (size / 1024) + " KiB" : size + " B";
            String cfg = " (" + p.conns + " conns × " + p.window + " pipelined)";
            Results.Metric msgs = res.metric("echo" + size + ".msgs", "Netty echo",
                    "Echo " + sz + " throughput" + cfg, "msgs/s", true);
            msgs.targetVsJdk = 1.10;
            msgs.targetVsEpoll = 0.95;
            // issue #21, level 2: 64 B at least 1.25x the JDK (1.15x on JDK 17-21, through JNA) and 1.05x Netty
            // epoll; 16 KiB at least the JDK's
            msgs.completionTargetVsJdk = size >= 1024 ? 1.0 : Runtime.version().feature() >= 22 ? 1.25 : 1.15;
            msgs.completionTargetVsEpoll = size >= 1024 ? Double.NaN : 1.05;
            msgs.put(v, r, d(m, "msgsPerSec"));
            res.metric("echo" + size + ".mb", "Netty echo", "Echo " + sz + " throughput", "MB/s", true)
                    .put(v, r, d(m, "mbPerSec"));
            res.metric("echo" + size + ".cpu", "Netty echo", "Echo " + sz + " CPU per message (whole JVM)", "µs",
                    false).put(v, r, d(m, "cpuUsPerMsg"));
            res.metric("echo" + size + ".kernel", "Netty echo", "Echo " + sz + " share of CPU time in the kernel",
                    "%", false).put(v, r, 100 * d(m, "kernelShare"));
        } else if (line.startsWith("RESULT pingpong")) {
            String cfg = " (" + p.ppConns + " conns, 1 in flight each, 64 B)";
            Results.Metric rate = res.metric("pp.rate", "Ping-pong", "Ping-pong round trips" + cfg, "rtt/s", true);
            rate.completionTargetVsJdk = 1.0;
            rate.put(v, r, d(m, "rttPerSec"));
            res.metric("pp.p50", "Ping-pong", "Ping-pong p50", "µs", false).put(v, r, d(m, "p50us"));
            Results.Metric p99 = res.metric("pp.p99", "Ping-pong", "Ping-pong p99", "µs", false);
            p99.targetVsJdk = 1.0;
            p99.completionTargetVsJdk = 1.0;
            p99.put(v, r, d(m, "p99us"));
            res.metric("pp.p999", "Ping-pong", "Ping-pong p99.9", "µs", false).put(v, r, d(m, "p999us"));
            res.metric("pp.cpu", "Ping-pong", "Ping-pong CPU per round trip (whole JVM)", "µs", false)
                    .put(v, r, d(m, "cpuUsPerRtt"));
        }
    }

    // ---- observe

    /**
     * What a JFR recording costs Edgewise: the same Edgewise echo JVM started three times (no recording; a
     * recording with the {@code edgewise.jfc} the jar ships; the JDK's {@code default} settings plus it), windows
     * alternated between them as in {@link #echo}, three times as many rounds (the ratios are close to 1, so
     * they need more samples than the provider comparison). Reported as per-round ratios to the unrecorded JVM.
     */
    private void observe() throws Exception {
        int rounds = 3 * p.rounds;
        log("== observe: Edgewise without / with a JFR recording, " + rounds + " interleaved rounds");
        Path jfc = logs.resolve("edgewise.jfc");
        try (java.io.InputStream in = Harness.class.getResourceAsStream("/io/edgewise/edgewise.jfc")) {
            if (in == null) {
                res.failures.add("observe: io/edgewise/edgewise.jfc is not on the class path (provider jar)");
                return;
            }
            Files.createDirectories(logs);
            Files.copy(in, jfc, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        List<String> names = new ArrayList<>(List.of("no recording", "edgewise.jfc", "default + edgewise.jfc"));
        List<List<String>> flags = new ArrayList<>(List.of(List.of(),
                List.of("-XX:StartFlightRecording=settings=" + jfc + ",filename=" + logs.resolve("observe-edgewise.jfr")),
                List.of("-XX:StartFlightRecording=settings=default,settings=" + jfc + ",filename="
                        + logs.resolve("observe-default.jfr"))));
        if (!observeBaseJar.isEmpty()) { // the same code without the feature: its jar's classes come first
            names.add("no recording, " + Paths.get(observeBaseJar).getFileName() + " (--base-jar)");
            flags.add(List.of("-cp", observeBaseJar + java.io.File.pathSeparator + classPath));
        }
        ObserveCost cost = new ObserveCost(names);
        List<Proc> procs = new ArrayList<>();
        try {
            for (int i = 0; i < flags.size(); i++) {
                Proc w = start("observe-" + i, jvm(Variant.EDGEWISE, flags.get(i), EchoWorker.class.getName(),
                        serveArgs(Variant.EDGEWISE)), true);
                procs.add(w);
                if (!"ok".equals(checkProvider(w, Variant.EDGEWISE, "observe " + cost.names.get(i)))
                        || w.await("READY ", 60_000) == null) {
                    fail(Variant.EDGEWISE, "observe " + cost.names.get(i), "worker never became READY", w);
                    return;
                }
            }
            String[] tests = {"TPUT 64", "TPUT 16384", "PP"};
            for (String test : tests) {
                for (Proc w : procs) {
                    if (window(w, Variant.EDGEWISE, "observe " + test, test, p.warmupMs, 200) == null) {
                        return;
                    }
                }
            }
            for (int r = 0; r < rounds; r++) {
                for (String test : tests) {
                    for (int k = 0; k < procs.size(); k++) {
                        int i = (k + r) % procs.size();
                        String line = window(procs.get(i), Variant.EDGEWISE, "observe " + test, test, p.rampMs,
                                test.equals("PP") ? p.ppMeasureMs : p.measureMs);
                        if (line == null) {
                            return;
                        }
                        cost.put(test, i, r, kv(line));
                    }
                }
            }
            for (Proc w : procs) {
                w.send("EXIT");
                w.waitExit(30_000);
            }
            res.notes.addAll(cost.lines(rounds, p.measureMs));
        } finally {
            for (Proc w : procs) {
                w.close();
            }
        }
    }

    /** One measurement window of an echo worker: its RESULT line, or null after recording the failure as {@code what}. */
    private String window(Proc w, Variant v, String what, String test, long rampMs, long ms) throws Exception {
        w.send(test + " " + rampMs + " " + ms);
        String line = w.await("RESULT ", 60_000 + 4 * (rampMs + ms));
        if (line == null) {
            fail(v, what, "no result", w);
        }
        return line;
    }

    /** The arguments of an echo worker that serves the profile's connections until EXIT. */
    private String[] serveArgs(Variant v) {
        return new String[] {"serve", v.name(), "--conns", "" + p.conns, "--window", "" + p.window,
            "--pp-conns", "" + p.ppConns};
    }

    // ---- syscalls

    private static final String[] TRACED = {
        "epoll_wait", "epoll_pwait", "epoll_pwait2", "epoll_ctl", "read", "write", "readv", "writev",
        "recvfrom", "sendto", "recvmsg", "sendmsg", "futex", "poll", "ppoll", "ioctl", "sched_yield",
        "mprotect", "madvise", "getsockopt", "setsockopt", "fcntl", "close", "accept4", "eventfd2",
        "clock_nanosleep", "nanosleep", "io_uring_enter",
    };

    private boolean have(String tool) {
        try {
            Process pr = new ProcessBuilder("sh", "-c", "command -v " + tool).redirectErrorStream(true).start();
            return pr.waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    /** perf works if a trivial tracepoint count succeeds (no hardware counters needed). */
    private boolean perfWorks() {
        if (!have("perf")) {
            return false;
        }
        try {
            Process pr = new ProcessBuilder("perf", "stat", "-x,", "-e", "raw_syscalls:sys_enter", "--", "true")
                    .redirectErrorStream(true).start();
            String o = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return pr.waitFor() == 0 && o.contains("raw_syscalls:sys_enter") && !o.contains("<not");
        } catch (Exception e) {
            return false;
        }
    }

    private void syscalls() throws Exception {
        String tool = "strace".equals(tracerChoice) ? (have("strace") ? "strace" : null)
                : perfWorks() ? "perf" : have("strace") ? "strace" : null;
        if (tool == null) {
            res.notes.add("System calls: SKIPPED — neither `perf` (tracepoints) nor `strace` is usable here "
                    + "(install one: `apt-get install -y strace`).");
            log("== syscalls: skipped (no perf/strace)");
            return;
        }
        log("== syscalls per echoed message (" + tool + "), " + p.syscallRounds + " round(s)");
        res.notes.add("System calls counted with `" + (tool.equals("perf")
                ? "perf stat -e raw_syscalls:sys_enter,syscalls:sys_enter_<name>… -p <pid>"
                : "strace -f -c -p <pid>") + "` attached to the echo JVM over exactly " + p.syscallCountPerConn * p.conns
                + " echoed 64 B messages pipelined and " + p.syscallCountPerConn / 2 * p.ppConns + " ping-pong round "
                + "trips; client and server are both in the traced JVM, so one echoed message = client write + server "
                + "read + server write + client read (+ the epoll_waits around them); JIT/GC threads are included.");
        for (int r = 0; r < p.syscallRounds; r++) {
            for (Variant v : order(r)) {
                if (!stubbed.contains(v)) {
                    syscallRun(v, r, tool, false);
                }
            }
        }
        for (int r = 0; r < p.syscallRounds; r++) {
            for (Variant v : order(r)) {
                if (!stubbed.contains(v)) {
                    syscallRun(v, r, tool, true);
                }
            }
        }
    }

    private void syscallRun(Variant v, int r, String tool, boolean pingPong) throws Exception {
        String what = (pingPong ? "ping-pong " : "") + "syscalls round " + (r + 1);
        String tag = (pingPong ? "sys1-r" : "sys-r") + (r + 1) + "-" + v.name().toLowerCase(Locale.ROOT);
        int conns = pingPong ? p.ppConns : p.conns;
        int window = pingPong ? 1 : p.window;
        long count = pingPong ? p.syscallCountPerConn / 2 : p.syscallCountPerConn;
        try (Proc w = start(tag, jvm(v, EchoWorker.class.getName(), "syscalls", v.name(), "--size", "64",
                "--conns", "" + conns, "--window", "" + window, "--count", "" + count,
                "--warmup-ms", "" + p.warmupMs), true)) {
            String s = checkProvider(w, v, what);
            if (!"ok".equals(s)) {
                if ("stub".equals(s)) {
                    stubbed.add(v);
                }
                return;
            }
            String ready = w.await("READY ", 60_000 + p.warmupMs);
            if (ready == null) {
                fail(v, what, "worker never became READY", w);
                return;
            }
            long pid = Long.parseLong(kv(ready).get("pid"));
            Path outFile = logs.resolve(tag + "." + tool + ".txt");
            Files.deleteIfExists(outFile);
            List<String> cmd = new ArrayList<>();
            if (tool.equals("perf")) {
                StringBuilder ev = new StringBuilder("raw_syscalls:sys_enter");
                for (String t : TRACED) {
                    ev.append(",syscalls:sys_enter_").append(t);
                }
                cmd.addAll(List.of("perf", "stat", "-x,", "-o", outFile.toString(), "-e", ev.toString(),
                        "-p", "" + pid));
            } else {
                cmd.addAll(List.of("strace", "-f", "-c", "-o", outFile.toString(), "-p", "" + pid));
            }
            try (Proc tracer = start(tag + "-" + tool, cmd, false)) {
                Thread.sleep(tool.equals("perf") ? 700 : 1500); // let it attach to every thread
                if (!tracer.process.isAlive()) {
                    fail(v, what, tool + " exited at once", tracer);
                    w.send("EXIT");
                    return;
                }
                w.send("GO");
                String done = w.await("DONE ", 180_000);
                new ProcessBuilder("kill", "-INT", "" + tracer.process.pid()).start().waitFor();
                int trc = tracer.waitExit(30_000);
                w.send("EXIT");
                int rc = w.waitExit(30_000);
                if (done == null || rc != 0) {
                    fail(v, what, "worker did not finish (exit " + rc + ")", w);
                    return;
                }
                Map<String, Long> counts = tool.equals("perf") ? parsePerf(outFile) : parseStrace(outFile);
                if (counts.isEmpty()) {
                    fail(v, what, tool + " produced no counts (exit " + trc + ")", tracer);
                    return;
                }
                double msgs = d(kv(done), "msgs");
                recordSyscalls(v, r, counts, msgs, pingPong);
                log(String.format(Locale.ROOT, "  %s %s: %.2f syscalls/msg (%d msgs)", v.title, what,
                        counts.getOrDefault("total", 0L) / msgs, (long) msgs));
            }
        }
    }

    static Map<String, Long> parsePerf(Path f) throws IOException {
        Map<String, Long> m = new TreeMap<>();
        if (!Files.exists(f)) {
            return m;
        }
        for (String line : Files.readAllLines(f)) {
            String[] c = line.split(",");
            if (line.startsWith("#") || c.length < 3 || !c[0].matches("\\d+")) {
                continue;
            }
            String ev = c[2];
            long n = Long.parseLong(c[0]);
            if (ev.equals("raw_syscalls:sys_enter")) {
                m.put("total", n);
            } else if (ev.startsWith("syscalls:sys_enter_")) {
                m.put(ev.substring("syscalls:sys_enter_".length()), n);
            }
        }
        return m;
    }

    static Map<String, Long> parseStrace(Path f) throws IOException {
        Map<String, Long> m = new TreeMap<>();
        if (!Files.exists(f)) {
            return m;
        }
        for (String line : Files.readAllLines(f)) {
            String[] c = line.trim().split("\\s+");
            if (c.length < 5 || !c[0].matches("[0-9.]+")) {
                continue;
            }
            String name = c[c.length - 1];
            long calls = Long.parseLong(c[3]);
            m.put(name.equals("total") ? "total" : name, calls);
        }
        return m;
    }

    private void recordSyscalls(Variant v, int r, Map<String, Long> counts, double msgs, boolean pingPong) {
        String pre = pingPong ? "sys1." : "sys.";
        String sec = pingPong ? "System calls, ping-pong (" + p.ppConns + " conns × 1 in flight, 64 B)"
                : "System calls, pipelined echo (" + p.conns + " conns × " + p.window + " in flight, 64 B)";
        Results.Metric total = res.metric(pre + "total", sec, pingPong ? "Syscalls per ping-pong round trip (all)"
                : "Syscalls per echoed message, pipelined (all)", "calls/msg", false);
        total.targetVsJdk = 0.8;
        if (!pingPong) total.completionTargetVsJdk = 0.3; // issue #21: level 2 at most 0.3x the JDK's calls
        total.put(v, r, counts.getOrDefault("total", 0L) / msgs);
        long named = 0;
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            if (e.getKey().equals("total")) {
                continue;
            }
            named += e.getValue();
            res.metric(pre + e.getKey(), sec, "  · " + e.getKey(), "calls/msg", false)
                    .put(v, r, e.getValue() / msgs);
        }
        res.metric(pre + "zother", sec, "  · other", "calls/msg", false)
                .put(v, r, Math.max(0, counts.getOrDefault("total", 0L) - named) / msgs);
    }

    // ---- scale

    /** Sum of run time (ns) of all threads of a process, from /proc/PID/task/TID/schedstat. */
    private static long cpuNanos(long pid) throws IOException {
        long sum = 0;
        try (Stream<Path> tasks = Files.list(Paths.get("/proc", "" + pid, "task"))) {
            for (Path t : (Iterable<Path>) tasks::iterator) {
                try {
                    sum += Long.parseLong(Files.readString(t.resolve("schedstat")).trim().split("\\s+")[0]);
                } catch (IOException | RuntimeException ignored) {
                    // thread exited meanwhile
                }
            }
        }
        return sum;
    }

    private static double rssMb(long pid) throws IOException {
        for (String l : Files.readAllLines(Paths.get("/proc", "" + pid, "status"))) {
            if (l.startsWith("VmRSS:")) {
                return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
            }
        }
        return Double.NaN;
    }

    private void scale() throws Exception {
        log("== scale: idle connections " + p.scaleLevels + ", " + p.scaleRounds + " round(s)");
        res.notes.add("Scale: server JVM = variant's Netty transport (one event-loop thread for all connections); "
                + "client JVM (JDK provider) holds the idle connections and runs 4 blocking 64 B ping-pong "
                + "connections for " + p.scaleMeasureMs + " ms per level; server CPU = sum of its threads' run time "
                + "(/proc/PID/task/*/schedstat) over the window ÷ round trips; RSS from /proc/PID/status.");
        for (int r = 0; r < p.scaleRounds; r++) {
            for (Variant v : order(r)) {
                if (!stubbed.contains(v)) {
                    scaleRun(v, r);
                }
            }
        }
    }

    private void scaleRun(Variant v, int r) throws Exception {
        String what = "scale round " + (r + 1);
        String tag = "scale-r" + (r + 1) + "-" + v.name().toLowerCase(Locale.ROOT);
        try (Proc srv = start(tag + "-server", jvm(v, ScaleServer.class.getName(), v.name()), true)) {
            String s = checkProvider(srv, v, what + " server");
            if (!"ok".equals(s)) {
                if ("stub".equals(s)) {
                    stubbed.add(v);
                }
                return;
            }
            String listen = srv.await("LISTEN ", 60_000);
            if (listen == null) {
                fail(v, what, "server never listened", srv);
                return;
            }
            long pid = srv.process.pid();
            String port = kv(listen).get("port");
            try (Proc cli = start(tag + "-client", jvm(Variant.JDK, ScaleClient.class.getName(), "--port", port,
                    "--levels", p.scaleLevels, "--measure-ms", "" + p.scaleMeasureMs), true)) {
                String cp = cli.await("PROVIDER ", 60_000);
                if (cp == null || !cp.endsWith(Variant.JDK.providerClass)) {
                    fail(v, what, "scale client not on the JDK provider: " + cp, cli);
                    return;
                }
                int levels = p.scaleLevels.split(",").length;
                double firstCpu = Double.NaN;
                double lastCpu = Double.NaN;
                for (int i = 0; i < levels; i++) {
                    String ready = cli.await("READY ", 180_000);
                    if (ready == null) {
                        fail(v, what, "client never reached the next level", cli);
                        srv.send("EXIT");
                        return;
                    }
                    long c0 = cpuNanos(pid);
                    cli.send("GO");
                    String line = cli.await("RESULT ", 60_000 + 2 * p.scaleMeasureMs);
                    long c1 = cpuNanos(pid);
                    double rss = rssMb(pid);
                    if (line == null) {
                        fail(v, what, "no result at " + ready, cli);
                        srv.send("EXIT");
                        return;
                    }
                    Map<String, String> m = kv(line);
                    String idle = m.get("idle");
                    double rtts = d(m, "rtts");
                    String lvl = String.format(Locale.ROOT, "%,d idle", Integer.parseInt(idle));
                    res.metric("scale.p50." + idle, "Scale", "Active ping-pong p50, " + lvl, "µs", false)
                            .put(v, r, d(m, "p50us"));
                    res.metric("scale.p99." + idle, "Scale", "Active ping-pong p99, " + lvl, "µs", false)
                            .put(v, r, d(m, "p99us"));
                    res.metric("scale.cpu." + idle, "Scale", "Server CPU per round trip, " + lvl, "µs", false)
                            .put(v, r, (c1 - c0) / 1e3 / rtts);
                    res.metric("scale.rss." + idle, "Scale", "Server RSS, " + lvl, "MB", false).put(v, r, rss);
                    lastCpu = (c1 - c0) / 1e3 / rtts;
                    if (i == 0) {
                        firstCpu = lastCpu;
                    }
                    if (i == levels - 1) {
                        String[] lv = p.scaleLevels.split(",");
                        res.metric("scale.growth", "Scale", String.format(Locale.ROOT,
                                "Server CPU per round trip, %,d idle ÷ %,d idle (1 = flat)",
                                Integer.parseInt(lv[levels - 1]), Integer.parseInt(lv[0])), "ratio", false)
                                .put(v, r, lastCpu / firstCpu);
                    }
                    log(String.format(Locale.ROOT, "  %s %s: idle=%s p50=%sus cpu/rtt=%.2fus rss=%.0fMB",
                            v.title, what, idle, m.get("p50us"), (c1 - c0) / 1e3 / rtts, rss));
                }
                String fin = cli.await("FINISHED", 30_000);
                int crc = cli.waitExit(60_000);
                srv.send("EXIT");
                int src = srv.waitExit(60_000);
                if (fin == null || crc != 0 || src != 0) {
                    fail(v, what, "client exit " + crc + ", server exit " + src, src != 0 ? srv : cli);
                }
            }
        }
    }

    // ---- JMH

    private void jmh() throws Exception {
        List<String> providers = new ArrayList<>(List.of("jdk"));
        if (!stubbed.contains(Variant.EDGEWISE)) {
            providers.add("edgewise");
        }
        log("== JMH micro-benchmarks (" + p.jmhArgs + "), providers " + providers);
        Path csv = logs.resolve("jmh.csv");
        Files.deleteIfExists(csv);
        List<String> cmd = new ArrayList<>(List.of(javaBin, "--enable-native-access=ALL-UNNAMED",
                "-Djava.nio.channels.spi.SelectorProvider=" + Variant.JDK.providerClass,
                "-cp", classPath, "org.openjdk.jmh.Main", "io.edgewise.bench.jmh."));
        cmd.addAll(Arrays.asList(p.jmhArgs.split(" ")));
        cmd.addAll(List.of("-p", "provider=" + String.join(",", providers), "-rf", "csv", "-rff", csv.toString()));
        if (!bindingChoice.isEmpty()) {
            // replaces the @Fork(jvmArgsAppend) of the benchmarks, so repeat those flags
            cmd.addAll(List.of("-jvmArgsAppend", "--enable-native-access=ALL-UNNAMED --add-exports=java.base/sun.nio.ch=ALL-UNNAMED"
                    + " -Djava.nio.channels.spi.SelectorProvider=" + Variant.JDK.providerClass
                    + " -Dio.edgewise.binding=" + bindingChoice));
        }
        try (Proc j = start("jmh", cmd, true)) {
            int rc = j.waitExit(1_800_000);
            if (rc != 0 || !Files.exists(csv)) {
                fail(null, "JMH", "exit status " + rc, j);
                return;
            }
            Map<String, EnumSet<Variant>> seen = new LinkedHashMap<>();
            List<String> lines = Files.readAllLines(csv);
            String[] head = splitCsv(lines.get(0));
            // SampleTime mode: the median of sampled invocations is robust against preemption by other load
            for (String line : lines.subList(1, lines.size())) {
                String[] c = splitCsv(line);
                String full = c[0].replace("io.edgewise.bench.jmh.", "");
                java.util.regex.Matcher pm = java.util.regex.Pattern.compile("^(.*)[:\u00b7](p[0-9.]+)$").matcher(full);
                String pct = null;
                String bench = full;
                if (pm.matches()) {
                    bench = pm.group(1);
                    pct = pm.group(2);
                    int colon = bench.lastIndexOf(':');
                    if (colon > 0) {
                        bench = bench.substring(0, colon);
                    }
                }
                if (!"p0.50".equals(pct) && !"p0.90".equals(pct)) {
                    continue;
                }
                StringBuilder params = new StringBuilder();
                String prov = null;
                for (int i = 7; i < c.length && i < head.length; i++) {
                    String pn = head[i].replace("Param: ", "");
                    if (pn.equals("provider")) {
                        prov = c[i];
                    } else if (!c[i].isEmpty()) {
                        params.append(params.length() == 0 ? " " : ", ").append(pn).append('=').append(c[i]);
                    }
                }
                Variant v = "edgewise".equals(prov) ? Variant.EDGEWISE : Variant.JDK;
                boolean p90 = "p0.90".equals(pct);
                String key = "jmh." + bench + params + (p90 ? ".p90" : "");
                Results.Metric m = res.metric(key, p90 ? "JMH, p90 of sampled invocations" : "JMH, median of sampled invocations",
                        bench.substring(bench.indexOf('.') + 1) + params, c[6], false);
                m.put(v, 0, Double.parseDouble(c[4]));
                seen.computeIfAbsent(key, k -> EnumSet.noneOf(Variant.class)).add(v);
            }
            for (Map.Entry<String, EnumSet<Variant>> e : seen.entrySet()) {
                if (providers.contains("edgewise") && !e.getValue().contains(Variant.EDGEWISE)) {
                    fail(Variant.EDGEWISE, "JMH", e.getKey() + " produced no result (see jmh log)", null);
                }
            }
            if (seen.isEmpty()) {
                fail(null, "JMH", "no results", j);
            }
            // JMH keeps going after a failing benchmark: make missing Edgewise rows visible
            if (providers.contains("edgewise") && j.saw("<failure>")) {
                fail(Variant.EDGEWISE, "JMH", "a benchmark failed (see " + logs.resolve(j.name + ".log") + ")", null);
            }
        }
    }

    static String[] splitCsv(String line) {
        List<String> r = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean q = false;
        for (char ch : line.toCharArray()) {
            if (ch == '"') {
                q = !q;
            } else if (ch == ',' && !q) {
                r.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        r.add(cur.toString());
        return r.toArray(new String[0]);
    }

    // ---- machine

    private Map<String, String> machine() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("CPUs (nproc)", "" + Runtime.getRuntime().availableProcessors());
        try {
            for (String l : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
                if (l.startsWith("model name")) {
                    m.put("CPU", l.substring(l.indexOf(':') + 1).trim());
                    break;
                }
            }
            m.put("Kernel", Files.readString(Paths.get("/proc/sys/kernel/osrelease")).trim());
            for (String l : Files.readAllLines(Paths.get("/proc/meminfo"))) {
                if (l.startsWith("MemTotal")) {
                    m.put("Memory", Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024 / 1024 + " GiB");
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // best effort
        }
        m.put("JDK", System.getProperty("java.vm.vendor") + " " + System.getProperty("java.runtime.version")
                + " (" + System.getProperty("java.home") + ")");
        m.put("Netty", io.netty.util.Version.identify().getOrDefault("netty-transport",
                null) == null ? "?" : io.netty.util.Version.identify().get("netty-transport").artifactVersion());
        m.put("Date (UTC)", java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC)
                .format(java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")));
        try {
            Process pr = new ProcessBuilder("git", "rev-parse", "--short", "HEAD").redirectErrorStream(true).start();
            String rev = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (pr.waitFor() == 0) {
                m.put("Commit", rev);
            }
        } catch (Exception ignored) {
            // no git
        }
        m.put("Load average at end", loadavg());
        m.put(CallPrice.rowName(), callPriceAtStart + " / " + CallPrice.describe());
        return m;
    }

    private static String loadavg() {
        try {
            String[] l = Files.readString(Paths.get("/proc/loadavg")).trim().split("\\s+");
            return l[0] + " " + l[1] + " " + l[2];
        } catch (IOException e) {
            return "?";
        }
    }
}
