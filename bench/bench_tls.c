/* bench_tls: the TLS backend this build has (BearSSL, OpenSSL, mbedTLS or
 * none) against bench/tls_stream_server.js; run by bench/run_tls.sh.
 *     bench_tls handshake URL CAFILE N   CPU ms per connection made (TCP + TLS + WebSocket)
 *     bench_tls heap URL CAFILE K        heap bytes per open connection (malloc's count, all of it)
 *     bench_tls stream URL CAFILE        receive MB/s of the server's stream
 * Prints one number. */
#define _GNU_SOURCE
#include "sio.h"
#include "bench_clock.h"
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(SIO_WITH_BEARSSL)
static sio_bearssl *backend;
static const sio_tls *make_tls(const char *ca)
{
    sio_bearssl_config tc;
    char err[256];
    memset(&tc, 0, sizeof tc);
    tc.ca_file = ca;
    if (sio_bearssl_create(&tc, &backend, err, sizeof err) != SIO_OK) { fprintf(stderr, "%s\n", err); exit(1); }
    return sio_bearssl_tls(backend);
}
#elif defined(SIO_WITH_OPENSSL)
static sio_openssl *backend;
static const sio_tls *make_tls(const char *ca)
{
    sio_openssl_config tc;
    char err[256];
    memset(&tc, 0, sizeof tc);
    tc.ca_file = ca;
    if (sio_openssl_create(&tc, &backend, err, sizeof err) != SIO_OK) { fprintf(stderr, "%s\n", err); exit(1); }
    return sio_openssl_tls(backend);
}
#elif defined(SIO_WITH_MBEDTLS)
static sio_mbedtls *backend;
static const sio_tls *make_tls(const char *ca)
{
    sio_mbedtls_config tc;
    char err[256];
    memset(&tc, 0, sizeof tc);
    tc.ca_file = ca;
    if (sio_mbedtls_create(&tc, &backend, err, sizeof err) != SIO_OK) { fprintf(stderr, "%s\n", err); exit(1); }
    return sio_mbedtls_tls(backend);
}
#else
static const sio_tls *make_tls(const char *ca) { (void)ca; return NULL; }
#endif

static sio_client *open_client(const char *url, const sio_tls *tls)
{
    sio_config cfg;
    sio_client *c = NULL;
    sio_event ev;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url;
    cfg.tls = tls;
    cfg.max_message = 1 << 20;
    if (sio_create(&cfg, &c) != SIO_OK || sio_start(c) != SIO_OK) { fprintf(stderr, "sio_create\n"); exit(1); }
    for (;;) {
        if (sio_poll(c, &ev, 1000) != 1) continue;
        if (ev.type == SIO_EVENT_OPEN) return c;
        if (ev.type == SIO_EVENT_ERROR || ev.type == SIO_EVENT_CLOSE) {
            fprintf(stderr, "no connection: %s\n", ev.message ? ev.message : "closed");
            exit(1);
        }
    }
}

int main(int argc, char **argv)
{
    const sio_tls *tls;
    if (argc < 4) { fprintf(stderr, "usage: bench_tls handshake|heap|stream URL CAFILE [N]\n"); return 2; }
    tls = strncmp(argv[2], "wss:", 4) == 0 ? make_tls(argv[3]) : NULL;
    if (strcmp(argv[1], "handshake") == 0) {
        int i, n = argc > 4 ? atoi(argv[4]) : 50;
        clock_t t0 = clock();
        for (i = 0; i < n; i++) sio_destroy(open_client(argv[2], tls));
        printf("%.3f\n", (double)(clock() - t0) * 1000.0 / CLOCKS_PER_SEC / n);
    } else if (strcmp(argv[1], "heap") == 0) {
        int i, k = argc > 4 ? atoi(argv[4]) : 20;
        sio_client **cs = (sio_client **)calloc((size_t)k, sizeof *cs);
        size_t before;
        sio_destroy(open_client(argv[2], tls));          /* the backend's one-time state first */
        malloc_trim(0);
        before = mallinfo2().uordblks;
        for (i = 0; i < k; i++) cs[i] = open_client(argv[2], tls);
        printf("%.0f\n", (double)(mallinfo2().uordblks - before) / k);
        for (i = 0; i < k; i++) sio_destroy(cs[i]);
        free(cs);
    } else {
        sio_client *c = open_client(argv[2], tls);
        sio_event ev;
        double bytes = 0, t0 = bench_now_s();
        for (;;) {
            if (sio_poll(c, &ev, 1000) != 1) continue;
            if (ev.type == SIO_EVENT_MESSAGE) bytes += (double)ev.len;
            if (ev.type == SIO_EVENT_CLOSE) break;
        }
        printf("%.1f\n", bytes / (bench_now_s() - t0) / 1e6);
        sio_destroy(c);
    }
#if defined(SIO_WITH_BEARSSL)
    sio_bearssl_destroy(backend);
#elif defined(SIO_WITH_OPENSSL)
    sio_openssl_destroy(backend);
#elif defined(SIO_WITH_MBEDTLS)
    sio_mbedtls_destroy(backend);
#endif
    return 0;
}
