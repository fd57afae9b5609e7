#!/usr/bin/env bash
# The test command. Stages, each failing the run on any failure:
#   1. provider tests (unit, differential, stress) on JDK 17 (JNA binding) and JDK 25 (FFM binding),
#      then once more on JDK 25 with the JNA binding;
#   2. compat-tests (Netty's testsuite + real JDK programs) over Edgewise on JDK 17 and JDK 25;
#   3. backend checks that need other platforms' tools: the kqueue suite (skipped without libkqueue)
#      and the IOCP C probes under wine (skipped when wine cannot be installed);
#   4. the quick benchmark profile as a smoke test (never fails for slowness).
# Usage: scripts/test.sh                 everything
#        STAGES="provider" scripts/test.sh   some stages (provider compat backends bench)
#        JDKS="17" scripts/test.sh           one JDK
set -euo pipefail
cd "$(dirname "$0")/.."

declare -A HOMES=(
  [17]="${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
  [25]="${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
)
MVN=(mvn -B -ntp -Dstyle.color=never)
STAGES=" ${STAGES:-provider compat backends bench} "
JDKS="${JDKS:-17 25}"

for v in $JDKS; do
  [ -x "${HOMES[$v]}/bin/java" ] || { echo "JDK $v not found at ${HOMES[$v]}" >&2; exit 1; }
done

stage() { [[ "$STAGES" == *" $1 "* ]]; }

if stage provider; then
  for v in $JDKS; do
    echo "=== provider tests on JDK $v (${HOMES[$v]})"
    JAVA_HOME="${HOMES[$v]}" "${MVN[@]}" install
    if [ "$v" -ge 22 ]; then
      echo "=== provider tests on JDK $v with the JNA binding"
      JAVA_HOME="${HOMES[$v]}" "${MVN[@]}" -pl provider test -Dedgewise.binding=jna
    fi
  done
fi

if stage compat; then
  for v in $JDKS; do
    echo "=== compat-tests over Edgewise on JDK $v"
    ./scripts/compat.sh edgewise "$v"
  done
fi

if stage backends; then
  echo "=== kqueue suite"
  ./scripts/kqueue-suite.sh
  echo "=== IOCP probes"
  ./scripts/iocp-probes.sh
fi

if stage bench; then
  echo "=== benchmark quick profile (smoke test)"
  JAVA_HOME="${HOMES[25]}" ./scripts/bench.sh quick
fi
# One closing line over the last run of each module's surefire reports.
total() {
  local t=0 f=0 e=0 s=0 file line
  for file in provider/target/surefire-reports/TEST-*.xml compat-tests/target/surefire-reports/TEST-*.xml \
              benchmarks/target/surefire-reports/TEST-*.xml; do
    [ -e "$file" ] || continue
    line=$(grep -m1 -o '<testsuite [^>]*>' "$file")
    t=$((t + $(echo "$line" | sed -E 's/.* tests="([0-9]+)".*/\1/')))
    f=$((f + $(echo "$line" | sed -E 's/.* failures="([0-9]+)".*/\1/')))
    e=$((e + $(echo "$line" | sed -E 's/.* errors="([0-9]+)".*/\1/')))
    s=$((s + $(echo "$line" | sed -E 's/.* skipped="([0-9]+)".*/\1/')))
  done
  echo "tests: $((t - f - e - s)) passed, $((f + e)) failed, $s skipped"
}
echo "=== all stages passed: $STAGES"
total
