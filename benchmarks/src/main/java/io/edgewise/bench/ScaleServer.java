package io.edgewise.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Scale benchmark, server side: a Netty echo server on the variant's transport (one event loop thread for
 * all accepted connections) that the {@link ScaleClient} fills with idle connections. The harness samples
 * this process's CPU time and RSS from {@code /proc} around each measurement.
 * <pre>ScaleServer VARIANT</pre> prints {@code LISTEN port=... pid=...}, runs until stdin says {@code EXIT}.
 */
public final class ScaleServer {
    private ScaleServer() { }

    public static void main(String[] argv) throws Exception {
        Args a = new Args(argv);
        Transport t = new Transport(Variant.parse(a.positional.get(0)));
        t.announceAndCheck();
        int exit = 0;
        try (EchoServer server = new EchoServer(t, 1)) {
            System.out.println("LISTEN port=" + server.port() + " pid=" + ProcessHandle.current().pid());
            System.out.flush();
            EchoWorker.expect(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)), "EXIT");
        } catch (Throwable e) {
            System.out.println("ERROR " + e);
            e.printStackTrace(System.out);
            exit = 1;
        }
        System.out.flush();
        System.exit(exit);
    }
}
