#!/usr/bin/env bash
# Starts the npm ws and Python websockets echo servers and a socket.io server
# on 127.0.0.1 and runs a test_parts_live binary (optionally behind a
# wrapper) against each.
#   tests/run_parts_live.sh [WRAPPER ...] build/test_parts_live [MIB]
set -u
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-/usr/bin/python3}
logs=() pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null; rm -f "${logs[@]}"; }
trap cleanup EXIT
start() {
    local log
    log=$(mktemp)
    logs+=("$log")
    NODE_PATH=node_modules "$@" 0 >"$log" 2>&1 &
    pids+=($!)
    for _ in $(seq 100); do grep -q '^PORT ' "$log" && break; sleep 0.1; done
    awk '/^PORT /{print $2; exit}' "$log"
}
ws_port=$(start node tests/servers/ws_echo.js)
py_port=$(start "$PYTHON" tests/servers/py_echo.py)
io_port=$(IO_MAX_BUFFER=300000000 IO_PING_INTERVAL=2000 IO_PING_TIMEOUT=5000 start node tests/servers/io_server.js)
pyio_port=$(start "$PYTHON" tests/servers/py_io_server.py --ping-interval 2 --ping-timeout 5)
[ -n "$ws_port" ] && [ -n "$py_port" ] && [ -n "$io_port" ] && [ -n "$pyio_port" ] ||
    { echo "a server did not start"; cat "${logs[@]}"; exit 1; }
mib=""
args=("$@")
last=${args[$((${#args[@]} - 1))]}
case "$last" in *[!0-9]*|"") ;; *) mib=$last; unset 'args[${#args[@]}-1]';; esac
pass=0 fail=0
for url in "ws://127.0.0.1:$ws_port/echo" "ws://127.0.0.1:$py_port/echo" "http://127.0.0.1:$io_port/" \
           "http://127.0.0.1:$pyio_port/"; do
    up=""                                  # aiohttp takes WebSocket messages of 4 MiB at most
    [ "$url" = "http://127.0.0.1:$pyio_port/" ] && up=3
    if out=$(SIO_UPLOAD_MIB=$up "${args[@]}" "$url" $mib 2>&1); then pass=$((pass + 1)); else fail=$((fail + 1)); fi
    printf '%s\n' "$out" | grep -v ' passed, '
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
