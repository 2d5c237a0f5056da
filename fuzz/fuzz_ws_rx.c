/* Fuzzes the WebSocket receiver: arbitrary server bytes, split into reads at
 * positions chosen by the first input byte, must never crash, hang or grow
 * past max_message.  With bit 6 of that byte the receiver hands messages
 * over in parts: offsets without gaps, and the text of a message handed
 * over whole is UTF-8 joined. */
#include "sio.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sio_ws_rx rx;
    sio_ws_message m;
    sio_utf8 text;
    unsigned char buf[4096];
    size_t have = 0, pos = 1, chunk;
    uint64_t offset = 0;
    if (size < 1) return 0;
    chunk = (size_t)(data[0] % 64) + 1;
    memset(&rx, 0, sizeof rx);
    memset(&text, 0, sizeof text);
    rx.max_message = 2048;
    rx.parts = (data[0] & 64) != 0;
    while (pos < size || have > 0) {
        size_t used, need, take = size - pos < chunk ? size - pos : chunk;
        int r;
        if (take > sizeof buf - have) take = sizeof buf - have;
        memcpy(buf + have, data + pos, take);
        have += take;
        pos += take;
        for (;;) {
            r = sio_ws_rx_feed(&rx, buf, have, &used, &need, &m);
            if (r == 1 && rx.parts && (m.opcode == SIO_WS_TEXT || m.opcode == SIO_WS_BINARY)) {
                if (m.len > sizeof buf || (!m.compressed && m.offset != offset)) abort();
                if (m.opcode == SIO_WS_TEXT && !m.compressed && sio_utf8_feed(&text, m.data, m.len) != SIO_OK) abort();
                offset = m.final ? 0 : offset + m.len;
                if (m.final && !sio_utf8_complete(&text)) abort();
                if (m.final) memset(&text, 0, sizeof text);
            } else if (r == 1 && m.len > 2048 + 125) {
                abort();
            }
            memmove(buf, buf + used, have - used);       /* m points into buf: looked at first */
            have -= used;
            if (r != 1) break;
        }
        if (r < 0 || (take == 0 && r == 0)) break;
    }
    sio_ws_rx_free(&rx);
    return 0;
}
