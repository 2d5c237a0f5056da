#!/usr/bin/env bash
# Starts tests/servers/io_server.js on 127.0.0.1 and runs a test_io_live binary
# (optionally behind a wrapper such as valgrind) against it.
#   tests/run_io_live.sh [WRAPPER ...] build/test_io_live
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
node tests/servers/io_server.js 0 --ping-interval 2000 --ping-timeout 2000 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q '^PORT ' "$log" && break; sleep 0.1; done
port=$(awk '/^PORT /{print $2; exit}' "$log")
[ -n "$port" ] || { echo "io_server did not start"; cat "$log"; exit 1; }
"$@" "http://127.0.0.1:$port"
