#!/usr/bin/env bash
# Virtual-thread echo (benchmarks/.../VirtualThreadEcho: blocking channels on virtual threads, one message in
# flight per connection, so nearly every read parks) for the JDK's provider and Edgewise's variants, one JVM
# per run, variants interleaved round by round. Prints each run, then per variant the median round trips/s and
# the median (min–max) of its per-round ratio to the JDK's run of the same round.
#
#   benchmarks/vthread-echo.sh [variant ...]   (default: jdk edgewise edgewise_uring)
#
# Variants: jdk; edgewise (epoll); edgewise_uring (-Dio.edgewise.backend=io_uring); edgewise_platform and
# edgewise_uring_platform (the same with -Dio.edgewise.virtualThreadPollers=platform: every wake-up by the
# platform poller threads, as before 2026-12-06's virtual-thread pollers). Environment: JAVA_HOME (JDK 21+), ROUNDS (default 5), PAIRS (default "100 10"), WINDOW_MS
# (default 2000). Needs a built benchmarks module (mvn -q -DskipTests package -pl benchmarks -am).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java"
rounds="${ROUNDS:-5}"
window="${WINDOW_MS:-2000}"
jar="$(ls benchmarks/target/edgewise-benchmarks-*.jar 2>/dev/null | grep -v sources | head -1 || true)"
[[ -n "$jar" ]] || { echo "benchmarks are not built" >&2; exit 2; }
variants=("$@")
(( ${#variants[@]} )) || variants=(jdk edgewise edgewise_uring)

flags() {
  local ew=(-Djava.nio.channels.spi.SelectorProvider=io.edgewise.EdgewiseSelectorProvider)
  case "$1" in
    jdk) ;;
    edgewise) echo "${ew[@]}" ;;
    edgewise_uring) echo "${ew[@]} -Dio.edgewise.backend=io_uring" ;;
    edgewise_platform) echo "${ew[@]} -Dio.edgewise.virtualThreadPollers=platform" ;;
    edgewise_uring_platform) echo "${ew[@]} -Dio.edgewise.backend=io_uring -Dio.edgewise.virtualThreadPollers=platform" ;;
    *) echo "unknown variant $1" >&2; exit 2 ;;
  esac
}

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
for pairs in ${PAIRS:-100 10}; do
  for r in $(seq 1 "$rounds"); do
    for v in "${variants[@]}"; do
      # shellcheck disable=SC2046
      line="$("$java_bin" --enable-native-access=ALL-UNNAMED $(flags "$v") -cp "$jar:benchmarks/target/lib/*" \
        io.edgewise.bench.VirtualThreadEcho pairs="$pairs" warmupMs=1000 windowMs="$window" rounds=2 2>&1 | tail -1)"
      rt="$(awk '{print $3}' <<<"$line")"
      cpu="$(awk '{print $6}' <<<"$line")"
      echo "$pairs $r $v $rt $cpu $(cut -d' ' -f1 /proc/loadavg)" | tee -a "$results"
    done
  done
done

echo "== pairs variant: median round trips/s, median (min-max) per-round ratio to jdk"
awk '
  { rt[$1" "$2" "$3] = $4; seen[$1" "$3] = 1; pairs[$1] = 1; vars[$3] = 1 }
  function median(a, n,   i, j, t) {
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  END {
    for (p in pairs) for (v in vars) {
      if (!((p" "v) in seen)) continue
      n = 0; m = 0; lo = ""; hi = ""
      for (k in rt) { split(k, f, " "); if (f[1] == p && f[3] == v) { x[++n] = rt[k]
        j = p" "f[2]" jdk"; if (v != "jdk" && (j in rt) && rt[j] > 0) { q = rt[k] / rt[j]; y[++m] = q
          if (lo == "" || q < lo) lo = q; if (hi == "" || q > hi) hi = q } } }
      line = sprintf("%s %s: %.0f", p, v, median(x, n))
      if (m > 0) line = line sprintf(", %.2fx (%.2f-%.2f)", median(y, m), lo, hi)
      print line
      delete x; delete y
    }
  }' "$results" | sort -k1,1nr -k2,2
