package io.edgewise.backend.kqueue;

import static io.edgewise.sys.bsd.KqueueConstants.*;

import io.edgewise.backend.Poller;
import io.edgewise.sys.ConsumedErrors;
import io.edgewise.sys.bsd.KeventLayout;
import io.edgewise.sys.bsd.KqueueConstants;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Everything the kqueue backend decides, without a native call: the change list an {@link #update}
 * produces, its encoding as {@code struct kevent}s, and the translation of a returned event list into
 * the {@link Poller} batch. {@link KqueuePoller} only moves these buffers through {@code kevent}.
 *
 * <h2>Updates → changes</h2>
 * Each of READ and WRITE is its own knote. Per filter: added ({@code EV_ADD} plus the mode flags:
 * EDGE = {@code EV_CLEAR}, ONESHOT = {@code EV_DISPATCH}), deleted ({@code EV_DELETE}), re-created
 * ({@code EV_DELETE} then {@code EV_ADD}) when the mode changes — a BSD {@code EV_ADD} on an existing
 * knote does not change its flags, and libkqueue refuses it without {@code EV_CLEAR} — or, for ONESHOT,
 * re-armed with {@code EV_ENABLE}. Changes wait in a list that goes with the next {@code kevent} that
 * waits; a deletion is applied at once (the descriptor may be closed right after).
 *
 * <h2>Events → batch</h2>
 * READ and WRITE events of one descriptor become one batch entry ({@link #descriptor}/{@link #events});
 * {@code EV_EOF} on READ is {@code IN|RDHUP}, on WRITE {@code OUT|HUP}; a socket error in {@code fflags}
 * adds {@code ERR} — and where the library took that error from the socket to report it (libkqueue), it is
 * kept in {@link ConsumedErrors} for the socket's next finishConnect or read. An {@code EV_ERROR} entry
 * is the receipt of a failed change: matched to the change by
 * (ident, filter); a failed add or enable makes the descriptor report {@code ERR|HUP} (so the next read
 * or write surfaces the error), a failed delete or disable is ignored (the knote is gone already).
 * ONESHOT is per descriptor: when one filter of a oneshot descriptor fires, the other is disabled by a
 * change queued for the next call, so nothing more is reported until the selector re-arms it.
 *
 * <p>Not thread-safe: used by the selecting thread only (see {@link Poller}). Public for its unit tests
 * only; not part of the provider's API.
 */
public final class KqueueState {
    public static final int INITIAL_EVENTS = 64, MAX_EVENTS = 4096;
    /** The most changes one {@link #update} appends (two filters, each deleted and re-added). */
    public static final int MAX_CHANGES_PER_UPDATE = 4;

    final KqueueConstants k;
    final KeventLayout layout;
    private final int wakeFilter;
    private final long wakeIdent;
    /** The library clears a socket's error when it reports it (libkqueue): keep it (see collect). */
    private final boolean takesErrors;

    // pending changes, in order (Java side; encoded just before the call)
    private long[] chIdent = new long[64];
    private int[] chFilter = new int[64];
    private int[] chFlags = new int[64];
    private int[] chFflags = new int[64];
    private int nchanges;

    /** The events each descriptor is registered for, as last given to {@link #update}. */
    private int[] registered = new int[64];

    // the batch
    private int[] outFd = new int[INITIAL_EVENTS];
    private int[] outEvents = new int[INITIAL_EVENTS];
    private int[] outFired = new int[INITIAL_EVENTS];
    private int size;
    private boolean wokenUp;
    private boolean onlyReceipts;
    /** fd → batch index + 1 while a batch is assembled; all zero otherwise. */
    private int[] slot = new int[64];

    /** Descriptors whose add/enable failed in a flush, reported with the next batch. */
    private int[] errorFds = new int[8];
    private int nerrors;

    private static final int FIRED_READ = 1, FIRED_WRITE = 2;

    /**
     * @param wakeFilter filter of the wakeup knote ({@code EVFILT_USER}, or READ of the wakeup pipe)
     * @param wakeIdent its ident
     */
    public KqueueState(KqueueConstants k, int wakeFilter, long wakeIdent) {
        this.k = k;
        this.layout = k.layout;
        this.wakeFilter = wakeFilter;
        this.wakeIdent = wakeIdent;
        this.takesErrors = k.pollTakesSocketError;
    }

    // ---- updates

    public static int modeFlags(int events) {
        int f = 0;
        if ((events & Poller.EDGE) != 0) f |= EV_CLEAR;
        if ((events & Poller.ONESHOT) != 0) f |= EV_DISPATCH;
        return f;
    }

    /**
     * Appends the changes that take {@code fd} from {@code registered} to {@code events} (see the class
     * comment). Returns true when they must be applied before the caller returns (a deletion).
     */
    public boolean update(int fd, int registered, int events) {
        int oldMode = modeFlags(registered), newMode = modeFlags(events);
        boolean delete = false;
        for (int f = 0; f < 2; f++) {
            int bit = f == 0 ? Poller.IN : Poller.OUT;
            int filter = f == 0 ? k.evfiltRead : k.evfiltWrite;
            boolean had = (registered & bit) != 0, want = (events & bit) != 0;
            if (had && !want) {
                change(fd, filter, EV_DELETE, 0);
                delete = true;
            } else if (!had && want) {
                change(fd, filter, EV_ADD | newMode, 0);
            } else if (had) {
                if (oldMode != newMode) {
                    change(fd, filter, EV_DELETE, 0);
                    change(fd, filter, EV_ADD | newMode, 0);
                } else if ((events & Poller.ONESHOT) != 0) {
                    change(fd, filter, EV_ENABLE, 0);
                }
            }
        }
        if (fd >= this.registered.length) {
            this.registered = Arrays.copyOf(this.registered, Math.max(fd + 1, this.registered.length * 2));
        }
        this.registered[fd] = events;
        return delete;
    }

    public int registeredEvents(int fd) {
        return fd >= 0 && fd < registered.length ? registered[fd] : 0;
    }

    /** Appends one change. */
    public void change(long ident, int filter, int flags, int fflags) {
        if (nchanges == chIdent.length) {
            int n = nchanges * 2;
            chIdent = Arrays.copyOf(chIdent, n);
            chFilter = Arrays.copyOf(chFilter, n);
            chFlags = Arrays.copyOf(chFlags, n);
            chFflags = Arrays.copyOf(chFflags, n);
        }
        chIdent[nchanges] = ident;
        chFilter[nchanges] = filter;
        chFlags[nchanges] = flags;
        chFflags[nchanges] = fflags;
        nchanges++;
    }

    public int pendingChanges() {
        return nchanges;
    }

    public long changeIdent(int i) { return chIdent[i]; }
    public int changeFilter(int i) { return chFilter[i]; }
    public int changeFlags(int i) { return chFlags[i]; }

    /** Encodes the pending changes into {@code dst} (capacity at least {@code pendingChanges()} kevents). */
    public void encodeChanges(ByteBuffer dst, boolean receipt) {
        int extra = receipt ? EV_RECEIPT : 0;
        for (int i = 0; i < nchanges; i++) {
            layout.put(dst, i, chIdent[i], chFilter[i], chFlags[i] | extra, chFflags[i], 0L, 0L);
        }
    }

    /** The first {@code n} pending changes reached the kernel (also when kevent said EINTR). */
    public void applied(int n) {
        int rest = nchanges - n;
        if (rest > 0) {
            System.arraycopy(chIdent, n, chIdent, 0, rest);
            System.arraycopy(chFilter, n, chFilter, 0, rest);
            System.arraycopy(chFlags, n, chFlags, 0, rest);
            System.arraycopy(chFflags, n, chFflags, 0, rest);
        }
        nchanges = Math.max(rest, 0);
    }

    /** The flags of the last of the first {@code submitted} changes for (ident, filter), or 0. */
    private int submittedFlags(long ident, int filter, int submitted) {
        for (int i = submitted - 1; i >= 0; i--) {
            if (chIdent[i] == ident && chFilter[i] == filter) {
                return chFlags[i];
            }
        }
        return 0;
    }

    /** A change failed with {@code errno}: returns the descriptor to report as failed, or -1 to ignore. */
    private int failedChange(long ident, int filter, int submitted) {
        if (filter != k.evfiltRead && filter != k.evfiltWrite) {
            return -1;
        }
        if (ident == wakeIdent && filter == wakeFilter) {
            return -1;
        }
        int flags = submittedFlags(ident, filter, submitted);
        if ((flags & (EV_ADD | EV_ENABLE)) == 0 || (flags & (EV_DELETE | EV_DISABLE)) != 0) {
            return -1; // deleting or disabling what is gone already: nothing to report
        }
        int fd = (int) ident;
        return registeredEvents(fd) != 0 ? fd : -1;
    }

    /**
     * Reads {@code n} receipts ({@code EV_RECEIPT} was set on every change, so entry i answers change i)
     * for the first {@code submitted} pending changes, and drops those changes.
     */
    public void receipts(ByteBuffer raw, int n, int submitted) {
        for (int i = 0; i < n; i++) {
            if ((layout.flags(raw, i) & EV_ERROR) != 0 && layout.data(raw, i) != 0) {
                int fd = failedChange(layout.ident(raw, i), layout.filter(raw, i), submitted);
                if (fd >= 0) {
                    addError(fd);
                }
            }
        }
        applied(submitted);
    }

    private void addError(int fd) {
        for (int i = 0; i < nerrors; i++) {
            if (errorFds[i] == fd) return;
        }
        if (nerrors == errorFds.length) errorFds = Arrays.copyOf(errorFds, nerrors * 2);
        errorFds[nerrors++] = fd;
    }

    // ---- events

    /**
     * Where the library took the socket's error off the socket to report it in an event ({@code EV_EOF}
     * with the error in {@code fflags}; libkqueue, {@link KqueueConstants#pollTakesSocketError}), keeps it
     * in {@link ConsumedErrors} for the socket's next finishConnect or read. Every kqueue consumer of
     * socket events calls this (the selector's poller here, and a ready poller). A no-op elsewhere.
     */
    public static void keepTakenError(KqueueConstants k, int fd, int flags, int fflags) {
        if (k.pollTakesSocketError && (flags & EV_EOF) != 0 && fflags != 0) {
            ConsumedErrors.record(fd, fflags);
        }
    }

    /** Neutral events for one kevent of the READ ({@code write == false}) or WRITE filter. */
    public static int translate(boolean write, int flags, int fflags) {
        int ev = write ? Poller.OUT : Poller.IN;
        if ((flags & EV_EOF) != 0) {
            ev |= write ? Poller.HUP : Poller.RDHUP;
            if (fflags != 0) ev |= Poller.ERR; // the socket's pending error
        }
        return ev;
    }

    /**
     * Turns the {@code n} kevents in {@code raw}, returned by a call that carried the first
     * {@code submitted} pending changes, into the batch; drops those changes and queues the oneshot
     * disables. Returns the batch size.
     */
    public int collect(ByteBuffer raw, int n, int submitted) {
        size = 0;
        wokenUp = false;
        onlyReceipts = n > 0;
        // errors of earlier flushes first
        for (int i = 0; i < nerrors; i++) {
            int fd = errorFds[i];
            if (registeredEvents(fd) != 0) add(fd, Poller.ERR | Poller.HUP, 0);
            onlyReceipts = false;
        }
        nerrors = 0;
        for (int i = 0; i < n; i++) {
            long ident = layout.ident(raw, i);
            int filter = layout.filter(raw, i);
            int flags = layout.flags(raw, i);
            if ((flags & EV_ERROR) != 0) {
                if (layout.data(raw, i) != 0) {
                    int fd = failedChange(ident, filter, submitted);
                    if (fd >= 0) {
                        add(fd, Poller.ERR | Poller.HUP, 0);
                    }
                }
                continue;
            }
            onlyReceipts = false;
            if (filter == wakeFilter && ident == wakeIdent) {
                wokenUp = true;
                continue;
            }
            boolean write;
            if (filter == k.evfiltRead) write = false;
            else if (filter == k.evfiltWrite) write = true;
            else continue;
            int fd = (int) ident;
            int reg = registeredEvents(fd);
            if ((reg & (write ? Poller.OUT : Poller.IN)) == 0) {
                continue; // not (or no longer) watched for this
            }
            int fflags = layout.fflags(raw, i);
            if (takesErrors) keepTakenError(k, fd, flags, fflags);
            add(fd, translate(write, flags, fflags), write ? FIRED_WRITE : FIRED_READ);
        }
        applied(submitted);
        for (int i = 0; i < size; i++) {
            int fd = outFd[i];
            slot[fd] = 0;
            int reg = registeredEvents(fd);
            if ((reg & Poller.ONESHOT) != 0) {
                // one delivery disarms the whole descriptor: disable what did not fire (EV_DISPATCH did the rest)
                if ((reg & Poller.IN) != 0 && (outFired[i] & FIRED_READ) == 0) change(fd, k.evfiltRead, EV_DISABLE, 0);
                if ((reg & Poller.OUT) != 0 && (outFired[i] & FIRED_WRITE) == 0) change(fd, k.evfiltWrite, EV_DISABLE, 0);
            }
        }
        return size;
    }

    /** The wait was interrupted (its changes are {@link #applied}): an empty batch. */
    public void interrupted() {
        size = 0;
        wokenUp = false;
        onlyReceipts = false;
    }

    private void add(int fd, int events, int fired) {
        if (fd >= slot.length) {
            slot = Arrays.copyOf(slot, Math.max(fd + 1, slot.length * 2));
        }
        int s = slot[fd];
        if (s != 0) {
            outEvents[s - 1] |= events;
            outFired[s - 1] |= fired;
            return;
        }
        if (size == outFd.length) {
            outFd = Arrays.copyOf(outFd, size * 2);
            outEvents = Arrays.copyOf(outEvents, size * 2);
            outFired = Arrays.copyOf(outFired, size * 2);
        }
        outFd[size] = fd;
        outEvents[size] = events;
        outFired[size] = fired;
        slot[fd] = ++size;
    }

    public int size() {
        return size;
    }

    public int descriptor(int i) {
        return outFd[i];
    }

    public int events(int i) {
        return outEvents[i];
    }

    public boolean wokenUp() {
        return wokenUp;
    }

    /** Whether the last collected list held change receipts only (a BSD kernel returns before waiting then). */
    public boolean onlyReceipts() {
        return onlyReceipts;
    }
}
