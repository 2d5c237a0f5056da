#!/usr/bin/env bash
# Socket.IO client CPU per event (receive and send paths) and emit-to-ack
# round trip: sio vs the Node socket.io-client, same server, same run.
#   make bench-io        (or: bash bench/run_io.sh [N] [ROUNDS])
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
N=${1:-200000}
ROUNDS=${2:-5}
. bench/lib.sh
start_node bench/io_server.js
url="http://127.0.0.1:$port/"
start_node bench/tcp_echo.js
echo_port=$port
out=$(mktemp)
tcp=$(mktemp)
for r in $(seq "$ROUNDS"); do
    "$BUILD_DIR/bench_io" "$url" "$N" >>"$out"
    node bench/node_client.js "$url" "$N" >>"$out"
    if /usr/bin/python3 -c 'import socketio, aiohttp' 2>/dev/null; then   # Debian python3-socketio
        /usr/bin/python3 bench/python_client.py "$url" "$N" >>"$out"
    fi
    "$BUILD_DIR/bench_tcp" "$echo_port" >>"$tcp"
done
/usr/bin/python3 - "$out" "$N" "$ROUNDS" "$tcp" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
tcp = [json.loads(l) for l in open(sys.argv[4]) if l.strip()]
by = {}
for r in rows: by.setdefault(r["client"], []).append(r)
keys = ["recv_user_us", "recv_sys_us", "burst_user_us", "burst_sys_us", "send_user_us", "send_sys_us", "ack_p50_us", "ack_p99_us"]
med = {c: {k: statistics.median(x[k] for x in v) for k in keys} for c, v in by.items()}
print(f"{sys.argv[2]} events per phase, medians of {sys.argv[3]} rounds; client CPU microseconds per event")
print("(user = the client's own code; sys = kernel time charged to the client; the server is excluded)")
print("recv = events as the server writes them (one wake-up each); burst = already queued when reading starts")
print(f"{'client':32} {'recv user':>9} {'recv sys':>9} {'burst user':>10} {'burst sys':>9} {'send user':>9} {'send sys':>9} {'ack p50':>8} {'ack p99':>8}")
for c, m in med.items():
    print(f"{c:32} {m['recv_user_us']:9.3f} {m['recv_sys_us']:9.3f} {m['burst_user_us']:10.3f} {m['burst_sys_us']:9.3f}"
          f" {m['send_user_us']:9.3f} {m['send_sys_us']:9.3f} {m['ack_p50_us']:8.1f} {m['ack_p99_us']:8.1f}")
sio = [c for c in med if c.startswith("sio")][0]
node = [c for c in med if c.startswith("node")][0]
py = [c for c in med if c.startswith("python")]
for phase in ("recv", "burst", "send"):
    line = f"{phase}:"
    for name, other in [("node", node)] + [("python", p) for p in py]:
        u = med[sio][phase + "_user_us"] / med[other][phase + "_user_us"]
        t = (med[sio][phase + "_user_us"] + med[sio][phase + "_sys_us"]) / (med[other][phase + "_user_us"] + med[other][phase + "_sys_us"])
        line += f"  sio/{name} user CPU {u:.3f}, user+sys {t:.3f};"
    print(line.rstrip(";"))
tp50 = statistics.median(t["rtt_p50_us"] for t in tcp)
tp99 = statistics.median(t["rtt_p99_us"] for t in tcp)
print(f"raw TCP ping-pong on loopback (32 bytes, Node echo server, same run): p50 {tp50:.1f} us, p99 {tp99:.1f} us")
print(f"emit-to-ack p50: sio {med[sio]['ack_p50_us'] / tp50:.2f}x the raw round trip, node {med[node]['ack_p50_us'] / tp50:.2f}x;"
      f" sio - raw = {med[sio]['ack_p50_us'] - tp50:.1f} us of Socket.IO work (server and client)")
srv = statistics.median(r["server_ack_cpu_us"] for r in by[sio])
print(f"server alone: socket.io's CPU per ack round trip (process.cpuUsage over the sio ack phase, every thread) {srv:.1f} us;"
      f" sio p50 {med[sio]['ack_p50_us']:.1f} us vs raw + server {tp50 + srv:.1f} us")
PY
rm -f "$out" "$tcp"
