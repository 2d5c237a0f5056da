#!/usr/bin/python3
"""Proxies for the proxy tests: one well-behaved SOCKS5 proxy that records
what it is asked, and hostile ones that do what real proxies never do.

    tests/servers/fake_proxy.py

Listens on 127.0.0.1, one port per mode, and prints "PORT <mode> <n>" for
each, then "READY".  Each CONNECT the socks mode accepts is printed as
"REQUEST atyp=<1|3|4> host=<name or address> port=<n>".  Modes:
  socks        SOCKS5 without authentication; relays to the target; the name
               proxy-only.test resolves to 127.0.0.1 here only (socks5h)
  unreachable  SOCKS5 that answers every CONNECT with 4 (host unreachable)
  garbage      answers anything with an SSH banner
  close        reads the request, then closes
  endless      "HTTP/1.1 200 OK" and then header lines without end
  silent       reads the request and never answers
  early        "HTTP/1.1 200 OK" and then bytes of its own, before the client spoke
Standard library only.
"""
import socket
import struct
import sys
import threading
import time

MODES = ("socks", "unreachable", "garbage", "close", "endless", "silent", "early")
OUT = threading.Lock()


def say(line):
    with OUT:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def recv_exact(s, n):
    data = b""
    while len(data) < n:
        chunk = s.recv(n - len(data))
        if not chunk:
            raise EOFError()
        data += chunk
    return data


def pipe(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    for s in (a, b):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def socks(conn, unreachable):
    ver, n = recv_exact(conn, 2)
    recv_exact(conn, n)
    conn.sendall(b"\x05\x00")
    ver, cmd, _, atyp = recv_exact(conn, 4)
    if atyp == 1:
        host = socket.inet_ntop(socket.AF_INET, recv_exact(conn, 4))
    elif atyp == 4:
        host = socket.inet_ntop(socket.AF_INET6, recv_exact(conn, 16))
    else:
        host = recv_exact(conn, recv_exact(conn, 1)[0]).decode("ascii", "replace")
    port = struct.unpack(">H", recv_exact(conn, 2))[0]
    say("REQUEST atyp=%d host=%s port=%d" % (atyp, host, port))
    if unreachable:
        conn.sendall(b"\x05\x04\x00\x01\x00\x00\x00\x00\x00\x00")
        return
    try:
        target = socket.create_connection(("127.0.0.1" if host == "proxy-only.test" else host, port), timeout=5)
        target.settimeout(None)
    except OSError:
        conn.sendall(b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00")
        return
    conn.sendall(b"\x05\x00\x00\x01\x7f\x00\x00\x01" + struct.pack(">H", port))
    threading.Thread(target=pipe, args=(target, conn), daemon=True).start()
    pipe(conn, target)


def serve(conn, mode):
    conn.settimeout(None)
    try:
        if mode in ("socks", "unreachable"):
            socks(conn, mode == "unreachable")
            return
        conn.recv(4096)                                  # the CONNECT request
        if mode == "garbage":
            conn.sendall(b"SSH-2.0-OpenSSH_9.2p1\r\n")
            time.sleep(30)
        elif mode == "endless":
            conn.sendall(b"HTTP/1.1 200 OK\r\n")
            for i in range(200000):
                conn.sendall(b"X-Filler-%d: %s\r\n" % (i, b"a" * 60))
        elif mode == "silent":
            time.sleep(60)
        elif mode == "early":
            conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03\x00\x02hi\r\n\r\n")
            time.sleep(30)
    except (OSError, EOFError, ValueError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def listen(mode):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    say("PORT %s %d" % (mode, s.getsockname()[1]))

    def accept():
        while True:
            conn, _ = s.accept()
            threading.Thread(target=serve, args=(conn, mode), daemon=True).start()
    threading.Thread(target=accept, daemon=True).start()


def main():
    for mode in MODES:
        listen(mode)
    say("READY")
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
