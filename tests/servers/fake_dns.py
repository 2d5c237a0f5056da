#!/usr/bin/python3
"""A small authoritative-looking DNS server over UDP (standard library only)
for the client's non-blocking resolver.

    /usr/bin/python3 tests/servers/fake_dns.py PORT      (0 = free port; prints "PORT <n>")

Names (anything else: NXDOMAIN):
  sio.test      AAAA ::1 and A 127.0.0.1 (IPv6 first: a server on 127.0.0.1
                only makes the client fall back to IPv4)
  v4.test       A 127.0.0.1; no AAAA record (an empty NOERROR answer)
  cname.test    CNAME sio.test, then A 127.0.0.1 / AAAA ::1 in the same answer
  slow.test     answers only the second time it is asked (the client retries)
  silent.test   never answers
  trunc.test    answers with the TC bit (truncated)
  garbage.test  answers with bytes that are not DNS
  www.sio.test, deep.www.sio.test   A 127.0.0.1 (for a *.sio.test certificate)
"""
import socket
import struct
import sys

ASKED = {}


def name_of(msg, pos):
    labels = []
    while msg[pos]:
        n = msg[pos]
        labels.append(msg[pos + 1:pos + 1 + n].decode("ascii", "replace"))
        pos += 1 + n
    return ".".join(labels).lower(), pos + 1


def encode_name(name):
    return b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0"


def rr(name, rtype, data):
    return encode_name(name) + struct.pack(">HHIH", rtype, 1, 60, len(data)) + data


def answer(msg):
    qid, flags, qd = struct.unpack(">HHH", msg[:6])
    name, pos = name_of(msg, 12)
    qtype, = struct.unpack(">H", msg[pos:pos + 2])
    question = msg[12:pos + 4]
    A = socket.inet_pton(socket.AF_INET, "127.0.0.1")
    AAAA = socket.inet_pton(socket.AF_INET6, "::1")
    rcode, answers, tc = 0, [], 0
    ASKED[(name, qtype)] = ASKED.get((name, qtype), 0) + 1
    if name == "silent.test":
        return None
    if name == "garbage.test":
        return b"\xde\xad\xbe\xef"
    if name == "slow.test" and ASKED[(name, qtype)] < 2:
        return None
    if name in ("sio.test", "slow.test"):
        answers = [rr(name, 1, A)] if qtype == 1 else [rr(name, 28, AAAA)] if qtype == 28 else []
    elif name in ("v4.test", "www.sio.test", "deep.www.sio.test"):
        answers = [rr(name, 1, A)] if qtype == 1 else []
    elif name == "cname.test":
        answers = [rr(name, 5, encode_name("sio.test"))]
        answers += [rr("sio.test", 1, A)] if qtype == 1 else [rr("sio.test", 28, AAAA)] if qtype == 28 else []
    elif name == "trunc.test":
        tc = 1
    else:
        rcode = 3
    head = struct.pack(">HHHHHH", qid, 0x8180 | (tc << 9) | rcode, 1, len(answers), 0, 0)
    return head + question + b"".join(answers)


def main():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", int(sys.argv[1]) if len(sys.argv) > 1 else 0))
    print("PORT %d" % s.getsockname()[1], flush=True)
    while True:
        msg, peer = s.recvfrom(2048)
        try:
            out = answer(msg)
        except (IndexError, struct.error, UnicodeError):
            continue
        if out is not None:
            s.sendto(out, peer)


if __name__ == "__main__":
    main()
