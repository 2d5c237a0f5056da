#!/usr/bin/python3
"""Control-plane helper for run.sh (Debian python3-websockets).
  ab_ctl.py count URL      -> prints the case count sent by /getCaseCount
  ab_ctl.py info URL       -> prints the case id for /getCaseInfo?case=i
  ab_ctl.py ids BASEURL AGENT N  -> "i id" lines for cases 1..N
  ab_ctl.py update URL     -> connects to /updateReports and waits until the server closes
  ab_ctl.py summary OUTDIR AGENT   (reads OUTDIR/case_ids.txt to list cases with no result)
"""
import asyncio, json, os, sys

async def count(url):
    import websockets
    async with websockets.connect(url, compression=None, open_timeout=30) as ws:
        msg = await asyncio.wait_for(ws.recv(), 30)
        print(int(json.loads(msg)))

async def info(url):
    import websockets
    async with websockets.connect(url, compression=None, open_timeout=30) as ws:
        msg = await asyncio.wait_for(ws.recv(), 30)
        d = json.loads(msg)
        print(d.get("id"))

async def ids(base, agent, n):
    import websockets
    for i in range(1, n + 1):
        url = "%s/getCaseInfo?case=%d&agent=%s" % (base, i, agent)
        async with websockets.connect(url, compression=None, open_timeout=30) as ws:
            msg = await asyncio.wait_for(ws.recv(), 30)
            print(i, json.loads(msg).get("id"))

async def update(url):
    import websockets
    # report generation runs inside the server's onOpen; it closes when done
    async with websockets.connect(url, compression=None, open_timeout=600,
                                  close_timeout=30, ping_interval=None) as ws:
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 900)
        except websockets.exceptions.ConnectionClosed:
            pass

def summary(outdir, agent):
    with open(os.path.join(outdir, "index.json")) as f:
        idx = json.load(f)
    cases = idx.get(agent, {})
    def key(c):
        return [int(x) for x in c.split(".")]
    order = ["OK", "NON-STRICT", "INFORMATIONAL", "UNIMPLEMENTED", "FAILED"]
    counts = {b: 0 for b in order}
    for c, r in cases.items():
        counts[r["behavior"]] = counts.get(r["behavior"], 0) + 1
    print("== summary: %d cases for agent %s (%s)" % (len(cases), agent, outdir))
    print("   " + "  ".join("%s=%d" % (b, counts[b]) for b in counts))
    missing = []
    try:
        with open(os.path.join(outdir, "case_ids.txt")) as f:
            want = [l.split()[1] for l in f if l.strip()]
        missing = [c for c in want if c not in cases]
        if missing:
            print("== %d case(s) with NO RESULT (client never completed a handshake / case never ran): %s"
                  % (len(missing), " ".join(missing)))
    except FileNotFoundError:
        pass
    closebad = [c for c, r in cases.items() if r.get("behaviorClose") not in ("OK", "INFORMATIONAL", "NON-STRICT")]
    bad = sorted([c for c, r in cases.items()
                  if r["behavior"] not in ("OK", "NON-STRICT", "INFORMATIONAL")], key=key)
    soft = sorted([c for c, r in cases.items() if r["behavior"] in ("NON-STRICT", "INFORMATIONAL")], key=key)
    if soft:
        print("== NON-STRICT / INFORMATIONAL: " + " ".join("%s(%s)" % (c, cases[c]["behavior"]) for c in soft))
    if closebad:
        print("== behaviorClose not OK: " + " ".join("%s(%s)" % (c, cases[c].get("behaviorClose")) for c in sorted(closebad, key=key)))
    if not bad:
        if not missing:
            print("== every case is OK, NON-STRICT or INFORMATIONAL")
        return 1 if missing else 0
    print("== %d case(s) not OK/NON-STRICT/INFORMATIONAL:" % len(bad))
    for c in bad:
        r = cases[c]
        try:
            with open(os.path.join(outdir, r["reportfile"])) as f:
                d = json.load(f)
        except Exception as e:
            d = {"result": "(no report file: %s)" % e}
        print("-- %s  behavior=%s behaviorClose=%s remoteCloseCode=%s duration=%sms" %
              (c, r["behavior"], r.get("behaviorClose"), r.get("remoteCloseCode"), r.get("duration")))
        print("   desc:        %s" % " ".join(str(d.get("description", "")).split())[:300])
        print("   result:      %s" % str(d.get("result"))[:600])
        print("   resultClose: %s" % str(d.get("resultClose"))[:300])
        if d.get("wasNotCleanReason"):
            print("   notClean:    %s" % d.get("wasNotCleanReason"))
    return 1

if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "count":
        asyncio.run(count(sys.argv[2]))
    elif cmd == "info":
        asyncio.run(info(sys.argv[2]))
    elif cmd == "ids":
        asyncio.run(ids(sys.argv[2], sys.argv[3], int(sys.argv[4])))
    elif cmd == "update":
        asyncio.run(update(sys.argv[2]))
    elif cmd == "summary":
        sys.exit(summary(sys.argv[2], sys.argv[3]))
    else:
        sys.exit("unknown command " + cmd)
