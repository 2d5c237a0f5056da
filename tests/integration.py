#!/usr/bin/python3
"""Integration tests for `sioc ws` against real and hostile WebSocket servers.

    tests/integration.py --sioc build/sioc
    tests/integration.py --sioc build/sioc --wrapper 'valgrind --error-exitcode=99 --leak-check=full -q'
    tests/integration.py --sioc build/sioc -k close      (only tests whose name contains "close")
    tests/integration.py --list

Starts three servers on free 127.0.0.1 ports:
  tests/servers/ws_echo.js    (node + the repo's pinned `ws`; `npm ci` first)
  tests/servers/ws_keepalive.js (the same `ws`, not answering pings)
  tests/servers/py_echo.py    (Debian python3-websockets)
  tests/servers/hostile_ws.py (standard library; records what the client sends)
Prints "PASS name" / "FAIL name: why" per test and then "N passed, N failed";
exits 1 if any test failed.
"""
import argparse
import base64
import hashlib
import http.client
import json
import re
import os
import queue
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import sys
import threading
import time

from harness import (check, short, spawn, check_exit, kill_live, Run, run_json, TestSkip,
                     Registry, add_common_options, run_tests, new_counts, sigterm_as_interrupt)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SERVERS = os.path.join(HERE, "servers")
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
MIB = 1024 * 1024

OPTS = None          # parsed command line
WRAPPER = []         # argv prefix for every sioc run
SLOW = 1.0           # multiplier for timing limits (bigger under a wrapper)
PORTS = {}           # "ws" / "py" / "hostile" -> port


# ------------------------------------------------------------------ servers

