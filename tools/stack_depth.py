#!/usr/bin/env python3
"""The deepest stack of a call from an entry point, from GCC's call graph
with stack usage (-fcallgraph-info=su, one .ci file per translation unit).

    tools/stack_depth.py [--max BYTES] [--entry sio_poll ...] FILE.ci ...

Prints, per entry, the deepest path (each frame's bytes) and its total.
Calls through pointers (the platform's hooks, the allocator, a TLS backend)
are not in the graph: their frames are the integrator's, and are listed as
such.  Recursion would make the depth unbounded and is reported as an error.
With --max the exit status is 1 when an entry's deepest path passes it."""
import argparse
import re
import sys

NODE = re.compile(r'^node: \{ title: "([^"]+)" label: "([^"\\]+)\\n([^"\\]+)\\n(\d+) bytes \((\w+)\)')
EDGE = re.compile(r'^edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"')


def load(paths):
    frames, calls, kinds, where = {}, {}, {}, {}
    for path in paths:
        with open(path) as f:
            for line in f:
                m = NODE.match(line)
                if m:
                    title, name, loc, size, kind = m.groups()
                    frames[title] = int(size)
                    kinds[title] = kind
                    where[title] = loc
                    continue
                m = EDGE.match(line)
                if m:
                    calls.setdefault(m.group(1), []).append(m.group(2))
    return frames, calls, kinds, where


def deepest(entry, frames, calls):
    """(bytes, path) of the deepest path from entry; raises on recursion."""
    memo, active = {}, set()

    def walk(f):
        if f in memo:
            return memo[f]
        if f in active:
            raise RecursionError(f)
        active.add(f)
        best = (0, [])
        for g in calls.get(f, []):
            if g in frames:
                d = walk(g)
                if d[0] > best[0]:
                    best = d
        active.discard(f)
        memo[f] = (frames.get(f, 0) + best[0], [f] + best[1])
        return memo[f]

    return walk(entry)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--entry", action="append")
    ap.add_argument("--max", type=int)
    ap.add_argument("--brief", action="store_true", help="the totals only, unless over --max")
    a = ap.parse_args()
    frames, calls, kinds, where = load(a.files)
    short = lambda t: t.rsplit(":", 1)[-1]
    status = 0
    for name in a.entry or ["sio_poll"]:
        entry = [t for t in frames if short(t) == name]
        if not entry:
            print("%s: not in the call graph" % name)
            status = 1
            continue
        try:
            total, path = deepest(entry[0], frames, calls)
        except RecursionError as e:
            print("%s: recursion through %s: no bound" % (name, short(str(e))))
            status = 1
            continue
        dynamic = [short(t) for t in path if kinds.get(t) != "static"]
        indirect = sorted(set(short(t) for t in path for g in calls.get(t, []) if g == "__indirect_call"))
        over = a.max and total > a.max
        print("%s: deepest stack %d bytes%s" % (name, total, " (over %d)" % a.max if over else ""))
        if a.brief and not over:
            continue
        for t in path:
            print("  %6d  %-36s %s" % (frames[t], short(t), where[t]))
        if dynamic:
            print("  frames not of fixed size (alloca or VLAs): %s" % ", ".join(dynamic))
        if indirect:
            print("  calls through pointers on this path (their frames are not counted): %s" % ", ".join(indirect))
        if over:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
