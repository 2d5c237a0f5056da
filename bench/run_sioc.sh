#!/usr/bin/env bash
# sioc io --json as a whole process: CPU (user + sys, startup included) per
# received event printed as a JSON line, against the Node socket.io-client
# and python-socketio printing the same records, same server, same run.  A
# reader drains each client's stdout pipe, as a script would; every client
# must print all N event records.  Two phases: "stream", the server emitting
# as fast as it can (each event tends to arrive alone: one wake-up, read and
# write each), and "burst", the same events waiting in the socket while the
# client is stopped (SIGSTOP after its "ready" record, SIGCONT 2 s later),
# read as a backlog, many per wake-up.
#   make bench-sioc        (or: bash bench/run_sioc.sh [N] [ROUNDS])
set -eu
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build}
N=${1:-200000}
ROUNDS=${2:-5}
. bench/lib.sh
start_node bench/io_server.js
url="http://127.0.0.1:$port/"
/usr/bin/python3 - "$url" "$N" "$ROUNDS" "$BUILD_DIR/sioc" <<'PY'
import os, signal, statistics, subprocess, sys, time
url, n, rounds, sioc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def clients(phase):
    c = {
        "sioc io --json": ([sioc, "io", "--json", "--transport", "websocket", "--exit-after",
                            str(n + (phase == "burst")), url],            # "ready" is a record too
                           ('["%s",%d]\n' % (phase, n)).encode()),
        "node socket.io-client 4.8": (["node", "bench/print_node.js", url, str(n), phase], b""),
    }
    try:
        import socketio, aiohttp  # noqa: F401  (Debian python3-socketio)
        c["python-socketio (asyncio)"] = (["/usr/bin/python3", "bench/print_python.py", url, str(n), phase], b"")
    except ImportError:
        pass
    return c

def run(argv, stdin):
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    p.stdin.write(stdin)
    p.stdin.flush()
    records = 0
    for line in p.stdout:               # a script reading the pipe, line by line
        if line.startswith(b'{"type":"event"') and b'"tick"' in line:
            records += 1
        elif b'"ready"' in line:        # burst: the ticks come in 500 ms; hold the client meanwhile
            os.kill(p.pid, signal.SIGSTOP)
            time.sleep(2)
            os.kill(p.pid, signal.SIGCONT)
    p.stdin.close()
    _, status, ru = os.wait4(p.pid, 0)
    p.returncode = status
    if records != n:
        sys.exit("%s printed %d tick records, not %d" % (argv[0], records, n))
    return (ru.ru_utime + ru.ru_stime) * 1e6 / n, ru.ru_utime * 1e6 / n

print("%d events, printed as JSON lines to a pipe; whole-process CPU per event, medians of %d rounds" % (n, rounds))
for phase in ("stream", "burst"):
    cl = clients(phase)
    cpu = {c: [] for c in cl}
    for _ in range(rounds):
        for c, (argv, stdin) in cl.items():
            cpu[c].append(run(argv, stdin))
    med = {c: (statistics.median(t for t, _ in v), statistics.median(u for _, u in v)) for c, v in cpu.items()}
    print("-- %s" % phase)
    for c, (t, u) in med.items():
        print("%-30s user+sys %7.3f us   user %7.3f us" % (c, t, u))
    s, su = med["sioc io --json"]
    for c, (t, u) in med.items():
        if c != "sioc io --json":
            print("sioc / %s: %.3fx (user %.3fx)" % (c, s / t, su / u))
PY
