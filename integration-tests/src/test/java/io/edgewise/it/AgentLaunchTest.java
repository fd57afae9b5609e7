package io.edgewise.it;

import static io.edgewise.it.Launch.FEATURE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.edgewise.it.app.EchoApp;
import io.edgewise.it.app.NettyApp;
import io.edgewise.it.lib.Greeting;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code java -javaagent:edgewise-provider.jar -jar app.jar}: an unchanged {@code -jar} application (with
 * its own Class-Path entry), a Netty fat jar, and the same through {@code JDK_JAVA_OPTIONS}, each a real
 * JVM on the JDK running the tests. The agent jar sits in a directory of its own with JNA next to it.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class AgentLaunchTest {
    static final String EDGEWISE = "provider: io.edgewise.EdgewiseSelectorProvider";
    static final String BINDING = FEATURE >= 22 ? "binding ffm" : "binding jna";
    static final String VERBOSE = "provider io.edgewise.EdgewiseSelectorProvider, backend epoll, " + BINDING;

    /** app.jar (Main-Class EchoApp, Class-Path: lib/greeting.jar), lib/greeting.jar, edgewise/ (+ JNA). */
    static Path jarApp(String name, boolean withJna) throws Exception {
        Path d = Launch.dir(name);
        java.nio.file.Files.createDirectories(d.resolve("lib"));
        Launch.jar(d.resolve("lib/greeting.jar"), Map.of(), Greeting.class);
        Launch.jar(d.resolve("app.jar"), Map.of("Main-Class", EchoApp.class.getName(),
                "Class-Path", "lib/greeting.jar"), EchoApp.class);
        Launch.copy(Launch.providerJar(), d.resolve("edgewise/edgewise-provider.jar"));
        if (withJna) {
            Launch.copy(Launch.jnaJar(), d.resolve("edgewise").resolve(Launch.jnaJar().getFileName()));
        }
        return d;
    }

    @Test
    void jarApplicationRunsOverEdgewiseWithOneFlag() throws Exception {
        Path d = jarApp("agent-jar", true);
        Launch.Result plain = Launch.java(d, Map.of(), "-jar", "app.jar");
        plain.has("echo: hello from lib").hasNot(EDGEWISE); // the flag is what changes the provider
        Launch.Result r = Launch.java(d, Map.of(), "--enable-native-access=ALL-UNNAMED", "-Dio.edgewise.verbose=true",
                "-javaagent:edgewise/edgewise-provider.jar", "-jar", "app.jar");
        assertEquals(0, r.exit, r::toString);
        r.has("echo: hello from lib").has(EDGEWISE).has("selector: io.edgewise.EdgewiseSelector").has(VERBOSE)
                .hasNot("WARNING");
    }

    @Test
    void jdkJavaOptionsLeavesTheCommandLineUnchanged() throws Exception {
        Path d = jarApp("agent-env", true);
        Path agent = d.resolve("edgewise/edgewise-provider.jar").toAbsolutePath();
        Launch.Result r = Launch.java(d, Map.of("JDK_JAVA_OPTIONS", "-javaagent:" + agent
                + " -Dio.edgewise.verbose=true --enable-native-access=ALL-UNNAMED"), "-jar", "app.jar");
        assertEquals(0, r.exit, r::toString);
        r.has("Picked up JDK_JAVA_OPTIONS").has("echo: hello from lib").has(EDGEWISE).has(VERBOSE);
    }

    @Test
    void nettyFatJarRunsOverEdgewise() throws Exception {
        Path d = Launch.dir("agent-netty");
        Launch.jar(d.resolve("netty-app.jar"), Map.of("Main-Class", NettyApp.class.getName()),
                List.of(Launch.netty("netty-transport"), Launch.netty("netty-buffer"), Launch.netty("netty-common"),
                        Launch.netty("netty-resolver")), NettyApp.class);
        Launch.copy(Launch.providerJar(), d.resolve("edgewise/edgewise-provider.jar"));
        Launch.copy(Launch.jnaJar(), d.resolve("edgewise").resolve(Launch.jnaJar().getFileName()));
        Launch.Result r = Launch.java(d, Map.of(), "--enable-native-access=ALL-UNNAMED", "-Dio.edgewise.verbose=true",
                "-javaagent:edgewise/edgewise-provider.jar", "-jar", "netty-app.jar");
        assertEquals(0, r.exit, r::toString);
        r.has("echo: netty echo").has(EDGEWISE).has(VERBOSE);
    }

    @Test
    void launcherAgentClassInAnApplicationsOwnFatJar() throws Exception {
        // Edgewise and JNA inside the application's jar, started by its manifest: no flag at all; the
        // manifest also grants native access (honoured for the main jar of -jar only)
        Path d = Launch.dir("launcher-agent");
        Launch.jar(d.resolve("app.jar"), Map.of("Main-Class", NettyApp.class.getName(),
                        "Launcher-Agent-Class", "io.edgewise.agent.EdgewiseAgent", "Multi-Release", "true",
                        "Enable-Native-Access", "ALL-UNNAMED"),
                List.of(Launch.providerJar(), Launch.jnaJar(), Launch.netty("netty-transport"),
                        Launch.netty("netty-buffer"), Launch.netty("netty-common"), Launch.netty("netty-resolver")),
                NettyApp.class);
        Launch.Result r = Launch.java(d, Map.of(), "-Dio.edgewise.verbose=true", "-jar", "app.jar");
        assertEquals(0, r.exit, r::toString);
        r.has("echo: netty echo").has(EDGEWISE).has(VERBOSE).hasNot("WARNING");
    }

    @Test
    void withoutJnaNextToTheAgent() throws Exception {
        Path d = jarApp("agent-nojna", false);
        Launch.Result r = Launch.java(d, Map.of(), "--enable-native-access=ALL-UNNAMED",
                "-javaagent:edgewise/edgewise-provider.jar", "-jar", "app.jar");
        if (FEATURE >= 22) {
            assertEquals(0, r.exit, r::toString); // FFM needs no JNA
            r.has(EDGEWISE);
        } else {
            assertEquals(1, r.exit, r::toString);
            r.has("Edgewise: JNA (net.java.dev.jna:jna:5.19.1) is not on the class path")
                    .has("Edgewise agent: stopping the JVM before main").hasNot("echo:");
        }
    }

    @Test
    void misconfigurationStopsTheJvmBeforeMain() throws Exception {
        Path d = jarApp("agent-bad", true);
        Launch.Result r = Launch.java(d, Map.of(), "--enable-native-access=ALL-UNNAMED", "-Dio.edgewise.backend=nonsense",
                "-javaagent:edgewise/edgewise-provider.jar", "-jar", "app.jar");
        assertNotEquals(0, r.exit, r::toString);
        r.has("Edgewise: -Dio.edgewise.backend=nonsense: 'nonsense' is not a backend; valid values: epoll")
                .has("Edgewise agent: stopping the JVM before main").hasNot("echo:");
    }

    @Test
    void anExplicitProviderChoiceIsKept() throws Exception {
        Path d = jarApp("agent-keep", true);
        Launch.Result r = Launch.java(d, Map.of(), "-Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.EPollSelectorProvider",
                "-Dio.edgewise.verbose=true", "-javaagent:edgewise/edgewise-provider.jar", "-jar", "app.jar");
        assertEquals(0, r.exit, r::toString);
        r.has("provider: sun.nio.ch.EPollSelectorProvider").has("Edgewise is not selected");
    }
}
