package io.edgewise.sys;

import java.security.AccessController;
import java.security.PrivilegedAction;

/**
 * Edgewise's reads of system and security properties, made with its own privileges: under a
 * security manager (JDK 17-23) the calling application need not be allowed to read them, as with
 * the JDK's own provider. Without a security manager {@code doPrivileged} is a plain call.
 * Stateless.
 */
@SuppressWarnings("removal") // AccessController: deprecated for removal, present through JDK 23 and still callable on 24+
public final class SystemProps {
    private SystemProps() { }

    public static String get(String name) {
        return AccessController.doPrivileged((PrivilegedAction<String>) () -> System.getProperty(name));
    }

    public static String get(String name, String dflt) {
        String v = get(name);
        return v != null ? v : dflt;
    }

    /** Like {@link Boolean#getBoolean}: true only for "true" (any case). */
    public static boolean getBoolean(String name) {
        return Boolean.parseBoolean(get(name));
    }

    /** Like {@link Integer#getInteger(String, int)}. */
    public static int getInt(String name, int dflt) {
        try {
            String v = get(name);
            return v != null ? Integer.decode(v) : dflt;
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** Like {@link Long#getLong(String, long)}. */
    public static long getLong(String name, long dflt) {
        try {
            String v = get(name);
            return v != null ? Long.decode(v) : dflt;
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** A {@link java.security.Security} property. */
    public static String security(String name) {
        return AccessController.doPrivileged((PrivilegedAction<String>) () -> java.security.Security.getProperty(name));
    }
}
