#!/usr/bin/env bash
# sioc ws --echo against wscat-like Node (ws) and Python (websockets) clients:
# a server sends N messages of 32 bytes, at most 1000 unanswered, and closes
# after the N-th echo.  Messages per second (wall time of the whole client
# process) and its CPU per message, medians of ROUNDS, one run.
#   make bench-echo        (or: bash bench/run_echo.sh [N] [ROUNDS])
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
N=${1:-200000}
ROUNDS=${2:-5}
. bench/lib.sh
start_node bench/echo_server.js
/usr/bin/python3 - "ws://127.0.0.1:$port/?n=$N" "$N" "$ROUNDS" "$BUILD_DIR/sioc" <<'PY'
import os, statistics, subprocess, sys, time
url, n, rounds, sioc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
clients = {"sioc ws --echo": [sioc, "ws", "--echo", url], "node ws (wscat-like)": ["node", "bench/echo_node.js", url]}
try:
    import websockets  # noqa: F401  (Debian python3-websockets)
    clients["python websockets"] = ["/usr/bin/python3", "bench/echo_python.py", url]
except ImportError:
    pass
res = {c: [] for c in clients}
for _ in range(rounds):
    for c, argv in clients.items():
        t0 = time.monotonic()
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        if status != 0:
            sys.exit("%s exited with status %d" % (argv[0], status))
        res[c].append((n / wall, (ru.ru_utime + ru.ru_stime) * 1e6 / n))
print("%d messages of 32 bytes echoed, at most 1000 in flight; medians of %d rounds" % (n, rounds))
med = {c: (statistics.median(r for r, _ in v), statistics.median(u for _, u in v)) for c, v in res.items()}
for c, (rate, cpu) in med.items():
    print("%-24s %9.0f messages/s   client CPU %6.2f us per message" % (c, rate, cpu))
s = med["sioc ws --echo"]
for c, (rate, cpu) in med.items():
    if c != "sioc ws --echo":
        print("sioc / %s: %.2fx the messages per second, %.3fx the CPU per message" % (c, s[0] / rate, s[1] / cpu))
PY
