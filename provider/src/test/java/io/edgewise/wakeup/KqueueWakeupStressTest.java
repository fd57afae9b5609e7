package io.edgewise.wakeup;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Timeout;

/**
 * {@link WakeupStressBase} over kqueue on libkqueue (Linux), with the Linux socket layer, for the
 * selector and for the kqueue ready poller. Skipped with a message where the library is absent
 * ({@code -Dedgewise.test.libkqueue=PATH} or {@code KQUEUE_LIBRARY} name another).
 */
@Timeout(value = 400, unit = TimeUnit.SECONDS)
class KqueueWakeupStressTest extends WakeupStressBase {
    @Override
    void assumeBackendPresent() {
        Assumptions.assumeTrue(ChildJvm.hasLibkqueue(), "kqueue variant SKIPPED: no libkqueue at " + ChildJvm.libkqueue()
                + " (Debian does not package it; ../shared/testing/libkqueue/ carries one, or set KQUEUE_LIBRARY)");
    }

    @Override
    List<String> backendOptions() {
        List<String> o = new ArrayList<>(ChildJvm.kqueueProperties());
        o.add("-Dio.edgewise.socketops=");
        return o;
    }

    @Override
    String readyPoller() {
        return "KqueueReadyPoller"; // over libkqueue too (#19): before, epoll's served there
    }

    @Override
    boolean hasReadyPoller() {
        return true;
    }
}
