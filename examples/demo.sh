#!/usr/bin/env bash
# The main job in one command (make demo): start a local WebSocket server on
# 127.0.0.1, run the sio clients against it and show their events.
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
log=$(mktemp)
node tests/servers/ws_echo.js 0 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q '^PORT ' "$log" && break; sleep 0.1; done
port=$(awk '/^PORT /{print $2; exit}' "$log")
[ -n "$port" ] || { echo "demo: the local server did not start"; cat "$log"; exit 1; }
url="ws://127.0.0.1:$port/echo"
echo "== local ws server on $url"
echo
echo "== sioc ws --json $url   (stdin lines become text messages; EOF closes)"
printf 'hello from sioc\n{"temperature": 21.5}\nκόσμε 😀\n' | "$BUILD_DIR/sioc" ws --json "$url"
echo
echo "== sioc ws --json: a server-pushed message in 5 fragments (100-byte text + binary)"
"$BUILD_DIR/sioc" ws --json --exit-after 2 "ws://127.0.0.1:$port/fragmented?size=100&frags=5"
echo
echo "== examples/incari_ws_nodes.c: two named connections, Incari node events"
"$BUILD_DIR/incari_ws_nodes" "$url" "$url"
