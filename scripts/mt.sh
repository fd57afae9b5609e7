#!/usr/bin/env bash
# developer helper: run provider tests matching $1 offline, print only results and failures
cd "$(dirname "$0")/.." && mvn -o -B -Dstyle.color=never -pl provider test -Dtest="$1" -Dsurefire.failIfNoSpecifiedTests=false "${@:2}" 2>&1 | grep -E "Tests run:|FAIL|ERROR\]|expected|Exception" | head -${LINES_MAX:-40}
