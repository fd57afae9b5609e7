#!/usr/bin/env bash
# The test command. Builds Edgewise ONCE, on a JDK 22+ (the jar carries the JDK 22 FFM binding), then
# tests that one build on each JDK. Stages (all by default, in this order):
#   build        mvn install -DskipTests on JDK 25: the Multi-Release jar, sources and javadoc jars, every module
#   provider     the provider suite against the packaged jar: JDK 17 (JNA), JDK 25 (FFM), JDK 25 with JNA forced
#   integration  real JVM launches of the jar on each JDK: -javaagent with a -jar application, JDK_JAVA_OPTIONS,
#                a Netty fat jar, a modular application, every configuration error's message
#   consumer     a Maven project depending on io.edgewise:edgewise-provider, built offline from the local repository
#   compat       compat-tests (Netty's testsuite + real JDK programs) over Edgewise on each JDK
#   backends     the kqueue suite (needs libkqueue), the IOCP C probes under wine (needs mingw + wine), and
#                the provider suite over io_uring on each JDK, and over io_uring level 2 (its io_uring tests
#                once more on ordinary rings) + compat-tests over io_uring levels 1 and 2 on the last JDK (needs
#                a kernel with io_uring enabled)
#   bench        the quick benchmark profile as a smoke test (never fails for slowness), and one short
#                round of the C floor's tools (benchmarks/native)
# Duration: about 35 min on 2 cores (provider ~2 min per run, compat ~3 min per run, bench ~5 min).
#
# Usage: scripts/test.sh                          everything
#        STAGES="build provider" scripts/test.sh  some stages (a later stage reuses the last build)
#        JDKS="17" scripts/test.sh                test on one JDK (the build still uses JDK 25 when present)
# JDKs:  JDK17_HOME (default /usr/lib/jvm/java-17-openjdk-amd64), JDK25_HOME (default
#        /usr/lib/jvm/temurin-25-jdk-amd64). Without a JDK 22+, JDKS=17 runs the provider suite from the
#        sources (mvn test) and skips the stages that need the jar.
#        EXTRA_MVN_ARGS: more Maven arguments for every build (e.g. -o, -Dmaven.repo.local=DIR).
# Results: everything this run produces stays under target/test-runs/ (per run: surefire reports,
# Maven log); no tracked file changes. The closing lines list every run and stage and sum all runs.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD

declare -A HOMES=(
  [17]="${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}"
  [25]="${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
)
read -r -a EXTRA <<< "${EXTRA_MVN_ARGS:-}"
MVN=(mvn -B -ntp -Dstyle.color=never "${EXTRA[@]}")
STAGES=" ${STAGES:-build provider integration consumer compat backends bench} "
JDKS="${JDKS:-17 25}"
RUNS="$root/target/test-runs"
rm -rf "$RUNS"
mkdir -p "$RUNS"
started=$(date +%s)

for v in $JDKS; do
  [ -x "${HOMES[$v]}/bin/java" ] || { echo "JDK $v not found at ${HOMES[$v]} (set JDK${v}_HOME)" >&2; exit 2; }
done
BUILD_HOME="${HOMES[25]}"
have_build_jdk=1
[ -x "$BUILD_HOME/bin/java" ] || have_build_jdk=0

stage() { [[ "$STAGES" == *" $1 "* ]]; }

summary=()   # one line per stage or run, printed at the end
failed=0
run_no=0

# Runs a command with its output in a log; every minute prints how long it has run and the log's last
# line, so no stage is silent for long. $1 label, $2 log file, rest the command. Returns its status.
logged() {
  local label=$1 log=$2; shift 2
  echo "    log: $log"
  "$@" > "$log" 2>&1 &
  local pid=$! t0 elapsed
  t0=$(date +%s)
  while kill -0 "$pid" 2>/dev/null; do
    for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    if kill -0 "$pid" 2>/dev/null; then
      elapsed=$(( ($(date +%s) - t0) / 60 ))
      echo "    ... $label: ${elapsed} min, $(grep -a -c 'Tests run:' "$log") test reports so far, last: $(grep -a -E 'Building |Running |Tests run:|BUILD|ERROR' "$log" | tail -1 | sed 's/^\[[A-Z]*\] //' | cut -c1-90)"
    fi
  done
  wait "$pid"
}

