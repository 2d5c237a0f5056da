# Shared by the bench/run_*.sh scripts (sourced): start_node SCRIPT starts a
# Node server that prints "PORT <n>" first, stops it at exit, and sets $port.
servers=""
logs=""
trap 'kill $servers 2>/dev/null; rm -f $logs' EXIT
start_node() {
    local log
    log=$(mktemp)
    logs="$logs $log"
    node "$1" 0 >"$log" 2>&1 &
    servers="$servers $!"
    for _ in $(seq 50); do grep -q '^PORT ' "$log" && break; sleep 0.1; done
    port=$(awk '/^PORT /{print $2; exit}' "$log")
    [ -n "$port" ] || { echo "$1 did not start:"; cat "$log"; exit 1; }
}
