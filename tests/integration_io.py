#!/usr/bin/python3
"""Integration tests for `sioc io` (Socket.IO v5 over Engine.IO v4 WebSocket).

    tests/integration_io.py --sioc build/sioc
    tests/integration_io.py --sioc build/sioc --wrapper 'valgrind --error-exitcode=99 -q'
    tests/integration_io.py -k fake       (only tests whose name contains "fake")
    tests/integration_io.py --list

Starts four servers on free 127.0.0.1 ports:
  io       tests/servers/io_server.js   socket.io 4.8 (repo's pinned dependency; `npm ci`),
                                        pingInterval 300, pingTimeout 200, maxHttpBufferSize 1e6
  io_small tests/servers/io_server.js --max-buffer 1000
  py       tests/servers/py_io_server.py  (Debian python3-socketio + python3-aiohttp)
  fake     tests/servers/fake_eio.py      (standard library; hand-made Engine.IO that
                                        misbehaves on purpose and records what the client sends)
Prints "PASS name" / "FAIL name: why" per test and then "N passed, N failed";
exits 1 if any test failed.  Under --wrapper time limits are multiplied by
--slow-factor (default 6) and the io server's ping settings are relaxed
(except in the heartbeat test's own timing checks, which scale too).
"""
import argparse
import base64
import http.client
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

from harness import (TestFailure, TestSkip, check, spawn, track, untrack, kill_live,
                     LiveRun, Registry, add_common_options, run_tests, new_counts, sigterm_as_interrupt)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SERVERS = os.path.join(HERE, "servers")
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

OPTS = None
WRAPPER = []
SLOW = 1.0
PORTS = {}            # server name -> port
SERVER_ERR = {}       # server name -> why it is unavailable

# Keep in sync with NESTED_ARGS in tests/servers/io_server.js.
NESTED_ARGS = [
    {
        "a": {"b": [1, 2, {"c": None, "d": [True, False]}], "e": {}},
        "unicode": "h\u00e9llo w\u00f6rld \u20ac \u4e2d\u6587 \u0416",
        "emoji": "\U0001F600\U0001F389\U0001F468\u200D\U0001F469\u200D\U0001F467",
        "escapes": "quote\" backslash\\ slash/ nl\n tab\t cr\r ctl\u0001 ls\u2028",
        "k\u00e9y \U0001F511": "unicode key",
        "numbers": [0, -1, 42, 3.5, -0.25, 1e-7, 1.5e300, 9007199254740991,
                    -9007199254740991],
        "empty_str": "",
        "empty_arr": [],
    },
    "plain",
    12345,
    -7.25,
    None,
    True,
    False,
    [[[[["deep"]]]]],
]


def short(v, n=300):
    s = v if isinstance(v, str) else json.dumps(v, ensure_ascii=True, default=repr)
    return s if len(s) <= n else s[:n] + "...(%d chars)" % len(s)


# ------------------------------------------------------------ JSON compare

class Bin:
    """A binary attachment as printed by sioc ({"_binary_b64": ...})."""

    def __init__(self, data):
        self.data = bytes(data)

    def __repr__(self):
        return "Bin(%s)" % self.data[:32].hex()


def norm(v):
    """Turn {"_binary_b64": s} into Bin so comparisons are on bytes."""
    if isinstance(v, dict):
        if set(v.keys()) == {"_binary_b64"} and isinstance(v["_binary_b64"], str):
            try:
                return Bin(base64.b64decode(v["_binary_b64"], validate=True))
            except ValueError:
                return v
        return {k: norm(x) for k, x in v.items()}
    if isinstance(v, list):
        return [norm(x) for x in v]
    return v