# Sums the <testsuite> counts of the surefire reports in a directory: "tests failures errors skipped".
counts() {
  local t=0 f=0 e=0 s=0 file line
  for file in "$1"/TEST-*.xml; do
    [ -e "$file" ] || continue
    line=$(grep -m1 -o '<testsuite [^>]*>' "$file")
    t=$((t + $(echo "$line" | sed -E 's/.* tests="([0-9]+)".*/\1/')))
    f=$((f + $(echo "$line" | sed -E 's/.* failures="([0-9]+)".*/\1/')))
    e=$((e + $(echo "$line" | sed -E 's/.* errors="([0-9]+)".*/\1/')))
    s=$((s + $(echo "$line" | sed -E 's/.* skipped="([0-9]+)".*/\1/')))
  done
  echo "$t $f $e $s"
}

# Keeps one run's surefire reports (surefire overwrites them per run) and records the run's line.
# $1 label, $2 status, $3 seconds, rest: report directories.
record() {
  local label=$1 status=$2 secs=$3; shift 3
  local dir="$RUNS/$(printf '%02d' "$run_no")-${label// /-}"
  mkdir -p "$dir/reports"
  local d
  for d in "$@"; do
    [ -d "$d" ] && cp "$d"/TEST-*.xml "$dir/reports/" 2>/dev/null
  done
  read -r t f e s <<< "$(counts "$dir/reports")"
  local verdict=passed
  if [ "$status" -ne 0 ] || [ $((f + e)) -gt 0 ]; then verdict=FAILED; failed=1; fi
  [ "$t" -eq 0 ] && [ "$verdict" = passed ] && verdict="passed (no test reports)"
  summary+=("$(printf '%-44s %s: %d passed, %d failed, %d skipped, %d s' "$label" "$verdict" \
    $((t - f - e - s)) $((f + e)) "$s" "$secs")")
  echo "    $label: $verdict ($((t - f - e - s)) passed, $((f + e)) failed, $s skipped; reports in $dir)"
}

skip() {  # $1 what, $2 reason
  echo "SKIPPED $1: $2"
  summary+=("$(printf '%-44s SKIPPED: %s' "$1" "$2")")
}

# One Maven run of tests: $1 label, $2 JDK, $3 report dir to keep, rest Maven arguments.
mvn_run() {
  local label=$1 v=$2 reports=$3; shift 3
  run_no=$((run_no + 1))
  echo "=== $label (JDK $v: ${HOMES[$v]})"
  rm -rf "$reports"
  local t0=$(date +%s) status
  JAVA_HOME="${HOMES[$v]}" logged "$label" "$RUNS/$(printf '%02d' "$run_no")-${label// /-}.log" "${MVN[@]}" "$@"
  status=$?
  record "$label" "$status" $(( $(date +%s) - t0 )) "$reports"
  if [ "$status" -ne 0 ]; then tail -40 "$RUNS/$(printf '%02d' "$run_no")-${label// /-}.log"; fi
  return 0
}

jar="$root/provider/target/edgewise-provider-$(sed -n 's:^  <version>\(.*\)</version>:\1:p' pom.xml | head -1).jar"
built=0

if stage build; then
  if [ "$have_build_jdk" = 1 ]; then
    run_no=$((run_no + 1))
    echo "=== build: mvn install -DskipTests on JDK 25 ($BUILD_HOME), once for every JDK"
    t0=$(date +%s)
    if JAVA_HOME="$BUILD_HOME" logged build "$RUNS/$(printf '%02d' "$run_no")-build.log" "${MVN[@]}" install -DskipTests; then
      built=1
      summary+=("$(printf '%-44s passed, %d s' "build (JDK 25)" $(( $(date +%s) - t0 )))")
    else
      tail -40 "$RUNS/$(printf '%02d' "$run_no")-build.log"
      summary+=("build (JDK 25)                               FAILED")
      printf '%s\n' "${summary[@]}"
      exit 1
    fi
  else
    skip "build" "no JDK 22+ at $BUILD_HOME (set JDK25_HOME); the jar cannot be made"
  fi
