/**
 * Edgewise as a named module: on the module path, {@code SelectorProvider.provider()} finds Edgewise
 * through {@code provides} below (no property needed). Only {@code io.edgewise} is API; the channels,
 * backends and native bindings stay internal.
 *
 * <p>JNA is {@code static}: on JDK 22+ the FFM binding (in the jar's {@code META-INF/versions/22}) needs
 * no JNA; on JDK 17-21, or for the kqueue and IOCP backends, add JNA to the module path
 * ({@code --add-modules com.sun.jna} when nothing else requires it).
 */
module io.edgewise {
    requires static com.sun.jna;
    requires static java.instrument; // the agent (io.edgewise.agent), which runs from the class path
    requires jdk.net;                // extended socket options, looked up by name
    requires jdk.unsupported;        // sun.misc.Unsafe for buffer addresses before JDK 22
    requires static jdk.jfr;         // JFR events, when the runtime has JFR and the module is resolved
    requires static java.management; // the MXBeans, likewise (off where the module is not readable)

    exports io.edgewise;

    provides java.nio.channels.spi.SelectorProvider with io.edgewise.EdgewiseSelectorProvider;
}
