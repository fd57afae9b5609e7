package io.edgewise.iocp;

import static org.junit.jupiter.api.Assertions.*;

import io.edgewise.sys.windows.Win64;
import io.edgewise.sys.windows.Win64Net;
import io.edgewise.sys.windows.WindowsSocketOps;
import io.edgewise.testing.HeaderValues;
import io.edgewise.testing.WinePrefix;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every Win64 size, offset and constant the Java code uses — read from the Java classes themselves
 * ({@link Win64}'s and {@link Win64Net}'s fields, {@code WindowsSocketOps.SIO_UDP_CONNRESET}) — against what a mingw-w64 program
 * prints from the SDK headers ({@code src/test/c/layouts/win64_headers.c}, which also says where the
 * AFD values come from: wine's {@code include/wine/afd.h}), run under wine. A constant without a
 * header value fails too, so a new one cannot slip past. Skipped where mingw-w64 or wine is missing
 * ({@code scripts/iocp-probes.sh} installs both).
 */
@Timeout(300)
class Win64HeaderLayoutTest {
    /**
     * Values no header installable here declares, with their source (the printer prints them when the
     * headers have them, and then the header wins).
     */
    private static final Map<String, Long> DOCUMENTED = Map.of(
            // Microsoft ws2ipdef.h, Windows SDK 10.0.16299+ (TCP_KEEPIDLE = TCP_KEEPALIVE); not in mingw-w64 12
            "TCP_KEEPIDLE", 3L, "TCP_KEEPCNT", 16L, "TCP_KEEPINTVL", 17L);

    @Test
    void javaConstantsMatchTheWindowsHeaders() throws Exception {
        String cc = HeaderValues.tool("x86_64-w64-mingw32-gcc");
        String wine = HeaderValues.tool("/usr/lib/wine/wine64", "wine64", "wine");
        Assumptions.assumeTrue(cc != null && wine != null, "needs x86_64-w64-mingw32-gcc and wine (found: "
                + cc + ", " + wine + "); scripts/iocp-probes.sh installs them");
        Path out = HeaderValues.outDir("win64-layout");
        String exe = out.resolve("win64_headers.exe").toString();
        HeaderValues.run(List.of(cc, "-O0", "-Wall", "-o", exe,
                HeaderValues.source("win64_headers.c").toString(), "-lws2_32"), Map.of(), 120);
        Map<String, String> env = WinePrefix.environment(wine);
        Map<String, Long> header = new HashMap<>(HeaderValues.parse(HeaderValues.run(List.of(wine, exe), env, 280)));
        DOCUMENTED.forEach(header::putIfAbsent);

        Map<String, Long> java = HeaderValues.constants(Win64.class, "");
        Field f = WindowsSocketOps.class.getDeclaredField("SIO_UDP_CONNRESET");
        f.setAccessible(true);
        java.put("WindowsSocketOps.SIO_UDP_CONNRESET", (long) f.getInt(null));
        java.putAll(HeaderValues.constants(Win64Net.class, "Win64Net.")); // datagram, multicast, AF_UNIX (#20)
        Map<String, Integer> widths = new HashMap<>();
        for (Field w : Win64.class.getDeclaredFields()) {
            if (w.getType() == long.class) widths.put(w.getName(), 8);
            if (w.getType() == short.class) widths.put(w.getName(), 2);
        }
        assertTrue(java.size() > 100, "reads the Java constants: " + java.size());
        List<String> bad = HeaderValues.compare(java, header, widths);
        assertTrue(bad.isEmpty(), "Win64 constants differ from the headers:\n  " + String.join("\n  ", bad));
    }
}
