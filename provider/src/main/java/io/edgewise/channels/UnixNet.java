package io.edgewise.channels;

import io.edgewise.sys.SystemProps;
import io.edgewise.AbstractUnixSocketAddress;
import java.io.IOException;
import java.net.BindException;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.UnsupportedAddressTypeException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Random;

/** Address checks and automatically chosen names for Unix domain channels, with the JDK's exceptions. */
final class UnixNet {
    private UnixNet() { }

    static final UnixDomainSocketAddress UNNAMED = UnixDomainSocketAddress.of("");

    /** Thread-safe (SecureRandom). */
    private static final Random RANDOM = new SecureRandom();

    /** A Unix domain address Edgewise takes: a path or an abstract name. */
    static SocketAddress checkAddress(SocketAddress sa) {
        if (sa == null) {
            throw new NullPointerException();
        }
        if (!(sa instanceof UnixDomainSocketAddress) && !(sa instanceof AbstractUnixSocketAddress)) {
            throw new UnsupportedAddressTypeException();
        }
        return sa;
    }

    static boolean isUnnamed(SocketAddress sa) {
        return sa instanceof UnixDomainSocketAddress
                && ((UnixDomainSocketAddress) sa).getPath().toString().isEmpty();
    }

    /** {@code jdk.net.unixdomain.tmpdir}, else the OS's default: where automatically named sockets go. */
    private static String tempDir() {
        String s = SystemProps.get("jdk.net.unixdomain.tmpdir");
        if (s != null && !s.isEmpty()) {
            return s;
        }
        return io.edgewise.sys.Platform.unixOps().defaultTempDir();
    }

    /** A fresh name {@code socket_<random>} in the temporary directory, as the JDK chooses it. */
    static UnixDomainSocketAddress tempName() throws IOException {
        String dir = tempDir();
        if (dir == null) {
            throw new BindException("Could not locate temporary directory for sockets");
        }
        try {
            return UnixDomainSocketAddress.of(Path.of(dir, "socket_" + RANDOM.nextInt(Integer.MAX_VALUE)));
        } catch (InvalidPathException e) {
            throw new BindException("Invalid temporary directory");
        }
    }

    interface Binder {
        void bind(SocketAddress sa) throws IOException;
    }

    /** Binds to an automatically chosen name, trying up to ten names as the JDK does. */
    static void bindTemp(Binder binder) throws IOException {
        for (int attempt = 0; attempt < 10; attempt++) {
            try {
                binder.bind(tempName());
                return;
            } catch (BindException e) {
                // name taken: try another
            }
        }
        throw new BindException("Could not bind to temporary name");
    }
}
