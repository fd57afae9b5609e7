package io.edgewise.bench.jmh;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code selectNow()} on a selector with 100 registered read-interested sockets, of which {@code ready} have
 * unread data (so the same keys are reported ready on every call: level-triggered).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "-Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.EPollSelectorProvider"})
public class SelectNowBench {
    static final int REGISTERED = 100;

    @Param({"jdk", "edgewise"})
    public String provider;

    @Param({"0", "1", "100"})
    public int ready;

    private Selector selector;
    private ServerSocketChannel listener;
    private final List<SocketChannel> chans = new ArrayList<>();

    @Setup(Level.Trial)
    public void setup() throws Exception {
        SelectorProvider p = Providers.get(provider);
        listener = Providers.listener(p);
        selector = p.openSelector();
        for (int i = 0; i < REGISTERED; i++) {
            SocketChannel[] pr = Providers.pair(p, listener);
            chans.add(pr[0]);
            chans.add(pr[1]);
            pr[1].register(selector, SelectionKey.OP_READ);
            if (i < ready) {
                pr[0].write(ByteBuffer.wrap(new byte[] {1}));
            }
        }
        // wait (bounded) until the kernel reports exactly the expected ready count
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        int n;
        while ((n = selectNow()) != ready) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("expected " + ready + " ready keys, got " + n);
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        selector.close();
        for (SocketChannel c : chans) {
            c.close();
        }
        listener.close();
    }

    @Benchmark
    public int selectNow() throws Exception {
        int n = selector.selectNow();
        selector.selectedKeys().clear();
        return n;
    }
}
