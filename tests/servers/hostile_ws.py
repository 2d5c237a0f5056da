#!/usr/bin/python3
"""A deliberately misbehaving WebSocket server (standard library only).

    /usr/bin/python3 tests/servers/hostile_ws.py PORT [--log FILE]   (0 = free port)

Listens on 127.0.0.1 only and prints "PORT <n>" as its first stdout line.
It does the HTTP upgrade itself and then, according to the request path,
breaks RFC 6455 in one specific way.  Everything the client sends back is
parsed (MASK bit, unmasked payload, opcode, close code/reason, timing) and
recorded per connection.

Side channel: every scenario URL may carry `?id=TAG`.  After (or while) the
client runs, `GET /__result?id=TAG&wait=SECONDS` on the same port answers
with the JSON record of that connection once the connection has ended (or
after `wait` seconds with "done": false).  With --log, each finished record
is also appended as one JSON line to FILE.

Record fields:
  id, path, scenario, request_line, headers (lower-cased names), key,
  key_b64_len (decoded byte length of Sec-WebSocket-Key, -1 if not base64),
  frames: [{opcode, fin, rsv, masked, mask_key (hex), length, payload_hex
            (first 256 bytes), close_code, close_reason, close_reason_hex, t}],
  close_code / close_reason / close_t: the first close frame from the client
            (t = seconds since the server's misbehaviour, "mark"),
  eof: client closed TCP, eof_t, unmasked: any client frame without MASK,
  notes: free-form strings (e.g. "pong-ok"), done.
"""
import base64
import os
import socket
import socketserver
import struct
import sys
import time
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from wsserver import (RECORDS, FrameTooLong, Stream, accept_for, close_code_of,  # noqa: E402
                      close_payload, frame, parse_request, serve)


