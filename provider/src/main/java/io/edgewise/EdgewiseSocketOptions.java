package io.edgewise;

import java.net.SocketOption;

/** Socket options Edgewise adds to the JDK's, for channels opened by {@link EdgewiseSelectorProvider}. */
public final class EdgewiseSocketOptions {
    private EdgewiseSocketOptions() { }

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
    public static final SocketOption<Boolean> ASYNC_RESOLVE = new SocketOption<Boolean>() {
        @Override
        public String name() {
            return "ASYNC_RESOLVE";
        }

        @Override
        public Class<Boolean> type() {
            return Boolean.class;
        }

        @Override
        public String toString() {
            return name();
        }
    };
}
