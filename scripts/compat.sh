#!/usr/bin/env bash
# Runs compat-tests (Netty's testsuite + real JDK programs) over one SelectorProvider on one JDK and
# prints the surefire totals.
#
#   scripts/compat.sh [edgewise|edgewise-uring|edgewise-uring-io|edgewise-uring-io-coop|jdk] [17|25]   (defaults: edgewise 17)
#
# edgewise: -Djava.nio.channels.spi.SelectorProvider=io.edgewise.EdgewiseSelectorProvider
# edgewise-uring: the same with -Dio.edgewise.backend=io_uring -Dio.edgewise.uring.strict=true (no fallback)
# edgewise-uring-io: io_uring level 2 (-Dio.edgewise.uring.io=true: stream sockets receive through the ring)
# edgewise-uring-io-coop: level 2 on the ordinary COOP_TASKRUN rings (-Dio.edgewise.uring.deferTaskrun=false)
#   instead of its default DEFER_TASKRUN rings (docs/io_uring.md, "DEFER_TASKRUN")
# jdk:      -Djava.nio.channels.spi.SelectorProvider=sun.nio.ch.EPollSelectorProvider (reference run)
# The reports of each run are kept in compat-tests/target/compat-results/<provider>-<jdk>/.
# Extra arguments after the first two go to Maven (e.g. -o). Exit status: Maven's.
set -u -o pipefail

provider=${1:-edgewise}
jdk=${2:-17}
shift $(( $# < 2 ? $# : 2 ))

backend=()
case "$provider" in
  edgewise|jdk) ;;
  edgewise-uring) backend=("-Dcompat.backend.argLine=-Dio.edgewise.backend=io_uring -Dio.edgewise.uring.strict=true") ;;
  edgewise-uring-io) backend=("-Dcompat.backend.argLine=-Dio.edgewise.backend=io_uring -Dio.edgewise.uring.strict=true -Dio.edgewise.uring.io=true") ;;
  edgewise-uring-io-coop) backend=("-Dcompat.backend.argLine=-Dio.edgewise.backend=io_uring -Dio.edgewise.uring.strict=true -Dio.edgewise.uring.io=true -Dio.edgewise.uring.deferTaskrun=false") ;;
  *) echo "usage: $0 [edgewise|edgewise-uring|edgewise-uring-io|edgewise-uring-io-coop|jdk] [17|25] [maven args...]" >&2; exit 2 ;;
esac
case "$jdk" in
  17) export JAVA_HOME=${JDK17_HOME:-/usr/lib/jvm/java-17-openjdk-amd64} ;;
  25) export JAVA_HOME=${JDK25_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64} ;;
  *) echo "usage: $0 [edgewise|edgewise-uring|edgewise-uring-io|edgewise-uring-io-coop|jdk] [17|25] [maven args...]" >&2; exit 2 ;;
esac
[ -x "$JAVA_HOME/bin/java" ] || { echo "no JDK at $JAVA_HOME" >&2; exit 2; }

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
reports=compat-tests/target/surefire-reports
results=compat-tests/target/compat-results/$provider-$jdk
rm -rf "$reports" "$results"
mkdir -p compat-tests/target

echo "compat-tests: provider=$provider JAVA_HOME=$JAVA_HOME"
start=$(date +%s)
# -DskipTests skips the provider module's unit tests only; compat-tests' surefire obeys -Pcompat.
mvn -B -ntp -pl compat-tests -am -Pcompat -DskipTests -Dcompat.provider="${provider%%-uring*}" "${backend[@]}" "$@" verify \
  > compat-tests/target/compat-maven.log 2>&1
status=$?
end=$(date +%s)
mkdir -p "$results"
cp compat-tests/target/compat-maven.log "$results/" 2>/dev/null
[ -d "$reports" ] && cp -r "$reports" "$results/"

# Sums the <testsuite> attributes of every report; a class selection is a grep -E on the class name.
sum() {  # $1: include regex (ERE) on the report file name, $2: exclude regex (or empty)
  local t=0 f=0 e=0 s=0 file line
  for file in "$reports"/TEST-*.xml; do
    [ -e "$file" ] || continue
    echo "$file" | grep -Eq "$1" || continue
    if [ -n "$2" ] && echo "$file" | grep -Eq "$2"; then continue; fi
    line=$(grep -m1 -o '<testsuite [^>]*>' "$file")
    t=$((t + $(echo "$line" | sed -E 's/.* tests="([0-9]+)".*/\1/')))
    f=$((f + $(echo "$line" | sed -E 's/.* failures="([0-9]+)".*/\1/')))
    e=$((e + $(echo "$line" | sed -E 's/.* errors="([0-9]+)".*/\1/')))
    s=$((s + $(echo "$line" | sed -E 's/.* skipped="([0-9]+)".*/\1/')))
  done
  echo "tests=$t failures=$f errors=$e skipped=$s"
}

