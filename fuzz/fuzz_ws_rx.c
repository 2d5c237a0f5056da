/* Fuzzes the WebSocket receiver: arbitrary server bytes, split into reads at
 * positions chosen by the first input byte, must never crash, hang or grow
 * past max_message. */
#include "sio.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sio_ws_rx rx;
    sio_ws_message m;
    unsigned char buf[4096];
    size_t have = 0, pos = 1, chunk;
    if (size < 1) return 0;
    chunk = (size_t)(data[0] % 64) + 1;
    memset(&rx, 0, sizeof rx);
    rx.max_message = 2048;
    while (pos < size || have > 0) {
        size_t used, need, take = size - pos < chunk ? size - pos : chunk;
        int r;
        if (take > sizeof buf - have) take = sizeof buf - have;
        memcpy(buf + have, data + pos, take);
        have += take;
        pos += take;
        for (;;) {
            r = sio_ws_rx_feed(&rx, buf, have, &used, &need, &m);
            memmove(buf, buf + used, have - used);
            have -= used;
            if (r != 1) break;
            if (m.len > 2048 + 125) abort();
        }
        if (r < 0 || (take == 0 && r == 0)) break;
    }
    sio_ws_rx_free(&rx);
    return 0;
}