fi
[ -f "$jar" ] && [ "$have_build_jdk" = 1 ] && built=1

if stage provider; then
  for v in $JDKS; do
    if [ "$built" = 1 ]; then
      # surefire runs the compiled tests against the packaged jar (not target/classes): on JDK 17 the jar
      # shows its release-17 classes, on 22+ also META-INF/versions/22 (FFM)
      # allocation-uring: level 2's hot path (its own JVM with io_uring level 2 on; skipped without io_uring)
      mvn_run "provider JDK $v" "$v" provider/target/surefire-reports -o -pl provider \
        surefire:test@default-test surefire:test@allocation surefire:test@allocation-uring \
        -Dedgewise.test.classes="$jar" -Dedgewise.test.versioned="$jar"
      if [ "$v" -ge 22 ]; then
        mvn_run "provider JDK $v, JNA binding" "$v" provider/target/surefire-reports -o -pl provider \
          surefire:test@default-test surefire:test@allocation \
          -Dedgewise.test.classes="$jar" -Dedgewise.test.versioned="$jar" -Dedgewise.binding=jna
      fi
    else
      mvn_run "provider JDK $v (from sources, no jar)" "$v" provider/target/surefire-reports -pl provider test
    fi
  done
fi

if stage integration; then
  if [ "$built" = 1 ]; then
    for v in $JDKS; do
      mvn_run "integration JDK $v" "$v" integration-tests/target/surefire-reports -o -pl integration-tests verify
    done
  else
    skip "integration" "no jar (it needs the build stage on a JDK 22+)"
  fi
fi

if stage consumer; then
  if [ "$built" = 1 ]; then
    echo "=== consumer: a Maven project depending on io.edgewise:edgewise-provider, offline"
    c="$root/target/test-runs/consumer"
    rm -rf "$c"; cp -r scripts/consumer "$c"
    first=${JDKS%% *}
    clog="$RUNS/consumer.log"
    if (cd "$c" && JAVA_HOME="${HOMES[$first]}" "${MVN[@]}" -o -q compile dependency:build-classpath \
          -Dmdep.outputFile=cp.txt) > "$clog" 2>&1; then
      ok=1
      for v in $JDKS; do
        if out=$("${HOMES[$v]}/bin/java" --enable-native-access=ALL-UNNAMED -cp "$c/target/classes:$(cat "$c/cp.txt")" \
                 consumer.Main 2>&1) && [[ "$out" == *"consumer: provider io.edgewise.EdgewiseSelectorProvider"* ]]; then
          echo "    JDK $v: $out"
        else
          echo "    JDK $v FAILED: $out"; ok=0
        fi
      done
      if [ "$ok" = 1 ]; then summary+=("consumer project                             passed")
      else summary+=("consumer project                             FAILED"); failed=1; fi
    else
      cat "$clog"; summary+=("consumer project                             FAILED (build, see $clog)"); failed=1
    fi
  else
    skip "consumer" "no jar (it needs the build stage on a JDK 22+)"
  fi
fi

