package io.edgewise.it;

import static io.edgewise.it.Launch.FEATURE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.it.app.EchoApp;
import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Each misconfiguration fails at the first {@code SelectorProvider.provider()} (in the provider's
 * constructor, before any selector or channel is made), once, with one line naming the property or
 * artifact, the bad value, the valid values and the fix. Child JVMs over the packaged jar.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ConfigurationErrorTest {
    static final String SELECT_EDGEWISE = "-Djava.nio.channels.spi.SelectorProvider=io.edgewise.EdgewiseSelectorProvider";

    static Launch.Result run(String name, boolean jna, String... props) throws Exception {
        Path d = Launch.dir("config-" + name);
        String cp = Launch.CLASSES.toAbsolutePath() + File.pathSeparator + Launch.providerJar().toAbsolutePath()
                + (jna ? File.pathSeparator + Launch.jnaJar().toAbsolutePath() : "");
        List<String> args = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
        args.addAll(List.of(props));
        args.addAll(List.of("-cp", cp, EchoApp.class.getName()));
        return Launch.java(d, Map.of(), args.toArray(new String[0]));
    }

    /** Failed in the provider's constructor, said so once in one line starting with the text, main got no selector. */
    static void failedEarlyOnce(Launch.Result r, String line) {
        assertNotEquals(0, r.exit, r::toString);
        r.has(line).hasNot("echo:");
        assertEquals(1, r.err.lines().filter(l -> l.startsWith("Edgewise: ")).count(), r::toString);
        assertTrue(r.err.contains("at io.edgewise.EdgewiseSelectorProvider.<init>"), r::toString);
        r.hasNot("EdgewiseSelector.<init>").hasNot("Backends.open").hasNot("UnsatisfiedLinkError")
                .hasNot("NoClassDefFoundError: com/sun/jna");
    }

    @Test
    void unknownBackend() throws Exception {
        failedEarlyOnce(run("backend", true, SELECT_EDGEWISE, "-Dio.edgewise.backend=nonsense"),
                "Edgewise: -Dio.edgewise.backend=nonsense: 'nonsense' is not a backend; valid values: epoll (Linux),"
                        + " kqueue (macOS, FreeBSD, OpenBSD, NetBSD; on Linux with -Dio.edgewise.kqueue.library=");
    }

    @Test
    void unknownBackendWithTheJarMerelyOnTheClassPath() throws Exception {
        // no provider property: the JDK finds Edgewise as a service; asking for a bad backend still fails there
        Launch.Result r = run("backend-service", true, "-Dio.edgewise.backend=nonsense");
        failedEarlyOnce(r, "Edgewise: -Dio.edgewise.backend=nonsense: 'nonsense' is not a backend");
    }

    @Test
    void iocpOnLinux() throws Exception {
        failedEarlyOnce(run("iocp", true, SELECT_EDGEWISE, "-Dio.edgewise.backend=iocp"),
                "Edgewise: -Dio.edgewise.backend=iocp: iocp is the Windows backend and this is Linux; valid values:");
    }

    @Test
    void kqueueLibraryThatDoesNotExist() throws Exception {
        failedEarlyOnce(run("kqueue", true, SELECT_EDGEWISE, "-Dio.edgewise.backend=kqueue",
                "-Dio.edgewise.kqueue.library=/nonexistent"),
                "Edgewise: -Dio.edgewise.kqueue.library=/nonexistent: no such file (the kqueue library for"
                        + " -Dio.edgewise.backend=kqueue). Fix: build libkqueue");
    }

    @Test
    void unknownBinding() throws Exception {
        failedEarlyOnce(run("binding", true, SELECT_EDGEWISE, "-Dio.edgewise.binding=bogus"),
                "Edgewise: -Dio.edgewise.binding=bogus: not a binding; valid values: jna (JDK 17+), ffm (JDK 22+");
    }

    @Test
    void ffmBindingWhereThereIsNone() throws Exception {
        if (FEATURE < 22) {
            failedEarlyOnce(run("ffm", true, SELECT_EDGEWISE, "-Dio.edgewise.binding=ffm"),
                    "Edgewise: -Dio.edgewise.binding=ffm: the FFM binding needs JDK 22+ and this is JDK " + FEATURE);
        } else {
            // the jar read as a plain jar (as an unpacked or repackaged copy without Multi-Release would be)
            failedEarlyOnce(run("ffm", true, SELECT_EDGEWISE, "-Dio.edgewise.binding=ffm",
                    "-Djdk.util.jar.enableMultiRelease=false"),
                    "Edgewise: -Dio.edgewise.binding=ffm: this copy of Edgewise has no FFM binding");
        }
    }

    @Test
    void jnaMissingWhenEdgewiseIsAskedFor() throws Exception {
        Launch.Result r = run("nojna", false, SELECT_EDGEWISE);
        if (FEATURE >= 22) {
            assertEquals(0, r.exit, r::toString); // FFM: no JNA at all
            r.has("provider: io.edgewise.EdgewiseSelectorProvider").hasNot("com/sun/jna");
        } else {
            failedEarlyOnce(r, "Edgewise: JNA (net.java.dev.jna:jna:5.19.1) is not on the class path and JDK "
                    + FEATURE + " has no FFM binding");
        }
    }

    @Test
    void jnaMissingWithTheJarMerelyOnTheClassPathKeepsNioWorking() throws Exception {
        Launch.Result r = run("nojna-service", false);
        assertEquals(0, r.exit, r::toString);
        r.has("echo: hello from lib");
        if (FEATURE >= 22) {
            r.has("provider: io.edgewise.EdgewiseSelectorProvider");
        } else {
            // JDK 17-21: the JDK passes over Edgewise and serves NIO itself; one line says why
            r.has("provider: sun.nio.ch.").has("Edgewise is not in use, the JDK's provider serves: JNA"
                    + " (net.java.dev.jna:jna:5.19.1) is not on the class path");
            assertEquals(1, r.err.lines().filter(l -> l.startsWith("Edgewise")).count(), r::toString);
        }
    }

    @Test
    void jnaForcedButMissing() throws Exception {
        if (FEATURE < 22) {
            return; // covered by jnaMissingWhenEdgewiseIsAskedFor
        }
        failedEarlyOnce(run("jna-forced", false, SELECT_EDGEWISE, "-Dio.edgewise.binding=jna"),
                "Edgewise: JNA (net.java.dev.jna:jna:5.19.1) is not on the class path and -Dio.edgewise.binding=jna");
    }
}
