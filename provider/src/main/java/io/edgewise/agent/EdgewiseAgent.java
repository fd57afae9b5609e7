package io.edgewise.agent;

import io.edgewise.sys.Settings;
import java.io.File;
import java.io.IOException;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.nio.channels.spi.SelectorProvider;
import java.util.Arrays;
import java.util.jar.JarFile;

/**
 * Edgewise as a Java agent, for applications whose class path cannot change ({@code java -jar app.jar}):
 * <pre>java -javaagent:edgewise-provider.jar -jar app.jar</pre>
 * or, without touching the command line, {@code JDK_JAVA_OPTIONS=-javaagent:/path/edgewise-provider.jar}.
 *
 * <p>The JVM puts the agent jar itself on the system class path. Before {@code main} this agent:
 * <ol>
 * <li>makes JNA visible when it is not already: the jar named by {@code -Dio.edgewise.agent.jna=PATH},
 *     else {@code jna-<version>.jar} or {@code jna.jar} next to the agent jar (JDK 22+ runs on FFM and
 *     needs none);</li>
 * <li>sets {@code java.nio.channels.spi.SelectorProvider} to Edgewise unless the command line set it
 *     (an explicit choice, e.g. the JDK's own provider, is kept);</li>
 * <li>calls {@code SelectorProvider.provider()}, so a misconfiguration stops the JVM here with one
 *     message, before the application runs, and the choice is fixed for the JVM's lifetime.</li>
 * </ol>
 * {@code -Dio.edgewise.verbose=true} prints one line naming provider, backend and binding.
 * Also usable as {@code Launcher-Agent-Class} of an application's own executable jar.
 */
public final class EdgewiseAgent {
    private EdgewiseAgent() { }

    static final String PROVIDER_PROPERTY = "java.nio.channels.spi.SelectorProvider";
    static final String PROVIDER_CLASS = "io.edgewise.EdgewiseSelectorProvider";
    /** A JNA jar to put on the system class path. */
    public static final String JNA_PROPERTY = Settings.AGENT_JNA;

    /** Entry point for {@code -javaagent}. */
    public static void premain(String args, Instrumentation inst) {
        start(inst, true);
    }

    /**
     * Entry point for {@code Launcher-Agent-Class} (and a late attach, where it may be too late to switch).
     * The provider is only selected here, not created: the launcher applies the jar's
     * {@code Enable-Native-Access} after this agent ran, and creating the provider binds native code,
     * which would warn on JDK 22+. A misconfiguration then fails at the application's first NIO use.
     */
    public static void agentmain(String args, Instrumentation inst) {
        start(inst, false);
    }

    private static void start(Instrumentation inst, boolean createNow) {
        // read now, before main: the provider reads its own snapshot when it starts
        Settings settings = Settings.fromSystem();
        boolean verbose = settings.verbose();
        addJna(inst, settings.agentJna(), verbose);
        String chosen = System.getProperty(PROVIDER_PROPERTY);
        if (chosen == null) {
            System.setProperty(PROVIDER_PROPERTY, PROVIDER_CLASS);
        } else if (!chosen.equals(PROVIDER_CLASS)) {
            if (verbose) {
                System.err.println("Edgewise agent: -D" + PROVIDER_PROPERTY + "=" + chosen
                        + " is set, so Edgewise is not selected");
            }
            return;
        }
        if (!createNow) {
            return;
        }
        SelectorProvider provider;
        try {
            provider = SelectorProvider.provider();
        } catch (Error e) {
            // the provider has printed what is wrong and how to fix it; the application must not start
            // with NIO broken
            System.err.println("Edgewise agent: stopping the JVM before main: "
                    + (e.toString().contains("Edgewise") || causedByEdgewise(e) ? "see the message above" : e.toString()));
            System.exit(1);
            return;
        }
        if (!provider.getClass().getName().equals(PROVIDER_CLASS)) {
            // something selected a provider before the agent ran
            System.err.println("Edgewise agent: SelectorProvider.provider() was already "
                    + provider.getClass().getName() + " when the agent ran; Edgewise is not in use");
        }
    }

    private static boolean causedByEdgewise(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c.getMessage() != null && c.getMessage().startsWith("Edgewise")) return true;
        }
        return false;
    }

    /** Puts a JNA jar on the system class path when JNA is not visible and one is found. */
    private static void addJna(Instrumentation inst, String named, boolean verbose) {
        if (visible(io.edgewise.sys.posix.Binding.JNA_PROBE_CLASS)) {
            return;
        }
        File jar = findJna(named);
        if (jar == null) {
            return; // JDK 22+ needs none; before 22 the provider says what to add
        }
        try {
            inst.appendToSystemClassLoaderSearch(new JarFile(jar));
            if (verbose) {
                System.err.println("Edgewise agent: added " + jar + " to the class path");
            }
        } catch (IOException e) {
            System.err.println("Edgewise agent: cannot read " + jar + ": " + e.getMessage());
        }
    }

    private static boolean visible(String name) {
        try {
            Class.forName(name, false, ClassLoader.getSystemClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static File findJna(String named) {
        if (named != null && !named.isEmpty()) {
            File f = new File(named);
            if (!f.isFile()) {
                System.err.println("Edgewise agent: -D" + JNA_PROPERTY + "=" + named + ": no such file;"
                        + " name a jna-<version>.jar");
                return null;
            }
            return f;
        }
        File dir = agentDirectory();
        if (dir == null) {
            return null;
        }
        File[] candidates = dir.listFiles((d, n) -> n.equals("jna.jar")
                || (n.startsWith("jna-") && n.endsWith(".jar") && Character.isDigit(n.charAt(4))));
        if (candidates == null || candidates.length == 0) {
            return null;
        }
        Arrays.sort(candidates); // several versions: take the last by name
        return candidates[candidates.length - 1];
    }

    private static File agentDirectory() {
        try {
            java.security.CodeSource cs = EdgewiseAgent.class.getProtectionDomain().getCodeSource();
            if (cs == null || cs.getLocation() == null) return null;
            File self = new File(cs.getLocation().toURI());
            return self.isFile() ? self.getParentFile() : null;
        } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
            return null;
        }
    }
}
