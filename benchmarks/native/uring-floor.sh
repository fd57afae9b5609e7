#!/usr/bin/env bash
# The C floor for io_uring level 2 (issue #21; docs/io_uring-floor.md): builds uring-echo-floor.c and runs
# the bench's three scenarios (echo 64 B and 16 KiB, 8 connections x 16 pipelined; ping-pong, 4 x 1 of
# 64 B) against each server, interleaved: every round runs every scenario once per server, the servers'
# order rotating from round to round. Prints per scenario and server the median and min-max over the
# rounds, and the per-round ratio of each server to the epoll server (median, min-max); then, unless
# STRACE=0, one `strace -c -f` run per scenario and server (system calls of the whole process, client
# included, per echoed message: the client is the same for every server).
#
#   benchmarks/native/uring-floor.sh              # 5 rounds, servers: epoll, uring (level 2's shape)
#   ROUNDS=7 MEASURE_MS=2000 benchmarks/native/uring-floor.sh
#   SERVERS="epoll uring uring-big uring-nocopy uring-defer" benchmarks/native/uring-floor.sh
#   SCENARIOS=pingpong SCHED=1 STRACE=0 benchmarks/native/uring-floor.sh   # + where ping-pong wake-ups land
#   SCENARIOS=pingpong STRACE=0 ROUNDS=7 PAIRS="epoll/epoll uring/uring epoll/uring uring/epoll" \
#     benchmarks/native/uring-floor.sh                                     # client/server pairs
#
# PAIRS (instead of SERVERS) runs client/server pairs, each "CLIENT/SERVER" with CLIENT epoll (the default
# client) or uring (-C uring: level 2's ring work on the client's end too, as in the Java bench where Netty's
# client runs on Edgewise) and SERVER one of the servers below; ratios are then to epoll/epoll, and "CPU us/msg"
# counts both threads (the whole process) per message or round trip.  EXTRA (e.g. "-A": client on CPU 0, server on CPU 1)
# goes to every run of the measured rounds.
#
# SCENARIOS picks some of echo64, echo16k, pingpong. SCHED=1 adds, per server, a ping-pong run under
# `perf record -e sched:sched_wakeup,sched:sched_switch`: the share of the server's and client's wake-ups
# that land on the waker's own CPU, and of their switches that leave the CPU idle (docs/io_uring.md,
# "Ping-pong and the syscall floor": the suspected quiet-machine cost; needs perf and idle CPUs to show).
# Servers (names for SERVERS): epoll; uring (level 2: 256 x 8 KiB provided buffers, 16 KiB sends, one copy);
# uring-appcopy (+ the second copy level 2 makes); uring-direct (+ level 2's large-write rule: >= 8 KiB
# with nothing queued goes out by send(2)); uring-big (64 KiB buffers consumed incrementally,
# sends of up to 64 KiB); uring-big-appcopy (uring-big with level 2's second copy); uring-nocopy
# (uring-big, sending straight from the received buffer);
# uring-defer (level 2's shape with SINGLE_ISSUER | DEFER_TASKRUN).
# Needs a C compiler, Linux 6.12+ (6.0+ without uring-big/nocopy), <linux/io_uring.h> (Debian/Ubuntu:
# apt-get install -y linux-libc-dev) and strace for the last part. Exits non-zero if a run fails.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${TMPDIR:-/tmp}/edgewise-native-bench"
mkdir -p "$out"
cc="${CC:-cc}"
rounds="${ROUNDS:-5}" warm="${WARM_MS:-500}" measure="${MEASURE_MS:-1500}"
servers="${PAIRS:-${SERVERS:-epoll uring}}"
base=epoll
[[ -n "${PAIRS:-}" ]] && base=epoll/epoll
command -v "$cc" >/dev/null || { echo "no C compiler ($cc); apt-get install -y gcc" >&2; exit 2; }
echo '#include <linux/io_uring.h>' | "$cc" -E - >/dev/null 2>&1 \
  || { echo "<linux/io_uring.h> missing: apt-get install -y linux-libc-dev (or your distribution's kernel headers)" >&2; exit 2; }
bin="$out/uring-echo-floor"
"$cc" -O2 -Wall -Werror -o "$bin" "$here/uring-echo-floor.c" -lpthread

scenarios=()
for sc in "echo64:-c 8 -w 16 -m 64" "echo16k:-c 8 -w 16 -m 16384" "pingpong:-c 4 -w 1 -m 64"; do
  [[ " ${SCENARIOS:-echo64 echo16k pingpong} " == *" ${sc%%:*} "* ]] && scenarios+=("$sc")