def jeq(a, b):
    """Structural equality that keeps true/false apart from 1/0."""
    if isinstance(a, Bin) or isinstance(b, Bin):
        return isinstance(a, Bin) and isinstance(b, Bin) and a.data == b.data
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return isinstance(a, str) and isinstance(b, str) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(jeq(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return set(a) == set(b) and all(jeq(a[k], b[k]) for k in a)
    return False


def first_diff(a, b, path="args"):
    """Human-readable location of the first difference (for failure messages)."""
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return "%s: length %d, want %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            if not jeq(x, y):
                return first_diff(x, y, "%s[%d]" % (path, i))
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return "%s: keys %s, want %s" % (path, sorted(a), sorted(b))
        for k in a:
            if not jeq(a[k], b[k]):
                return first_diff(a[k], b[k], "%s[%r]" % (path, k))
    return "%s: got %s, want %s" % (path, short(repr(a), 120), short(repr(b), 120))


def b64(data):
    return base64.b64encode(data).decode()


def B(data):
    """stdin/expected form of a binary argument."""
    return {"_binary_b64": b64(data)}


# ------------------------------------------------------------------ servers

class ServerSet:
    def __init__(self):
        self.procs = {}

    def start(self, name, argv, env=None):
        log = open(os.path.join(OPTS.tmp, "server-%s.log" % name), "wb")
        try:
            p = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=log,
                                 start_new_session=True)
        except OSError as e:
            SERVER_ERR[name] = "cannot start %s: %s" % (argv[0], e)
            return
        self.procs[name] = p
        box = []
        t = threading.Thread(target=lambda: box.append(p.stdout.readline()), daemon=True)
        t.start()
        t.join(20)
        line = box[0].decode("ascii", "replace").strip() if box else ""
        if not line.startswith("PORT "):
            SERVER_ERR[name] = ("server %s did not print its port (got %r); see %s"
                                % (name, line, log.name))
            return
        PORTS[name] = int(line.split()[1])

    def start_all(self):
        env = dict(os.environ)
        nm = os.path.join(ROOT, "node_modules")
        env["NODE_PATH"] = nm + (os.pathsep + env["NODE_PATH"] if env.get("NODE_PATH") else "")
        io_js = os.path.join(SERVERS, "io_server.js")
        if not os.path.isdir(os.path.join(nm, "socket.io")):
            SERVER_ERR["io"] = SERVER_ERR["io_small"] = (
                "node_modules/socket.io missing: run `npm ci` in %s" % ROOT)
        else:
            pi, pt = 300, 200
            if SLOW > 1:
                pi, pt = int(300 * SLOW), int(200 * SLOW)
            self.start("io", ["node", io_js, "0", "--ping-interval", str(pi),
                              "--ping-timeout", str(pt)], env)
            self.start("io_small", ["node", io_js, "0", "--max-buffer", "1000",
                                    "--ping-interval", str(pi), "--ping-timeout", str(pt)],
                       env)
            self.start("io3", ["node", io_js, "0", "--allow-eio3", "--ping-interval", str(pi),
                               "--ping-timeout", str(pt)], env)
            self.start("io_polling", ["node", io_js, "0", "--polling-only", "--ping-interval", str(pi),
                                      "--ping-timeout", str(pt)], env)
            self.start("io_deflate", ["node", io_js, "0", "--deflate", "--ping-interval", str(pi),
                                      "--ping-timeout", str(pt)], env)
            if os.path.isdir(os.path.join(nm, "socket.io-v2")):
                self.start("v2", ["node", os.path.join(SERVERS, "io_v2_server.js"), "0"], env)
            else:
                SERVER_ERR["v2"] = "node_modules/socket.io-v2 missing: run `npm ci` in %s" % ROOT
        py_pi, py_pt = (0.3, 0.2) if SLOW <= 1 else (0.3 * SLOW, 0.2 * SLOW)
        self.start("py", [PY, os.path.join(SERVERS, "py_io_server.py"), "0",
                          "--ping-interval", str(py_pi), "--ping-timeout", str(py_pt)])
        self.start("fake_polling", [PY, os.path.join(SERVERS, "fake_polling.py"), "0"])
        self.start("dns", [PY, os.path.join(SERVERS, "fake_dns.py"), "0"])
        self.start("fake", [PY, os.path.join(SERVERS, "fake_eio.py"), "0",
                            "--log", os.path.join(OPTS.tmp, "fake.jsonl")])

    def check_alive(self):
        for name, p in self.procs.items():
            if name in PORTS and p.poll() is not None and name not in SERVER_ERR:
                SERVER_ERR[name] = "server %s died (exit %s); see %s/server-%s.log" % (
                    name, p.returncode, OPTS.tmp, name)
                print("# " + SERVER_ERR[name], flush=True)

    def stop_all(self):
        for p in self.procs.values():
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except OSError:
                    pass
        for p in self.procs.values():
            try:
                p.wait(3)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except OSError:
                    pass
                p.wait()


def need(name):
    check(name not in SERVER_ERR, "server unavailable: %s" % SERVER_ERR.get(name))
    check(name in PORTS, "server %s not started" % name)
    return PORTS[name]


def url(server, ns="/", scheme="http"):
    return "%s://127.0.0.1:%d%s" % (scheme, need(server), ns)


# --------------------------------------------------------------- running sioc

# Runs argv[2:] as a child, waits for it with wait4() and writes its own
# resource usage (peak RSS in kB, user/sys CPU seconds) as JSON to argv[1];
# exits as the child did (re-raising its signal).  ru_maxrss is an upper bound
# of sioc's VmHWM: Linux keeps the forked Python's peak (~7 MB) across exec.
USAGE_WRAPPER = r"""
import json, os, signal, sys
out, argv = sys.argv[1], sys.argv[2:]
pid = os.fork()
if pid == 0:
    for s in ("SIGPIPE", "SIGXFSZ"):
        if hasattr(signal, s):
            signal.signal(getattr(signal, s), signal.SIG_DFL)
    try:
        os.execv(argv[0], argv)
    finally:
        os._exit(127)
for s in (signal.SIGINT, signal.SIGTERM):
    signal.signal(s, lambda n, f: os.kill(pid, n))
while True:
    try:
        _, status, ru = os.wait4(pid, 0)
        break
    except InterruptedError:
        continue
with open(out, "w") as fh:
    json.dump({"maxrss_kb": ru.ru_maxrss, "utime": ru.ru_utime, "stime": ru.ru_stime}, fh)
if os.WIFSIGNALED(status):
    signal.signal(os.WTERMSIG(status), signal.SIG_DFL)
    os.kill(os.getpid(), os.WTERMSIG(status))
sys.exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)
"""
_usage_n = [0]


class Run(LiveRun):
    """One `sioc io --json` process.  usage=True (and no --wrapper): run it
    under USAGE_WRAPPER; after finish() self.usage is {"maxrss_kb", "utime",
    "stime"} of the sioc process."""

    def __init__(self, args, stdin=b"", close_stdin=False, usage=False, reconnect=False):
        # Reconnection is sioc's default; tests of other behaviour turn it off
        # so that a lost connection ends the run.
        argv = (WRAPPER + [OPTS.sioc, "io", "--json"] + ([] if reconnect else ["--no-reconnect"])
                + (["--transport", OPTS.transport] if OPTS.transport else []) + list(args))
        if OPTS.transport not in ("", "websocket") and any(":%s/" % PORTS.get("fake", -1) in str(a) for a in args):
            raise TestSkip("the fake server speaks WebSocket only")
        self.usage = None
        self.usage_file = None
        if usage and not WRAPPER:
            _usage_n[0] += 1
            self.usage_file = os.path.join(OPTS.tmp, "usage-%d.json" % _usage_n[0])
            argv = [PY, "-c", USAGE_WRAPPER, self.usage_file] + argv
        LiveRun.__init__(self, argv, stdin, close_stdin, SLOW, bool(WRAPPER))

    def after_exit(self):
        if self.usage_file:
            try:
                with open(self.usage_file) as fh:
                    self.usage = json.load(fh)
            except (OSError, ValueError):
                self.usage = None

    def event_args(self, name):
        evs = self.events(name)
        check(evs, "no %r event record: %s" % (name, self.describe()))
        return norm(evs[0].get("args"))


def sioc(args, lines=(), timeout=10.0, close_stdin=False, raw_stdin=None, usage=False):
    """Run `sioc io --json ARGS`, feed LINES (JSON-encoded arrays or raw bytes)
    on stdin and wait for it to exit by itself.  stdin stays open until sioc
    exits unless close_stdin (EOF must not end an io session anyway)."""
    data = raw_stdin if raw_stdin is not None else b"".join(
        (l if isinstance(l, bytes) else
         json.dumps(l, ensure_ascii=False, separators=(",", ":")).encode("utf-8")) + b"\n"
        for l in lines)
    return Run(args, data, close_stdin, usage).finish(timeout)


def expect_rc(run, rc):
    check(run.rc == rc, "expected exit %d, got %s: %s" % (rc, run.rc, run.describe()))


def expect_connected(run, ns="/"):
    c = run.of("connect")
    check(c, "no connect record: %s" % run.describe())
    check(c[0].get("ns") == ns, "connect record ns %r, want %r" % (c[0].get("ns"), ns))
    sid = c[0].get("sid")
    check(isinstance(sid, str) and sid, "connect record without a sid: %s" % short(c[0]))
    return c[0]


def expect_args(run, name, want):
    got = run.event_args(name)
    check(jeq(got, norm(want)), "%r args differ: %s" % (name, first_diff(got, norm(want))))


def expect_disconnect(run, reason, ns="/"):
    d = run.of("disconnect")
    check(d, "no disconnect record (want reason %r): %s" % (reason, run.describe()))
    check(d[0].get("reason") == reason, "disconnect reason %r, want %r: %s"
          % (d[0].get("reason"), reason, run.describe()))
    check(d[0].get("ns", ns) == ns, "disconnect record ns %r, want %r" % (d[0].get("ns"), ns))
    return d[0]


def expect_no(run, typ):
    check(not run.of(typ), "unexpected %s record: %s" % (typ, run.describe()))


def expect_not_lost(run):
    """No disconnect other than the client's own (a client leaving because of
    --exit-after may print {"reason":"io client disconnect"})."""
    bad = [d for d in run.of("disconnect") if d.get("reason") != "io client disconnect"]
    check(not bad, "connection lost: %s" % run.describe())


# ------------------------------------------------------------------ fake server

_tag_lock = threading.Lock()
_tag_n = [0]


def new_tag(name):
    with _tag_lock:
        _tag_n[0] += 1
        return "%s-%d-%d" % (name, os.getpid(), _tag_n[0])


# fake_eio speaks WebSocket only; a lost connection must end the run (no retry)
NO_RETRY = ["--no-reconnect"]


def fake_args(scenario, tag):
    return ["--transport", "websocket"] + NO_RETRY + [
        "--path", "/%s/" % scenario, "--query", "id=" + tag]


def fresult(tag, wait=8.0):
    wait *= SLOW
    conn = http.client.HTTPConnection("127.0.0.1", need("fake"), timeout=wait + 5)
    try:
        conn.request("GET", "/__result?id=%s&wait=%s" % (tag, wait))
        rec = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    check(not rec.get("missing"), "fake server never saw connection %s" % tag)
    check(rec.get("done"), "fake connection %s still open after %.0fs: %s"
          % (tag, wait, short(rec, 400)))
    return rec


def client_texts(rec):
    return [f for f in rec["frames"] if f["opcode"] == 1]


def left_at(rec):
    """When the client left: its close frame or EOF, whichever came first."""
    ts = [t for t in (rec.get("close_t"), rec.get("eof_t") if rec.get("eof") else None)
          if t is not None]
    return min(ts) if ts else None


# -------------------------------------------------------------------- tests

REG = Registry()
test = REG.test


def add_test(name, fn):
    fn.__name__ = name
    REG.add(name, fn)


# --- socket.io 4.8 (node) ---------------------------------------------------
# Every connection to "/" of io_server.js first receives "auth" and "query"
# (2 event records) before anything the test asks for.

@test
def io_connect_root_prints_connect_with_sid():
    r = sioc(["--exit-after", "2", url("io")])
    expect_rc(r, 0)
    check(r.records[0].get("type") == "connect", "first record is not connect: %s"
          % r.describe())
    expect_connected(r, "/")
    check([e.get("name") for e in r.events()] == ["auth", "query"],
          "events %s, want auth, query" % short([e.get("name") for e in r.events()]))
    check(all(e.get("ns") == "/" for e in r.events()), "event ns not '/': %s" % r.describe())


@test
def io_ws_scheme_url_accepted():
    r = sioc(["--exit-after", "2", url("io", scheme="ws")])
    expect_rc(r, 0)
    expect_connected(r, "/")


@test
def io_eof_on_stdin_does_not_end_session():
    # stdin is closed right after the line; the session must still deliver the
    # reply 500 ms later and then exit because of --exit-after.
    r = sioc(["--exit-after", "3", url("io")], lines=[["delay", 500, "after-eof"]],
             close_stdin=True)
    expect_rc(r, 0)
    expect_args(r, "delayed-back", ["after-eof"])
    expect_not_lost(r)


@test
def io_auth_object_arrives():
    auth = {"token": "abc", "n": 1, "nested": {"u": "\u00e9\U0001F600"}}
    r = sioc(["--auth", json.dumps(auth), "--exit-after", "2", url("io")])
    expect_rc(r, 0)
    expect_args(r, "auth", [auth])


@test
def io_no_auth_gives_empty_object():
    r = sioc(["--exit-after", "2", url("io")])
    expect_rc(r, 0)
    expect_args(r, "auth", [{}])


@test
def io_query_params_arrive():
    r = sioc(["--query", "foo=bar", "--query", "x=1", "--exit-after", "2", url("io")])
    expect_rc(r, 0)
    q = r.event_args("query")[0]
    check(isinstance(q, dict), "query arg not an object: %s" % short(q))
    for k, v in (("foo", "bar"), ("x", "1"), ("EIO", "4"), ("transport", {"": "polling", "auto": "polling"}.get(OPTS.transport, OPTS.transport))):
        check(q.get(k) == v, "server saw query %s=%r, want %r (full: %s)"
              % (k, q.get(k), v, short(q)))


@test
def io_event_args_nested_json_round_trip():
    r = sioc(["--exit-after", "3", url("io")], lines=[["message"] + NESTED_ARGS])
    expect_rc(r, 0)
    expect_args(r, "message-back", NESTED_ARGS)


@test
def io_emit_over_max_payload_refused_and_connection_kept():
    """socket.io 4.8 advertises maxPayload (its maxHttpBufferSize, 1 MB here):
    an emit over it gets an error record at once and the connection stays
    (the next emit is answered, no disconnect), over WebSocket and polling.
    Before, the server dropped the connection ("transport close")."""
    for transport in ("websocket", "polling"):
        r = sioc(["--exit-after", "3", "--transport", transport, url("io")],
                 lines=[["message", "x" * 1100000], ["message", "small"]])
        expect_rc(r, 0)
        errors = r.of("error")
        check(errors and re.search("too big|maxpayload|size limit", errors[0].get("message", "").lower()) and
              not r.of("disconnect"),
              "%s: %s" % (transport, r.describe()))
        expect_args(r, "message-back", ["small"])


@test
def io_event_args_ascii_escaped_stdin_round_trip():
    # \\uXXXX escapes (incl. surrogate pairs for emoji) on stdin must be decoded
    line = json.dumps(["message"] + NESTED_ARGS, ensure_ascii=True).encode()
    r = sioc(["--exit-after", "3", url("io")], lines=[line])
    expect_rc(r, 0)
    expect_args(r, "message-back", NESTED_ARGS)


@test
def io_event_from_server_nested_unicode_args():
    r = sioc(["--exit-after", "3", url("io")], lines=[["nested"]])
    expect_rc(r, 0)
    ev = r.events("nested")
    check(ev and ev[0].get("ns") == "/", "nested event record: %s" % r.describe())
    expect_args(r, "nested", NESTED_ARGS)


@test
def io_event_no_args_round_trip():
    r = sioc(["--exit-after", "3", url("io")], lines=[["message"]])
    expect_rc(r, 0)
    expect_args(r, "message-back", [])


@test
def io_binary_from_server_byte_exact_nested():
    r = sioc(["--exit-after", "3", url("io")], lines=[["request-binary"]])
    expect_rc(r, 0)
    raw = r.events("binary")
    check(raw, "no binary event: %s" % r.describe())
    a = raw[0].get("args")
    check(isinstance(a, list) and len(a) == 2 and isinstance(a[0], dict)
          and "_binary_b64" in a[0], "binary args not as {_binary_b64}: %s" % short(a))
    expect_args(r, "binary", [B(b"\x01\x02\x03"), {"deep": [B(b"\x04\x05")]}])


BIN_ALL = bytes(range(256))


@test
def io_binary_to_server_echoed_byte_exact():
    args = [B(BIN_ALL), {"x": [B(b"\x00"), "text", B(b"\xff\xfe")]}, 7]
    r = sioc(["--exit-after", "3", url("io")], lines=[["message"] + args])
    expect_rc(r, 0)
    expect_args(r, "message-back", args)


def make_io_deflate(transport):
    def t():
        # socket.io with perMessageDeflate (threshold 0): every frame both ways
        # compressed, the upgrade probe's "3probe" too; text and binary.
        big = "socket.io permessage-deflate " * 400
        blob = bytes(range(256)) * 40
        args = [big, B(blob), {"x": [big[:100], B(b"\x00" * 3000)]}]
        r = sioc(["--transport", transport, "--exit-after", "4", url("io_deflate")],
                 lines=[["message"] + args, ["extensions"]])
        expect_rc(r, 0)
        expect_args(r, "message-back", args)
        ext = [e for e in r.of("event") if e.get("name") == "extensions"]
        check(ext and norm(ext[0].get("args")) == [["permessage-deflate"], "websocket"],
              "extensions agreed: %s" % r.describe())
    return t


add_test("io_deflate_over_websocket_round_trip", make_io_deflate("websocket"))
add_test("io_deflate_after_upgrade_round_trip", make_io_deflate("auto"))


@test
def io_binary_to_server_sent_as_real_attachments():
    # the server reports what it received: Buffers -> {"$buffer": hex}
    args = [B(BIN_ALL), {"x": [B(b"\x00\x01")]}, "s"]
    r = sioc(["--exit-after", "3", url("io")], lines=[["inspect"] + args])
    expect_rc(r, 0)
    expect_args(r, "inspected", [{"$buffer": BIN_ALL.hex()}, {"x": [{"$buffer": "0001"}]}, "s"])


@test
def io_empty_binary_round_trip():
    r = sioc(["--exit-after", "3", url("io")], lines=[["inspect", B(b""), "end"]])
    expect_rc(r, 0)
    expect_args(r, "inspected", [{"$buffer": ""}, "end"])


@test
def io_ack_for_client_emit():
    args = [1, "2", {"3": [True]}, None, False, "\u00e9\U0001F600"]
    r = sioc(["--ack", "--exit-after", "3", url("io")],
             lines=[["message-with-ack"] + args, ["message", "after"]])
    expect_rc(r, 0)
    acks = r.of("ack")
    check(acks, "no ack record: %s" % r.describe())
    a = [x for x in acks if jeq(norm(x.get("args")), args)]
    check(a, "no ack record with args %s: %s" % (short(args), r.describe()))
    check(a[0].get("ns") == "/", "ack ns %r" % a[0].get("ns"))
    check(isinstance(a[0].get("id"), int) and not isinstance(a[0].get("id"), bool)
          and a[0]["id"] >= 0, "ack id %r is not a non-negative integer" % a[0].get("id"))
    i_ack = r.records.index(a[0])
    i_back = r.records.index(r.events("message-back")[0])
    check(i_ack < i_back, "ack printed after a later event: %s" % r.describe())


@test
def io_ack_with_binary_args():
    args = [B(b"\x01\x02\x03"), {"k": B(b"")}]
    r = sioc(["--ack", "--exit-after", "3", url("io")],
             lines=[["message-with-ack"] + args, ["message", "after"]])
    expect_rc(r, 0)
    a = [x for x in r.of("ack") if jeq(norm(x.get("args")), norm(args))]
    check(a, "no ack record with the binary args: %s" % r.describe())


@test
def io_ack_timeout_prints_error():
    r = sioc(["--ack", "--ack-timeout", "300", "--exit-after", "3", url("io")],
             lines=[["ignore-me"], ["delay", 1200, "late"]], timeout=10)
    expect_rc(r, 0)
    errs = r.of("error")
    check(errs, "no error record for the ack that timed out: %s" % r.describe())
    i_err = r.records.index(errs[0])
    i_late = r.records.index(r.events("delayed-back")[0])
    check(i_err < i_late, "ack timeout error printed only after 1.2 s: %s" % r.describe())
    expect_no(r, "ack")
    expect_not_lost(r)


@test
def io_server_ack_request_answered_with_ack_reply():
    reply = ["pong", 1, {"k": "v", "u": "\u20ac"}, None, True]
    r = sioc(["--ack-reply", json.dumps(reply), "--exit-after", "4", url("io")],
             lines=[["request-ack", "x"]])
    expect_rc(r, 0)
    pa = r.events("please-ack")
    check(pa, "no please-ack event: %s" % r.describe())
    check(jeq(norm(pa[0].get("args")), ["x"]), "please-ack args %s" % short(pa[0].get("args")))
    aid = pa[0].get("ack_id")
    check(isinstance(aid, int) and not isinstance(aid, bool) and aid >= 0,
          "please-ack record has no integer ack_id: %s" % short(pa[0]))
    expect_args(r, "got-ack", reply)


@test
def io_server_ack_request_not_answered_by_default():
    r = sioc(["--exit-after", "4", url("io")],
             lines=[["request-ack", "x"], ["delay", 400, "end"]])
    expect_rc(r, 0)
    check(r.events("please-ack"), "no please-ack event: %s" % r.describe())
    check(not r.events("got-ack"), "client answered an ack without --ack-reply: %s"
          % r.describe())


@test
def io_admin_namespace_right_token():
    r = sioc(["--auth", '{"token":"secret"}', "--exit-after", "1", url("io", "/admin")],
             lines=[["message", "hi", 2, B(b"\x07")]])
    expect_rc(r, 0)
    expect_connected(r, "/admin")
    ev = r.events("admin-back")
    check(ev and ev[0].get("ns") == "/admin", "admin-back record (ns /admin): %s"
          % r.describe())
    expect_args(r, "admin-back", ["hi", 2, B(b"\x07")])


@test
def io_admin_namespace_wrong_token_connect_error():
    r = sioc(["--auth", '{"token":"nope"}', url("io", "/admin")], timeout=8)
    expect_rc(r, 1)
    expect_no(r, "connect")
    ce = r.of("connect_error")
    check(ce, "no connect_error record: %s" % r.describe())
    check(ce[0].get("ns") == "/admin", "connect_error ns %r" % ce[0].get("ns"))
    check(ce[0].get("message") == "not authorized", "connect_error message %r"
          % ce[0].get("message"))
    check(jeq(ce[0].get("data"), {"content": "retry later"}), "connect_error data %s"
          % short(ce[0].get("data")))
    check(len(ce) == 1, "connect_error printed %d times (retried?)" % len(ce))


@test
def io_admin_namespace_no_auth_connect_error():
    r = sioc([url("io", "/admin")], timeout=8)
    expect_rc(r, 1)
    ce = r.of("connect_error")
    check(ce and ce[0].get("message") == "not authorized", "connect_error: %s" % r.describe())


@test
def io_unknown_namespace_connect_error():
    r = sioc([url("io", "/unknown")], timeout=8)
    expect_rc(r, 1)
    expect_no(r, "connect")
    ce = r.of("connect_error")
    check(ce, "no connect_error record: %s" % r.describe())
    check(ce[0].get("message") == "Invalid namespace" and ce[0].get("ns") == "/unknown",
          "connect_error %s, want message 'Invalid namespace' ns /unknown" % short(ce[0]))


@test
def io_server_disconnect_exit_0():
    r = sioc([url("io")], lines=[["disconnect-me"]], timeout=8)
    expect_rc(r, 0)
    expect_connected(r)
    expect_disconnect(r, "io server disconnect")
    check(r.elapsed < 3 * SLOW, "took %.1fs to end after the server disconnect" % r.elapsed)


@test
def io_server_namespace_disconnect_engine_kept_exit_0():
    # socket.disconnect() without close: only `41` arrives, the engine stays up
    r = sioc([url("io")], lines=[["disconnect-me-soft"]], timeout=8)
    expect_rc(r, 0)
    expect_disconnect(r, "io server disconnect")
    check(r.elapsed < 3 * SLOW, "took %.1fs to end after the server disconnect" % r.elapsed)


@test
def io_heartbeat_held_3s():
    r = sioc(["--exit-after", "32", url("io")], lines=[["periodic", 100, 30]], timeout=12)
    expect_rc(r, 0)
    expect_not_lost(r)
    expect_no(r, "error")
    beats = [norm(e.get("args")) for e in r.events("beat")]
    check(beats == [[i] for i in range(30)], "beats %s, want [0]..[29]" % short(beats))
    check(r.elapsed >= 2.8, "session lasted only %.2fs" % r.elapsed)


@test
def io_heartbeat_idle_connection_kept():
    # nothing but pings for 2 s (pingInterval 300 / pingTimeout 200)
    r = sioc(["--exit-after", "3", url("io")], lines=[["delay", 2000, "still-here"]],
             timeout=10)
    expect_rc(r, 0)
    expect_not_lost(r)
    expect_args(r, "delayed-back", ["still-here"])


@test
def io_max_http_buffer_exceeded_refused_before_sending():
    """A server with maxHttpBufferSize 1000: a 5000-byte emit is refused by the
    client (its handshake said maxPayload 1000) with an error record, and the
    connection stays: the next emit is answered.  Until the client knew
    maxPayload, the server dropped the connection (exit 1, transport close)."""
    r = sioc(["--exit-after", "3", url("io_small")], lines=[["message", "x" * 5000], ["message", "small"]], timeout=8)
    expect_rc(r, 0)
    expect_connected(r)
    check(r.of("error") and re.search("maxpayload|too big|size limit", r.of("error")[0]["message"].lower())
          and not r.of("disconnect"), "no refusal, or a disconnect: %s" % r.describe())
    check([e["args"] for e in r.events("message-back")] == [["small"]], "echoes %s" % r.describe())


@test
def io_small_buffer_small_message_ok():
    r = sioc(["--exit-after", "3", url("io_small")], lines=[["message", "x" * 500]])
    expect_rc(r, 0)
    expect_args(r, "message-back", ["x" * 500])


@test
def io_subscribe_filters_events():
    r = sioc(["--subscribe", "message-back", "--subscribe", "binary", "--exit-after", "3",
              url("io")],
             lines=[["message", "a"], ["nested"], ["request-binary"], ["message", "b"]])
    expect_rc(r, 0)
    names = [e.get("name") for e in r.events()]
    check(names == ["message-back", "binary", "message-back"],
          "printed events %s, want message-back, binary, message-back" % names)
    check(jeq(norm(r.events()[2].get("args")), ["b"]), "last event %s" % short(r.events()[2]))
    expect_connected(r)


@test
def io_subscribe_filtered_binary_events_leave_the_wanted_ones_whole():
    # 0.2.0 corrupted a wanted binary event that followed a filtered one in
    # the same read: a leak, then "binary message without a binary packet".
    n = 300
    r = sioc(["--subscribe", "want", "--exit-after", str(n), url("io")], lines=[["binary-pairs", n]],
             timeout=20.0)
    expect_rc(r, 0)
    evs = r.events()
    check(len(evs) == n and all(e.get("name") == "want" for e in evs),
          "printed %d events, want %d 'want': %s" % (len(evs), n, r.describe()))
    bad = [i for i, e in enumerate(evs[:n]) if not jeq(norm(e.get("args")), norm([i, B(bytes([i & 255, 1, 2]))]))]
    check(not bad, "events with wrong arguments: %s" % short([evs[i] for i in bad[:3]]))
    check(not r.of("error"), "error record: %s" % r.describe())


@test
def io_exit_after_n():
    r = sioc(["--exit-after", "12", url("io")], lines=[["stream", 50]])
    expect_rc(r, 0)
    evs = r.events()
    check(len(evs) == 12, "printed %d event records, want 12: %s" % (len(evs), r.describe()))
    ticks = [norm(e.get("args")) for e in evs if e.get("name") == "tick"]
    check(ticks == [[i] for i in range(10)], "ticks %s" % short(ticks))
    check(r.elapsed < 3 * SLOW, "took %.1fs" % r.elapsed)


@test
def io_200kb_string_round_trip():
    s = ("0123456789abcdef\u00e9\u20ac" * 12000)[:200000]
    r = sioc(["--exit-after", "3", url("io")], lines=[["message", s]], timeout=15)
    expect_rc(r, 0)
    got = r.event_args("message-back")
    check(len(got) == 1 and isinstance(got[0], str), "message-back args shape: %s"
          % short(got))
    check(got[0] == s, "200 kB string differs (got %d chars, want %d)" % (len(got[0]), len(s)))


@test
def io_200kb_string_from_server():
    r = sioc(["--exit-after", "3", url("io")], lines=[["big", 200000]], timeout=15)
    expect_rc(r, 0)
    got = r.event_args("big")
    check(got == ["x" * 200000], "big string wrong (len %s)"
          % (len(got[0]) if got and isinstance(got[0], str) else short(got)))


@test
def io_10000_stream_events_in_order():
    n = 10000
    r = sioc(["--exit-after", str(n + 2), url("io")], lines=[["stream", n]], timeout=40)
    expect_rc(r, 0)
    ticks = [e.get("args") for e in r.events("tick")]
    check(len(ticks) == n, "received %d ticks, want %d" % (len(ticks), n))
    bad = next((i for i, a in enumerate(ticks) if a != [i]), None)
    check(bad is None, "tick %d has args %s (lost or out of order)"
          % (bad or 0, short(ticks[bad] if bad is not None else None)))
    expect_not_lost(r)


@test
def io_non_array_stdin_line_error_record_session_continues():
    r = sioc(["--exit-after", "3", url("io")],
             raw_stdin=b'not json\n{"a":1}\n"str"\n["message","ok"]\n')
    expect_rc(r, 0)
    errs = r.of("error")
    check(len(errs) >= 3, "want an error record per bad line (3), got %d: %s"
          % (len(errs), r.describe()))
    expect_args(r, "message-back", ["ok"])
    expect_not_lost(r)


def make_signal_test(sig):
    def t():
        run = Run([url("io")], b"", False)
        try:
            ok = run.wait_for(lambda x: x.get("type") == "event" and x.get("name") == "query",
                              5)
            check(ok, "no connect+query within 5 s: %s" % run.describe())
            time.sleep(0.1)
            run.kill(sig)
        finally:
            run.finish(5)
        expect_rc(run, 0)
        expect_connected(run)
        d = run.of("disconnect")
        if d:
            check(d[0].get("reason") == "io client disconnect",
                  "disconnect reason %r, want 'io client disconnect'" % d[0].get("reason"))
        check(run.elapsed < 3 * SLOW, "took %.1fs" % run.elapsed)
    return t


add_test("io_sigint_clean_disconnect_exit_0", make_signal_test(signal.SIGINT))
add_test("io_sigterm_clean_disconnect_exit_0", make_signal_test(signal.SIGTERM))


# --- transports: polling, upgrade, sticky sessions -----------------------------

def only_default_pass():
    if OPTS.transport:
        raise TestSkip("chooses its transports itself: runs in the default pass")



def transport_run(args, lines, pred, timeout=10):
    """Runs sioc with ARGS, writes LINES, waits for PRED over the records,
    then stops it with SIGINT."""
    run = Run(args, b"".join(json.dumps(l).encode() + b"\n" for l in lines), False)
    try:
        ok = run.wait_for(pred, timeout)
        check(ok, "condition not reached: %s" % run.describe())
        run.kill(signal.SIGINT)
    finally:
        run.finish(10)
    return run


def last_transport(run):
    ts = run.events("transport")
    return ts[-1]["args"][0] if ts else None


@test
def io_polling_only_stays_on_polling():
    only_default_pass()
    run = transport_run(["--transport", "polling", url("io")], [["message", "p"], ["transport"]],
                        lambda r: r.get("name") == "transport")
    expect_rc(run, 0)
    expect_args(run, "message-back", ["p"])
    check(last_transport(run) == "polling", "server saw transport %r" % last_transport(run))


@test
def io_auto_upgrades_to_websocket():
    only_default_pass()
    run = Run(["--transport", "auto", url("io")], b"", False)
    try:
        check(run.wait_for(lambda r: r.get("type") == "connect", 5), "no connect: %s" % run.describe())
        time.sleep(0.5 * SLOW)
        run.send(b'["transport"]\n')
        check(run.wait_for(lambda r: r.get("name") == "transport", 5), "no transport answer: %s" % run.describe())
        run.kill(signal.SIGINT)
    finally:
        run.finish(10)
    expect_rc(run, 0)
    check(last_transport(run) == "websocket", "server saw transport %r after the upgrade" % last_transport(run))


@test
def io_upgrade_while_both_sides_emit_loses_nothing():
    """Server beats every 2 ms and the client emits every 2 ms from the first
    moment, across the polling -> WebSocket upgrade: each side receives
    everything once, in order."""
    only_default_pass()
    n = 300
    run = Run(["--transport", "auto", url("io")], b"", False)
    try:
        check(run.wait_for(lambda r: r.get("type") == "connect", 5), "no connect: %s" % run.describe())
        run.send(b'["periodic",2,%d]\n' % n)
        for i in range(n):
            run.send(b'["message",%d]\n' % i)
            time.sleep(0.002)
        run.send(b'["transport"]\n')
        done = lambda r: r.get("name") == "transport"
        check(run.wait_for(done, 10), "no transport answer: %s" % run.describe())
        check(run.wait_for(lambda r: r.get("name") == "beat" and r.get("args") == [n - 1], 10),
              "beats did not finish: %s" % run.describe())
        run.kill(signal.SIGINT)
    finally:
        run.finish(10)
    expect_rc(run, 0)
    beats = [r["args"][0] for r in run.events("beat")]
    check(beats == list(range(n)), "server events lost/duplicated/reordered: %d received" % len(beats))
    backs = [r["args"][0] for r in run.events("message-back")]
    check(backs == list(range(n)), "client emits lost/duplicated/reordered: %d echoed" % len(backs))
    check(last_transport(run) == "websocket", "no upgrade happened (transport %r)" % last_transport(run))


@test
def io_polling_post_batches_split_under_max_payload():
    only_default_pass()
    """maxHttpBufferSize 1000: 40 emits of ~170 bytes queued while a POST is
    in flight must go out in several POSTs under 1000 bytes (one big POST
    would be refused with HTTP 413 and end the session)."""
    lines = [["message", "%03d" % i + "x" * 150] for i in range(40)]
    run = transport_run(["--transport", "polling", url("io_small")], lines,
                        lambda r: r.get("name") == "message-back" and r["args"][0].startswith("039"))
    expect_rc(run, 0)
    backs = [r["args"][0][:3] for r in run.events("message-back")]
    check(backs == ["%03d" % i for i in range(40)], "echoes %s" % backs)
    check(not run.of("disconnect") or run.of("disconnect")[0]["reason"] == "io client disconnect",
          "session ended: %s" % run.of("disconnect"))


@test
def io_polling_refused_handshake_error_body():
    only_default_pass()
    r = sioc(["--transport", "polling", "--query", "deny=1", url("io")], timeout=10)
    expect_rc(r, 1)
    errs = " | ".join(e["message"] for e in r.of("error"))
    check("403" in errs and "denied by test" in errs, "error records %r lack the status and message" % errs)


def start_sticky_proxy(upstream, extra=()):
    env = dict(os.environ)
    log = open(os.path.join(OPTS.tmp, "sticky-%d.log" % upstream), "wb")
    p = subprocess.Popen(["node", os.path.join(SERVERS, "sticky_proxy.js"), "0", str(upstream)] + list(extra),
                         stdout=subprocess.PIPE, stderr=log, env=env, start_new_session=True)
    log.close()
    track(p)
    line = p.stdout.readline().decode("ascii", "replace").split()
    check(len(line) == 2 and line[0] == "PORT", "sticky proxy did not start: %r" % line)
    return p, int(line[1]), os.path.join(OPTS.tmp, "sticky-%d.log" % upstream)


def make_sticky_test(transport):
    def t():
        only_default_pass()
        proxy, port, log = start_sticky_proxy(need("io"))
        run = Run(["--transport", transport, "http://127.0.0.1:%d/" % port],
                  b'["message","via-proxy"]\n["delay",700,"later"]\n', False)
        try:
            check(run.wait_for(lambda r: r.get("name") == "delayed-back", 10), "no delayed-back: %s" % run.describe())
            run.send(b'["transport"]\n')
            check(run.wait_for(lambda r: r.get("name") == "transport", 5), "no transport: %s" % run.describe())
            run.kill(signal.SIGINT)
        finally:
            run.finish(10)
            stop_fault_server(proxy)
        expect_rc(run, 0)
        expect_args(run, "message-back", ["via-proxy"])
        expect_args(run, "delayed-back", ["later"])
        with open(log) as fh:
            refused = fh.read()
        check(not refused.strip(), "the proxy refused requests without the sticky cookie: %s" % short(refused))
        want = "websocket" if transport == "auto" else "polling"
        check(last_transport(run) == want, "transport %r, want %r" % (last_transport(run), want))
    return t


@test
def io_upgrade_refused_falls_back_to_polling():
    """A proxy that answers every WebSocket upgrade with 503: auto keeps the
    session on polling, and nothing is lost."""
    only_default_pass()
    proxy, port, log = start_sticky_proxy(need("io"), ["--refuse-upgrade"])
    run = Run(["--transport", "auto", "http://127.0.0.1:%d/" % port], b'["message","one"]\n', False)
    try:
        check(run.wait_for(lambda r: r.get("name") == "message-back", 5), "no echo: %s" % run.describe())
        time.sleep(1.0 * SLOW)
        run.send(b'["message","two"]\n["transport"]\n')
        check(run.wait_for(lambda r: r.get("name") == "transport", 5), "no transport: %s" % run.describe())
        run.kill(signal.SIGINT)
    finally:
        run.finish(10)
        stop_fault_server(proxy)
    expect_rc(run, 0)
    check([r["args"] for r in run.events("message-back")] == [["one"], ["two"]], "echoes %s" % run.events("message-back"))
    check(last_transport(run) == "polling", "transport %r" % last_transport(run))
    check(not run.of("error"), "error records: %s" % run.of("error"))
    with open(log) as fh:
        check("upgrade refused" in fh.read(), "the client never tried to upgrade")


@test
def io_websocket_refused_falls_back_to_polling_with_try_all_transports():
    """--transport websocket against socket.io with transports ['polling'] (its
    answer to the upgrade request: 400) and through a proxy that answers
    upgrades with 503: with --try-all-transports the session runs on polling,
    with no error; without it, the connection fails as before."""
    only_default_pass()
    proxy, port, log = start_sticky_proxy(need("io"), ["--refuse-upgrade"])
    try:
        for target in (url("io_polling"), "http://127.0.0.1:%d/" % port):
            run = transport_run(["--transport", "websocket", "--try-all-transports", target],
                                [["message", "one"], ["transport"]], lambda r: r.get("name") == "transport")
            expect_rc(run, 0)
            expect_args(run, "message-back", ["one"])
            check(last_transport(run) == "polling" and not run.of("error"), "%s: %s" % (target, run.describe()))
            run = Run(["--transport", "websocket", target], b'["message","one"]\n', False)
            run.finish(10)
            check(run.rc == 1 and run.of("error") and not run.of("connect"), "%s: %s" % (target, run.describe()))
    finally:
        stop_fault_server(proxy)


@test
def io_remember_upgrade_reconnects_on_websocket():
    """--transport auto --remember-upgrade: the first session starts on polling
    and upgrades; the server is killed and restarted on the same port; the
    reconnection's handshake is a WebSocket one (the server's "query" event
    shows transport=websocket), where without the flag it is polling again."""
    only_default_pass()

    def start_io(port):
        env = dict(os.environ, NODE_PATH=os.path.join(ROOT, "node_modules"))
        p = subprocess.Popen(["node", os.path.join(SERVERS, "io_server.js"), str(port)], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=env, start_new_session=True)
        track(p)
        check(p.stdout.readline().startswith(b"PORT "), "io_server did not start on %d" % port)
        return p
    for remember, first_again in ((True, "websocket"), (False, "polling")):
        port = free_port()
        srv = start_io(port)
        run = Run(["--transport", "auto"] + (["--remember-upgrade"] if remember else []) +
                  ["http://127.0.0.1:%d/" % port], b'["extensions"]\n', False, reconnect=True)
        try:
            check(run.wait_for(lambda r: r.get("name") == "extensions", 10), "no upgrade: %s" % run.describe())
            stop_fault_server(srv)
            check(run.wait_for(lambda r: r.get("type") == "reconnecting", 10), "no reconnecting: %s" % run.describe())
            srv = start_io(port)
            check(run.wait_for(lambda r: r.get("type") == "reconnect", 15), "no reconnect: %s" % run.describe())
            check(run.wait_for(lambda r: len(run.events("query")) == 2, 5), "no second query: %s" % run.describe())
            queries = [q["args"][0].get("transport") for q in run.events("query")]
            check(queries == ["polling", first_again], "remember=%s: handshakes %s" % (remember, queries))
            run.kill(signal.SIGINT)
        finally:
            run.finish(10)
            stop_fault_server(srv)


# --- at-least-once emits: --retries, --ack-timeout, --queue-file ------------------

def start_recording_server(port, log, delay_ms):
    """io_server.js on port, appending every "record" value to log before it
    acks (after delay_ms)."""
    env = dict(os.environ, NODE_PATH=os.path.join(ROOT, "node_modules"))
    p = subprocess.Popen(["node", os.path.join(SERVERS, "io_server.js"), str(port), "--record-log", log,
                          "--record-delay", str(delay_ms)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         env=env, start_new_session=True)
    track(p)
    check(p.stdout.readline().startswith(b"PORT "), "io_server did not start on %d" % port)
    return p


def recorded(log):
    try:
        with open(log) as fh:
            return [json.loads(l) for l in fh if l.endswith("\n")]
    except OSError:
        return []


def check_in_order_at_least_once(values, n, first=0):
    """Every value first..n-1 arrived, in order; a value may come again only
    right after itself (the try in flight when the connection went)."""
    check(values[:1] == [first] and values[-1:] == [n - 1], "first/last recorded: %s ... %s" % (values[:3], values[-3:]))
    steps = [b - a for a, b in zip(values, values[1:])]
    bad = [(i, values[i], values[i + 1]) for i, d in enumerate(steps) if d not in (0, 1)]
    check(not bad, "out of order or lost at %s" % short(bad))


def wait_until(pred, timeout, what):
    end = time.monotonic() + timeout * SLOW
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.02)
    raise TestFailure("timed out waiting for %s" % what)


@test
def io_retries_survive_three_server_restarts_in_order():
    """--retries 5 --ack-timeout 2000 with 1000 emits queued at once against a
    socket.io 4.8 server that acks each after 3 ms and is killed (SIGKILL) and
    restarted on the same port three times: the server's handler saw every
    emit at least once and in order (a repeat only of the emit in flight at a
    kill), sioc printed 1000 ack records and no give-up, and the emits in
    flight at the kills were resent (retry records)."""
    only_default_pass()
    port, log = free_port(), os.path.join(OPTS.tmp, "record-%d.log" % os.getpid())
    if os.path.exists(log):
        os.unlink(log)
    srv = start_recording_server(port, log, 3)
    lines = b"".join(b'["record",%d]\n' % i for i in range(1000))
    run = Run(["--ack", "--retries", "5", "--ack-timeout", "2000", "http://127.0.0.1:%d/" % port], lines, False,
              reconnect=True)
    try:
        for k, at in enumerate((150, 400, 650)):
            wait_until(lambda: len(recorded(log)) >= at, 30, "%d records (%s)" % (at, run.describe()))
            lost = len(run.of("reconnecting"))
            stop_fault_server(srv)
            check(run.wait_for(lambda r, lost=lost: len(run.of("reconnecting")) > lost, 10),
                  "no reconnecting record: %s" % run.describe())
            time.sleep(0.3)
            srv = start_recording_server(port, log, 3)
            check(run.wait_for(lambda r, k=k: len(run.of("reconnect")) > k, 20), "no reconnect: %s" % run.describe())
        check(run.wait_for(lambda r: len(run.of("ack")) >= 1000, 60), "not 1000 acks: %s" % run.describe())
        run.kill(signal.SIGINT)
    finally:
        run.finish(10)
        stop_fault_server(srv)
    expect_rc(run, 0)
    check_in_order_at_least_once(recorded(log), 1000)
    acks = run.of("ack")
    check(len(acks) == 1000 and len(set(a["id"] for a in acks)) == 1000 and all(a["args"] == ["ok"] for a in acks),
          "ack records: %d, ids %d" % (len(acks), len(set(a["id"] for a in acks))))
    check(not run.of("give-up"), "give-up records: %s" % run.of("give-up")[:3])
    check(len(run.of("reconnect")) == 3, "reconnects: %d" % len(run.of("reconnect")))
    check(run.of("retry") and all(r["attempt"] == 1 and r["reason"] == "the connection was lost" for r in run.of("retry")),
          "retry records: %s" % run.of("retry")[:5])


def start_fault_proxy(target, name, *opts):
    """tests/servers/fault_proxy.py in front of 127.0.0.1:target; returns (proc, port, its fault log)."""
    py = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    p = start_proc([py, os.path.join(SERVERS, "fault_proxy.py"), str(target)] + list(opts), name)
    line = p.stdout.readline()
    check(line.startswith(b"PORT "), "fault_proxy did not start: %r" % line)
    return p, int(line.split()[1]), os.path.join(OPTS.tmp, "%s.log" % name)


def fault_kinds(path):
    """The faults tests/servers/fault_proxy.py logged so far."""
    with open(path) as f:
        return [json.loads(l)["fault"] for l in f if l.startswith("{") and l.endswith("\n")]


@test
def io_acks_through_a_bad_network_and_three_server_restarts():
    """The kernel here has no netem, so a userspace proxy plays the bad
    network (tests/servers/fault_proxy.py): every byte 20 +- 10 ms late and
    split at random, a connection reset or half-closed every few seconds, the
    whole link stalled for 2 s now and then.  Through it, sioc --ack with 1000
    emits (polling, then the upgrade) while the socket.io 4.8 server behind is
    killed and restarted three times: every emit is acked or reported failed,
    exactly once; every acked one reached the server's handler exactly once,
    in order; sioc exits promptly on SIGINT."""
    only_default_pass()
    port, log = free_port(), os.path.join(OPTS.tmp, "record-net-%d.log" % os.getpid())
    if os.path.exists(log):
        os.unlink(log)
    srv = start_recording_server(port, log, 1)
    proxy, pport, faults = start_fault_proxy(port, "fault-proxy-%d" % os.getpid(), "--seed", "7",
                                             "--delay-ms", "20", "--jitter-ms", "10", "--cut-every", "1.5",
                                             "--stall-every", "5", "--stall-ms", "2000")
    run = Run(["--ack", "http://127.0.0.1:%d/" % pport], b"", False, reconnect=True)

    def failed_ids():
        return [int(m.group(1)) for m in (re.match(r"ack (\d+) on /: ", e.get("message", "")) for e in run.of("error")) if m]

    answered = lambda: len(run.of("ack")) + len(failed_ids())
    try:
        check(run.wait_for(lambda r: r.get("type") == "connect", 20), "no connect: %s" % run.describe())
        for k in range(4):
            for j in range(k * 250, k * 250 + 250, 25):        # spread over 2.5 s
                run.send(b"".join(b'["record",%d]\n' % i for i in range(j, j + 25)))
                time.sleep(0.25)
            if k < 3:
                stop_fault_server(srv)
                time.sleep(0.5)
                srv = start_recording_server(port, log, 1)
        if not run.wait_for(lambda r: answered() >= 1000, 120):
            import collections
            seen = set(a["id"] for a in run.of("ack")) | set(failed_ids())
            raise TestFailure("not 1000 answers: %s; missing ids %s; last records %s" % (
                dict(collections.Counter(r["type"] for r in run.records)), short(sorted(set(range(1000)) - seen)),
                short(run.records[-12:], 3000)))
        # the proxy cuts only live connections: a quick run (reconnecting most of the time) may
        # have seen fewer than three; the session stays up until it has (at most 30 s more)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and sum(1 for k in fault_kinds(faults) if k in ("reset", "half-close")) < 3:
            time.sleep(0.2)
        time.sleep(0.5)
        t0 = time.monotonic()
        run.kill(signal.SIGINT)
    except TestFailure as e:
        sys.stderr.write("  %s\n" % e)                # the news (finish then reports the kill)
        run.kill(signal.SIGKILL)
        raise
    finally:
        run.finish(10)
        stop_fault_server(srv)
        stop_fault_server(proxy)
    expect_rc(run, 0)
    check(time.monotonic() - t0 < 6, "sioc took %.1f s to exit after SIGINT" % (time.monotonic() - t0))
    acks = run.of("ack")
    ids = [a["id"] for a in acks] + failed_ids()
    check(sorted(ids) == list(range(1000)), "answers (acks and failures): %d, %d ids, missing %s" %
          (len(ids), len(set(ids)), short(sorted(set(range(1000)) - set(ids)))))
    ok = sorted(a["id"] for a in acks if a.get("args") == ["ok"])
    got = [v for v in recorded(log)]
    check(len(ok) >= 100, "only %d of 1000 emits acked: the network was too hostile to mean much" % len(ok))
    check(got == sorted(got) and len(set(got)) == len(got), "the server saw repeats or reordering: %s" % short(got))
    check(set(ok) <= set(got), "acked but never seen by the server: %s" % short(sorted(set(ok) - set(got))))
    kinds = fault_kinds(faults)
    check(kinds.count("reset") + kinds.count("half-close") >= 3 and "stall" in kinds,
          "the proxy made too few faults: %s" % kinds)
    sys.stderr.write("  (%d acked, %d failed; faults: %s)\n" % (len(ok), 1000 - len(ok), kinds))


@test
def io_retries_give_up_after_the_last_try():
    """--retries 2 --ack-timeout 300 and an event the server never acks: two
    retry records, then a give-up record (tries 3); the emit after it waited
    its turn and is acked; the session lives on (exit 0 on SIGINT)."""
    run = Run(["--ack", "--retries", "2", "--ack-timeout", "300", url("io")],
              b'["ignore-me",1]\n["message-with-ack","after"]\n', False)
    try:
        check(run.wait_for(lambda r: r.get("type") == "ack", 10), "no ack: %s" % run.describe())
        run.kill(signal.SIGINT)
    finally:
        run.finish(10)
    expect_rc(run, 0)
    kinds = [r["type"] for r in run.records if r["type"] in ("retry", "give-up", "ack")]
    check(kinds == ["retry", "retry", "give-up", "ack"], "records in order: %s" % kinds)
    retries, gave_up, ack = run.of("retry"), run.of("give-up")[0], run.of("ack")[0]
    check([r["attempt"] for r in retries] == [1, 2] and retries[0]["id"] == gave_up["id"] and
          all(r["reason"] == "no ack within the ack timeout" for r in retries), "retry records: %s" % retries)
    check(gave_up["tries"] == 3 and "no ack after 3 tries" in gave_up["message"], "give-up: %s" % gave_up)
    check(ack["args"] == ["after"] and ack["tries"] == 1 and ack["id"] != gave_up["id"], "ack: %s" % ack)
    check(gave_up["_t"] >= 0.8, "gave up after %.2fs, before 3 x 300 ms" % gave_up["_t"])


@test
def io_queue_file_carries_emits_across_a_killed_client():
    """sioc --retries --queue-file F with 300 emits queued against a server
    that acks each after 10 ms, killed (SIGKILL) after about 80 arrived; a
    new sioc with the same F and no stdin sends the rest: the server's
    handler saw all 300, in order (a repeat only of what was in flight or
    acked but not yet written down), and the file ends empty."""
    only_default_pass()
    port, log = free_port(), os.path.join(OPTS.tmp, "record-q-%d.log" % os.getpid())
    qfile = os.path.join(OPTS.tmp, "queue-%d.bin" % os.getpid())
    for f in (log, qfile):
        if os.path.exists(f):
            os.unlink(f)
    srv = start_recording_server(port, log, 10)
    args = ["--ack", "--retries", "3", "--ack-timeout", "2000", "--queue-file", qfile, "http://127.0.0.1:%d/" % port]
    try:
        first = Run(args, b"".join(b'["record",%d]\n' % i for i in range(300)), False, reconnect=True)
        wait_until(lambda: len(recorded(log)) >= 80, 30, "80 records (%s)" % first.describe())
        os.killpg(first.p.pid, signal.SIGKILL)
        first.p.wait()
        untrack(first.p)
        time.sleep(0.3)                          # what the killed client had sent reaches the handler
        got = len(recorded(log))
        check(got < 300, "all 300 arrived before the kill")
        check(os.path.getsize(qfile) > 13, "the queue file holds nothing: %d bytes" % os.path.getsize(qfile))
        second = Run(args, b"", False, reconnect=True)
        try:
            wait_until(lambda: recorded(log)[-1:] == [299], 30, "the last emit (%s)" % second.describe())
            check(second.wait_for(lambda r: r.get("type") == "ack" and r.get("args") == ["ok"] and
                                  len(second.of("ack")) >= 300 - got, 10), "acks: %s" % second.describe())
            time.sleep(0.2)
            second.kill(signal.SIGINT)
        finally:
            second.finish(10)
    finally:
        stop_fault_server(srv)
    expect_rc(second, 0)
    values = recorded(log)
    check_in_order_at_least_once(values[:got], values[got - 1] + 1)
    # the new run starts from the oldest emit the file kept: at most the one
    # after the last that arrived (those acked since the last write come again)
    check(values[got] <= values[got - 1] + 1, "the second run started at %d after %d" % (values[got], values[got - 1]))
    check_in_order_at_least_once(values[got:], 300, values[got])
    check(os.path.getsize(qfile) == 13, "the queue file is not empty at the end: %d bytes" % os.path.getsize(qfile))


add_test("io_sticky_session_cookie_polling", make_sticky_test("polling"))
add_test("io_sticky_session_cookie_auto_upgrade", make_sticky_test("auto"))


# --- Engine.IO 3 / Socket.IO protocol v4 ---------------------------------------
# socket.io 2.5 (npm alias socket.io-v2) and socket.io 4.8 with allowEIO3, over
# each transport: the client pings, v3 payloads are length-prefixed in UTF-16
# code units, v3 binary frames carry a type byte, "/" connects implicitly.

EIO3_TEXT = "h\u00e9llo \u20ac \u4e2d \U0001F600\U0001F468\u200D\U0001F469 end"


def make_eio3_test(server, transport):
    def t():
        only_default_pass()
        run = Run(["--eio", "3", "--transport", transport, "--ack", url(server)],
                  b"", False)
        try:
            check(run.wait_for(lambda r: r.get("type") == "connect", 5), "no connect: %s" % run.describe())
            # raw UTF-8 on the wire both ways, so the v3 lengths count real UTF-16 units
            run.send(json.dumps(["message", EIO3_TEXT, {"n": [1, 2]}], ensure_ascii=False).encode("utf-8") + b"\n")
            run.send(b'["message-with-ack",7,"two"]\n')
            run.send(b'["message",{"_binary_b64":"AAEC/w=="},"tail"]\n')
            run.send(b'["request-binary"]\n')
            check(run.wait_for(lambda r: r.get("name") == "binary", 5), "no binary: %s" % run.describe())
            time.sleep(1.5 * SLOW)                      # pings: the client's, every 300-500 ms
            run.send(b'["transport"]\n')
            check(run.wait_for(lambda r: r.get("name") == "transport", 5), "no transport: %s" % run.describe())
            run.kill(signal.SIGINT)
        finally:
            run.finish(10)
        expect_rc(run, 0)
        backs = [r["args"] for r in run.events("message-back")]
        check(backs == [[EIO3_TEXT, {"n": [1, 2]}], [{"_binary_b64": "AAEC/w=="}, "tail"]],
              "message-back %s" % short(json.dumps(backs)))
        acks = [r["args"] for r in run.of("ack")]
        check([7, "two"] in acks, "ack records %s" % acks)
        b = run.event_args("binary")
        check(jeq(b, norm([{"_binary_b64": "AQID"}, {"deep": [{"_binary_b64": "BAU="}]}])), "binary %s" % short(b))
        q = run.event_args("query")[0]
        check(q.get("EIO") == "3", "server saw EIO=%r" % q.get("EIO"))
        want = {"polling": "polling", "websocket": "websocket", "auto": "websocket"}[transport]
        check(last_transport(run) == want, "transport %r, want %r" % (last_transport(run), want))
        # --ack asks every emit for an ack; those the server never answers end at the stop
        errs = [e for e in run.of("error") if "socket has been disconnected" not in e["message"]]
        check(not errs, "error records: %s" % errs)
    return t


for _srv in ("v2", "io3"):
    for _tr in ("polling", "websocket", "auto"):
        add_test("eio3_%s_%s_events_acks_binary_unicode" % (_srv, _tr), make_eio3_test(_srv, _tr))


def make_eio3_namespace_test(transport):
    def t():
        only_default_pass()
        ok = sioc(["--eio", "3", "--transport", transport, "--exit-after", "1", url("v2", "/admin?token=secret")],
                  lines=[["message", "adm"]], timeout=10)
        expect_rc(ok, 0)
        expect_connected(ok, "/admin")
        expect_args(ok, "admin-back", ["adm"])
        bad = sioc(["--eio", "3", "--transport", transport, url("v2", "/admin?token=wrong")], timeout=10)
        expect_rc(bad, 1)
        ce = bad.of("connect_error")
        check(ce and ce[0]["ns"] == "/admin" and ce[0]["message"] == "not authorized",
              "connect_error records %s" % ce)
    return t


for _tr in ("polling", "websocket"):
    add_test("eio3_v2_%s_namespace_query_and_error_packet" % _tr, make_eio3_namespace_test(_tr))


@test
def io_polling_only_server_200kb_and_binary_both_ways():
    """A server with transports: ['polling']: sioc's default (auto) stays on
    polling (no upgrade offered); a 200 kB string and binary go both ways."""
    only_default_pass()
    big = ("0123456789abcdef\u00e9\u20ac\U0001F600" * 12000)[:200000]
    lines = [["message", big], ["message", B(b"\x00\x01\xfe\xff" * 1000)], ["request-binary"], ["transport"]]
    run = transport_run([url("io_polling")], lines, lambda r: r.get("name") == "transport", timeout=15)
    expect_rc(run, 0)
    backs = run.events("message-back")
    check(len(backs) == 2 and backs[0]["args"] == [big], "200 kB string not echoed intact")
    check(jeq(norm(backs[1]["args"]), norm([B(b"\x00\x01\xfe\xff" * 1000)])), "binary not echoed intact")
    check(jeq(run.event_args("binary")[0], norm(B(b"\x01\x02\x03"))), "server binary %s" % short(run.event_args("binary")))
    check(last_transport(run) == "polling", "transport %r" % last_transport(run))


@test
def eio3_io3_namespace_refused_error_packet_carries_data():
    only_default_pass()
    r = sioc(["--eio", "3", "--transport", "polling", url("io3", "/admin")], timeout=10)
    expect_rc(r, 1)
    ce = r.of("connect_error")
    check(ce and ce[0]["ns"] == "/admin" and ce[0]["data"] == {"content": "retry later"},
          "connect_error records %s" % ce)


# --- a horizontally scaled deployment: two servers and the Redis adapter ---------

def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_proc(argv, name, env=None):
    log = open(os.path.join(OPTS.tmp, "%s.log" % name), "wb")
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, env=env, start_new_session=True)
    log.close()
    track(p)
    return p


