/* The seeded simulator: the real client against the in-process server
 * models of sio_sim.h on its simulated network and clock, with faults
 * drawn from a seed: reads and writes split at random byte boundaries,
 * connections reset, servers restarting and refusing connections for a
 * while, names not resolving, slow connects, clock jumps, allocations
 * failing; one client, or two or three in a sio_set (one may be destroyed
 * mid-run); and an application that emits with acks, joins and leaves,
 * stops and starts.
 *
 * After every step: no more CLOSEs than starts, no event while stopped or
 * for a destroyed client,
 * memory within bounds, no ack answered twice or unasked for, the server's
 * deliveries in order.  At the end (stopped, drained): one CLOSE per
 * start, every ack answered exactly once (when no allocation failed: an
 * event the queue had no room for is lost with its memory), nothing leaked,
 * no frame the servers had to fail as RFC 6455 forbids it.
 *
 *   sim SEED                 one seed, with a trace of what happened
 *   sim FIRST COUNT          COUNT seeds from FIRST; failing seeds print themselves
 * A failing seed replays exactly: make sim SEED=n. */
#define SIO_IMPLEMENTATION
#include "sio.h"
#include <stdlib.h>
#include <time.h>
#include "sio_sim.h"

#define SIM_STEPS 400
#define SIM_MAX_ACKS 512
#define SIM_MAX_CLIENTS 3
#define SIM_MEMORY_BOUND (4u << 20)   /* a client's heap may never pass this */

/* One client of the run, with what its invariants need. */
typedef struct sim_client {
    sio_client *c;
    int index;
    int starts, closes, stopped, destroyed;
    int left_while_stopped;
    int websocket;                   /* plain WebSocket mode: echoes must come back in order */
    int sent_seq, echo_last;
    int parts_left;                  /* an emit's attachment being sent in parts: parts to go (-1: none) */
    int part_begun;
    signed char answers[SIM_MAX_ACKS];   /* per ack id: answers seen; -1: no such id */
    char asked[SIM_MAX_ACKS];            /* the emit asked for its ack (else only a give-up answers) */
    int seq;                         /* the next emit's number (the server checks the order) */
    int server_last[2];              /* the server's side of the order check, per namespace */
    int eio3;
} sim_client;

typedef struct sim_state {
    int verbose, failed;
    unsigned alloc_fail_per_mille;   /* 0: no allocation fails */
    int allocs_failed;
    long live_blocks;
    size_t live_bytes, peak_bytes;
    int retries;
    int count;                       /* clients in the run (more than one: a sio_set) */
    sim_client client[SIM_MAX_CLIENTS];
    sio_sim_server server[SIM_MAX_CLIENTS];   /* one per client, on ports 8001.. */
    char why[256];
} sim_state;

static sim_state S;
static sio_sim_net net;

/* Over a batch: what the seeds exercised (a simulator that never got far
 * would pass everything). */
static struct { unsigned long echoes, parts_done, emits, acked, failed, sessions, eio3_sessions, eio3_pongs, upgrades, allocs_failed, restarts, resets, sets, destroyed, unresolved, slow, pings, ping_timeouts, overflows, refused; } T;

/* The clients are given the simulated network; nothing here uses a default one. */
const sio_platform *sio_platform_default(void) { return sio_sim_platform(&net); }

static uint32_t rnd(void) { return sio_sim_rand(&net); }
static int chance(unsigned per_mille) { return sio_sim_chance(&net, per_mille); }

static void trace(const char *what, long a)
{
    if (S.verbose) printf("  t=%llu %s %ld\n", (unsigned long long)net.now, what, a);
}
static void trace_fault(void *user, const char *what, long a) { (void)user; trace(what, a); }

static void violation(const char *why)
{
    if (!S.failed) snprintf(S.why, sizeof S.why, "%s", why);
    S.failed = 1;
    trace(why, 0);
}

