"""What the hand-written test servers (hostile_ws.py, fake_eio.py) share,
standard library only: RFC 6455 frames, a buffered reader over the client's
socket, the request head, the records with their `/__result` side channel,
and the listening server.

A server module defines a `socketserver.BaseRequestHandler` whose handle()
reads the head with `Stream.read_head`, parses it with `parse_request`,
answers `/__result` with `RECORDS.answer`, registers its record with
`RECORDS.add` and ends it with `RECORDS.finish`; its main() is `serve(Handler)`.
"""
import base64
import hashlib
import json
import socket
import socketserver
import struct
import sys
import threading
import time
from urllib.parse import urlsplit, parse_qs

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_CLIENT_FRAME = 64 * 1024 * 1024


def accept_for(key):
    return base64.b64encode(hashlib.sha1(key.encode("latin-1") + GUID).digest()).decode()


def frame(opcode, payload=b"", fin=True, rsv=0, mask=None, len_mode="auto", declared_len=None):
    """A frame as a server would send it (mask: 4 bytes to break the rules).
    len_mode: auto (minimal), 16, 64 or 64msb (the reserved top bit set)."""
    n = len(payload) if declared_len is None else declared_len
    b0 = (0x80 if fin else 0) | (rsv << 4) | (opcode & 0x0F)
    mbit = 0x80 if mask is not None else 0
    if len_mode == "auto":
        if n < 126:
            hdr = struct.pack("!BB", b0, mbit | n)
        elif n < 65536:
            hdr = struct.pack("!BBH", b0, mbit | 126, n)
        else:
            hdr = struct.pack("!BBQ", b0, mbit | 127, n)
    elif len_mode == "16":
        hdr = struct.pack("!BBH", b0, mbit | 126, n)
    elif len_mode == "64":
        hdr = struct.pack("!BBQ", b0, mbit | 127, n)
    elif len_mode == "64msb":
        hdr = struct.pack("!BBQ", b0, mbit | 127, n | (1 << 63))
    else:
        raise ValueError(len_mode)
    if mask is not None:
        hdr += mask
        payload = unmask(payload, mask)
    return hdr + payload


def close_payload(code, reason=b""):
    return struct.pack("!H", code) + reason


def unmask(payload, key):
    """XOR with the 4-byte key, as big integers (fast for large payloads)."""
    n = len(payload)
    if n == 0:
        return payload
    k = (key * (n // 4 + 1))[:n]
    return (int.from_bytes(payload, "big") ^ int.from_bytes(k, "big")).to_bytes(n, "big")


class FrameTooLong(Exception):
    pass


class Stream:
    """Buffered reads from the client's socket.  A deadline of None waits
    for ever; reads raise TimeoutError or EOFError."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = b""

    def _fill(self, deadline):
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left <= 0:
            raise TimeoutError()
        self.sock.settimeout(left)
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise TimeoutError()
        except OSError:
            data = b""
        if not data:
            raise EOFError()
        self.buf += data

    def read_exact(self, n, deadline=None):
        while len(self.buf) < n:
            self._fill(deadline)
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def read_head(self, deadline, limit=65536):
        while b"\r\n\r\n" not in self.buf:
            if len(self.buf) > limit:
                raise EOFError()
            self._fill(deadline)
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        return head.decode("latin-1")

    def read_frame(self, deadline=None):
        """One client frame: (first byte, masked, mask key, payload unmasked).
        FrameTooLong for more than 64 MiB."""
        b0, b1 = self.read_exact(2, deadline)
        n = b1 & 0x7F
        if n == 126:
            n = struct.unpack("!H", self.read_exact(2, deadline))[0]
        elif n == 127:
            n = struct.unpack("!Q", self.read_exact(8, deadline))[0]
        masked = bool(b1 & 0x80)
        key = self.read_exact(4, deadline) if masked else b""
        if n > MAX_CLIENT_FRAME:
            raise FrameTooLong(n)
        payload = self.read_exact(n, deadline)
        return b0, masked, key, unmask(payload, key) if masked else payload


def close_code_of(payload):
    return struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else None


def parse_request(head, rec):
    """The request line and headers (names lower-cased, repeats joined) into
    rec; returns (path, query dict of lists)."""
    lines = head.split("\r\n")
    rec["request_line"] = lines[0]
    headers = {}
    for ln in lines[1:]:
        if ":" in ln:
            k, v = ln.split(":", 1)
            k = k.strip().lower()
            headers[k] = (headers[k] + ", " + v.strip()) if k in headers else v.strip()
    rec["headers"] = headers
    parts = lines[0].split(" ")
    target = parts[1] if len(parts) > 1 else "/"
    u = urlsplit(target)
    rec["path"] = target
    return u.path, parse_qs(u.query)


class Records:
    """The connections' records by id, for `GET /__result?id=TAG&wait=S`;
    with a log file each finished record is appended as a JSON line."""

    def __init__(self):
        self.by_id = {}
        self.lock = threading.Condition()
        self.count = 0
        self.log_file = None

    def add(self, rec, query):
        with self.lock:
            self.count += 1
            tag = query.get("id", ["anon-%d" % self.count])[0]
            rec["id"] = tag
            self.by_id[tag] = rec

    def finish(self, rec, public):
        with self.lock:
            rec["done"] = True
            self.lock.notify_all()
        if self.log_file:
            with self.lock, open(self.log_file, "a") as fh:
                fh.write(json.dumps(public(rec)) + "\n")

    def answer(self, query, public):
        """The HTTP response to /__result: the record once it is done, or
        after `wait` seconds as it is."""
        tag = query.get("id", [""])[0]
        deadline = time.monotonic() + float(query.get("wait", ["5"])[0])
        with self.lock:
            while True:
                rec = self.by_id.get(tag)
                if rec is not None and rec["done"]:
                    break
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self.lock.wait(left)
            if rec is None:
                body = json.dumps({"id": tag, "missing": True, "done": False})
            else:
                body = json.dumps(public(rec))
        data = body.encode()
        return (b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(data) + data)


RECORDS = Records()


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


def serve(handler):
    """main(): PORT [--log FILE] on 127.0.0.1; prints "PORT <n>" first."""
    args = sys.argv[1:]
    if "--log" in args:
        i = args.index("--log")
        RECORDS.log_file = args[i + 1]
        del args[i:i + 2]
    port = int(args[0]) if args else 0
    srv = Server(("127.0.0.1", port), handler)
    sys.stdout.write("PORT %d\n" % srv.server_address[1])
    sys.stdout.flush()
    try:
        srv.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        srv.server_close()
