/* soak - many Socket.IO clients in one thread for a long time, with their
 * heartbeats, reconnections and acks counted as they go.
 *     soak URL CLIENTS SECONDS [EMIT_EVERY_S]
 * bench/run_soak.py runs it against a real socket.io server that it restarts
 * every few minutes, and judges the figures; see bench/README.md.
 *
 * Every client uses the WebSocket transport and reconnection with the JS
 * client's defaults, starts over a ramp of CLIENTS / 1000 seconds, and emits
 * "echo" with an ack every EMIT_EVERY_S seconds (default 30, staggered).
 * Every 5 s one JSON line on stdout:
 *   wall        time(NULL) at the line
 *   connected   clients whose namespace is connected now
 *   down        clients that lost their connection (RECONNECTING) in the interval, by the
 *               library's reason (or the close code); errors: ERROR events by message
 *   heartbeat   of those, lost to a missed heartbeat ("ping timeout")
 *   reconnects  RECONNECT events in the interval; connects: namespace CONNECTs in it
 *   sent acked failed   emits with an ack in the interval and their outcomes
 *   closed      clients that ended for good (must stay 0: reconnection has no limit)
 *   heap        bytes the library holds (counting allocator); api: sum of sio_memory()
 *   rss_kb      the process's resident set
 * The last line is {"type":"end",...} with the totals. */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "sio.h"
#include "bench_clock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define REPORT_EVERY_S 5.0
#define REASONS 8                     /* distinct reasons kept; the last takes any other */
#define REASON_MAX 96

typedef struct client {
    sio_client *c;
    int connected, started;
    double next_emit;
} client;

typedef struct tally {
    long down[REASONS], error[REASONS], heartbeat, reconnects, connects, sent, acked, failed, closed;
} tally;

/* The reasons connections were lost for, as the library words them, in the
 * order first seen. */
typedef struct reasons {
    char name[REASONS][REASON_MAX];
    int count;
} reasons;

static int reason_index(reasons *rs, const char *reason)
{
    int i;
    size_t len;
    if (!reason) reason = "";
    for (i = 0; i < rs->count; i++)
        if (strncmp(rs->name[i], reason, REASON_MAX - 1) == 0) return i;
    if (rs->count == REASONS - 1) return REASONS - 1;
    len = strlen(reason);
    if (len > REASON_MAX - 1) len = REASON_MAX - 1;
    memcpy(rs->name[rs->count], reason, len);
    rs->name[rs->count][len] = 0;
    return rs->count++;
}

/* A reason as a JSON string: quotes, backslashes and control bytes left out. */
static void print_name(const char *s)
{
    putchar('"');
    for (; *s; s++)
        if (*s != '"' && *s != '\\' && (unsigned char)*s >= 0x20) putchar(*s);
    putchar('"');
}

/* {"reason":count,...} of the nonzero counts. */
static void print_counts(const long *count, const reasons *rs)
{
    int i, first = 1;
    putchar('{');
    for (i = 0; i < REASONS; i++) {
        if (!count[i]) continue;
        printf("%s", first ? "" : ",");
        print_name(i < rs->count ? rs->name[i] : "other");
        printf(":%ld", count[i]);
        first = 0;
    }
    putchar('}');
}

static void print_tally(const char *type, const tally *t, const reasons *down, const reasons *errors,
                        long connected, size_t heap, size_t api, double at)
{
    printf("{\"type\":\"%s\",\"t\":%.1f,\"wall\":%ld,\"connected\":%ld,\"down\":", type, at, (long)time(NULL),
           connected);
    print_counts(t->down, down);
    printf(",\"errors\":");
    print_counts(t->error, errors);
    printf(",\"heartbeat\":%ld,\"reconnects\":%ld,\"connects\":%ld,\"sent\":%ld,\"acked\":%ld,\"failed\":%ld,"
           "\"closed\":%ld,\"heap\":%lu,\"api\":%lu,\"rss_kb\":%ld}\n",
           t->heartbeat, t->reconnects, t->connects, t->sent, t->acked, t->failed, t->closed,
           (unsigned long)heap, (unsigned long)api, bench_rss_kb());
    fflush(stdout);
}

static void add_tally(tally *into, const tally *t)
{
    int i;
    for (i = 0; i < REASONS; i++) {
        into->down[i] += t->down[i];
        into->error[i] += t->error[i];
    }
    into->heartbeat += t->heartbeat;
    into->reconnects += t->reconnects;
    into->connects += t->connects;
    into->sent += t->sent;
    into->acked += t->acked;
    into->failed += t->failed;
    into->closed += t->closed;
}

