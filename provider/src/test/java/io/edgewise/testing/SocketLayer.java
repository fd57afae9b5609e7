package io.edgewise.testing;

import io.edgewise.sys.Platform;
import io.edgewise.sys.posix.PosixSocketOps;
import java.net.SocketOption;
import java.util.Set;

/**
 * Which socket layer the provider runs on, for the few expected differences when the suite runs the
 * POSIX/BSD code on Linux ({@code -Dio.edgewise.socketops=posix} or {@code posix-macos}, see
 * {@code scripts/kqueue-suite.sh}) while the JDK's provider it is compared with uses Linux's.
 */
public final class SocketLayer {
    private SocketLayer() { }

    /**
     * Extended options only Linux has: the JDK offers them on Linux, not on macOS or the BSDs, and neither
     * does the POSIX layer (it offers what those platforms have).
     */
    public static final Set<String> LINUX_ONLY_OPTIONS = Set.of("TCP_QUICKACK", "SO_INCOMING_NAPI_ID");

    /** Why a Linux-only option is absent, for assumption messages. */
    public static final String LINUX_ONLY_REASON = "the POSIX/BSD socket layer, like macOS and the BSDs, has no "
            + LINUX_ONLY_OPTIONS + " (Linux-only extended options the JDK offers on Linux)";

    /**
     * Options the POSIX layer lacks when it runs with Linux's values: the JDK's IP_DONTFRAGMENT, which
     * Linux implements by path-MTU discovery (its own specialisation, LinuxDatagramOps) and macOS by
     * IP_DONTFRAG (the POSIX layer's way, a value Linux's table leaves at 0).
     */
    public static final Set<String> LINUX_VALUES_MISSING = Set.of("IP_DONTFRAGMENT");

    public static final String LINUX_VALUES_REASON = "the POSIX layer with Linux's values has no "
            + LINUX_VALUES_MISSING + " (Linux's is path-MTU discovery, in its own specialisation)";

    /** Whether the POSIX/BSD socket layer serves the provider (on Linux: one of the posix variants). */
    public static boolean posix() {
        return Platform.ops().getClass() == PosixSocketOps.class; // not its Linux specialisation
    }

    /** Whether {@code o} is an option the provider is expected to lack on this socket layer. */
    public static boolean expectedMissing(SocketOption<?> o) {
        return posix() && (LINUX_ONLY_OPTIONS.contains(o.name()) || LINUX_VALUES_MISSING.contains(o.name()));
    }
}
