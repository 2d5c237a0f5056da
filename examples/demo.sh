#!/usr/bin/env bash
# The main job in one command (make demo): start a local Socket.IO + WebSocket
# server on 127.0.0.1, run the sio C clients against it and show their events.
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
log=$(mktemp)
certs=$(mktemp -d)
trap 'kill $server 2>/dev/null; rm -rf "$log" "$certs"' EXIT
# A throwaway CA and a certificate for 127.0.0.1 signed by it, for the TLS part.
tls_args=
if command -v openssl >/dev/null && (
    cd "$certs" && umask 077 &&
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=sio demo CA" \
        -keyout ca.key -out ca.pem &&
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr &&
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >ext &&
    openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext -out server.pem
) >/dev/null 2>&1; then
    tls_args="$certs/server.pem $certs/server.key"
fi
# shellcheck disable=SC2086
node examples/demo_server.js 0 $tls_args >"$log" 2>&1 &
server=$!
for _ in $(seq 50); do grep -q "^${tls_args:+TLS}PORT " "$log" && break; sleep 0.1; done
port=$(awk '/^PORT /{print $2; exit}' "$log")
tls_port=$(awk '/^TLSPORT /{print $2; exit}' "$log")
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
echo
if [ -z "$tls_port" ]; then
    echo "== (TLS part skipped: openssl did not make a certificate)"
    exit 0
fi
echo "== TLS, verified: the same server on https://127.0.0.1:$tls_port with a certificate for IP 127.0.0.1"
echo "   signed by a CA made just now (not in the system store, so sioc is given it with --cafile)"
echo
echo "== sioc ws --json --cafile ca.pem wss://127.0.0.1:$tls_port/echo"
out=$(printf 'hello over wss\n' | "$BUILD_DIR/sioc" ws --json --cafile "$certs/ca.pem" "wss://127.0.0.1:$tls_port/echo") || true
echo "$out"
case $out in *"TLS not available"*)
    echo "(this sioc was built without TLS: apt-get install libbearssl-dev, then make demo again)"; exit 0;;
esac
echo
echo "== sioc io --json --cafile ca.pem --exit-after 1 https://127.0.0.1:$tls_port/"
"$BUILD_DIR/sioc" io --json --cafile "$certs/ca.pem" --exit-after 1 "https://127.0.0.1:$tls_port/" </dev/null
echo
echo "== the same WebSocket without --cafile: the system store does not know the demo CA, so it is refused"
printf 'x\n' | "$BUILD_DIR/sioc" ws --json "wss://127.0.0.1:$tls_port/echo" || echo "(exit $?: refused, as it must be)"
