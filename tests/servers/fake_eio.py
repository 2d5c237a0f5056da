#!/usr/bin/python3
"""A hand-written Engine.IO v4 / Socket.IO v5 server over WebSocket
(standard library only) that does what real servers never do.

    /usr/bin/python3 tests/servers/fake_eio.py PORT [--log FILE]   (0 = free port)

Listens on 127.0.0.1 only and prints "PORT <n>" as its first stdout line.
It does the HTTP upgrade and the RFC 6455 framing itself.  The scenario is the
first segment of the request path, so a client selects it with the Engine.IO
path, e.g. `sioc io --path /stop-pinging/ http://127.0.0.1:PORT/`.
Add `?id=TAG` (sioc: `--query id=TAG`) to find the connection's record later.

Scenarios (pingInterval/pingTimeout 25000/20000 unless noted; "connect" =
wait for the client's `40...` and answer `40{"sid":"fake-sid"}`):
  stop-pinging            open with pingInterval 300, pingTimeout 200; connect;
                          ping `2` twice (300 ms apart), then go silent (mark
                          "last_ping"); wait for the client to give up
  bad-open                open packet `0{"sid":` (invalid JSON)
  parse-error-type        connect, then `4abc`
  parse-error-payload     connect, then `42{}`
  huge-ack-id             connect, then `42999999999999999999999["x"]`
  too-many-attachments    connect, then `451000-["x",{"_placeholder":true,"num":0}]`
  too-many-attachments-11 connect, then `4511-[...]` (above the JS client's limit of 10)
  attachment-count-overflow  connect, then `4599999999999999999999-[...]`
  binary-without-header   connect, then a binary frame 01 02 03 (no 5n- header)
  text-while-collecting   connect, then `452-[...]`, one binary frame, `42["y"]`
  placeholder-out-of-range  connect, then `451-["x",{"_placeholder":true,"num":5}]` + 1 frame
  binary-ok               connect, then `451-["bin",<ph 0>]` + 00 ff, then
                          `452-["rev",{"num":1,"_placeholder":true},{"x":{"num":0,...}}]`
                          + 0a + (empty), then `42["done"]`
  deep-json               connect, then `42["deep",[[[...100000 levels...]]]]`
  no-sid-connect          answer the client's `40` with a bare `40` (v2 server style)
  attachment-never-arrives connect, then `451-["bin",{"_placeholder":true,"num":0}]`
                          and no attachment; after 1 s a WS close 1000
  server-close            connect, then the Engine.IO close packet `1` (mark
                          "close_sent"); the TCP connection is dropped by the
                          server only 3 s later
  record                  open with pingInterval 300, pingTimeout 200; the
                          CONNECT reply is delayed 300 ms (mark "connect_reply");
                          every client EVENT `42[...]` is answered with
                          `42["echo",<its array>]` (and `43<id>["acked"]` when it
                          carries an ack id); a ping `2` every 250 ms from the
                          open on (marks "ping0", "ping1", ...); 900 ms after
                          the CONNECT reply `425["ackme","x"]`, 300 ms later
                          `42["done"]`; then keeps reading until the client leaves
  idle                    like record, but the CONNECT reply is not delayed and
                          nothing is scripted: pings, echoes, and waits (10 s)
                          for the client to leave
  silent                  read the HTTP request, never answer (connect timeout)
  no-open                 complete the WebSocket handshake, never send the open packet
  hello                   the usual open packet (marks "open_sent"); if the client
                          sends `40`, answer it and send `42["hello",1]`
                          (mark "hello_sent")
  open-no-sid, open-empty-sid, open-long-sid (10000 chars),
  open-control-sid (sid "ab" U+0001 "cd"), open-negative-interval (pingInterval -1),
  open-string-timeout (pingTimeout "20000"), open-huge (extra field "padding"
  of 1 MiB), open-max-payload-negative (-1), open-max-payload-huge (1e300)
                          like hello, with that field of the open packet changed
  ping-flood              connect, stop reading, then ?n= (150) pings of ?size= (1 MiB)
                          bytes; waits for the client to leave
  open-zero-ping          pingInterval 0 and pingTimeout 0; CONNECT answered if
                          it comes; never pings; waits for the client to leave
  unknown-ack             connect, then `43999["x"]` (no such ack), `42["after"]`
  ack-id-2p60             connect, then `421152921504606846976["x"]` (id 2^60)
  attachments-10000       connect, then `4510000-["x",<ph 0>]`
  attachment-pinged       pingInterval 300/pingTimeout 200; connect; `451-[...]`
                          and no attachment; a ping `2` every 250 ms (marks
                          "ping0".."ping5"), then a WS close 1000 (mark "close_sent")
  deep-ack                connect; the client's first `42<id>[...]` is answered
                          with `43<id>` + an array nested 100000 deep (mark "bad_sent")
  frame-1gib              open packet, then a binary frame header declaring 2^30
                          bytes (82 7F 0000000040000000) and zeros while the client
                          stays (at most 64 MiB; mark "header_sent")
  trickle-open            the open packet's frame one byte per 200 ms (?gap=MS),
                          ~10.6 s (mark "open_done"); then connect, `42["hello",1]`
  flood                   connect, then `42["f",0]`..`42["f",N-1]` as fast as the
                          socket takes them (?n=N, default 200000; ?size=B adds a
                          string of B "x" to each); marks "flood_start", "flood_end"

Side channel: `GET /__result?id=TAG&wait=SECONDS` answers with the JSON record
of connection TAG once it has ended (or after `wait` with "done": false).
With --log FILE every finished record is appended there as a JSON line.

Record: id, scenario, request_line, path, query, headers (lower-case names),
  frames: [{t, opcode, fin, masked, text (opcode 1, utf-8) | hex (first 512
  bytes), length, close_code}], marks {name: t}, sent: [{t, text|hex}],
  close_code / close_t (first client close frame), eof / eof_t, notes, done.
  Every t is seconds since the TCP connection was accepted.
"""
import json
import os
import queue
import socket
import socketserver
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsserver import (RECORDS, FrameTooLong, Stream, accept_for, close_code_of,  # noqa: E402
                      frame, parse_request, serve)


