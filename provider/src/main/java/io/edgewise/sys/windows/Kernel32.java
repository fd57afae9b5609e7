package io.edgewise.sys.windows;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The kernel32 functions of the IOCP backend, JNA direct mapping with raw {@code long} handles and
 * addresses. Loaded on first use only (this class is touched only on Windows). {@code BOOL} results are
 * {@code int}; read {@code GetLastError} with {@link com.sun.jna.Native#getLastError()} after a failure.
 */
public final class Kernel32 {
    static {
        Native.register(Kernel32.class, NativeLibrary.getInstance("kernel32"));
    }

    private Kernel32() { }

    public static native long CreateIoCompletionPort(long fileHandle, long existingPort, long completionKey,
            int concurrentThreads);

    public static native int GetQueuedCompletionStatusEx(long port, long entries, int count, long numRemoved,
            int millis, int alertable);

    public static native int PostQueuedCompletionStatus(long port, int bytes, long completionKey, long overlapped);

    public static native int CloseHandle(long handle);

    public static native int SetFileCompletionNotificationModes(long handle, byte flags);

    public static native int SetHandleInformation(long handle, int mask, int flags);
}
