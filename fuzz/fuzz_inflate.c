/* Fuzzes the inflater and the deflater: arbitrary bytes as one compressed
 * message (with and without a history from the message before) must never
 * crash, hang, or produce more than max bytes; and any bytes compressed
 * must inflate back to themselves. */
#include "sio.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sio_inflater z;
    sio_deflater d;
    const unsigned char *out, *packed;
    size_t n, half, packed_len;
    unsigned char *copy;
    if (size < 1) return 0;
    half = (size - 1) / 2;
    memset(&z, 0, sizeof z);
    z.window = (data[0] & 1) ? 32768 : 0;
    /* two messages: the second may refer into the first's history */
    if (sio_inflate_message(&z, data + 1, half, data[0] & 2, 65536, &out, &n) == SIO_OK && n > 65536) abort();
    if (sio_inflate_message(&z, data + 1 + half, size - 1 - half, 1, 65536, &out, &n) == SIO_OK && n > 65536)
        abort();
    sio_inflater_free(&z);
    /* round trip of the raw bytes */
    memset(&d, 0, sizeof d);
    d.window_bits = 8 + (data[0] >> 5);
    if (sio_deflate_message(&d, data, size, size + 64, &packed, &packed_len) == SIO_OK) {
        copy = (unsigned char *)malloc(packed_len + 1);
        memcpy(copy, packed, packed_len);
        memset(&z, 0, sizeof z);
        if (sio_inflate_message(&z, copy, packed_len, 1, size, &out, &n) != SIO_OK || n != size ||
            memcmp(out, data, size) != 0)
            abort();
        sio_inflater_free(&z);
        free(copy);
    }
    sio_deflater_free(&d);
    return 0;
}
