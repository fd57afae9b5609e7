#!/usr/bin/env bash
# Runs the provider's test suite over the kqueue backend (-Dio.edgewise.backend=kqueue).
#
#   macOS / FreeBSD / OpenBSD / NetBSD: scripts/kqueue-suite.sh          (the system's kqueue)
#   Linux: scripts/kqueue-suite.sh                                       (libkqueue, found as below)
#
# On Linux kqueue comes from libkqueue (https://github.com/mheily/libkqueue), which Debian does not
# package. The project's test tooling carries a prebuilt one at ../shared/testing/libkqueue/ (from the
# project root; see its README); KQUEUE_LIBRARY=/path/to/libkqueue.so.0 names another. Where none is
# found the run prints one "SKIPPED: ..." line on stdout and exits 0.
#
# VARIANTS picks the socket layers to run the suite with, one full run each (default: "linux"):
#   linux        Linux's own socket ops (what a Linux JVM uses)
#   posix        the POSIX socket ops (sys/posix PosixSocketOps, what macOS and the BSDs run) with Linux's values
#   posix-macos  the same without what macOS lacks (SOCK_NONBLOCK, accept4, pipe2, MSG_NOSIGNAL)
# On a real BSD/macOS only "linux" makes sense and means "the platform's own" (the property is ignored).
#
# Before the Java suite, on Linux, provider/src/test/c/kqueue/run.sh proves with C alone what libkqueue
# does with a socket's pending error (why io.edgewise.sys.ConsumedErrors exists); a change there fails the run.
#
# Extra arguments go to Maven, e.g.  scripts/kqueue-suite.sh -Dtest='KqueuePollerTest'
# MODULES (default: provider) picks the modules; JAVA_HOME picks the JDK.
set -euo pipefail
cd "$(dirname "$0")/.."

props=(-Dio.edgewise.backend=kqueue)
lib=""
case "$(uname -s)" in
  Darwin|FreeBSD|OpenBSD|NetBSD)
    ;;
  Linux)
    lib="${KQUEUE_LIBRARY:-}"
    if [ -z "$lib" ]; then
      for c in ../shared/testing/libkqueue/libkqueue.so.0 \
               /usr/local/lib/libkqueue.so.0 /usr/local/lib64/libkqueue.so.0 \
               /usr/lib/x86_64-linux-gnu/libkqueue.so.0 /usr/lib/aarch64-linux-gnu/libkqueue.so.0 \
               /usr/lib/libkqueue.so.0 /usr/lib64/libkqueue.so.0; do
        if [ -f "$c" ]; then lib="$c"; break; fi
      done
    fi
    if [ -z "$lib" ] || [ ! -f "$lib" ]; then
      echo "SKIPPED: kqueue suite not run: no libkqueue.so.0 (looked for KQUEUE_LIBRARY," \
           "../shared/testing/libkqueue/libkqueue.so.0 and the system's library directories)"
      exit 0
    fi
    lib=$(readlink -f "$lib")
    props+=("-Dio.edgewise.kqueue.library=$lib")
    provider/src/test/c/kqueue/run.sh "$lib"
    ;;
  *)
    echo "SKIPPED: kqueue suite not run: no kqueue on $(uname -s)"
    exit 0
    ;;
esac

for v in ${VARIANTS:-linux}; do
  case "$v" in
    linux) vprops=() ;;
    posix|posix-macos) vprops=("-Dio.edgewise.socketops=$v") ;;
    *) echo "kqueue-suite: unknown variant '$v' (linux, posix, posix-macos)" >&2; exit 2 ;;
  esac
  echo "=== kqueue suite, socket layer '$v', over ${lib:-the system kqueue} ($(date -u +%H:%M:%S))"
  start=$SECONDS
  # Maven passes -D user properties on to the forked test JVM as system properties.
  mvn -B -Dstyle.color=never -pl "${MODULES:-provider}" "${props[@]}" "${vprops[@]}" test "$@"
  echo "=== kqueue suite, socket layer '$v': passed in $((SECONDS - start)) s"
done
