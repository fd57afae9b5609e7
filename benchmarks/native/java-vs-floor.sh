#!/usr/bin/env bash
# The Java echo next to its C floor, in one interleaved run (issue #21's 64 B targets; docs/io_uring-floor.md,
# "The Java bench against the floor"). Each round runs, in an order rotating from round to round:
#   - one fresh EchoWorker JVM per Java variant (Netty echo, server and client in one JVM, as in
#     scripts/bench.sh's echo section): jdk, epoll (Netty's native epoll) and edgewise_uring_io (level 2);
#   - the C floor (uring-echo-floor.c) with epoll on both ends, and with level 2's ring shape and copies on
#     both ends (server: uring -d -a, DEFER_TASKRUN rings and level 2's two copies; client: -C uring), the
#     same connections, window and size.
# Prints, per variant, the medians over rounds of msgs/s, CPU per message (whole process) and its kernel and
# user-space parts; then, per round (median and range): Eu2/J and Netty epoll/J (throughput), the C ring pair's
# CPU over the C epoll pair's, level 2's kernel time above the C ring pair's, and the user time TARGET x the
# JDK leaves: J/TARGET minus the C ring pair's kernel time, the most Netty, the JVM and the provider together
# may cost in user space for level 2 to run TARGET x the JDK's throughput (the runs are CPU-bound on 2 cores),
# next to level 2's and Netty epoll's user time.
#
#   JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 benchmarks/native/java-vs-floor.sh
#   ROUNDS=9 SIZE=64 WARM_MS=3000 MEASURE_MS=3000 TARGET=1.15 benchmarks/native/java-vs-floor.sh
#
# Needs the benchmarks built (mvn -q -DskipTests package -pl benchmarks -am), a C compiler and
# <linux/io_uring.h> (see uring-floor.sh). Per-run lines go to $TMPDIR/edgewise-native-bench/java-vs-floor.txt.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${TMPDIR:-/tmp}/edgewise-native-bench"
mkdir -p "$out"
rounds="${ROUNDS:-9}" size="${SIZE:-64}" warm="${WARM_MS:-3000}" measure="${MEASURE_MS:-3000}" target="${TARGET:-1.15}"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jar="$(ls "$root"/benchmarks/target/edgewise-benchmarks-*.jar 2>/dev/null | grep -v sources | head -1 || true)"
[[ -n "$jar" && -d "$root/benchmarks/target/lib" ]] || { echo "benchmarks are not built" >&2; exit 2; }
cc="${CC:-cc}"
command -v "$cc" >/dev/null || { echo "no C compiler ($cc); apt-get install -y gcc" >&2; exit 2; }
bin="$out/uring-echo-floor"
"$cc" -O2 -Wall -Werror -o "$bin" "$here/uring-echo-floor.c" -lpthread

