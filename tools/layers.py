#!/usr/bin/env python3
"""Which part of src/ uses which: the arrows between the layers of sio.h.

    python3 tools/layers.py            the arrows, one line per part, and the cycles
    python3 tools/layers.py --dot      the same as a Graphviz graph
    python3 tools/layers.py --check    exit 1 if an arrow breaks a rule of ARCHITECTURE.md or closes a cycle

A part uses another when its text names a function, type, macro or enum
constant that the other part defines (declarations in *.h count for the
*.c part of the same name).  Comments and strings are ignored.  It is a
text scan, not a compiler: good enough to see the shape and to hold it.
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = os.path.join(ROOT, "src")

# The parsers: sans-I/O codecs that know no client.  They may use each
# other (json in packet, utf8 in ws) and "common" (status texts, allocation).
PARSERS = {"common", "status", "url", "sha1_base64", "utf8", "deflate", "http", "dns", "x509", "proxy", "ws", "eio", "packet", "json"}
# Engines: the client's state machines that already own their struct, take
# the time as an argument and say what they want.  Like parsers they know
# no client and no platform.
ENGINES = {"heartbeat", "acks", "outbox", "binary", "namespaces", "resolver", "engineio"}
# Interfaces the client is built against.
INTERFACES = {"platform", "tls"}
# The link: the one layer under the engines that calls the platform (a
# socket, its TLS session, its buffers).  It knows no client.
LINKS = {"link"}
# Connections: protocol engines over a link (the WebSocket connection, the
# long-polling transport's HTTP exchanges).
# They use the parsers and the link below them, never the client, and
# reach the platform only through the link.
CONNECTIONS = {"websocket", "polling"}
# The upgrade: a probe connection that uses the WebSocket connection's
# handshake and frames; like a connection it knows no client.
UPGRADES = {"upgrade"}
# Wrappers and the amalgamation's frame.
FRAME = {"begin", "end"}

COMMENT = re.compile(r"/\*.*?\*/", re.S)
STRING = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'')
DEF_FUNC = re.compile(r"^(?:SIO_API|static)[^;{()]*?\b(sio_?\w+)\s*\(", re.M)
DEF_TYPE = re.compile(r"^typedef\s+(?:struct|enum|union)?\s*\w*\s*(?:\{[^}]*\}\s*)?(\w+)\s*;", re.M)
DEF_TAG = re.compile(r"^(?:struct|enum)\s+(sio_?\w+)\s*\{", re.M)
DEF_MACRO = re.compile(r"^#define\s+(SIO_?\w+)", re.M)
DEF_ENUMC = re.compile(r"^\s+(SIO_?[A-Z0-9_]+)\s*(?:=[^,\n]*)?,?\s*(?:/\*.*)?$", re.M)
IDENT = re.compile(r"\b[A-Za-z_]\w*\b")


def parts():
    with open(os.path.join(SRC, "PARTS")) as f:
        return [p.strip() for p in f if p.strip()]


def layer(part):
    return part.rsplit(".", 1)[0]


def clean(text):
    return STRING.sub('""', COMMENT.sub(" ", text))


def scan():
    defined = {}          # name -> layer
    texts = {}
    for p in parts():
        with open(os.path.join(SRC, p)) as f:
            text = clean(f.read())
        texts.setdefault(layer(p), []).append(text)
        for m in DEF_FUNC.finditer(text):            # definitions only, not prototypes
            rest = text[m.end():]
            brace, semi = rest.find("{"), rest.find(";")
            if brace >= 0 and (semi < 0 or brace < semi):
                defined.setdefault(m.group(1), layer(p))
        for rx in (DEF_TYPE, DEF_TAG, DEF_MACRO, DEF_ENUMC):
            for m in rx.finditer(text):
                defined.setdefault(m.group(1), layer(p))
    uses = {}
    for name, chunks in texts.items():
        seen = set()
        for text in chunks:
            for ident in IDENT.findall(text):
                owner = defined.get(ident)
                if owner and owner != name:
                    seen.add(owner)
        uses[name] = seen
    return uses


def order():
    seen, out = set(), []
    for p in parts():
        n = layer(p)
        if n not in seen:
            seen.add(n)
            out.append(n)
    return out


def cycles(uses):
    """Strongly connected groups of more than one layer (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(uses.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    sys.setrecursionlimit(10000)
    for v in order():
        if v not in index:
            visit(v)
    return out


def violations(uses):
    """The rules every version keeps (ARCHITECTURE.md, "Rules")."""
    bad = []
    for a, targets in uses.items():
        for b in sorted(targets):
            if b in FRAME:
                continue
            if a in PARSERS and b not in PARSERS:
                bad.append("%s -> %s: a parser uses the client side" % (a, b))
            if a in ENGINES and b not in PARSERS | ENGINES:
                bad.append("%s -> %s: an engine uses the client or the platform" % (a, b))
            if a in LINKS and b not in PARSERS | INTERFACES:
                bad.append("%s -> %s: the link uses more than the parsers, the platform and TLS" % (a, b))
            if a in CONNECTIONS and b not in PARSERS | LINKS:
                bad.append("%s -> %s: a connection uses more than the parsers and the link" % (a, b))
            if a in UPGRADES and b not in PARSERS | LINKS | CONNECTIONS:
                bad.append("%s -> %s: the upgrade uses more than the parsers, the link and the connections" % (a, b))
            if a in INTERFACES and b not in PARSERS | INTERFACES | FRAME | {"client"}:
                bad.append("%s -> %s: an interface uses an implementation" % (a, b))
    return bad


def main():
    uses = scan()
    if "--dot" in sys.argv:
        print("digraph sio {\n  rankdir=LR;\n  node [shape=box];")
        for a in order():
            for b in sorted(uses.get(a, ())):
                if b not in FRAME and a not in FRAME:
                    print('  "%s" -> "%s";' % (a, b))
        print("}")
        return 0
    bad = violations(uses)
    groups = cycles({a: {b for b in t if b not in FRAME} for a, t in uses.items() if a not in FRAME})
    bad += ["a cycle: %s" % " <-> ".join(g) for g in groups]
    if "--check" in sys.argv:
        for line in bad:
            print("layers: " + line, file=sys.stderr)
        return 1 if bad else 0
    for a in order():
        targets = [b for b in order() if b in uses.get(a, ()) and b not in FRAME]
        print("%-14s -> %s" % (a, ", ".join(targets) if targets else "(nothing)"))
    print("\ncycles (layers that use each other, directly or around a loop):")
    for g in groups:
        print("  " + " <-> ".join(g))
    if not groups:
        print("  none")
    print("\nrule violations: %s" % ("; ".join(bad) if bad else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