/* The counting allocator: every block carries its size; some fail. */
static void *sim_realloc(void *user, void *ptr, size_t size)
{
    size_t *h = ptr ? (size_t *)ptr - 2 : NULL, old = h ? h[0] : 0;
    (void)user;
    if (size == 0) {
        if (h) { S.live_blocks--; S.live_bytes -= old; free(h); }
        return NULL;
    }
    if (S.alloc_fail_per_mille && chance(S.alloc_fail_per_mille)) { S.allocs_failed++; return NULL; }
    if (size > (size_t)-1 / 2) return NULL;
    h = (size_t *)realloc(h, size + 2 * sizeof(size_t));
    if (!h) return NULL;
    if (!ptr) S.live_blocks++;
    S.live_bytes = S.live_bytes - old + size;
    if (S.live_bytes > S.peak_bytes) S.peak_bytes = S.live_bytes;
    h[0] = size;
    return h + 2;
}

/* The server's side of the order check: the numbers of "m" events, per
 * namespace (each has its own queue). */
static void server_saw(void *user, const char *p, size_t n)
{
    sim_client *k = (sim_client *)user;
    const char *m = NULL;
    size_t i;
    int ns = n > 2 && p[2] == '/', v;
    for (i = 0; i + 5 <= n; i++)
        if (memcmp(p + i, "[\"m\",", 5) == 0) { m = p + i + 5; break; }
    if (!m) return;
    v = (int)strtoul(m, NULL, 10);
    if (S.retries ? v < k->server_last[ns] : v <= k->server_last[ns])
        violation("the server saw emits out of order or twice");
    k->server_last[ns] = v;
}

/* An emit was made: its ack id (if any) may get one answer, and is owed
 * one when the ack was asked for. */
static void sim_emitted(sim_client *k, int r, int64_t id, int asked)
{
    if (r != SIO_OK || id < 0) return;
    trace("emit", (long)id);
    if (id >= SIM_MAX_ACKS || k->answers[id] >= 0) violation("an ack id given twice or out of range");
    else { k->answers[id] = 0; k->asked[id] = (char)asked; }
}

static void sim_event(const sio_event *ev)
{
    sim_client *k = (sim_client *)ev->user_data;
    int64_t id = -1;
    int r;
    if (!k || k < S.client || k >= S.client + S.count) { violation("an event for no client of the run"); return; }
    if (k->destroyed) { violation("an event for a destroyed client"); return; }
    if (k->stopped && ev->type != SIO_EVENT_CLOSE && !k->left_while_stopped) violation("an event while stopped");
    switch (ev->type) {
    case SIO_EVENT_CLOSE:
        trace("CLOSE", ev->code);
        if (++k->closes > k->starts) violation("more CLOSE events than starts");
        k->stopped = 1;
        break;
    case SIO_EVENT_ACK:
        trace(ev->error ? "ack failed" : "acked", (long)ev->ack_id);
        if (ev->error) T.failed++; else T.acked++;
        if (ev->ack_id < 0 || ev->ack_id >= SIM_MAX_ACKS || k->answers[ev->ack_id] < 0)
            violation("an ack for an emit never made");
        else if (++k->answers[ev->ack_id] > 1)
            violation("an emit answered twice");
        break;
    case SIO_EVENT_MESSAGE: {
        int v = atoi((const char *)ev->data);
        if (v <= k->echo_last || v >= k->sent_seq) {
            trace("echo", v);
            trace("of client", k->index);
            trace("echo_last", k->echo_last);
            trace("sent_seq", k->sent_seq);
            violation("an echo repeated, reordered or never sent");
        }
        k->echo_last = v;
        break;
    }
    case SIO_EVENT_EVENT:
        trace(ev->event_name, (long)ev->attachment_count);
        if (ev->attachment_count == 1 && ev->attachments) {       /* echo the binary greeting */
            sio_emit_options o;
            memset(&o, 0, sizeof o);
            o.event = "echo";
            o.args = "[{\"_placeholder\":true,\"num\":0}]";
            o.attachments = ev->attachments;
            o.attachment_count = 1;
            r = sio_emit_ex(k->c, &o, &id);                  /* with retries it has an id too */
            sim_emitted(k, r, id, 0);
        }
        break;
    default:
        trace("event", ev->type);
        break;
    }
}

