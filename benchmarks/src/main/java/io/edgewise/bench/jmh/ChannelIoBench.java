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
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.SelectorProvider;
import java.util.concurrent.TimeUnit;

/**
 * Non-blocking write of {@code size} bytes on one end of a loopback pair followed by the non-blocking reads
 * that take them out at the other end, with heap or direct buffers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
        "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED",
        "-Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.EPollSelectorProvider"})
public class ChannelIoBench {
    @Param({"jdk", "edgewise"})
    public String provider;

    @Param({"64", "16384"})
    public int size;

    @Param({"heap", "direct"})
    public String buffer;

    private ServerSocketChannel listener;
    private SocketChannel a;
    private SocketChannel b;
    private ByteBuffer out;
    private ByteBuffer in;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        SelectorProvider p = Providers.get(provider);
        listener = Providers.listener(p);
        SocketChannel[] pr = Providers.pair(p, listener);
        a = pr[0];
        b = pr[1];
        boolean direct = buffer.equals("direct");
        out = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
        in = direct ? ByteBuffer.allocateDirect(size) : ByteBuffer.allocate(size);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        a.close();
        b.close();
        listener.close();
    }

    @Benchmark
    public int writeThenRead() throws Exception {
        out.clear();
        while (out.hasRemaining()) {
            if (a.write(out) < 0) {
                throw new IllegalStateException();
            }
        }
        in.clear();
        int spins = 0;
        while (in.hasRemaining()) {
            if (b.read(in) < 0) {
                throw new IllegalStateException("peer closed");
            }
            if (++spins > 10_000_000) {
                throw new IllegalStateException("data never arrived");
            }
        }
        return in.position();
    }
}
