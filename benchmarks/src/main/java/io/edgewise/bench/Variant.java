package io.edgewise.bench;

import java.util.List;

/**
 * The three ways the same Netty echo code is run, each in its own JVM.
 * {@code JDK} and {@code EDGEWISE} use Netty's NIO transport over the named {@code SelectorProvider};
 * {@code EPOLL} uses Netty's native epoll transport (JNI), with the JDK's provider selected for
 * anything else in that JVM.
 */
public enum Variant {
    JDK("JDK", "sun.nio.ch.EPollSelectorProvider"),
    EDGEWISE("Edgewise", "io.edgewise.EdgewiseSelectorProvider"),
    EPOLL("Netty epoll", "sun.nio.ch.EPollSelectorProvider");

    /** Column title in the report. */
    public final String title;
    /** Value of {@code -Djava.nio.channels.spi.SelectorProvider} for this variant's JVMs. */
    public final String providerClass;

    Variant(String title, String providerClass) {
        this.title = title;
        this.providerClass = providerClass;
    }

    /** JVM flags that select this variant's provider. */
    public List<String> jvmFlags() {
        return List.of("-Djava.nio.channels.spi.SelectorProvider=" + providerClass);
    }

    /** Whether Netty's NIO transport (over {@link java.nio.channels.spi.SelectorProvider#provider()}) is used. */
    public boolean usesNio() {
        return this != EPOLL;
    }

    public static Variant parse(String s) {
        return valueOf(s.toUpperCase(java.util.Locale.ROOT));
    }
}
