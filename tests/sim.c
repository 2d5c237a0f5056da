/* The seeded simulator: the real Socket.IO client against the in-process
 * server model (sim_server.h) on the in-memory platform and a simulated
 * clock, with faults drawn from a seed: reads and writes split at random
 * byte boundaries, connections reset, the server restarting and refusing
 * connections for a while, clock jumps, allocations failing; and an
 * application that emits with acks, joins and leaves, stops and starts.
 *
 * After every step: no more CLOSEs than starts, no event while stopped,
 * memory within bounds, no ack answered twice or unasked for, the server's
 * deliveries in order.  At the end (stopped, drained): one CLOSE per
 * start, every ack answered exactly once (when no allocation failed: an
 * event the queue had no room for is lost with its memory), nothing leaked.
 *
 *   sim SEED                 one seed, with a trace of what happened
 *   sim FIRST COUNT          COUNT seeds from FIRST; failing seeds print themselves
 * A failing seed replays exactly: make sim SEED=n. */
#define SIO_IMPLEMENTATION
#include "sio.h"
#include <stdlib.h>
#include <time.h>
#include "mem_platform.h"
#include "sim_server.h"

#define SIM_STEPS 400
#define SIM_MAX_ACKS 512
#define SIM_MEMORY_BOUND (4u << 20)   /* the client's heap may never pass this */

typedef struct sim_state {
    uint64_t rng;
    int verbose, failed;
    unsigned alloc_fail_per_mille;   /* 0: no allocation fails */
    int allocs_failed;
    long live_blocks;
    size_t live_bytes, peak_bytes;
    int starts, closes, stopped, retries;
    int left_while_stopped;
    int websocket;                   /* plain WebSocket mode: echoes must come back in order */
    int sent_seq, echo_last;
    int parts_left;                  /* an emit's attachment being sent in parts: parts to go (-1: none) */
    int part_begun;          /* sio_leave while stopped answers the namespace's queued emits */
    signed char answers[SIM_MAX_ACKS];   /* per ack id: answers seen; -1: no such id */
    char asked[SIM_MAX_ACKS];            /* the emit asked for its ack (else only a give-up answers) */
    int seq;                         /* the next emit's number (the server checks the order) */
    char why[256];
} sim_state;

static sim_state S;

/* Over a batch: what the seeds exercised (a simulator that never got far
 * would pass everything). */
static struct { unsigned long echoes, parts_done, emits, acked, failed, sessions, eio3_sessions, eio3_pongs, upgrades, allocs_failed, restarts, resets; } T;

static uint32_t rnd(void)
{
    S.rng ^= S.rng << 13;
    S.rng ^= S.rng >> 7;
    S.rng ^= S.rng << 17;
    return (uint32_t)(S.rng >> 11);
}
static int chance(unsigned per_mille) { return rnd() % 1000 < per_mille; }

static void trace(const char *what, long a)
{
    if (S.verbose) printf("  t=%llu %s %ld\n", (unsigned long long)net.now, what, a);
}

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
static int server_last[2];
static void server_saw(const char *p, size_t n)
{
    const char *m = NULL;
    size_t k;
    int ns = n > 2 && p[2] == '/';
    for (k = 0; k + 5 <= n; k++)
        if (memcmp(p + k, "[\"m\",", 5) == 0) { m = p + k + 5; break; }
    if (!m) return;
    k = (size_t)strtoul(m, NULL, 10);
    if (S.retries ? (int)k < server_last[ns] : (int)k <= server_last[ns])
        violation("the server saw emits out of order or twice");
    server_last[ns] = (int)k;
}

/* An emit was made: its ack id (if any) may get one answer, and is owed
 * one when the ack was asked for. */
static void sim_emitted(int r, int64_t id, int asked)
{
    if (r != SIO_OK || id < 0) return;
    trace("emit", (long)id);
    if (id >= SIM_MAX_ACKS || S.answers[id] >= 0) violation("an ack id given twice or out of range");
    else { S.answers[id] = 0; S.asked[id] = (char)asked; }
}

