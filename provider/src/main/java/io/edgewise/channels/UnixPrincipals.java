package io.edgewise.channels;

import io.edgewise.PeerCredentials;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;

/**
 * Peer credentials as the JDK's {@code jdk.net.ExtendedSocketOptions.SO_PEERCRED} value
 * ({@code jdk.net.UnixDomainPrincipal}): principals looked up by the user and group names of the ids
 * ({@code /etc/passwd}, {@code /etc/group} via the file system's lookup service), else by the number.
 */
final class UnixPrincipals {
    private UnixPrincipals() { }

    static Object of(PeerCredentials c) throws IOException {
        UserPrincipalLookupService ls = FileSystems.getDefault().getUserPrincipalLookupService();
        UserPrincipal user = ls.lookupPrincipalByName(name("/etc/passwd", c.uid()));
        GroupPrincipal group = ls.lookupPrincipalByGroupName(name("/etc/group", c.gid()));
        try {
            return Class.forName("jdk.net.UnixDomainPrincipal")
                    .getConstructor(UserPrincipal.class, GroupPrincipal.class)
                    .newInstance(user, group);
        } catch (ReflectiveOperationException e) {
            throw new IOException("jdk.net.UnixDomainPrincipal unavailable", e);
        }
    }

    /** The name of id {@code id} in a passwd/group style file, or the id itself. */
    private static String name(String file, int id) {
        try {
            for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of(file))) {
                String[] f = line.split(":", 4);
                if (f.length >= 3 && f[2].equals(Integer.toString(id))) {
                    return f[0];
                }
            }
        } catch (IOException | RuntimeException ignore) {
            // no such file: fall back to the number
        }
        return Integer.toString(id);
    }
}
