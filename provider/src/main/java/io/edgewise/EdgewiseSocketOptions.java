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

    /**
     * {@code SocketChannel}: when {@code true}, {@code connect} accepts an unresolved
     * {@link java.net.InetSocketAddress} ({@code InetSocketAddress.createUnresolved}) and resolves it
     * without blocking the caller in non-blocking mode (literal and cached names inline, others on a
     * bounded resolver pool), then connects to the addresses in order with a short stagger between
     * address families, first success wins. {@code OP_CONNECT} fires when the whole connect finished
     * or failed. Default {@code false}: an unresolved address throws
     * {@code UnresolvedAddressException}, as the JDK does. Set it before {@code connect}.
     * See {@code docs/nonblocking.md}.
     */
    public static final SocketOption<Boolean> ASYNC_RESOLVE = new SocketOption<>() {
        @Override public String name() { return "ASYNC_RESOLVE"; }
        @Override public Class<Boolean> type() { return Boolean.class; }
        @Override public String toString() { return "edgewise.ASYNC_RESOLVE"; }
    };
}
