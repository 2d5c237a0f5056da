/* loadgen - load-test a Socket.IO server: N clients from one thread (sio_set),
 * each emitting an event with an ack at a fixed rate; reports throughput and
 * the emit-to-ack latency percentiles.
 *
 *   loadgen [options] http://HOST:PORT/NAMESPACE
 *     --clients N        connections (default 10)
 *     --rate R           emits per second per client (default 10)
 *     --duration S       seconds of load after every client connected (default 10)
 *     --event NAME       event to emit; the server must ack it (default "echo")
 *     --payload BYTES    size of the string argument (default 16)
 *     --transport T      websocket (default), polling or auto
 *     --json             one JSON line instead of the human summary
 *
 * Exit status: 0 when every emit was acked, 1 otherwise, 2 for bad usage. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "sio.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#ifdef _WIN32
#include <windows.h>
#endif

#define RING 4096                     /* emit times by ack id, per client */

typedef struct client {
    sio_client *c;
    int connected;
    double next_send;                 /* seconds */
    double sent_at[RING];
    long outstanding;
} client;

typedef struct stats {
    long sent, acked, failed, refused;
    double *lat;                      /* milliseconds */
    size_t count, cap;
} stats;

/* Monotonic seconds with sub-microsecond resolution. */
static double now_s(void)
{
#ifdef _WIN32
    LARGE_INTEGER f, t;
    QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&t);
    return (double)t.QuadPart / (double)f.QuadPart;
#else
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
#endif
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void add_latency(stats *st, double ms)
{
    if (st->count == st->cap) {
        size_t cap = st->cap ? st->cap * 2 : 4096;
        double *p = (double *)realloc(st->lat, cap * sizeof *p);
        if (!p) return;
        st->lat = p;
        st->cap = cap;
    }
    st->lat[st->count++] = ms;
}

static double pct(const stats *st, double q)
{
    size_t i;
    if (!st->count) return 0;
    i = (size_t)(q * (double)(st->count - 1) + 0.5);
    return st->lat[i];
}

static void usage(void)
{
    fprintf(stderr, "usage: loadgen [--clients N] [--rate R] [--duration S] [--event NAME] [--payload BYTES]\n"
                    "               [--transport websocket|polling|auto] [--json] http://HOST:PORT/NAMESPACE\n");
}

