#!/usr/bin/python3
"""A hostile TLS 1.2 WebSocket server for one connection: Python's ssl does
the handshake (AES-128-GCM, keys logged), then this script writes the
records itself, to send what real servers never do.

    tls_records.py CERT KEY MODE        prints "PORT <n>", serves one client

MODE, after the 101 answer (in its own record):
    empty-N          N empty application-data records, then a text frame "after-empty"
    close-then-data  a text frame "before-close", close_notify, then a text frame "after-close"
    hello-request    a HelloRequest (a renegotiation request), then a text frame "after-hello"
    warning-alert    a warning alert (user_canceled), then a text frame "after-warning"
    garbage          a text frame "before-garbage", then bytes that are no record
Needs python3-cryptography (AES-GCM for the hand-made records).
"""
import base64
import hashlib
import hmac
import os
import socket
import ssl
import struct
import sys
import tempfile
import time

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def prf(secret, label, seed, n):
    """TLS 1.2 PRF with SHA-256 (RFC 5246 5)."""
    out, a = b"", label + seed
    while len(out) < n:
        a = hmac.new(secret, a, hashlib.sha256).digest()
        out += hmac.new(secret, a + label + seed, hashlib.sha256).digest()
    return out[:n]


def frame(text):
    data = text.encode()
    return bytes([0x81, len(data)]) + data


def main():
    cert, key, mode = sys.argv[1:4]
    keylog = tempfile.mktemp()
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    ctx.maximum_version = ssl.TLSVersion.TLSv1_2
    ctx.set_ciphers("ECDHE-RSA-AES128-GCM-SHA256")
    ctx.options |= ssl.OP_NO_TICKET
    ctx.keylog_filename = keylog
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    print("PORT %d" % ls.getsockname()[1], flush=True)
    conn, _ = ls.accept()
    inb, outb = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(inb, outb, server_side=True)
    server_hello = b""
    while True:                                   # the handshake, by Python's ssl
        try:
            tls.do_handshake()
            conn.sendall(outb.read())
            break
        except ssl.SSLWantReadError:
            out = outb.read()
            if out:
                server_hello = server_hello or out
                conn.sendall(out)
            data = conn.recv(65536)
            if not data:
                return
            inb.write(data)
    request = b""
    while b"\r\n\r\n" not in request:
        try:
            request += tls.read(65536)
        except ssl.SSLWantReadError:
            inb.write(conn.recv(65536))
    ws_key = [l.split(b":", 1)[1].strip() for l in request.split(b"\r\n") if l.lower().startswith(b"sec-websocket-key")][0]
    accept = base64.b64encode(hashlib.sha1(ws_key + b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11").digest())
    answer = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              b"Sec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    words = open(keylog).read().split()
    at = words.index("CLIENT_RANDOM")
    client_random, master = bytes.fromhex(words[at + 1]), bytes.fromhex(words[at + 2])
    server_random = server_hello[11:43]           # record header 5, handshake header 4, version 2
    block = prf(master, b"key expansion", server_random + client_random, 40)
    write_key, write_iv = block[16:32], block[36:40]
    seq = [1]                                     # Python's ssl sent the Finished as record 0

    def record(kind, data):
        n = seq[0]
        seq[0] += 1
        explicit = struct.pack(">Q", n)
        aad = struct.pack(">QBHH", n, kind, 0x0303, len(data))
        body = explicit + AESGCM(write_key).encrypt(write_iv + explicit, data, aad)
        return struct.pack(">BHH", kind, 0x0303, len(body)) + body

    out = record(23, answer)
    if mode.startswith("empty-"):
        out += b"".join(record(23, b"") for _ in range(int(mode[6:]))) + record(23, frame("after-empty"))
    elif mode == "close-then-data":
        out += record(23, frame("before-close")) + record(21, b"\x01\x00") + record(23, frame("after-close"))
    elif mode == "hello-request":
        out += record(22, b"\x00\x00\x00\x00") + record(23, frame("after-hello"))
    elif mode == "warning-alert":
        out += record(21, b"\x01\x5a") + record(23, frame("after-warning"))
    elif mode == "garbage":
        out += record(23, frame("before-garbage")) + b"GARBAGE GARBAGE GARBAGE\r\n"
    conn.sendall(out)
    time.sleep(3)
    conn.close()
    os.unlink(keylog)


if __name__ == "__main__":
    main()