static void sim_event(sio_client *c, const sio_event *ev)
{
    int64_t id = -1;
    int r;
    if (S.stopped && ev->type != SIO_EVENT_CLOSE && !S.left_while_stopped) violation("an event while stopped");
    switch (ev->type) {
    case SIO_EVENT_CLOSE:
        trace("CLOSE", ev->code);
        if (++S.closes > S.starts) violation("more CLOSE events than starts");
        S.stopped = 1;
        break;
    case SIO_EVENT_ACK:
        trace(ev->error ? "ack failed" : "acked", (long)ev->ack_id);
        if (ev->error) T.failed++; else T.acked++;
        if (ev->ack_id < 0 || ev->ack_id >= SIM_MAX_ACKS || S.answers[ev->ack_id] < 0)
            violation("an ack for an emit never made");
        else if (++S.answers[ev->ack_id] > 1)
            violation("an emit answered twice");
        break;
    case SIO_EVENT_MESSAGE: {
        int k = atoi((const char *)ev->data);
        if (k <= S.echo_last || k >= S.sent_seq) violation("an echo repeated, reordered or never sent");
        S.echo_last = k;
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
            r = sio_emit_ex(c, &o, &id);                  /* with retries it has an id too */
            sim_emitted(r, id, 0);
        }
        break;
    default:
        trace("event", ev->type);
        break;
    }
}

/* Plain WebSocket: messages numbered in order; the echoes may lose some
 * (in flight at a reset) but never repeat or reorder them. */
static void sim_websocket_application(sio_client *c)
{
    char text[32];
    int n;
    if (chance(80)) {
        n = snprintf(text, sizeof text, "%d", S.sent_seq);
        if (sio_send_text(c, text, (size_t)n) == SIO_OK) S.sent_seq++;
    }
    if (chance(5)) sio_send_ping(c, "p", 1);
    if (chance(4) && !S.stopped) { trace("stop", 0); sio_stop(c); }
    if (chance(10) && S.stopped && sio_start(c) == SIO_OK) {
        trace("start", 0);
        S.starts++;
        S.stopped = 0;
    }
}

/* What the application does at a step. */
static void sim_application(sio_client *c)
{
    if (S.websocket) { sim_websocket_application(c); return; }
    if (chance(60) && S.seq < SIM_MAX_ACKS) {
        char args[32];
        sio_emit_options o;
        int64_t id = -1;
        memset(&o, 0, sizeof o);
        snprintf(args, sizeof args, "[%d]", S.seq);
        o.event = "m";
        o.args = args;
        o.ack = 1;
        o.ns = chance(200) ? "/news" : NULL;
        if (sio_emit_ex(c, &o, &id) == SIO_OK) {
            S.seq++;
            if (id < 0) violation("an emit with an ack got no id");
            sim_emitted(SIO_OK, id, 1);
        }
    }
    if (S.parts_left < 0 && chance(15)) {               /* an emit whose attachment follows in parts */
        sio_emit_options o;
        int64_t id = -1;
        memset(&o, 0, sizeof o);
        o.event = "up";
        o.args = "[{\"_placeholder\":true,\"num\":0}]";
        o.attachment_count = 1;
        o.ack = 1;
        if (sio_emit_ex(c, &o, &id) == SIO_OK) {
            trace("emit in parts", (long)id);
            sim_emitted(SIO_OK, id, 1);
            S.parts_left = (int)(rnd() % 6);
            S.part_begun = 0;
        }
    } else if (S.parts_left >= 0 && chance(300)) {
        int r;
        if (!S.part_begun) r = sio_send_begin(c, 1), S.part_begun = r == SIO_OK;
        else if (S.parts_left > 0) r = sio_send_part(c, "0123456789abcdef", 1 + rnd() % 16), S.parts_left -= r == SIO_OK;
        else {
            r = sio_send_end(c);
            S.parts_left = r == SIO_OK ? -1 : 0;
            T.parts_done += r == SIO_OK;
        }
        if (r == SIO_ERR_STATE) { trace("parts refused", 0); S.parts_left = -1; }   /* the connection ended */
    }
    if (chance(5)) sio_join(c, "/news", NULL);
    /* leaving fails the namespace's emits with ACK events, after a CLOSE the
     * application has not polled yet when the client was already idle */
    if (chance(3) && sio_leave(c, "/news") == SIO_OK && (S.stopped || sio_get_state(c) == SIO_STATE_IDLE))
        S.left_while_stopped = 1;
    if (chance(4) && !S.stopped) { trace("stop", 0); sio_stop(c); }
    if (chance(1) && !S.stopped) { trace("close 4000", 0); sio_close(c, 4000, "bye"); }
    if (chance(10) && S.stopped && sio_start(c) == SIO_OK) {
        trace("start", 0);
        S.starts++;
        S.stopped = 0;
        S.left_while_stopped = 0;
    }
}

