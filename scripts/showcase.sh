#!/usr/bin/env bash
# Builds Edgewise and runs one unchanged NIO program twice: over the JDK's provider, then over
# Edgewise via the -D flag. Each run prints which provider served it.
set -euo pipefail
cd "$(dirname "$0")/.."

log=$(mktemp)
echo "== building Edgewise (mvn install -pl provider, build log: $log)"
if ! { mvn -q -B -Dstyle.color=never -DskipTests -pl provider -am install &&
       mvn -q -B -Dstyle.color=never -pl provider dependency:build-classpath \
           -Dmdep.outputFile="$PWD/provider/target/classpath.txt"; } > "$log" 2>&1; then
  cat "$log" >&2
  exit 1
fi
CP="provider/target/classes:$(cat provider/target/classpath.txt)"
FLAGS=(--enable-native-access=ALL-UNNAMED)

echo "== 1. the JDK's provider"
java "${FLAGS[@]}" scripts/showcase/EchoShowcase.java
echo
echo "== 2. the same program over Edgewise (-Djava.nio.channels.spi.SelectorProvider=io.edgewise.EdgewiseSelectorProvider)"
java "${FLAGS[@]}" -cp "$CP" -Djava.nio.channels.spi.SelectorProvider=io.edgewise.EdgewiseSelectorProvider \
    scripts/showcase/EchoShowcase.java
