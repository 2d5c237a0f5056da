/* Fuzzes the polling payload codec: byte 0 picks Engine.IO 3 or 4; every
 * packet found must lie inside the body, the walk must end, and a v3
 * encoding of the v4 split must decode to the same packets. */
#include "sio.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const unsigned char *body = data + 1;
    size_t len, pos = 0, off, plen, steps = 0, n, p2 = 0, o2, l2;
    unsigned char *enc;
    int eio, r;
    if (size < 1) return 0;
    eio = (data[0] & 1) ? 3 : 4;
    len = size - 1;
    while ((r = sio_eio_payload_next(eio, body, len, &pos, &off, &plen)) == 1) {
        if (off > len || plen > len - off || pos > len || ++steps > len + 1) abort();
    }
    if (r != 0 && r != SIO_ERR_PROTOCOL) abort();
    /* v4 packets (UTF-8 text, as the client queues them) through the v3 encoder and back */
    if (eio == 4 && sio_utf8_valid((const char *)body, len)) {
        n = sio_eio_v3_encode(NULL, body, len);
        enc = (unsigned char *)malloc(n + 1);
        if (!enc) return 0;
        if (sio_eio_v3_encode(enc, body, len) != n) abort();
        pos = 0;
        while (sio_eio_payload_next(4, body, len, &pos, &off, &plen) == 1) {
            int binary = plen && body[off] == 'b';
            if (sio_eio_payload_next(3, enc, n, &p2, &o2, &l2) != 1) abort();
            if (l2 != plen + (size_t)binary) abort();
            if (!binary && memcmp(enc + o2, body + off, plen) != 0) abort();
        }
        if (p2 != n) abort();
        free(enc);
    }
    return 0;
}
