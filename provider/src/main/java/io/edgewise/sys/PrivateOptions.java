package io.edgewise.sys;

import java.net.SocketOption;

/** Socket options the socket adaptors need that {@code java.net} has no public constant for. */
public final class PrivateOptions {
    private PrivateOptions() { }

    /** Urgent data inline ({@code Socket.setOOBInline}); like the JDK's internal option of that name. */
    public static final SocketOption<Boolean> SO_OOBINLINE = new SocketOption<>() {
        @Override public String name() { return "SO_OOBINLINE"; }
        @Override public Class<Boolean> type() { return Boolean.class; }
        @Override public String toString() { return name(); }
    };
}