class Conn(Stream):
    """The client's socket plus the connection record."""

    def __init__(self, sock, rec):
        Stream.__init__(self, sock)
        self.rec = rec
        self.mark = time.monotonic()

    def send(self, data):
        try:
            self.sock.sendall(data)
            return True
        except OSError as e:
            self.rec["notes"].append("send failed: %s" % e)
            return False

    def set_mark(self):
        self.mark = time.monotonic()

    def read_frame(self, timeout):
        """Read one client frame and record it. Raises EOFError/TimeoutError."""
        try:
            b0, masked, key, payload = Stream.read_frame(self, time.monotonic() + timeout)
        except FrameTooLong as e:
            self.rec["notes"].append("client frame too long: %d" % e.args[0])
            raise EOFError()
        n = len(payload)
        f = {
            "opcode": b0 & 0x0F, "fin": bool(b0 & 0x80), "rsv": (b0 >> 4) & 7,
            "masked": masked, "mask_key": key.hex(), "length": n,
            "payload_hex": payload[:256].hex(),
            "t": round(time.monotonic() - self.mark, 4),
        }
        if not masked:
            self.rec["unmasked"] = True
        if f["opcode"] == 8:
            f["close_code"] = close_code_of(payload)
            f["close_reason_hex"] = payload[2:].hex()
            f["close_reason"] = payload[2:].decode("utf-8", "replace")
            if "close_code" not in self.rec:
                self.rec["close_code"] = f["close_code"]
                self.rec["close_reason"] = f["close_reason"]
                self.rec["close_t"] = f["t"]
        self.rec["frames"].append(f)
        f["_payload"] = payload
        return f

    def finish(self, timeout=6.0, reply_close=True, answer_pings=True):
        """Read and record client frames until close/EOF/timeout.

        On the client's close frame: answer with a close frame carrying the
        same code (unless reply_close is False) and end the connection."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    self.rec["notes"].append("finish timeout")
                    return
                f = self.read_frame(left)
                if f["opcode"] == 8:
                    if reply_close:
                        code = f.get("close_code")
                        pl = b"" if code is None else struct.pack("!H", code)
                        self.send(frame(8, pl))
                        return
                    # never answer: keep reading until EOF or timeout
                elif f["opcode"] == 9 and answer_pings:
                    self.send(frame(10, f["_payload"]))
        except EOFError:
            self.rec["eof"] = True
            self.rec["eof_t"] = round(time.monotonic() - self.mark, 4)
        except TimeoutError:
            self.rec["notes"].append("finish timeout")


def response_101(key, extra=(), accept=None, status="101 Switching Protocols",
                 upgrade=True, connection=True):
    lines = ["HTTP/1.1 " + status]
    if upgrade:
        lines.append("Upgrade: websocket")
    if connection:
        lines.append("Connection: Upgrade")
    if accept is not False:
        lines.append("Sec-WebSocket-Accept: " + (accept or accept_for(key)))
    lines.extend(extra)
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


# ---------------------------------------------------------------- scenarios
# Each scenario gets (conn, key, query) after the request head was read and
# must do the handshake itself (most call std()).

SCENARIOS = {}


def scenario(name):
    def deco(fn):
        SCENARIOS[name] = fn
        return fn
    return deco


def std(c, key):
    c.send(response_101(key))


def bad_then_finish(*frames_):
    def run(c, key, q):
        std(c, key)
        c.set_mark()
        c.send(b"".join(frames_))
        c.finish()
    return run


SIMPLE = {
    "/rsv": [frame(1, b"hello", rsv=4)],
    "/rsv2": [frame(1, b"hello", rsv=2)],
    "/opcode3": [frame(3, b"hello")],
    "/opcodeB": [frame(0xB, b"hello")],
    "/fragmented-ping": [frame(9, b"ab", fin=False), frame(0, b"cd")],
    "/ping126": [frame(9, b"p" * 126)],
    "/close126": [frame(8, close_payload(1000, b"r" * 124))],
    "/masked": [frame(1, b"hello", mask=b"\x01\x02\x03\x04")],
    "/cont-without-start": [frame(0, b"hello")],
    "/text-during-fragment": [frame(1, b"ab", fin=False), frame(1, b"cd")],
    "/len16-nonminimal": [frame(1, b"hello", len_mode="16")],
    "/len64-nonminimal": [frame(1, b"x" * 300, len_mode="64")],
    "/len64-msb": [frame(1, b"hello", len_mode="64msb")],
    "/invalid-utf8": [frame(1, b"abc\xff\xfedef")],
    "/invalid-utf8-overlong": [frame(1, b"\xc0\xafabc")],
    "/invalid-utf8-surrogate": [frame(1, b"\xed\xa0\x80abc")],
    "/invalid-utf8-frag2": [frame(1, b"hello", fin=False), frame(0, b"w\xc3\x28rld")],
    "/truncated-utf8-end": [frame(1, b"abc\xe2\x82")],
    "/close-1byte": [frame(8, b"\x03")],
    "/close-bad-utf8-reason": [frame(8, close_payload(1000, b"bad\xff\xfe"))],
    "/too-big": [frame(1, b"y" * 2000)],
    "/too-big-binary": [frame(2, b"\x01" * 2000)],
    "/too-big-frags": [frame(1, b"z" * 600, fin=False), frame(0, b"z" * 600)],
}
for _p, _f in SIMPLE.items():
    SCENARIOS[_p] = bad_then_finish(*_f)


@scenario("/close-code")
def _close_code(c, key, q):
    std(c, key)
    c.set_mark()
    code = int(q.get("code", ["1000"])[0])
    reason = q.get("reason", [""])[0].encode("utf-8")
    c.send(frame(8, close_payload(code, reason)))
    c.finish()


@scenario("/close-empty")
def _close_empty(c, key, q):
    std(c, key)
    c.set_mark()
    c.send(frame(8, b""))
    c.finish()


@scenario("/exact-limit")
def _exact_limit(c, key, q):
    """A 600+400 fragmented text (exactly 1000 bytes), then a 1000-byte binary."""
    std(c, key)
    c.set_mark()
    c.send(frame(1, b"e" * 600, fin=False) + frame(0, b"e" * 400))
    c.send(frame(2, b"\x07" * 1000))
    c.finish()


@scenario("/utf8-split-valid")
def _utf8_split(c, key, q):
    """Valid UTF-8 whose multi-byte sequences straddle fragment boundaries."""
    std(c, key)
    c.set_mark()
    s = "h\u00e9llo \u20ac \U0001F600!".encode("utf-8")
    # split inside the 2-byte, the 3-byte and the 4-byte sequence
    i1 = s.index(b"\xc3") + 1
    i2 = s.index(b"\xe2") + 2
    i3 = s.index(b"\xf0") + 3
    c.send(frame(1, s[:i1], fin=False) + frame(0, s[i1:i2], fin=False) +
           frame(0, s[i2:i3], fin=False) + frame(0, s[i3:]))
    c.finish()


@scenario("/ping-in-fragment")
def _ping_in_fragment(c, key, q):
    """Control frames may be interleaved in a fragmented message."""
    std(c, key)
    c.set_mark()
    c.send(frame(1, b"ab", fin=False) + frame(9, b"xyz") + frame(0, b"cd"))
    c.finish()


@scenario("/unsolicited-pong")
def _unsolicited_pong(c, key, q):
    std(c, key)
    c.set_mark()
    c.send(frame(10, b"nobody-asked") + frame(1, b"after-pong"))
    c.finish()


@scenario("/empty-messages")
def _empty_messages(c, key, q):
    std(c, key)
    c.set_mark()
    c.send(frame(1, b"") + frame(2, b"") + frame(1, b"", fin=False) + frame(0, b"")
           + frame(1, b"end"))
    c.finish()


@scenario("/ping-payload")
def _ping_payload(c, key, q):
    """Ping with a payload; check the pong; report 'pong-ok'/'pong-bad ...'."""
    std(c, key)
    c.set_mark()
    size = int(q.get("size", ["10"])[0])
    payload = bytes((i * 37 + 5) & 0xFF for i in range(size))
    c.send(frame(9, payload))
    try:
        while True:
            f = c.read_frame(5.0)
            if f["opcode"] == 10:
                if f["_payload"] == payload:
                    verdict = "pong-ok"
                else:
                    verdict = "pong-bad got=%s" % f["_payload"].hex()
                c.rec["notes"].append(verdict)
                c.send(frame(1, verdict.encode()))
                break
            if f["opcode"] == 8:
                c.rec["notes"].append("close before pong")
                c.send(frame(8, b"" if f["close_code"] is None else
                             struct.pack("!H", f["close_code"])))
                return
    except (EOFError, TimeoutError) as e:
        c.rec["notes"].append("no pong: %r" % e)
        return
    c.finish()


@scenario("/same-write")
def _same_write(c, key, q):
    """101 response and the first text frame in ONE send."""
    c.set_mark()
    c.send(response_101(key) + frame(1, b"early-bird") + frame(1, b"second"))
    c.finish()


@scenario("/hs-status200")
def _hs200(c, key, q):
    c.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n"
           b"Connection: close\r\n\r\nhello")
    c.finish(timeout=3)


@scenario("/hs-no-upgrade")
def _hs_no_upgrade(c, key, q):
    c.send(response_101(key, upgrade=False))
    c.finish(timeout=3)


@scenario("/hs-bad-upgrade")
def _hs_bad_upgrade(c, key, q):
    c.send(response_101(key, upgrade=False, extra=["Upgrade: h2c"]))
    c.finish(timeout=3)


@scenario("/hs-no-connection")
def _hs_no_connection(c, key, q):
    c.send(response_101(key, connection=False))
    c.finish(timeout=3)


@scenario("/hs-bad-accept")
def _hs_bad_accept(c, key, q):
    c.send(response_101(key, accept=accept_for(key + "x")))
    c.finish(timeout=3)


@scenario("/hs-no-accept")
def _hs_no_accept(c, key, q):
    c.send(response_101(key, accept=False))
    c.finish(timeout=3)


@scenario("/hs-unoffered-protocol")
def _hs_unoffered(c, key, q):
    c.send(response_101(key, extra=["Sec-WebSocket-Protocol: never-offered"]))
    c.finish(timeout=3)


@scenario("/hs-echo-protocol")
def _hs_echo_protocol(c, key, q):
    # Selects the client's whole offer, however long (a server may pick any
    # offered value); then says which length it chose.
    offer = c.rec["headers"].get("sec-websocket-protocol", "")
    c.send(response_101(key, extra=["Sec-WebSocket-Protocol: " + offer] if offer else []))
    c.send(frame(0x1, ("chose:%d" % len(offer)).encode()))
    c.finish(timeout=3)


@scenario("/hs-extensions")
def _hs_ext(c, key, q):
    c.send(response_101(key, extra=["Sec-WebSocket-Extensions: permessage-deflate"]))
    c.finish(timeout=3)


def _raw_deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    return out[:-4]                     # the 00 00 ff ff left off (RFC 7692 7.2.1)


@scenario("/deflate-bomb")
def _deflate_bomb(c, key, q):
    # Agrees to permessage-deflate, sends one small compressed message, then
    # 64 MiB of zeros compressed into about 64 KiB: past any max_message.
    c.send(response_101(key, extra=["Sec-WebSocket-Extensions: permessage-deflate"]))
    c.send(frame(1, _raw_deflate(b"small one"), rsv=4))
    c.send(frame(2, _raw_deflate(b"\0" * (64 << 20)), rsv=4))
    c.finish(timeout=5)


@scenario("/deflate-garbage")
def _deflate_garbage(c, key, q):
    # RSV1 set on bytes that are not DEFLATE (block type 3).
    c.send(response_101(key, extra=["Sec-WebSocket-Extensions: permessage-deflate"]))
    c.send(frame(1, b"\x07\xff\xff", rsv=4))
    c.finish(timeout=5)


@scenario("/deflate-bad-answer")
def _deflate_bad_answer(c, key, q):
    c.send(response_101(key, extra=["Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=99"]))
    c.finish(timeout=3)


@scenario("/hs-case-insensitive")
def _hs_case(c, key, q):
    """Valid but unusual: header names/values in odd case, Connection list."""
    resp = ("HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\n"
            "CONNECTION: keep-alive, Upgrade\r\nsec-websocket-accept: %s\r\n"
            "X-Extra:   spaced   \r\n\r\n" % accept_for(key)).encode()
    c.send(resp)
    c.set_mark()
    c.send(frame(1, b"case-ok"))
    c.finish()


@scenario("/hs-huge-headers")
def _hs_huge(c, key, q):
    """1 MiB of response headers, in chunks; the client must give up."""
    c.rec["sent_head_bytes"] = 0
    if not c.send(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                  b"Connection: Upgrade\r\n"):
        return
    line = b"X-Filler: " + b"f" * 1000 + b"\r\n"
    c.sock.settimeout(5)
    total = 0
    try:
        while total < 1024 * 1024:
            c.sock.sendall(line * 16)
            total += len(line) * 16
            c.rec["sent_head_bytes"] = total
        c.sock.sendall(("Sec-WebSocket-Accept: %s\r\n\r\n" % accept_for(key)).encode())
        c.rec["notes"].append("sent whole head")
    except OSError as e:
        c.rec["notes"].append("client stopped reading: %s" % e)
        return
    c.finish(timeout=3)


@scenario("/hs-silent")
def _hs_silent(c, key, q):
    """Read the request, never answer; wait for the client to hang up."""
    c.set_mark()
    c.finish(timeout=10)


@scenario("/drop-mid-frame")
def _drop(c, key, q):
    std(c, key)
    c.set_mark()
    c.send(frame(1, b"k" * 100)[:12])
    time.sleep(0.1)
    # abortive close would lose nothing of interest; a normal close is enough
    try:
        c.sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


@scenario("/no-close-reply")
def _no_close_reply(c, key, q):
    """Never answer the client's close and keep TCP open."""
    std(c, key)
    c.set_mark()
    c.send(frame(1, b"hi"))
    c.finish(timeout=15, reply_close=False)


