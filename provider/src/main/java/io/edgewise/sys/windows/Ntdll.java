package io.edgewise.sys.windows;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;

/**
 * The ntdll functions that reach the AFD driver (the wepoll technique), JNA direct mapping. They return
 * an NTSTATUS and do not set the thread's last error. Loaded on first use only.
 */
public final class Ntdll {
    static {
        Native.register(Ntdll.class, NativeLibrary.getInstance("ntdll"));
    }

    private Ntdll() { }

    public static native int NtCreateFile(long fileHandlePtr, int desiredAccess, long objectAttributes,
            long ioStatusBlock, long allocationSize, int fileAttributes, int shareAccess, int createDisposition,
            int createOptions, long eaBuffer, int eaLength);

    public static native int NtDeviceIoControlFile(long file, long event, long apcRoutine, long apcContext,
            long ioStatusBlock, int ioControlCode, long inputBuffer, int inputLength, long outputBuffer,
            int outputLength);

    public static native int NtCancelIoFileEx(long file, long ioRequestToCancel, long ioStatusBlock);

    public static native int RtlNtStatusToDosError(int status);
}