/* The network's and the server's faults at a step. */
static void sim_faults(sim_server *s, uint64_t *down_until)
{
    int i;
    net.max_read = chance(300) ? 1 + rnd() % 40 : 0;
    net.max_write = chance(300) ? 1 + rnd() % 40 : 0;
    if (chance(8)) {
        i = (int)(rnd() % 4);
        if (net.box[i].open) { trace("reset connection", i); net.box[i].reset = 1; T.resets++; }
    }
    if (chance(3)) {
        trace("server restart", 0);
        T.restarts++;
        sim_server_drop(s);
        *down_until = net.now + rnd() % 3000;
    }
    net.connect_fail = net.now < *down_until;
    if (chance(5)) { uint32_t j = rnd() % 40000; trace("clock jump", (long)j); net.now += j; }
    if (chance(20)) sim_server_send(s, "2");                      /* a ping */
    if (chance(3)) { trace("server disconnects a namespace", 0); sim_server_kick(s, chance(500) ? "/" : "/news"); }
    s->refuse_namespaces = chance(100);
}

static int sim_seed(uint64_t seed, int verbose)
{
    static const int transports[] = { SIO_TRANSPORT_AUTO, SIO_TRANSPORT_WEBSOCKET, SIO_TRANSPORT_POLLING };
    sio_config cfg;
    sio_client *c = NULL;
    sim_server s;
    sio_event ev;
    uint64_t down_until = 0;
    int step, k;
    memset(&S, 0, sizeof S);
    memset(S.answers, -1, sizeof S.answers);
    S.rng = seed * 0x9E3779B97F4A7C15ull + 1;
    S.verbose = verbose;
    S.parts_left = -1;
    server_last[0] = server_last[1] = -1;
    net_reset();
    net.multi = 1;
    sim_server_init(&s, 1);
    s.on_packet = server_saw;
    memset(&cfg, 0, sizeof cfg);
    S.echo_last = -1;
    S.websocket = s.echo = chance(250);
    cfg.url = S.websocket ? "ws://h.test/echo" : "http://h.test/";
    cfg.mode = S.websocket ? SIO_MODE_WEBSOCKET : SIO_MODE_SOCKETIO;
    if (S.websocket && chance(500)) {
        cfg.ping_interval_ms = 1000 + (int)(rnd() % 5000);
        cfg.pong_timeout_ms = 500 + (int)(rnd() % 3000);
    }
    cfg.reconnect_queue = chance(300) ? SIO_RECONNECT_REFUSE : SIO_RECONNECT_QUEUE;
    cfg.transport = transports[rnd() % 3];
    if (!S.websocket && chance(200)) {           /* a socket.io 2 server: Engine.IO 3, over WebSocket */
        cfg.eio = 3;
        cfg.transport = SIO_TRANSPORT_WEBSOCKET;
    }
    cfg.reconnect = chance(800) ? SIO_RECONNECT_ON : SIO_RECONNECT_OFF;
    cfg.reconnect_delay_ms = 100 + (int)(rnd() % 900);
    cfg.reconnect_delay_max_ms = 3000;
    cfg.reconnect_attempts = rnd() % 6;
    S.retries = cfg.retries = chance(400) ? 1 + (int)(rnd() % 3) : 0;
    cfg.ack_timeout_ms = 1000 + (int)(rnd() % 4000);
    cfg.max_send_queue = chance(300) ? 2048 + rnd() % 8192 : 0;
    cfg.allocator.realloc = sim_realloc;
    S.alloc_fail_per_mille = chance(250) ? 1 + rnd() % 20 : 0;
    if (verbose)
        printf("seed %llu: %s%s transport %d reconnect %d (%u attempts) retries %d ack_timeout %d max_send_queue %lu "
               "allocations failing %u/1000\n", (unsigned long long)seed, S.websocket ? "WebSocket" : "Socket.IO", cfg.eio == 3 ? " (Engine.IO 3)" : "", cfg.transport, cfg.reconnect,
               cfg.reconnect_attempts, cfg.retries, cfg.ack_timeout_ms, (unsigned long)cfg.max_send_queue,
               S.alloc_fail_per_mille);
    if (sio_create(&cfg, &c) != SIO_OK) {
        if (S.live_blocks) violation("a failed sio_create leaked");
        return !S.failed;
    }
    S.stopped = 1;
    if (sio_start(c) == SIO_OK) { S.starts++; S.stopped = 0; }
    for (step = 0; step < SIM_STEPS && !S.failed; step++) {
        sim_server_step(&s);
        sim_faults(&s, &down_until);
        sim_application(c);
        for (k = 0; k < 8 && sio_poll(c, &ev, 0) == 1; k++) sim_event(c, &ev);
        if (k == 0) net.now += 1 + rnd() % 300;
        if (S.live_bytes > SIM_MEMORY_BOUND || sio_memory(c) > SIM_MEMORY_BOUND) violation("memory past its bound");
    }
    /* the end: no more faults; the application stops and drains */
    S.alloc_fail_per_mille = 0;
    net.max_read = net.max_write = 0;
    net.connect_fail = 0;
    if (S.stopped && sio_start(c) == SIO_OK) {     /* what was queued while stopped goes too */
        trace("final start", 0);
        S.starts++;
        S.stopped = 0;
    }
    for (step = 0; step < 100 && !S.failed; step++) {
        sim_server_step(&s);
        if (sio_poll(c, &ev, 0) == 1) sim_event(c, &ev);
        else net.now += 100;
    }
    if (!S.stopped) { trace("final stop", 0); sio_stop(c); }
    for (step = 0; step < 2000 && S.closes < S.starts && !S.failed; step++) {
        if (step == 50 && S.parts_left >= 0) {          /* a stop waits for an open attachment: a second does not */
            trace("second stop", 0);
            sio_stop(c);
        }
        sim_server_step(&s);
        if (sio_poll(c, &ev, 0) == 1) sim_event(c, &ev);
        else net.now += 100;
    }
    while (!S.failed && sio_poll(c, &ev, 0) == 1) sim_event(c, &ev);
    if (!S.failed && S.closes != S.starts) violation("a start without its CLOSE");
    if (!S.failed && sio_get_state(c) != SIO_STATE_IDLE) violation("not idle after the final CLOSE");
    if (!S.failed && !S.allocs_failed)
        for (k = 0; k < SIM_MAX_ACKS; k++)
            if (S.answers[k] == 0 && S.asked[k]) { violation("an emit with an ack never answered"); trace("ack id", k); break; }
    sio_destroy(c);
    T.emits += (unsigned long)S.seq;
    T.echoes += (unsigned long)s.echoed;
    T.sessions += (unsigned long)s.sessions;
    T.upgrades += (unsigned long)s.upgrades;
    if (cfg.eio == 3) T.eio3_sessions += (unsigned long)s.sessions;
    T.eio3_pongs += (unsigned long)s.pongs;
    T.allocs_failed += (unsigned long)S.allocs_failed;
    if (!S.failed && (S.live_blocks || S.live_bytes)) violation("memory leaked");
    if (verbose)
        printf("seed %llu: %d starts, %d emits, %d allocations failed, peak heap %lu bytes, server sessions %d: %s\n",
               (unsigned long long)seed, S.starts, S.seq, S.allocs_failed, (unsigned long)S.peak_bytes, s.sessions,
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
    printf("  exercised: %lu emits (%lu acked, %lu answered failed, %lu attachments sent in parts), %lu server sessions (%lu Engine.IO 3, %lu of its client pings answered), %lu upgrades, %lu server "
           "restarts, %lu connection resets, %lu allocations failed, %lu WebSocket messages echoed\n", T.emits, T.acked, T.failed, T.parts_done, T.sessions, T.eio3_sessions, T.eio3_pongs,
           T.upgrades, T.restarts, T.resets, T.allocs_failed, T.echoes);
    printf("%d passed, %d failed\n", failed ? 0 : 1, failed ? 1 : 0);
    return failed ? 1 : 0;
}
