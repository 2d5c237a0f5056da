#!/usr/bin/env bash
# The TLS plug-in interface end to end: examples/tls_custom_backend (a
# pass-through backend) speaks wss:// to a plain ws echo server.
set -u
cd "$(dirname "$0")/.."
log=$(mktemp)
node tests/servers/ws_echo.js 0 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q '^PORT ' "$log" && break; sleep 0.1; done
"$@" "wss://127.0.0.1:$(awk '/^PORT /{print $2; exit}' "$log")/echo"
