package io.edgewise.sys.windows;

import io.edgewise.sys.posix.Binding;

/**
 * Binds the Windows calls once, on first use (this class is touched only on Windows, or by tests): FFM
 * on JDK 22+ ({@code FfmWinCalls}, from {@code ws2_32}, {@code kernel32}, {@code ntdll}), JNA otherwise
 * or with {@code -Dio.edgewise.binding=jna} — the choice {@link Binding#choose} makes for every door.
 */
final class WinLibrary {
    private WinLibrary() { }

    static final String FFM_CLASS = "io.edgewise.sys.windows.FfmWinCalls";

    /** The binding every Windows door calls through. */
    static final WinCalls CALLS = Binding.choose(WinCalls.class, FFM_CLASS, JnaWinCalls::new);

    /** "ffm" or "jna". */
    static String binding() {
        return CALLS instanceof JnaWinCalls ? "jna" : "ffm";
    }
}
