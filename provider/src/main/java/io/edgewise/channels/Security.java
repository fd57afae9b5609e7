package io.edgewise.channels;

import io.edgewise.sys.SocketOps;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetPermission;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;

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

    /** Before a bind to {@code isa}: {@code SocketPermission("localhost:port", "listen")}. Returns {@code isa}. */
    static InetSocketAddress checkListen(InetSocketAddress isa) {
        SecurityManager sm = System.getSecurityManager();
        if (sm != null) {
            sm.checkListen(isa.getPort());
        }
        return isa;
    }

    /**
     * After {@code nfd} was accepted from {@code remote}: {@code SocketPermission(host:port, "accept")};
     * a refused connection is closed before the exception leaves.
     */
    static void checkAccept(InetSocketAddress remote, SocketOps ops, int nfd) {
        SecurityManager sm = System.getSecurityManager();
        if (sm != null && remote != null) {
            try {
                sm.checkAccept(remote.getAddress().getHostAddress(), remote.getPort());
            } catch (SecurityException e) {
                try {
                    ops.close(nfd);
                } catch (IOException ignore) {
                    // the number is released either way
                }
                throw e;
            }
        }
    }

    private static final NetPermission UNIX_ACCESS = new NetPermission("accessUnixDomainSocket");

    /**
     * A channel's local address as its caller may see it: an IP address only with permission to
     * connect to that host (else loopback, same port); a Unix-domain path only with
     * {@code NetPermission("accessUnixDomainSocket")} (else the unnamed address).
     */
    static SocketAddress revealed(SocketAddress sa) {
        SecurityManager sm = System.getSecurityManager();
        if (sm == null || sa == null) {
            return sa;
        }
        try {
            if (sa instanceof InetSocketAddress) {
                sm.checkConnect(((InetSocketAddress) sa).getAddress().getHostAddress(), -1);
            } else if (sa instanceof UnixDomainSocketAddress) {
                sm.checkPermission(UNIX_ACCESS);
            }
            return sa;
        } catch (SecurityException e) {
            return sa instanceof InetSocketAddress
                    ? new InetSocketAddress(InetAddress.getLoopbackAddress(), ((InetSocketAddress) sa).getPort())
                    : UnixDomainSocketAddress.of("");
        }
    }

    /**
     * Before an unconnected datagram send to {@code isa}: multicast permission for a group, else
     * connect permission (before the port-0 check, as the JDK). Returns {@code isa}.
     */
    static InetSocketAddress checkSend(InetSocketAddress isa) {
        SecurityManager sm = System.getSecurityManager();
        if (sm != null) {
            InetAddress ia = isa.getAddress();
            if (ia.isMulticastAddress()) {
                sm.checkMulticast(ia);
            } else {
                sm.checkConnect(ia.getHostAddress(), isa.getPort());
            }
        }
        return isa;
    }

    /** Before a datagram connect: multicast permission for a group, else connect then accept. */
    static void checkDatagramConnect(InetSocketAddress isa) {
        checkSend(isa);
        SecurityManager sm = System.getSecurityManager();
        InetAddress ia = isa.getAddress();
        if (sm != null && !ia.isMulticastAddress()) {
            sm.checkAccept(ia.getHostAddress(), isa.getPort());
        }
    }

    /** Before a join, after its arguments were checked: multicast permission for {@code group}. */
    static void checkJoin(InetAddress group) {
        SecurityManager sm = System.getSecurityManager();
        if (sm != null) {
            sm.checkMulticast(group);
        }
    }

    /** Whether an unconnected receive must drop datagrams its caller may not accept. */
    static boolean screensReceive(boolean connectedOrUnix) {
        return !connectedOrUnix && System.getSecurityManager() != null;
    }

    /** One receive into a buffer; the sender, or null when nothing came. */
    @FunctionalInterface
    interface Receive {
        SocketAddress into(ByteBuffer b) throws IOException;
    }

    /**
     * A receive that drops datagrams from senders the caller may not accept
     * ({@code SocketPermission(host:port, "accept")}), as the JDK does: each datagram lands in a
     * scratch buffer first, so a dropped one leaves {@code dst} untouched; returns null when no
     * acceptable datagram came (non-blocking, or a timeout ends it first).
     */
    static SocketAddress receiveAccepted(ByteBuffer dst, Receive receive) throws IOException {
        SecurityManager sm = System.getSecurityManager();
        ByteBuffer scratch = dst.isDirect() ? ByteBuffer.allocateDirect(dst.remaining()) : ByteBuffer.allocate(dst.remaining());
        for (;;) {
            scratch.clear();
            SocketAddress sender = receive.into(scratch);
            if (sender == null) {
                return null;
            }
            InetSocketAddress isa = (InetSocketAddress) sender;
            try {
                sm.checkAccept(isa.getAddress().getHostAddress(), isa.getPort());
            } catch (SecurityException dropped) {
                continue;
            }
            dst.put(scratch.flip());
            return sender;
        }
    }
}