def start_redis_pair():
    """redis-server on a free port, then io_redis_server.js A and B on it."""
    import shutil
    redis = shutil.which("redis-server") or ("/usr/bin/redis-server" if os.path.exists("/usr/bin/redis-server") else None)
    check(redis, "redis-server missing (Debian package redis-server; .ci/run installs it)")
    check(os.path.isdir(os.path.join(ROOT, "node_modules", "@socket.io", "redis-adapter")),
          "node_modules/@socket.io/redis-adapter missing: run `npm ci`")
    rport = free_port()
    procs = [start_proc([redis, "--port", str(rport), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                        "redis")]
    deadline = time.monotonic() + 10
    import socket
    while True:
        try:
            socket.create_connection(("127.0.0.1", rport), 0.5).close()
            break
        except OSError:
            check(time.monotonic() < deadline, "redis-server did not start")
            time.sleep(0.05)
    env = dict(os.environ)
    env["NODE_PATH"] = os.path.join(ROOT, "node_modules")
    ports = []
    for name in ("A", "B"):
        p = start_proc(["node", os.path.join(SERVERS, "io_redis_server.js"), "0", str(rport), name], "redis-" + name, env)
        procs.append(p)
        line = p.stdout.readline().decode("ascii", "replace").split()
        check(len(line) == 2 and line[0] == "PORT", "io_redis_server %s did not start: %r" % (name, line))
        ports.append(int(line[1]))
    return procs, ports


def make_redis_test(via_proxy):
    def t():
        only_default_pass()
        procs, ports = start_redis_pair()
        runs = []
        try:
            if via_proxy:                       # one address, sessions pinned by cookie
                proxy = start_proc(["node", os.path.join(SERVERS, "sticky_proxy.js"), "0",
                                    "%d,%d" % (ports[0], ports[1])], "redis-proxy")
                procs.append(proxy)
                line = proxy.stdout.readline().decode("ascii", "replace").split()
                check(len(line) == 2 and line[0] == "PORT", "proxy did not start: %r" % line)
                urls = ["http://127.0.0.1:%s/" % line[1]] * 2
                transports = ["polling", "auto"]
            else:
                urls = ["http://127.0.0.1:%d/" % p for p in ports]
                transports = ["websocket", "websocket"]
            for u, tr in zip(urls, transports):
                runs.append(Run(["--transport", tr, u], b"", False))
                check(runs[-1].wait_for(lambda r: r.get("name") == "hello", 5), "no hello: %s" % runs[-1].describe())
            homes = [r.events("hello")[0]["args"][0] for r in runs]
            check(sorted(homes) == ["A", "B"], "clients reached %s, want one on each server" % homes)
            runs[1].send(b'["broadcast","from-second"]\n')
            runs[0].send(b'["broadcast","from-first"]\n')
            for r in runs:
                check(r.wait_for(lambda x: x.get("name") == "news" and x["args"][1:] == ["from-second"], 5)
                      and r.wait_for(lambda x: x.get("name") == "news" and x["args"][1:] == ["from-first"], 5),
                      "broadcasts did not reach every client: %s" % r.describe())
            time.sleep(0.5 * SLOW)              # let an upgrade finish
            for r in runs:
                r.send(b'["whoami"]\n')
                check(r.wait_for(lambda x: x.get("name") == "whoami", 5), "no whoami: %s" % r.describe())
                r.kill(signal.SIGINT)
        finally:
            for r in runs:
                r.finish(10)
            for p in procs:
                stop_fault_server(p)
        for r, home in zip(runs, homes):
            expect_rc(r, 0)
            news = [x["args"] for x in r.events("news")]
            other = "B" if home == "A" else "A"
            check(sorted(news) == sorted([[homes[1], "from-second"], [homes[0], "from-first"]]),
                  "news on the client of %s: %s (other server %s)" % (home, news, other))
        if via_proxy:
            who = [r.events("whoami")[0]["args"] for r in runs]
            check(who[0][1] == "polling" and who[1][1] == "websocket", "transports %s" % who)
            with open(os.path.join(OPTS.tmp, "redis-proxy.log")) as fh:
                refused = fh.read()
            check("refused" not in refused, "the balancer refused requests: %s" % short(refused))
    return t


add_test("io_redis_adapter_two_servers_broadcasts_reach_both", make_redis_test(False))
add_test("io_redis_adapter_behind_cookie_balancer_polling_and_upgrade", make_redis_test(True))


@test
def loadgen_example_all_acked():
    """examples/loadgen: 30 clients in one sio_set, 20 emits/s each for 1 s,
    every emit acked by socket.io, latency percentiles reported."""
    only_default_pass()
    exe = os.path.join(os.path.dirname(OPTS.sioc), "loadgen")
    if not os.access(exe, os.X_OK):
        raise TestSkip("no loadgen next to this sioc")
    for transport in ("websocket", "polling"):
        rc, out, err, _, _ = spawn(WRAPPER + [exe, "--clients", "30", "--rate", "20", "--duration", "1", "--event",
                                              "message-with-ack", "--transport", transport, "--json", url("io")],
                                   timeout=60 * SLOW)
        check(rc == 0, "loadgen (%s) exit %s: %s %s" % (transport, rc, short(out), short(err)))
        rec = json.loads(out.decode().strip().splitlines()[-1])
        check(rec["connected"] == 30 and rec["sent"] >= 500 and rec["acked"] == rec["sent"] and rec["p99_ms"] > 0,
              "loadgen (%s) result %s" % (transport, rec))


@test
def loadgen_percentiles_match_known_latencies():
    """loadgen's percentiles (fixed-size histograms) against a server that acks
    after 20, 30, 40, 50, 60 ms in turn: p50 near 40 ms, p90 and p99 near 60
    ms, no percentile above the maximum, and intervals that agree."""
    only_default_pass()
    exe = os.path.join(os.path.dirname(OPTS.sioc), "loadgen")
    if not os.access(exe, os.X_OK) or WRAPPER:
        raise TestSkip("no loadgen next to this sioc, or a wrapper")
    rc, out, err, _, _ = spawn([exe, "--clients", "10", "--rate", "50", "--duration", "1.5", "--interval", "0.5",
                                "--event", "ack-in-steps", "--json", "--quiet", url("io")], timeout=60 * SLOW)
    check(rc == 0, "loadgen exit %s: %s %s" % (rc, short(out), short(err)))
    recs = [json.loads(l) for l in out.decode().splitlines() if l.strip()]
    s = recs[-1]
    check(s["type"] == "summary" and s["acked"] == s["sent"] >= 500, "summary %s" % s)
    # timers fire late, never early: each step is a floor, scheduling noise only adds
    check(39.5 <= s["p50_ms"] < 46 and 59.5 <= s["p90_ms"] < 68 and s["p90_ms"] <= s["p99_ms"] <=
          s["p999_ms"] <= s["max_ms"], "percentiles %s" % s)
    iv = [r for r in recs if r["type"] == "interval" and r["acked"] > 50]
    check(iv and all(39.5 <= r["p50_ms"] < 48 and r["max_ms"] >= r["p999_ms"] >= r["p99_ms"] >= 59.5 for r in iv),
          "intervals %s" % short(iv))


def png_pixels(path):
    """(width, height, rows of RGBA bytes) of an 8-bit RGB(A) PNG, non-interlaced."""
    import struct
    import zlib
    data = open(path, "rb").read()
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG")
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            check(depth == 8 and ctype in (2, 6) and interlace == 0, "PNG kind %d/%d/%d" % (depth, ctype, interlace))
            bpp = 4 if ctype == 6 else 3
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, rows, prev = zlib.decompress(idat), [], bytearray(w * bpp)
    stride = w * bpp
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b, c = prev[i], prev[i - bpp] if i >= bpp else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line) if bpp == 4 else b"".join(bytes(line[i:i + 3]) + b"\xff" for i in range(0, stride, 3)))
        prev = line
    return w, h, rows


