/* Fuzzes the HTTP response head parser and the body decoder (in place). */
#include "sio.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sio_http_response r;
    sio_http_body b;
    unsigned char *copy;
    if (sio_http_parse_response(&r, (const char *)data, size) != 1) return 0;
    if (r.head_len > size) abort();
    if (sio_http_body_init(&b, &r, 1 << 20) != SIO_OK) return 0;
    copy = (unsigned char *)malloc(size - r.head_len + 1);
    if (!copy) return 0;
    memcpy(copy, data + r.head_len, size - r.head_len);
    {
        size_t pos = 0, len = size - r.head_len, used, out;
        while (pos < len) {
            int rc = sio_http_body_decode(&b, copy + pos, len - pos, &used, &out);
            if (out > used) abort();
            if (rc != 0 || used == 0) break;
            pos += used;
        }
    }
    free(copy);
    return 0;
}
