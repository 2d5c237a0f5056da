#!/usr/bin/env bash
# Starts tests/servers/fake_dns.py and tests/servers/ws_echo.js on 127.0.0.1
# (free ports) and runs the Windows platform test under wine against them.
#   tests/run_win_platform.sh [build-win/test_win_platform.exe]      (WINE: /usr/lib/wine/wine64)
set -u
cd "$(dirname "$0")/.."
exe=${1:-build-win/test_win_platform.exe}
WINE=${WINE:-/usr/lib/wine/wine64}
PYTHON=${PYTHON:-/usr/bin/python3}
export WINEDEBUG=${WINEDEBUG:--all}
dns_log=$(mktemp)
ws_log=$(mktemp)
dns_pid=
ws_pid=
cleanup() {
    [ -n "$dns_pid" ] && kill "$dns_pid" 2>/dev/null
    [ -n "$ws_pid" ] && kill "$ws_pid" 2>/dev/null
    rm -f "$dns_log" "$ws_log"
}
trap cleanup EXIT
"$PYTHON" tests/servers/fake_dns.py 0 >"$dns_log" 2>&1 &
dns_pid=$!
node tests/servers/ws_echo.js 0 >"$ws_log" 2>&1 &
ws_pid=$!
for _ in $(seq 100); do
    grep -q '^PORT ' "$dns_log" && grep -q '^PORT ' "$ws_log" && break
    sleep 0.1
done
dns_port=$(awk '/^PORT /{print $2; exit}' "$dns_log")
ws_port=$(awk '/^PORT /{print $2; exit}' "$ws_log")
[ -n "$dns_port" ] || { echo "fake_dns.py did not start"; cat "$dns_log"; exit 1; }
[ -n "$ws_port" ] || { echo "ws_echo.js did not start"; cat "$ws_log"; exit 1; }
"$WINE" "$exe" "$dns_port" "$ws_port"
