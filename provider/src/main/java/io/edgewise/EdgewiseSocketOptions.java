package io.edgewise;

import java.net.SocketOption;

/**
 * Socket options Edgewise adds to those of {@code java.net.StandardSocketOptions} and
 * {@code jdk.net.ExtendedSocketOptions}. Set or read them on Edgewise channels like any other option;
 * a channel's {@code supportedOptions()} lists the ones it takes.
 */
public final class EdgewiseSocketOptions {
    private EdgewiseSocketOptions() { }

    /**
     * Read-only: the credentials (process id, user id, group id) of the peer of a connected Unix domain
     * stream socket, as the kernel recorded them at connect time ({@code SO_PEERCRED} on Linux).
     * Unlike {@code jdk.net.ExtendedSocketOptions.SO_PEERCRED} (also supported), it includes the pid.
     */
    public static final SocketOption<PeerCredentials> SO_PEERCRED = new SocketOption<>() {
        @Override public String name() { return "SO_PEERCRED"; }
        @Override public Class<PeerCredentials> type() { return PeerCredentials.class; }
        @Override public String toString() { return "edgewise.SO_PEERCRED"; }
    };
}