if stage compat; then
  if [ "$built" = 1 ]; then
    for v in $JDKS; do
      run_no=$((run_no + 1))
      echo "=== compat-tests over Edgewise on JDK $v (about 6 min)"
      t0=$(date +%s)
      # the provider module joins the reactor (-am) but is not rebuilt: the jar of the build stage is repackaged
      # the pass on the last JDK runs with a JFR recording of Edgewise's events in every test JVM: the
      # observability layer must change no behaviour
      jfr=()
      jfrdir="$RUNS/compat-jfr-JDK-$v"
      if [ "$v" = "${JDKS##* }" ]; then
        mkdir -p "$jfrdir"
        jfr=("-Dcompat.extra.argLine=-XX:StartFlightRecording=settings=default,settings=$root/provider/src/main/resources/io/edgewise/edgewise.jfc,filename=$jfrdir/compat-%p.jfr")
        echo "    with a JFR recording (edgewise.jfc) in every test JVM: $jfrdir"
      fi
      logged "compat JDK $v" "$RUNS/$(printf '%02d' "$run_no")-compat-JDK-$v.log" \
        ./scripts/compat.sh edgewise "$v" -o "${EXTRA[@]}" -Dmaven.main.skip=true -Dmaven.javadoc.skip=true "${jfr[@]}"
      status=$?
      if [ "${#jfr[@]}" -gt 0 ]; then
        events=0
        for f in "$jfrdir"/*.jfr; do
          [ -e "$f" ] || continue
          n=$("${HOMES[$v]}/bin/jfr" summary "$f" 2>/dev/null | awk '$1 ~ /^edgewise\./ {s += $2} END {print s + 0}')
          events=$((events + n))
        done
        echo "    JFR: $(ls "$jfrdir"/*.jfr 2>/dev/null | wc -l) recordings, $events edgewise.* events"
        if [ "$events" -eq 0 ]; then
          echo "    JFR recording of the compat pass has no edgewise.* event"; status=1
        fi
      fi
      grep -a -A12 -- '---- surefire totals' "$RUNS/$(printf '%02d' "$run_no")-compat-JDK-$v.log" | sed 's/^/    /'
      record "compat JDK $v" "$status" $(( $(date +%s) - t0 )) compat-tests/target/compat-results/edgewise-$v/surefire-reports
    done
  else
    skip "compat" "no jar (it needs the build stage on a JDK 22+)"
  fi
fi

# One kqueue-suite run (scripts/kqueue-suite.sh: the provider suite over kqueue, libkqueue on Linux):
# $1 label, $2 JDK, $3 socket-layer variant. A machine without a kqueue library gets a SKIPPED line.
kqueue_run() {
  local label=$1 v=$2 variant=$3 log t0 status
  run_no=$((run_no + 1))
  echo "=== $label (JDK $v: ${HOMES[$v]})"
  log="$RUNS/$(printf '%02d' "$run_no")-${label// /-}.log"
  rm -rf provider/target/surefire-reports
  t0=$(date +%s)
  JAVA_HOME="${HOMES[$v]}" VARIANTS="$variant" logged "$label" "$log" ./scripts/kqueue-suite.sh "${EXTRA[@]}"
  status=$?
  if grep -q '^SKIPPED' "$log"; then
    skip "$label" "$(grep -m1 '^SKIPPED' "$log" | sed 's/^SKIPPED: *//')"
    return 1
  fi
  record "$label" "$status" $(( $(date +%s) - t0 )) provider/target/surefire-reports
  if [ "$status" -ne 0 ]; then tail -40 "$log"; fi
  return 0
}

if stage backends; then
  # kqueue over libkqueue with Linux's socket layer on each JDK, then the code macOS and the BSDs run
  # (the POSIX socket layer with macOS's and the BSDs' choices) on the first JDK only: the layers do
  # not depend on the JDK, the binding does and is covered by the runs before
  kq=1
  for v in $JDKS; do
    kqueue_run "kqueue suite JDK $v" "$v" linux || { kq=0; break; }
  done
  if [ "$kq" = 1 ]; then
    for variant in posix-macos posix; do
      kqueue_run "kqueue suite ${variant} layer JDK ${JDKS%% *}" "${JDKS%% *}" "$variant"
    done
  fi
  run_no=$((run_no + 1))
  echo "=== IOCP probes under wine"
  ilog="$RUNS/$(printf '%02d' "$run_no")-iocp-probes.log"
  logged "IOCP probes" "$ilog" ./scripts/iocp-probes.sh
  status=$?
  if grep -q "^SKIPPED" "$ilog"; then
    skip "IOCP probes" "$(grep -m1 '^SKIPPED' "$ilog" | sed 's/^SKIPPED: *//')"
  elif [ "$status" -eq 0 ]; then
    summary+=("$(printf '%-44s passed (%s probes)' "IOCP probes" "$(grep -c '^PASSED' "$ilog")")")
    # the probes installed mingw and wine: the IOCP poller over wine's AFD driver, and the Win64 and
    # BSD layouts against real headers (these tests skip with a message where the tools are missing)
    mvn_run "IOCP over wine, layouts JDK ${JDKS%% *}" "${JDKS%% *}" provider/target/surefire-reports -pl provider test \
      -Dtest='WineAfdPollerTest,Win64HeaderLayoutTest,BsdHeaderLayoutTest' -Dsurefire.failIfNoSpecifiedTests=false
  else
    tail -20 "$ilog"; summary+=("IOCP probes                                  FAILED"); failed=1
  fi
