package io.edgewise.sys.windows;

/**
 * The door to the ntdll functions that reach the AFD driver (the wepoll technique), through the binding
 * {@link WinLibrary} chose. They return an NTSTATUS and set no last error.
 */
public final class Ntdll {
    private Ntdll() { }

    public static int NtCreateFile(long fileHandlePtr, int desiredAccess, long objectAttributes, long ioStatusBlock, long allocationSize, int fileAttributes, int shareAccess, int createDisposition, int createOptions, long eaBuffer, int eaLength) {
        return WinLibrary.CALLS.NtCreateFile(fileHandlePtr, desiredAccess, objectAttributes, ioStatusBlock, allocationSize, fileAttributes, shareAccess, createDisposition, createOptions, eaBuffer, eaLength);
    }

    public static int NtDeviceIoControlFile(long file, long event, long apcRoutine, long apcContext, long ioStatusBlock, int ioControlCode, long inputBuffer, int inputLength, long outputBuffer, int outputLength) {
        return WinLibrary.CALLS.NtDeviceIoControlFile(file, event, apcRoutine, apcContext, ioStatusBlock, ioControlCode, inputBuffer, inputLength, outputBuffer, outputLength);
    }

    public static int NtCancelIoFileEx(long file, long ioRequestToCancel, long ioStatusBlock) {
        return WinLibrary.CALLS.NtCancelIoFileEx(file, ioRequestToCancel, ioStatusBlock);
    }

    public static int RtlNtStatusToDosError(int status) {
        return WinLibrary.CALLS.RtlNtStatusToDosError(status);
    }
}
