#!/usr/bin/python3
"""A TCP proxy on 127.0.0.1 that makes a loopback link behave like a bad
network, for tests where the kernel has no netem (tc qdisc netem):

    fault_proxy.py TARGET_PORT [--seed N] [--delay-ms 100] [--jitter-ms 50]
                   [--cut-every S] [--stall-every S] [--stall-ms 2000]

Prints "PORT <n>" once listening.  Each direction of each connection is
delivered in order, DELAY +- JITTER ms late, split at random byte
boundaries.  Every CUT-EVERY seconds (randomized by +-50%) one live
connection is cut: reset (RST) both ways, or half-closed (the client's
side gets FIN, the server's keeps going), chosen by the seed.  Every
STALL-EVERY seconds the whole link stops for STALL-MS (a cable pulled and
put back: bytes wait, nothing is lost).  Faults go to stderr as JSON lines.
"""
import argparse
import asyncio
import json
import random
import socket
import struct
import sys
import time


def log(**kw):
    kw["t"] = round(time.monotonic(), 3)
    sys.stderr.write(json.dumps(kw) + "\n")
    sys.stderr.flush()


class Link:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.conns = []
        self.resume_at = 0.0

    def late(self):
        a = self.args
        return max(0.0, (a.delay_ms + self.rng.uniform(-a.jitter_ms, a.jitter_ms)) / 1000.0)

    async def pipe(self, conn, reader, writer, name):
        """Forwards reader to writer, each chunk late and in pieces, in order."""
        due = 0.0
        try:
            while True:
                data = await reader.read(65536)
                if not data:
                    break
                due = max(due, time.monotonic() + self.late())
                while data:
                    cut = self.rng.randint(1, len(data))
                    piece, data = data[:cut], data[cut:]
                    wait = max(due, self.resume_at) - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    while time.monotonic() < self.resume_at:          # a stall began meanwhile
                        await asyncio.sleep(self.resume_at - time.monotonic())
                    if conn["cut"]:
                        return
                    writer.write(piece)
                    await writer.drain()
            if not conn["cut"] and writer.can_write_eof():
                writer.write_eof()
        except (ConnectionError, OSError, asyncio.CancelledError):
            pass

    async def serve(self, creader, cwriter):
        try:
            sreader, swriter = await asyncio.open_connection("127.0.0.1", self.args.target)
        except OSError:
            cwriter.close()
            return
        conn = {"cut": False, "c": cwriter, "s": swriter}
        self.conns.append(conn)
        try:
            await asyncio.gather(self.pipe(conn, creader, swriter, "up"), self.pipe(conn, sreader, cwriter, "down"))
        finally:
            if conn in self.conns:
                self.conns.remove(conn)
            for w in (cwriter, swriter):
                try:
                    w.close()
                except OSError:
                    pass

    def cut(self):
        live = [c for c in self.conns if not c["cut"]]
        if not live:
            return
        conn = self.rng.choice(live)
        conn["cut"] = True
        if self.rng.random() < 0.5:
            for w in (conn["c"], conn["s"]):
                sock = w.get_extra_info("socket")
                if sock is not None:
                    try:
                        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    except OSError:
                        pass
                w.close()
            log(fault="reset", live=len(live))
        else:
            try:
                conn["c"].write_eof()
            except (OSError, RuntimeError):
                pass
            log(fault="half-close", live=len(live))

    async def faults(self):
        a = self.args
        next_cut = time.monotonic() + a.cut_every * self.rng.uniform(0.5, 1.5) if a.cut_every else None
        next_stall = time.monotonic() + a.stall_every * self.rng.uniform(0.5, 1.5) if a.stall_every else None
        while True:
            await asyncio.sleep(0.05)
            now = time.monotonic()
            if next_cut and now >= next_cut:
                self.cut()
                next_cut = now + a.cut_every * self.rng.uniform(0.5, 1.5)
            if next_stall and now >= next_stall:
                self.resume_at = now + a.stall_ms / 1000.0
                log(fault="stall", ms=a.stall_ms)
                next_stall = self.resume_at + a.stall_every * self.rng.uniform(0.5, 1.5)


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("target", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--delay-ms", type=float, default=100)
    ap.add_argument("--jitter-ms", type=float, default=50)
    ap.add_argument("--cut-every", type=float, default=0)
    ap.add_argument("--stall-every", type=float, default=0)
    ap.add_argument("--stall-ms", type=float, default=2000)
    args = ap.parse_args()
    link = Link(args)
    server = await asyncio.start_server(link.serve, "127.0.0.1", 0)
    print("PORT %d" % server.sockets[0].getsockname()[1], flush=True)
    asyncio.ensure_future(link.faults())
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
