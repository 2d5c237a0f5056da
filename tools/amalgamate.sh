#!/bin/sh
# Builds the single sio.h from the parts under src/, in the order src/PARTS
# lists them: the declarations (*.h), then the implementation (*.c, inside
# SIO_IMPLEMENTATION).  Before each part stands a #line directive that is
# on only when SIO_SOURCE_LINES is defined, so that compiler messages and
# debuggers can point at src/eio.c:42 instead of sio.h:4242.
#
#   sh tools/amalgamate.sh            write sio.h
#   sh tools/amalgamate.sh --stdout   print it
#   sh tools/amalgamate.sh --check    exit 1 if the committed sio.h differs
set -eu
cd "$(dirname "$0")/.."

amalgamate() {
    while IFS= read -r part; do
        [ -n "$part" ] || continue
        if [ ! -f "src/$part" ]; then
            echo "amalgamate: src/PARTS names src/$part, which does not exist" >&2
            exit 1
        fi
        printf '#ifdef SIO_SOURCE_LINES\n#line 1 "src/%s"\n#endif\n' "$part"
        cat "src/$part"
    done < src/PARTS
}

case "${1:-}" in
--stdout)
    amalgamate
    ;;
--check)
    tmp=$(mktemp)
    amalgamate > "$tmp"
    if cmp -s "$tmp" sio.h; then
        rm -f "$tmp"
    else
        echo "sio.h is not the amalgamation of src/ (edit src/, then run: sh tools/amalgamate.sh):" >&2
        diff "$tmp" sio.h | head -20 >&2
        rm -f "$tmp"
        exit 1
    fi
    ;;
"")
    tmp=sio.h.tmp.$$
    amalgamate > "$tmp"
    mv "$tmp" sio.h
    ;;
*)
    echo "usage: sh tools/amalgamate.sh [--stdout | --check]" >&2
    exit 2
    ;;
esac
