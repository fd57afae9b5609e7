package io.edgewise.channels;

import java.net.InetSocketAddress;

/**
 * The permission checks the JDK's channels make when a security manager is installed (JDK 17-23),
 * made by Edgewise's channels at the same points and in the same order. Each check is one null test
 * when no security manager is installed (always on JDK 24+). Stateless.
 */
@SuppressWarnings("removal") // SecurityManager: deprecated for removal, present through JDK 23
final class Security {
    private Security() { }

    /**
     * Before a connect to {@code isa} (already checked for type and resolution, not yet mapped from
     * the wildcard to loopback): {@code SocketPermission(host:port, "connect")}. Returns {@code isa}.
     */
    static InetSocketAddress checkConnect(InetSocketAddress isa) {
        SecurityManager sm = System.getSecurityManager();
        if (sm != null) {
            sm.checkConnect(isa.getAddress().getHostAddress(), isa.getPort());
        }
        return isa;
    }
}