def ws_frame(opcode, payload=b""):
    return frame(opcode, payload)


class Conn(Stream):
    def __init__(self, sock, rec):
        Stream.__init__(self, sock)
        self.rec = rec
        self.t0 = time.monotonic()
        self.wlock = threading.Lock()
        self.q = queue.Queue()
        self.closed_sent = False
        self.gone = threading.Event()   # client closed or EOF
        self.on_text = None             # callback(text) run on the reader thread
        self.deaf = threading.Event()   # set: the reader stops reading

    def now(self):
        return round(time.monotonic() - self.t0, 4)

    def mark(self, name):
        self.rec["marks"][name] = self.now()

    def send_raw(self, data):
        with self.wlock:
            try:
                self.sock.sendall(data)
                return True
            except OSError as e:
                self.rec["notes"].append("send failed: %s" % e)
                return False

    def send_text(self, text):
        self.rec["sent"].append({"t": self.now(), "text": text[:300]})
        return self.send_raw(ws_frame(1, text.encode("utf-8")))

    def send_binary(self, data):
        self.rec["sent"].append({"t": self.now(), "hex": data[:64].hex()})
        return self.send_raw(ws_frame(2, data))

    def send_close(self, code=1000):
        if self.closed_sent:
            return
        self.closed_sent = True
        self.rec["sent"].append({"t": self.now(), "close": code})
        self.send_raw(ws_frame(8, struct.pack("!H", code)))

    # -- reader thread
    def reader(self):
        try:
            while True:
                if self.deaf.is_set():          # stop reading: the client's writes back up
                    self.gone.wait(30)
                    return
                try:
                    b0, masked, key, payload = self.read_frame()
                except FrameTooLong as e:
                    self.rec["notes"].append("client frame too long: %d" % e.args[0])
                    break
                n = len(payload)
                op = b0 & 0x0F
                f = {"t": self.now(), "opcode": op, "fin": bool(b0 & 0x80),
                     "masked": masked, "length": n}
                if op == 1:
                    f["text"] = payload.decode("utf-8", "replace")
                else:
                    f["hex"] = payload[:512].hex()
                if op == 8:
                    f["close_code"] = close_code_of(payload)
                    if "close_code" not in self.rec:
                        self.rec["close_code"] = f["close_code"]
                        self.rec["close_t"] = f["t"]
                self.rec["frames"].append(f)
                if op == 8:
                    if not self.closed_sent:
                        code = f["close_code"]
                        self.closed_sent = True
                        self.send_raw(ws_frame(8, b"" if code is None
                                               else struct.pack("!H", code)))
                    self.gone.set()
                    self.q.put(("close", f))
                    # keep reading until EOF (the client drops TCP)
                    continue
                if op == 9:
                    self.send_raw(ws_frame(10, payload))
                    continue
                if op == 1 and self.on_text:
                    try:
                        self.on_text(f["text"])
                    except Exception as e:  # record, keep reading
                        self.rec["notes"].append("on_text: %r" % e)
                self.q.put(("frame", f))
        except EOFError:
            self.rec["eof"] = True
            self.rec["eof_t"] = self.now()
        except Exception as e:
            self.rec["notes"].append("reader: %r" % e)
        self.gone.set()
        self.q.put(("eof", None))

    def wait_text(self, prefix, timeout):
        """Next client text frame starting with prefix (others are skipped)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                kind, f = self.q.get(timeout=left)
            except queue.Empty:
                return None
            if kind in ("eof", "close"):   # the client is leaving
                self.q.put((kind, f))
                return None
            if kind == "frame" and f["opcode"] == 1 and f["text"].startswith(prefix):
                return f

    def wait_gone(self, timeout):
        return self.gone.wait(timeout)


# ---------------------------------------------------------------- Engine.IO

def open_packet(c, ping_interval=25000, ping_timeout=20000, sid="fake-eio-sid"):
    c.send_text("0" + json.dumps({"sid": sid, "upgrades": [],
                                  "pingInterval": ping_interval,
                                  "pingTimeout": ping_timeout,
                                  "maxPayload": 1000000}, separators=(",", ":")))


def do_connect(c, timeout=5.0, delay=0.0):
    f = c.wait_text("40", timeout)
    if f is None:
        c.rec["notes"].append("no CONNECT from the client")
        return False
    c.mark("connect_request")
    if delay:
        time.sleep(delay)
    body = f["text"][2:]
    nsp = ""
    if body.startswith("/"):
        nsp = body.split(",", 1)[0] + ","
    c.mark("connect_reply")
    c.send_text("40" + nsp + '{"sid":"fake-sid"}')
    return True


def linger(c, timeout=5.0):
    """Wait for the client to leave; then (or at timeout) end the connection."""
    if not c.wait_gone(timeout):
        c.rec["notes"].append("client still connected after %.1fs" % timeout)
    else:
        time.sleep(0.2)   # let the reader see EOF after a close frame


SCENARIOS = {}


def scenario(name):
    def deco(fn):
        SCENARIOS[name] = fn
        return fn
    return deco


@scenario("stop-pinging")
def _stop_pinging(c, q):
    open_packet(c, 300, 200)
    if not do_connect(c):
        return linger(c)
    for i in range(2):
        time.sleep(0.3)
        c.send_text("2")
        c.mark("ping%d" % i)
        if c.wait_text("3", 0.5) is None:
            c.rec["notes"].append("ping %d not answered" % i)
    c.mark("last_ping")
    linger(c, 6.0)


@scenario("bad-open")
def _bad_open(c, q):
    c.send_text('0{"sid":')
    c.mark("bad_open")
    linger(c, 5.0)


def after_connect_send(*texts, wait=5.0):
    def run(c, q):
        open_packet(c)
        if not do_connect(c):
            return linger(c)
        time.sleep(0.05)
        c.mark("bad_sent")
        for t in texts:
            if isinstance(t, bytes):
                c.send_binary(t)
            else:
                c.send_text(t)
        linger(c, wait)
    return run


SCENARIOS["parse-error-type"] = after_connect_send("4abc")
SCENARIOS["parse-error-payload"] = after_connect_send("42{}")
SCENARIOS["huge-ack-id"] = after_connect_send('42999999999999999999999["x"]')
SCENARIOS["too-many-attachments"] = after_connect_send(
    '451000-["x",{"_placeholder":true,"num":0}]')
SCENARIOS["too-many-attachments-11"] = after_connect_send(
    '4511-["x",{"_placeholder":true,"num":0}]')
SCENARIOS["attachment-count-overflow"] = after_connect_send(
    '4599999999999999999999-["x",{"_placeholder":true,"num":0}]')
SCENARIOS["binary-without-header"] = after_connect_send(b"\x01\x02\x03")
SCENARIOS["text-while-collecting"] = after_connect_send(
    '452-["x",{"_placeholder":true,"num":0},{"_placeholder":true,"num":1}]', b"\x01",
    '42["y"]')
SCENARIOS["placeholder-out-of-range"] = after_connect_send(
    '451-["x",{"_placeholder":true,"num":5}]', b"\x01")
SCENARIOS["binary-ok"] = after_connect_send(
    '451-["bin",{"_placeholder":true,"num":0}]', b"\x00\xff",
    '452-["rev",{"num":1,"_placeholder":true},{"x":{"num":0,"_placeholder":true}}]',
    b"\x0a", b"",
    '42["done"]')
DEPTH = 100000
SCENARIOS["deep-json"] = after_connect_send(
    '42["deep",' + "[" * DEPTH + "]" * DEPTH + "]")


@scenario("no-sid-connect")
def _no_sid(c, q):
    # a Socket.IO v2-style CONNECT reply (no sid)
    open_packet(c)
    f = c.wait_text("40", 5.0)
    if f is None:
        c.rec["notes"].append("no CONNECT from the client")
    else:
        c.mark("connect_reply")
        c.send_text("40")
    linger(c, 5.0)


@scenario("attachment-never-arrives")
def _attachment_never(c, q):
    open_packet(c)
    if not do_connect(c):
        return linger(c)
    time.sleep(0.05)
    c.send_text('451-["bin",{"_placeholder":true,"num":0}]')
    c.mark("header_sent")
    if c.wait_gone(1.0):
        c.rec["notes"].append("client left before the server closed")
        return linger(c, 0.5)
    c.mark("close_sent")
    c.send_close(1000)
    linger(c, 3.0)


@scenario("server-close")
def _server_close(c, q):
    open_packet(c)
    if not do_connect(c):
        return linger(c)
    time.sleep(0.05)
    c.send_text("1")
    c.mark("close_sent")
    linger(c, 3.0)


@scenario("idle")
def _idle(c, q):
    _record(c, q, script=False)


@scenario("record")
def _record(c, q, script=True):
    def on_text(text):
        if not text.startswith("42"):
            return
        body = text[2:]
        i = 0
        while i < len(body) and body[i].isdigit():
            i += 1
        ack_id, payload = body[:i], body[i:]
        try:
            arr = json.loads(payload)
        except ValueError:
            c.rec["notes"].append("client sent bad JSON: %r" % text[:200])
            return
        c.send_text("42" + json.dumps(["echo", arr], separators=(",", ":")))
        if ack_id:
            c.send_text("43" + ack_id + '["acked"]')

    c.on_text = on_text
    open_packet(c, 300, 200)

    def pinger():
        # every 250 ms from the open packet on, until the client leaves
        i = 0
        while not c.gone.wait(0.25):
            # mark first: the pong may be read (and timestamped) before
            # send_text returns
            c.rec["marks"]["ping%d" % i] = c.now()
            c.send_text("2")
            i += 1
    threading.Thread(target=pinger, daemon=True).start()
    if not do_connect(c, delay=0.3 if script else 0.0):
        return linger(c)
    if not script:
        return linger(c, 10.0)
    time.sleep(0.9)
    c.send_text('425["ackme","x"]')
    c.mark("ackme_sent")
    time.sleep(0.3)
    c.send_text('42["done"]')
    c.mark("done_sent")
    linger(c, 5.0)


@scenario("silent")
def _silent(c, q):
    c.wait_gone(8.0)


# ------------------------------------------------- hostile open packets etc.

def open_fields(**over):
    """The usual open packet's fields with some replaced (value None = drop)."""
    d = {"sid": "fake-eio-sid", "upgrades": [], "pingInterval": 25000,
         "pingTimeout": 20000, "maxPayload": 1000000}
    for k, v in over.items():
        if v is None:
            d.pop(k, None)
        else:
            d[k] = v
    return d


