/* Fuzzes the DNS answer parser: every answer is a datagram from the network.
 * Addresses found must be of the asked family and as many as reported; the
 * text form must fit its 46 bytes. */
#include "sio.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sio_dns_addr out[8];
    size_t count = 0, i;
    const char *why = NULL;
    int type, r;
    char text[46], name[256];
    if (size < 2) return 0;
    type = (data[0] & 1) ? SIO_DNS_AAAA : SIO_DNS_A;
    /* ask for the name in the message's own question, so the fuzzer gets past that check */
    {
        const uint8_t *m = data + 1;
        size_t len = size - 1, pos = 12, n = 0;
        while (pos < len && m[pos] && m[pos] < 64 && pos + 1 + m[pos] <= len && n + m[pos] + 1 < sizeof name) {
            if (n) name[n++] = '.';
            memcpy(name + n, m + pos + 1, m[pos]);
            n += m[pos];
            pos += 1 + (size_t)m[pos];
        }
        name[n] = 0;
        if (!n || (data[0] & 2)) strcpy(name, "a.test");
    }
    r = sio_dns_parse(data + 1, size - 1, size > 2 ? ((unsigned)data[1] << 8) | data[2] : 0, name, type, out, 8,
                      &count, &why);
    if (r != SIO_OK && r != SIO_ERR_AGAIN && r != SIO_ERR_NO_ADDRESS && r != SIO_ERR_PROTOCOL) abort();
    if (r == SIO_ERR_PROTOCOL && !why) abort();
    if (count > 8 || (r != SIO_OK && count)) abort();
    for (i = 0; i < count; i++) {
        if (out[i].family != (type == SIO_DNS_A ? 4 : 6)) abort();
        if (sio_dns_addr_text(&out[i], text) >= sizeof text) abort();
    }
    /* queries for arbitrary names never overrun */
    {
        unsigned char q[512];
        char name[300];
        size_t n = size - 1 < sizeof name - 1 ? size - 1 : sizeof name - 1;
        memcpy(name, data + 1, n);
        name[n] = 0;
        if (sio_dns_query(q, sizeof q, 1, name, type) > sizeof q) abort();
    }
    return 0;
}