@scenario("/failfast")
def _failfast(c, key, q):
    """Header of a 1000-byte text frame + 10 bytes with invalid UTF-8; hold."""
    std(c, key)
    time.sleep(0.05)
    c.set_mark()
    c.send(struct.pack("!BBH", 0x81, 126, 1000) + b"abcd\xff\xfeefgh")
    c.finish(timeout=5)


@scenario("/hs-drip")
def _hs_drip(c, key, q):
    """101 response and a 300-byte text frame, one byte per write."""
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    data = response_101(key) + frame(1, b"d" * 300)
    for i in range(len(data)):
        if not c.send(data[i:i + 1]):
            return
        time.sleep(0.002)
    c.finish()


@scenario("/terminal-escapes")
def _terminal_escapes(c, key, q):
    """A text message full of terminal controls (ESC sequences, BEL, a C1 CSI),
    then a close whose reason sets the window title."""
    std(c, key)
    c.set_mark()
    c.send(frame(1, "a\x1b[2J\x1b[31mred\x07\u009bz".encode("utf-8")))
    time.sleep(0.3)
    c.send(frame(8, struct.pack("!H", 1000) + b"\x1b]0;T\x07bye"))
    c.finish()


@scenario("/messages-then-rsv")
def _messages_then_rsv(c, key, q):
    """Three text messages, then a frame with a reserved bit set (a protocol error)."""
    std(c, key)
    c.set_mark()
    c.send(frame(1, b"m0") + frame(1, b"m1") + frame(1, b"m2") + frame(1, b"bad", rsv=4))
    c.finish()