def open_then_hello(fields, ping_after=False):
    """Send the open packet `0<fields>`; if the client then asks for CONNECT,
    answer it and send `42["hello",1]` (mark "hello_sent"); linger."""
    def run(c, q):
        text = "0" + json.dumps(fields, separators=(",", ":"))
        c.send_text(text)
        c.mark("open_sent")
        f = c.wait_text("40", 3.0)
        if f is None:
            c.rec["notes"].append("no CONNECT from the client")
            return linger(c, 3.0)
        c.mark("connect_reply")
        c.send_text('40{"sid":"fake-sid"}')
        time.sleep(0.05)
        c.send_text('42["hello",1]')
        c.mark("hello_sent")
        linger(c, 5.0)
    return run


SCENARIOS["hello"] = open_then_hello(open_fields())
SCENARIOS["open-no-sid"] = open_then_hello(open_fields(sid=None))
SCENARIOS["open-empty-sid"] = open_then_hello(open_fields(sid=""))
SCENARIOS["open-long-sid"] = open_then_hello(open_fields(sid="s" * 10000))
SCENARIOS["open-control-sid"] = open_then_hello(open_fields(sid="ab\u0001cd"))
SCENARIOS["open-negative-interval"] = open_then_hello(open_fields(pingInterval=-1))
SCENARIOS["open-string-timeout"] = open_then_hello(open_fields(pingTimeout="20000"))
SCENARIOS["open-huge"] = open_then_hello(open_fields(padding="p" * (1 << 20)))
SCENARIOS["open-max-payload-negative"] = open_then_hello(open_fields(maxPayload=-1))
SCENARIOS["open-max-payload-huge"] = open_then_hello(open_fields(maxPayload=1e300))


