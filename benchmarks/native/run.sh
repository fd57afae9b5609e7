#!/usr/bin/env bash
# Builds and runs the native micro-benchmarks of this folder (see each file's head comment).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${TMPDIR:-/tmp}/edgewise-native-bench"
mkdir -p "$out"
cc="${CC:-cc}"
command -v "$cc" >/dev/null || { echo "no C compiler ($cc); apt-get install -y gcc" >&2; exit 2; }
for src in "$here"/*.c; do
  # the io_uring floor has its own runner (interleaved rounds, two servers): uring-floor.sh
  [[ "$(basename "$src")" == uring-echo-floor.c ]] && continue
  bin="$out/$(basename "$src" .c)"
  "$cc" -O2 -Wall -o "$bin" "$src" -lpthread
  if [[ "$(basename "$src")" == defer-takeover-probe.c ]]; then
    # its checks hold only once the ring is unmapped before its close (-u), with the owner parked and exited
    echo "== $(basename "$src") -u"; "$bin" -u
    echo "== $(basename "$src") -x -u"; "$bin" -x -u
    continue
  fi
  echo "== $(basename "$src")"
  "$bin"
done
