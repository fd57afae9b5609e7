#!/usr/bin/env bash
# Runs the provider's test suite over the kqueue backend (-Dio.edgewise.backend=kqueue).
#
#   macOS / FreeBSD / OpenBSD / NetBSD: scripts/kqueue-suite.sh          (the system's kqueue)
#   Linux: KQUEUE_LIBRARY=/path/to/libkqueue.so.0 scripts/kqueue-suite.sh
#
# On Linux kqueue comes from libkqueue (https://github.com/mheily/libkqueue), which Debian does not
# package and this project neither ships nor builds: build it yourself (cmake; `make` gives
# libkqueue.so.0) and name it with KQUEUE_LIBRARY, or install it where the search below looks.
# Without a library the run is skipped with a message and exit status 0, so CI passes without it.
#
# Extra arguments go to Maven, e.g.  scripts/kqueue-suite.sh -Dtest='KqueuePollerTest'
# MODULES (default: provider) picks the modules; JAVA_HOME picks the JDK.
set -euo pipefail
cd "$(dirname "$0")/.."

props=(-Dio.edgewise.backend=kqueue)
case "$(uname -s)" in
  Darwin|FreeBSD|OpenBSD|NetBSD)
    ;;
  Linux)
    lib="${KQUEUE_LIBRARY:-}"
    if [ -z "$lib" ]; then
      for c in /usr/local/lib/libkqueue.so.0 /usr/local/lib64/libkqueue.so.0 \
               /usr/lib/x86_64-linux-gnu/libkqueue.so.0 /usr/lib/aarch64-linux-gnu/libkqueue.so.0 \
               /usr/lib/libkqueue.so.0 /usr/lib64/libkqueue.so.0; do
        if [ -f "$c" ]; then lib="$c"; break; fi
      done
    fi
    if [ -z "$lib" ] || [ ! -f "$lib" ]; then
      echo "kqueue suite SKIPPED: no kqueue library on this Linux machine." >&2
      echo "  libkqueue is not packaged in Debian; build it locally and run" >&2
      echo "  KQUEUE_LIBRARY=/path/to/libkqueue.so.0 $0" >&2
      exit 0
    fi
    props+=("-Dio.edgewise.kqueue.library=$lib")
    echo "=== kqueue suite over $lib"
    ;;
  *)
    echo "kqueue suite SKIPPED: no kqueue on $(uname -s)." >&2
    exit 0
    ;;
esac

# Maven passes -D user properties on to the forked test JVM as system properties.
exec mvn -B -Dstyle.color=never -pl "${MODULES:-provider}" "${props[@]}" test "$@"
