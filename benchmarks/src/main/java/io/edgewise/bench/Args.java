package io.edgewise.bench;

import java.util.HashMap;
import java.util.Map;

/** Tiny {@code --key value} parser for the benchmark mains. */
final class Args {
    private final Map<String, String> map = new HashMap<>();
    final java.util.List<String> positional = new java.util.ArrayList<>();

    Args(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("--")) {
                String k = args[i].substring(2);
                if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                    map.put(k, args[++i]);
                } else {
                    map.put(k, "true");
                }
            } else {
                positional.add(args[i]);
            }
        }
    }

    String str(String k, String def) {
        return map.getOrDefault(k, def);
    }

    int i(String k, int def) {
        return map.containsKey(k) ? Integer.parseInt(map.get(k)) : def;
    }

    long l(String k, long def) {
        return map.containsKey(k) ? Long.parseLong(map.get(k)) : def;
    }

    int[] ints(String k, String def) {
        String[] p = str(k, def).split(",");
        int[] r = new int[p.length];
        for (int j = 0; j < p.length; j++) {
            r[j] = Integer.parseInt(p[j].trim());
        }
        return r;
    }
}