static void count_event(const sio_event *ev, tally *t, reasons *down, reasons *errors, long *connected)
{
    client *k = (client *)ev->user_data;
    char code[32];
    switch (ev->type) {
    case SIO_EVENT_CONNECT:
        if (!k->connected) (*connected)++;
        k->connected = 1;
        t->connects++;
        break;
    case SIO_EVENT_RECONNECTING:
        if (ev->attempt == 1) {        /* a lost connection, not a further try */
            snprintf(code, sizeof code, "close code %d", ev->code);   /* when the library gives no reason */
            t->down[reason_index(down, ev->reason && *ev->reason ? ev->reason : code)]++;
            if (ev->reason && strcmp(ev->reason, "ping timeout") == 0) t->heartbeat++;
        }
        if (k->connected) (*connected)--;      /* the namespace is gone with the connection */
        k->connected = 0;
        break;
    case SIO_EVENT_DISCONNECT:
        if (k->connected) (*connected)--;
        k->connected = 0;
        break;
    case SIO_EVENT_RECONNECT:
        t->reconnects++;
        break;
    case SIO_EVENT_ACK:
        if (ev->error) t->failed++;
        else t->acked++;
        break;
    case SIO_EVENT_CLOSE:
        if (k->connected) (*connected)--;
        k->connected = 0;
        t->closed++;
        break;
    case SIO_EVENT_ERROR:
        t->error[reason_index(errors, ev->message)]++;
        break;
    default:
        break;
    }
}

int main(int argc, char **argv)
{
    long n, i, next_start = 0, connected = 0;
    double seconds, every = 30, t0, next_report, end;
    bench_counter heap = { 0, 0 };
    sio_allocator alloc;
    sio_set *set;
    client *cl;
    tally now_t, total;
    reasons down, errors;
    if (argc < 4) {
        fprintf(stderr, "usage: soak URL CLIENTS SECONDS [EMIT_EVERY_S]\n");
        return 2;
    }
    n = strtol(argv[2], NULL, 10);
    seconds = atof(argv[3]);
    if (argc > 4) every = atof(argv[4]);
    if (n <= 0 || n > 1000000 || !(seconds > 0 && seconds <= 1e7) || !(every >= 0.1 && every <= 1e6)) {
        fprintf(stderr, "soak: CLIENTS 1..1000000, SECONDS and EMIT_EVERY_S positive\n");
        return 2;
    }
    memset(&alloc, 0, sizeof alloc);
    alloc.realloc = bench_count_realloc;
    alloc.user = &heap;
    memset(&now_t, 0, sizeof now_t);
    memset(&total, 0, sizeof total);
    memset(&down, 0, sizeof down);
    memset(&errors, 0, sizeof errors);
    cl = (client *)calloc((size_t)n, sizeof *cl);
    if (!cl || sio_set_create(&alloc, &set) != SIO_OK) return 1;
    for (i = 0; i < n; i++) {
        sio_config cfg;
        memset(&cfg, 0, sizeof cfg);
        cfg.url = argv[1];
        cfg.mode = SIO_MODE_SOCKETIO;
        cfg.transport = SIO_TRANSPORT_WEBSOCKET;
        cfg.allocator = alloc;
        cfg.user_data = &cl[i];
        if (sio_create(&cfg, &cl[i].c) != SIO_OK || sio_set_add(set, cl[i].c) != SIO_OK) {
            fprintf(stderr, "soak: cannot create client %ld for %s\n", i, argv[1]);
            return 2;
        }
    }
    t0 = bench_now_s();
    end = t0 + seconds;
    next_report = t0 + REPORT_EVERY_S;
    for (;;) {
        double t = bench_now_s();
        sio_event ev;
        int wait_ms = 50;
        /* the ramp: a thousand clients a second, so the server's listen queue keeps up */
        while (next_start < n && t >= t0 + (double)next_start / 1000.0) {
            client *k = &cl[next_start];
            k->started = 1;
            k->next_emit = t + every * (double)(next_start % 1000) / 1000.0 + every;
            sio_start(k->c);
            next_start++;
        }
        for (i = 0; i < next_start; i++) {
            client *k = &cl[i];
            if (k->connected && t >= k->next_emit) {
                sio_emit_options o;
                memset(&o, 0, sizeof o);
                o.event = "echo";
                o.args = "[\"soak\"]";
                o.ack = 1;
                o.ack_timeout_ms = 20000;
                if (sio_emit_ex(k->c, &o, NULL) == SIO_OK) now_t.sent++;
                k->next_emit += every;
                if (k->next_emit < t) k->next_emit = t + every;
            }
        }
        if (t >= next_report) {
            size_t api = 0;
            for (i = 0; i < n; i++) api += sio_memory(cl[i].c);
            print_tally("interval", &now_t, &down, &errors, connected, heap.bytes, api, t - t0);
            add_tally(&total, &now_t);
            memset(&now_t, 0, sizeof now_t);
            next_report += REPORT_EVERY_S;
            if (t >= end) break;
        }
        while (sio_set_poll(set, &ev, wait_ms) == 1) {
            count_event(&ev, &now_t, &down, &errors, &connected);
            wait_ms = 0;
        }
    }
    {
        size_t api = 0;
        for (i = 0; i < n; i++) api += sio_memory(cl[i].c);
        print_tally("end", &total, &down, &errors, connected, heap.bytes, api, bench_now_s() - t0);
    }
    for (i = 0; i < n; i++) sio_destroy(cl[i].c);
    sio_set_destroy(set);
    free(cl);
    return 0;
}