@scenario("open-zero-ping")
def _open_zero_ping(c, q):
    # pingInterval 0, pingTimeout 0: the client's heartbeat deadline is "now";
    # answer CONNECT if it comes, never ping, wait for the client to leave
    c.send_text("0" + json.dumps(open_fields(pingInterval=0, pingTimeout=0),
                                 separators=(",", ":")))
    c.mark("open_sent")
    f = c.wait_text("40", 1.0)
    if f is not None:
        c.mark("connect_reply")
        c.send_text('40{"sid":"fake-sid"}')
    linger(c, 6.0)


# Socket.IO ------------------------------------------------------------------

SCENARIOS["unknown-ack"] = after_connect_send('43999["x"]', '42["after"]')
SCENARIOS["ack-id-2p60"] = after_connect_send('42%d["x"]' % (1 << 60))
SCENARIOS["attachments-10000"] = after_connect_send(
    '4510000-["x",{"_placeholder":true,"num":0}]')


@scenario("attachment-pinged")
def _attachment_pinged(c, q):
    # pingInterval 300/pingTimeout 200; after CONNECT a binary event header
    # whose attachment never comes, then pings every 250 ms for 1.5 s (marks
    # "ping0".."ping5"), then a WebSocket close 1000 (mark "close_sent")
    open_packet(c, 300, 200)
    if not do_connect(c):
        return linger(c)
    time.sleep(0.05)
    c.send_text('451-["bin",{"_placeholder":true,"num":0}]')
    c.mark("header_sent")
    for i in range(6):
        if c.gone.wait(0.25):
            c.rec["notes"].append("client left while pings kept coming")
            return linger(c, 0.5)
        c.mark("ping%d" % i)
        c.send_text("2")
    if c.gone.wait(0.25):
        c.rec["notes"].append("client left while pings kept coming")
        return linger(c, 0.5)
    c.mark("close_sent")
    c.send_close(1000)
    linger(c, 3.0)