done
(( ${#scenarios[@]} )) || { echo "SCENARIOS: none of echo64 echo16k pingpong" >&2; exit 2; }
server_args() {
  case "$1" in
    epoll) echo "epoll" ;;
    uring) echo "uring" ;;
    uring-appcopy) echo "uring -a" ;;
    uring-direct) echo "uring -x" ;;
    uring-big) echo "uring -b 65536 -n 32 -i -s" ;;
    uring-big-appcopy) echo "uring -b 65536 -n 32 -i -s -a" ;;
    uring-nocopy) echo "uring -b 65536 -n 32 -i -z" ;;
    uring-defer) echo "uring -d" ;;
    *) echo "unknown server $1" >&2; exit 2 ;;
  esac
}
# a server name, or a CLIENT/SERVER pair
run_args() {
  if [[ "$1" == */* ]]; then
    case "${1%%/*}" in epoll|uring) ;; *) echo "unknown client in $1" >&2; exit 2 ;; esac
    echo "$(server_args "${1#*/}") -C ${1%%/*}"
  else
    server_args "$1"
  fi
}
read -r -a names <<<"$servers"
for name in "${names[@]}"; do run_args "$name" >/dev/null; done
[[ " ${names[*]} " == *" $base "* ]] || { echo "no $base to compare with in: ${names[*]}" >&2; exit 2; }

results="$out/uring-floor-results.txt"
: >"$results"
echo "== $(date -u +%FT%TZ) $(uname -r), $(nproc) CPUs; $rounds rounds of ${warm}+${measure} ms; $([[ -n "${PAIRS:-}" ]] && echo "client/server pairs" || echo servers): ${names[*]}"
for ((r = 0; r < rounds; r++)); do
  echo "-- round $((r + 1)): $(uptime | sed 's/.*load/load/')"
  for sc in "${scenarios[@]}"; do
    sname="${sc%%:*}" sargs="${sc#*:}"
    for ((k = 0; k < ${#names[@]}; k++)); do
      name="${names[$(((k + r) % ${#names[@]}))]}"
      # shellcheck disable=SC2046,SC2086
      line="$("$bin" $(run_args "$name") $sargs ${EXTRA:-} -W "$warm" -M "$measure" | grep '^RESULT')" \
        || { echo "run failed: $name $sname" >&2; exit 1; }
      echo "R round=$r scenario=$sname name=$name ${line#RESULT }" >>"$results"
    done
  done
done
echo "-- after: $(uptime | sed 's/.*load/load/')"

# medians and ranges over rounds; per-round ratios to epoll (throughput, server CPU per message)
awk -v names="${names[*]}" -v base="$base" '
  function med(a, n,   i, j, t, b) {
    for (i = 1; i <= n; i++) b[i] = a[i] + 0
    for (i = 2; i <= n; i++) { t = b[i]; for (j = i - 1; j >= 1 && b[j] > t; j--) b[j + 1] = b[j]; b[j + 1] = t }
    lo = b[1]; hi = b[n]
    return n % 2 ? b[(n + 1) / 2] : (b[n / 2] + b[n / 2 + 1]) / 2
  }
  function field(k,   i) { for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) return substr($i, length(k) + 2); return "" }
  { sub(/^R /, ""); sc = field("scenario"); nm = field("name"); rd = field("round")
    key = sc SUBSEP nm; n[key]++
    for (m = 1; m <= nm_; m++) { v = field(metric[m]); val[key, m, n[key]] = v; byround[sc, nm, rd, m] = v }
    rounds[rd] = 1; scs[sc] = 1 }
  BEGIN { nm_ = split("msgs_per_s srv_cpu_us proc_cpu_us srv_calls cli_calls p50_us p99_us", metric, " "); nn = split(names, nms, " ")
          split("echo64 echo16k pingpong", order, " ") }
  END {
    printf "\n%-9s %-17s %-28s %-22s %-22s %-9s %-9s %-22s %-22s\n", "scenario", (base == "epoll" ? "server" : "client/server"), "msgs/s (min-max)", "server CPU us/msg", "CPU us/msg (both)", "srv calls", "cli calls", "p50 us", "p99 us"
    for (o = 1; o <= 3; o++) { sc = order[o]; if (!(sc in scs)) continue
      for (q = 1; q <= nn; q++) { nm = nms[q]; key = sc SUBSEP nm; if (!n[key]) continue
        line = sprintf("%-9s %-17s", sc, nm)
        for (m = 1; m <= nm_; m++) {
          c = 0; for (i = 1; i <= n[key]; i++) if (val[key, m, i] != "") x[++c] = val[key, m, i]
          if (!c) { line = line sprintf(" %-22s", "-"); continue }
          md = med(x, c)
          if (m == 1) line = line sprintf(" %-28s", sprintf("%.0f (%.0f-%.0f)", md, lo, hi))
          else if (m == 4 || m == 5) line = line sprintf(" %-9s", sprintf("%.3f", md))
          else line = line sprintf(" %-22s", sprintf("%.2f (%.2f-%.2f)", md, lo, hi))
        }
        print line
      }
    }
    printf "\nper-round ratio to %s, median (min-max) over rounds:\n", base
    printf "%-9s %-17s %-24s %-24s %-24s %-24s %-24s\n", "scenario", (base == "epoll" ? "server" : "client/server"), "msgs/s", "server CPU per msg", "CPU per msg (both)", "p50", "p99"
    for (o = 1; o <= 3; o++) { sc = order[o]; if (!(sc in scs)) continue
      for (q = 1; q <= nn; q++) { nm = nms[q]; if (nm == base || !n[sc SUBSEP nm]) continue
        line = sprintf("%-9s %-17s", sc, nm)
        nz = split("1 2 3 6 7", ms, " ")
        for (z = 1; z <= nz; z++) { m = ms[z]; c = 0
          for (rd in rounds) { a = byround[sc, nm, rd, m]; b = byround[sc, base, rd, m]; if (a != "" && b != "" && b > 0) y[++c] = a / b }
          line = line sprintf(" %-24s", c ? sprintf("%.2fx (%.2f-%.2f)", med(y, c), lo, hi) : "-")
        }
        print line
      }
    }
  }' "$results"
echo "(raw lines: $results)"

if [[ "${STRACE:-1}" == 1 ]]; then
  command -v strace >/dev/null || { echo "strace missing (apt-get install -y strace); STRACE=0 skips this part" >&2; exit 2; }
  echo
  echo "== strace -c -f, one run per scenario and server (whole process: client + server), calls per echoed message"
  for sc in "${scenarios[@]}"; do
    sname="${sc%%:*}" sargs="${sc#*:}"
    for name in "${names[@]}"; do
      trace="$out/strace-$sname-${name//\//-}.txt"
      # shellcheck disable=SC2046,SC2086
      total="$(strace -c -f -o "$trace" "$bin" $(run_args "$name") $sargs -W 200 -M 800 | sed -n 's/^TOTAL msgs=//p')"
      [[ -n "$total" && "$total" -gt 0 ]] || { echo "strace run failed: $name $sname" >&2; exit 1; }
      awk -v sc="$sname" -v nm="$name" -v total="$total" '
        $NF == "total" { all = $4; next }
        $1 ~ /^[0-9.]+$/ && NF >= 5 { calls = $4; if (calls / total >= 0.001) s = s sprintf(" %s=%.3f", $NF, calls / total) }
        END { printf "%-9s %-17s all=%.3f%s  (msgs=%d)\n", sc, nm, all / total, s, total }' "$trace"
    done
  done
fi

if [[ "${SCHED:-0}" == 1 ]]; then
  command -v perf >/dev/null || { echo "perf missing (apt-get install -y linux-perf); SCHED=0 skips this part" >&2; exit 2; }
  echo
  echo "== ping-pong wake-ups (perf sched tracepoints, one run per server; $(uptime | sed 's/.*load/load/'))"
  for name in "${names[@]}"; do
    data="$out/sched-${name//\//-}.data"
    # shellcheck disable=SC2046
    line="$(perf record -q -e sched:sched_wakeup,sched:sched_switch -o "$data" "$bin" $(run_args "$name") \
      -c 4 -w 1 -m 64 -W 300 -M 1500 2>/dev/null | grep '^RESULT')" || { echo "perf run failed: $name" >&2; exit 1; }
    perf script -i "$data" -F comm,tid,cpu,event,trace 2>/dev/null | awk -v nm="$name" -v line="$line" '
      function field(k,   i) { for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) return substr($i, length(k) + 2); return "" }
      /sched_wakeup:/ { if (field("comm") !~ /^floor-/) next   # softirq work for other programs runs here too
        c = $3; gsub(/[^0-9]/, "", c); n++; if (field("target_cpu") + 0 == c + 0) same++ }
      /sched_switch:/ && /prev_comm=floor-/ { sw++; if (/next_comm=swapper/) idle++ }
      END { split(line, f, " "); for (i in f) if (f[i] ~ /^msgs_per_s=|^p50_us=|^p99_us=/) r = r " " f[i]
            printf "%-13s wake-ups %d: on the waker'"'"'s CPU %.0f %%; switches away %d: to idle %.0f %%;%s\n",
                   nm, n, n ? 100 * same / n : 0, sw, sw ? 100 * idle / sw : 0, r }'
  done
fi