class ServerSet:
    def __init__(self):
        self.procs = []

    def start(self, name, argv, env=None):
        log = open(os.path.join(OPTS.tmp, "server-%s.log" % name), "wb")
        p = subprocess.Popen(argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=log,
                             start_new_session=True)
        self.procs.append(p)
        box = []
        t = threading.Thread(target=lambda: box.append(p.stdout.readline()), daemon=True)
        t.start()
        t.join(15)
        line = box[0].decode("ascii", "replace").strip() if box else ""
        if not line.startswith("PORT "):
            raise RuntimeError("server %s did not print its port (got %r); see %s"
                               % (name, line, log.name))
        PORTS[name] = int(line.split()[1])

    def start_all(self):
        env = dict(os.environ)
        nm = os.path.join(ROOT, "node_modules")
        if not os.path.isdir(os.path.join(nm, "ws")):
            raise RuntimeError("node_modules/ws missing: run `npm ci` in %s" % ROOT)
        env["NODE_PATH"] = nm + (os.pathsep + env["NODE_PATH"] if env.get("NODE_PATH") else "")
        self.start("ws", ["node", os.path.join(SERVERS, "ws_echo.js"), "0"], env)
        self.start("wsd", ["node", os.path.join(SERVERS, "ws_deflate.js"), "0"], env)
        self.start("wsk", ["node", os.path.join(SERVERS, "ws_keepalive.js"), "0"], env)
        self.start("py", [PY, os.path.join(SERVERS, "py_echo.py"), "0"])
        self.start("pyd", [PY, os.path.join(SERVERS, "py_echo.py"), "0", "--deflate"])
        self.start("hostile", [PY, os.path.join(SERVERS, "hostile_ws.py"), "0",
                               "--log", os.path.join(OPTS.tmp, "hostile.jsonl")])

    def stop_all(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.killpg(p.pid, signal.SIGTERM)
                except OSError:
                    pass
        for p in self.procs:
            try:
                p.wait(3)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except OSError:
                    pass
                p.wait()


# --------------------------------------------------------------- running sioc

def sioc(args, stdin=b"", close_stdin=True, timeout=15.0, json_mode=True):
    """Run sioc; stdin is written, then closed unless close_stdin is False
    (then it stays open until sioc exits, so EOF cannot race the test)."""
    if json_mode and "--json" not in args and args and args[0] == "ws":
        args = ["ws", "--json"] + list(args[1:])
    argv = WRAPPER + [OPTS.sioc] + list(args)
    if json_mode:
        return run_json(argv, stdin, close_stdin, timeout * SLOW, bool(WRAPPER))
    run = Run(argv)
    run.rc, run.out, run.err, run.timed_out, run.elapsed = spawn(argv, stdin, close_stdin, timeout * SLOW)
    check_exit(run.rc, run.timed_out, timeout * SLOW, bool(WRAPPER), run.stderr(), run.describe)
    return run


def expect_rc(run, rc):
    check(run.rc == rc, "expected exit %d, got %s: %s" % (rc, run.rc, run.describe()))


def expect_error_record(run):
    check(run.of("error"), "expected an error record: %s" % run.describe())


def expect_no_open(run):
    check(not run.of("open"), "unexpected open record: %s" % run.describe())


# ------------------------------------------------------------------ helpers

_tag_lock = threading.Lock()
_tag_n = [0]


def new_tag(name):
    with _tag_lock:
        _tag_n[0] += 1
        return "%s-%d-%d" % (name, os.getpid(), _tag_n[0])


def hurl(path, tag):
    sep = "&" if "?" in path else "?"
    return "ws://127.0.0.1:%d%s%sid=%s" % (PORTS["hostile"], path, sep, tag)


def hresult(tag, wait=8.0):
    conn = http.client.HTTPConnection("127.0.0.1", PORTS["hostile"], timeout=wait + 5)
    try:
        conn.request("GET", "/__result?id=%s&wait=%s" % (tag, wait))
        rec = json.loads(conn.getresponse().read())
    finally:
        conn.close()
    check(not rec.get("missing"), "hostile server never saw connection %s" % tag)
    check(rec.get("done"), "hostile connection %s still open after %.0fs: %s"
          % (tag, wait, short(rec, 400)))
    return rec


def client_frames(rec, opcode=None):
    return [f for f in rec["frames"] if opcode is None or f["opcode"] == opcode]


def check_masked(rec):
    check(not rec.get("unmasked"), "client sent an unmasked frame: %s"
          % short([f for f in rec["frames"] if not f["masked"]]))


def ascii_payload(n, seed=0):
    alphabet = bytes(range(33, 127))  # printable, no space/newline
    reps = n // len(alphabet) + 2
    base = (alphabet * reps)
    off = seed % len(alphabet)
    return base[off:off + n]


def alphabet_az(n):
    return (b"abcdefghijklmnopqrstuvwxyz" * (n // 26 + 1))[:n]


def b64d(rec):
    return base64.b64decode(rec.get("data_b64", ""))


# -------------------------------------------------------------------- tests

REG = Registry()
test = REG.test


def add_test(name, fn):
    fn.__name__ = name
    REG.add(name, fn)


def echo_url(server, path):
    return "ws://127.0.0.1:%d%s" % (PORTS[server], path)


# --- echo against ws (node) and websockets (python) -----------------------

def make_text_echo(server, n, payload=None, max_message=None, timeout=15.0):
    def t():
        data = payload if payload is not None else ascii_payload(n, seed=n)
        args = ["ws", "--exit-after", "1"]
        if max_message:
            args += ["--max-message", str(max_message)]
        r = sioc(args + [echo_url(server, "/echo")], stdin=data + b"\n",
                 close_stdin=False, timeout=timeout)
        expect_rc(r, 0)
        check(r.records and r.records[0].get("type") == "open",
              "first record is not open: %s" % r.describe())
        msgs = r.messages
        check(len(msgs) == 1, "expected exactly 1 message record, got %d: %s"
              % (len(msgs), r.describe()))
        m = msgs[0]
        check(m.get("binary") is False, "echo of a text line not text: %s" % short(m))
        got = m.get("data", "").encode("utf-8")
        want = data
        check(got == want, "echo differs: got %d bytes (sha %s), want %d bytes (sha %s); "
              "first diff at %s" % (len(got), hashlib.sha256(got).hexdigest()[:12], len(want),
                                    hashlib.sha256(want).hexdigest()[:12],
                                    next((i for i, (a, b) in enumerate(zip(got, want)) if a != b),
                                         min(len(got), len(want)))))
    return t


def make_push_echo(server, kind, n, max_message=None, timeout=15.0):
    """Server pushes n bytes (binary or text); sioc --echo sends it back; the
    server answers "ok <sha256>" and closes 1000."""
    def t():
        args = ["ws", "--echo"]
        if max_message:
            args += ["--max-message", str(max_message)]
        r = sioc(args + [echo_url(server, "/%s-echo-check?size=%d" % (kind, n))],
                 close_stdin=False, timeout=timeout)
        expect_rc(r, 0)
        msgs = r.messages
        check(len(msgs) >= 2, "expected payload + verdict messages: %s" % r.describe())
        first = msgs[0]
        if kind == "binary":
            check(first.get("binary") is True, "pushed binary not reported binary: %s"
                  % short(first))
            got = b64d(first)
        else:
            check(first.get("binary") is False, "pushed text reported binary: %s" % short(first))
            got = first.get("data", "").encode("utf-8")
        check(len(got) == n, "payload record has %d bytes, want %d" % (len(got), n))
        verdict = msgs[1]
        check(verdict.get("binary") is False and verdict.get("data", "").startswith("ok "),
              "server verdict on the echo: %s" % short(verdict))
        check(verdict["data"][3:] == hashlib.sha256(got).hexdigest(),
              "printed payload differs from what the server sent (sha256)")
        if kind == "text":
            check(got == alphabet_az(n), "text payload content wrong")
        c = r.close_rec()
        check(c is not None and c.get("code") == 1000,
              "expected close record code 1000: %s" % short(c))
    return t


def make_server_close(server, code, reason):
    def t():
        r = sioc(["ws", echo_url(server, "/close?code=%d&reason=%s" % (code, reason))],
                 close_stdin=False)
        expect_rc(r, 0)
        c = r.close_rec()
        check(c is not None, "no close record: %s" % r.describe())
        check(c.get("code") == code and c.get("reason") == reason and c.get("clean") is True,
              "close record %s, want code=%d reason=%r clean=true" % (short(c), code, reason))
    return t


for _srv in ("ws", "py"):
    for _n in (1, 125, 126, 65535, 65536):
        add_test("%s_text_echo_%d" % (_srv, _n), make_text_echo(_srv, _n))
    add_test("%s_text_echo_utf8" % _srv, make_text_echo(
        _srv, 0, payload="h\u00e9llo w\u00f6rld \u20ac \U0001F600 \u4e2d\u6587".encode("utf-8")))
    add_test("%s_text_echo_16mib" % _srv, make_text_echo(
        _srv, 16 * MIB, max_message=17000000, timeout=60))
    for _n in (0, 125, 126, 65535, 65536):
        add_test("%s_binary_echo_%d" % (_srv, _n), make_push_echo(_srv, "binary", _n))
    add_test("%s_binary_echo_16mib" % _srv, make_push_echo(
        _srv, "binary", 16 * MIB, max_message=17000000, timeout=60))
    for _n in (0, 126, 65536):
        add_test("%s_text_push_echo_%d" % (_srv, _n), make_push_echo(_srv, "text", _n))
    add_test("%s_server_close_code_reason" % _srv, make_server_close(_srv, 4001, "bye"))


def _empty_line(server):
    def t():
        r = sioc(["ws", "--exit-after", "2", echo_url(server, "/echo")],
                 stdin=b"\nafter-empty\n", close_stdin=False)
        expect_rc(r, 0)
        check(r.texts() == ["", "after-empty"], "texts %s, want ['', 'after-empty']: %s"
              % (short(r.texts()), r.describe()))
    return t


def _many_lines(server):
    def t():
        lines = ["line-%d %s" % (i, "x" * (i * 37 % 300)) for i in range(20)]
        r = sioc(["ws", "--exit-after", "20", echo_url(server, "/echo")],
                 stdin=("\n".join(lines) + "\n").encode(), close_stdin=False)
        expect_rc(r, 0)
        check(r.texts() == lines, "echoed lines differ or out of order: %s" % r.describe())
    return t


for _srv in ("ws", "py"):
    add_test("%s_text_echo_empty_line" % _srv, _empty_line(_srv))
    add_test("%s_text_echo_20_lines_in_order" % _srv, _many_lines(_srv))


add_test("ws_binary_echo_exactly_16mib_default_limit",
         make_push_echo("ws", "binary", 16 * MIB, timeout=60))


@test
def ws_default_max_message_rejects_16mib_plus_1():
    r = sioc(["ws", echo_url("ws", "/binary-echo-check?size=%d" % (16 * MIB + 1))],
             close_stdin=False, timeout=60)
    expect_rc(r, 1)
    check(not r.messages, "an over-limit message was printed: %s" % r.describe())
    check(r.of("error") or r.of("close"), "no error/close record: %s" % r.describe())
    c = r.close_rec()
    check(c is None or c.get("code") in (1009, 1006), "close record %s" % short(c))


def make_ws_deflate(path, agreed, args=()):
    def t():
        # npm ws with perMessageDeflate (threshold 0: all it sends is compressed),
        # one server per parameter set; messages larger than windows and
        # messages that refer back to earlier ones.
        lines = ["permessage-deflate %d " % i * 300 for i in range(3)] + ["x", "frag?", "ext?"]
        r = sioc(["ws", "--exit-after", str(len(lines))] + list(args) + [echo_url("wsd", path)],
                 stdin="".join(l + "\n" for l in lines).encode(), close_stdin=False)
        expect_rc(r, 0)
        check(r.texts()[:-2] == lines[:-2], "echo differs: %s" % r.describe())
        frag = "".join("fragment %d %s" % (i, "x" * 3000) for i in range(3))
        check(r.texts()[-2:-1] == [frag], "the fragmented message differs: %s" % r.describe())
        ext = r.texts()[-1] if r.texts() else ""
        check(ext.endswith("-> " + agreed), "agreed %r, expected %r" % (ext, agreed))
    return t


for _path, _agreed in (("/takeover", "permessage-deflate"), ("/no-takeover", "permessage-deflate"),
                       ("/window-9", "permessage-deflate"), ("/client-9", "permessage-deflate"),
                       ("/client-no-takeover", "permessage-deflate"), ("/all", "permessage-deflate"),
                       ("/off", "")):
    add_test("ws_deflate_npm_ws" + _path.replace("/", "_").replace("-", "_"), make_ws_deflate(_path, _agreed))
# what the client asks for: a smaller server window, no server history
add_test("ws_deflate_npm_ws_client_asks_window_9", make_ws_deflate("/takeover", "permessage-deflate",
                                                                   ("--deflate-window", "9")))
add_test("ws_deflate_npm_ws_client_asks_no_takeover", make_ws_deflate("/takeover", "permessage-deflate",
                                                                      ("--deflate-no-takeover",)))
add_test("ws_deflate_npm_ws_client_asks_both", make_ws_deflate("/window-9", "permessage-deflate",
                                                               ("--deflate-window", "12", "--deflate-no-takeover")))


@test
def ws_deflate_python_websockets_agrees_and_round_trips():
    # Python websockets compresses by default: its answer, then large echoes
    big = "compress me " * 2000
    r = sioc(["ws", "--exit-after", "3", echo_url("pyd", "/extensions")],
             stdin=(big + "\n" + big[::-1] + "\n").encode(), close_stdin=False)
    expect_rc(r, 0)
    t = r.texts()
    check(t and t[0].startswith("permessage-deflate"), "answer %r" % (t[:1],))
    check(t[1:] == [big, big[::-1]], "echo differs: %s" % r.describe())
    r = sioc(["ws", "--no-deflate", "--exit-after", "1", echo_url("pyd", "/extensions")], close_stdin=False)
    check(r.texts() == [""], "with --no-deflate: %s" % r.describe())


def make_pyd_echo_check(kind, size):
    def t():
        # a large message from Python websockets compressed (random bytes too),
        # echoed by sioc, compared by the server
        r = sioc(["ws", "--echo", echo_url("pyd", "/%s-echo-check?size=%d" % (kind, size))],
                 close_stdin=False, timeout=30)
        expect_rc(r, 0)
        check(len(r.messages) >= 2 and r.messages[1].get("data", "").startswith("ok "),
              "server verdict: %s" % r.describe())
    return t


add_test("ws_deflate_python_websockets_text_5mb_echo", make_pyd_echo_check("text", 5 * MIB))
add_test("ws_deflate_python_websockets_random_binary_1mb_echo", make_pyd_echo_check("binary", MIB))


@test
def hostile_deflate_bomb_closes_1009_without_printing_it():
    tag = new_tag("db")
    r = sioc(["ws", hurl("/deflate-bomb", tag)], close_stdin=False, timeout=15)
    rec = hresult(tag)
    expect_rc(r, 1)
    check(r.texts() == ["small one"], "messages: %s" % r.describe())
    closes = [f for f in rec["frames"] if f["opcode"] == 8]
    check(closes and closes[0]["length"] >= 2 and int(closes[0]["payload_hex"][:4], 16) == 1009,
          "client close frames: %s" % short(closes))
    check(r.elapsed < 3 * SLOW, "took %.1fs" % r.elapsed)


@test
def hostile_deflate_garbage_closes_1007():
    tag = new_tag("dg")
    r = sioc(["ws", hurl("/deflate-garbage", tag)], close_stdin=False, timeout=15)
    rec = hresult(tag)
    expect_rc(r, 1)
    expect_error_record(r)
    closes = [f for f in rec["frames"] if f["opcode"] == 8]
    check(closes and int(closes[0]["payload_hex"][:4], 16) == 1007, "client close frames: %s" % short(closes))


# --- keepalive: --ping-interval / --pong-timeout ----------------------------

def sioc_live(args, until=None, seconds=15.0):
    """sioc --json with stdin open: stopped with SIGINT after `seconds`, or
    when until(record) is true (then until() may act, e.g. stop a server);
    returns (exit status, records, stderr, seconds it ran)."""
    argv = WRAPPER + [OPTS.sioc] + args[:1] + ["--json"] + args[1:]
    t0 = time.monotonic()
    p = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    recs, deadline = [], t0 + seconds * SLOW
    timer = threading.Timer(seconds * SLOW, lambda: p.poll() is None and p.send_signal(signal.SIGINT))
    timer.start()
    try:
        for line in p.stdout:
            if line.strip():
                recs.append(json.loads(line))
                if until and until(recs[-1]):
                    until = None
        _, err = p.communicate(timeout=20 * SLOW)
    finally:
        timer.cancel()
        if p.poll() is None:
            p.kill()
            p.wait()
    return p.returncode, recs, err, time.monotonic() - t0


@test
def ws_keepalive_pongs_from_ws_and_websockets_give_round_trips():
    """--ping-interval against npm ws and Python websockets, which answer
    pings: pong records with the round trip, the connection kept, exit 0."""
    for server in ("ws", "py"):
        rc, recs, err, _ = sioc_live(["ws", "--ping-interval", "100", echo_url(server, "/echo")], seconds=0.75)
        pongs = [r for r in recs if r["type"] == "pong"]
        check(rc == 0 and 4 <= len(pongs) <= 9 * SLOW and all(0 <= r["rtt_ms"] < 100 * SLOW for r in pongs) and
              not [r for r in recs if r["type"] == "error"],
              "%s: exit %s, records %s %s" % (server, rc, short(recs), short(err)))


@test
def ws_keepalive_finds_a_server_that_never_pongs_dead():
    """npm ws with autoPong off, silent: dead within ping interval + pong
    timeout (0.2 + 0.3 s), an error record saying so, close 1006, exit 1.
    Before, the client waited for ever."""
    rc, recs, err, took = sioc_live(["ws", "--ping-interval", "200", "--pong-timeout", "300",
                                     echo_url("wsk", "/silent")], seconds=10)
    errors = [r for r in recs if r["type"] == "error"]
    closes = [r for r in recs if r["type"] == "close"]
    check(rc == 1 and errors and "dead" in errors[0]["message"] and closes and closes[0]["code"] == 1006,
          "exit %s, records %s %s" % (rc, short(recs), short(err)))
    check(0.45 <= took < 0.5 + 1.5 * SLOW, "took %.2f s" % took)


@test
def ws_keepalive_data_without_pongs_keeps_the_connection():
    """A ws server sending every 50 ms but never answering pings is alive:
    no error over 1 s with pings every 100 ms and a 200 ms pong timeout.
    A server that answers the first ping only, then goes silent, is dead
    after its one pong."""
    rc, recs, err, _ = sioc_live(["ws", "--ping-interval", "100", "--pong-timeout", "200",
                                  echo_url("wsk", "/busy?every=50")], seconds=1.0)
    ticks = [r for r in recs if r["type"] == "message"]
    check(rc == 0 and len(ticks) >= 10 and not [r for r in recs if r["type"] == "error"],
          "busy: exit %s, records %s %s" % (rc, short(recs), short(err)))
    rc, recs, err, _ = sioc_live(["ws", "--ping-interval", "100", "--pong-timeout", "200",
                                  echo_url("wsk", "/pong-once")], seconds=10)
    kinds = [r["type"] for r in recs]
    check(rc == 1 and kinds[:2] == ["open", "pong"] and "error" in kinds and kinds[-1] == "close",
          "pong-once: exit %s, records %s %s" % (rc, short(recs), short(err)))


@test
def ws_keepalive_finds_a_stopped_websockets_server_dead():
    """A Python websockets server stopped (SIGSTOP) after the open: its kernel
    still holds TCP, only the pongs stop; found dead within 0.2 + 0.3 s of
    the stop (plus the ping's phase), exit 1."""
    srv = subprocess.Popen([PY, os.path.join(SERVERS, "py_echo.py"), "0"], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        port = int(srv.stdout.readline().split()[1])
        stopped = []

        def stop(rec):
            if rec["type"] == "pong":                    # the server answered once: now it stops
                os.kill(srv.pid, signal.SIGSTOP)
                stopped.append(time.monotonic())
                return True
            return False
        rc, recs, err, _ = sioc_live(["ws", "--ping-interval", "200", "--pong-timeout", "300",
                                      "ws://127.0.0.1:%d/echo" % port], until=stop, seconds=10)
        ended = time.monotonic()
        errors = [r for r in recs if r["type"] == "error"]
        check(stopped and rc == 1 and errors and "dead" in errors[0]["message"],
              "exit %s, records %s %s" % (rc, short(recs), short(err)))
        check(stopped and ended - stopped[0] < 0.5 + 1.5 * SLOW, "dead after %.2f s" % (ended - stopped[0]))
    finally:
        try:
            os.kill(srv.pid, signal.SIGCONT)
        except OSError:
            pass
        srv.kill()
        srv.wait()


# --- reconnection: --reconnect ---------------------------------------------------

def restartable_server(kind, port):
    """A private echo server on port: npm ws or Python websockets."""
    env = dict(os.environ, NODE_PATH=os.path.join(ROOT, "node_modules"))
    argv = (["node", os.path.join(SERVERS, "ws_echo.js"), str(port)] if kind == "ws"
            else [PY, os.path.join(SERVERS, "py_echo.py"), str(port)])
    p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, start_new_session=True)
    line = p.stdout.readline()
    check(line.startswith(b"PORT "), "%s server did not start on port %d: %r" % (kind, port, line))
    return p


@test
def ws_reconnect_survives_server_restarts_and_sends_lines_typed_meanwhile():
    """sioc ws --reconnect against npm ws and Python websockets servers killed
    (SIGKILL) and restarted on the same port twice: reconnecting records with
    the close code, a reconnect record each time, the line typed while the
    server was down echoed after the reconnection, then EOF ends it (exit 0)."""
    for kind in ("ws", "py"):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
        srv = restartable_server(kind, port)
        p = subprocess.Popen(WRAPPER + [OPTS.sioc, "ws", "--json", "--reconnect", "ws://127.0.0.1:%d/echo" % port],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        recs, lines = [], queue.Queue()
        threading.Thread(target=lambda: [lines.put(l) for l in p.stdout] and None, daemon=True).start()

        def wait_for(kind_, n=1, timeout=15):
            end = time.monotonic() + timeout * SLOW
            while time.monotonic() < end:
                try:
                    r = json.loads(lines.get(timeout=0.2))
                except queue.Empty:
                    continue
                recs.append(r)
                if sum(1 for x in recs if x["type"] == kind_) >= n:
                    return r
            raise AssertionError("%s: no %s record #%d: %s" % (kind, kind_, n, short(recs)))
        try:
            wait_for("open")
            for round_ in (1, 2):
                p.stdin.write(b"before %d\n" % round_)
                p.stdin.flush()
                check(wait_for("message", 2 * round_ - 1)["data"] == "before %d" % round_, short(recs))
                srv.kill()
                srv.wait()
                r = wait_for("reconnecting", round_)
                check(r["code"] == 1006 and r["attempt"] >= 1, "reconnecting record %s" % r)
                p.stdin.write(b"meanwhile %d\n" % round_)           # kept by the library
                p.stdin.flush()
                time.sleep(0.3)
                srv = restartable_server(kind, port)
                wait_for("reconnect", round_)
                check(wait_for("message", 2 * round_)["data"] == "meanwhile %d" % round_, short(recs))
            p.stdin.close()
            rc = p.wait(timeout=15 * SLOW)
            check(rc == 0, "%s: exit %s: %s %s" % (kind, rc, short(recs), short(p.stderr.read())))
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            srv.kill()
            srv.wait()


@test
def ws_echo_mode_ignores_stdin_eof():
    r = sioc(["ws", "--echo", echo_url("ws", "/binary-echo-check?size=10")],
             stdin=b"", close_stdin=True)
    expect_rc(r, 0)
    check(len(r.messages) >= 2 and r.messages[1].get("data", "").startswith("ok "),
          "server verdict: %s" % r.describe())


@test
def ws_stdin_eof_closes_1000_exit_0():
    r = sioc(["ws", echo_url("ws", "/echo")], stdin=b"", close_stdin=True)
    expect_rc(r, 0)
    c = r.close_rec()
    check(c is not None and c.get("code") == 1000 and c.get("clean") is True,
          "expected close record 1000 clean: %s" % r.describe())


@test
def ws_fragmented_receive():
    n = 100000
    r = sioc(["ws", "--exit-after", "2", echo_url("ws", "/fragmented?size=%d&frags=7" % n)],
             close_stdin=False)
    expect_rc(r, 0)
    msgs = r.messages
    check(len(msgs) == 2, "expected 2 messages: %s" % r.describe())
    check(msgs[0].get("binary") is False and msgs[0].get("data", "").encode() == alphabet_az(n),
          "fragmented text reassembled wrong: %s" % short(msgs[0]))
    check(msgs[1].get("binary") is True and b64d(msgs[1]) == bytes(i & 0xFF for i in range(n)),
          "fragmented binary reassembled wrong: %s" % short(msgs[1]))


@test
def ws_fragmented_receive_small_many_fragments():
    r = sioc(["ws", "--exit-after", "2", echo_url("ws", "/fragmented?size=10&frags=10")],
             close_stdin=False)
    expect_rc(r, 0)
    msgs = r.messages
    check(len(msgs) == 2 and msgs[0].get("data") == "abcdefghij"
          and b64d(msgs[1]) == bytes(range(10)), "got %s" % r.describe())


@test
def ws_exit_after_1_prints_exactly_1_message():
    r = sioc(["ws", "--exit-after", "1", echo_url("ws", "/fragmented?size=10&frags=2")],
             close_stdin=False)
    expect_rc(r, 0)
    check(len(r.messages) == 1, "expected 1 message record: %s" % r.describe())


@test
def ws_header_reaches_server():
    r = sioc(["ws", "--exit-after", "1", "--header", "X-Sio-Test: hello world",
              "--header", "X-Second: 2", echo_url("ws", "/headers")], close_stdin=False)
    expect_rc(r, 0)
    check(r.messages, "no message: %s" % r.describe())
    hdrs = json.loads(r.messages[0]["data"])
    check(hdrs.get("x-sio-test") == "hello world", "x-sio-test header: %s" % short(hdrs))
    check(hdrs.get("x-second") == "2", "x-second header: %s" % short(hdrs))
    check(hdrs.get("host") == "127.0.0.1:%d" % PORTS["ws"], "Host header: %r" % hdrs.get("host"))


@test
def ws_protocol_negotiation_first_offered():
    r = sioc(["ws", "--exit-after", "1", "--protocol", "chat", "--protocol", "superchat",
              echo_url("ws", "/subprotocol")], close_stdin=False)
    expect_rc(r, 0)
    check(r.texts()[:1] == ["protocol:chat"], "server selected: %s" % r.describe())


@test
def hostile_long_subprotocol_echoed_never_overflows():
    # 0.2.0 copied the server's choice into a 128-byte field unbounded: a
    # 400-byte offer echoed back crashed sioc.  Over-long offers are now
    # refused up front; the longest allowed one round-trips whole.
    r = sioc(["ws", "--protocol", "p" * 400, hurl("/hs-echo-protocol", new_tag("longproto"))],
             json_mode=False, timeout=10)
    expect_rc(r, 2)
    check(b"longer than 127 bytes" in r.err, "stderr: %s" % r.describe())
    r = sioc(["ws", "--exit-after", "1", "--protocol", "p" * 127,
              hurl("/hs-echo-protocol", new_tag("proto127"))], close_stdin=False)
    expect_rc(r, 0)
    check(r.texts()[:1] == ["chose:127"], "server: %s" % r.describe())


@test
def ws_protocol_none_offered():
    r = sioc(["ws", "--exit-after", "1", echo_url("ws", "/subprotocol")], close_stdin=False)
    expect_rc(r, 0)
    check(r.texts()[:1] == ["protocol:"], "server selected: %s" % r.describe())


@test
def ws_open_record_first():
    r = sioc(["ws", "--exit-after", "1", echo_url("ws", "/echo")], stdin=b"x\n",
             close_stdin=False)
    expect_rc(r, 0)
    check(r.records and r.records[0] == {"type": "open"} or
          (r.records and r.records[0].get("type") == "open"),
          "first record: %s" % r.describe())


# --- usage / exit codes -----------------------------------------------------

def make_usage(args):
    def t():
        r = sioc(args, json_mode=False, timeout=10)
        expect_rc(r, 2)
    return t


_dummy = "ws://127.0.0.1:9/echo"
add_test("usage_no_arguments", make_usage([]))
add_test("usage_ws_no_url", make_usage(["ws"]))
add_test("usage_ws_json_no_url", make_usage(["ws", "--json"]))
add_test("usage_unknown_mode", make_usage(["frobnicate", _dummy]))
add_test("usage_unknown_option", make_usage(["ws", "--no-such-option", _dummy]))
add_test("usage_option_missing_value", make_usage(["ws", _dummy, "--max-message"]))
add_test("usage_bad_url_scheme", make_usage(["ws", "ftp://127.0.0.1:9/x"]))
add_test("usage_bad_url_garbage", make_usage(["ws", "not a url"]))
add_test("usage_bad_url_no_host", make_usage(["ws", "ws://"]))
add_test("usage_bad_url_port", make_usage(["ws", "ws://127.0.0.1:99999/"]))
add_test("usage_two_urls", make_usage(["ws", _dummy, _dummy]))
add_test("usage_bad_number", make_usage(["ws", "--exit-after", "many", _dummy]))


def free_closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


@test
def connection_refused_exit_1_error_record():
    r = sioc(["ws", "ws://127.0.0.1:%d/echo" % free_closed_port()], close_stdin=False,
             timeout=10)
    expect_rc(r, 1)
    expect_error_record(r)
    expect_no_open(r)
    check(r.elapsed < 3 * SLOW, "took %.1fs to report a refused connection" % r.elapsed)


# --- hostile: protocol errors ----------------------------------------------

def make_protocol_error(path, codes, args=(), name=None):
    def t():
        tag = new_tag(name or "pe")
        r = sioc(["ws"] + list(args) + [hurl(path, tag)], close_stdin=False, timeout=15)
        rec = hresult(tag)
        check_masked(rec)
        check(rec.get("close_code") in codes,
              "client's close frame code %r (frames %s), want %s; sioc: %s"
              % (rec.get("close_code"), short([(f["opcode"], f.get("close_code"))
                                               for f in rec["frames"]]), codes, r.describe()))
        expect_rc(r, 1)
        check(r.of("error") or r.of("close"), "no error/close record: %s" % r.describe())
        c = r.close_rec()
        if c is not None:
            check(c.get("code") in tuple(codes) + (1006,),
                  "close record code %r, want one of %s: %s" % (c.get("code"), codes, short(c)))
            check(c.get("clean") is not True or c.get("code") in codes,
                  "close record says clean: %s" % short(c))
        check(not r.messages, "a message record was printed for a bad message: %s"
              % r.describe())
        check(r.elapsed < 4 * SLOW, "took %.1fs to fail the connection" % r.elapsed)
    return t


P1002 = (1002,)
for _path, _codes in [
        ("/rsv", P1002), ("/rsv2", P1002), ("/opcode3", P1002), ("/opcodeB", P1002),
        ("/fragmented-ping", P1002), ("/ping126", P1002), ("/close126", P1002),
        ("/masked", P1002), ("/cont-without-start", P1002), ("/text-during-fragment", P1002),
        ("/len16-nonminimal", P1002), ("/len64-nonminimal", P1002), ("/len64-msb", P1002),
        ("/invalid-utf8", (1007,)), ("/invalid-utf8-overlong", (1007,)),
        ("/invalid-utf8-surrogate", (1007,)), ("/invalid-utf8-frag2", (1007,)),
        ("/truncated-utf8-end", (1007,)),
        ("/close-1byte", P1002), ("/close-bad-utf8-reason", (1002, 1007))]:
    _name = "hostile_" + _path.strip("/").replace("-", "_") + "_closes_" + \
        "_or_".join(str(c) for c in _codes)
    add_test(_name, make_protocol_error(_path, _codes, name=_name))

for _path in ("/too-big", "/too-big-binary", "/too-big-frags"):
    _name = "hostile_" + _path.strip("/").replace("-", "_") + "_max_message_1000_closes_1009"
    add_test(_name, make_protocol_error(_path, (1009,), args=("--max-message", "1000"),
                                        name=_name))

for _code in (0, 999, 1004, 1005, 1006, 1015, 2999, 5000, 65535):
    _name = "hostile_close_code_%d_invalid_closes_1002" % _code
    add_test(_name, make_protocol_error("/close-code?code=%d&reason=x" % _code, P1002,
                                        name=_name))


def make_valid_close(code, reason):
    def t():
        tag = new_tag("vc")
        r = sioc(["ws", hurl("/close-code?code=%d&reason=%s" % (code, reason), tag)],
                 close_stdin=False)
        rec = hresult(tag)
        check_masked(rec)
        check(rec.get("close_code") == code, "client echoed close code %r, want %d"
              % (rec.get("close_code"), code))
        expect_rc(r, 0)
        c = r.close_rec()
        check(c is not None, "no close record: %s" % r.describe())
        check(c.get("code") == code and c.get("reason") == reason and c.get("clean") is True,
              "close record %s, want code %d reason %r clean true" % (short(c), code, reason))
    return t


for _code, _reason in ((1000, "done"), (1001, "going"), (1011, "oops"), (3000, ""),
                       (4321, "done"), (4999, "r" * 100)):
    add_test("hostile_close_%d_valid_echoed_exit_0" % _code, make_valid_close(_code, _reason))


@test
def hostile_close_empty_payload_reports_1005():
    tag = new_tag("ce")
    r = sioc(["ws", hurl("/close-empty", tag)], close_stdin=False)
    rec = hresult(tag)
    check_masked(rec)
    check(client_frames(rec, 8), "client did not answer the close: %s" % short(rec["frames"]))
    check(rec.get("close_code") in (None, 1000), "client answered an empty close with %r"
          % rec.get("close_code"))
    expect_rc(r, 0)
    c = r.close_rec()
    check(c is not None and c.get("code") == 1005 and c.get("clean") is True,
          "close record %s, want code 1005 (no status received), clean" % short(c))


@test
def hostile_failfast_invalid_utf8_in_partial_frame_closes_1007_within_1s():
    tag = new_tag("ff")
    r = sioc(["ws", hurl("/failfast", tag)], close_stdin=False, timeout=10)
    rec = hresult(tag)
    check_masked(rec)
    check(rec.get("close_code") == 1007, "client close code %r, want 1007; sioc: %s"
          % (rec.get("close_code"), r.describe()))
    check(rec.get("close_t") is not None and rec["close_t"] < 1.0 * SLOW,
          "client closed after %ss (want < 1 s: must fail fast inside the frame)"
          % rec.get("close_t"))
    expect_rc(r, 1)


@test
def hostile_exact_max_message_accepted():
    tag = new_tag("el")
    r = sioc(["ws", "--max-message", "1000", "--exit-after", "2", hurl("/exact-limit", tag)],
             close_stdin=False)
    rec = hresult(tag)
    expect_rc(r, 0)
    m = r.messages
    check(len(m) == 2 and m[0].get("data") == "e" * 1000 and b64d(m[1]) == b"\x07" * 1000,
          "1000-byte messages with --max-message 1000: %s" % r.describe())
    check(rec.get("close_code") == 1000, "client close code %r, want 1000"
          % rec.get("close_code"))


@test
def hostile_utf8_split_across_fragments_is_valid():
    tag = new_tag("us")
    r = sioc(["ws", "--exit-after", "1", hurl("/utf8-split-valid", tag)], close_stdin=False)
    hresult(tag)
    expect_rc(r, 0)
    check(r.texts() == ["h\u00e9llo \u20ac \U0001F600!"], "got %s" % r.describe())


@test
def hostile_ping_inside_fragmented_message():
    tag = new_tag("pf")
    r = sioc(["ws", "--exit-after", "1", hurl("/ping-in-fragment", tag)], close_stdin=False)
    rec = hresult(tag)
    expect_rc(r, 0)
    check(r.texts() == ["abcd"], "got %s" % r.describe())
    pongs = client_frames(rec, 10)
    check(pongs and bytes.fromhex(pongs[0]["payload_hex"]) == b"xyz",
          "pong for the interleaved ping: %s" % short(pongs))


@test
def hostile_unsolicited_pong_ignored():
    tag = new_tag("up")
    r = sioc(["ws", "--exit-after", "1", hurl("/unsolicited-pong", tag)], close_stdin=False)
    hresult(tag)
    expect_rc(r, 0)
    check(r.texts() == ["after-pong"], "got %s" % r.describe())


@test
def hostile_empty_messages():
    tag = new_tag("em")
    r = sioc(["ws", "--exit-after", "4", hurl("/empty-messages", tag)], close_stdin=False)
    hresult(tag)
    expect_rc(r, 0)
    m = r.messages
    check(len(m) == 4, "expected 4 messages: %s" % r.describe())
    check(m[0].get("binary") is False and m[0].get("data") == "" and
          m[1].get("binary") is True and m[1].get("data_b64") == "" and
          m[2].get("data") == "" and m[3].get("data") == "end", "got %s" % r.describe())


def make_ping(size):
    def t():
        tag = new_tag("pp")
        r = sioc(["ws", "--exit-after", "1", hurl("/ping-payload?size=%d" % size, tag)],
                 close_stdin=False)
        rec = hresult(tag)
        check_masked(rec)
        check("pong-ok" in rec["notes"], "server verdict on the pong: %s; frames %s"
              % (rec["notes"], short(rec["frames"], 400)))
        expect_rc(r, 0)
        check(r.texts() == ["pong-ok"], "got %s" % r.describe())
    return t


for _n in (0, 10, 125):
    add_test("hostile_ping_%d_bytes_answered_with_same_pong" % _n, make_ping(_n))


@test
def hostile_frame_in_same_write_as_101_not_lost():
    tag = new_tag("sw")
    r = sioc(["ws", "--exit-after", "2", hurl("/same-write", tag)], close_stdin=False)
    hresult(tag)
    expect_rc(r, 0)
    check(r.texts() == ["early-bird", "second"], "got %s" % r.describe())


def make_handshake_fail(path, args=(), limit=3.0):
    def t():
        tag = new_tag("hs")
        r = sioc(["ws"] + list(args) + [hurl(path, tag)], close_stdin=False, timeout=15)
        rec = hresult(tag, wait=12)
        expect_rc(r, 1)
        expect_error_record(r)
        expect_no_open(r)
        check(not [f for f in rec["frames"] if f["opcode"] in (0, 1, 2)],
              "client sent data frames after a failed handshake: %s" % short(rec["frames"]))
        check(r.elapsed < limit * SLOW, "took %.1fs to fail" % r.elapsed)
    return t


for _path in ("/hs-status200", "/hs-no-upgrade", "/hs-bad-upgrade", "/hs-no-connection",
              "/hs-bad-accept", "/hs-no-accept", "/hs-unoffered-protocol"):
    add_test("hostile_handshake_" + _path[4:].replace("-", "_") + "_fails",
             make_handshake_fail(_path))
add_test("hostile_handshake_extension_not_offered_fails",
         make_handshake_fail("/hs-extensions", args=("--no-deflate",)))
add_test("hostile_handshake_deflate_answer_outside_the_offer_fails", make_handshake_fail("/deflate-bad-answer"))
add_test("hostile_handshake_unoffered_protocol_when_others_offered_fails",
         make_handshake_fail("/hs-unoffered-protocol", args=("--protocol", "chat")))
add_test("hostile_handshake_1mib_headers_fails_bounded",
         make_handshake_fail("/hs-huge-headers", limit=5.0))


@test
def hostile_handshake_silent_server_connect_timeout_500():
    tag = new_tag("si")
    r = sioc(["ws", "--connect-timeout", "500", hurl("/hs-silent", tag)], close_stdin=False,
             timeout=10)
    expect_rc(r, 1)
    expect_error_record(r)
    expect_no_open(r)
    check(r.elapsed < 2.0 * SLOW, "took %.2fs with --connect-timeout 500" % r.elapsed)


@test
def hostile_handshake_case_insensitive_headers_accepted():
    tag = new_tag("ci")
    r = sioc(["ws", "--exit-after", "1", hurl("/hs-case-insensitive", tag)], close_stdin=False)
    hresult(tag)
    expect_rc(r, 0)
    check(r.texts() == ["case-ok"], "got %s" % r.describe())


@test
def hostile_tcp_drop_mid_frame_reports_1006_exit_1():
    tag = new_tag("dr")
    r = sioc(["ws", hurl("/drop-mid-frame", tag)], close_stdin=False, timeout=10)
    hresult(tag)
    expect_rc(r, 1)
    c = r.close_rec()
    check(c is not None and c.get("code") == 1006 and c.get("clean") is False,
          "expected close record code 1006 clean false: %s" % r.describe())
    check(not r.messages, "partial frame printed as a message: %s" % r.describe())
    check(r.elapsed < 3 * SLOW, "took %.1fs" % r.elapsed)


@test
def hostile_request_is_a_valid_upgrade():
    tag = new_tag("rq")
    r = sioc(["ws", "--protocol", "p1", "--protocol", "p2", hurl("/sink", tag)],
             stdin=b"", close_stdin=True)
    rec = hresult(tag)
    expect_rc(r, 0)
    rl = rec["request_line"]
    check(rl == "GET /sink?id=%s HTTP/1.1" % tag, "request line %r" % rl)
    h = rec["headers"]
    check(h.get("host") == "127.0.0.1:%d" % PORTS["hostile"], "Host %r" % h.get("host"))
    check(h.get("upgrade", "").lower() == "websocket", "Upgrade %r" % h.get("upgrade"))
    check("upgrade" in [x.strip().lower() for x in h.get("connection", "").split(",")],
          "Connection %r" % h.get("connection"))
    check(h.get("sec-websocket-version") == "13", "version %r" % h.get("sec-websocket-version"))
    check(rec["key_b64_len"] == 16, "Sec-WebSocket-Key %r is not 16 bytes base64" % rec["key"])
    offered = [x.strip() for x in h.get("sec-websocket-protocol", "").split(",")]
    check(offered == ["p1", "p2"], "offered protocols %r" % offered)
    check(h.get("sec-websocket-extensions") == "permessage-deflate; client_no_context_takeover; "
          "client_max_window_bits", "offered extensions %r" % h.get("sec-websocket-extensions"))


@test
def hostile_stdin_lines_then_eof_close_1000():
    tag = new_tag("eo")
    r = sioc(["ws", hurl("/sink", tag)], stdin=b"alpha\nbeta\n", close_stdin=True)
    rec = hresult(tag)
    check_masked(rec)
    texts = [bytes.fromhex(f["payload_hex"]) for f in client_frames(rec, 1)]
    check(texts == [b"alpha", b"beta"], "server got text frames %r" % texts)
    check(all(f["fin"] for f in rec["frames"]), "client fragmented short messages")
    check(rec.get("close_code") == 1000, "client close code %r, want 1000"
          % rec.get("close_code"))
    check(rec["frames"][-1]["opcode"] == 8, "close is not the last frame")
    expect_rc(r, 0)
    c = r.close_rec()
    check(c is not None and c.get("code") == 1000 and c.get("clean") is True,
          "close record %s" % short(c))


@test
def hostile_masking_keys_and_handshake_keys_random():
    mask_keys, ws_keys, n_text = [], [], 0
    for i in range(10):
        tag = new_tag("mk")
        lines = 50 if i == 0 else 2
        data = "".join("frame-%d\n" % j for j in range(lines)).encode()
        r = sioc(["ws", hurl("/sink", tag)], stdin=data, close_stdin=True)
        rec = hresult(tag)
        expect_rc(r, 0)
        check_masked(rec)
        check(rec["key_b64_len"] == 16, "Sec-WebSocket-Key %r does not decode to 16 bytes"
              % rec["key"])
        ws_keys.append(rec["key"])
        texts = client_frames(rec, 1)
        if i == 0:
            got = [bytes.fromhex(f["payload_hex"]) for f in texts]
            check(got == [b"frame-%d" % j for j in range(50)], "server got %s" % short(got))
        n_text += len(texts)
        mask_keys += [f["mask_key"] for f in rec["frames"]]
    check(n_text == 50 + 9 * 2, "server saw %d text frames, want 68" % n_text)
    check(len(set(ws_keys)) == 10, "Sec-WebSocket-Key repeated: %s" % ws_keys)
    check(len(mask_keys) >= 78, "only %d client frames recorded" % len(mask_keys))
    check("00000000" not in mask_keys, "an all-zero masking key was used")
    check(len(set(mask_keys)) == len(mask_keys),
          "masking keys repeat: %d distinct of %d" % (len(set(mask_keys)), len(mask_keys)))


@test
def hostile_close_never_answered_client_gives_up_slow():
    tag = new_tag("nc")
    r = sioc(["ws", hurl("/no-close-reply", tag)], stdin=b"", close_stdin=True, timeout=20)
    rec = hresult(tag, wait=15)
    check_masked(rec)
    check(rec.get("close_code") == 1000, "client close code %r, want 1000"
          % rec.get("close_code"))
    check(rec.get("eof"), "client never dropped TCP: %s" % rec["notes"])
    check(r.rc in (0, 1), "exit %s: %s" % (r.rc, r.describe()))
    check(3.0 <= r.elapsed <= 9.0 * SLOW, "gave up after %.1fs, want ~5 s (close timeout)"
          % r.elapsed)
    c = r.close_rec()
    check(c is None or c.get("clean") is False,
          "close record says clean without the server's close: %s" % short(c))


@test
def hostile_handshake_and_frame_dripped_one_byte_per_write():
    tag = new_tag("dp")
    r = sioc(["ws", "--exit-after", "1", hurl("/hs-drip", tag)], close_stdin=False)
    hresult(tag)
    expect_rc(r, 0)
    check(r.texts() == ["d" * 300], "got %s" % r.describe())


@test
def hostile_burst_of_1000_frames_in_one_write():
    tag = new_tag("bu")
    r = sioc(["ws", "--exit-after", "1000", hurl("/burst?n=1000", tag)], close_stdin=False)
    hresult(tag)
    expect_rc(r, 0)
    check(r.texts() == ["m%d" % i for i in range(1000)],
          "got %d messages, first mismatch at %s" % (
              len(r.texts()), next((i for i, t in enumerate(r.texts()) if t != "m%d" % i),
                                   None)))


@test
def sioc_prints_a_burst_in_batches_not_a_write_per_record():
    # 5000 records in one burst: stdout is written when the client has nothing
    # more ready (and every few ms under a stream), not once per record.
    if WRAPPER or not shutil.which("strace"):
        raise TestSkip("needs strace and no wrapper")
    tag = new_tag("bw")
    fd, trace = tempfile.mkstemp(prefix="sio-strace-")
    os.close(fd)
    try:
        # LeakSanitizer cannot run under ptrace: an ASan-built sioc is traced without it
        asan = (os.environ.get("ASAN_OPTIONS", "") + ":detect_leaks=0").lstrip(":")
        argv = ["env", "ASAN_OPTIONS=" + asan, "strace", "-f", "-qq", "-e", "trace=write", "-o", trace, OPTS.sioc, "ws", "--json",
                "--exit-after", "5000", hurl("/burst?n=5000", tag)]
        r = run_json(argv, b"", False, 20.0, False)
        hresult(tag)
        with open(trace) as f:
            writes = sum(1 for line in f if re.search(r"\bwrite\(1,", line))
    finally:
        os.unlink(trace)
    expect_rc(r, 0)
    check(len(r.texts()) == 5000, "got %d messages: %s" % (len(r.texts()), r.describe()))
    check(0 < writes <= 100, "%d writes to stdout for 5000 records" % writes)


@test
def sioc_text_mode_keeps_stdout_and_stderr_in_order():
    # Without --json messages go to stdout (batched) and the error to stderr:
    # the batch must be out before the error is written.
    tag = new_tag("or")
    p = subprocess.run(WRAPPER + [OPTS.sioc, "ws", hurl("/messages-then-rsv", tag)], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=20 * SLOW)
    hresult(tag)
    lines = [l for l in p.stdout.decode("utf-8", "replace").splitlines() if l and not l.startswith("==")]
    order = [l.split(":")[0] if l.startswith(("error", "closed")) else l for l in lines]
    check(order[:6] == ["connected", "m0", "m1", "m2", "error", "closed"], "out of order: %s" % lines)


@test
def ws_exit_after_does_not_wait_for_an_unanswered_close():
    tag = new_tag("ea")
    r = sioc(["ws", "--exit-after", "1", hurl("/no-close-reply", tag)], close_stdin=False, timeout=20)
    rec = hresult(tag, wait=15)
    expect_rc(r, 0)
    check(r.texts() == ["hi"], r.describe())
    check(r.elapsed < 2.0 * SLOW, "exit took %.2fs with a server that never answers the close" % r.elapsed)
    c = r.close_rec()
    check(c is not None and c.get("code") == 1006 and c.get("clean") is False, "close record: %s" % r.describe())
    check(rec.get("close_code") == 1000, "the client's close frame did not go out first: %s" % short(rec))


class Tmux:
    """sioc in a terminal: a detached tmux session driven by send-keys and
    read with capture-pane."""

    def __init__(self, argv):
        if WRAPPER or not shutil.which("tmux"):
            raise TestSkip("needs tmux and no wrapper")
        self.name = "sioc-test-%d-%d" % (os.getpid(), time.monotonic_ns() % 1000000)
        cmd = " ".join(shlex.quote(a) for a in argv) + "; echo EXIT $?; sleep 30"
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", "100", "-y", "30", cmd], check=True,
                       env=dict(os.environ, TERM="xterm"))

    def keys(self, *keys):
        subprocess.run(["tmux", "send-keys", "-t", self.name] + list(keys), check=True)

    def screen(self):
        p = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], stdout=subprocess.PIPE, check=True)
        return [l.rstrip() for l in p.stdout.decode("utf-8", "replace").split("\n")]

    def wait_for(self, want, timeout=5.0):
        end = time.monotonic() + timeout * SLOW
        while time.monotonic() < end:
            lines = [l for l in self.screen() if l]
            if want(lines):
                return lines
            time.sleep(0.05)
        return [l for l in self.screen() if l]

    def close(self):
        subprocess.run(["tmux", "kill-session", "-t", self.name], stderr=subprocess.DEVNULL)


@test
def terminal_prompt_keeps_the_typed_line_when_a_message_arrives():
    # Like wscat: "> " prompt, sent lines stay, received ones are "< text"; a
    # message that arrives while a line is half typed goes above it.
    t = Tmux([OPTS.sioc, "ws", echo_url("ws", "/delayed-echo?ms=700")])
    try:
        t.wait_for(lambda l: l[-1:] == [">"])
        t.keys("one", "Enter")
        t.wait_for(lambda l: "> one" in l)
        t.keys("pa")
        t.keys("rt")
        lines = t.wait_for(lambda l: "< one" in l)
        check(lines[-3:] == ["> one", "< one", "> part"], "screen: %s" % lines)
        t.keys("BSpace", "y", "Enter")
        lines = t.wait_for(lambda l: "< pary" in l)
        check(lines[-3:] == ["> pary", "< pary", ">"], "screen: %s" % lines)
        t.keys("C-d")
        lines = t.wait_for(lambda l: any(x.startswith("EXIT") for x in l))
        check("EXIT 0" in lines and "closed: code 1000" in lines, "Ctrl-D did not close cleanly: %s" % lines)
    finally:
        t.close()


@test
def terminal_shows_control_characters_instead_of_obeying_them():
    tag = new_tag("te")
    t = Tmux([OPTS.sioc, "ws", hurl("/terminal-escapes", tag)])
    try:
        lines = t.wait_for(lambda l: any(x.startswith("EXIT") for x in l))
        check("< a\\x1b[2J\\x1b[31mred\\x07\\u009bz" in lines, "screen: %s" % lines)
        check("closed: code 1000 (\\x1b]0;T\\x07bye)" in lines, "the close reason was not made safe: %s" % lines)
    finally:
        t.close()
    hresult(tag)


@test
def hostile_tcp_drop_right_after_101_reports_1006_exit_1():
    tag = new_tag("da")
    r = sioc(["ws", hurl("/drop-after-101", tag)], close_stdin=False, timeout=10)
    hresult(tag)
    expect_rc(r, 1)
    c = r.close_rec()
    check(c is not None and c.get("code") == 1006 and c.get("clean") is False,
          "expected close record code 1006 clean false: %s" % r.describe())


@test
def hostile_data_after_server_close_ignored():
    tag = new_tag("cd")
    r = sioc(["ws", hurl("/close-then-data", tag)], close_stdin=False)
    rec = hresult(tag)
    expect_rc(r, 0)
    check(r.texts() == ["before"], "messages %s, want only 'before'" % short(r.texts()))
    c = r.close_rec()
    check(c is not None and c.get("code") == 1000 and c.get("reason") == "bye",
          "close record %s" % short(c))
    check(rec.get("close_code") == 1000, "client close code %r" % rec.get("close_code"))


@test
def hostile_close_reason_multibyte_utf8():
    tag = new_tag("cu")
    reason = "\u00e9t\u00e9 \u20ac \U0001F600"
    from urllib.parse import quote
    r = sioc(["ws", hurl("/close-code?code=4000&reason=%s" % quote(reason), tag)],
             close_stdin=False)
    rec = hresult(tag)
    expect_rc(r, 0)
    c = r.close_rec()
    check(c is not None and c.get("code") == 4000 and c.get("reason") == reason,
          "close record %s, want reason %r" % (short(c), reason))
    check(rec.get("close_code") == 4000, "client close code %r" % rec.get("close_code"))


add_test("hostile_handshake_1mib_header_line_without_end_fails_bounded",
         make_handshake_fail("/hs-huge-line", limit=5.0))


@test
def hostile_url_without_path_requests_slash():
    tag = new_tag("np")
    r = sioc(["ws", "ws://127.0.0.1:%d?id=%s" % (PORTS["hostile"], tag)],
             stdin=b"", close_stdin=True)
    rec = hresult(tag)
    expect_rc(r, 0)
    check(rec["request_line"] == "GET /?id=%s HTTP/1.1" % tag,
          "request line %r" % rec["request_line"])


@test
def hostile_url_path_and_query_sent_unchanged():
    # a path with percent-escapes and a query goes into the request line as is
    tag = new_tag("pe")
    r = sioc(["ws", "ws://127.0.0.1:%d/sink?a=%%20b&id=%s" % (PORTS["hostile"], tag)],
             stdin=b"", close_stdin=True)
    rec = hresult(tag)
    expect_rc(r, 0)
    check(rec["request_line"] == "GET /sink?a=%%20b&id=%s HTTP/1.1" % tag,
          "request line %r" % rec["request_line"])


# ------------------------------------------------------------------- runner

def main():
    global OPTS, WRAPPER, SLOW
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sioc", default=os.path.join(ROOT, "build", "sioc"))
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
    import tempfile
    OPTS.tmp = tempfile.mkdtemp(prefix="sio-integration-")

    servers = ServerSet()
    sigterm_as_interrupt()

    def servers_alive():
        for n, p in (("ws", 0), ("py", 1), ("hostile", 2)):
            if servers.procs[p].poll() is not None:
                raise RuntimeError("server %s died (exit %s); see %s/server-%s.log"
                                   % (n, servers.procs[p].returncode, OPTS.tmp, n))

    counts = new_counts()
    t_start = time.monotonic()
    try:
        servers.start_all()
        run_tests(REG.select(OPTS.filter), counts, servers_alive)
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
    if failed:
        print("(%.1fs; server logs in %s)" % (time.monotonic() - t_start, OPTS.tmp),
              file=sys.stderr)
    else:
        import shutil
        shutil.rmtree(OPTS.tmp, ignore_errors=True)
        print("(%.1fs)" % (time.monotonic() - t_start), file=sys.stderr)
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
