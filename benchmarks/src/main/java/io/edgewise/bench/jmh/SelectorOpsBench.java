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
import java.util.concurrent.TimeUnit;

/** Selector operations other than polling: wakeup round trip, register/cancel, read that finds nothing. */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "-Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.EPollSelectorProvider"})
public class SelectorOpsBench {
    @Param({"jdk", "edgewise"})
    public String provider;

    private Selector selector;
    private ServerSocketChannel listener;
    private SocketChannel a;
    private SocketChannel b;
    private final ByteBuffer buf = ByteBuffer.allocateDirect(64);

    @Setup(Level.Trial)
    public void setup() throws Exception {
        SelectorProvider p = Providers.get(provider);
        listener = Providers.listener(p);
        selector = p.openSelector();
        SocketChannel[] pr = Providers.pair(p, listener);
        a = pr[0];
        b = pr[1];
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        selector.close();
        a.close();
        b.close();
        listener.close();
    }

    /** {@code wakeup()} then {@code select()}, which must return at once: one wakeup post + poll + drain. */
    @Benchmark
    public int wakeupRoundTrip() throws Exception {
        selector.wakeup();
        return selector.select();
    }

    /** Register a channel, cancel its key, flush the cancellation with {@code selectNow()}. */
    @Benchmark
    public int registerCancel() throws Exception {
        SelectionKey k = b.register(selector, SelectionKey.OP_READ);
        k.cancel();
        return selector.selectNow();
    }

    /** Non-blocking read on a socket with nothing to read (EAGAIN path). */
    @Benchmark
    public int readEmpty() throws Exception {
        buf.clear();
        return b.read(buf);
    }
}
