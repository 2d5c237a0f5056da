#!/usr/bin/python3
"""Answers every HTTP request with a redirect, for the redirect tests.

    tests/servers/redirector.py WS_PORT IO_PORT

Listens on 127.0.0.1 and prints "PORT <n>".  By the request's path:
  /to-echo          302 to ws://127.0.0.1:WS_PORT/echo (another port: another host)
  /to-headers       307 to ws://localhost:WS_PORT/headers (another host)
  /chain/N          302 to /chain/N-1 on this server; /chain/0 as /to-echo
  /loop             302 to /loop
  /socket.io/...    302 to http://127.0.0.1:IO_PORT/socket.io/ (the Engine.IO handshake)
  /unauthorized     401 with the body "token expired"
  anything else     404
Each request is printed as "REQUEST <path> <header names, comma-separated>".
Standard library only.
"""
import socket
import sys
import threading


def answer(conn, ws_port, io_port):
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = conn.recv(4096)
        if not chunk:
            return
        data += chunk
    lines = data.split(b"\r\n")
    path = lines[0].split(b" ")[1].decode("ascii", "replace") if len(lines[0].split(b" ")) > 1 else "/"
    names = ",".join(l.split(b":")[0].decode("ascii", "replace").lower() for l in lines[1:] if b":" in l)
    sys.stdout.write("REQUEST %s %s\n" % (path, names))
    sys.stdout.flush()
    base = path.split("?")[0]
    if base == "/to-echo" or base == "/chain/0":
        status, loc = "302 Found", "ws://127.0.0.1:%d/echo" % ws_port
    elif base == "/to-headers":
        status, loc = "307 Temporary Redirect", "ws://localhost:%d/headers" % ws_port
    elif base.startswith("/chain/"):
        status, loc = "302 Found", "/chain/%d" % (int(base[7:]) - 1)
    elif base == "/loop":
        status, loc = "302 Found", "/loop"
    elif base.startswith("/socket.io/"):
        status, loc = "302 Found", "http://127.0.0.1:%d%s" % (io_port, path)
    elif base == "/unauthorized":
        conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\nContent-Length: 13\r\n\r\n"
                     b"token expired")
        return
    else:
        conn.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        return
    conn.sendall(("HTTP/1.1 %s\r\nLocation: %s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                  % (status, loc)).encode("ascii"))


def main():
    ws_port, io_port = int(sys.argv[1]), int(sys.argv[2])
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    sys.stdout.write("PORT %d\n" % s.getsockname()[1])
    sys.stdout.flush()
    while True:
        conn, _ = s.accept()

        def serve(c=conn):
            try:
                answer(c, ws_port, io_port)
            except (OSError, ValueError):
                pass
            finally:
                c.close()
        threading.Thread(target=serve, daemon=True).start()


if __name__ == "__main__":
    main()
