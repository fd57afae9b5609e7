package io.edgewise;

import io.edgewise.sys.SocketOps;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.util.Objects;

/** ProtocolFamily to the socket-ops family code, with the JDK's exceptions. */
final class Families {
    private Families() { }

    static int of(SocketOps ops, ProtocolFamily pf) {
        Objects.requireNonNull(pf, "'family' is null");
        if (pf == StandardProtocolFamily.INET) {
            return SocketOps.INET;
        }
        if (pf == StandardProtocolFamily.INET6) {
            if (!ops.ipv6Available()) {
                throw new UnsupportedOperationException("IPv6 not available");
            }
            return SocketOps.INET6;
        }
        throw new UnsupportedOperationException("Protocol family not supported");
    }
}