static void sim_start(sim_client *k, const char *what)
{
    if (k->stopped && sio_start(k->c) == SIO_OK) {
        trace(what, k->index);
        k->starts++;
        k->stopped = 0;
        k->left_while_stopped = 0;
    }
}

/* Plain WebSocket: messages numbered in order; the echoes may lose some
 * (in flight at a reset) but never repeat or reorder them. */
static void sim_websocket_application(sim_client *k)
{
    char text[32];
    int n;
    if (chance(80)) {
        n = snprintf(text, sizeof text, "%d", k->sent_seq);
        if (sio_send_text(k->c, text, (size_t)n) == SIO_OK) k->sent_seq++;
    }
    if (chance(5)) sio_send_ping(k->c, "p", 1);
    if (chance(4) && !k->stopped) { trace("stop", k->index); sio_stop(k->c); }
    if (chance(10)) sim_start(k, "start");
}

/* What the application does with one client at a step. */
static void sim_application(sim_client *k)
{
    sio_client *c = k->c;
    if (k->websocket) { sim_websocket_application(k); return; }
    if (chance(60) && k->seq < SIM_MAX_ACKS) {
        char args[32];
        sio_emit_options o;
        int64_t id = -1;
        memset(&o, 0, sizeof o);
        snprintf(args, sizeof args, "[%d]", k->seq);
        o.event = "m";
        o.args = args;
        o.ack = 1;
        o.ns = chance(200) ? "/news" : NULL;
        if (sio_emit_ex(c, &o, &id) == SIO_OK) {
            k->seq++;
            if (id < 0) violation("an emit with an ack got no id");
            sim_emitted(k, SIO_OK, id, 1);
        }
    }
    if (k->parts_left < 0 && chance(15)) {               /* an emit whose attachment follows in parts */
        sio_emit_options o;
        int64_t id = -1;
        memset(&o, 0, sizeof o);
        o.event = "up";
        o.args = "[{\"_placeholder\":true,\"num\":0}]";
        o.attachment_count = 1;
        o.ack = 1;
        if (sio_emit_ex(c, &o, &id) == SIO_OK) {
            trace("emit in parts", (long)id);
            sim_emitted(k, SIO_OK, id, 1);
            k->parts_left = (int)(rnd() % 6);
            k->part_begun = 0;
        }
    } else if (k->parts_left >= 0 && chance(300)) {
        int r;
        if (!k->part_begun) r = sio_send_begin(c, 1), k->part_begun = r == SIO_OK;
        else if (k->parts_left > 0) r = sio_send_part(c, "0123456789abcdef", 1 + rnd() % 16), k->parts_left -= r == SIO_OK;
        else {
            r = sio_send_end(c);
            k->parts_left = r == SIO_OK ? -1 : 0;
            T.parts_done += r == SIO_OK;
        }
        if (r == SIO_ERR_STATE) { trace("parts refused", 0); k->parts_left = -1; }   /* the connection ended */
    }
    if (chance(5)) sio_join(c, "/news", NULL);
    /* leaving fails the namespace's emits with ACK events, after a CLOSE the
     * application has not polled yet when the client was already idle */
    if (chance(3) && sio_leave(c, "/news") == SIO_OK && (k->stopped || sio_get_state(c) == SIO_STATE_IDLE))
        k->left_while_stopped = 1;
    if (chance(4) && !k->stopped) { trace("stop", k->index); sio_stop(c); }
    if (chance(1) && !k->stopped) { trace("close 4000", k->index); sio_close(c, 4000, "bye"); }
    if (chance(10)) sim_start(k, "start");
}

/* The counting allocator's state after a client is gone for good. */
static void sim_destroy(sim_client *k, sio_set *set)
{
    trace("destroy client", k->index);
    if (set && chance(500)) sio_set_remove(set, k->c);      /* else sio_destroy takes it out of the set */
    sio_destroy(k->c);
    k->c = NULL;
    k->destroyed = 1;
    T.destroyed++;
}

