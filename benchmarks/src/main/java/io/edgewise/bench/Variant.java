package io.edgewise.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * The ways the same Netty echo code is run, each in its own JVM.
 * {@code JDK}, {@code EDGEWISE} and {@code EDGEWISE_URING} use Netty's NIO transport over the named
 * {@code SelectorProvider} (the last with Edgewise's io_uring backend; a JVM whose backend fell back to epoll
 * reports the variant unavailable instead of being measured under its name); {@code EPOLL} and
 * {@code IO_URING} use Netty's native transports (JNI), with the JDK's provider selected for anything else in
 * that JVM.
 */
public enum Variant {
    JDK("JDK", "J", "sun.nio.ch.EPollSelectorProvider", Kind.NIO),
    EDGEWISE("Edgewise", "E", "io.edgewise.EdgewiseSelectorProvider", Kind.NIO),
    EPOLL("Netty epoll", "ep", "sun.nio.ch.EPollSelectorProvider", Kind.NETTY_EPOLL),
    IO_URING("Netty io_uring", "iu", "sun.nio.ch.EPollSelectorProvider", Kind.NETTY_IO_URING),
    EDGEWISE_URING("Edgewise io_uring", "Eu", "io.edgewise.EdgewiseSelectorProvider", Kind.NIO,
            "-Dio.edgewise.backend=io_uring"),
    /** io_uring level 2 (completion I/O); measured only when named in {@code --variants}. */
    EDGEWISE_URING_IO("Edgewise io_uring L2", "Eu2", "io.edgewise.EdgewiseSelectorProvider", Kind.NIO,
            "-Dio.edgewise.backend=io_uring", "-Dio.edgewise.uring.io=true"),
    /**
     * Level 2 on the ordinary rings ({@code -Dio.edgewise.uring.deferTaskrun=false}: COOP_TASKRUN, not level 2's
     * default DEFER_TASKRUN rings; docs/io_uring.md, "DEFER_TASKRUN"); measured only when named in {@code --variants}.
     */
    EDGEWISE_URING_IO_COOP("Edgewise io_uring L2 coop", "Eu2c", "io.edgewise.EdgewiseSelectorProvider", Kind.NIO,
            "-Dio.edgewise.backend=io_uring", "-Dio.edgewise.uring.io=true", "-Dio.edgewise.uring.deferTaskrun=false");

    /** Which Netty transport a variant's JVMs use. */
    enum Kind { NIO, NETTY_EPOLL, NETTY_IO_URING }

    /** Column title in the report. */
    public final String title;
    /** Short name in ratio columns and spreads. */
    public final String code;
    /** Value of {@code -Djava.nio.channels.spi.SelectorProvider} for this variant's JVMs. */
    public final String providerClass;
    final Kind kind;
    private final List<String> extraFlags;

    Variant(String title, String code, String providerClass, Kind kind, String... extraFlags) {
        this.title = title;
        this.code = code;
        this.providerClass = providerClass;
        this.kind = kind;
        this.extraFlags = List.of(extraFlags);
    }

    /** JVM flags that select this variant's provider (and backend). */
    public List<String> jvmFlags() {
        List<String> l = new ArrayList<>();
        l.add("-Djava.nio.channels.spi.SelectorProvider=" + providerClass);
        l.addAll(extraFlags);
        return l;
    }

    /** The variants a run measures when {@code --variants} names none: all but the opt-in level-2 ones. */
    public static Variant[] defaults() {
        return java.util.Arrays.stream(values()).filter(v -> v != EDGEWISE_URING_IO && v != EDGEWISE_URING_IO_COOP)
                .toArray(Variant[]::new);
    }

    /** Whether this variant asks for Edgewise's io_uring backend (a fallback to epoll makes it unavailable). */
    public boolean wantsUring() {
        return extraFlags.contains("-Dio.edgewise.backend=io_uring");
    }

    /** Whether Netty's NIO transport (over {@link java.nio.channels.spi.SelectorProvider#provider()}) is used. */
    public boolean usesNio() {
        return kind == Kind.NIO;
    }

    /** Whether this variant runs Edgewise. */
    public boolean isEdgewise() {
        return providerClass.startsWith("io.edgewise.");
    }

    /** The TRANSPORT line a healthy worker of this variant prints. */
    String transportLine() {
        switch (kind) {
            case NETTY_EPOLL: return "TRANSPORT netty-epoll available=true";
            case NETTY_IO_URING: return "TRANSPORT netty-io_uring available=true";
            default: return "TRANSPORT netty-nio";
        }
    }

    public static Variant parse(String s) {
        return valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }
}
