#!/usr/bin/python3
"""A Python client (Debian's python3-websockets, asyncio) for bench/run_echo.sh:
sends every message back.   /usr/bin/python3 bench/echo_python.py URL"""
import asyncio
import sys

import websockets


async def main(url):
    async with websockets.connect(url, compression=None, max_size=None) as ws:
        try:
            async for msg in ws:
                await ws.send(msg)
        except websockets.ConnectionClosed:
            pass


asyncio.run(main(sys.argv[1]))
