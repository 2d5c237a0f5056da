#!/usr/bin/python3
"""A hand-written Engine.IO long-polling server (standard library only) for
what real servers do rarely or never.

    /usr/bin/python3 tests/servers/fake_polling.py PORT      (0 = free port)

Listens on 127.0.0.1 and prints "PORT <n>" first.  The scenario is the first
path segment (sioc: --path /SCENARIO/ --transport polling).  Every session
answers the client's CONNECT `40...` with `40{"sid":"fake-sid"}` and every
EVENT `42[...]` with `42["echo",<its array>]`; a long-poll GET returns what is
queued, or a noop `6` after 2 s.  WebSocket requests get HTTP 400.

Scenarios:
  plain          as above
  chunked        every response body chunked in 3-byte chunks
  close-each     every response says Connection: close and the server closes
  unknown-sid    the first long-poll GET gets 400 {"code":1,"message":"Session ID unknown"}
  huge-length    the handshake answer announces Content-Length: 99999999999
  huge-code      the handshake gets 400 {"code":1e300,...} (no integer can hold it)
  not-http       the handshake is answered with "HELLO" (not HTTP)
  garbage-v3     (EIO=3) the first long poll answers "5:4ab" (length longer than the data)
Engine.IO 3 payloads (<units>:<packet>) are spoken when the request has EIO=3;
then "/" is connected without a CONNECT from the client (`40`), as 2.x servers do.
"""
import asyncio
import json
import sys
import urllib.parse

SESSIONS = {}


def units(s):
    return len(s.encode("utf-16-le")) // 2


def encode(packets, eio):
    if eio == "3":
        return "".join("%d:%s" % (units(p), p) for p in packets)
    return "\x1e".join(packets)


def decode(body, eio):
    if eio != "3":
        return body.split("\x1e") if body else []
    out, i = [], 0
    while i < len(body):
        j = body.index(":", i)
        n = int(body[i:j])
        # n counts UTF-16 units: walk characters until they add up
        k, seen = j + 1, 0
        while seen < n:
            seen += units(body[k])
            k += 1
        out.append(body[j + 1:k])
        i = k
    return out


async def respond(writer, status, body, scenario, extra=""):
    data = body.encode("utf-8")
    head = "HTTP/1.1 %s\r\nContent-Type: text/plain; charset=UTF-8\r\n%s" % (status, extra)
    if scenario == "close-each":
        head += "Connection: close\r\n"
    if scenario == "chunked":
        head += "Transfer-Encoding: chunked\r\n\r\n"
        writer.write(head.encode())
        for i in range(0, len(data), 3):
            writer.write(b"%x\r\n%s\r\n" % (len(data[i:i + 3]), data[i:i + 3]))
            await writer.drain()
        writer.write(b"0\r\n\r\n")
    else:
        writer.write((head + "Content-Length: %d\r\n\r\n" % len(data)).encode() + data)
    await writer.drain()


async def handle(reader, writer):
    try:
        while True:
            line = await reader.readline()
            if not line:
                return
            method, target, _ = line.decode("latin-1").split(" ", 2)
            headers = {}
            while True:
                h = await reader.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                k, v = h.decode("latin-1").split(":", 1)
                headers[k.strip().lower()] = v.strip()
            body = b""
            if "content-length" in headers:
                body = await reader.readexactly(int(headers["content-length"]))
            url = urllib.parse.urlsplit(target)
            q = dict(urllib.parse.parse_qsl(url.query))
            scenario = url.path.strip("/").split("/")[0]
            eio = q.get("EIO", "4")
            if q.get("transport") != "polling":
                await respond(writer, "400 Bad Request", '{"code":0,"message":"Transport unknown"}', "plain")
                continue
            sid = q.get("sid")
            if not sid:
                if scenario == "not-http":
                    writer.write(b"HELLO\r\n\r\n")
                    await writer.drain()
                    return
                if scenario == "huge-code":
                    await respond(writer, "400 Bad Request", '{"code":1e300,"message":"Bad handshake"}', "plain")
                    continue
                if scenario == "huge-length":
                    writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n0{")
                    await writer.drain()
                    await asyncio.sleep(2)
                    return
                sid = "fake-%d" % (len(SESSIONS) + 1)
                SESSIONS[sid] = {"queue": asyncio.Queue(), "gets": 0}
                if eio == "3":                  # Socket.IO v4: the server connects "/" itself
                    SESSIONS[sid]["queue"].put_nowait("40")
                op = json.dumps({"sid": sid, "upgrades": [], "pingInterval": 25000,
                                 "pingTimeout": 20000, "maxPayload": 100000})
                await respond(writer, "200 OK", encode(["0" + op], eio), scenario)
            else:
                s = SESSIONS.get(sid)
                if s is None:
                    await respond(writer, "400 Bad Request", '{"code":1,"message":"Session ID unknown"}', scenario)
                elif method == "POST":
                    for p in decode(body.decode("utf-8"), eio):
                        if p.startswith("40"):
                            s["queue"].put_nowait('40{"sid":"fake-sid"}' if eio != "3" else p)
                        elif p.startswith("42"):
                            s["queue"].put_nowait('42["echo",%s]' % p[2:])
                    await respond(writer, "200 OK", "ok", scenario)
                else:
                    s["gets"] += 1
                    if scenario == "unknown-sid":
                        await respond(writer, "400 Bad Request", '{"code":1,"message":"Session ID unknown"}', scenario)
                    elif scenario == "garbage-v3":
                        await respond(writer, "200 OK", "5:4ab", scenario)
                    else:
                        packets = []
                        try:
                            packets.append(await asyncio.wait_for(s["queue"].get(), 2))
                            while not s["queue"].empty():
                                packets.append(s["queue"].get_nowait())
                        except asyncio.TimeoutError:
                            packets = ["6"]
                        await respond(writer, "200 OK", encode(packets, eio), scenario)
            if scenario == "close-each":
                return
    except (ConnectionError, ValueError, asyncio.IncompleteReadError):
        return
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0)
    print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
