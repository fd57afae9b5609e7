package io.edgewise.wakeup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The lost-wake-up stress of issue #22 for one backend, each part in a JVM of its own with that
 * backend ({@link WakeupStressMain}): thousands of {@code ASYNC_RESOLVE} connects (resolvable,
 * unknown, refused) each selected by a bounded {@code select}; blocking platform-thread reads woken by
 * data, close, interrupt and reset; 2,000 parked virtual-thread readers on 2 carriers woken by data
 * (and more by close, interrupt and reset). Every wait in the child is bounded and the child has a time limit, so
 * a lost wake-up fails the test instead of hanging the build.
 */
abstract class WakeupStressBase {
    /** A child's time limit: far above a normal run (seconds), far below CI's patience. */
    static final int CHILD_LIMIT_SECONDS = 120;

    /** The JVM options that select the backend (and socket layer) under test. */
    abstract List<String> backendOptions();

    /** Whether the backend has a ready poller (ASYNC_RESOLVE and parked virtual threads exist). */
    abstract boolean hasReadyPoller();

    /** The ready poller class the child must report using ("none" without one). */
    abstract String readyPoller();

    void assumeBackendPresent() { }

    @Test
    void asyncConnectsAreEachSelectedAndFinishAsTheirTargetSays() throws Exception {
        assumeBackendPresent();
        Assumptions.assumeTrue(hasReadyPoller(), "ASYNC_RESOLVE is not offered on this backend (no ready poller)");
        // batches of 6 (the selector sees several connects end at once) and single connects (an empty
        // return cannot hide behind another key's readiness); then selections that must outlast the
        // internal wake-ups of connects whose keys never become selectable
        run(List.of(), "connects:300:6", "connects:600:1", "outlast:4:300");
    }

    @Test
    void blockingPlatformThreadReadsWakeOnDataCloseAndInterrupt() throws Exception {
        assumeBackendPresent();
        run(List.of(), "reads:500");
    }

    @Test
    void twoThousandParkedVirtualReadersOnTwoCarriersAllWake() throws Exception {
        assumeBackendPresent();
        Assumptions.assumeTrue(WakeupScenarios.virtualThreadsExist(),
                "virtual threads need JDK 21+ (running " + Runtime.version() + "); CI runs this on JDK 25");
        Assumptions.assumeTrue(hasReadyPoller(), "no ready poller on this backend: virtual threads do not park");
        run(List.of("-Djdk.virtualThreadScheduler.parallelism=2", "-Djdk.virtualThreadScheduler.maxPoolSize=2"),
                "vreaders:2000:DATA", "vreaders:500:CLOSE", "vreaders:500:INTERRUPT", "vreaders:300:RESET");
    }

    private void run(List<String> extra, String... scenarios) throws Exception {
        List<String> opts = new ArrayList<>(backendOptions());
        opts.addAll(extra);
        ChildJvm.Result r = ChildJvm.run(WakeupStressMain.class, opts, CHILD_LIMIT_SECONDS, scenarios);
        System.out.println("[" + getClass().getSimpleName() + "] " + r.output.trim().replace("\n", "\n  "));
        assertFalse(r.timedOut, "the child outlived its " + CHILD_LIMIT_SECONDS + " s limit (a wait was lost):\n" + r);
        assertEquals(0, r.exitCode, "child failed:\n" + r);
        assertTrue(r.output.contains("ready poller " + readyPoller() + ","), "expected ready poller " + readyPoller() + ":\n" + r);
        for (String s : scenarios) {
            assertTrue(r.output.contains("ok " + s + ":") || r.output.contains("skip " + s + ":"), "no result for " + s + ":\n" + r);
        }
    }
}
