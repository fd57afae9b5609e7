package io.edgewise.sys.windows;

/**
 * The door to the kernel32 functions of the IOCP backend and the socket layer, through the binding
 * {@link WinLibrary} chose: raw {@code long} handles and addresses. {@code BOOL} calls return 1 or
 * {@code -GetLastError()}, {@code CreateIoCompletionPort} the handle or {@code -GetLastError()}
 * ({@link WinCalls}' rule), the error captured with the call.
 */
public final class Kernel32 {
    private Kernel32() { }

    public static long CreateIoCompletionPort(long fileHandle, long existingPort, long completionKey, int concurrentThreads) {
        return WinLibrary.CALLS.CreateIoCompletionPort(fileHandle, existingPort, completionKey, concurrentThreads);
    }

    public static int GetQueuedCompletionStatusEx(long port, long entries, int count, long numRemoved, int millis, int alertable) {
        return WinLibrary.CALLS.GetQueuedCompletionStatusEx(port, entries, count, numRemoved, millis, alertable);
    }

    public static int PostQueuedCompletionStatus(long port, int bytes, long completionKey, long overlapped) {
        return WinLibrary.CALLS.PostQueuedCompletionStatus(port, bytes, completionKey, overlapped);
    }

    public static int CloseHandle(long handle) {
        return WinLibrary.CALLS.CloseHandle(handle);
    }

    public static int SetFileCompletionNotificationModes(long handle, byte flags) {
        return WinLibrary.CALLS.SetFileCompletionNotificationModes(handle, flags);
    }

    public static int SetHandleInformation(long handle, int mask, int flags) {
        return WinLibrary.CALLS.SetHandleInformation(handle, mask, flags);
    }
}
