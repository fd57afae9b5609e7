#!/usr/bin/env bash
# Mutation testing (PIT) of the selector and channel core: the selector, its keys and selected-key set,
# channels.FdHandle, Waiter, StreamSocketChannel, ListeningChannel, BufferIO and the epoll poller.
# Not part of CI (CPU heavy: tens of minutes on 2 cores). Reports land in provider/target/pit-reports/
# (HTML index.html, mutations.xml) and a one-line score per group is printed at the end.
#
#   scripts/mutation.sh [group...]     groups: selector channels epoll (default: all three)
#
# Environment: JAVA_HOME (default JDK 17), PIT_THREADS (default 1), MVN_OPTS (e.g. -o for offline);
# while iterating on one group's survivors, PIT_TARGETS / PIT_TESTS narrow what it mutates / runs (a
# recorded score is always of the whole group with its own test set).
# Each group mutates a few classes and runs only the fast test classes that exercise them, so a run is
# bounded; PIT's own per-test timeout (factor x normal time + constant) catches mutants that hang.
#
# PIT runs through its command-line entry point with a class path Maven resolves from a throw-away pom
# under provider/target/pit-tool, so neither the build nor the poms know about PIT.
set -u -o pipefail

PIT_VERSION=1.30.1
PIT_JUNIT5_VERSION=1.2.3
LAUNCHER_VERSION=1.14.3   # junit-platform-launcher matching the build's JUnit 5.14.3
threads=${PIT_THREADS:-1}
mvn_opts=${MVN_OPTS:-}
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/java-17-openjdk-amd64}

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
groups=("$@")
[ ${#groups[@]} -eq 0 ] && groups=(selector channels epoll)

# ---- what each group mutates, and the tests that cover it (fast classes only)
targets() {
  case "$1" in
    selector) echo "io.edgewise.EdgewiseSelector*,io.edgewise.EdgewiseSelectionKey*,io.edgewise.SelectedKeySet*" ;;
    channels) echo "io.edgewise.channels.FdHandle*,io.edgewise.channels.Waiter*,io.edgewise.channels.StreamSocketChannel*,io.edgewise.channels.ListeningChannel*,io.edgewise.channels.BufferIO*" ;;
    epoll)    echo "io.edgewise.backend.epoll.EpollPoller*" ;;
    *) return 1 ;;
  esac
}
tests() {
  case "$1" in
    # observe.*: the counters, events and key probes the selector and channels feed (JMX, JFR);
    # InternalWakeupTest / AsyncConnectTest: the selector's rewatch of an ASYNC_RESOLVE connect
    selector) echo "io.edgewise.regression.*,io.edgewise.conformance.SelectorContractTest,io.edgewise.modes.TriggerModesTest,io.edgewise.modes.EdgeReaderTest,io.edgewise.observe.*Test,io.edgewise.wakeup.InternalWakeupTest,io.edgewise.resolve.AsyncConnectTest" ;;
    # channels: run it on JDK 25 (see docs/testing.md): virtual-thread waits and the FFM binding's
    # heap-buffer copies exist only there. (DifferentialTest compares the two providers: not in a one-provider run)
    # Datagram, Unix-domain, ASYNC_RESOLVE and descriptor-leak tests: BufferIO's datagram calls, the
    # stream channel's Unix-domain side and connect hooks, and every FdHandle release (a lost one leaks)
    channels) echo "io.edgewise.regression.*,io.edgewise.channels.*Test,io.edgewise.conformance.ChannelContractTest,io.edgewise.conformance.AsyncCloseInterruptTest,io.edgewise.EchoSmokeTest,io.edgewise.observe.*Test,io.edgewise.conformance.AdaptorClosedDifferentialTest,io.edgewise.vthread.VirtualThreadBlockingTest,io.edgewise.datagram.DatagramDifferentialTest,io.edgewise.unix.UnixDifferentialTest,io.edgewise.resolve.AsyncConnectTest,io.edgewise.conformance.DescriptorLeakTest" ;;
    epoll)    echo "io.edgewise.regression.*,io.edgewise.conformance.SelectorContractTest,io.edgewise.modes.TriggerModesTest" ;;
  esac
}
for g in "${groups[@]}"; do
  targets "$g" >/dev/null || { echo "unknown group: $g (selector|channels|epoll)" >&2; exit 2; }
