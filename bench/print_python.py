#!/usr/bin/python3
"""A python-socketio client (Debian's, asyncio) that prints what sioc io
--json prints for each event (one JSON line on stdout), for bench/run_sioc.sh.
    /usr/bin/python3 bench/print_python.py URL N [stream|burst]"""
import asyncio
import json
import sys

import socketio


async def main(url, n):
    sio = socketio.AsyncClient(reconnection=False)
    done = asyncio.get_running_loop().create_future()
    got = 0

    @sio.on("*")
    async def on_any(name, *args):
        nonlocal got
        sys.stdout.write(json.dumps({"type": "event", "ns": "/", "name": name, "args": list(args)},
                                    separators=(",", ":")) + "\n")
        if name != "tick":
            sys.stdout.flush()                     # "ready": the bench waits for it
        if name == "tick":
            got += 1
            if got == n and not done.done():
                done.set_result(True)

    await sio.connect(url, transports=["websocket"])
    await sio.emit(sys.argv[3] if len(sys.argv) > 3 else "stream", n)
    await done
    sys.stdout.flush()
    await sio.disconnect()


asyncio.run(main(sys.argv[1], int(sys.argv[2])))