@scenario("deep-ack")
def _deep_ack(c, q):
    # the client's first EVENT with an ack id `42<id>[...]` is answered with
    # `43<id>` + an array nested 100000 deep (mark "bad_sent")
    open_packet(c)
    if not do_connect(c):
        return linger(c)
    f = c.wait_text("42", 5.0)
    if f is None:
        c.rec["notes"].append("no EVENT from the client")
        return linger(c)
    body = f["text"][2:]
    i = 0
    while i < len(body) and body[i].isdigit():
        i += 1
    ack_id = body[:i] or "0"
    c.mark("bad_sent")
    c.send_text("43" + ack_id + "[" * DEPTH + "]" * DEPTH)
    linger(c, 5.0)


# WebSocket framing ------------------------------------------------------------

GIB = 1 << 30


@scenario("frame-1gib")
def _frame_1gib(c, q):
    # right after the open packet: a binary frame header declaring 2^30 bytes
    # (82 7F + 8-byte length), then zeros in 64 KiB pieces while the client
    # stays (at most 64 MiB), so a client that buffers them shows it in its RSS
    open_packet(c)
    c.mark("header_sent")
    c.rec["sent"].append({"t": c.now(), "hex": "827f%016x" % GIB})
    c.send_raw(struct.pack("!BBQ", 0x82, 127, GIB))
    chunk = b"\0" * 65536
    sent = 0
    while sent < 64 << 20 and not c.gone.is_set():
        if not c.send_raw(chunk):
            break
        sent += len(chunk)
    c.rec["payload_sent"] = sent
    linger(c, 5.0)


# slow and fast servers ---------------------------------------------------------

