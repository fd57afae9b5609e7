package io.edgewise.sys.windows;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Where {@link WindowsSocketOps} reports that a call on a descriptor returned {@code WSAEWOULDBLOCK}:
 * AFD polls are one-shot, so an edge-triggered IOCP registration is re-armed only after the reader or
 * writer saw "would block" (see {@code IocpPoller}). The report goes to the registrations of that
 * descriptor only: each IOCP registration {@linkplain #watch watches} its descriptor with its own
 * {@link Rearm} hook while it exists (mio's {@code IoSourceState::do_io}: the source's failed call
 * re-arms its own registration). A report for a descriptor nobody registered costs a volatile read and
 * an array read, and nothing allocates.
 *
 * <p>Threads: {@link #report} from any thread, lock-free; {@link #watch}/{@link #unwatch} (registration
 * changes, rare) under {@code LOCK}. {@code hooks} holds per descriptor null, one {@link Rearm}, or a
 * {@code Rearm[]} (a socket registered with several selectors); slots are replaced, never changed in
 * place, so a reader sees a whole value. A hook may be called once more just after it was unwatched;
 * it ignores a registration that is gone.
 */
public final class WouldBlock {
    private WouldBlock() { }

    /** One registration's re-arm hook: a call on its descriptor saw "would block" for {@code events}. */
    public interface Rearm {
        void rearm(int events);
    }

    private static final Object LOCK = new Object();
    private static volatile AtomicReferenceArray<Object> hooks = new AtomicReferenceArray<>(64);

    /** Routes the reports for {@code fd} to {@code hook} too, until {@link #unwatch}. */
    public static void watch(int fd, Rearm hook) {
        if (fd < 0) throw new IllegalArgumentException("negative descriptor " + fd);
        java.util.Objects.requireNonNull(hook, "hook");
        synchronized (LOCK) {
            AtomicReferenceArray<Object> t = hooks;
            if (fd >= t.length()) {
                AtomicReferenceArray<Object> bigger = new AtomicReferenceArray<>(Math.max(fd + 1, 2 * t.length()));
                for (int i = 0; i < t.length(); i++) bigger.set(i, t.get(i));
                hooks = t = bigger;
            }
            Object o = t.get(fd);
            if (o == null) {
                t.set(fd, hook);
            } else if (o instanceof Rearm) {
                t.set(fd, new Rearm[] {(Rearm) o, hook});
            } else {
                Rearm[] a = (Rearm[]) o;
                Rearm[] b = Arrays.copyOf(a, a.length + 1);
                b[a.length] = hook;
                t.set(fd, b);
            }
        }
    }

    /** Stops routing the reports for {@code fd} to {@code hook}; nothing when it was not watching. */
    public static void unwatch(int fd, Rearm hook) {
        synchronized (LOCK) {
            AtomicReferenceArray<Object> t = hooks;
            if (fd < 0 || fd >= t.length()) return;
            Object o = t.get(fd);
            if (o == hook) {
                t.set(fd, null);
            } else if (o instanceof Rearm[]) {
                Rearm[] a = (Rearm[]) o;
                int i = 0;
                while (i < a.length && a[i] != hook) i++;
                if (i == a.length) return;
                if (a.length == 2) {
                    t.set(fd, a[1 - i]);
                } else {
                    Rearm[] b = new Rearm[a.length - 1];
                    System.arraycopy(a, 0, b, 0, i);
                    System.arraycopy(a, i + 1, b, i, a.length - i - 1);
                    t.set(fd, b);
                }
            }
        }
    }

    /** How many hooks watch {@code fd} (tests, diagnostics). */
    public static int watchers(int fd) {
        AtomicReferenceArray<Object> t = hooks;
        if (fd < 0 || fd >= t.length()) return 0;
        Object o = t.get(fd);
        return o == null ? 0 : o instanceof Rearm ? 1 : ((Rearm[]) o).length;
    }

    /** Reports a would-block on {@code fd} for {@code events} to that descriptor's registrations. */
    public static void report(int fd, int events) {
        AtomicReferenceArray<Object> t = hooks;
        if (fd < 0 || fd >= t.length()) return;
        Object o = t.get(fd);
        if (o == null) return;
        if (o instanceof Rearm) {
            ((Rearm) o).rearm(events);
        } else {
            for (Rearm r : (Rearm[]) o) r.rearm(events);
        }
    }
}
