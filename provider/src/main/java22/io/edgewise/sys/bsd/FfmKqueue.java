package io.edgewise.sys.bsd;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The FFM binding of the kqueue calls (JDK 22+): from the C library, or from the library named by
 * {@code -Dio.edgewise.kqueue.library}. errno is captured into a per-thread segment in the same downcall
 * and returned as {@code -errno}. {@code kevent} is an ordinary downcall (it may wait); pointers are raw
 * {@code long}s, as in the C library's FFM binding. NetBSD's {@code __kevent50} takes {@code size_t} counts.
 */
final class FfmKqueue implements KqueueCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout STATE_LAYOUT = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET =
            STATE_LAYOUT.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final ThreadLocal<MemorySegment> STATE =
            ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(STATE_LAYOUT));

    private static final boolean SIZE_T_COUNTS = KqueueLibrary.K.sizeTCounts;
    /** Static finals, so the JIT treats the handles as constants (kevent is on the selector's path). */
    private static final MethodHandle KQUEUE, KEVENT, DRAIN;

    /* Looked up when the class is initialised (UnsatisfiedLinkError when the library or kqueue is missing). */
    static {
        String path = io.edgewise.sys.Platform.current().settings().kqueueLibrary();
        boolean named = path != null && !path.isEmpty();
        SymbolLookup lib;
        if (named) {
            try {
                lib = SymbolLookup.libraryLookup(Path.of(path), Arena.global());
            } catch (IllegalArgumentException e) {
                throw new UnsatisfiedLinkError("kqueue library " + path + ": " + e.getMessage());
            }
        } else {
            lib = LINKER.defaultLookup();
        }
        KQUEUE = LINKER.downcallHandle(find(lib, "kqueue"), FunctionDescriptor.of(JAVA_INT), ERRNO);
        var count = SIZE_T_COUNTS ? JAVA_LONG : JAVA_INT;
        KEVENT = LINKER.downcallHandle(find(lib, KqueueLibrary.K.keventSymbol),
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, count, JAVA_LONG, count, JAVA_LONG), ERRNO);
        DRAIN = named ? lib.find("libkqueue_drain_pending_close")
                .map(sym -> LINKER.downcallHandle(sym, FunctionDescriptor.ofVoid())).orElse(null) : null;
    }

    private static MemorySegment find(SymbolLookup lib, String name) {
        return lib.find(name).orElseThrow(() -> new UnsatisfiedLinkError("kqueue: no " + name));
    }

    private static RuntimeException fail(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }

    private static int result(MemorySegment s, int r) {
        return r < 0 ? -s.get(JAVA_INT, ERRNO_OFFSET) : r;
    }

    @Override
    public int kqueue() {
        MemorySegment s = STATE.get();
        try {
            return result(s, (int) KQUEUE.invokeExact(s));
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    @Override
    public int kevent(int kq, long changes, int nchanges, long events, int nevents, long timeout) {
        MemorySegment s = STATE.get();
        try {
            return result(s, SIZE_T_COUNTS
                    ? (int) KEVENT.invokeExact(s, kq, changes, (long) nchanges, events, (long) nevents, timeout)
                    : (int) KEVENT.invokeExact(s, kq, changes, nchanges, events, nevents, timeout));
        } catch (Throwable t) {
            throw fail(t);
        }
    }

    @Override
    public void drainPendingClose() {
        if (DRAIN != null) {
            try {
                DRAIN.invokeExact();
            } catch (Throwable t) {
                throw fail(t);
            }
        }
    }
}
