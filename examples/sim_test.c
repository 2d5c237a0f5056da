/* sim_test - how a program tests its own reconnect and ack-timeout handling
 * with sio_sim.h, against a simulated socket.io server, on a simulated
 * network that resets, restarts and stalls as a seed says.
 *
 *   sim_test [FIRST COUNT]      seeds FIRST.. (default 1 200); sim_test SEED traces one
 *
 * The application under test (app_*) is what a program would have: it sends
 * numbered orders with an ack, and its own policy for an order whose ack
 * failed (timed out, or the connection was lost and reconnection gave up):
 * send it again.  The test checks the promise that policy makes: in the end
 * every order is acknowledged, and the server saw every order.  The same
 * loop with a real platform and a real server is the program itself.
 *
 * It links against any build of sio (here: the library with its POSIX
 * platform); the simulated network is given through sio_config.platform. */
#include "sio.h"
#include "sio_sim.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORDERS 20
#define IDS 4096

/* ---- the application under test ---- */

typedef struct app {
    sio_client *c;
    int sent;                         /* orders made so far */
    int acked[ORDERS];                /* acknowledgements per order */
    int order_of[IDS];                /* ack id -> order, -1 none */
    int resend[ORDERS];               /* waiting to be sent again */
    int trace;
} app;

static void app_send(app *a, int order)
{
    char args[32];
    sio_emit_options o;
    int64_t id = -1;
    memset(&o, 0, sizeof o);
    snprintf(args, sizeof args, "[%d]", order);
    o.event = "order";
    o.args = args;
    o.ack = 1;
    o.ack_timeout_ms = 3000;          /* the server must answer in 3 s, or the order is sent again */
    if (sio_emit_ex(a->c, &o, &id) == SIO_OK && id >= 0 && id < IDS) {
        a->order_of[id] = order;
        a->resend[order] = 0;
    } else {
        a->resend[order] = 1;         /* refused now (queue full, stopped): try at the next tick */
    }
}

/* Called every tick: a new order now and then, and the ones to send again. */
static void app_tick(app *a, int new_order)
{
    int i;
    if (new_order && a->sent < ORDERS) app_send(a, a->sent++);
    for (i = 0; i < a->sent; i++)
        if (a->resend[i] && !a->acked[i]) app_send(a, i);
}

static void app_event(app *a, const sio_event *ev)
{
    if (ev->type == SIO_EVENT_ACK && ev->ack_id >= 0 && ev->ack_id < IDS && a->order_of[ev->ack_id] >= 0) {
        int order = a->order_of[ev->ack_id];
        a->order_of[ev->ack_id] = -1;
        if (ev->error) a->resend[order] = 1;          /* the policy under test */
        else a->acked[order]++;
        if (a->trace) printf("  order %d %s\n", order, ev->error ? ev->message : "acked");
    } else if (ev->type == SIO_EVENT_CLOSE) {
        /* reconnection gave up: start again (an HMI keeps trying) */
        if (a->trace) printf("  closed: %s; starting again\n", ev->reason ? ev->reason : "");
        sio_start(a->c);
    } else if (a->trace && ev->type == SIO_EVENT_RECONNECTING) {
        printf("  reconnecting, attempt %d in %d ms\n", ev->attempt, ev->delay_ms);
    }
}

/* ---- the test ---- */

typedef struct seen {
    int count[ORDERS];                /* what the server received, per order */
} seen;

static void server_saw(void *user, const char *packet, size_t len)
{
    seen *s = (seen *)user;
    const char *p = strstr(packet, "[\"order\",");   /* the packet is NUL-terminated */
    int order;
    (void)len;
    if (!p) return;
    order = atoi(p + 9);
    if (order >= 0 && order < ORDERS) s->count[order]++;
}

static void trace_fault(void *user, const char *what, long value)
{
    printf("  t=%llu %s %ld\n", (unsigned long long)((sio_sim_net *)user)->now, what, value);
}

static sio_sim_net net;               /* large: static */
static sio_sim_server server;

/* One seed: 1 when the application kept its promise. */
static int run_seed(uint64_t seed, int trace)
{
    sio_config cfg;
    sio_sim_faults faults = sio_sim_default_faults();
    sio_event ev;
    static app a;
    seen s;
    int step, i, ok = 1;
    sio_sim_net_init(&net, seed);
    if (trace) { net.trace = trace_fault; net.trace_user = &net; }
    sio_sim_server_init(&server, &net, 80, 1);
    memset(&s, 0, sizeof s);
    server.on_packet = server_saw;
    server.on_packet_user = &s;
    faults.kick = 0;                  /* this application does not rejoin kicked namespaces */
    memset(&a, 0, sizeof a);
    memset(a.order_of, -1, sizeof a.order_of);
    a.trace = trace;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "http://plant.test/";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.platform = sio_sim_platform(&net);
    cfg.reconnect_attempts = 5;
    if (sio_create(&cfg, &a.c) != SIO_OK) return 0;
    sio_start(a.c);
    for (step = 0; step < 3000; step++) {
        int faulty = step < 1500;     /* then the network heals: everything must complete */
        sio_sim_server_step(&server);
        if (faulty) sio_sim_inject(&net, &server, 1, &faults);
        else if (step == 1500) sio_sim_heal(&net);
        app_tick(&a, step % 50 == 0);
        while (sio_poll(a.c, &ev, 0) == 1) app_event(&a, &ev);
        sio_sim_idle(&net, 20);
    }
    for (i = 0; i < ORDERS; i++)
        if (!a.acked[i] || !s.count[i]) {
            printf("FAIL seed %llu: order %d acked %d times, seen by the server %d times (replay: sim_test %llu)\n",
                   (unsigned long long)seed, i, a.acked[i], s.count[i], (unsigned long long)seed);
            ok = 0;
            break;
        }
    if (trace)
        printf("seed %llu: %d server sessions, %u restarts, %u resets: %s\n", (unsigned long long)seed,
               server.sessions, net.restarts, net.resets, ok ? "ok" : "failed");
    sio_destroy(a.c);
    return ok;
}

int main(int argc, char **argv)
{
    uint64_t first = 1, count = 200, i, failed = 0;
    if (argc == 2) return run_seed(strtoull(argv[1], NULL, 10), 1) ? 0 : 1;
    if (argc > 2) {
        first = strtoull(argv[1], NULL, 10);
        count = strtoull(argv[2], NULL, 10);
    }
    for (i = 0; i < count; i++) failed += !run_seed(first + i, 0);
    printf("the application's resend policy over %llu seeds of faults: %llu failed\n", (unsigned long long)count,
           (unsigned long long)failed);
    printf("%d passed, %d failed\n", failed ? 0 : 1, failed ? 1 : 0);
    return failed ? 1 : 0;
}
