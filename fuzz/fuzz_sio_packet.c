/* Fuzzes the Socket.IO packet decoder (and the Engine.IO open parser on the
 * same bytes): decoded spans must stay inside the input. */
#include "sio.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sio_packet p;
    sio_eio_open o;
    const char *why = NULL;
    const char *text = (const char *)data;
    if (sio_packet_decode(&p, text, size, 10, 64, &why) == SIO_OK) {
        if (p.data < text || p.data + p.data_len > text + size) abort();
        if (p.ns >= text && p.ns <= text + size) {        /* a namespace from the input */
            if (p.ns + p.ns_len > text + size || p.ns[0] != '/') abort();
        } else if (p.ns_len != 1 || p.ns[0] != '/') {    /* else the default "/" */
            abort();
        }
        if (p.type < 0 || p.type > 6 || p.attachments > 10) abort();
    } else if (!why) {
        abort();                                   /* every refusal names its rule */
    }
    if (sio_eio_parse_open(text, size, &o, &why) == SIO_OK && (o.sid[0] == 0 || o.ping_interval < 0)) abort();
    return 0;
}