done

# ---- build the classes and both class paths
echo "mutation: JAVA_HOME=$JAVA_HOME groups=${groups[*]} threads=$threads"
mvn -B -q $mvn_opts -pl provider test-compile || exit 1
tool=provider/target/pit-tool
mkdir -p "$tool"
cat > "$tool/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>io.edgewise.tools</groupId>
  <artifactId>pit-tool</artifactId>
  <version>1</version>
  <dependencies>
    <dependency><groupId>org.pitest</groupId><artifactId>pitest-command-line</artifactId><version>$PIT_VERSION</version></dependency>
    <dependency><groupId>org.pitest</groupId><artifactId>pitest-junit5-plugin</artifactId><version>$PIT_JUNIT5_VERSION</version></dependency>
    <dependency><groupId>org.junit.platform</groupId><artifactId>junit-platform-launcher</artifactId><version>$LAUNCHER_VERSION</version></dependency>
  </dependencies>
</project>
EOF
mvn -B -q $mvn_opts -f "$tool/pom.xml" dependency:build-classpath -Dmdep.outputFile=cp.txt || exit 1
mvn -B -q $mvn_opts -pl provider dependency:build-classpath -Dmdep.outputFile=target/pit-tool/project-cp.txt || exit 1
toolcp=$(cat "$tool/cp.txt")
# a copy of the compiled classes: a build running meanwhile must not change what PIT mutates and runs;
# one copy per run (removed at exit), so runs may overlap
snap="$tool/snapshot-$$"
trap 'rm -rf "$snap"' EXIT
mkdir -p "$snap"
cp -r provider/target/classes "$snap/classes" && cp -r provider/target/test-classes "$snap/test-classes" || exit 1
projcp="$snap/test-classes:$snap/classes:$(cat "$tool/project-cp.txt")"

# ---- one PIT run per group
status=0
for g in "${groups[@]}"; do
  out=provider/target/pit-reports/$g
  [ -n "${PIT_TARGETS:-}${PIT_TESTS:-}" ] && out=$out-narrowed   # never mistaken for a group's score
  rm -rf "$out"; mkdir -p "$out"
  echo "---- $g: $(targets "$g")"
  start=$(date +%s)
  "$JAVA_HOME/bin/java" -cp "$toolcp:$projcp" org.pitest.mutationtest.commandline.MutationCoverageReport \
      --reportDir "$out" --timestampedReports=false \
      --sourceDirs provider/src/main/java \
      --classPath "$projcp" \
      --targetClasses "${PIT_TARGETS:-$(targets "$g")}" \
      --targetTests "${PIT_TESTS:-$(tests "$g")}" \
      --excludedClasses io.edgewise.EdgewiseSelectorProvider \
      --threads "$threads" \
      --outputFormats HTML,XML \
      --timeoutConst 8000 --timeoutFactor 2.0 \
      --jvmArgs="--enable-native-access=ALL-UNNAMED,--add-exports,java.base/sun.nio.ch=ALL-UNNAMED,-Dedgewise.conformance.providers=edgewise" \
      --excludedMethods "toString,hashCode" \
      > "$out/pit.log" 2>&1
  rc=$?
  [ $rc -ne 0 ] && status=$rc
  xml=$out/mutations.xml
  if [ -f "$xml" ]; then
    total=$(grep -c '<mutation ' "$xml")
    killed=$(grep -Ec "<mutation [^>]*status='(KILLED|TIMED_OUT|MEMORY_ERROR|RUN_ERROR)'" "$xml")
    echo "$g: $killed of $total mutants killed ($(( total ? killed * 100 / total : 0 )) %), $(( $(date +%s) - start )) s; report $out/index.html"
    grep -E "status='(SURVIVED|NO_COVERAGE)'" "$xml" \
      | sed -E "s/.*status='([A-Z_]+)'.*<sourceFile>([^<]*)<.*<mutatedMethod>([^<]*)<.*<lineNumber>([0-9]+)<.*<mutator>([^<]*)<.*<description>([^<]*)<.*/  \1 \2:\4 \3 \6/" \
      | sed -E 's/org\.pitest\.mutationtest\.engine\.gregor\.mutators\.//'
  else
    echo "$g: no report (exit $rc); see $out/pit.log"; tail -20 "$out/pit.log"
  fi
done
exit $status