@test
def loadgen_ramp_intervals_and_html_report_render_in_chromium():
    """loadgen with a ramp-up, a fixed duration and intervals: JSON records per
    interval, connect and ack percentiles, and an HTML report whose SVG charts
    headless Chromium draws (their line colours are on the screenshot)."""
    only_default_pass()
    exe = os.path.join(os.path.dirname(OPTS.sioc), "loadgen")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not os.access(exe, os.X_OK) or WRAPPER:
        raise TestSkip("no loadgen next to this sioc, or a wrapper")
    report = os.path.join(OPTS.tmp, "loadgen-report.html")
    rc, out, err, _, _ = spawn([exe, "--clients", "40", "--rate", "20", "--ramp", "0.5", "--duration", "1",
                                "--interval", "0.25", "--event", "message-with-ack", "--json", "--report", report,
                                url("io")], timeout=60 * SLOW)
    check(rc == 0, "loadgen exit %s: %s %s" % (rc, short(out), short(err)))
    recs = [json.loads(l) for l in out.decode().splitlines() if l.strip()]
    iv = [r for r in recs if r["type"] == "interval"]
    summary = recs[-1]
    check(summary["type"] == "summary" and summary["connected"] == 40 and summary["acked"] == summary["sent"] > 0,
          "summary %s" % summary)
    check(len(iv) >= 5 and iv[0]["connected"] < 40 and iv[-1]["connected"] == 40,
          "no ramp in the intervals: %s" % [(r["t"], r["connected"]) for r in iv])
    check(sum(r["connects"] for r in iv) == 40 and all(r["p99_ms"] >= r["p50_ms"] for r in iv),
          "intervals: %s" % short(iv))
    check(summary["connect_p50_ms"] > 0 and summary["p999_ms"] >= summary["p99_ms"], "summary %s" % summary)
    check(b"[" in err and b"connected" in err, "no progress lines on stderr: %s" % short(err))
    html = open(report).read()
    check(html.count("<svg") == 4 and not any(x in html for x in ("<script", "src=", "href=", "url(")) and
          "http://" not in html.replace(url("io"), ""),
          "report not self-contained: %s" % short(html))
    if not chromium:
        raise TestSkip("chromium is not installed (.ci/run installs it)")
    shot = os.path.join(OPTS.tmp, "loadgen-report.png")
    profile = tempfile.mkdtemp(prefix="sio-chromium-", dir=OPTS.tmp)
    subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--user-data-dir=" + profile, "--window-size=1000,1500", "--screenshot=" + shot,
                    "file://" + report], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
    w, h, rows = png_pixels(shot)
    colours = {"p50 latency": b"\x1f\x77\xb4\xff", "acks per second": b"\x17\xbe\xcf\xff",
               "connected clients": b"\x2c\xa0\x2c\xff"}
    for name, rgba in colours.items():
        n = sum(row.count(rgba) for row in rows)            # a 12x4 legend swatch alone is 48
        check(n > 300, "the %s line is not drawn: %d pixels of its colour in %dx%d" % (name, n, w, h))


