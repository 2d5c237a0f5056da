#!/usr/bin/env bash
# Heap and RSS per connected idle Socket.IO client at 1, 100, 1000 and 10,000
# clients in one thread (sio_set), heartbeats every 2 s held for HOLD seconds.
#   make bench-mem      (or: bash bench/run_mem.sh [HOLD_SECONDS] [COUNTS...])
# DEFLATE=on|no-takeover: clients offer permessage-deflate and the server
# compresses every frame.  Every client gets a 380-byte event at connect.
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
HOLD=${1:-10}
shift || true
COUNTS=${*:-1 100 1000 10000}
ulimit -n 20000 2>/dev/null || true
log=$(mktemp)
DEFLATE=${DEFLATE:-off}
if [ "$DEFLATE" != off ]; then export IO_DEFLATE=1; fi
IO_WELCOME=1 IO_PING_INTERVAL=2000 IO_PING_TIMEOUT=2000 node bench/io_server.js 0 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q '^PORT ' "$log" && break; sleep 0.1; done
url="http://127.0.0.1:$(awk '/^PORT /{print $2; exit}' "$log")/"
echo "idle Socket.IO clients held ${HOLD} s, server pingInterval 2 s, permessage-deflate $DEFLATE; bytes per client"
printf '%8s %10s %10s %10s %10s %6s\n' clients heap sio_memory rss heap_peak lost
for n in $COUNTS; do
    "$BUILD_DIR/bench_mem" "$url" "$n" "$HOLD" "$DEFLATE" | /usr/bin/python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
print("%8d %10.0f %10.0f %10.0f %10.0f %6d" % (r["clients"], r["heap_per_client"], r["api_per_client"],
      r["rss_per_client"], r["heap_peak_per_client"], r["lost"]))'
done