fi

# Why the io_uring backend cannot run on this machine (empty when it can): Edgewise's own probe
# (io.edgewise.backend.uring.UringSupport) from the jar on JDK 25 when there is one, else the kernel's switch.
uring_problem() {
  if [ "$built" = 1 ]; then
    local out
    out=$("$BUILD_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp "$jar" io.edgewise.backend.uring.UringSupport 2>&1)
    [ $? -eq 0 ] || echo "${out#io_uring unavailable: }"
  elif [ "$(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo 0)" != 0 ]; then
    echo "kernel.io_uring_disabled is $(cat /proc/sys/kernel/io_uring_disabled)"
  fi
}

if stage backends; then
  # the provider suite over the io_uring backend (level 1) on each JDK, strict so that a fallback to
  # epoll cannot pass for an io_uring run; SKIPPED with the probe's reason where io_uring is unavailable
  why=$(uring_problem)
  if [ -n "$why" ]; then
    skip "io_uring suite" "$why"
  else
    for v in $JDKS; do
      if [ "$built" = 1 ]; then
        mvn_run "provider over io_uring JDK $v" "$v" provider/target/surefire-reports -o -pl provider \
          surefire:test@default-test -Dedgewise.test.classes="$jar" -Dedgewise.test.versioned="$jar" \
          -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.strict=true
      else
        mvn_run "provider over io_uring JDK $v (from sources)" "$v" provider/target/surefire-reports -pl provider test \
          -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.strict=true
      fi
    done
    # level 2 (completion I/O: stream sockets receive through the ring) on the last JDK only: its code is
    # the same on every JDK, and level 1's JDK 17 run above already takes the ring through JNA
    if [ "$built" = 1 ]; then
      v="${JDKS##* }"
      mvn_run "provider over io_uring level 2 JDK $v" "$v" provider/target/surefire-reports -o -pl provider \
        surefire:test@default-test -Dedgewise.test.classes="$jar" -Dedgewise.test.versioned="$jar" \
        -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.strict=true -Dio.edgewise.uring.io=true
      # level 2's rings are DEFER_TASKRUN ones by default; its io_uring tests once more on the ordinary rings
      # (-Dio.edgewise.uring.deferTaskrun=false, and kernels before 6.1), which a takeover also leads to
      mvn_run "io_uring level 2 tests on ordinary rings JDK $v" "$v" provider/target/surefire-reports -o -pl provider \
        surefire:test@default-test -Dedgewise.test.classes="$jar" -Dedgewise.test.versioned="$jar" \
        '-Dtest=io/edgewise/uring/**/*Test,io/edgewise/backend/uring/**/*Test' -Dsurefire.failIfNoSpecifiedTests=false \
        -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.strict=true -Dio.edgewise.uring.io=true \
        -Dio.edgewise.uring.deferTaskrun=false
    fi
    # Netty's testsuite and the JDK programs over io_uring levels 1 and 2 once each, on the last JDK (FFM):
    # the ring code is the same on every JDK, and the provider suite above already runs it through JNA on 17
    if [ "$built" = 1 ]; then
      v="${JDKS##* }"
      for mode in edgewise-uring edgewise-uring-io; do
        label="io_uring"; [ "$mode" = edgewise-uring-io ] && label="io_uring level 2"
        run_no=$((run_no + 1))
        echo "=== compat-tests over Edgewise's $label backend on JDK $v (about 5 min)"
        t0=$(date +%s)
        clog="$RUNS/$(printf '%02d' "$run_no")-compat-$mode-JDK-$v.log"
        logged "compat $label JDK $v" "$clog" \
          ./scripts/compat.sh "$mode" "$v" -o "${EXTRA[@]}" -Dmaven.main.skip=true -Dmaven.javadoc.skip=true
        status=$?
        grep -a -A12 -- '---- surefire totals' "$clog" | sed 's/^/    /'
        record "compat over $label JDK $v" "$status" $(( $(date +%s) - t0 )) \
          compat-tests/target/compat-results/$mode-$v/surefire-reports
      done
    fi
  fi
fi

# The C floor's tools (benchmarks/native, docs/io_uring-floor.md) run one short round each, so they do not rot:
# uring-floor.sh with a ring at both ends, and java-vs-floor.sh (Java variants and C pairs). Smoke tests only.
c_floor_smoke() {
  if ! command -v cc >/dev/null 2>&1 || ! echo '#include <linux/io_uring.h>' | cc -E - >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      apt-get install -y -q gcc linux-libc-dev >/dev/null 2>&1 \
        || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q gcc linux-libc-dev >/dev/null 2>&1) || true
    fi
  fi
  if ! command -v cc >/dev/null 2>&1 || ! echo '#include <linux/io_uring.h>' | cc -E - >/dev/null 2>&1; then
    skip "C floor smoke" "no C compiler or <linux/io_uring.h> (apt-get install -y gcc linux-libc-dev)"
    return
  fi
  if [ "$(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo 0)" != 0 ]; then
    skip "C floor smoke" "io_uring is disabled on this kernel (kernel.io_uring_disabled)"
    return
  fi
  run_no=$((run_no + 1))
  echo "=== C floor smoke (benchmarks/native: uring-floor.sh, java-vs-floor.sh; one short round each)"
  local flog="$RUNS/$(printf '%02d' "$run_no")-c-floor.log"
  if logged "C floor" "$flog" env ROUNDS=1 WARM_MS=100 MEASURE_MS=200 STRACE=0 SCENARIOS="echo64 pingpong" \
        PAIRS="epoll/epoll uring/uring-defer" benchmarks/native/uring-floor.sh \
      && JAVA_HOME="$BUILD_HOME" ROUNDS=1 WARM_MS=300 MEASURE_MS=300 logged "java vs floor" "$flog.java" \
        benchmarks/native/java-vs-floor.sh; then
    summary+=("C floor smoke                                passed (smoke test)")
  else
    tail -20 "$flog" "$flog.java" 2>/dev/null; summary+=("C floor smoke                                FAILED"); failed=1
  fi
}

