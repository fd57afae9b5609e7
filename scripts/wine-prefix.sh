#!/usr/bin/env bash
# Makes a wine prefix ready before any program runs in it. Wine creates a missing prefix inside the first
# program's start, and in CI such a start once failed half-way (could not load kernel32.dll, status
# c0000135, exit 53; the cause was not found). This runs `wineboot --init` on its own, waits for the wine
# server to end, checks the prefix's files, and on failure kills the server, deletes the prefix and tries
# again. Used by scripts/iocp-probes.sh and the provider's wine tests (io.edgewise.testing.WinePrefix).
#
#   WINE=/usr/lib/wine/wine64 WINEPREFIX=/abs/dir scripts/wine-prefix.sh [attempts]   (default 3)
#   WINESERVER   the server that goes with $WINE (default: wineserver64 beside wine64, else wineserver)
#
# Exit: 0 the prefix is complete; 1 it is not after the attempts (each attempt's reason is printed; the
# last attempt's prefix is kept for inspection). Pass 1 attempt for a prefix that is not yours to delete.
set -u
: "${WINE:?WINE: the wine loader}" "${WINEPREFIX:?WINEPREFIX: the prefix to make}"
attempts=${1:-3}
export WINEDEBUG="${WINEDEBUG:--all}" WINEARCH="${WINEARCH:-win64}"
server=${WINESERVER:-}
if [ -z "$server" ]; then
    case "$(basename "$WINE")" in
        *64) server=$(dirname "$WINE")/wineserver64 ;;
        *) server=$(dirname "$WINE")/wineserver ;;
    esac
    [ -x "$server" ] || server=$(command -v wineserver || true)
fi

complete() { [ -f "$WINEPREFIX/system.reg" ] && [ -f "$WINEPREFIX/drive_c/windows/system32/kernel32.dll" ]; }

log=$(mktemp)
trap 'rm -f "$log"' EXIT
mkdir -p "$WINEPREFIX"
for ((attempt = 1; attempt <= attempts; attempt++)); do
    # output to a file, not a pipe: wineboot's children keep their output open until the server ends
    if ! complete && ! timeout 280 "$WINE" wineboot --init >"$log" 2>&1; then
        echo "attempt $attempt: wineboot --init failed: $(cat "$log")"
    elif [ -n "$server" ] && ! timeout 120 "$server" -w; then
        echo "attempt $attempt: $server -w did not end"
    elif complete; then
        exit 0
    else
        echo "attempt $attempt: wineboot left no complete prefix"
    fi
    [ -n "$server" ] && "$server" -k >/dev/null 2>&1
    if [ "$attempt" -lt "$attempts" ]; then
        rm -rf "$WINEPREFIX" && mkdir -p "$WINEPREFIX"
    fi
done
echo "wine prefix $WINEPREFIX could not be made"
exit 1
