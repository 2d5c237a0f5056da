#!/usr/bin/env bash
# make bench-tls: the three TLS backends side by side against one local Node
# server (bench/tls_stream_server.js): CPU per handshake, heap per open
# connection, receive throughput over wss:// against ws:// from the same
# build, and the .text each backend's glue adds to sio.  Medians of 5 runs.
set -eu
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
tmp=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$tmp"' EXIT
(cd "$tmp" && bash "$OLDPWD/tests/make_certs.sh" "$tmp" >/dev/null 2>&1)
node bench/tls_stream_server.js "$tmp/server.pem" "$tmp/server.key" >"$tmp/ports" &
server=$!
for _ in $(seq 50); do grep -q PORTS "$tmp/ports" 2>/dev/null && break; sleep 0.1; done
read -r _ tport pport <"$tmp/ports"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
text_of() { size -A "$1" | awk '$1==".text"{print $2}'; }

printf '%-8s %12s %12s %14s %14s %10s %14s\n' backend "hs CPU ms" "heap/conn B" "wss MB/s" "ws MB/s" "ratio" "glue .text B"
make -s TLS=none BUILD_DIR="$tmp/none" "$tmp/none/sio.o" >/dev/null
base_text=$(text_of "$tmp/none/sio.o")
for b in bearssl openssl mbedtls; do
    make -s TLS=$b BUILD_DIR="$tmp/$b" "$tmp/$b/sio.o" >/dev/null
    flags=$(cat "$tmp/$b/flags")
    cc=${flags%% *}
    libs=$(make -s -p TLS=$b BUILD_DIR="$tmp/$b" 2>/dev/null | awk -F' = ' '$1=="TLS_LIBS"{print $2; exit}')
    def=$(make -s -p TLS=$b BUILD_DIR="$tmp/$b" 2>/dev/null | awk -F' = ' '$1=="TLS_DEFINE"{print $2; exit}')
    $cc -std=c99 -O2 -I. -Ibench $def bench/bench_tls.c "$tmp/$b/sio.o" $libs -o "$tmp/bench_$b"
    hs=$(for _ in $(seq "$runs"); do "$tmp/bench_$b" handshake "wss://localhost:$tport/idle" "$tmp/ca.pem" 50; done | median)
    heap=$(for _ in $(seq "$runs"); do "$tmp/bench_$b" heap "wss://localhost:$tport/idle" "$tmp/ca.pem" 20; done | median)
    wss=$(for _ in $(seq "$runs"); do "$tmp/bench_$b" stream "wss://localhost:$tport/stream?mib=64" "$tmp/ca.pem"; done | median)
    ws=$(for _ in $(seq "$runs"); do "$tmp/bench_$b" stream "ws://127.0.0.1:$pport/stream?mib=64" "$tmp/ca.pem"; done | median)
    glue=$(( $(text_of "$tmp/$b/sio.o") - base_text ))
    printf '%-8s %12s %12s %14s %14s %10s %14s\n' "$b" "$hs" "$heap" "$wss" "$ws" \
        "$(awk -v a="$wss" -v b="$ws" 'BEGIN{printf "%.2fx", a/b}')" "$glue"
done
