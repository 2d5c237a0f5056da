#!/usr/bin/env bash
# The main job in one command (make demo): start a local Socket.IO + WebSocket
# server on 127.0.0.1, run the sio C clients against it and show their events.
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
log=$(mktemp)
node examples/demo_server.js 0 >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -f "$log"' EXIT
for _ in $(seq 50); do grep -q '^PORT ' "$log" && break; sleep 0.1; done
port=$(awk '/^PORT /{print $2; exit}' "$log")
[ -n "$port" ] || { echo "demo: the local server did not start"; cat "$log"; exit 1; }
base="http://127.0.0.1:$port"
echo "== local Socket.IO server (socket.io, npm) on $base, WebSocket echo on ws://127.0.0.1:$port/echo"
echo
echo "== sioc io --json --ack $base/    stdin: one JSON array per emit"
printf '%s\n' '["message","hello from sioc","κόσμε 😀",{"nested":[1,2,null]}]' \
              '["temperature",21.5]' '["picture"]' |
    "$BUILD_DIR/sioc" io --json --ack --exit-after 3 "$base/"
echo
echo "== sioc io --json $base/admin    (middleware refuses without a token)"
"$BUILD_DIR/sioc" io --json "$base/admin" </dev/null || echo "(exit $?: connect_error ends the session)"
echo
echo "== sioc io --json --auth '{\"token\":\"secret\"}' $base/admin"
"$BUILD_DIR/sioc" io --json --auth '{"token":"secret"}' --exit-after 1 "$base/admin" </dev/null
echo
echo "== examples/incari_nodes.c: the Incari Socket.IO nodes (Start, Subscribe, Send, Receive, Stop)"
"$BUILD_DIR/incari_nodes" "$base/"
echo
echo "== sioc ws --json ws://127.0.0.1:$port/echo   (plain WebSocket; stdin lines are text messages)"
printf 'hello over a raw WebSocket\n{"temperature": 21.5}\n' | "$BUILD_DIR/sioc" ws --json "ws://127.0.0.1:$port/echo"
echo
echo "== examples/incari_ws_nodes.c: two named WebSocket connections in one loop"
"$BUILD_DIR/incari_ws_nodes" "ws://127.0.0.1:$port/echo" "ws://127.0.0.1:$port/echo"
