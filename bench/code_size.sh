#!/usr/bin/env bash
# .text of the library code in a minimal WebSocket program and a minimal
# Socket.IO program (x86-64, gcc -Os, -ffunction-sections + --gc-sections),
# each minus an empty program linked the same way.  The WebSocket program is
# built twice: with the full library and with SIO_NO_SOCKETIO.  Further rows
# leave out more (SIO_NO_DNS, SIO_NO_PROXY, SIO_NO_POLLING, SIO_NO_DEFLATE).
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
text() { size -A "$1" | awk '/^\.text/{print $2}'; }
$CC $flags -c "$t/empty.c" -o "$t/empty.o"
$CC $flags -c sio_impl_posix.c -o "$t/lib.o"
$CC -Wl,--gc-sections "$t/empty.o" "$t/lib.o" -o "$t/empty"
base=$(text "$t/empty")
# program, library macros, description
while IFS='|' read -r prog defs what; do
    lib="$t/lib_${defs//[^A-Z_]/}.o"
    [ -f "$lib" ] || $CC $flags ${defs//,/ } -c sio_impl_posix.c -o "$lib"
    $CC $flags -c "$t/$prog.c" -o "$t/$prog.o"
    $CC -Wl,--gc-sections "$t/$prog.o" "$lib" -o "$t/$prog.out"
    n=$(( $(text "$t/$prog.out") - base ))
    printf "%-58s %6d bytes (%s KiB)\n" "$what" "$n" "$(awk -v n="$n" 'BEGIN { printf "%.1f", n / 1024 }')"
done <<'LIST'
ws|-DSIO_NO_SOCKETIO|WebSocket client, SIO_NO_SOCKETIO
ws|-DSIO_NO_SOCKETIO,-DSIO_NO_DNS|WebSocket client, SIO_NO_SOCKETIO SIO_NO_DNS
ws|-DSIO_FULL|WebSocket client, full library
io|-DSIO_FULL|Socket.IO client, full library
io|-DSIO_NO_POLLING|Socket.IO client, SIO_NO_POLLING
io|-DSIO_NO_POLLING,-DSIO_NO_DNS|Socket.IO client, SIO_NO_POLLING SIO_NO_DNS
ws|-DSIO_NO_SOCKETIO,-DSIO_NO_DNS,-DSIO_NO_PROXY|WebSocket client, SIO_NO_SOCKETIO SIO_NO_DNS SIO_NO_PROXY
io|-DSIO_NO_PROXY|Socket.IO client, SIO_NO_PROXY
ws|-DSIO_NO_SOCKETIO,-DSIO_NO_DEFLATE|WebSocket client, SIO_NO_SOCKETIO SIO_NO_DEFLATE
io|-DSIO_NO_DEFLATE|Socket.IO client, SIO_NO_DEFLATE
ws|-DSIO_NO_SOCKETIO,-DSIO_NO_DNS,-DSIO_NO_PROXY,-DSIO_NO_DEFLATE|WebSocket client, SIO_NO_SOCKETIO SIO_NO_DNS SIO_NO_PROXY SIO_NO_DEFLATE
LIST

# Cortex-M3 (thumb, -Os, picolibc; examples/port_template.c as the platform):
# .text, .data and .bss of the same programs minus an empty one.
if command -v arm-none-eabi-gcc >/dev/null; then
    echo
    echo "Cortex-M3 (arm-none-eabi-gcc -Os -mthumb, picolibc, the port template as the platform):"
    cm="arm-none-eabi-gcc -std=c99 -Os -mcpu=cortex-m3 -mthumb -ffunction-sections -fdata-sections -I. --specs=picolibc.specs"
    cmld="-T picolibc.ld -Wl,--gc-sections -Wl,--defsym=__flash=0 -Wl,--defsym=__flash_size=0x400000 -Wl,--defsym=__ram=0x20000000 -Wl,--defsym=__ram_size=0x400000"
    sec() { arm-none-eabi-size -A "$1" | awk -v s="$2" '$1 == s {n += $2} END {print n + 0}'; }
    $cm -c "$t/empty.c" -o "$t/cm_empty.o"
    $cm -c examples/port_template.c -o "$t/cm_lib.o"
    $cm $cmld "$t/cm_empty.o" "$t/cm_lib.o" -o "$t/cm_empty"
    while IFS='|' read -r prog defs what; do
        lib="$t/cm_lib_${defs//[^A-Z_]/}.o"
        [ -f "$lib" ] || $cm ${defs//,/ } -c examples/port_template.c -o "$lib"
        $cm -c "$t/$prog.c" -o "$t/cm_$prog.o"
        $cm $cmld "$t/cm_$prog.o" "$lib" -o "$t/cm_$prog.out"
        printf "%-58s .text %6d  .data %4d  .bss %4d bytes\n" "$what" \
            $(( $(sec "$t/cm_$prog.out" .text) - $(sec "$t/cm_empty" .text) )) \
            $(( $(sec "$t/cm_$prog.out" .data) - $(sec "$t/cm_empty" .data) )) \
            $(( $(sec "$t/cm_$prog.out" .bss) - $(sec "$t/cm_empty" .bss) ))
    done <<'LIST'
ws|-DSIO_NO_SOCKETIO|WebSocket client, SIO_NO_SOCKETIO
ws|-DSIO_NO_SOCKETIO,-DSIO_NO_DNS,-DSIO_NO_PROXY,-DSIO_NO_DEFLATE|WebSocket client, SIO_NO_SOCKETIO SIO_NO_DNS SIO_NO_PROXY SIO_NO_DEFLATE
io|-DSIO_FULL|Socket.IO client, full library
io|-DSIO_NO_POLLING,-DSIO_NO_DNS,-DSIO_NO_PROXY,-DSIO_NO_DEFLATE|Socket.IO client, SIO_NO_POLLING SIO_NO_DNS SIO_NO_PROXY SIO_NO_DEFLATE
LIST
fi
