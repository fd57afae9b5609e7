package io.edgewise.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fence around native code (issue 20): no source file outside the binding packages
 * ({@code io/edgewise/sys/...}) names JNA, not even as a string. Reads the sources (the test runs in
 * the {@code provider} module directory).
 */
@Timeout(30)
class NativeFenceTest {
    @Test
    void noJnaOutsideTheBindingPackages() throws IOException {
        Path main = Path.of("src/main/java");
        assertTrue(Files.isDirectory(main.resolve("io/edgewise/sys")), "run from the provider module");
        List<String> offenders;
        try (Stream<Path> files = Files.walk(main)) {
            offenders = files.filter(p -> p.toString().endsWith(".java"))
                    .filter(p -> !main.relativize(p).toString().replace('\\', '/').startsWith("io/edgewise/sys/"))
                    .filter(p -> read(p).contains("com.sun.jna"))
                    .map(p -> main.relativize(p).toString())
                    .collect(Collectors.toList());
        }
        assertEquals(List.of(), offenders, "files outside sys/ that name JNA");
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
