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
  "$cc" -O2 -Wall -o "$bin" "$src"
  echo "== $(basename "$src")"
  "$bin"
done
