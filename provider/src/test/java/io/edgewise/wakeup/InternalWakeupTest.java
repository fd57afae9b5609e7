package io.edgewise.wakeup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.backend.Backends;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issues #16 item 3 and #22 in the suite's own JVM, so they run over whichever backend the suite runs
 * on ({@code scripts/kqueue-suite.sh} runs them over kqueue): {@code select(timeout)} returns 0 only on
 * timeout, {@code wakeup()} or interrupt — never because an {@code ASYNC_RESOLVE} connect ended (its
 * internal wake-up) — and every such connect, resolvable, unknown or refused, registered before or
 * after it starts, is selected.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class InternalWakeupTest {
    private final SelectorProvider provider = new EdgewiseSelectorProvider();

    @BeforeEach
    void needsReadyPoller() {
        Assumptions.assumeTrue(Backends.hasReadyPoller(), "ASYNC_RESOLVE is not offered on backend " + Backends.name());
    }

    /** Before the fix 9 of 10 single connects to an unknown host saw select(10_000) return 0 within ms. */
    @Test
    void everyAsyncConnectIsSelectedByOneBoundedSelect() throws Exception {
        assertEquals(300, WakeupScenarios.asyncConnects(provider, 300, 1));
        assertEquals(300, WakeupScenarios.asyncConnects(provider, 50, 6));
    }

    @Test
    void selectOutlastsTheInternalWakeupsOfConnectsThatEnd() throws Exception {
        WakeupScenarios.selectOutlastsInternalWakeups(provider, 4, 250);
    }
}