# --- name resolution that never blocks (tests/servers/fake_dns.py) --------------

def dns_url(name, server="io"):
    return "http://%s:%d/" % (name, need(server))


def make_dns_test(name, transport):
    def t():
        if OPTS.transport and transport != OPTS.transport:
            raise TestSkip("runs in its own transport's pass")
        r = sioc(["--transport", transport, "--dns-server", "127.0.0.1:%d" % need("dns"), "--exit-after", "3",
                  dns_url(name)], lines=[["message", name]], timeout=15)
        expect_rc(r, 0)
        expect_connected(r)
        expect_args(r, "message-back", [name])
    return t


# sio.test has AAAA ::1 first (nobody listens there: IPv6 -> IPv4 fallback), cname.test a
# CNAME chain, slow.test answers only when asked again, localhost comes from /etc/hosts.
for _name in ("sio.test", "v4.test", "cname.test", "slow.test", "localhost"):
    for _tr in ("websocket", "polling"):
        add_test("dns_%s_%s_resolves_and_connects" % (_name.replace(".", "_"), _tr), make_dns_test(_name, _tr))


def make_dns_error_test(name, want, code_timeout=False):
    def t():
        only_default_pass()
        r = sioc(["--transport", "websocket", "--dns-server", "127.0.0.1:%d" % need("dns"),
                  "--connect-timeout", "8000", dns_url(name)], timeout=20)
        expect_rc(r, 1)
        errs = " | ".join(e["message"] for e in r.of("error"))
        check(want in errs, "want an error with %r, got %r" % (want, errs))
        if code_timeout:
            check(r.elapsed < 6 * SLOW, "gave up after %.1f s, want ~2 s (two tries of 1 s)" % r.elapsed)
    return t


