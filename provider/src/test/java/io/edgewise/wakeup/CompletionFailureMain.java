package io.edgewise.wakeup;

import io.edgewise.EdgewiseSelectorProvider;
import io.edgewise.EdgewiseSocketOptions;
import io.edgewise.resolve.AsyncResolver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * {@code ASYNC_RESOLVE} connects whose completion path may fail (a planted {@link FaultyOps} fault, or
 * a socket layer under test); run in a JVM of its own. Argument {@code succeed}: every connect must
 * connect; {@code fail}: every connect must end with an {@code IOException}. Either way each one must
 * END: a non-blocking one selected by a bounded select, a blocking one returning or throwing within the
 * bound. Prints {@code ok ...} or {@code FAIL ...} (exit 1).
 */
public final class CompletionFailureMain {
    private CompletionFailureMain() { }

    public static void main(String[] args) throws Exception {
        boolean succeed = args[0].equals("succeed");
        int n = Integer.parseInt(args[1]);
        SelectorProvider p = new EdgewiseSelectorProvider();
        WakeupScenarios.installTestResolver();
        try (WakeupScenarios.Endpoints e = new WakeupScenarios.Endpoints(p); Selector sel = p.openSelector()) {
            for (int i = 0; i < n; i++) {
                nonBlocking(p, e, sel, i, succeed);
                blocking(p, e, i, succeed);
                e.drainAccepted();
            }
            System.out.println("ok " + n + " non-blocking and " + n + " blocking connects ended (" + args[0] + ")");
        } catch (Throwable t) {
            System.out.println("FAIL " + t);
            t.printStackTrace(System.out);
            System.out.flush();
            System.exit(1);
        }
        System.exit(0);
    }

    private static SocketChannel open(SelectorProvider p) throws IOException {
        SocketChannel c = p.openSocketChannel();
        c.setOption(EdgewiseSocketOptions.ASYNC_RESOLVE, true);
        return c;
    }

    private static void nonBlocking(SelectorProvider p, WakeupScenarios.Endpoints e, Selector sel, int i, boolean succeed)
            throws IOException {
        try (SocketChannel c = open(p)) {
            c.configureBlocking(false);
            FaultyOps.startAttempts();
            c.connect(InetSocketAddress.createUnresolved("nb" + i + ".ok.test", e.port));
            SelectionKey k = c.register(sel, SelectionKey.OP_CONNECT);
            long t0 = System.nanoTime();
            int selected = sel.select(WakeupScenarios.BOUND_MS);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            if (selected != 1 || !k.isConnectable()) {
                throw new AssertionError("connect " + i + ": select returned " + selected + " after " + ms
                        + " ms; the connect is still pending: " + c);
            }
            sel.selectedKeys().clear();
            expect(i, succeed, () -> c.finishConnect());
        }
        sel.selectNow();
    }

    private static void blocking(SelectorProvider p, WakeupScenarios.Endpoints e, int i, boolean succeed) throws Exception {
        try (SocketChannel c = open(p)) {
            AtomicReference<Object> result = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    result.set(c.connect(InetSocketAddress.createUnresolved("b" + i + ".ok.test", e.port)));
                } catch (Throwable x) {
                    result.set(x);
                }
            }, "blocking-connect");
            t.start();
            t.join(WakeupScenarios.BOUND_MS);
            if (t.isAlive()) {
                throw new AssertionError("blocking connect " + i + " still waiting after " + WakeupScenarios.BOUND_MS + " ms");
            }
            Object r = result.get();
            expect(i, succeed, () -> {
                if (r instanceof IOException) throw (IOException) r;
                if (r instanceof Throwable) throw new AssertionError("blocking connect threw " + r, (Throwable) r);
                return (Boolean) r;
            });
        }
    }

    interface Step {
        boolean run() throws IOException;
    }

    private static void expect(int i, boolean succeed, Step s) {
        try {
            boolean connected = s.run();
            if (!connected || !succeed) {
                throw new AssertionError("connect " + i + " returned " + connected + (succeed ? "" : " despite the planted fault"));
            }
        } catch (IOException x) {
            if (succeed) throw new AssertionError("connect " + i + " failed: " + x, x);
        }
    }
}
