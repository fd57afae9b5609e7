#!/usr/bin/env bash
# C checks of libkqueue alone (no Java): what Edgewise works around over libkqueue on Linux.
#   KQUEUE_LIBRARY=/path/to/libkqueue.so.0 scripts/libkqueue-checks.sh
# Default library: ../shared/testing/libkqueue/libkqueue.so.0. Skipped (exit 0) without a library or gcc.
set -euo pipefail
cd "$(dirname "$0")/.."
lib="${KQUEUE_LIBRARY:-../shared/testing/libkqueue/libkqueue.so.0}"
if [ ! -f "$lib" ]; then echo "libkqueue checks SKIPPED: no $lib" >&2; exit 0; fi
if ! command -v gcc >/dev/null; then echo "libkqueue checks SKIPPED: no gcc" >&2; exit 0; fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
gcc -O1 -Wall -o "$out/libkqueue-so-error" provider/src/test/c/libkqueue-so-error.c -ldl
echo "=== libkqueue-so-error ($lib)"
"$out/libkqueue-so-error" "$lib"
