/* CPU to receive one big binary Socket.IO event, its arguments nested
 * flat or deep, through the in-memory platform: the attachment
 * placeholder check must cost the same at any depth.
 *   cc -O2 -I. -Itests bench/bench_placeholders.c -o build/bench_placeholders && build/bench_placeholders
 * Prints the median of five runs per shape and their ratio. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#define SIO_IMPLEMENTATION
#include "sio.h"
#include "mem_platform.h"
#include "bench_clock.h"
#include <stdlib.h>

#define SIZE ((size_t)8 << 20)

static double receive_once(const char *args, size_t len)
{
    static unsigned char frame[SIZE + 64];
    sio_client *c = NULL;
    sio_config cfg;
    sio_event ev;
    static const char open4[] = "0{\"sid\":\"B\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000}";
    double t0, t;
    size_t n;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://b.test/";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.max_message = SIZE + 1024;
    net_reset();
    if (sio_create(&cfg, &c) != SIO_OK) abort();
    sio_start(c);
    sio_poll(c, &ev, 0);
    server_accept(NULL);
    server_frame(1, SIO_WS_TEXT, open4, sizeof open4 - 1);
    server_frame(1, SIO_WS_TEXT, "40{\"sid\":\"S\"}", 13);
    while (sio_poll(c, &ev, 0) == 1 && ev.type != SIO_EVENT_CONNECT) {}
    n = sio_ws_encode(frame, 1, SIO_WS_TEXT, args, len, NULL);
    t0 = bench_now_s();
    {                                                     /* fed in parts: larger than the in-memory socket */
        size_t off = 0;
        while (off < n || net.in_pos < net.in_len) {
            if (net.in_pos == net.in_len && off < n) {
                size_t k = n - off < sizeof net.in ? n - off : sizeof net.in;
                net.in_len = net.in_pos = 0;
                server_send(frame + off, k);
                off += k;
            }
            sio_poll(c, &ev, 0);
        }
        net.in_len = net.in_pos = 0;
    }
    server_frame(1, SIO_WS_BINARY, "\x01", 1);
    while (sio_poll(c, &ev, 0) == 1 && ev.type != SIO_EVENT_EVENT) {}
    t = bench_now_s() - t0;
    if (ev.type != SIO_EVENT_EVENT) { fprintf(stderr, "no event: %s\n", ev.message ? ev.message : ""); abort(); }
    sio_destroy(c);
    (void)open_client;
    (void)client_frame;
    return t;
}

/* 451-["big",<value>] where value holds SIZE bytes of strings, with a
 * placeholder at the bottom; depth levels of arrays around each string. */
static size_t make_args(char *out, int depth)
{
    size_t n = 0, chunk = 1024, i;
    int d;
    n += (size_t)sprintf(out, "451-[\"big\",[");
    while (n + chunk + 2 * (size_t)depth + 16 < SIZE) {
        for (d = 0; d < depth; d++) out[n++] = '[';
        out[n++] = '"';
        for (i = 0; i < chunk; i++) out[n++] = 'x';
        out[n++] = '"';
        for (d = 0; d < depth; d++) out[n++] = ']';
        out[n++] = ',';
    }
    n += (size_t)sprintf(out + n, "{\"_placeholder\":true,\"num\":0}]]");
    return n;
}

int main(void)
{
    static char args[SIZE];
    double flat[5], deep[5];
    size_t n;
    int i;
    n = make_args(args, 0);
    for (i = 0; i < 5; i++) flat[i] = receive_once(args, n);
    n = make_args(args, 60);
    for (i = 0; i < 5; i++) deep[i] = receive_once(args, n);
    qsort(flat, 5, sizeof flat[0], bench_cmp_double);
    qsort(deep, 5, sizeof deep[0], bench_cmp_double);
    printf("8 MiB binary event, flat:         %8.2f ms (median of 5)\n", flat[2] * 1e3);
    printf("8 MiB binary event, 60 deep:      %8.2f ms (median of 5)\n", deep[2] * 1e3);
    printf("deep / flat:                      %8.2fx\n", deep[2] / flat[2]);
    return 0;
}
