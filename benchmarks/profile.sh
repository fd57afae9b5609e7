#!/usr/bin/env bash
# Where the CPU of a Netty echo goes, per variant: a `perf record` of one EchoWorker JVM (server and
# client in one process, as in the echo section of scripts/bench.sh), summarised as shares of all
# samples: kernel / JIT-compiled Java / libc / JVM, the provider's own code, the native binding's
# dispatch code, and the kernel's entry layer for data calls (VFS or socket-call dispatch).
#
#   benchmarks/profile.sh [jdk|edgewise|edgewise_uring|edgewise_uring_io|epoll ...]   (default: jdk edgewise)
#
# Environment: JAVA_HOME (the JDK to run), SIZE (payload, default 64), SECONDS_ (sampled seconds,
# default 6). Needs perf (apt-get install linux-perf) and a built benchmarks module
# (mvn -q -DskipTests package -pl benchmarks -am). Samples and reports go to benchmarks/target/profile/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
size="${SIZE:-64}"
secs="${SECONDS_:-6}"
out="benchmarks/target/profile"
mkdir -p "$out"
command -v perf >/dev/null || { echo "perf is missing (apt-get install linux-perf)" >&2; exit 2; }
jar="$(ls benchmarks/target/edgewise-benchmarks-*.jar 2>/dev/null | grep -v sources | head -1 || true)"
[[ -n "$jar" ]] || { echo "benchmarks are not built" >&2; exit 2; }
variants=("$@")
(( ${#variants[@]} )) || variants=(jdk edgewise)
feature="$("$java_bin" -XshowSettings:properties -version 2>&1 | awk -F= '/java.specification.version/ {gsub(/ /,"",$2); print $2}')"

for v in "${variants[@]}"; do
  case "$v" in
    edgewise) provider=io.edgewise.EdgewiseSelectorProvider; props=() ;;
    edgewise_uring) provider=io.edgewise.EdgewiseSelectorProvider; props=(-Dio.edgewise.backend=io_uring) ;;
    edgewise_uring_io) provider=io.edgewise.EdgewiseSelectorProvider
      props=(-Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true) ;;
    jdk|epoll) provider=sun.nio.ch.EPollSelectorProvider; props=() ;;
    *) echo "unknown variant $v" >&2; exit 2 ;;
  esac
  tag="$v-jdk$feature-$size"
  "$java_bin" --enable-native-access=ALL-UNNAMED -Xms256m -Xmx1g -XX:+UseG1GC -XX:+PreserveFramePointer \
    -XX:+UnlockDiagnosticVMOptions -XX:+DumpPerfMapAtExit -Djava.nio.channels.spi.SelectorProvider="$provider" ${props[@]+"${props[@]}"} \
    -cp "$jar:benchmarks/target/lib/*" io.edgewise.bench.EchoWorker echo "$v" --sizes "$size" \
    --warmup-ms 3000 --measure-ms $(( (secs + 2) * 1000 )) --pp-warmup-ms 100 --pp-measure-ms 100 \
    > "$out/$tag.out" 2>&1 &
  pid=$!
  sleep 4 # JIT warm-up inside the 3 s warm-up window
  perf record -F 1999 -p "$pid" -o "$out/$tag.data" -- sleep "$secs" >/dev/null 2>&1
  wait "$pid"
  perf report -i "$out/$tag.data" --no-children --sort dso,sym -q 2>/dev/null > "$out/$tag.syms"
  echo "== $v on JDK $feature, ${size} B: $(grep '^RESULT echo' "$out/$tag.out" | grep -o 'msgsPerSec=[0-9.]*\|cpuUsPerMsg=[0-9.]*' | tr '\n' ' ')"
  awk -f benchmarks/profile-summary.awk "$out/$tag.syms"
done
