#!/usr/bin/python3
"""python-socketio (Debian python3-socketio 5.x + python3-aiohttp) peer for
sio's io-mode integration tests.

    /usr/bin/python3 tests/servers/py_io_server.py PORT [--ping-interval S]
                                                        [--ping-timeout S]
    (0 = free port)

Listens on 127.0.0.1 only and prints "PORT <n>" as its first stdout line.
Engine.IO path /socket.io/.  Namespace "/":
  connect                 emit "welcome" {"sid": <sid>, "auth": <auth or null>}
                          (sent after the CONNECT reply: always_connect=True)
  message ...args         emit "message-back" ...args (bytes stay binary)
  message-with-ack ...    the handler returns the args -> ack with the same args
  binary ...args          emit "binary-back" ...args
  request-binary          emit "binary" b"\\x01\\x02\\x03", {"deep": [b"\\x04\\x05"]}
  inspect ...args         emit "inspected" with bytes replaced by {"$buffer": hex}
  big-binary n            emit "big-binary" n, <n pattern bytes>
  upload buf              ack {"len": len(buf), "bad": first byte not the pattern or -1}
                          (aiohttp takes WebSocket messages of 4 MiB at most)
  pattern: byte i = (i*131 + (i>>13)*7 + (i>>21)) & 255, as tests/test_parts_live.c
"""
import asyncio
import socket
import sys

import socketio
from aiohttp import web


def parse_args():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("port", type=int, nargs="?", default=0)
    ap.add_argument("--ping-interval", type=float, default=0.3)
    ap.add_argument("--ping-timeout", type=float, default=0.2)
    return ap.parse_args()


OPTS = parse_args()


def inspect(v):
    if isinstance(v, (bytes, bytearray)):
        return {"$buffer": bytes(v).hex()}
    if isinstance(v, list):
        return [inspect(x) for x in v]
    if isinstance(v, dict):
        return {k: inspect(x) for k, x in v.items()}
    return v


def pattern(n):
    """The first n pattern bytes, a block of 8192 at a time: within a block
    only i*131 changes, and 8192*131 is 0 modulo 256."""
    base = bytes((i * 131) & 255 for i in range(8192))
    out = bytearray()
    for k in range((n + 8191) // 8192):
        add = (k * 7 + (k >> 8)) & 255
        out += base.translate(bytes((b + add) & 255 for b in range(256)))
    return bytes(out[:n])


def build():
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*",
                               ping_interval=OPTS.ping_interval,
                               ping_timeout=OPTS.ping_timeout,
                               max_http_buffer_size=300000000,
                               always_connect=True,
                               logger=False, engineio_logger=False)

    @sio.event
    async def connect(sid, environ, auth=None):
        await sio.emit("welcome", {"sid": sid, "auth": auth}, to=sid)

    @sio.event
    async def message(sid, *args):
        await sio.emit("message-back", tuple(args), to=sid)

    @sio.on("message-with-ack")
    async def message_with_ack(sid, *args):
        return tuple(args)

    @sio.on("binary")
    async def binary(sid, *args):
        await sio.emit("binary-back", tuple(args), to=sid)

    @sio.on("request-binary")
    async def request_binary(sid, *args):
        await sio.emit("binary", (b"\x01\x02\x03", {"deep": [b"\x04\x05"]}), to=sid)

    @sio.on("inspect")
    async def inspect_ev(sid, *args):
        await sio.emit("inspected", tuple(inspect(a) for a in args), to=sid)

    @sio.on("big-binary")
    async def big_binary(sid, n):
        n = max(0, min(int(n), 256 << 20))
        await sio.emit("big-binary", (n, pattern(n)), to=sid)

    @sio.on("upload")
    async def upload(sid, buf, *args):
        if not isinstance(buf, (bytes, bytearray)):
            return {"len": -1, "bad": -2}
        want = pattern(len(buf))
        bad = next((i for i in range(len(buf)) if buf[i] != want[i]), -1) if buf != want else -1
        return {"len": len(buf), "bad": bad}

    app = web.Application()
    sio.attach(app)
    return app


async def main():
    port = OPTS.port
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(128)
    runner = web.AppRunner(build(), handle_signals=False)
    await runner.setup()
    site = web.SockSite(runner, sock)
    await site.start()
    sys.stdout.write("PORT %d\n" % sock.getsockname()[1])
    sys.stdout.flush()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    import signal
    for s in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(s, stop.set)
    await stop.wait()
    await runner.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
