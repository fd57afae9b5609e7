package io.edgewise.resolve;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/** One shared daemon timer thread for look-up timeouts, connect staggers and connect timeouts. */
final class Timers {
    private Timers() { }

    private static final class Holder {
        static final ScheduledThreadPoolExecutor TIMER = create();

        private static ScheduledThreadPoolExecutor create() {
            ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
                Thread th = new Thread(r, "edgewise-timer");
                th.setDaemon(true);
                return th;
            });
            t.setRemoveOnCancelPolicy(true);
            return t;
        }
    }

    static ScheduledFuture<?> schedule(Runnable r, long millis) {
        return Holder.TIMER.schedule(r, millis, TimeUnit.MILLISECONDS);
    }
}