@scenario("trickle-open")
def _trickle_open(c, q):
    # the open packet's WebSocket frame one byte every 200 ms (?gap=MS) (about
    # 10 s), then CONNECT and `42["hello",1]`
    gap = float(q.get("gap", ["200"])[0]) / 1000.0
    text = '0{"sid":"t","pingInterval":25000,"pingTimeout":20000}'
    frame = ws_frame(1, text.encode())
    c.rec["sent"].append({"t": c.now(), "text": text, "trickle": gap})
    for i in range(len(frame)):
        if c.gone.is_set():
            c.rec["notes"].append("client left after %d of %d bytes" % (i, len(frame)))
            return linger(c, 0.5)
        c.send_raw(frame[i:i + 1])
        if i + 1 < len(frame):
            time.sleep(gap)
    c.mark("open_done")
    if not do_connect(c):
        return linger(c)
    c.send_text('42["hello",1]')
    c.mark("hello_sent")
    linger(c, 5.0)


@scenario("no-open")
def _no_open(c, q):
    # the WebSocket handshake completes, the Engine.IO open packet never comes
    c.wait_gone(8.0)


FLOOD_N = 200000


@scenario("flood")
def _flood(c, q):
    # after CONNECT: `42["f",0]` .. `42["f",N-1]` (N = ?n=, default 200000;
    # ?size=BYTES pads each with a string of that many "x") as fast as the
    # socket takes them (marks "flood_start", "flood_end"), then waits
    open_packet(c)
    if not do_connect(c):
        return linger(c)
    n = int(q.get("n", [str(FLOOD_N)])[0])
    size = int(q.get("size", ["0"])[0])
    pad = ',"' + "x" * size + '"' if size else ""
    c.mark("flood_start")
    batch = []
    for i in range(n):
        batch.append(ws_frame(1, ('42["f",%d%s]' % (i, pad)).encode()))
        if len(batch) >= 512 or i == n - 1:
            if c.gone.is_set() or not c.send_raw(b"".join(batch)):
                c.rec["notes"].append("flood stopped at %d" % i)
                break
            batch = []
    c.mark("flood_end")
    linger(c, 30.0)


@scenario("ping-flood")
def _ping_flood(c, q):
    # after CONNECT the server stops reading and sends ?n= (150) pings of
    # ?size= (1 MiB) bytes each (marks "flood_end"), then waits for the client to go
    open_packet(c)
    if not do_connect(c):
        return linger(c)
    c.deaf.set()
    n = int(q.get("n", ["150"])[0])
    ping = ws_frame(1, b"2" + b"x" * int(q.get("size", [str(1 << 20)])[0]))
    for i in range(n):
        if c.gone.is_set() or not c.send_raw(ping):
            c.rec["notes"].append("pings stopped at %d" % i)
            break
    c.mark("flood_end")
    c.gone.wait(30)


# ------------------------------------------------------------------- server

def public(rec):
    for _ in range(5):
        try:
            return json.loads(json.dumps(rec))
        except RuntimeError:  # changed while copying; try again
            time.sleep(0.01)
    return {"id": rec.get("id"), "notes": ["record busy"], "done": False}


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rec = {"frames": [], "sent": [], "marks": {}, "notes": [], "done": False,
               "eof": False}
        c = Conn(sock, rec)
        try:
            head = c.read_head(time.monotonic() + 10)
        except (EOFError, TimeoutError):
            return
        path, q = parse_request(head, rec)
        rec["query"] = {k: v[0] for k, v in q.items()}
        name = path.strip("/").split("/")[0]
        rec["scenario"] = name
        headers = rec["headers"]

        if name == "__result":
            c.send_raw(RECORDS.answer(q, public))
            return

        RECORDS.add(rec, q)
        try:
            fn = SCENARIOS.get(name)
            if fn is None:
                c.send_raw(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
                           b"Connection: close\r\n\r\n")
                rec["notes"].append("unknown scenario")
            elif name == "silent":
                threading.Thread(target=c.reader, daemon=True).start()
                fn(c, q)
            elif headers.get("upgrade", "").lower() != "websocket" or \
                    "sec-websocket-key" not in headers:
                body = b'{"code":3,"message":"Bad request"}'
                c.send_raw(b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
                           b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
                rec["notes"].append("not a WebSocket upgrade (this server is WS-only)")
            else:
                c.send_raw(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                            "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n"
                            % accept_for(headers["sec-websocket-key"])).encode("latin-1"))
                c.mark("open")
                threading.Thread(target=c.reader, daemon=True).start()
                fn(c, q)
        except Exception as e:
            rec["notes"].append("server exception: %r" % e)
        finally:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                sock.close()
            except OSError:
                pass
            RECORDS.finish(rec, public)


if __name__ == "__main__":
    serve(Handler)
