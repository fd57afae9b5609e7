#!/usr/bin/env bash
# Builds Edgewise (compiles the provider, ~1 min; any JDK 17+ with Maven) and runs one unchanged NIO
# program twice: over the JDK's provider, then over Edgewise via the -D flag. Each run prints which
# provider served it. Runs from the compiled classes, so no jar and no JDK 22 are needed; on JDK 22+ the
# FFM classes (META-INF/versions/22 in the jar) are added as the jar would give them.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
echo "== building Edgewise (mvn compile -pl provider -am, build log: $log)"
if ! { mvn -q -B -Dstyle.color=never -pl provider -am compile &&
       mvn -q -B -Dstyle.color=never -pl provider dependency:build-classpath \
           -Dmdep.outputFile="$PWD/provider/target/classpath.txt"; } > "$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
CP="provider/target/classes:provider/target/classes/META-INF/versions/22:$(cat provider/target/classpath.txt)"
FLAGS=(--enable-native-access=ALL-UNNAMED)

echo "== 1. the JDK's provider"
java "${FLAGS[@]}" scripts/showcase/EchoShowcase.java
echo
echo "== 2. the same program over Edgewise (-Djava.nio.channels.spi.SelectorProvider=io.edgewise.EdgewiseSelectorProvider)"
java "${FLAGS[@]}" -cp "$CP" -Djava.nio.channels.spi.SelectorProvider=io.edgewise.EdgewiseSelectorProvider \
    -Dio.edgewise.verbose=true scripts/showcase/EchoShowcase.java
echo
echo "Note: these rates come from one short run each on whatever else this machine is doing; they say"
echo "nothing about which provider is faster (reruns here moved them by tens of percent either way)."
echo "For a comparison that means something, run scripts/bench.sh (interleaved rounds, medians with their"
echo "spread, < 5 min) and see docs/performance.md."
