#!/usr/bin/env bash
# Builds the IOCP C probes (provider/src/test/c/iocp) with mingw-w64 and runs them under wine.
# The probes perform the Win32/NT call sequence of the Java IOCP backend and assert its outcomes.
#
#   scripts/iocp-probes.sh            install the tools with apt if missing (when allowed), build, run
#   IOCP_PROBES_NO_INSTALL=1 ...      never install; skip if the tools are missing
#
# Exit: 0 all probes passed, or skipped (tools not installable: a SKIPPED line says why);
#       1 a probe failed (or the self-test failure was not detected).
set -u
cd "$(dirname "$0")/.."
SRC=provider/src/test/c/iocp
OUT=${IOCP_PROBES_OUT:-target/iocp-probes}
CC=x86_64-w64-mingw32-gcc

skip() {
    echo "SKIPPED: IOCP wine probes not run: $*"
    exit 0
}

find_wine() {
    for w in /usr/lib/wine/wine64 "$(command -v wine64 2>/dev/null)" "$(command -v wine 2>/dev/null)"; do
        if [ -n "$w" ] && [ -x "$w" ]; then echo "$w"; return 0; fi
    done
    return 1
}

if ! command -v "$CC" >/dev/null 2>&1 || ! find_wine >/dev/null; then
    if [ "${IOCP_PROBES_NO_INSTALL:-0}" = 1 ]; then
        skip "$CC or wine missing and IOCP_PROBES_NO_INSTALL=1"
    fi
    if [ "$(id -u)" != 0 ] && ! command -v sudo >/dev/null 2>&1; then
        skip "$CC or wine missing and no root/sudo to install them"
    fi
    SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo -n"
    echo "installing gcc-mingw-w64-x86-64 and wine with apt ..."
    if ! $SUDO apt-get update -qq >/dev/null 2>&1; then skip "apt-get update failed"; fi
    if ! apt-cache policy wine gcc-mingw-w64-x86-64 2>/dev/null | grep -q 'Candidate: [0-9]'; then
        skip "wine or gcc-mingw-w64-x86-64 not available from the configured apt sources"
    fi
    if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends \
            gcc-mingw-w64-x86-64 wine wine64 >/dev/null 2>&1; then
        skip "apt-get install of gcc-mingw-w64-x86-64/wine failed"
    fi
fi
WINE=$(find_wine) || skip "wine not found after installation"
command -v "$CC" >/dev/null 2>&1 || skip "$CC not found after installation"

mkdir -p "$OUT"
OWN_PREFIX=1; [ -n "${WINEPREFIX:-}" ] && OWN_PREFIX=0
export WINEDEBUG=-all WINEARCH=win64 WINEPREFIX="${WINEPREFIX:-$PWD/$OUT/wineprefix}"
echo "wine: $("$WINE" --version 2>/dev/null)  compiler: $($CC --version | head -1)"

# the prefix is made before any probe runs (scripts/wine-prefix.sh says why); ours may be deleted and made again
attempts=3; [ "$OWN_PREFIX" = 0 ] && attempts=1
WINE="$WINE" scripts/wine-prefix.sh "$attempts" || { echo "FAILED: wine prefix $WINEPREFIX could not be made"; exit 1; }

run() { # name exe -> exit status of the probe
    timeout 300 "$WINE" "$2" 2>&1 | grep -v -e 'syswow64' -e 'configuration in' -e 'created the configuration'
    return "${PIPESTATUS[0]}"
}

failed=0
# self-test first: a deliberately failing check must make the probe exit non-zero
$CC -O1 -Wall -DPROBE_SELFTEST -o "$OUT/selftest.exe" "$SRC/layout.c" -lws2_32 || { echo "FAILED: build selftest"; exit 1; }
if run selftest "$OUT/selftest.exe" >/dev/null; then
    echo "FAILED: the self-test probe passed: failures would go unnoticed"; exit 1
fi
echo "self-test: a failing check is detected"

for src in "$SRC"/*.c; do
    name=$(basename "$src" .c)
    if ! $CC -O1 -Wall -o "$OUT/$name.exe" "$src" -lws2_32; then
        echo "FAILED: build $name"; failed=1; continue
    fi
    if run "$name" "$OUT/$name.exe"; then
        echo "PASSED: $name"
    else
        echo "FAILED: $name"; failed=1
    fi
done
exit $failed
