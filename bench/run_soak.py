#!/usr/bin/env python3
"""The soak: CLIENTS Socket.IO clients in one thread (bench/soak.c) for a long
time against a real socket.io server (bench/soak_server.js) that is killed
(SIGKILL, a crash) and started again on the same port every RESTART seconds.

    make soak                                   (10,000 clients, one hour, a restart every 10 min)
    python3 bench/run_soak.py [--clients N] [--seconds S] [--restart-every S] [--build DIR]

It passes when:
  - no heartbeat was lost: no client gave up its connection for a missed ping
    ("ping timeout") and no server disconnected a client for a missed pong;
  - no client lost its connection outside the minute after a restart, and no
    emit with an ack failed outside it;
  - after every restart every client reconnected (within the minute);
  - no client ended for good;
  - the client's RSS after the warm-up (the first restart and its reconnections)
    stays flat: its last value within 2% (plus 1 MiB) of its value then.
Prints the figures, then PASS or FAIL with the reasons; exit status 0 on PASS.
"""
import argparse, json, os, resource, signal, socket, subprocess, sys, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GRACE = 60           # seconds after a restart in which losses are expected


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Server:
    """One socket.io server at a time on a fixed port; its stats lines kept."""

    def __init__(self, port):
        self.port, self.proc, self.stats, self.incarnations = port, None, [], []

    def start(self):
        for _ in range(100):     # the port may still be held for a moment after a kill
            proc = subprocess.Popen(["node", os.path.join(ROOT, "bench/soak_server.js"), str(self.port)],
                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
            first = proc.stdout.readline()
            if first.startswith("PORT "):
                self.proc = proc
                last = {}
                self.incarnations.append(last)
                threading.Thread(target=self._read, args=(proc, last), daemon=True).start()
                return
            proc.wait()
            time.sleep(0.1)
        sys.exit("soak: the server does not start on port %d" % self.port)

    def _read(self, proc, last):
        for line in proc.stdout:
            try:
                rec = json.loads(line)
            except ValueError:
                print("server: " + line.rstrip(), file=sys.stderr)
                continue
            last.clear()
            last.update(rec)
            self.stats.append(rec)

    def kill(self):
        if self.proc:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self.proc = None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=10000)
    ap.add_argument("--seconds", type=float, default=3600)
    ap.add_argument("--restart-every", type=float, default=600)
    ap.add_argument("--emit-every", type=float, default=30)
    ap.add_argument("--build", default=os.environ.get("BUILD_DIR", "build"))
    ap.add_argument("--log", help="keep the client's and the server's JSON lines in this file")
    a = ap.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = a.clients + 1024
    if soft < want:
        if hard != resource.RLIM_INFINITY and hard < want:
            sys.exit("soak: %d clients need %d file descriptors, the limit is %d" % (a.clients, want, hard))
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))

    port = free_port()
    server = Server(port)
    server.start()
    client = subprocess.Popen([os.path.join(a.build, "soak"), "http://127.0.0.1:%d/" % port, str(a.clients),
                               str(a.seconds), str(a.emit_every)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    lines = []
    reader = threading.Thread(target=lambda: lines.extend(json.loads(l) for l in client.stdout), daemon=True)
    reader.start()
    t0 = time.time()
    restarts = []
    next_progress = t0 + 60
    try:
        while client.poll() is None:
            next_restart = t0 + a.restart_every * (len(restarts) + 1)
            while client.poll() is None and time.time() < next_restart:
                time.sleep(0.5)
                if time.time() >= next_progress and lines and lines[-1]["type"] == "interval":
                    last = lines[-1]
                    print("[%5.0f s] %d/%d connected, heap %.1f MB, rss %.1f MB, restarts %d" %
                          (last["t"], last["connected"], a.clients, last["heap"] / 1e6, last["rss_kb"] / 1024,
                           len(restarts)), file=sys.stderr, flush=True)
                    next_progress += 60
            if client.poll() is None and time.time() < t0 + a.seconds - GRACE:
                server.kill()
                restarts.append(time.time())
                server.start()
    finally:
        time.sleep(6)          # the server's last stats line
        server.kill()
        reader.join(10)
    if a.log:
        with open(a.log, "w") as f:
            for rec in lines:
                f.write(json.dumps(rec) + "\n")
            for rec in server.stats:
                f.write(json.dumps(dict(rec, type="server")) + "\n")
    return judge(a, lines, server, restarts, t0, client.returncode)


def judge(a, lines, server, restarts, t0, rc):
    fails = []
    intervals = [l for l in lines if l["type"] == "interval"]
    end = [l for l in lines if l["type"] == "end"]
    if rc != 0 or not end:
        fails.append("the soak client exited with status %s" % rc)
    near = lambda wall: any(r - 5 <= wall <= r + GRACE for r in restarts)
    down = lambda l: sum(l["down"].values())
    out_down = sum(down(l) for l in intervals if not near(l["wall"]))
    out_failed = sum(l["failed"] for l in intervals if not near(l["wall"]))
    heartbeats = sum(l["heartbeat"] for l in intervals)
    server_timeouts = sum(inc.get("reasons", {}).get("ping timeout", 0) for inc in server.incarnations)
    print("%d clients, %.0f s, server (socket.io, pingInterval 25 s) killed and restarted every %.0f s: %d restarts"
          % (a.clients, a.seconds, a.restart_every, len(restarts)))
    print("restart   down  reconnected after  rss MB  heap MB")
    for i, r in enumerate(restarts):
        after = [l for l in intervals if l["wall"] >= r]
        lost = sum(down(l) for l in after if l["wall"] <= r + GRACE)
        back = next((l for l in after if l["connected"] == a.clients and down(l) == 0 and l["wall"] > r + 1), None)
        if back is None or back["wall"] > r + GRACE:
            fails.append("after restart %d not every client reconnected within %d s" % (i + 1, GRACE))
        shown = back or (after[-1] if after else {"rss_kb": 0, "heap": 0})
        print("%7d %6d %18s %7.1f %8.1f" % (i + 1, lost, "%d s" % (back["wall"] - r) if back else "never",
                                           shown["rss_kb"] / 1024, shown["heap"] / 1e6))
    if end:
        e = end[0]
        print("totals: %d connects, %d reconnects, %d emits with ack, %d acked, %d failed"
              % (e["connects"], e["reconnects"], e["sent"], e["acked"], e["failed"]))
        print("connections lost: %s" % (", ".join("%s: %d" % kv for kv in e["down"].items()) or "none"))
        print("ERROR events: %s" % (", ".join("%s: %d" % kv for kv in e["errors"].items()) or "none"))
        if e["closed"]:
            fails.append("%d clients ended for good" % e["closed"])
    print("heartbeats lost: %d by the clients (ping timeout), %d by the servers" % (heartbeats, server_timeouts))
    if heartbeats or server_timeouts:
        fails.append("heartbeats were lost")
    if out_down or out_failed:
        fails.append("%d connections lost and %d acks failed outside the minute after a restart"
                     % (out_down, out_failed))
    if restarts:
        warm = [l for l in intervals if l["wall"] > restarts[0] + GRACE]
        if warm:
            base, last = warm[0], warm[-1]
            peak = max(l["rss_kb"] for l in warm)
            print("client RSS after warm-up (first restart + %d s): %.1f MB, at the end %.1f MB, peak %.1f MB;"
                  " heap %.1f MB -> %.1f MB; server RSS at the end %.0f MB"
                  % (GRACE, base["rss_kb"] / 1024, last["rss_kb"] / 1024, peak / 1024, base["heap"] / 1e6,
                     last["heap"] / 1e6, server.stats[-1]["rss_kb"] / 1024 if server.stats else 0))
            if last["rss_kb"] > base["rss_kb"] * 1.02 + 1024:
                fails.append("the client's RSS grew after the warm-up")
    print("FAIL: " + "; ".join(fails) if fails else "PASS")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
