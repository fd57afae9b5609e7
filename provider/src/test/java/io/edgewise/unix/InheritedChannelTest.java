package io.edgewise.unix;

import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.datagram.TestProviders;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code System.inheritedChannel()} in a child JVM running Edgewise, with descriptor 0 set up by the
 * shell ({@code /dev/tcp}, {@code /dev/udp}) or by a small Python launcher (listening and Unix sockets).
 */
class InheritedChannelTest {
    static final String EDGEWISE = "io.edgewise.EdgewiseSelectorProvider";

    @TempDir
    Path dir;

    private List<String> javaCommand(Path marker) {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.add("-Djava.nio.channels.spi.SelectorProvider=" + EDGEWISE);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(InheritedChild.class.getName());
        cmd.add(marker.toString());
        return cmd;
    }

    private static String quote(List<String> cmd) {
        StringBuilder sb = new StringBuilder();
        for (String s : cmd) sb.append('\'').append(s.replace("'", "'\\''")).append("' ");
        return sb.toString();
    }

    private Process startWithShellRedirect(String redirect, Path marker) throws Exception {
        return new ProcessBuilder("bash", "-c", "exec " + quote(javaCommand(marker)) + redirect)
                .redirectErrorStream(true).start();
    }

    /** Reads what the child sends, then expects end-of-stream while the child still runs (detached fd 0). */
    private static String readAllThenEof(SocketChannel s, Process child) throws Exception {
        s.configureBlocking(false);
        ByteBuffer b = ByteBuffer.allocate(512);
        try (Selector sel = s.provider().openSelector()) {
            s.register(sel, SelectionKey.OP_READ);
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < end) {
                sel.select(200);
                sel.selectedKeys().clear();
                if (s.read(b) < 0) {
                    assertTrue(child.isAlive(), "the peer must see the close before the child exits");
                    b.flip();
                    return StandardCharsets.UTF_8.decode(b).toString();
                }
            }
        }
        fail("no end-of-stream from the child: " + new String(child.getInputStream().readNBytes(
                child.getInputStream().available()), StandardCharsets.UTF_8));
        return null;
    }

    private static void finish(Process child, Path marker) throws Exception {
        Files.deleteIfExists(marker);
        assertTrue(child.waitFor(20, TimeUnit.SECONDS), "child did not exit");
    }

    @Test
    void connectedTcpSocket() throws Exception {
        Path marker = Files.createFile(dir.resolve("m1"));
        try (ServerSocketChannel ssc = TestProviders.jdk().openServerSocketChannel()
                .bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) ssc.getLocalAddress()).getPort();
            Process child = startWithShellRedirect(" 0<>/dev/tcp/127.0.0.1/" + port, marker);
            try (SocketChannel s = ssc.accept()) {
                assertEquals("SocketChannel " + EDGEWISE + " true", readAllThenEof(s, child));
            } finally {
                finish(child, marker);
            }
        }
    }

    @Test
    void connectedUdpSocket() throws Exception {
        Path marker = Files.createFile(dir.resolve("m2"));
        try (DatagramChannel dc = TestProviders.jdk().openDatagramChannel(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress("127.0.0.1", 0))) {
            int port = ((InetSocketAddress) dc.getLocalAddress()).getPort();
            Process child = startWithShellRedirect(" 0<>/dev/udp/127.0.0.1/" + port, marker);
            try {
                ByteBuffer b = ByteBuffer.allocate(512);
                dc.configureBlocking(false);
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (dc.receive(b) == null && System.nanoTime() < end) {
                    Thread.sleep(10);
                }
                b.flip();
                assertEquals("DatagramChannel " + EDGEWISE + " true", StandardCharsets.UTF_8.decode(b).toString());
            } finally {
                finish(child, marker);
            }
        }
    }

    @Test
    void notASocketGivesNull() throws Exception {
        Path marker = dir.resolve("m3");
        Process child = new ProcessBuilder(javaCommand(marker)).start(); // stdin is a pipe
        child.getOutputStream().close();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertTrue(child.waitFor(20, TimeUnit.SECONDS));
        assertEquals("null", out);
    }

    private static final String PY_LAUNCH = String.join("\n",
            "import os, socket, sys",
            "kind, path = sys.argv[1], sys.argv[2]",
            "if kind == 'unix-listen':",
            "    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.bind(path); s.listen(5)",
            "elif kind == 'tcp-listen':",
            "    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM); s.bind(('127.0.0.1', 0)); s.listen(5)",
            "    open(path, 'w').write(str(s.getsockname()[1]))",
            "else:",
            "    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); s.connect(path)",
            "os.dup2(s.fileno(), 0)",
            "os.execv(sys.argv[3], sys.argv[3:])",
            "");

    private Process startWithPython(String kind, String path, Path marker) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(hasPython(), "python3 is needed to hand a listening or Unix socket to a child");
        Path py = dir.resolve("launch.py");
        Files.writeString(py, PY_LAUNCH);
        List<String> cmd = new ArrayList<>(List.of(PYTHON, py.toString(), kind, path));
        cmd.addAll(javaCommand(marker));
        return new ProcessBuilder(cmd).redirectErrorStream(true).start();
    }

    /** /usr/bin/python3 when present (a version manager's shim adds a second per start), else PATH's. */
    private static final String PYTHON = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
    private static Boolean python;

    private static synchronized boolean hasPython() {
        if (python == null) {
            try {
                Process p = new ProcessBuilder(PYTHON, "-c", "pass").start();
                python = p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
            } catch (Exception e) {
                python = false;
            }
        }
        return python;
    }

    private static SocketChannel connectWithRetry(java.net.SocketAddress sa, java.nio.channels.spi.SelectorProvider p)
            throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        for (;;) {
            SocketChannel c = sa instanceof UnixDomainSocketAddress
                    ? p.openSocketChannel(StandardProtocolFamily.UNIX) : p.openSocketChannel();
            try {
                c.connect(sa);
                return c;
            } catch (java.io.IOException e) {
                c.close();
                if (System.nanoTime() > end) throw e;
                Thread.sleep(20);
            }
        }
    }

    @Test
    void listeningUnixSocket() throws Exception {
        Path marker = Files.createFile(dir.resolve("m4"));
        Path sock = dir.resolve("inh.sock");
        Process child = startWithPython("unix-listen", sock.toString(), marker);
        try (SocketChannel c = connectWithRetry(UnixDomainSocketAddress.of(sock), TestProviders.jdk())) {
            assertEquals("ServerSocketChannel " + EDGEWISE + " true", readAllThenEof(c, child));
        } finally {
            finish(child, marker);
        }
    }

    @Test
    void listeningTcpSocket() throws Exception {
        Path marker = Files.createFile(dir.resolve("m5"));
        Path portFile = dir.resolve("port");
        Process child = startWithPython("tcp-listen", portFile.toString(), marker);
        try {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!(Files.exists(portFile) && Files.size(portFile) > 0) && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            int port = Integer.parseInt(Files.readString(portFile).trim());
            try (SocketChannel c = connectWithRetry(new InetSocketAddress("127.0.0.1", port), TestProviders.jdk())) {
                assertEquals("ServerSocketChannel " + EDGEWISE + " true", readAllThenEof(c, child));
            }
        } finally {
            finish(child, marker);
        }
    }

    @Test
    void connectedUnixSocket() throws Exception {
        Path marker = Files.createFile(dir.resolve("m6"));
        Path sock = dir.resolve("srv.sock");
        try (ServerSocketChannel ssc = TestProviders.jdk().openServerSocketChannel(StandardProtocolFamily.UNIX)
                .bind(UnixDomainSocketAddress.of(sock))) {
            Process child = startWithPython("unix-connect", sock.toString(), marker);
            try (SocketChannel s = ssc.accept()) {
                assertEquals("SocketChannel " + EDGEWISE + " true", readAllThenEof(s, child));
            } finally {
                finish(child, marker);
            }
        }
    }
}
