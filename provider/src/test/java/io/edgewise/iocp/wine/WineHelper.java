package io.edgewise.iocp.wine;

import io.edgewise.testing.HeaderValues;
import io.edgewise.testing.WinePrefix;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of the bridge helper ({@code src/test/c/iocp-bridge/afd_bridge.c}, built with mingw-w64) under
 * wine: the Windows process whose completion ports, AFD helper handles and Winsock sockets the Java
 * {@link WineAfdPort} drives. {@link #available()} says why it cannot run here (null when it can).
 *
 * <p>Threads: {@link #call} holds {@code callLock} for a whole round trip (the helper takes one command
 * at a time); {@link #send} (POST, no reply) takes only {@code writeLock}, so it can reach the helper
 * while another thread waits in a DEQ. Lock order: callLock, then writeLock.
 */
final class WineHelper implements AutoCloseable {
    private static final String CC = HeaderValues.tool("x86_64-w64-mingw32-gcc");
    private static final String WINE = HeaderValues.tool("/usr/lib/wine/wine64", "wine64", "wine");

    private final Process process;
    private final BufferedReader in;
    private final OutputStream out;
    private final Object callLock = new Object(), writeLock = new Object();

    /** Null when the helper can run here, else the reason it cannot. */
    static String available() {
        if (CC == null) return "x86_64-w64-mingw32-gcc not installed (scripts/iocp-probes.sh installs it)";
        if (WINE == null) return "wine not installed (scripts/iocp-probes.sh installs it)";
        return null;
    }

    WineHelper() throws IOException, InterruptedException {
        Path dir = HeaderValues.outDir("iocp-bridge");
        Path exe = dir.resolve("afd_bridge.exe");
        Path src = java.nio.file.Paths.get("src", "test", "c", "iocp-bridge", "afd_bridge.c").toAbsolutePath();
        HeaderValues.run(List.of(CC, "-O1", "-Wall", "-o", exe.toString(), src.toString(), "-lws2_32"), Map.of(), 120);
        ProcessBuilder pb = new ProcessBuilder(WINE, exe.toString());
        pb.environment().putAll(WinePrefix.environment(WINE)); // one prefix for all wine tests
        pb.redirectError(dir.resolve("helper.stderr").toFile());
        process = pb.start();
        in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.US_ASCII));
        out = process.getOutputStream();
        String first = in.readLine();
        if (!"READY".equals(first == null ? null : first.trim())) {
            process.destroyForcibly();
            throw new IOException("bridge helper did not start: " + first);
        }
    }

    /** Sends one command and returns its reply's words after "OK"; throws on "ERR". */
    String[] call(String command) throws IOException {
        synchronized (callLock) {
            send(command);
            String line = in.readLine();
            if (line == null) throw new IOException("bridge helper ended (command " + command + ")");
            String[] w = line.trim().split(" ");
            if (!w[0].equals("OK")) throw new IOException("bridge: " + command + " -> " + line.trim());
            String[] rest = new String[w.length - 1];
            System.arraycopy(w, 1, rest, 0, rest.length);
            return rest;
        }
    }

    /** Writes one command line without waiting for a reply (POST). */
    void send(String command) throws IOException {
        synchronized (writeLock) {
            out.write((command + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }

    /** Two connected non-blocking TCP sockets on loopback: {client, server} SOCKET handles. */
    long[] pair() throws IOException {
        String[] w = call("PAIR");
        return new long[] {Long.parseLong(w[0]), Long.parseLong(w[1])};
    }

    /** send/recv of {@code n} bytes: the count, or -WSAError. */
    int io(String op, long socket, int n) throws IOException {
        synchronized (callLock) {
            send(op + " " + socket + " " + n);
            String line = in.readLine().trim();
            String[] w = line.split(" ");
            return w[0].equals("OK") ? Integer.parseInt(w[1]) : -Integer.parseInt(w[1]);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            call("QUIT");
        } catch (IOException e) {
            // ended already
        }
        if (!process.waitFor(20, TimeUnit.SECONDS)) process.destroyForcibly();
    }
}