# Our NIO subclasses of Netty's abstract tests: io.netty.testsuite.transport.socket.Nio*Test (Netty's socket
# package has none of its own; compat-tests/pom.xml runs them without a rerun, like io.edgewise.compat).
nio_ours='TEST-io\.netty\.testsuite\.transport\.socket\.Nio[A-Za-z0-9]*Test\.xml'
echo "---- surefire totals ($provider, JDK $jdk, $((end - start)) s wall, mvn exit $status) ----"
echo "all classes:                  $(sum 'TEST-' '')"
echo "Netty's own classes:          $(sum 'TEST-io\.netty\.' "$nio_ours")"
echo "NIO subclasses we added:      $(sum "$nio_ours" '')"
echo "JDK programs + provider guard: $(sum 'TEST-io\.edgewise\.compat\.' '')"
# Every failing or erroring test case, and every one that passed only on surefire's rerun (Netty's upstream
# classes are rerun once; see compat-tests/pom.xml), one per line: "FAILED c#m" or "FLAKY c#m".
outcomes=$(scripts/surefire-outcomes.awk /dev/null "$reports"/TEST-*.xml 2>/dev/null | sort -u)
failed=$(echo "$outcomes" | grep '^FAILED ' || true)
flaky=$(echo "$outcomes" | grep '^FLAKY ' || true)
if [ -n "$failed" ]; then echo "$failed" | sed 's/^/  /'; fi
if [ ! -d "$reports" ]; then echo "no surefire reports: see $results/compat-maven.log"; tail -30 compat-tests/target/compat-maven.log; fi

# The JDK's provider runs Netty's classes (with our two NIO subclasses) as 1174 tests, 0 failures,
# 0 errors, 66 skipped (Netty's own skips). A class Netty aborts (e.g. a failed IPv6 assumption)
# reports 0 tests and no error, so only the exact numbers prove the run was complete.
# Netty's IPv4 multicast test is excluded by default (it sends to 230.0.0.1 off loopback, out of
# eth0): 1173 then; -Dcompat.linkMulticast=true restores it and the full 1174.
baseline="tests=1173 failures=0 errors=0 skipped=66"
case " $* " in *" -Dcompat.linkMulticast=true "*) baseline="tests=1174 failures=0 errors=0 skipped=66" ;; esac
netty=$(sum 'TEST-io\.netty\.' '')
if [ "$netty" = "$baseline" ]; then
  echo "Netty + NIO subclasses: $netty  == JDK baseline"
else
  echo "Netty + NIO subclasses: $netty  != JDK baseline ($baseline)"
  [ $status -eq 0 ] && status=1
fi

# Per-class differences against the JDK-provider run on the same JDK, when one is on disk.
reference=compat-tests/target/compat-results/jdk-$jdk/surefire-reports
counts() {
  for file in "$1"/TEST-*.xml; do
    [ -e "$file" ] || continue
    printf '%s %s\n' "$(basename "$file" .xml | sed 's/^TEST-//')" \
      "$(grep -m1 -o '<testsuite [^>]*>' "$file" | sed -E 's/.* tests="([0-9]+)" errors="([0-9]+)" skipped="([0-9]+)" failures="([0-9]+)".*/tests=\1 errors=\2 skipped=\3 failures=\4/')"
  done
}
if [ "$provider" != jdk ] && [ -d "$reference" ]; then
  echo "---- classes whose counts differ from the JDK-provider run (< jdk, > $provider) ----"
  differ=$(diff <(counts "$reference") <(counts "$reports") | grep '^[<>]' || true)
  if [ -n "$differ" ]; then echo "$differ"; else echo "  none"; fi
fi

# Closing summary: every flake is listed, so that it is seen and tracked (a rerun hides it from the totals).
if [ -n "$flaky" ]; then
  echo "---- FLAKY: $(echo "$flaky" | wc -l) test(s) failed, then passed on the rerun (track each) ----"
  echo "$flaky" | sed 's/^FLAKY /  FLAKY /'
else
  echo "---- FLAKY: none ----"
fi
exit $status