add_test("dns_nxdomain_is_no_such_name", make_dns_error_test("nx.test", "dns: nx.test: no such name"))
add_test("dns_silent_nameserver_gives_up_after_retries", make_dns_error_test("silent.test", "no answer for silent.test", True))
add_test("dns_truncated_answer_reported", make_dns_error_test("trunc.test", "truncated answer"))


def test_dns_bad_nameserver_port_is_refused():
    """A nameserver port out of range is an error, not a wrapped port (getaddrinfo takes 99999)."""
    only_default_pass()
    for port in ("99999", "0", "53x"):
        r = sioc(["--transport", "websocket", "--dns-server", "127.0.0.1:" + port, "--connect-timeout", "3000",
                  dns_url("sio.test")], timeout=15)
        expect_rc(r, 1)
        errs = " | ".join(e["message"] for e in r.of("error"))
        check("bad nameserver port '%s'" % port in errs, "port %s: want a bad-port error, got %r" % (port, errs))


add_test("dns_bad_nameserver_port_is_refused", test_dns_bad_nameserver_port_is_refused)


# --- a hostile long-polling server ---------------------------------------------

def fake_poll_run(scenario, extra=(), lines=(["hi", "\u20ac\U0001F600"],), exit_after=None):
    args = ["--transport", "polling", "--path", "/%s/" % scenario] + list(extra)
    if exit_after:
        args += ["--exit-after", str(exit_after)]
    data = b"".join(json.dumps(l, ensure_ascii=False).encode("utf-8") + b"\n" for l in lines)
    return Run(args + [url("fake_polling")], data, False).finish(10)


def make_fake_poll_echo_test(scenario, eio):
    def t():
        only_default_pass()
        r = fake_poll_run(scenario, ["--eio", eio], exit_after=1)
        expect_rc(r, 0)
        expect_connected(r)
        got = r.event_args("echo")
        check(got == [["hi", "\u20ac\U0001F600"]], "echo %s" % short(got))
    return t


for _sc in ("plain", "chunked", "close-each"):
    for _eio in ("4", "3"):
        add_test("fake_polling_%s_eio%s_round_trip" % (_sc.replace("-", "_"), _eio), make_fake_poll_echo_test(_sc, _eio))


def make_fake_poll_error_test(scenario, want, eio="4"):
    def t():
        only_default_pass()
        r = fake_poll_run(scenario, ["--eio", eio])
        expect_rc(r, 1)
        errs = " | ".join(e["message"] for e in r.of("error"))
        check(want in errs, "want an error with %r, got %r" % (want, errs))
    return t


add_test("fake_polling_unknown_sid_error_body", make_fake_poll_error_test("unknown-sid", "HTTP 400: Session ID unknown (code 1)"))
add_test("fake_polling_error_code_out_of_range_is_left_out",
         make_fake_poll_error_test("huge-code", "HTTP 400: Bad handshake\""[:-1]))
add_test("fake_polling_huge_content_length_refused", make_fake_poll_error_test("huge-length", "too big"))
add_test("fake_polling_not_http_refused", make_fake_poll_error_test("not-http", "not valid HTTP"))
add_test("fake_polling_malformed_v3_payload", make_fake_poll_error_test("garbage-v3", "malformed Engine.IO 3 payload", "3"))


# --- reconnection against a server that dies ---------------------------------
# tests/servers/io_fault_server.js logs what it receives to a file that
# outlives it, so a killed and restarted server can be checked for loss.

def start_fault_server(port, log, recovery=False):
    env = dict(os.environ)
    nm = os.path.join(ROOT, "node_modules")
    if not os.path.isdir(os.path.join(nm, "socket.io")):
        raise TestSkip("node_modules/socket.io missing: run `npm ci`")
    env["NODE_PATH"] = nm
    err = open(log + ".stderr", "ab")
    p = subprocess.Popen(["node", os.path.join(SERVERS, "io_fault_server.js"), str(port), "--log", log]
                         + (["--recovery"] if recovery else []),
                         stdout=subprocess.PIPE, stderr=err, env=env, start_new_session=True)
    err.close()
    track(p)
    line = p.stdout.readline().decode("ascii", "replace").split()
    check(len(line) == 2 and line[0] == "PORT", "fault server did not start: %r" % line)
    return p, int(line[1])


def stop_fault_server(p):
    try:
        os.killpg(p.pid, signal.SIGKILL)
    except OSError:
        pass
    p.wait()
    untrack(p)


def fault_log(log):
    try:
        with open(log) as fh:
            return [json.loads(l) for l in fh if l.strip()]
    except OSError:
        return []


def wait_log(log, pred, timeout):
    deadline = time.monotonic() + timeout * SLOW
    while time.monotonic() < deadline:
        if pred(fault_log(log)):
            return True
        time.sleep(0.05)
    return pred(fault_log(log))


def seq_lines(lo, hi):
    return b"".join(b'["seq",%d]\n' % i for i in range(lo, hi))


def seqs(log):
    return [e["n"] for e in fault_log(log) if e.get("ev") == "seq"]


@test
def io_reconnect_after_server_restart_every_emit_once_in_order():
    """The server is killed and started again on the same port: 1000 emits
    made before, during and after the outage arrive once each, in order."""
    log = os.path.join(OPTS.tmp, "fault-%d.jsonl" % os.getpid())
    srv, port = start_fault_server(0, log)
    run = Run(["http://127.0.0.1:%d/" % port], b"", False, reconnect=True)
    try:
        check(run.wait_for(lambda r: r.get("type") == "connect", 5), "no connect: %s" % run.describe())
        run.send(seq_lines(0, 400))
        check(wait_log(log, lambda l: len([e for e in l if e.get("ev") == "seq"]) >= 400, 10),
              "server got %d of the first 400 emits" % len(seqs(log)))
        stop_fault_server(srv)
        check(run.wait_for(lambda r: r.get("type") == "reconnecting", 5),
              "no reconnecting record after the server died: %s" % run.describe())
        run.send(seq_lines(400, 700))                  # made while offline: queued
        time.sleep(1.5)                                # at least one refused attempt
        srv, port2 = start_fault_server(port, log)
        check(port2 == port, "restarted on %d, not %d" % (port2, port))
        check(run.wait_for(lambda r: r.get("type") == "reconnect", 15),
              "no reconnect record after the restart: %s" % run.describe())
        check(run.wait_for(lambda r: len(run.of("connect")) >= 2, 5), "no second connect: %s" % run.describe())
        run.send(seq_lines(700, 1000))
        check(wait_log(log, lambda l: len([e for e in l if e.get("ev") == "seq"]) >= 1000, 15),
              "server got %d of 1000 emits" % len(seqs(log)))
        time.sleep(0.2)
        run.kill(signal.SIGINT)
    finally:
        run.finish(10)
        stop_fault_server(srv)
    got = seqs(log)
    check(got == list(range(1000)), "emits lost, repeated or reordered: %d received, first wrong at %s"
          % (len(got), next((i for i, n in enumerate(got) if n != i), len(got))))
    expect_rc(run, 0)
    recs = run.of("reconnecting")
    check([r["attempt"] for r in recs] == list(range(1, len(recs) + 1)),
          "reconnecting attempts not 1, 2, ...: %s" % recs)
    check(len(recs) >= 2, "want a refused attempt while the server was down: %s" % recs)
    for r in recs:
        check(500 <= r["delay_ms"] <= 5000, "delay %s outside 500..5000 ms" % r["delay_ms"])
    check(recs[1]["delay_ms"] >= 1000, "second delay %s: not backed off" % recs[1]["delay_ms"])
    d = run.of("disconnect")
    check(d and d[0]["reason"] == "transport close", "disconnect records: %s" % d)
    conns = [e for e in fault_log(log) if e.get("ev") == "connect"]
    check(len(conns) == 2 and conns[1]["ns"] == "/", "server saw connects %s" % conns)


@test
def io_connection_state_recovery_delivers_missed_events():
    """socket.io with connectionStateRecovery: events broadcast while the
    client was away arrive after the reconnection, which reports recovered."""
    log = os.path.join(OPTS.tmp, "recovery-%d.jsonl" % os.getpid())
    srv, port = start_fault_server(0, log, recovery=True)
    run = Run(["http://127.0.0.1:%d/" % port], b"", False, reconnect=True)
    try:
        check(run.wait_for(lambda r: r.get("type") == "event" and r.get("name") == "hello", 5),
              "no hello: %s" % run.describe())
        run.send(b'["drop-me"]\n')
        check(run.wait_for(lambda r: r.get("type") == "event" and r.get("name") == "missed"
                           and r.get("args") == [4], 15), "missed events not delivered: %s" % run.describe())
        run.send(b'["seq",1]\n')
        check(wait_log(log, lambda l: any(e.get("ev") == "seq" for e in l), 5), "emit after recovery lost")
        run.kill(signal.SIGINT)
    finally:
        run.finish(10)
        stop_fault_server(srv)
    expect_rc(run, 0)
    conns = run.of("connect")
    check(len(conns) == 2 and conns[1].get("recovered") is True and conns[0]["sid"] == conns[1]["sid"],
          "want a second connect with recovered:true and the same sid: %s" % conns)
    missed = [r["args"] for r in run.events("missed")]
    check(missed == [[0], [1], [2], [3], [4]], "missed events (offsets stripped): %s" % missed)
    hello = run.events("hello")
    check(hello and hello[0]["args"] == ["/"], "hello args keep no offset: %s" % hello)
    server_conns = [e for e in fault_log(log) if e.get("ev") == "connect"]
    check([e["recovered"] for e in server_conns] == [False, True], "server connects: %s" % server_conns)


