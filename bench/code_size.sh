#!/usr/bin/env bash
# .text of the library code in a minimal WebSocket program and a minimal
# Socket.IO program (x86-64, gcc -Os, -ffunction-sections + --gc-sections),
# each minus an empty program linked the same way.  The WebSocket program is
# built twice: with the full library and with SIO_NO_SOCKETIO.
#   make size        (or: bash bench/code_size.sh)
set -eu
cd "$(dirname "$0")/.."
CC=${CC:-gcc}
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
cat >"$t/empty.c" <<'C'
#include "sio.h"
int main(void) { return 0; }
C
cat >"$t/ws.c" <<'C'
#include "sio.h"
int main(void)
{
    sio_config cfg = {0};
    sio_client *c;
    sio_event ev;
    cfg.url = "ws://127.0.0.1:8080/";
    if (sio_create(&cfg, &c) != SIO_OK) return 1;
    sio_start(c);
    while (sio_poll(c, &ev, 1000) >= 0) {
        if (ev.type == SIO_EVENT_OPEN) sio_send_text(c, "hi", 2);
        if (ev.type == SIO_EVENT_CLOSE) break;
    }
    sio_destroy(c);
    return 0;
}
C
cat >"$t/io.c" <<'C'
#include "sio.h"
int main(void)
{
    sio_config cfg = {0};
    sio_client *c;
    sio_event ev;
    cfg.url = "http://127.0.0.1:3000/";
    cfg.mode = SIO_MODE_SOCKETIO;
    if (sio_create(&cfg, &c) != SIO_OK) return 1;
    sio_start(c);
    while (sio_poll(c, &ev, 1000) >= 0) {
        if (ev.type == SIO_EVENT_CONNECT) sio_emit_string(c, NULL, "chat", "hi");
        if (ev.type == SIO_EVENT_CLOSE) break;
    }
    sio_destroy(c);
    return 0;
}
C
flags="-std=c99 -Os -ffunction-sections -fdata-sections -I."
$CC $flags -c sio_impl_posix.c -o "$t/lib.o"
$CC $flags -DSIO_NO_SOCKETIO -c sio_impl_posix.c -o "$t/lib_ws.o"
text() { size -A "$1" | awk '/^\.text/{print $2}'; }
link() { $CC $flags -c "$t/$1.c" -o "$t/$1.o" && $CC -Wl,--gc-sections "$t/$1.o" "$2" -o "$t/$3"; }
link empty "$t/lib.o" empty
link ws "$t/lib.o" ws
link io "$t/lib.o" io
link ws "$t/lib_ws.o" ws_only
base=$(text "$t/empty")
for p in ws_only ws io; do
    n=$(( $(text "$t/$p") - base ))
    case $p in
        ws_only) what="WebSocket client, SIO_NO_SOCKETIO";;
        ws) what="WebSocket client, full library";;
        io) what="Socket.IO client";;
    esac
    printf "%-36s %6d bytes (%s KiB) of library .text\n" "$what" "$n" "$(awk -v n="$n" 'BEGIN { printf "%.1f", n / 1024 }')"
done
