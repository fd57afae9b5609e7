package io.edgewise.resources;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 16 item 14: heap per idle connection (both ends, the key, one selector), Edgewise over the
 * JDK's provider, measured after GC in child JVMs with the serial collector (heap after GC over
 * thousands of connections is stable to a few bytes). Prints the figures; Edgewise must not use more
 * than the JDK (JDK 17: 1,078 vs 1,110 B, 0.97; 1,342 B, 1.21, before the lazy option map and key list,
 * the field instead of an AtomicInteger in FdHandle and inert observability traces). Figures in
 * docs/performance.md.
 */
@Timeout(300)
class HeapPerConnectionTest {
    private static final int CONNECTIONS = 3000;

    @Test
    void heapPerIdleConnectionAgainstTheJdk() throws Exception {
        long jdk = measure("jdk");
        long edgewise = measure("edgewise");
        double ratio = (double) edgewise / jdk;
        System.out.printf("heap per idle connection: jdk %d B, edgewise %d B, ratio %.2f%n", jdk, edgewise, ratio);
        assertTrue(edgewise <= jdk, "edgewise " + edgewise + " B vs jdk " + jdk + " B per connection");
    }

    private static long measure(String provider) throws Exception {
        ChildJvm.Result r = ChildJvm.run(IdleConnectionsHeap.class, 0, 240,
                List.of("-Xmx512m", "-Xms512m", "-XX:+UseSerialGC", ChildJvm.providerFlag(provider)),
                Integer.toString(CONNECTIONS));
        String v = r.value("bytesPerConnection");
        assertTrue(v != null, provider + ": " + r);
        return Long.parseLong(v);
    }
}
