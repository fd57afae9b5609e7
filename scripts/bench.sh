#!/usr/bin/env bash
# Edgewise benchmarks: Netty NIO over the JDK's provider vs Netty NIO over Edgewise vs Netty native epoll,
# interleaved in one run, plus JMH micro-benchmarks of both providers.
#
#   scripts/bench.sh [quick|long] [--sections probe,echo,syscalls,scale,jmh] [--variants jdk,edgewise,...]
#                    [--relaunch K]   (echo section: new JVMs for every variant every K rounds; default: one set)
#
# Variants (each its own JVMs): jdk, edgewise, epoll (Netty native epoll), io_uring (Netty native io_uring),
# edgewise_uring (Edgewise with -Dio.edgewise.backend=io_uring); opt-in: edgewise_uring_io (the same plus
# -Dio.edgewise.uring.io=true, level 2, on its default DEFER_TASKRUN rings) and edgewise_uring_io_coop (level 2
# on the ordinary COOP_TASKRUN rings, -Dio.edgewise.uring.deferTaskrun=false: docs/io_uring.md). Default: all
# five but the opt-in ones. A variant
# this machine cannot run (no io_uring in the kernel) is reported as not measured, not as a failure.
#
# --sections observe (not in the default run) measures what a JFR recording costs Edgewise: three Edgewise
# echo JVMs (no recording, edgewise.jfc, default + edgewise.jfc) alternated in windows, 3x the rounds.
#
# quick (default, < 5 min on 2 cores): 7 interleaved rounds of 0.8 s windows; long: 15 rounds of 2 s, more JMH.
# Writes latest.{md,svg} (and e.g. quick-jdk17.*) under benchmarks/target/results/, prints the table; per-JVM
# logs go to benchmarks/target/bench-logs/. To publish a run, write it over the committed files on purpose:
# BENCH_OUT=benchmarks/results scripts/bench.sh long, then commit them. Exit status: 0 unless a variant
# crashed or a provider check failed (slowness never fails it; a stub Edgewise provider is reported as pending).
# The build needs JDK 22+ (the provider jar carries its FFM binding); to measure on JDK 17, build first, then
# JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 BENCH_SKIP_BUILD=1 scripts/bench.sh.
# Environment: JAVA_HOME (JDK to build and run with), BENCH_SKIP_BUILD=1 (reuse the last build), BENCH_OUT (result directory, default benchmarks/target/results),
# BENCH_NO_INSTALL=1 (never apt-get install strace).
set -euo pipefail

profile="${1:-quick}"
shift || true
case "$profile" in
  quick|long) ;;
  -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
  *) echo "usage: $0 [quick|long] [--sections a,b,...] [--variants a,b,...] [--relaunch K]" >&2; exit 2 ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

if [[ -n "${JAVA_HOME:-}" ]]; then
  java_bin="$JAVA_HOME/bin/java"
else
  java_bin="$(command -v java)"
fi

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  echo "== building (mvn -q -DskipTests -Dmaven.javadoc.skip=true package -pl benchmarks -am)"
  mvn -q -B -DskipTests -Dmaven.javadoc.skip=true package -pl benchmarks -am
fi

bench_jar="$(ls benchmarks/target/edgewise-benchmarks-*.jar 2>/dev/null | grep -v sources | head -1 || true)"
if [[ -z "$bench_jar" || ! -d benchmarks/target/lib ]]; then
  echo "benchmarks are not built (benchmarks/target/lib missing)" >&2
  exit 2
fi

# The scale section holds 10k connections per JVM: take the hard limit for the file-descriptor count.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
echo "== open-file limit: $(ulimit -n)"
if (( $(ulimit -n) < 12000 )); then
  echo "   (below 12000: the 10k-idle-connection level of the scale section may fail)"
fi

# System-call counting uses perf tracepoints, else strace; try to install strace if neither exists.
if ! command -v perf >/dev/null 2>&1 && ! command -v strace >/dev/null 2>&1; then
  if [[ "${BENCH_NO_INSTALL:-0}" != 1 && "$(id -u)" == 0 ]] && command -v apt-get >/dev/null 2>&1; then
    echo "== installing strace for the system-call section"
    (apt-get install -y -q strace >/dev/null 2>&1 || (apt-get update -q >/dev/null 2>&1 && apt-get install -y -q strace >/dev/null 2>&1)) \
      || echo "   could not install strace: the system-call section will be skipped"
  fi
fi

cp="$bench_jar:benchmarks/target/lib/*"
exec "$java_bin" --enable-native-access=ALL-UNNAMED \
  -Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.EPollSelectorProvider \
  -cp "$cp" io.edgewise.bench.Harness --profile "$profile" \
  --out "${BENCH_OUT:-benchmarks/target/results}" --logs benchmarks/target/bench-logs "$@"
