#!/usr/bin/env bash
# Builds consumed-error.c against libkqueue (its header from the source tarball next to the prebuilt
# library) and runs it. See the comment at the top of consumed-error.c for what it proves.
#
#   provider/src/test/c/kqueue/run.sh [path/to/libkqueue.so.0]
#
# Default library: ../shared/testing/libkqueue/libkqueue.so.0 from the project root (or KQUEUE_LIBRARY).
# Exit: 0 proof holds; 1 it does not; 0 with a SKIPPED line when the library, its source or cc is absent.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../../.." && pwd)
lib=${1:-${KQUEUE_LIBRARY:-$root/../shared/testing/libkqueue/libkqueue.so.0}}
src=$(dirname "$lib")/libkqueue-f9660896-src.tar.gz
out=$root/provider/target/kqueue-c
if [ ! -f "$lib" ]; then echo "SKIPPED: libkqueue C proof: no $lib"; exit 0; fi
if [ ! -f "$src" ]; then echo "SKIPPED: libkqueue C proof: no libkqueue source (for sys/event.h) at $src"; exit 0; fi
command -v cc >/dev/null || { echo "SKIPPED: libkqueue C proof: no C compiler"; exit 0; }
mkdir -p "$out/include/sys"
tar -xzf "$src" -C "$out" --wildcards '*/include/sys/event.h.in' 2>/dev/null \
  || tar -xzf "$src" -C "$out" --wildcards 'include/sys/event.h.in'
sed -e "s/@LIBKQUEUE_PUBLIC_[A-Z_]*@/1/" "$(find "$out" -path '*include/sys/event.h.in' | head -1)" >"$out/include/sys/event.h" # cmake would set these
cc -O1 -Wall -I"$out/include" -o "$out/consumed-error" "$here/consumed-error.c" "$lib" -Wl,-rpath,"$(dirname "$(readlink -f "$lib")")"
echo "=== libkqueue C proof over $lib"
"$out/consumed-error"
