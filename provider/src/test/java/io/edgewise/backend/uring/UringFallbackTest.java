package io.edgewise.backend.uring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.backend.Backends;
import io.edgewise.backend.Poller;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.channels.Pipe;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code -Dio.edgewise.backend=io_uring} where io_uring is unavailable (the probe made to fail with the
 * test-only property {@link UringSupport#TEST_FAILURE_PROPERTY}), each in a JVM of its own (the choice is
 * made once per JVM): the selector opens on epoll, one WARNING names the reason, {@code Backends.name()}
 * says what runs; with {@code -Dio.edgewise.uring.strict=true} the provider refuses instead.
 */
@Timeout(120)
class UringFallbackTest {
    private static final String REASON = "planted by UringFallbackTest";

    @BeforeEach
    void linuxOnly() {
        Assumptions.assumeTrue(System.getProperty("os.name").startsWith("Linux"), "io_uring is Linux only");
    }

    /** The child: opens a selector through the provider, selects once, prints what it ran on. */
    public static void main(String[] args) throws Exception {
        try {
            EdgewiseSelectorProvider provider = new EdgewiseSelectorProvider();
            try (Selector sel = provider.openSelector()) {
                Pipe p = provider.openPipe();
                p.source().configureBlocking(false);
                p.source().register(sel, SelectionKey.OP_READ);
                p.sink().write(java.nio.ByteBuffer.wrap(new byte[] {1}));
                System.out.println("selected " + sel.select(5_000));
                try (Poller poller = Backends.open()) {
                    System.out.println("poller " + poller.getClass().getSimpleName());
                }
            }
            System.out.println("name " + Backends.name());
        } catch (Throwable t) {
            System.out.println("refused " + t);
        }
        System.out.flush();
    }

    private static String child(String... props) throws Exception {
        return child(true, props);
    }

    private static String child(boolean plant, String... props) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Dio.edgewise.backend=io_uring");
        if (plant) cmd.add("-D" + UringSupport.TEST_FAILURE_PROPERTY + "=" + REASON);
        for (String p : props) cmd.add(p);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(UringFallbackTest.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = p.getInputStream()) {
            in.transferTo(out);
        }
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child ended");
        return out.toString();
    }

    private static int count(String s, String part) {
        int n = 0;
        for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) n++;
        return n;
    }

    @Test
    void anUnavailableRingFallsBackToEpollAndSaysWhyOnce() throws Exception {
        String out = child();
        assertTrue(out.contains("selected 1"), out);
        assertTrue(out.contains("poller EpollPoller"), out);
        assertTrue(out.contains("name epoll (io_uring unavailable: " + REASON + ")"), out);
        assertEquals(1, count(out, "io_uring unavailable (" + REASON + "); using epoll"), "one warning:\n" + out);
        assertTrue(out.contains("WARNING"), out);
    }

    @Test
    void strictModeRefusesInstead() throws Exception {
        String out = child("-Dio.edgewise.uring.strict=true");
        assertTrue(out.contains("refused "), out);
        assertTrue(out.contains("io.edgewise.uring.strict=true: io_uring is unavailable here (" + REASON + ")"), out);
        assertEquals(0, count(out, "using epoll"), "no fallback:\n" + out);
    }

    @Test
    void anAvailableRingIsUsedAndNamed() throws Exception {
        Assumptions.assumeTrue(UringSupport.problem() == null, () -> "io_uring unavailable: " + UringSupport.problem());
        String out = child(false);
        assertTrue(out.contains("selected 1"), out);
        assertTrue(out.contains("poller UringPoller"), out);
        assertTrue(out.contains("name io_uring"), out);
        assertEquals(0, count(out, "WARNING"), out);
    }
}
