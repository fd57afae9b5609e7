#!/usr/bin/awk -f
# Reads surefire XML reports (TEST-*.xml) and prints one line per test case that failed or erred
# ("FAILED class#method") and per test case that failed and then passed on surefire's rerun
# ("FLAKY class#method"). Used by scripts/compat.sh; a test case reported by both is FAILED only.
/<testcase / {
  n = ""; c = ""
  if (match($0, / name="[^"]*"/)) n = substr($0, RSTART + 7, RLENGTH - 8)
  if (match($0, / classname="[^"]*"/)) c = substr($0, RSTART + 12, RLENGTH - 13)
}
/<(failure|error)[ >\/]/ { failed[c "#" n] = 1 }
/<flaky(Failure|Error)[ >\/]/ { flaky[c "#" n] = 1 }
END {
  for (t in failed) print "FAILED " t
  for (t in flaky) if (!(t in failed)) print "FLAKY " t
}