if stage bench; then
  if [ "$built" = 1 ] && [ "$have_build_jdk" = 1 ]; then
    # the harness's own parsing and report tests (the run below only smoke-tests them)
    mvn_run "benchmark harness tests JDK 25" 25 benchmarks/target/surefire-reports -o -pl benchmarks test
    run_no=$((run_no + 1))
    echo "=== benchmark quick profile (smoke test; results in benchmarks/target/results, not committed)"
    blog="$RUNS/$(printf '%02d' "$run_no")-bench.log"
    # every variant, io_uring level 2 included (its rows are checked against issue #21's targets)
    if JAVA_HOME="$BUILD_HOME" BENCH_SKIP_BUILD=1 logged bench "$blog" ./scripts/bench.sh quick \
        --variants jdk,edgewise,epoll,io_uring,edgewise_uring,edgewise_uring_io; then
      summary+=("bench quick (JDK 25)                         passed (smoke test, figures in benchmarks/target/results)")
      grep -E '^\| (Echo 64 B throughput \(|Echo 16 KiB throughput \(|Ping-pong round trips|Ping-pong p99 |Syscalls per)' \
        benchmarks/target/results/latest.md | cut -c1-400 || true
    else
      tail -30 "$blog"; summary+=("bench quick (JDK 25)                         FAILED"); failed=1
    fi
    c_floor_smoke
  else
    skip "bench" "no JDK 22+ build"
  fi
fi

# The closing lines: every stage and run, then the sum over every run's own reports.
echo
echo "=== summary ($(( ($(date +%s) - started) / 60 )) min; runs in $RUNS)"
printf '  %s\n' "${summary[@]}"
t=0; f=0; e=0; s=0
for d in "$RUNS"/*/reports; do
  [ -d "$d" ] || continue
  read -r a b c x <<< "$(counts "$d")"
  t=$((t + a)); f=$((f + b)); e=$((e + c)); s=$((s + x))
done
result=$([ "$failed" = 0 ] && echo "all stages passed" || echo "FAILED")
echo "$result; tests summed over all $(ls -d "$RUNS"/*/reports 2>/dev/null | wc -l) runs:"
echo "tests: $((t - f - e - s)) passed, $((f + e)) failed, $s skipped"
exit "$failed"