@scenario("/burst")
def _burst(c, key, q):
    """N small text frames ("m0".."m{N-1}") in one write."""
    std(c, key)
    n = int(q.get("n", ["1000"])[0])
    c.send(b"".join(frame(1, b"m%d" % i) for i in range(n)))
    c.finish()


@scenario("/drop-after-101")
def _drop_after_101(c, key, q):
    std(c, key)
    time.sleep(0.1)
    try:
        c.sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


@scenario("/close-then-data")
def _close_then_data(c, key, q):
    """A close frame followed by a text frame the client must ignore."""
    std(c, key)
    c.send(frame(1, b"before") + frame(8, close_payload(1000, b"bye")) + frame(1, b"after"))
    c.finish()


@scenario("/hs-huge-line")
def _hs_huge_line(c, key, q):
    """A 1 MiB header line with no line end at all."""
    c.sock.settimeout(5)
    try:
        c.sock.sendall(b"HTTP/1.1 101 Switching Protocols\r\nX-Long: ")
        for _ in range(64):
            c.sock.sendall(b"L" * 16384)
    except OSError as e:
        c.rec["notes"].append("client stopped reading: %s" % e)
        return
    c.finish(timeout=3)


@scenario("/")
def _root(c, key, q):
    _sink(c, key, q)