int main(int argc, char **argv)
{
    long n = 10, i;
    double rate = 10, duration = 10, t_start = 0, t_end, t0;
    size_t payload = 16;
    const char *event = "echo", *url = NULL;
    int transport = SIO_TRANSPORT_WEBSOCKET, json = 0, connected = 0, a;
    char *args;
    client *cl;
    stats st;
    sio_set *set;
    sio_event ev;
    memset(&st, 0, sizeof st);
    for (a = 1; a < argc; a++) {
        const char *next = a + 1 < argc ? argv[a + 1] : NULL;
        if (strcmp(argv[a], "--json") == 0) { json = 1; continue; }
        if (argv[a][0] != '-') { url = argv[a]; continue; }
        if (!next) { usage(); return 2; }
        if (strcmp(argv[a], "--clients") == 0) n = strtol(next, NULL, 10);     /* range-checked below */
        else if (strcmp(argv[a], "--rate") == 0) rate = atof(next);
        else if (strcmp(argv[a], "--duration") == 0) duration = atof(next);
        else if (strcmp(argv[a], "--event") == 0) event = next;
        else if (strcmp(argv[a], "--payload") == 0) {
            long v = strtol(next, NULL, 10);
            payload = v < 0 ? (size_t)-1 : (size_t)v;                     /* refused below */
        }
        else if (strcmp(argv[a], "--transport") == 0)
            transport = strcmp(next, "polling") == 0 ? SIO_TRANSPORT_POLLING
                      : strcmp(next, "auto") == 0 ? SIO_TRANSPORT_AUTO : SIO_TRANSPORT_WEBSOCKET;
        else { usage(); return 2; }
        a++;
    }
    if (!url || n <= 0 || n > 100000 || rate <= 0 || duration <= 0 || payload > (1u << 20)) { usage(); return 2; }
    cl = (client *)calloc((size_t)n, sizeof *cl);
    args = (char *)malloc(payload + 8);
    if (!cl || !args || sio_set_create(NULL, &set) != SIO_OK) return 1;
    args[0] = '[';
    args[1] = '"';
    memset(args + 2, 'x', payload);
    strcpy(args + 2 + payload, "\"]");
    for (i = 0; i < n; i++) {
        sio_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.url = url;
        cfg.mode = SIO_MODE_SOCKETIO;
        cfg.transport = transport;
        cfg.reconnect = SIO_RECONNECT_OFF;
        cfg.connect_timeout_ms = 30000;
        cfg.max_pending_acks = RING;
        cfg.user_data = &cl[i];
        if (sio_create(&cfg, &cl[i].c) != SIO_OK) { fprintf(stderr, "loadgen: bad URL %s\n", url); return 2; }
        sio_set_add(set, cl[i].c);
        sio_start(cl[i].c);
    }
    /* connect everyone first, then load */
    t0 = now_s();
    while (connected < n && now_s() - t0 < 60) {
        if (sio_set_poll(set, &ev, 100) != 1) continue;
        if (ev.type == SIO_EVENT_CONNECT) { ((client *)ev.user_data)->connected = 1; connected++; }
        if (ev.type == SIO_EVENT_CLOSE) fprintf(stderr, "loadgen: a client closed: %s\n", ev.reason);
    }
    t_start = now_s();
    t_end = t_start + duration;
    for (i = 0; i < n; i++) cl[i].next_send = t_start + (double)i / ((double)n * rate);   /* staggered */
    for (;;) {
        double now = now_s(), next = t_end;
        int wait_ms, busy = 0;
        for (i = 0; i < n; i++) {
            client *k = &cl[i];
            while (k->connected && now < t_end && k->next_send <= now) {
                sio_emit_options o;
                int64_t id = -1;
                memset(&o, 0, sizeof o);
                o.event = event;
                o.args = args;
                o.ack = 1;
                o.ack_timeout_ms = 10000;
                if (k->outstanding < RING && sio_emit_ex(k->c, &o, &id) == SIO_OK && id >= 0) {
                    k->sent_at[id % RING] = now_s();
                    k->outstanding++;
                    st.sent++;
                } else {
                    st.refused++;
                }
                k->next_send += 1.0 / rate;
            }
            if (k->outstanding) busy = 1;
            if (k->connected && k->next_send < next) next = k->next_send;
        }
        if (now >= t_end && !busy) break;
        if (now >= t_end + 15) break;                 /* acks that never come */
        {
            double w = (next - now) * 1000;             /* bounded before it becomes an int */
            wait_ms = now >= t_end ? 100 : w > 1000 ? 1000 : w > 0 ? (int)w : 0;
        }
        while (sio_set_poll(set, &ev, wait_ms) == 1) {
            client *k = (client *)ev.user_data;
            wait_ms = 0;
            if (ev.type == SIO_EVENT_ACK && ev.ack_id >= 0) {
                k->outstanding--;
                if (ev.error) st.failed++;
                else {
                    st.acked++;
                    add_latency(&st, (now_s() - k->sent_at[ev.ack_id % RING]) * 1000.0);
                }
            } else if (ev.type == SIO_EVENT_DISCONNECT || ev.type == SIO_EVENT_CLOSE) {
                k->connected = 0;
            }
        }
    }
    qsort(st.lat, st.count, sizeof *st.lat, cmp_double);
    {
        double secs = now_s() - t_start;
        if (json)
            printf("{\"clients\":%ld,\"connected\":%d,\"sent\":%ld,\"acked\":%ld,\"failed\":%ld,\"refused\":%ld,"
                   "\"acks_per_s\":%.1f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
                   n, connected, st.sent, st.acked, st.failed, st.refused, (double)st.acked / secs,
                   pct(&st, 0.5), pct(&st, 0.9), pct(&st, 0.99), st.count ? st.lat[st.count - 1] : 0.0);
        else
            printf("%ld clients (%d connected), %ld emits, %ld acked, %ld failed, %ld refused in %.1f s: %.0f acks/s\n"
                   "emit-to-ack latency ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n",
                   n, connected, st.sent, st.acked, st.failed, st.refused, secs, (double)st.acked / secs,
                   pct(&st, 0.5), pct(&st, 0.9), pct(&st, 0.99), st.count ? st.lat[st.count - 1] : 0.0);
    }
    for (i = 0; i < n; i++) sio_destroy(cl[i].c);
    sio_set_destroy(set);
    free(cl);
    free(args);
    free(st.lat);
    return connected == n && st.sent > 0 && st.acked == st.sent ? 0 : 1;
}
