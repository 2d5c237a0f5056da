/* Fuzzes the proxy codecs.  The first byte chooses: the proxy URL parser
 * and the no_proxy matcher on the rest as text, or a tunnel's handshake
 * (HTTP CONNECT, SOCKS5 with and without credentials) fed the rest as the
 * proxy's replies in chunks.  Spans stay inside the input, the codec never
 * claims more bytes than it was given or writes more than its room, and
 * every handshake ends. */
#include "sio.h"
#include <stdlib.h>
#include <string.h>

static void fuzz_url(const uint8_t *data, size_t size)
{
    char *s = (char *)malloc(size + 1);
    sio_proxy_url u;
    size_t n;
    if (!s) return;
    memcpy(s, data, size);
    s[size] = 0;
    n = strlen(s);
    if (sio_proxy_url_parse(&u, s) == SIO_OK) {
        if (u.host < s || u.host + u.host_len > s + n || u.port == 0 || u.host_len == 0 ||
            (u.user && (u.user + u.user_len > s + n || u.password + u.password_len > s + n)))
            abort();
    }
    (void)sio_proxy_excluded(s, "a.example.com", 80);
    (void)sio_proxy_excluded(s, "10.1.2.3", 443);
    (void)sio_proxy_excluded(s, "::1", 8080);
    free(s);
}

static void fuzz_handshake(int choice, const uint8_t *data, size_t size)
{
    static const char *const urls[] = { "http://h:1", "http://u%41:p%3a@h:1", "socks5h://h", "socks5h://us:pw@h",
                                        "socks5://1.2.3.4", "socks5://u:p@[::1]" };
    static const char *const hosts[] = { "example.com", "::1", "10.0.0.1" };
    sio_proxy_url p;
    sio_proxy_handshake h;
    unsigned char out[SIO_PROXY_OUT_SIZE + 1];
    char why[200];
    size_t n, have = 0, start = 0, chunk = size ? (size_t)(data[0] % 16) + 1 : 1;
    const char *host = hosts[(choice / 6) % 3];
    int r = 0;
    if (sio_proxy_url_parse(&p, urls[choice % 6]) != SIO_OK) abort();
    if (p.kind == SIO_PROXY_SOCKS5 && host == hosts[0]) host = hosts[2];
    if (sio_proxy_begin(&h, &p, host, 443, 512, out, SIO_PROXY_OUT_SIZE, &n) != SIO_OK || n > SIO_PROXY_OUT_SIZE) abort();
    while (r == 0 && have < size) {
        size_t used = 0;
        have = have + chunk > size ? size : have + chunk;
        out[SIO_PROXY_OUT_SIZE] = 0xAB;
        r = sio_proxy_receive(&h, data + start, have - start, &used, out, SIO_PROXY_OUT_SIZE, &n, why, sizeof why);
        if (used > have - start || n > SIO_PROXY_OUT_SIZE || out[SIO_PROXY_OUT_SIZE] != 0xAB) abort();
        if (memchr(why, 0, sizeof why) == NULL) abort();
        if (r < 0 && (!why[0] || (r != SIO_ERR_PROXY && r != SIO_ERR_PROTOCOL && r != SIO_ERR_TOO_BIG))) abort();
        if (r > 1) abort();
        start += used;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0) return 0;
    if (data[0] & 0x80) fuzz_url(data + 1, size - 1);
    else fuzz_handshake(data[0], data + 1, size - 1);
    return 0;
}
