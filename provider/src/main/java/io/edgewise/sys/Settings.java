package io.edgewise.sys;

import java.util.function.UnaryOperator;

/**
 * Every {@code io.edgewise.*} system property, with its default, read in this one class (a test fails when
 * another class names one; docs/configuration.md lists them, and a test checks that table against this).
 *
 * <p>Most are read once, when the provider starts: {@link Platform#current()} holds that snapshot, and the
 * parts built with it take their values from there. Three are read again at each use, because each use may
 * want another value in the same JVM (tests do): {@link #kqueueWakeup()} when a kqueue selector opens, and
 * {@link #anomalyMillis()} at each JFR scan, {@link #uringTestBufferRing()} (tests) when a ring selector makes its
 * buffer ring. The Java agent reads its two ({@link #agentJna}, {@link #verbose})
 * with {@link #fromSystem()} before {@code main}, ahead of the provider.
 *
 * <p>A component's name is its property's name after {@code io.edgewise.} with the dots dropped and the
 * next letter capitalised ({@code resolve.timeoutMillis} is {@code resolveTimeoutMillis}); the tests rely
 * on that. A value that does not parse is the default, as {@link Long#getLong(String, long)} has it.
 * Immutable.
 *
 * @param backend              the forced backend name, or null: the platform's own
 * @param binding              the forced native binding as given (null: Edgewise picks)
 * @param socketops            the socket layer forced on Linux ("" for Linux's own)
 * @param kqueueLibrary        the kqueue library path (kqueue on Linux), or null
 * @param verbose              print one line naming provider, backend and binding
 * @param resolveTimeoutMillis an asynchronous look-up's timeout
 * @param resolveThreads       the most asynchronous look-ups at once
 * @param connectStaggerMillis the delay between Happy-Eyeballs connection attempts
 * @param virtualThreadParking virtual threads park on the backend instead of blocking their carrier
 * @param jmx                  when the MXBeans are registered: "auto" (unset), "true", "false"
 * @param jfr                  JFR events may be emitted (false only for "false")
 * @param spinThreshold        consecutive spinning selects that make a SelectorSpin event
 * @param agentJna             the JNA jar the agent adds to the class path, or null
 * @param uringStrict          with the io_uring backend asked for: its absence fails the provider instead of
 *                             falling back to epoll
 * @param uringTestProbeFailure tests only: a reason that makes the io_uring probe fail ("" for none)
 * @param windowsTestLibrary   tests only: one library that stands in for ws2_32, kernel32 and ntdll in the
 *                             Windows FFM binding (a stub with their symbols), or null
 * @param uringIo              io_uring level 2: connected stream sockets registered with a ring selector
 *                             receive and send through the ring (off: level 1 only)
 */
