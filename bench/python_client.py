#!/usr/bin/python3
"""The python-socketio side of bench/run_io.sh (Debian's python3-socketio,
asyncio client over aiohttp): the same phases as bench_io.c.
    /usr/bin/python3 bench/python_client.py URL N      prints one JSON line"""
import asyncio
import importlib.metadata
import json
import resource
import sys
import time

import socketio


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime * 1e6, r.ru_stime * 1e6


async def main(url, n):
    sio = socketio.AsyncClient(reconnection=False)
    result = {"client": "python-socketio %s (asyncio)" % importlib.metadata.version("python-socketio")}
    got = 0
    tick_done = None
    first_tick = None
    done = asyncio.get_running_loop().create_future()

    @sio.on("tick")
    async def on_tick(_):
        nonlocal got
        got += 1
        if got == 1 and not first_tick.done():
            first_tick.set_result(True)
        if got == n:
            tick_done.set_result(True)

    @sio.on("done")
    async def on_done(_):
        done.set_result(True)

    await sio.connect(url, transports=["websocket"])

    async def stream(hold):
        nonlocal got, tick_done, first_tick
        got = 0
        tick_done = asyncio.get_running_loop().create_future()
        first_tick = asyncio.get_running_loop().create_future()
        await sio.emit("stream", n)   # queued: engine.io's writer task sends it
        if hold:                      # once the stream flows, hold the loop so the rest queues up
            await first_tick
            time.sleep(2)
        c0 = cpu()
        await tick_done
        c1 = cpu()
        count = n - 1 if hold else n
        return (c1[0] - c0[0]) / count, (c1[1] - c0[1]) / count

    result["recv_user_us"], result["recv_sys_us"] = await stream(False)
    result["burst_user_us"], result["burst_sys_us"] = await stream(True)

    await sio.emit("expect", n)
    c0 = cpu()
    for i in range(n):
        await sio.emit("up", i)
    await done
    c1 = cpu()
    result["send_user_us"] = (c1[0] - c0[0]) / n
    result["send_sys_us"] = (c1[1] - c0[1]) / n

    samples = []
    for i in range(2000):
        t0 = time.perf_counter()
        await sio.call("echo", i, timeout=10)
        samples.append((time.perf_counter() - t0) * 1e6)
    samples.sort()
    result["ack_p50_us"] = samples[1000]
    result["ack_p99_us"] = samples[1980]
    print(json.dumps(result), flush=True)
    await sio.disconnect()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 200000))
