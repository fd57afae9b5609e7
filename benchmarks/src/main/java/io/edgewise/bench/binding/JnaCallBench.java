package io.edgewise.bench.binding;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import java.util.concurrent.TimeUnit;

/**
 * What one JNA direct-mapped call costs by itself, as a function of its argument count: libc functions
 * that do no work (no system call), bound the way Edgewise binds its hot calls (static natives, every
 * pointer a {@code long}). This is the toll the JDK 17 binding pays on every system call; the JDK's own
 * JNI stubs cost a few ns. A non-blocking {@code recv} on an empty Unix socket, with {@code errno} read
 * through {@link Native#getLastError()}, shows it next to a real call. {@code sin(0.0)} from libm over JNA
 * against {@link StrictMath#sin}, which is a JNI call into the same kind of C code on JDK 17 (pure Java
 * from JDK 21 on), prices JNA against JNI for one and the same call. Linux only. Not part of
 * {@code scripts/bench.sh} (it compares no providers); run it with {@code org.openjdk.jmh.Main JnaCallBench}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class JnaCallBench {
    static {
        Native.register(JnaCallBench.class, NativeLibrary.getInstance("c"));
    }

    static native long labs(long x);
    static native long memchr(long s, int c, long n);
    static native long memccpy(long dst, long src, int c, long n);
    static native long recv(int fd, long buf, long len, int flags);
    static native int socketpair(int domain, int type, int protocol, long sv);
    static native int close(int fd);

    /** libm, bound the same way. */
    static final class LibM {
        static {
            Native.register(LibM.class, NativeLibrary.getInstance("m"));
        }

        static native double sin(double x);
    }

    private static final int AF_UNIX = 1;
    private static final int SOCK_STREAM_NONBLOCK = 1 | 04000;

    private double zero = 0.0;
    private Memory scratch;
    private long buf;
    private int fd;
    private int peer;

    @Setup(Level.Trial)
    public void setup() {
        scratch = new Memory(64);
        buf = Pointer.nativeValue(scratch);
        if (socketpair(AF_UNIX, SOCK_STREAM_NONBLOCK, 0, buf) != 0) {
            throw new IllegalStateException("socketpair: errno " + Native.getLastError());
        }
        fd = scratch.getInt(0);
        peer = scratch.getInt(4);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        close(fd);
        close(peer);
    }

    /** {@code sin(0.0)} through JNI on JDK 17 ({@code StrictMath} is pure Java from JDK 21 on). */
    @Benchmark
    public double sinJdk() {
        return StrictMath.sin(zero);
    }

    /** {@code sin(0.0)} through JNA. */
    @Benchmark
    public double sinJna() {
        return LibM.sin(zero);
    }

    /** One argument, no work. */
    @Benchmark
    public long args1() {
        return labs(-5);
    }

    /** Three arguments, no work (length 0). */
    @Benchmark
    public long args3() {
        return memchr(buf, 1, 0);
    }

    /** Four arguments, no work (length 0). */
    @Benchmark
    public long args4() {
        return memccpy(buf, buf, 1, 0);
    }

    /** Four arguments and a system call that fails with EAGAIN, then errno: Edgewise's empty read. */
    @Benchmark
    public long recvEagain() {
        long n = recv(fd, buf, 64, 0);
        return n < 0 ? Native.getLastError() : n;
    }
}
