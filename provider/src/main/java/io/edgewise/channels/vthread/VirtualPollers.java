package io.edgewise.channels.vthread;

import io.edgewise.backend.Backends;
import io.edgewise.backend.PolledReadyPoller;
import io.edgewise.backend.ReadyPoller;
import io.edgewise.sys.PollEvents;
import io.edgewise.sys.Settings;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Pollers that are virtual threads, for the waits of virtual threads: what the JDK's own provider does by default
 * (its {@code VTHREAD_POLLERS} mode; JDK 25 on Linux). A parked virtual thread is then woken by another virtual thread on
 * a carrier, which queues it on that carrier; the platform poller thread ({@link ReadyPoller#forEvents}) would
 * hand it to the scheduler from outside, waking an idle carrier for each one. With many waits that cost about
 * 40 % of the round trips (docs/performance.md, "Virtual threads").
 *
 * <p>Each direction has a power of two of sub-pollers (the JDK's count: the processors' highest one bit, at most
 * 32); a wait goes to the sub-poller its descriptor number selects. A sub-poller is a {@link PolledReadyPoller}
 * and a virtual thread that polls it without waiting while that finds events, yielding between polls, and
 * otherwise parks after registering the poller's own descriptor, oneshot, with the backend's platform input
 * poller (the master), whose callback unparks it. No wake-up is lost: a registration in the sub-poller that is
 * ready before the master watches makes the master's registration fire at once (its descriptor polls readable),
 * and an unpark that comes before the park leaves the permit.
 *
 * <p>Used when {@link Settings#virtualThreadPollers()} says so, or by default where the JDK's would be (its
 * {@code jdk.pollerMode}; unset: JDK 24 and later, where a virtual thread that waits inside {@code synchronized}
 * no longer holds its carrier — before that, waits pinned on every carrier could leave no carrier for the
 * pollers) and the backend has a {@link Backends#newPolledReadyPoller() polled ready poller}.
 *
 * <p>Threads: the arrays are fixed at class initialisation; a sub-poller's {@code thread} is set before it starts.
 * {@code token} and {@code productive} are volatile, written by the sub-poller's thread; the master's callback
 * compares {@code token}.
 */
public final class VirtualPollers {
    private VirtualPollers() { }

    /** Whether virtual-thread waits use these pollers; decided at the first such wait. */
    private static final class Use {
        static final boolean VIRTUAL = decide();
    }

    /** The sub-pollers of each direction; null when they could not be made (the platform poller serves). */
    private static final class Holder {
        static final Sub[] IN = start("in");
        static final Sub[] OUT = start("out");
    }

    /**
     * The poller a virtual thread's wait on {@code fd} for {@code pollEvents} registers with: a sub-poller, or the
     * backend's platform one when these are not used.
     */
    public static ReadyPoller forWait(int fd, int pollEvents) {
        if (!Use.VIRTUAL) {
            return ReadyPoller.forEvents(pollEvents);
        }
        Sub[] subs = (pollEvents & PollEvents.IN) != 0 ? Holder.IN : Holder.OUT;
        return subs != null ? subs[fd & (subs.length - 1)].poller : ReadyPoller.forEvents(pollEvents);
    }

    /** Whether virtual-thread waits go to pollers that are virtual threads (diagnostics and tests). */
    public static boolean used() {
        return Use.VIRTUAL;
    }

    /** Polls by all sub-pollers that found ready registrations (tests: they are the ones waking threads). */
    public static long productivePolls() {
        if (!Use.VIRTUAL) return 0;
        long n = 0;
        for (Sub[] subs : new Sub[][] {Holder.IN, Holder.OUT}) {
            if (subs != null) for (Sub s : subs) n += s.productive;
        }
        return n;
    }

    private static boolean decide() {
        return VirtualThreads.supported() && Backends.hasPolledReadyPoller()
                && virtualFor(Settings.virtualThreadPollers(), System.getProperty("jdk.pollerMode"),
                        Runtime.version().feature());
    }

    /**
     * The choice (public for tests): {@code setting} of {@link Settings#virtualThreadPollers()}; when "auto", the
     * JDK's {@code jdk.pollerMode} ("1" platform, "2" virtual), else virtual from JDK 24 on.
     */
    public static boolean virtualFor(String setting, String jdkPollerMode, int feature) {
        if (!setting.equals("auto")) {
            return setting.equals("virtual");
        }
        if ("1".equals(jdkPollerMode) || "2".equals(jdkPollerMode)) {
            return jdkPollerMode.equals("2");
        }
        return feature >= 24;
    }

    /** Makes and starts one direction's sub-pollers; null (with a warning) when the descriptors cannot be had. */
    private static Sub[] start(String direction) {
        int ncpus = Runtime.getRuntime().availableProcessors();
        PolledReadyPoller[] pollers = makeAll(Math.min(Integer.highestOneBit(ncpus), 32), Backends::newPolledReadyPoller);
        if (pollers == null) {
            return null;
        }
        ReadyPoller master = ReadyPoller.forEvents(PollEvents.IN);
        Sub[] subs = new Sub[pollers.length];
        for (int i = 0; i < subs.length; i++) {
            subs[i] = new Sub(pollers[i], master);
            Thread t = VirtualThreads.newVirtual("edgewise-" + direction + "-subpoller-" + i, subs[i]);
            subs[i].thread = t;
            t.start();
        }
        return subs;
    }

    /** Makes one polled ready poller (the backend's; tests: one that fails). */
    @FunctionalInterface
    public interface PollerSource {
        PolledReadyPoller make() throws IOException;
    }

    /**
     * {@code count} pollers from {@code source}, or null when one cannot be made: then the ones made are closed and
     * a warning says that the platform poller wakes virtual threads (public for tests).
     */
    public static PolledReadyPoller[] makeAll(int count, PollerSource source) {
        PolledReadyPoller[] made = new PolledReadyPoller[count];
        for (int i = 0; i < count; i++) {
            try {
                made[i] = source.make();
            } catch (IOException e) {
                for (int j = 0; j < i; j++) made[j].close();
                System.getLogger("io.edgewise").log(System.Logger.Level.WARNING,
                        "Edgewise: virtual-thread pollers unavailable, the platform poller wakes virtual threads", e);
                return null;
            }
        }
        return made;
    }

    /** One sub-poller and the virtual thread that polls it. */
    private static final class Sub implements Runnable, ReadyPoller.Callback {
        final PolledReadyPoller poller;
        private final ReadyPoller master;
        /** Set before it starts. */
        private Thread thread;
        private volatile long token;
        /** Polls that found events; written by the sub-poller's thread only. */
        volatile long productive;

        Sub(PolledReadyPoller poller, ReadyPoller master) {
            this.poller = poller;
            this.master = master;
        }

        @Override
        public void run() {
            int polled = 0;
            for (;;) {
                try {
                    if (polled == 0) {
                        awaitReady();
                    } else {
                        Thread.yield(); // other virtual threads run; the next poll finds what came meanwhile
                    }
                    polled = poller.pollNow();
                    if (polled > 0) productive++;
                } catch (Throwable t) {
                    // every waiter of this sub-poller depends on it: go on, without spinning
                    polled = 0;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            }
        }

        /** Parks until the poller's descriptor polls readable (or a spurious wake: the next poll tells). */
        private void awaitReady() throws IOException {
            long t = master.newToken();
            token = t;
            master.register(poller.fd(), PollEvents.IN, t, this);
            try {
                LockSupport.park(this);
            } finally {
                token = 0;
                master.deregister(poller.fd(), t);
            }
        }

        /** The master's thread: the poller's descriptor is readable. */
        @Override
        public void ready(long tok, int events) {
            if (tok == token) {
                LockSupport.unpark(thread);
            }
        }
    }
}