java_run() { # variant -> "msgs cpu kshare"
  local flags=(-Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.EPollSelectorProvider)
  [[ "$1" == edgewise_uring_io ]] && flags=(-Djava.nio.channels.spi.SelectorProvider=io.edgewise.EdgewiseSelectorProvider
    -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.io=true)
  local log
  log="$("$java_bin" --enable-native-access=ALL-UNNAMED -Xms256m -Xmx1g -XX:+UseG1GC "${flags[@]}" \
    -cp "$jar:$root/benchmarks/target/lib/*" io.edgewise.bench.EchoWorker echo "$1" --sizes "$size" \
    --warmup-ms "$warm" --measure-ms "$measure" --pp-warmup-ms 50 --pp-measure-ms 50)" || return 1
  # a level-2 JVM that fell back to epoll would be measured under the wrong name
  if [[ "$1" == edgewise_uring_io ]] && ! grep -q '^BACKEND io_uring' <<<"$log"; then
    echo "level 2 did not run on io_uring: $(grep -m1 '^BACKEND' <<<"$log")" >&2
    return 1
  fi
  awk '/^RESULT echo/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                        print v["msgsPerSec"], v["cpuUsPerMsg"], v["kernelShare"] }' <<<"$log"
}
c_run() { # "client/server" -> "msgs cpu kshare"
  local args=(epoll)
  [[ "$1" == uring/uring ]] && args=(uring -d -a -C uring)
  "$bin" "${args[@]}" -c 8 -w 16 -m "$size" -W 500 -M 1500 \
    | awk '/^RESULT/ { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
                       print v["msgs_per_s"], v["proc_cpu_us"], 1 - v["proc_user_us"] / v["proc_cpu_us"] }'
}

names=(jdk epoll edgewise_uring_io c:epoll/epoll c:uring/uring)
results="$out/java-vs-floor.txt"
: >"$results"
echo "== $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs, $("$java_bin" -version 2>&1 | head -1); $rounds rounds, ${size} B, 8 conns x 16"
for ((r = 0; r < rounds; r++)); do
  echo "-- round $((r + 1)): $(uptime | sed 's/.*load/load/')"
  for ((k = 0; k < ${#names[@]}; k++)); do
    name="${names[$(((k + r) % ${#names[@]}))]}"
    if [[ "$name" == c:* ]]; then line="$(c_run "${name#c:}")" || line=""; else line="$(java_run "$name")" || line=""; fi
    [[ -n "$line" ]] || { echo "run failed: $name" >&2; exit 1; }
    echo "R $r $name $line" >>"$results"
  done
done

awk -v target="$target" '
function median(a, n,   i, j, t) {
  for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function med(key,   n, i, a) { n = cnt[key]; for (i = 1; i <= n; i++) a[i] = val[key, i]; return median(a, n) }
function add(key, x) { val[key, ++cnt[key]] = x }
$1 == "R" { m[$2, $3] = $4; c[$2, $3] = $5; k[$2, $3] = $6; if ($2 + 1 > rounds) rounds = $2 + 1 }
END {
  split("jdk epoll edgewise_uring_io c:epoll/epoll c:uring/uring", names, " ")
  for (r = 0; r < rounds; r++) {
    for (i = 1; i <= 5; i++) {
      n = names[i]; add(n "m", m[r, n]); add(n "c", c[r, n]); add(n "u", c[r, n] * (1 - k[r, n])); add(n "k", c[r, n] * k[r, n])
    }
    J = "jdk"; E = "edgewise_uring_io"; Ce = "c:epoll/epoll"; Cr = "c:uring/uring"
    add("eu2/j", m[r, E] / m[r, J]); add("ep/j", m[r, "epoll"] / m[r, J]); add("cr/ce", c[r, Cr] / c[r, Ce])
    add("eu2k-crk", c[r, E] * k[r, E] - c[r, Cr] * k[r, Cr]); add("epu", c[r, "epoll"] * (1 - k[r, "epoll"]))
    add("eu2u", c[r, E] * (1 - k[r, E])); add("allow", c[r, J] / target - c[r, Cr] * k[r, Cr])
  }
  printf "\n%-22s %12s %12s %14s %14s\n", "variant", "msgs/s", "CPU us/msg", "kernel us/msg", "user us/msg"
  for (i = 1; i <= 5; i++) {
    n = names[i]
    printf "%-22s %12.0f %12.3f %14.3f %14.3f\n", n, med(n "m"), med(n "c"), med(n "k"), med(n "u")
  }
  printf "\nper round, median (min-max) over %d rounds:\n", rounds
  split("eu2/j ep/j cr/ce eu2k-crk allow eu2u epu", keys, " ")
  split("Eu2/J msgs/s|Netty epoll/J msgs/s|C ring pair / C epoll pair, CPU per msg|Eu2 kernel time above the C ring pair, us/msg|user time " target "x leaves: J/" target " - C ring pair kernel, us/msg|Eu2 user time (Netty, JVM, provider), us/msg|Netty epoll user time (Netty, JVM, JNI), us/msg", titles, "|")
  for (i = 1; i <= 7; i++) {
    key = keys[i]; n = cnt[key]; lo = hi = val[key, 1]
    for (j = 2; j <= n; j++) { if (val[key, j] < lo) lo = val[key, j]; if (val[key, j] > hi) hi = val[key, j] }
    printf "  %-58s %7.3f (%.3f to %.3f)\n", titles[i], med(key), lo, hi
  }
}' "$results"
echo "(per-run lines: $results)"
