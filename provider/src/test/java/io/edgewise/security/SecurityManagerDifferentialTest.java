package io.edgewise.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16 item 15: under a security manager (JDK 17-23) Edgewise works and refuses what the JDK
 * refuses. The same program ({@link SecuredClient}) runs in a child JVM under a policy that trusts
 * every code base but the test classes, once over each provider; the outputs must be the same.
 */
@Timeout(120)
class SecurityManagerDifferentialTest {

    @Test
    void sameOutcomesAsTheJdkUnderASecurityManager() throws Exception {
        assumeTrue(Runtime.version().feature() < 24, "JDK 24+ cannot enable a security manager");
        Path policy = policy();
        try {
            String jdk = run("sun.nio.ch.EPollSelectorProvider", policy);
            String edgewise = run("io.edgewise.EdgewiseSelectorProvider", policy);
            assertEquals("bind true\nconnect true\nblockingRead 1\n"
                    + "connectDenied java.security.AccessControlException\nclosedAfterDenied true\n"
                    + "connectPortZero java.net.ConnectException\n" // port 0 counts as the ephemeral range
                    + "connectDeniedPortZero java.security.AccessControlException\n"
                    + "bindPrivilegedPort java.security.AccessControlException\n"
                    + "datagramBind true\ndatagramSend 1\ndatagramReceiveScreened true 1\ndatagramReceiveNothing null\ndatagramSendDenied java.security.AccessControlException\n"
                    + "datagramSendDeniedPortZero java.security.AccessControlException\n"
                    + "datagramSendPortZero java.net.SocketException\n"
                    + "datagramConnectDenied java.security.AccessControlException\ndatagramConnect true\n"
                    + "wildcardLocalAddress localhost/127.0.0.1\nsocketWildcardLocalAddress localhost/127.0.0.1\n", jdk, "jdk");
            assertEquals(jdk, edgewise, "edgewise, same program and policy as the jdk");
        } finally {
            Files.deleteIfExists(policy);
        }
    }

    /** AllPermission for every class-path entry but the test classes, which may use 127.0.0.1 only. */
    private static Path policy() throws IOException {
        StringBuilder sb = new StringBuilder();
        String testClasses = Path.of(SecuredClient.class.getProtectionDomain().getCodeSource().getLocation().getPath()).toString();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.isEmpty() || Path.of(e).toString().equals(testClasses)) continue;
            sb.append("grant codeBase \"").append(url(e)).append("\" { permission java.security.AllPermission; };\n");
        }
        sb.append("grant codeBase \"").append(url(testClasses)).append("\" {\n")
          .append("  permission java.net.SocketPermission \"localhost:0\", \"listen\";\n")
          .append("  permission java.net.SocketPermission \"127.0.0.1:1024-\", \"connect,accept,resolve\";\n")
          .append("};\n");
        Path f = Files.createTempFile("edgewise-sm", ".policy");
        Files.writeString(f, sb.toString());
        return f;
    }

    private static String url(String path) {
        Path p = Path.of(path).toAbsolutePath();
        String u = p.toUri().toString();
        return Files.isDirectory(p) && !u.endsWith("/") ? u + "/" : u;
    }

    private static String run(String provider, Path policy) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        if (Runtime.version().feature() >= 18) cmd.add("-Djava.security.manager=allow");
        cmd.add("-Djava.security.manager");
        cmd.add("-Djava.security.policy==" + policy);
        cmd.add("-Djava.nio.channels.spi.SelectorProvider=" + provider);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(SecuredClient.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        StringBuilder sb = new StringBuilder();
        for (String l : new String(out, StandardCharsets.UTF_8).split("\n")) {
            if (!l.startsWith("WARNING: ")) sb.append(l).append('\n'); // the JVM's deprecation notice
        }
        return sb.toString();
    }
}
