package io.edgewise.wakeup;

import io.edgewise.sys.PollEvents;
import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.backend.Backends;
import java.nio.channels.spi.SelectorProvider;

/**
 * Runs {@link WakeupScenarios} in a JVM of its own (its backend, socket layer and virtual-thread
 * scheduler are set by the parent's JVM options). Arguments: {@code connects:ROUNDS:BATCH},
 * {@code outlast:ROUNDS:MILLIS}, {@code reads:ROUNDS}, {@code vreaders:N:DATA|CLOSE|INTERRUPT}.
 * Prints one {@code ok}/{@code skip} line per scenario; a failure prints {@code FAIL} and exits 1.
 */
public final class WakeupStressMain {
    private WakeupStressMain() { }

    public static void main(String[] args) throws Exception {
        SelectorProvider p = new EdgewiseSelectorProvider();
        WakeupScenarios.LOG = true;
        System.out.println("backend " + Backends.name() + ", socket layer " + io.edgewise.sys.Platform.ops().getClass().getSimpleName()
                + ", ready poller " + (Backends.hasReadyPoller()
                        ? io.edgewise.backend.ReadyPoller.forEvents(io.edgewise.sys.PollEvents.IN).getClass().getSimpleName() : "none")
                + ", JDK " + Runtime.version().feature());
        try {
            for (String a : args) {
                String[] f = a.split(":");
                long t0 = System.nanoTime();
                String done;
                switch (f[0]) {
                    case "connects":
                        done = WakeupScenarios.asyncConnects(p, Integer.parseInt(f[1]), Integer.parseInt(f[2])) + " connects selected";
                        break;
                    case "outlast":
                        WakeupScenarios.selectOutlastsInternalWakeups(p, Integer.parseInt(f[1]), Long.parseLong(f[2]));
                        done = f[1] + " selections lasted their timeout";
                        break;
                    case "reads":
                        done = WakeupScenarios.platformReads(p, Integer.parseInt(f[1])) + " platform-thread reads woken";
                        break;
                    case "vreaders":
                        if (!WakeupScenarios.virtualThreadsExist() || !Backends.hasReadyPoller()) {
                            System.out.println("skip " + a + ": no virtual threads or no ready poller on this JDK/backend");
                            continue;
                        }
                        done = WakeupScenarios.virtualReaders(p, Integer.parseInt(f[1]),
                                WakeupScenarios.Wake.valueOf(f[2])) + " parked virtual readers woken by " + f[2];
                        break;
                    default:
                        throw new IllegalArgumentException("unknown scenario " + a);
                }
                System.out.println("ok " + a + ": " + done + " in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            }
        } catch (Throwable t) {
            System.out.println("FAIL " + t);
            t.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
        System.out.flush();
        System.exit(0); // parked readers of a failed run must not keep the JVM alive
    }
}
