#!/usr/bin/env bash
# The test command: the provider's unit, differential and stress tests on JDK 17 (JNA binding) and
# on JDK 25 (FFM binding), then the provider's tests once more on JDK 25 with the JNA binding.
# Usage: scripts/test.sh            (everything)
#        JDKS="17" scripts/test.sh  (one JDK)
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A HOMES=(
  [17]="${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
  [25]="${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
)
MVN=(mvn -B -Dstyle.color=never)

for v in ${JDKS:-17 25}; do
  home="${HOMES[$v]}"
  if [ ! -x "$home/bin/java" ]; then
    echo "JDK $v not found at $home" >&2
    exit 1
  fi
  echo "=== tests on JDK $v ($home)"
  JAVA_HOME="$home" "${MVN[@]}" verify
  if [ "$v" -ge 22 ]; then
    echo "=== provider tests on JDK $v with the JNA binding"
    JAVA_HOME="$home" "${MVN[@]}" -pl provider test -Dedgewise.binding=jna
  fi
done
