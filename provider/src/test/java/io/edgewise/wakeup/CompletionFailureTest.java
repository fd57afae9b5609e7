package io.edgewise.wakeup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue #19: no failure inside a completion path may leave an {@code ASYNC_RESOLVE} connect pending
 * forever. Before the fix the BSD socket layer had no {@code replace()} (its default threw
 * UnsupportedOperationException), {@code AsyncConnect} caught only IOException, and both a selector
 * and a blocking connect waited forever. Each case runs in a JVM of its own with a time limit.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CompletionFailureTest {
    private static final int LIMIT_SECONDS = 90;

    private static void run(List<String> opts, String expectation, int n) throws Exception {
        ChildJvm.Result r = ChildJvm.run(CompletionFailureMain.class, opts, LIMIT_SECONDS, expectation, String.valueOf(n));
        System.out.println("[CompletionFailureTest] " + opts + ": " + r.output.trim());
        assertFalse(r.timedOut, "a connect was left pending (the child outlived its " + LIMIT_SECONDS + " s limit):\n" + r);
        assertEquals(0, r.exitCode, "child failed:\n" + r);
    }

    /** The code macOS and the BSDs run (the POSIX socket layer without SOCK_NONBLOCK etc.), over epoll. */
    @Test
    void bsdSocketLayerAsyncConnectsComplete() throws Exception {
        run(List.of("-Dio.edgewise.backend=epoll", "-Dio.edgewise.socketops=posix-macos"), "succeed", 100);
    }

    /** The same over kqueue (libkqueue), the combination a Mac runs. */
    @Test
    void bsdSocketLayerAsyncConnectsCompleteOverKqueue() throws Exception {
        Assumptions.assumeTrue(ChildJvm.hasLibkqueue(), "kqueue variant SKIPPED: no libkqueue at " + ChildJvm.libkqueue());
        List<String> o = new ArrayList<>(ChildJvm.kqueueProperties());
        o.add("-Dio.edgewise.socketops=posix-macos");
        run(o, "succeed", 100);
    }

    /** A RuntimeException or Error in the hand-off, or a RuntimeException on the poller thread: the connect fails, it does not hang. */
    @ParameterizedTest
    @ValueSource(strings = {"replace-runtime", "replace-error", "finish-runtime"})
    void aFailureInTheCompletionPathEndsTheConnect(String fault) throws Exception {
        run(List.of("-Dio.edgewise.backend=epoll", "-Dio.edgewise.socketops=" + FaultyOps.class.getName(),
                "-Dedgewise.test.fault=" + fault), "fail", 20);
    }
}