public record Settings(String backend, String binding, String socketops, String kqueueLibrary, boolean verbose,
                       long resolveTimeoutMillis, int resolveThreads, long connectStaggerMillis,
                       boolean virtualThreadParking, String jmx, boolean jfr, long spinThreshold, String agentJna,
                       boolean uringStrict, String uringTestProbeFailure, String windowsTestLibrary,
                       boolean uringIo) {

    public static final String BACKEND = "io.edgewise.backend";
    public static final String BINDING = "io.edgewise.binding";
    public static final String SOCKETOPS = "io.edgewise.socketops";
    public static final String KQUEUE_LIBRARY = "io.edgewise.kqueue.library";
    public static final String KQUEUE_WAKEUP = "io.edgewise.kqueue.wakeup";
    public static final String VERBOSE = "io.edgewise.verbose";
    public static final String RESOLVE_TIMEOUT_MILLIS = "io.edgewise.resolve.timeoutMillis";
    public static final String RESOLVE_THREADS = "io.edgewise.resolve.threads";
    public static final String CONNECT_STAGGER_MILLIS = "io.edgewise.connect.staggerMillis";
    public static final String VIRTUAL_THREAD_PARKING = "io.edgewise.virtualThreadParking";
    public static final String JMX = "io.edgewise.jmx";
    public static final String JFR = "io.edgewise.jfr";
    public static final String ANOMALY_MILLIS = "io.edgewise.anomalyMillis";
    public static final String SPIN_THRESHOLD = "io.edgewise.spinThreshold";
    public static final String AGENT_JNA = "io.edgewise.agent.jna";
    public static final String URING_STRICT = "io.edgewise.uring.strict";
    public static final String URING_TEST_PROBE_FAILURE = "io.edgewise.uring.test.probeFailure";
    public static final String WINDOWS_TEST_LIBRARY = "io.edgewise.windows.test.library";
    public static final String URING_IO = "io.edgewise.uring.io";
    public static final String URING_TEST_BUFFER_RING = "io.edgewise.uring.test.bufferRing";
    public static final String URING_TEST_BUFFER_MODE = "io.edgewise.uring.test.bufferMode";
    public static final String URING_READY_POLLER = "io.edgewise.uring.readyPoller";
    public static final String URING_SEND = "io.edgewise.uring.send";
    public static final String URING_SEND_POOL_BYTES = "io.edgewise.uring.sendPoolBytes";
    public static final String URING_DEFER_TASKRUN = "io.edgewise.uring.deferTaskrun";
    public static final String URING_BULK_RECEIVE = "io.edgewise.uring.bulkReceive";
    public static final String VIRTUAL_THREAD_POLLERS = "io.edgewise.virtualThreadPollers";

    /** The JVM's properties now (privileged reads, see {@link SystemProps}). */
    public static Settings fromSystem() {
        return read(SystemProps::get);
    }

    /** The settings a property source gives (null: unset); tests pass a map's {@code get}. */
    public static Settings read(UnaryOperator<String> props) {
        String jmx = props.apply(JMX);
        return new Settings(
                props.apply(BACKEND),
                props.apply(BINDING),
                orElse(props.apply(SOCKETOPS), ""),
                props.apply(KQUEUE_LIBRARY),
                Boolean.parseBoolean(props.apply(VERBOSE)),
                decode(props.apply(RESOLVE_TIMEOUT_MILLIS), 10_000L),
                decodeInt(props.apply(RESOLVE_THREADS), 4),
                decode(props.apply(CONNECT_STAGGER_MILLIS), 250L),
                Boolean.parseBoolean(orElse(props.apply(VIRTUAL_THREAD_PARKING), "true")),
                jmx == null ? "auto" : jmx,
                !"false".equals(props.apply(JFR)),
                decode(props.apply(SPIN_THRESHOLD), 512L),
                props.apply(AGENT_JNA),
                Boolean.parseBoolean(props.apply(URING_STRICT)),
                orElse(props.apply(URING_TEST_PROBE_FAILURE), ""),
                props.apply(WINDOWS_TEST_LIBRARY),
                Boolean.parseBoolean(props.apply(URING_IO)));
    }

    /** Whether kqueue selectors opened now wake up through a pipe ("pipe"); read at each open. */
    public static String kqueueWakeup() {
        return kqueueWakeup(SystemProps::get);
    }

    static String kqueueWakeup(UnaryOperator<String> props) {
        return props.apply(KQUEUE_WAKEUP);
    }

    /**
     * Tests only: the io_uring level-2 provided-buffer ring as "ENTRIESxSIZE[xMAX[xWINDOW]]" (MAX: the most
     * buffers it may grow to; WINDOW: the most in the kernel's ring at once; "" for the default); read when
     * a ring selector makes its buffer ring (a test can shrink one selector's ring).
     */
    public static String uringTestBufferRing() {
        return uringTestBufferRing(SystemProps::get);
    }

    static String uringTestBufferRing(UnaryOperator<String> props) {
        return orElse(props.apply(URING_TEST_BUFFER_RING), "");
    }

    /**
     * Tests only: how the io_uring level-2 buffer ring is consumed: "plain" (a whole buffer per receive, as on
     * kernels before 6.12) or "" (in pieces, IOU_PBUF_RING_INC, when the kernel has it, else plain); read when a
     * ring selector makes its buffer ring, so one kernel tests both.
     */
    public static String uringTestBufferMode() {
        return uringTestBufferMode(SystemProps::get);
    }

    static String uringTestBufferMode(UnaryOperator<String> props) {
        return orElse(props.apply(URING_TEST_BUFFER_MODE), "");
    }

    /**
     * With the io_uring backend: which ready poller serves virtual-thread parking and async connect, "ring" or
     * "epoll" (unset: "ring"); read once, when the first such wait needs one.
     */
    public static String uringReadyPoller() {
        return uringReadyPoller(SystemProps::get);
    }

    static String uringReadyPoller(UnaryOperator<String> props) {
        return "epoll".equals(props.apply(URING_READY_POLLER)) ? "epoll" : "ring";
    }

    /**
     * What wakes parked virtual threads: "virtual" (pollers that are virtual threads), "platform" (a platform
     * thread per direction) or "auto" (unset or anything else: as the JDK's own {@code jdk.pollerMode}); read once,
     * when the first virtual-thread wait needs one.
     */
    public static String virtualThreadPollers() {
        return virtualThreadPollers(SystemProps::get);
    }

    static String virtualThreadPollers(UnaryOperator<String> props) {
        String v = props.apply(VIRTUAL_THREAD_POLLERS);
        return "virtual".equals(v) || "platform".equals(v) ? v : "auto";
    }

    /**
     * With io_uring level 2: whether connected stream sockets also send through the ring (unset: true;
     * {@code false} keeps level 2 to receiving); read when a ring selector is made.
     */
    public static boolean uringSend() {
        return uringSend(SystemProps::get);
    }

    static boolean uringSend(UnaryOperator<String> props) {
        return Boolean.parseBoolean(orElse(props.apply(URING_SEND), "true"));
    }

    /**
     * io_uring level-2 rings made with {@code SINGLE_ISSUER | DEFER_TASKRUN} (Linux 6.1+; unset: true): the
     * kernel runs their completion work inside the enters of the first thread that selects, which it wakes
     * more cheaply. Another thread that needs the ring (a select, a close, a hand-back) takes it over: the ring
     * moves to an ordinary one for good (docs/io_uring.md, "DEFER_TASKRUN"). Read when a ring selector is made.
     */
    public static boolean uringDeferTaskrun() {
        return uringDeferTaskrun(SystemProps::get);
    }

    static boolean uringDeferTaskrun(UnaryOperator<String> props) {
        return Boolean.parseBoolean(orElse(props.apply(URING_DEFER_TASKRUN), "true"));
    }

    /**
     * io_uring level 2: a stream whose receives are large, one after another, is read the JDK's way (readiness
     * and a {@code read} straight into the caller's buffer) and tried on the ring again later (unset: true;
     * docs/io_uring.md, "Bulk streams"). Read when a ring selector makes its receive side.
     */
    public static boolean uringBulkReceive() {
        return uringBulkReceive(SystemProps::get);
    }

    static boolean uringBulkReceive(UnaryOperator<String> props) {
        return Boolean.parseBoolean(orElse(props.apply(URING_BULK_RECEIVE), "true"));
    }

    /**
     * With io_uring level 2's send side: the most send-buffer memory one ring selector makes (unset or
     * malformed: 64 MiB; at least one slab of 1 MiB is made); read when a ring selector makes its send side.
     */
    public static long uringSendPoolBytes() {
        return uringSendPoolBytes(SystemProps::get);
    }

    static long uringSendPoolBytes(UnaryOperator<String> props) {
        String v = props.apply(URING_SEND_POOL_BYTES);
        try {
            return v != null ? Long.parseLong(v.trim()) : 64L << 20;
        } catch (NumberFormatException keepDefault) {
            return 64L << 20;
        }
    }

    /** How long a condition lasts before a JFR scan reports it; read at each scan. */
    public static long anomalyMillis() {
        return anomalyMillis(SystemProps::get);
    }

    static long anomalyMillis(UnaryOperator<String> props) {
        String v = props.apply(ANOMALY_MILLIS);
        try {
            return v != null ? Long.parseLong(v.trim()) : 1000;
        } catch (NumberFormatException keepDefault) {
            return 1000;
        }
    }

    private static String orElse(String v, String dflt) {
        return v != null ? v : dflt;
    }

    /** As {@link Long#getLong(String, long)}: decimal, hex or octal; the default when unset or malformed. */
    private static long decode(String v, long dflt) {
        try {
            return v != null ? Long.decode(v) : dflt;
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** As {@link Integer#getInteger(String, int)}. */
    private static int decodeInt(String v, int dflt) {
        try {
            return v != null ? Integer.decode(v) : dflt;
        } catch (NumberFormatException e) {
            return dflt;
        }
    }
}
