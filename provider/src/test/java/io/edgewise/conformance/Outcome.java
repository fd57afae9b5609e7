package io.edgewise.conformance;

import java.io.Closeable;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketOption;
import java.nio.ByteBuffer;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The observable record of one differential scenario on one provider: each step's return value (in a
 * provider-neutral description) or the exact class of the exception it threw. Two providers conform
 * when their records are equal. Used by one thread at a time (the scenario's).
 */
final class Outcome implements Closeable {
    interface Step<T> {
        T get() throws Exception;
    }

    interface Action {
        void run() throws Exception;
    }

    final SelectorProvider provider;
    final ProtocolFamily family;
    private final List<String> lines = new ArrayList<>();
    private final List<Closeable> resources = new ArrayList<>();

    Outcome(SelectorProvider provider, ProtocolFamily family) {
        this.provider = provider;
        this.family = family;
    }

    /** Records the value of {@code s}, or the class of what it threw (then returns null). */
    <T> T call(String label, Step<T> s) {
        try {
            T v = s.get();
            lines.add(label + " = " + describe(v));
            return v;
        } catch (Throwable t) {
            lines.add(label + " !! " + t.getClass().getName());
            return null;
        }
    }

    void run(String label, Action a) {
        try {
            a.run();
            lines.add(label + " ok");
        } catch (Throwable t) {
            lines.add(label + " !! " + t.getClass().getName());
        }
    }

    void note(String label, Object value) {
        lines.add(label + " = " + describe(value));
    }

    <C extends Closeable> C track(C c) {
        if (c != null) {
            resources.add(c);
        }
        return c;
    }

    /** Flags of a channel: open, blocking, registered (and, for sockets, connected / pending). */
    void state(String label, SelectableChannel ch) {
        StringBuilder sb = new StringBuilder();
        sb.append("open=").append(ch.isOpen());
        sb.append(" blocking=").append(ch.isBlocking());
        sb.append(" registered=").append(ch.isRegistered());
        if (ch instanceof java.nio.channels.SocketChannel sc) {
            sb.append(" connected=").append(sc.isConnected());
            sb.append(" pending=").append(sc.isConnectionPending());
        }
        lines.add(label + " state " + sb);
    }

    String text() {
        return String.join("\n", lines);
    }

    int size() {
        return lines.size();
    }

    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            Net.closeQuietly(resources.get(i));
        }
    }

    /** A description that is the same for equal behaviour on both providers (no ports, no impl classes). */
    static String describe(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Boolean || v instanceof Number || v instanceof String || v instanceof Enum<?>) {
            return v.toString();
        }
        if (v instanceof InetSocketAddress isa) {
            if (isa.isUnresolved()) {
                return "unresolved";
            }
            return "inet(" + describe(isa.getAddress()) + (isa.getPort() == 0 ? ":0" : ":port") + ")";
        }
        if (v instanceof java.net.UnixDomainSocketAddress ua) {
            return "unix(" + (ua.getPath().toString().isEmpty() ? "unnamed" : "named") + ")";
        }
        if (v instanceof InetAddress ia) {
            String kind = ia.isLoopbackAddress() ? "loopback" : ia.isAnyLocalAddress() ? "wildcard" : "other";
            return ia.getClass().getSimpleName() + "/" + kind;
        }
        if (v instanceof ByteBuffer b) {
            return "buf(pos=" + b.position() + " lim=" + b.limit() + ")";
        }
        if (v instanceof SelectionKey k) {
            return "key(valid=" + k.isValid() + ")";
        }
        if (v instanceof SocketOption<?> o) {
            return o.name();
        }
        if (v instanceof Collection<?> c) {
            // Edgewise's public extension options (io.edgewise.EdgewiseSocketOptions) are left out of the comparison
            // and so are Linux-only options when the POSIX/BSD socket layer runs (it has them no more than macOS)
            return c.stream().filter(e -> !(e instanceof SocketOption<?>
                            && e.getClass().getName().startsWith("io.edgewise.EdgewiseSocketOptions")))
                    .filter(e -> !(e instanceof SocketOption<?> o && io.edgewise.testing.SocketLayer.expectedMissing(o)))
                    .map(Outcome::describe).sorted().collect(Collectors.joining(",", "[", "]"));
        }
        return publicType(v.getClass());
    }

    /** The first public java.* type of {@code c}'s class hierarchy: the API type, not the implementation. */
    static String publicType(Class<?> c) {
        for (Class<?> k = c; k != null; k = k.getSuperclass()) {
            if (k.getName().startsWith("java.") && Modifier.isPublic(k.getModifiers())) {
                return k.getName();
            }
        }
        return "?";
    }
}