/* One seed's configuration of client k (and its server). */
static void sim_configure(sim_client *k, sio_config *cfg, char *url, size_t url_size)
{
    static const int transports[] = { SIO_TRANSPORT_AUTO, SIO_TRANSPORT_WEBSOCKET, SIO_TRANSPORT_POLLING };
    sio_sim_server *s = &S.server[k->index];
    memset(cfg, 0, sizeof *cfg);
    k->echo_last = -1;
    k->parts_left = -1;
    k->server_last[0] = k->server_last[1] = -1;
    memset(k->answers, -1, sizeof k->answers);
    sio_sim_server_init(s, &net, (unsigned short)(8001 + k->index), 1);
    s->on_packet = server_saw;
    s->on_packet_user = k;
    k->websocket = s->echo = chance(250);
    snprintf(url, url_size, k->websocket ? "ws://h.test:%d/echo" : "http://h.test:%d/", 8001 + k->index);
    cfg->url = url;
    cfg->platform = sio_sim_platform(&net);
    cfg->user_data = k;
    cfg->mode = k->websocket ? SIO_MODE_WEBSOCKET : SIO_MODE_SOCKETIO;
    if (k->websocket && chance(500)) {
        cfg->ping_interval_ms = 1000 + (int)(rnd() % 5000);
        cfg->pong_timeout_ms = 500 + (int)(rnd() % 3000);
    }
    cfg->reconnect_queue = chance(300) ? SIO_RECONNECT_REFUSE : SIO_RECONNECT_QUEUE;
    cfg->transport = transports[rnd() % 3];
    if (!k->websocket && chance(200)) {           /* a socket.io 2 server: Engine.IO 3, over WebSocket */
        cfg->eio = 3;
        cfg->transport = SIO_TRANSPORT_WEBSOCKET;
        k->eio3 = 1;
    }
    cfg->reconnect = chance(800) ? SIO_RECONNECT_ON : SIO_RECONNECT_OFF;
    cfg->reconnect_delay_ms = 100 + (int)(rnd() % 900);
    cfg->reconnect_delay_max_ms = 3000;
    cfg->reconnect_attempts = rnd() % 6;
    cfg->retries = S.retries;
    cfg->ack_timeout_ms = 1000 + (int)(rnd() % 4000);
    cfg->max_send_queue = chance(300) ? 2048 + rnd() % 8192 : 0;
    cfg->allocator.realloc = sim_realloc;
    if (S.verbose)
        printf("client %d: %s%s transport %d reconnect %d (%u attempts) retries %d ack_timeout %d max_send_queue %lu\n",
               k->index, k->websocket ? "WebSocket" : "Socket.IO", k->eio3 ? " (Engine.IO 3)" : "", cfg->transport,
               cfg->reconnect, cfg->reconnect_attempts, cfg->retries, cfg->ack_timeout_ms,
               (unsigned long)cfg->max_send_queue);
}

/* Every event ready now (at most max), from the set or the one client. */
static int sim_poll(sio_set *set, int max)
{
    sio_event ev;
    int got = 0;
    while (got < max && !S.failed) {
        int r = set ? sio_set_poll(set, &ev, 0) : S.client[0].c ? sio_poll(S.client[0].c, &ev, 0) : 0;
        if (r != 1) break;
        sim_event(&ev);
        got++;
    }
    return got;
}

static void sim_servers_step(void)
{
    int i;
    for (i = 0; i < S.count; i++) sio_sim_server_step(&S.server[i]);
}

/* The end: no more faults; the application starts what was stopped (what
 * was queued while stopped goes too), then stops and drains. */