@scenario("/sink")
def _sink(c, key, q):
    """Plain server that records everything (masking keys, Sec-WebSocket-Key)."""
    std(c, key)
    c.set_mark()
    c.finish(timeout=10)


@scenario("/echo")
def _echo(c, key, q):
    std(c, key)
    c.set_mark()
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline:
            f = c.read_frame(deadline - time.monotonic())
            if f["opcode"] in (0, 1, 2):
                c.send(frame(f["opcode"], f["_payload"], fin=f["fin"]))
            elif f["opcode"] == 9:
                c.send(frame(10, f["_payload"]))
            elif f["opcode"] == 8:
                c.send(frame(8, f["_payload"][:2]))
                return
    except (EOFError, TimeoutError):
        pass


# ------------------------------------------------------------------ server

def public(rec):
    out = dict(rec)
    out["frames"] = [{k: v for k, v in f.items() if k != "_payload"} for f in rec["frames"]]
    out.pop("_event", None)
    return out


class Handler(socketserver.BaseRequestHandler):
    def handle(self):
        sock = self.request
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        rec = {"frames": [], "notes": [], "done": False, "eof": False,
               "unmasked": False}
        c = Conn(sock, rec)
        try:
            head = c.read_head(time.monotonic() + 10)
        except (EOFError, TimeoutError):
            return
        path, q = parse_request(head, rec)
        rec["scenario"] = path
        if path == "/__result":
            c.send(RECORDS.answer(q, public))
            return
        RECORDS.add(rec, q)
        key = rec["headers"].get("sec-websocket-key", "")
        rec["key"] = key
        try:
            rec["key_b64_len"] = len(base64.b64decode(key, validate=True))
        except Exception:
            rec["key_b64_len"] = -1
        fn = SCENARIOS.get(path)
        try:
            if fn is None:
                c.send(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                rec["notes"].append("unknown scenario")
            else:
                fn(c, key, q)
        except Exception as e:  # keep serving; record the problem
            rec["notes"].append("server exception: %r" % e)
        finally:
            try:
                sock.close()
            except OSError:
                pass
            RECORDS.finish(rec, public)


if __name__ == "__main__":
    serve(Handler)
