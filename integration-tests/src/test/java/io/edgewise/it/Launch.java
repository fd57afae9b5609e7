package io.edgewise.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

/** Real JVM launches on the JDK running the tests, and the jars they need, built from test classes. */
final class Launch {
    private Launch() { }

    static final Path LIB = Paths.get(System.getProperty("edgewise.it.lib", "target/it-lib"));
    static final Path CLASSES = Paths.get(System.getProperty("edgewise.it.classes", "target/test-classes"));
    static final Path WORK = Paths.get(System.getProperty("edgewise.it.work", "target/it-work"));
    static final String JAVA = Paths.get(System.getProperty("java.home"), "bin", "java").toString();
    static final int FEATURE = Runtime.version().feature();

    /** The provider jar under test (the packaged Multi-Release jar). */
    static Path providerJar() {
        return lib("edgewise-provider-");
    }

    static Path jnaJar() {
        return lib("jna-");
    }

    static Path lib(String prefix) {
        try (Stream<Path> s = Files.list(LIB)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)
                            && p.getFileName().toString().endsWith(".jar"))
                    .findFirst().orElseThrow(() -> new IllegalStateException(prefix + "*.jar not in " + LIB
                            + ": run through `mvn verify` (the dependency plugin copies the jars)"));
        } catch (IOException e) {
            throw new IllegalStateException(LIB + " missing: run through `mvn verify`", e);
        }
    }

    static Path netty(String artifact) {
        return lib(artifact + "-4");
    }

    /** A fresh directory under target/it-work. */
    static Path dir(String name) throws IOException {
        Path d = WORK.resolve(name + "-jdk" + FEATURE);
        if (Files.exists(d)) {
            try (Stream<Path> s = Files.walk(d)) {
                s.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(d);
        return d;
    }

    /** A jar of the named test classes (with their nested classes) and the given manifest attributes. */
    static Path jar(Path file, Map<String, String> manifest, Class<?>... classes) throws IOException {
        return jar(file, manifest, List.of(), classes);
    }

    /** The same, with the content of other jars merged in (a fat jar; their manifests are dropped). */
    static Path jar(Path file, Map<String, String> manifest, List<Path> merged, Class<?>... classes)
            throws IOException {
        Manifest m = new Manifest();
        m.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.forEach((k, v) -> m.getMainAttributes().putValue(k, v));
        Set<String> seen = new HashSet<>();
        try (JarOutputStream out = new JarOutputStream(new FileOutputStream(file.toFile()), m)) {
            seen.add("META-INF/MANIFEST.MF");
            for (Class<?> c : classes) {
                String pkg = c.getPackageName().replace('.', '/');
                String simple = c.getName().substring(c.getPackageName().length() + 1);
                File[] files = CLASSES.resolve(pkg).toFile().listFiles((d, n) -> n.equals(simple + ".class")
                        || n.startsWith(simple + "$"));
                for (File f : files) {
                    put(out, seen, pkg + "/" + f.getName(), Files.readAllBytes(f.toPath()));
                }
            }
            for (Path j : merged) {
                try (JarInputStream in = new JarInputStream(Files.newInputStream(j))) {
                    for (JarEntry e; (e = in.getNextJarEntry()) != null; ) {
                        if (!e.isDirectory() && !e.getName().startsWith("META-INF/MANIFEST")
                                && !e.getName().endsWith(".SF") && !e.getName().endsWith(".RSA")) {
                            put(out, seen, e.getName(), in.readAllBytes());
                        }
                    }
                }
            }
        }
        return file;
    }

    private static void put(JarOutputStream out, Set<String> seen, String name, byte[] bytes) throws IOException {
        if (seen.add(name)) {
            out.putNextEntry(new JarEntry(name));
            out.write(bytes);
            out.closeEntry();
        }
    }

    /** A finished child JVM. */
    static final class Result {
        final int exit;
        final String out;
        final String err;

        Result(int exit, String out, String err) {
            this.exit = exit;
            this.out = out;
            this.err = err;
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }

        /** Asserts a line of stdout or stderr contains the text. */
        Result has(String text) {
            assertTrue(out.contains(text) || err.contains(text), () -> "expected '" + text + "' in\n" + this);
            return this;
        }

        Result hasNot(String text) {
            assertTrue(!out.contains(text) && !err.contains(text), () -> "did not expect '" + text + "' in\n" + this);
            return this;
        }
    }

    /** Runs java with the arguments in a directory, with extra environment variables, for at most a minute. */
    static Result java(Path cwd, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(JAVA);
        cmd.add("-ea:io.edgewise..."); // Edgewise's lock preconditions are asserts: check them in every child JVM too
        cmd.addAll(Arrays.asList(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(cwd.toFile());
        pb.environment().remove("JDK_JAVA_OPTIONS");
        pb.environment().remove("JAVA_TOOL_OPTIONS");
        pb.environment().putAll(env);
        Path out = cwd.resolve("stdout.txt"), err = cwd.resolve("stderr.txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("child JVM did not finish in 60 s: " + cmd);
        }
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        try (InputStream in = Files.newInputStream(from); OutputStream o = Files.newOutputStream(to)) {
            in.transferTo(o);
        }
    }
}