# --- python-socketio ----------------------------------------------------------
# Every connection to "/" of py_io_server.py first receives "welcome".

@test
def py_connect_welcome_with_sid_and_auth():
    r = sioc(["--auth", '{"token":"abc"}', "--exit-after", "1", url("py")])
    expect_rc(r, 0)
    c = expect_connected(r, "/")
    w = r.event_args("welcome")
    check(len(w) == 1 and isinstance(w[0], dict), "welcome args %s" % short(w))
    check(w[0].get("sid") == c["sid"], "connect record sid %r, server says %r"
          % (c["sid"], w[0].get("sid")))
    check(jeq(w[0].get("auth"), {"token": "abc"}), "server saw auth %s" % short(w[0]))


@test
def py_events_both_ways():
    r = sioc(["--exit-after", "2", url("py")], lines=[["message"] + NESTED_ARGS])
    expect_rc(r, 0)
    expect_args(r, "message-back", NESTED_ARGS)


@test
def py_ack():
    args = [1, "two", {"3": [True, None]}]
    r = sioc(["--ack", "--exit-after", "2", url("py")],
             lines=[["message-with-ack"] + args, ["message", "after"]])
    expect_rc(r, 0)
    a = [x for x in r.of("ack") if jeq(norm(x.get("args")), args)]
    check(a, "no ack record with args %s: %s" % (short(args), r.describe()))


@test
def py_binary_event_round_trip():
    args = [B(BIN_ALL), {"n": [B(b"\x00")]}, "t"]
    r = sioc(["--exit-after", "3", url("py")], lines=[["binary"] + args, ["inspect"] + args])
    expect_rc(r, 0)
    expect_args(r, "binary-back", args)
    expect_args(r, "inspected", [{"$buffer": BIN_ALL.hex()}, {"n": [{"$buffer": "00"}]}, "t"])


@test
def py_binary_from_server():
    r = sioc(["--exit-after", "2", url("py")], lines=[["request-binary"]])
    expect_rc(r, 0)
    expect_args(r, "binary", [B(b"\x01\x02\x03"), {"deep": [B(b"\x04\x05")]}])


# --- fake_eio: what real servers never do -----------------------------------

@test
def fake_ping_timeout_disconnect_exit_1():
    tag = new_tag("pt")
    r = sioc(fake_args("stop-pinging", tag) + [url("fake")], timeout=10)
    rec = fresult(tag)
    expect_rc(r, 1)
    expect_connected(r)
    expect_disconnect(r, "ping timeout")
    check("ping 0 not answered" not in rec["notes"] and "ping 1 not answered" not in rec["notes"],
          "client did not answer the two pings: %s" % rec["notes"])
    last = rec["marks"].get("last_ping")
    gone = left_at(rec)
    check(last is not None and gone is not None, "no timing in record: %s" % short(rec, 600))
    dt = gone - last
    check(dt >= 0.4, "client gave up %.3fs after the last ping, before "
          "pingInterval+pingTimeout (0.5 s)" % dt)
    check(dt <= 1.0 * SLOW, "client gave up %.3fs after the last ping, want ~0.5 s" % dt)


@test
def fake_bad_open_packet_error_exit_1():
    tag = new_tag("bo")
    r = sioc(fake_args("bad-open", tag) + [url("fake")], timeout=8)
    fresult(tag)
    expect_rc(r, 1)
    expect_no(r, "connect")
    check(r.of("error") or r.of("connect_error") or r.of("disconnect"),
          "no error record: %s" % r.describe())
    check(r.elapsed < 3 * SLOW, "took %.1fs" % r.elapsed)


def make_parse_error(scenario, limit=3.0):
    def t():
        tag = new_tag("pe")
        r = sioc(fake_args(scenario, tag) + [url("fake")], timeout=10)
        rec = fresult(tag)
        expect_rc(r, 1)
        expect_connected(r)
        expect_disconnect(r, "parse error")
        check(not r.events(), "the bad packet was printed as an event: %s" % r.describe())
        gone = left_at(rec)
        sent = rec["marks"].get("bad_sent")
        check(gone is not None and sent is not None and gone - sent < limit * SLOW,
              "client did not close the connection within %.0fs of the bad packet "
              "(left at %s, sent at %s)" % (limit, gone, sent))
    return t


add_test("fake_parse_error_unknown_packet_type", make_parse_error("parse-error-type"))
add_test("fake_parse_error_event_payload_not_array", make_parse_error("parse-error-payload"))
# (the JS client accepts this id as the imprecise double 1e23; sio is expected
# to refuse ids that do not fit its integer type)
add_test("fake_huge_ack_id_parse_error", make_parse_error("huge-ack-id"))
add_test("fake_too_many_attachments_parse_error", make_parse_error("too-many-attachments"))
add_test("fake_deep_json_parse_error_no_crash", make_parse_error("deep-json", limit=5.0))
add_test("fake_attachment_count_overflow_parse_error",
         make_parse_error("attachment-count-overflow"))
add_test("fake_binary_frame_without_header_parse_error",
         make_parse_error("binary-without-header"))
add_test("fake_text_while_collecting_attachments_parse_error",
         make_parse_error("text-while-collecting"))
add_test("fake_placeholder_out_of_range_parse_error",
         make_parse_error("placeholder-out-of-range"))


@test
def fake_binary_attachments_any_key_order_and_empty():
    tag = new_tag("bk")
    r = sioc(["--exit-after", "3"] + fake_args("binary-ok", tag) + [url("fake")], timeout=10)
    fresult(tag)
    expect_rc(r, 0)
    names = [e.get("name") for e in r.events()]
    check(names == ["bin", "rev", "done"], "events %s, want bin, rev, done: %s"
          % (names, r.describe()))
    expect_args(r, "bin", [B(b"\x00\xff")])
    expect_args(r, "rev", [B(b""), {"x": B(b"\x0a")}])


@test
def fake_connect_reply_without_sid_connect_error():
    tag = new_tag("ns")
    r = sioc(fake_args("no-sid-connect", tag) + [url("fake")], timeout=10)
    fresult(tag)
    expect_rc(r, 1)
    expect_no(r, "connect")
    check(r.of("connect_error") or r.of("error"),
          "no connect_error/error record for a v2-style CONNECT reply: %s" % r.describe())
    check(r.elapsed < 3 * SLOW, "took %.1fs" % r.elapsed)


@test
def fake_attachment_never_arrives_transport_close():
    tag = new_tag("an")
    r = sioc(fake_args("attachment-never-arrives", tag) + [url("fake")], timeout=10)
    rec = fresult(tag)
    expect_rc(r, 1)
    expect_connected(r)
    check(not r.events(), "event printed without its attachment: %s" % r.describe())
    expect_disconnect(r, "transport close")
    check("close_sent" in rec["marks"], "client left before the server closed: %s"
          % rec["notes"])


@test
def fake_engineio_close_packet_transport_close():
    tag = new_tag("sc")
    r = sioc(fake_args("server-close", tag) + [url("fake")], timeout=10)
    rec = fresult(tag)
    expect_rc(r, 1)
    expect_connected(r)
    expect_disconnect(r, "transport close")
    gone, sent = left_at(rec), rec["marks"].get("close_sent")
    check(gone is not None and sent is not None and gone - sent < 2.0 * SLOW,
          "client ignored the Engine.IO close packet `1` (left %s s after it; the "
          "server drops TCP only after 3 s)" % (None if gone is None or sent is None
                                                else round(gone - sent, 2)))


@test
def fake_connect_timeout_silent_server():
    tag = new_tag("si")
    r = sioc(["--connect-timeout", "500"] + fake_args("silent", tag) + [url("fake")],
             timeout=10)
    expect_rc(r, 1)
    expect_no(r, "connect")
    check(r.of("error") or r.of("connect_error"), "no error record: %s" % r.describe())
    check(r.elapsed < 2.0 * SLOW, "took %.2fs with --connect-timeout 500" % r.elapsed)


_RECORD = {}


def record_run():
    """One scripted session against fake_eio /record/, shared by the fake_record_* tests."""
    if "r" not in _RECORD:
        tag = new_tag("rec")
        try:
            r = sioc(["--ack", "--ack-reply", '["r"]', "--header", "X-Sio-Test: yes",
                      "--exit-after", "3"] + fake_args("record", tag) + [url("fake")],
                     lines=[["hello", 1, "\u00e9"]], timeout=10)
            rec = fresult(tag)
            _RECORD["r"] = (r, rec, None)
        except TestFailure as e:
            _RECORD["r"] = (None, None, str(e))
    r, rec, err = _RECORD["r"]
    check(err is None, "the shared record session failed: %s" % err)
    return r, rec


@test
def fake_record_session_completes():
    r, rec = record_run()
    expect_rc(r, 0)
    expect_connected(r)
    names = [e.get("name") for e in r.events()]
    check(names == ["echo", "ackme", "done"], "events %s, want echo, ackme, done" % names)
    check(all(f["masked"] for f in rec["frames"]), "client sent unmasked frames")


@test
def fake_record_request_is_eio4_websocket():
    r, rec = record_run()
    check(rec["request_line"].startswith("GET /record/?"), "request line %r"
          % rec["request_line"])
    q = rec["query"]
    check(q.get("EIO") == "4" and q.get("transport") == "websocket",
          "query %s, want EIO=4 transport=websocket" % short(q))
    check(rec["headers"].get("x-sio-test") == "yes", "--header not sent: %s"
          % short(rec["headers"]))


@test
def fake_record_connect_sent_exactly_once():
    r, rec = record_run()
    texts = [f["text"] for f in client_texts(rec)]
    c = [t for t in texts if t.startswith("40")]
    check(len(c) == 1, "client sent %d CONNECT packets: %s" % (len(c), short(c)))
    check(c[0] == "40" or c[0].startswith("40{"), "CONNECT for / is %r" % c[0])
    check(texts and texts[0].startswith("40"), "first client packet is %r, want 40"
          % (texts[0] if texts else None))


@test
def fake_record_no_emit_before_connect_reply():
    r, rec = record_run()
    reply = rec["marks"].get("connect_reply")
    check(reply is not None, "server never answered CONNECT: %s" % rec["notes"])
    early = [f for f in client_texts(rec) if f["t"] < reply and f["text"][:1] == "4"
             and not f["text"].startswith("40")]
    check(not early, "client sent %s before the CONNECT reply (at %.3fs)"
          % (short([(f["t"], f["text"]) for f in early]), reply))
    ev = [f for f in client_texts(rec) if f["text"].startswith("42")]
    check(ev, "the stdin emit never reached the server")
    check(ev[0]["text"].endswith('["hello",1,"\u00e9"]'), "emit sent as %r" % ev[0]["text"])


@test
def fake_record_pings_answered_with_pong():
    r, rec = record_run()
    pings = sorted(v for k, v in rec["marks"].items() if k.startswith("ping"))
    pongs = [f["t"] for f in client_texts(rec) if f["text"] == "3"]
    gone = left_at(rec) or 1e9
    check(len(pings) >= 3, "only %d pings sent: %s" % (len(pings), short(rec["marks"])))
    for p in pings:
        if p > gone - 0.05:
            continue
        check(any(p - 0.05 <= t <= p + 0.2 * SLOW for t in pongs),   # the two threads stamp times independently
              "ping at %.3fs not answered with `3` within 200 ms (pongs at %s)"
              % (p, short(pongs)))
    extra = [f["text"] for f in client_texts(rec) if f["text"].startswith("3")
             and f["text"] != "3"]
    check(not extra, "odd pong frames %s" % short(extra))


@test
def fake_record_client_never_pings():
    r, rec = record_run()
    pings = [f["text"] for f in client_texts(rec) if f["text"].startswith("2")]
    check(not pings, "client sent Engine.IO ping(s) %s (v4 servers close on that)"
          % short(pings))


@test
def fake_record_client_ack_and_ack_reply_wire_format():
    r, rec = record_run()
    texts = [f["text"] for f in client_texts(rec)]
    ev = [t for t in texts if t.startswith("42")]
    check(ev, "no EVENT from the client")
    head = ev[0][2:ev[0].index("[")]
    check(head.isdigit(), "--ack emit carries no ack id: %r" % ev[0])
    acks = r.of("ack")
    check(acks and acks[0].get("id") == int(head) and jeq(norm(acks[0].get("args")), ["acked"]),
          "ack record %s, want id %s args ['acked']" % (short(acks), head))
    check('435["r"]' in texts, "ack for server event id 5 not sent as 435[\"r\"]: %s"
          % short([t for t in texts if t.startswith("43")]))
    am = r.events("ackme")
    check(am and am[0].get("ack_id") == 5, "ackme record without ack_id 5: %s" % short(am))


@test
def fake_sigint_sends_disconnect_and_close():
    tag = new_tag("si")
    run = Run(fake_args("idle", tag) + [url("fake")],
              b'["hello"]\n', False)
    try:
        ok = run.wait_for(lambda x: x.get("type") == "event" and x.get("name") == "echo", 5)
        check(ok, "no echo within 5 s: %s" % run.describe())
        time.sleep(0.6)   # a couple of pings
        run.kill(signal.SIGINT)
    finally:
        run.finish(5)
    rec = fresult(tag)
    expect_rc(run, 0)
    texts = [f["text"] for f in client_texts(rec)]
    check("41" in texts, "client did not send DISCONNECT `41` on SIGINT: %s" % short(texts))
    check(any(f["opcode"] == 8 for f in rec["frames"]),
          "client sent no WebSocket close frame: %s" % short(rec["frames"][-3:]))
    check(rec.get("close_code") in (None, 1000, 1001), "close code %r" % rec.get("close_code"))


# --- fake_eio: hostile open packets, Socket.IO edge cases, framing, pacing --

_ASAN = []


def is_asan():
    """Whether --sioc is a sanitizer build (its RSS has shadow memory and a
    quarantine of freed blocks, so memory limits are relaxed for it)."""
    if not _ASAN:
        try:
            with open(OPTS.sioc, "rb") as fh:
                _ASAN.append(b"__asan_init" in fh.read())
        except OSError:
            _ASAN.append(False)
    return _ASAN[0]


