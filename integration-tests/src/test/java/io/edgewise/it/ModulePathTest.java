package io.edgewise.it;

import static io.edgewise.it.Launch.FEATURE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A modular application on the module path: the JDK finds Edgewise through module io.edgewise's
 * {@code provides} (no property), and Edgewise's internals are not accessible to it.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ModulePathTest {
    static final String MODULE_INFO = "module it.modapp { }\n";
    static final String MAIN = String.join("\n",
            "package it.modapp;",
            "import java.nio.channels.Selector;",
            "import java.nio.channels.spi.SelectorProvider;",
            "public class Main {",
            "  public static void main(String[] a) throws Exception {",
            "    try (Selector s = Selector.open()) {",
            "      SelectorProvider p = SelectorProvider.provider();",
            "      System.out.println(\"provider: \" + p.getClass().getName() + \" in module \" + p.getClass().getModule().getName());",
            "      System.out.println(\"selector: \" + s.getClass().getName());",
            "    }",
            "    try {",
            "      Class.forName(\"io.edgewise.sys.Platform\").getMethod(\"ops\").invoke(null);",
            "      System.out.println(\"internal: accessible\");",
            "    } catch (IllegalAccessException e) {",
            "      System.out.println(\"internal: not accessible\");",
            "    }",
            "  }",
            "}", "");

    @Test
    void modularApplicationPicksEdgewiseUp() throws Exception {
        Path d = Launch.dir("modular");
        Path src = d.resolve("src/it.modapp");
        Files.createDirectories(src.resolve("it/modapp"));
        Files.writeString(src.resolve("module-info.java"), MODULE_INFO);
        Files.writeString(src.resolve("it/modapp/Main.java"), MAIN);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        int rc = javac.run(null, null, null, "--release", "17", "-d", d.resolve("mods/it.modapp").toString(),
                src.resolve("module-info.java").toString(), src.resolve("it/modapp/Main.java").toString());
        assertEquals(0, rc, "javac of the modular application");
        Launch.copy(Launch.providerJar(), d.resolve("mods/edgewise-provider.jar"));
        Launch.copy(Launch.jnaJar(), d.resolve("mods").resolve(Launch.jnaJar().getFileName()));

        List<String> args = new ArrayList<>(List.of("-Dio.edgewise.verbose=true", "--module-path", "mods"));
        if (FEATURE < 22) {
            // JNA is a static requirement of io.edgewise: before JDK 22 it must be resolved explicitly
            args.addAll(List.of("--add-modules", "com.sun.jna", "--enable-native-access=io.edgewise,com.sun.jna"));
        } else {
            args.add("--enable-native-access=io.edgewise");
        }
        args.addAll(List.of("-m", "it.modapp/it.modapp.Main"));
        Launch.Result r = Launch.java(d, Map.of(), args.toArray(new String[0]));
        assertEquals(0, r.exit, r::toString);
        r.has("provider: io.edgewise.EdgewiseSelectorProvider in module io.edgewise")
                .has("selector: io.edgewise.EdgewiseSelector")
                .has("backend epoll, binding " + (FEATURE >= 22 ? "ffm" : "jna"))
                .has("internal: not accessible")
                .hasNot("WARNING");
    }
}