static void sim_finish(sio_set *set)
{
    int i, step;
    S.alloc_fail_per_mille = 0;
    sio_sim_heal(&net);
    for (i = 0; i < S.count; i++)
        if (!S.client[i].destroyed) sim_start(&S.client[i], "final start");
    for (step = 0; step < 100 && !S.failed; step++) {
        sim_servers_step();
        if (!sim_poll(set, 1)) net.now += 100;
    }
    for (i = 0; i < S.count; i++)
        if (!S.client[i].destroyed && !S.client[i].stopped) { trace("final stop", i); sio_stop(S.client[i].c); }
    for (step = 0; step < 2000 && !S.failed; step++) {
        int open = 0;
        for (i = 0; i < S.count; i++) {
            sim_client *k = &S.client[i];
            if (k->destroyed || k->closes >= k->starts) continue;
            open = 1;
            if (step == 50 && k->parts_left >= 0) {   /* a stop waits for an open attachment: a second does not */
                trace("second stop", i);
                sio_stop(k->c);
            }
        }
        if (!open) break;
        sim_servers_step();
        if (!sim_poll(set, 1)) net.now += 100;
    }
    sim_poll(set, 1 << 20);
}

/* The invariants at the end, then the clients destroyed. */
static void sim_check_end(sio_set *set)
{
    int i, j;
    for (i = 0; i < S.count; i++) {
        sim_client *k = &S.client[i];
        if (k->destroyed) continue;
        if (!S.failed && k->closes != k->starts) violation("a start without its CLOSE");
        if (!S.failed && sio_get_state(k->c) != SIO_STATE_IDLE) violation("not idle after the final CLOSE");
        if (!S.failed && !S.allocs_failed)
            for (j = 0; j < SIM_MAX_ACKS; j++)
                if (k->answers[j] == 0 && k->asked[j]) { violation("an emit with an ack never answered"); trace("ack id", j); break; }
        sio_destroy(k->c);
        k->c = NULL;
        T.emits += (unsigned long)k->seq;
    }
    if (set) sio_set_destroy(set);
}

static int sim_seed(uint64_t seed, int verbose)
{
    sio_config cfg[SIM_MAX_CLIENTS];
    char url[SIM_MAX_CLIENTS][64];
    sio_sim_faults faults = sio_sim_default_faults();
    sio_set *set = NULL;
    int step, i;
    memset(&S, 0, sizeof S);
    sio_sim_net_init(&net, seed);
    net.trace = trace_fault;
    S.verbose = verbose;
    S.count = chance(150) ? 2 + (int)(rnd() % (SIM_MAX_CLIENTS - 1)) : 1;    /* some runs: a sio_set */
    S.retries = chance(400) ? 1 + (int)(rnd() % 3) : 0;
    S.alloc_fail_per_mille = chance(250) ? 1 + rnd() % 20 : 0;
    if (verbose)
        printf("seed %llu: %d client%s%s, allocations failing %u/1000\n", (unsigned long long)seed, S.count,
               S.count > 1 ? "s in a set" : "", S.retries ? ", emits with retries" : "", S.alloc_fail_per_mille);
    if (S.count > 1) {
        T.sets++;
        sio_allocator alloc;
        alloc.realloc = sim_realloc;
        alloc.user = NULL;
        if (sio_set_create(&alloc, &set) != SIO_OK) return 1;      /* an allocation failed: nothing to run */
    }
    for (i = 0; i < S.count; i++) {
        sim_client *k = &S.client[i];
        k->index = i;
        k->stopped = 1;
        sim_configure(k, &cfg[i], url[i], sizeof url[i]);
        if (sio_create(&cfg[i], &k->c) != SIO_OK) {
            k->c = NULL;
            k->destroyed = 1;                      /* never made: nothing to check */
            continue;
        }
        if (set && sio_set_add(set, k->c) != SIO_OK) violation("a set refused a client");
        sim_start(k, "start");
    }
    for (step = 0; step < SIM_STEPS && !S.failed; step++) {
        sim_servers_step();
        sio_sim_inject(&net, S.server, (size_t)S.count, &faults);
        for (i = 0; i < S.count; i++) {
            sim_client *k = &S.client[i];
            S.server[i].refuse_namespaces = chance(100);
            if (k->destroyed) continue;
            sim_application(k);
            if (set && chance(2)) { sim_destroy(k, set); continue; }
            if (sio_memory(k->c) > SIM_MEMORY_BOUND) violation("memory past its bound");
        }
        if (sim_poll(set, 8 * S.count) == 0) net.now += 1 + rnd() % 300;
        if (S.live_bytes > SIM_MEMORY_BOUND * (size_t)S.count) violation("memory past its bound");
    }
    sim_finish(set);
    sim_check_end(set);
    for (i = 0; i < S.count; i++) {
        sio_sim_server *s = &S.server[i];
        T.echoes += (unsigned long)s->echoed;
        T.sessions += (unsigned long)s->sessions;
        T.upgrades += (unsigned long)s->upgrades;
        if (S.client[i].eio3) T.eio3_sessions += (unsigned long)s->sessions;
        T.eio3_pongs += (unsigned long)s->pongs;
        T.pings += (unsigned long)s->pings;
        T.ping_timeouts += (unsigned long)s->ping_timeouts;
        T.refused += (unsigned long)s->refused;
        if (s->protocol_errors) violation("the client sent a frame RFC 6455 forbids (the server closed with 1002)");
    }
    T.allocs_failed += (unsigned long)S.allocs_failed;
    T.restarts += net.restarts;
    T.resets += net.resets;
    T.unresolved += net.unresolved;
    T.slow += net.slow;
    T.overflows += net.overflows;
    if (!S.failed && (S.live_blocks || S.live_bytes)) violation("memory leaked");
    if (verbose)
        printf("seed %llu: %d allocations failed, peak heap %lu bytes, server sessions %d: %s\n",
               (unsigned long long)seed, S.allocs_failed, (unsigned long)S.peak_bytes, S.server[0].sessions,
               S.failed ? S.why : "ok");
    return !S.failed;
}

