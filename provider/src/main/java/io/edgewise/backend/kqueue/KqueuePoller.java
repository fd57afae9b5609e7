package io.edgewise.backend.kqueue;

import static io.edgewise.sys.bsd.KqueueConstants.*;

import io.edgewise.backend.Poller;
import io.edgewise.sys.NativeMemory;
import io.edgewise.sys.bsd.KqueueConstants;
import io.edgewise.sys.bsd.KqueueLibrary;
import io.edgewise.sys.posix.LibC;
import io.edgewise.sys.posix.PosixErrors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The kqueue backend (macOS, FreeBSD, OpenBSD, NetBSD; libkqueue on Linux). One kqueue; wakeup by an
 * {@code EVFILT_USER} knote (a pipe where the platform has none); interest changes batched into the
 * {@code kevent} call that waits. The decisions live in {@link KqueueState}; this class makes the calls.
 *
 * <p>Calls: {@link #update} appends changes, and applies them at once (with {@code EV_RECEIPT}, one
 * receipt per change, event list exactly as long as the change list, no wait) only for a deletion —
 * {@code EV_DELETE} must reach the kernel before the descriptor is closed — or when the list is full.
 * {@link #poll} passes the pending changes and waits in the same call. A kevent interrupted by a signal
 * (EINTR) applied its change list.
 *
 * <p>Threads: everything but {@link #wakeup()} runs on the selecting thread (see {@link Poller}).
 * {@code wakeup} uses only final fields: the kqueue descriptor, a native trigger change written once in
 * the constructor, or the pipe's write end.
 */
public final class KqueuePoller implements Poller {
    /**
     * {@code -Dio.edgewise.kqueue.wakeup=pipe} makes selectors opened afterwards wake up through a pipe
     * even where {@code EVFILT_USER} exists (the fallback, so it can be tested anywhere).
     */
    public static final String WAKEUP_PROPERTY = io.edgewise.sys.Settings.KQUEUE_WAKEUP;

    /** Ident of the EVFILT_USER wakeup knote (filters have separate ident spaces). */
    private static final long USER_IDENT = 0x5eed;

    private final KqueueConstants k;
    private final int kq;
    /** Wakeup pipe (read end, write end), or -1 when EVFILT_USER serves. */
    private final int pipeIn, pipeOut;
    private final KqueueState state;
    /** EVFILT_USER trigger change; written once, read by the kernel from any thread. */
    private final ByteBuffer trigger;
    private final long triggerAddr;

    /**
     * The most changes one flush applies: it needs a receipt per change, and libkqueue (Linux) fills at
     * most 512 entries per call (more fail with EFAULT).
     */
    private static final int MAX_FLUSH = 512;

    // selecting thread only
    private ByteBuffer raw;
    private long rawAddr;
    private int rawCap;
    private ByteBuffer changes;
    private long changesAddr;
    private int changesCap;
    private final ByteBuffer ts = ByteBuffer.allocateDirect(16).order(ByteOrder.nativeOrder());
    private final long tsAddr = address(ts);
    /** Pipe set-up and drain area (selecting thread). */
    private final ByteBuffer scratch = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
    private final long scratchAddr = address(scratch);
    /** The byte a pipe wakeup writes; never changed. */
    private static final ByteBuffer ONE = ByteBuffer.allocateDirect(1).put(0, (byte) 1);
    private static final long ONE_ADDR = address(ONE);
    /** EV_DELETE + EV_ADD of the user knote, dropping an undelivered trigger; written once. */
    private final ByteBuffer clearList;
    private final long clearAddr;

    public KqueuePoller() throws IOException {
        int q;
        try {
            k = KqueueLibrary.K;
            q = KqueueLibrary.kqueue();
        } catch (LinkageError | UnsupportedOperationException e) {
            throw new IOException("kqueue is not available here (" + io.edgewise.sys.Platform.Os.NAME
                    + "); on Linux name a kqueue library with -D" + KqueueConstants.LIBRARY_PROPERTY
                    + "=/path/to/libkqueue.so.0", e);
        }
        if (q < 0) {
            throw new IOException("kqueue: " + PosixErrors.message(-q));
        }
        kq = q;
        allocateEvents(Poller.batchSize(LibC.fdLimit(k.rlimitNofile())));   // once: as many as the JDK's epoll selector takes
        allocateChanges(KqueueState.INITIAL_EVENTS);

        // wakeup: EVFILT_USER where the platform has it, a pipe otherwise
        int in = -1, out = -1;
        boolean user = false;
        if (k.hasUserFilter() && !"pipe".equals(io.edgewise.sys.Settings.kqueueWakeup())) {
            k.layout.put(changes, 0, USER_IDENT, k.evfiltUser, EV_ADD | EV_CLEAR | EV_RECEIPT, 0, 0L, 0L);
            int n = KqueueLibrary.kevent(kq, changesAddr, 1, changesAddr, 1, 0L);
            user = n == 1 && k.layout.data(changes, 0) == 0;
        }
        if (!user) {
            scratch.putLong(0, 0L);
            int rc = LibC.pipe(scratchAddr);
            if (rc < 0) {
                int e = -rc;
                LibC.close(kq);
                throw new IOException("pipe: " + PosixErrors.message(e));
            }
            in = scratch.getInt(0);
            out = scratch.getInt(4);
            int flags = nonBlockingCloexec(in, k);
            if (flags >= 0) flags = nonBlockingCloexec(out, k);
            if (flags < 0) {
                int e = -flags;
                LibC.close(in);
                LibC.close(out);
                LibC.close(kq);
                throw new IOException("fcntl: " + PosixErrors.message(e));
            }
            k.layout.put(changes, 0, in, k.evfiltRead, EV_ADD | EV_RECEIPT, 0, 0L, 0L);
            int n = KqueueLibrary.kevent(kq, changesAddr, 1, changesAddr, 1, 0L);
            if (n != 1 || k.layout.data(changes, 0) != 0) {
                int e = n < 0 ? -n : (int) k.layout.data(changes, 0);
                LibC.close(in);
                LibC.close(out);
                LibC.close(kq);
                throw new IOException("kevent (wakeup pipe): " + PosixErrors.message(e));
            }
        }
        pipeIn = in;
        pipeOut = out;
        state = user ? new KqueueState(k, k.evfiltUser, USER_IDENT) : new KqueueState(k, k.evfiltRead, in);
        trigger = ByteBuffer.allocateDirect(k.layout.size).order(ByteOrder.nativeOrder());
        k.layout.put(trigger, 0, USER_IDENT, user ? k.evfiltUser : 0, 0, NOTE_TRIGGER, 0L, 0L);
        triggerAddr = address(trigger);
        clearList = ByteBuffer.allocateDirect(2 * k.layout.size).order(ByteOrder.nativeOrder());
        k.layout.put(clearList, 0, USER_IDENT, user ? k.evfiltUser : 0, EV_DELETE, 0, 0L, 0L);
        k.layout.put(clearList, 1, USER_IDENT, user ? k.evfiltUser : 0, EV_ADD | EV_CLEAR, 0, 0L, 0L);
        clearAddr = address(clearList);
    }

    private static long address(ByteBuffer b) {
        return NativeMemory.address(b);
    }

    /** O_NONBLOCK and FD_CLOEXEC on a wakeup pipe's end: {@code >= 0}, or the first failure's {@code -errno}. */
    private static int nonBlockingCloexec(int fd, KqueueConstants k) {
        int fl = LibC.fcntl(fd, k.fGetfl, 0);
        if (fl < 0) return fl;
        int r = LibC.fcntl(fd, k.fSetfl, fl | k.oNonblock);
        return r < 0 ? r : LibC.fcntl(fd, k.fSetfd, k.fdCloexec);
    }

    private void allocateEvents(int n) {
        raw = ByteBuffer.allocateDirect(n * k.layout.size).order(ByteOrder.nativeOrder());
        rawAddr = address(raw);
        rawCap = n;
    }

    private void allocateChanges(int n) {
        changes = ByteBuffer.allocateDirect(n * k.layout.size).order(ByteOrder.nativeOrder());
        changesAddr = address(changes);
        changesCap = n;
    }

    /** Encodes the pending changes into the native change list, growing it when needed. */
    private void encodeChanges(boolean receipt) {
        int n = state.pendingChanges();
        if (n > changesCap) {
            allocateChanges(Math.max(n, changesCap * 2));
        }
        state.encodeChanges(changes, receipt);
    }

    /** Applies the pending changes now, with one receipt each; failures are reported by the next poll. */
    private void flush() throws IOException {
        int n = state.pendingChanges();
        if (n == 0) return;
        encodeChanges(true);
        // the change list doubles as the receipt list: exactly n entries, so nothing is waited for
        int r = KqueueLibrary.kevent(kq, changesAddr, n, changesAddr, n, tsZero());
        if (r < 0) {
            int e = -r;
            if (e == k.eintr) {
                state.applied(n); // a change list interrupted by a signal was applied
                return;
            }
            throw new IOException("kevent: " + PosixErrors.message(e));
        }
        state.receipts(changes, r, n);
    }

    private long tsZero() {
        ts.putLong(0, 0L);
        ts.putLong(8, 0L);
        return tsAddr;
    }

    @Override
    public void update(int fd, int registered, int events) throws IOException {
        if (events == 0 && registered == 0) return;
        if (state.pendingChanges() + KqueueState.MAX_CHANGES_PER_UPDATE > Math.min(rawCap, MAX_FLUSH)) {
            flush();
        }
        if (state.update(fd, registered, events)) {
            flush(); // EV_DELETE before the descriptor can be closed
        }
    }

    @Override
    public int poll(long timeoutMillis) throws IOException {
        if (state.pendingChanges() > rawCap) {
            flush(); // every failed change must find room in the event list
        }
        // like epoll_wait's int timeout: at most Integer.MAX_VALUE ms (24.8 days), then the caller polls again
        long to = timeoutMillis > Integer.MAX_VALUE ? Integer.MAX_VALUE : timeoutMillis;
        long deadline = to > 0 ? System.nanoTime() + to * 1_000_000L : 0L;
        for (;;) {
            int nch = state.pendingChanges();
            if (nch > 0) encodeChanges(false);
            long tsp;
            if (to < 0) {
                tsp = 0L;
            } else {
                ts.putLong(0, to / 1000);
                ts.putLong(8, (to % 1000) * 1_000_000L);
                tsp = tsAddr;
            }
            int n = KqueueLibrary.kevent(kq, changesAddr, nch, rawAddr, rawCap, tsp);
            if (n < 0) {
                int e = -n;
                state.applied(nch); // EINTR: the change list was applied
                if (e == k.eintr) {
                    state.interrupted();
                    return -1;
                }
                throw new IOException("kevent: " + PosixErrors.message(e));
            }
            int size = state.collect(raw, n, nch);
            if (size == 0 && !state.wokenUp() && state.onlyReceipts() && nch > 0) {
                // a BSD kernel returns at once with the receipts of failed changes: wait again
                if (to > 0) {
                    to = Math.max(0L, (deadline - System.nanoTime()) / 1_000_000L);
                }
                if (to != 0) continue;
            }
            return size;
        }
    }

    /** Whether wakeup goes through a pipe rather than an {@code EVFILT_USER} knote. */
    public boolean pipeWakeup() {
        return pipeOut >= 0;
    }

    @Override
    public int descriptor(int i) {
        return state.descriptor(i);
    }

    @Override
    public int events(int i) {
        return state.events(i);
    }

    @Override
    public boolean wokenUp() {
        return state.wokenUp();
    }

    @Override
    public void wakeup() throws IOException {
        if (pipeOut < 0) {
            int r = KqueueLibrary.kevent(kq, triggerAddr, 1, 0L, 0, 0L);
            if (r < 0 && -r != k.eintr) {
                throw new IOException("kevent (trigger): " + PosixErrors.message(-r));
            }
        } else {
            long r = LibC.write(pipeOut, ONE_ADDR, 1);
            if (r < 0 && -r != k.eagain) {
                throw new IOException("wakeup pipe: " + PosixErrors.message((int) -r));
            }
        }
    }

    /**
     * Consumes a wakeup that {@link #poll} did not deliver. The user knote is {@code EV_CLEAR}: when the
     * last poll delivered it, it is reset already; otherwise deleting and re-adding it drops the trigger.
     * The pipe is drained. (The selector signals at most once per poll and calls this after it.)
     */
    @Override
    public void clearWakeup() throws IOException {
        if (pipeOut < 0) {
            if (state.wokenUp()) return;
            int r = KqueueLibrary.kevent(kq, clearAddr, 2, 0L, 0, 0L);
            if (r < 0 && -r != k.eintr) {
                throw new IOException("kevent (clear wakeup): " + PosixErrors.message(-r));
            }
            return;
        }
        for (int i = 0; i < 64; i++) {
            if (LibC.read(pipeIn, scratchAddr, 64) < 64) break;
        }
    }

    @Override
    public void close() throws IOException {
        LibC.close(kq);
        if (pipeIn >= 0) {
            LibC.close(pipeIn);
            LibC.close(pipeOut);
        }
        KqueueLibrary.afterClose();
    }
}