def expect_usage(run, max_rss_mb=None, max_cpu_s=None):
    """Peak RSS (VmHWM) and user+sys CPU of the sioc process (skipped under
    --wrapper, where they measure the wrapper)."""
    if WRAPPER:
        return
    u = run.usage
    check(u is not None, "no resource usage recorded for sioc: %s" % run.describe())
    if max_rss_mb is not None:
        limit = max_rss_mb * (2 if is_asan() else 1)
        check(u["maxrss_kb"] < limit * 1024, "sioc peak RSS %.1f MB, want < %d MB"
              % (u["maxrss_kb"] / 1024.0, limit))
    if max_cpu_s is not None:
        cpu = u["utime"] + u["stime"]
        check(cpu < max_cpu_s, "sioc used %.2fs CPU (user %.2f + sys %.2f), want < %.1fs"
              % (cpu, u["utime"], u["stime"], max_cpu_s))


def expect_error_record(run):
    e = run.of("error")
    check(e and isinstance(e[0].get("message"), str) and e[0]["message"],
          "no error record with a message: %s" % run.describe())
    return e[0]


def make_open_rejected(scenario):
    """An unusable Engine.IO open packet: an error record, no connect, the client
    closes at once (close frame first) and exits 1."""
    def t():
        tag = new_tag("op")
        r = sioc(fake_args(scenario, tag) + [url("fake")], timeout=8, usage=True)
        rec = fresult(tag)
        expect_rc(r, 1)
        expect_no(r, "connect")
        expect_no(r, "event")
        expect_error_record(r)
        check("connect_reply" not in rec["marks"], "client sent CONNECT after a bad open "
              "packet: %s" % short([f["text"] for f in client_texts(rec)]))
        check(rec.get("close_code") is not None, "client dropped TCP without a close frame")
        gone = left_at(rec)
        check(gone is not None and gone < 1.0 * SLOW, "client left %s s after connecting, "
              "want at once" % gone)
        check(r.elapsed < 2.0 * SLOW, "took %.2fs" % r.elapsed)
        expect_usage(r, max_rss_mb=64)
    return t


add_test("fake_open_sid_missing_error", make_open_rejected("open-no-sid"))
add_test("fake_open_sid_empty_error", make_open_rejected("open-empty-sid"))
add_test("fake_open_sid_10000_chars_error", make_open_rejected("open-long-sid"))
add_test("fake_open_sid_control_char_error", make_open_rejected("open-control-sid"))
add_test("fake_open_ping_interval_negative_error", make_open_rejected("open-negative-interval"))
add_test("fake_open_ping_timeout_string_error", make_open_rejected("open-string-timeout"))


def make_open_accepted(scenario):
    """An open packet with an odd but ignorable field: the session works."""
    def t():
        tag = new_tag("oa")
        r = sioc(["--exit-after", "1"] + fake_args(scenario, tag) + [url("fake")], timeout=8,
                 usage=True)
        fresult(tag)
        expect_rc(r, 0)
        expect_connected(r)
        expect_args(r, "hello", [1])
        expect_not_lost(r)
        expect_usage(r, max_rss_mb=64)
    return t


add_test("fake_open_max_payload_negative_ignored", make_open_accepted("open-max-payload-negative"))
add_test("fake_open_max_payload_huge_ignored", make_open_accepted("open-max-payload-huge"))


@test
def fake_open_huge_1mib_padding_no_crash():
    # 1 MiB of JSON padding in an extra field: accepted (then the session works)
    # or refused with a clear error, never a crash
    tag = new_tag("oh")
    r = sioc(["--exit-after", "1"] + fake_args("open-huge", tag) + [url("fake")], timeout=8,
             usage=True)
    fresult(tag)
    if r.of("connect"):
        expect_rc(r, 0)
        expect_args(r, "hello", [1])
    else:
        expect_rc(r, 1)
        expect_error_record(r)
    expect_usage(r, max_rss_mb=64)


@test
def fake_open_ping_zero_times_out_without_spinning():
    # pingInterval 0 + pingTimeout 0: the heartbeat deadline is immediate; the
    # client must end with a ping timeout at once, not busy-loop on a 0 ms timer
    tag = new_tag("oz")
    r = sioc(fake_args("open-zero-ping", tag) + [url("fake")], timeout=5, usage=True)
    fresult(tag)
    expect_rc(r, 1)
    d = r.of("disconnect")
    if d:
        expect_disconnect(r, "ping timeout")
    else:   # before the namespace connected: only an error record
        e = expect_error_record(r)
        check("ping" in e["message"], "error %r does not name the ping timeout" % e["message"])
    check(r.elapsed < 2.0 * SLOW, "took %.2fs to give up" % r.elapsed)
    expect_usage(r, max_rss_mb=64, max_cpu_s=1.0)


@test
def fake_ack_for_unknown_id_ignored():
    # `43999["x"]` answers nothing the client asked; then `42["after"]`
    tag = new_tag("ua")
    r = sioc(["--exit-after", "1"] + fake_args("unknown-ack", tag) + [url("fake")], timeout=8)
    fresult(tag)
    expect_rc(r, 0)
    expect_connected(r)
    expect_no(r, "ack")
    expect_no(r, "error")
    expect_args(r, "after", [])
    expect_not_lost(r)


add_test("fake_event_ack_id_2p60_parse_error", make_parse_error("ack-id-2p60"))


@test
def fake_10000_attachments_parse_error_at_once():
    tag = new_tag("a1")
    r = sioc(fake_args("attachments-10000", tag) + [url("fake")], timeout=8, usage=True)
    rec = fresult(tag)
    expect_rc(r, 1)
    expect_connected(r)
    expect_disconnect(r, "parse error")
    expect_no(r, "event")
    gone, sent = left_at(rec), rec["marks"].get("bad_sent")
    check(gone is not None and sent is not None and gone - sent < 1.0 * SLOW,
          "client did not refuse `4510000-` at once (left at %s, sent at %s)" % (gone, sent))
    expect_usage(r, max_rss_mb=64)


@test
def fake_attachment_pending_pings_answered_then_transport_close():
    # `451-[...]` whose attachment never comes, then Engine.IO pings every 250 ms
    # (pingInterval 300, pingTimeout 200): pings are not Socket.IO packets, so the
    # client answers them and keeps waiting; the server's close -> transport close
    tag = new_tag("ap")
    r = sioc(fake_args("attachment-pinged", tag) + [url("fake")], timeout=10)
    rec = fresult(tag)
    expect_rc(r, 1)
    expect_connected(r)
    check(not r.events(), "event printed without its attachment: %s" % r.describe())
    check("close_sent" in rec["marks"], "client left before the server closed (%s): %s"
          % (rec["notes"], r.describe()))
    pongs = [f["t"] for f in client_texts(rec) if f["text"] == "3"]
    pings = sorted(v for k, v in rec["marks"].items() if k.startswith("ping"))
    check(len(pings) == 6 and len(pongs) >= 6, "pings at %s, pongs at %s" % (pings, pongs))
    expect_disconnect(r, "transport close")


@test
def fake_ack_json_100000_deep_parse_error():
    tag = new_tag("da")
    r = sioc(["--ack"] + fake_args("deep-ack", tag) + [url("fake")], lines=[["q"]],
             timeout=10, usage=True)
    rec = fresult(tag)
    expect_rc(r, 1)
    expect_connected(r)
    expect_disconnect(r, "parse error")
    expect_no(r, "ack")
    gone, sent = left_at(rec), rec["marks"].get("bad_sent")
    check(gone is not None and sent is not None and gone - sent < 3.0 * SLOW,
          "client did not leave within 3 s of the deep ack (left %s, sent %s)" % (gone, sent))
    expect_usage(r, max_rss_mb=64)


@test
def fake_ws_frame_1gib_closes_1009_small_rss():
    # 82 7F 00 00 00 00 40 00 00 00 right after the open packet (default
    # --max-message 16 MiB), followed by zeros while the client stays
    tag = new_tag("fg")
    r = sioc(fake_args("frame-1gib", tag) + [url("fake")], timeout=8, usage=True)
    rec = fresult(tag)
    expect_rc(r, 1)
    expect_no(r, "connect")
    check(r.of("error") or r.of("disconnect"), "no error record: %s" % r.describe())
    check(rec.get("close_code") == 1009, "client close code %r, want 1009 (frames %s)"
          % (rec.get("close_code"), short([f for f in rec["frames"] if f["opcode"] == 8])))
    sent = rec["marks"].get("header_sent")
    check(sent is not None and rec.get("close_t") is not None
          and rec["close_t"] - sent < 1.0 * SLOW,
          "close 1009 not at once (header at %s, close at %s; %s payload bytes sent)"
          % (sent, rec.get("close_t"), rec.get("payload_sent")))
    check(r.elapsed < 3.0 * SLOW, "took %.2fs" % r.elapsed)
    expect_usage(r, max_rss_mb=100)


TRICKLE_ARGS = ["--exit-after", "1", "--transport", "websocket"] + NO_RETRY


@test
def fake_trickled_open_packet_waited_for():
    # the open packet's frame arrives one byte per 200 ms (~10.6 s)
    tag = new_tag("tr")
    r = sioc(TRICKLE_ARGS + ["--connect-timeout", "30000", "--path", "/trickle-open/",
                             "--query", "id=" + tag, url("fake")], timeout=25, usage=True)
    rec = fresult(tag, wait=20)
    expect_rc(r, 0)
    expect_connected(r)
    expect_args(r, "hello", [1])
    check(rec["marks"].get("open_done") is not None and not rec["notes"],
          "the client did not wait for the whole open packet: %s" % rec["notes"])
    check(r.elapsed > 9.0, "done after %.2fs, before the open packet was complete"
          % r.elapsed)
    expect_usage(r, max_rss_mb=64, max_cpu_s=1.0)


@test
def fake_trickled_open_packet_connect_timeout_1000():
    tag = new_tag("tt")
    r = sioc(TRICKLE_ARGS + ["--connect-timeout", "1000", "--path", "/trickle-open/",
                             "--query", "id=" + tag, url("fake")], timeout=4)
    expect_rc(r, 1)
    expect_no(r, "connect")
    expect_no(r, "event")
    expect_error_record(r)
    check(r.elapsed < 2.2 * SLOW, "gave up after %.2fs with --connect-timeout 1000"
          % r.elapsed)


@test
def fake_no_open_packet_connect_timeout():
    # 101 Switching Protocols, then nothing: --connect-timeout covers the wait
    # for the Engine.IO open packet
    tag = new_tag("no")
    r = sioc(["--connect-timeout", "500"] + fake_args("no-open", tag) + [url("fake")],
             timeout=3)
    expect_rc(r, 1)
    expect_no(r, "connect")
    expect_error_record(r)
    check(r.elapsed < 1.8 * SLOW, "gave up after %.2fs with --connect-timeout 500" % r.elapsed)


def make_flood(n, size, timeout):
    def t():
        tag = new_tag("fl")
        args = ["--exit-after", str(n)] + fake_args("flood", tag) + [
            "--query", "n=%d" % n, "--query", "size=%d" % size, url("fake")]
        r = sioc(args, timeout=timeout, usage=True)
        fresult(tag, wait=10)
        expect_rc(r, 0)
        expect_connected(r)
        ev = r.events()
        check(len(ev) == n, "%d event records, want %d: %s" % (len(ev), n, r.describe()))
        pad = "x" * size
        for i, e in enumerate(ev):
            want = [i, pad] if size else [i]
            if e.get("name") != "f" or e.get("args") != want:
                raise TestFailure("event %d is %s, want f %s" % (i, short(e, 200),
                                                                 short(want, 80)))
        expect_not_lost(r)
        expect_usage(r, max_rss_mb=64)
    return t


@test
def fake_ping_flood_while_not_reading_is_bounded_by_max_send_queue():
    # 0.2.0 queued a pong for every ping: 150 pings of 1 MiB from a server
    # that reads nothing held 150 MB with an 8 MiB send limit.
    tag = new_tag("pf")
    r = sioc(["--max-message", str(2 << 20)] + fake_args("ping-flood", tag) + [url("fake")],
             timeout=30, usage=True)
    expect_rc(r, 1)
    expect_connected(r)
    errs = [e.get("message", "") for e in r.of("error")]
    check(any("max_send_queue" in m for m in errs), "error records %s" % short(errs))
    expect_usage(r, max_rss_mb=40)


add_test("fake_flood_200000_events_in_order_bounded_rss", make_flood(200000, 0, 60))
add_test("fake_flood_2000_events_10kb_in_order_bounded_rss", make_flood(2000, 10000, 30))


@test
def fake_new_connection_after_parse_error():
    tag = new_tag("r1")
    r = sioc(fake_args("ack-id-2p60", tag) + [url("fake")], timeout=8)
    fresult(tag)
    expect_rc(r, 1)
    expect_disconnect(r, "parse error")
    tag = new_tag("r2")
    r = sioc(["--exit-after", "1"] + fake_args("hello", tag) + [url("fake")], timeout=8)
    fresult(tag)
    expect_rc(r, 0)
    expect_connected(r)
    expect_args(r, "hello", [1])


# ------------------------------------------------------------------- runner

def main():
    global OPTS, WRAPPER, SLOW
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sioc", default=os.path.join(ROOT, "build", "sioc"))
    ap.add_argument("--transport", default="",
                    help="run every sioc with --transport T (tests of the WebSocket-only fake server are skipped)")
    add_common_options(ap)
    OPTS = ap.parse_args()
    if OPTS.list:
        for name, _ in REG.tests:
            print(name)
        return 0
    OPTS.sioc = os.path.abspath(OPTS.sioc)
    if not os.access(OPTS.sioc, os.X_OK):
        print("sioc not found or not executable: %s" % OPTS.sioc, file=sys.stderr)
        print("0 passed, 1 failed")
        return 1
    WRAPPER = shlex.split(OPTS.wrapper)
    SLOW = OPTS.slow_factor or (6.0 if WRAPPER else 1.0)
    OPTS.tmp = tempfile.mkdtemp(prefix="sio-integration-io-")

    servers = ServerSet()

    sigterm_as_interrupt()
    counts = new_counts()
    t_start = time.monotonic()
    try:
        servers.start_all()
        for name, why in sorted(SERVER_ERR.items()):
            print("# %s" % why, flush=True)
        run_tests(REG.select(OPTS.filter), counts, servers.check_alive)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        counts["fail"] += 1
    except Exception as e:
        print("FAIL harness: %s" % e, flush=True)
        counts["fail"] += 1
    finally:
        kill_live()
        servers.stop_all()
    passed, failed = counts["pass"], counts["fail"]
    print("(%.1fs; server logs in %s)" % (time.monotonic() - t_start, OPTS.tmp),
          file=sys.stderr)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
