package io.edgewise.resolve;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * A blocking name look-up, called only on a resolver thread (or on the caller's thread for a
 * blocking-mode connect). The default is {@link InetAddress#getAllByName}; install another one (a DNS
 * client library, or a test double) with {@link AsyncResolver#install}.
 */
@FunctionalInterface
public interface NameService {
    /** The addresses of {@code host} in the order connects should try them; never empty. */
    InetAddress[] lookup(String host) throws UnknownHostException;
}
