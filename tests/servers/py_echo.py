#!/usr/bin/python3
"""Reference echo server on Python `websockets` (Debian python3-websockets).

    /usr/bin/python3 tests/servers/py_echo.py PORT [--deflate]    (0 = pick a free port;
                                 --deflate: permessage-deflate, websockets' default)

Listens on 127.0.0.1 only; prints "PORT <n>" as its first stdout line.
Paths:
  /echo                        echo every message with the same opcode
  /binary-echo-check?size=N    send N random bytes as binary (or N bytes of
  /text-echo-check?size=N      'a'..'z' as text); the client (--echo) echoes
                               them; compare, send "ok <sha256 hex>" or
                               "bad ...", close 1000
  /close?code=C&reason=R       close with C/R right after open
  /extensions                  send the Sec-WebSocket-Extensions answered, then echo
Anything else is echoed too.
"""
import asyncio
import hashlib
import os
import signal
import sys
from urllib.parse import urlsplit, parse_qs

import websockets

MAX = 64 * 1024 * 1024


def alphabet(n):
    return bytes(97 + (i % 26) for i in range(n)) if n < 4096 else \
        (b"abcdefghijklmnopqrstuvwxyz" * (n // 26 + 1))[:n]


async def handler(ws, path=None):
    if path is None:  # newer websockets: one-argument handler
        path = ws.path
    u = urlsplit(path)
    q = parse_qs(u.query)
    try:
        if u.path in ("/binary-echo-check", "/text-echo-check"):
            size = int(q.get("size", ["0"])[0])
            binary = u.path == "/binary-echo-check"
            payload = os.urandom(size) if binary else alphabet(size)
            digest = hashlib.sha256(payload).hexdigest()
            await ws.send(payload if binary else payload.decode("ascii"))
            got = await ws.recv()
            if isinstance(got, str) == binary:
                verdict = "bad opcode"
            else:
                raw = got if isinstance(got, bytes) else got.encode("utf-8")
                verdict = "ok " + digest if raw == payload else \
                    "bad content len=%d want=%d" % (len(raw), size)
            await ws.send(verdict)
            await ws.close(1000, "")
        elif u.path == "/extensions":
            await ws.send(ws.response_headers.get("Sec-WebSocket-Extensions", ""))
            async for msg in ws:
                await ws.send(msg)
        elif u.path == "/close":
            code = int(q.get("code", ["1000"])[0])
            reason = q.get("reason", [""])[0]
            await ws.close(code, reason)
        else:
            async for msg in ws:
                await ws.send(msg)
    except websockets.exceptions.ConnectionClosed:
        pass


async def main():
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    # --deflate: permessage-deflate as websockets does by default
    compression = "deflate" if "--deflate" in sys.argv else None
    server = await websockets.serve(
        handler, "127.0.0.1", port,
        max_size=MAX, max_queue=4, compression=compression,
        ping_interval=None, close_timeout=5)
    real = server.sockets[0].getsockname()[1]
    sys.stdout.write("PORT %d\n" % real)
    sys.stdout.flush()
    stop = asyncio.get_running_loop().create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(
            sig, lambda: stop.done() or stop.set_result(None))
    await stop
    server.close()
    await server.wait_closed()


if __name__ == "__main__":
    asyncio.run(main())
