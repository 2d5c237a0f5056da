/* bench_mem - heap and RSS per connected idle Socket.IO client.
 *     bench_mem URL N [HOLD_SECONDS [DEFLATE]]      prints one JSON line
 * DEFLATE: off (default), on (the server may keep its history) or
 * no-takeover (server_no_context_takeover asked).
 * Connects N clients (WebSocket transport) from one thread, waits until every
 * one has its namespace CONNECT, then keeps them idle for HOLD_SECONDS
 * (default 5) answering the server's pings, and reports:
 *   heap_per_client   bytes held through the allocator (counted exactly)
 *   api_per_client    what sio_memory() says, averaged
 *   rss_per_client    growth of the process's resident set, divided by N
 *   lost              clients that disconnected while idle (heartbeats missed)
 * Driven by sio_set (epoll on Linux). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "sio.h"
#include "bench_clock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


int main(int argc, char **argv)
{
    const char *url = argc > 1 ? argv[1] : "http://127.0.0.1:3000/";
    long n = argc > 2 ? atol(argv[2]) : 100, i, connected = 0, lost = 0;
    double hold = argc > 3 ? atof(argv[3]) : 5.0, t0, api = 0;
    const char *deflate = argc > 4 ? argv[4] : "off";
    bench_counter k = {0, 0};
    sio_client **cs;
    sio_set *set;
    sio_event ev;
    long rss0, rss1;
    size_t heap;
    if (n <= 0) return 2;
    cs = (sio_client **)calloc((size_t)n, sizeof *cs);
    if (!cs || sio_set_create(NULL, &set) != SIO_OK) return 2;
    rss0 = bench_rss_kb();
    for (i = 0; i < n; i++) {
        sio_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.url = url;
        cfg.mode = SIO_MODE_SOCKETIO;
        cfg.reconnect = SIO_RECONNECT_OFF;
        cfg.connect_timeout_ms = 60000;
        cfg.allocator.realloc = bench_count_realloc;
        cfg.allocator.user = &k;
        cfg.deflate = strcmp(deflate, "off") != 0 ? SIO_DEFLATE_ON : SIO_DEFLATE_OFF;
        cfg.deflate_no_context_takeover = strcmp(deflate, "no-takeover") == 0;
        if (sio_create(&cfg, &cs[i]) != SIO_OK || sio_set_add(set, cs[i]) != SIO_OK) return 2;
        sio_start(cs[i]);
    }
    t0 = bench_now_s();
    while (connected < n && bench_now_s() - t0 < 120) {
        if (sio_set_poll(set, &ev, 1000) != 1) continue;
        if (ev.type == SIO_EVENT_CONNECT) connected++;
        else if (ev.type == SIO_EVENT_ERROR) fprintf(stderr, "bench_mem: %s\n", ev.message);
    }
    t0 = bench_now_s();
    while (bench_now_s() - t0 < hold) {
        if (sio_set_poll(set, &ev, 200) != 1) continue;
        if (ev.type == SIO_EVENT_DISCONNECT || ev.type == SIO_EVENT_CLOSE) lost++;
    }
    /* one more round so every client has handled its last event */
    while (sio_set_poll(set, &ev, 0) == 1) {}
    heap = k.bytes;
    rss1 = bench_rss_kb();
    for (i = 0; i < n; i++) api += (double)sio_memory(cs[i]);
    printf("{\"clients\":%ld,\"connected\":%ld,\"lost\":%ld,\"hold_s\":%.0f,\"heap_per_client\":%.0f,"
           "\"api_per_client\":%.0f,\"rss_per_client\":%.0f,\"heap_peak_per_client\":%.0f}\n",
           n, connected, lost, hold, (double)heap / (double)n, api / (double)n,
           (double)(rss1 - rss0) * 1024.0 / (double)n, (double)k.peak / (double)n);
    for (i = 0; i < n; i++) sio_destroy(cs[i]);
    sio_set_destroy(set);
    free(cs);
    return connected == n && lost == 0 ? 0 : 1;
}