int main(int argc, char **argv)
{
    uint64_t first, count, i, failed = 0;
    clock_t t0 = clock();
    double secs;
    if (argc == 2) return sim_seed(strtoull(argv[1], NULL, 10), 1) ? 0 : 1;
    first = argc > 2 ? strtoull(argv[1], NULL, 10) : 1;
    count = argc > 2 ? strtoull(argv[2], NULL, 10) : 2000;
    for (i = 0; i < count; i++)
        if (!sim_seed(first + i, 0)) {
            if (failed++ < 10)
                printf("FAIL sim seed %llu: %s (replay: make sim SEED=%llu)\n", (unsigned long long)(first + i), S.why,
                       (unsigned long long)(first + i));
        }
    secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    printf("%s simulation: seeds %llu..%llu, %llu failed", failed ? "FAIL" : "PASS", (unsigned long long)first,
           (unsigned long long)(first + count - 1), (unsigned long long)failed);
#ifndef SIO_TEST_SMALL_TARGET                                         /* an emulated target's clock means little */
    if (secs > 0) printf(" (%.0f seeds/s)", (double)count / secs);
#else
    (void)secs;
#endif
    printf("\n");
    printf("  exercised: %lu emits (%lu acked, %lu answered failed, %lu attachments sent in parts), %lu server sessions (%lu Engine.IO 3, %lu of its client pings answered; %lu server pings, %lu sessions ended for a missing pong, %lu requests or frames refused), %lu upgrades, %lu server "
           "restarts, %lu connection resets (%lu for unread data), %lu connects to names not resolving, %lu slow connects, %lu allocations failed, %lu WebSocket messages echoed, %lu runs of "
           "clients in a sio_set (%lu clients destroyed in them)\n", T.emits, T.acked, T.failed, T.parts_done, T.sessions, T.eio3_sessions, T.eio3_pongs, T.pings, T.ping_timeouts, T.refused,
           T.upgrades, T.restarts, T.resets, T.overflows, T.unresolved, T.slow, T.allocs_failed, T.echoes, T.sets, T.destroyed);
    printf("%d passed, %d failed\n", failed ? 0 : 1, failed ? 1 : 0);
    return failed ? 1 : 0;
}
