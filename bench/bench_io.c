/* bench_io - the sio side of bench/run_io.sh: client CPU per received and per
 * sent event, and the emit-to-ack round trip, against bench/io_server.js.
 *     bench_io URL N        prints one JSON line */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "sio.h"
#include "bench_clock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

/* CPU time of this process in microseconds: user (library + program) and system (kernel). */
static void cpu_us(double *user, double *sys)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *user = (double)ru.ru_utime.tv_sec * 1e6 + (double)ru.ru_utime.tv_usec;
    *sys = (double)ru.ru_stime.tv_sec * 1e6 + (double)ru.ru_stime.tv_usec;
}

/* Polls until an event of the given type (and name) arrives. */
static int wait_for(sio_client *c, sio_event *ev, int type, const char *name)
{
    for (;;) {
        int r = sio_poll(c, ev, 10000);
        if (r <= 0) return 0;
        if (ev->type == SIO_EVENT_CLOSE || ev->type == SIO_EVENT_ERROR) {
            fprintf(stderr, "bench_io: %s\n", ev->message);
            return 0;
        }
        if ((int)ev->type == type && (!name || strcmp(ev->event_name, name) == 0)) return 1;
    }
}

/* The server's CPU microseconds so far (its "cpu" event answers by ack). */
static double server_cpu_us(sio_client *c)
{
    sio_emit_options o;
    sio_event ev;
    memset(&o, 0, sizeof o);
    o.event = "cpu";
    o.args = "[]";
    o.ack = 1;
    sio_emit_ex(c, &o, NULL);
    if (!wait_for(c, &ev, SIO_EVENT_ACK, NULL) || !ev.args) return 0;
    return strtod(ev.args + 1, NULL);                     /* "[123]" */
}

int main(int argc, char **argv)
{
    sio_config cfg = {0};
    sio_client *c;
    sio_event ev;
    char args[64];
    long n = argc > 2 ? atol(argv[2]) : 200000, i, got = 0;
    double u0, s0, u1, s1, recv_user, recv_sys, burst_user, burst_sys, send_user, send_sys, samples[2000];
    double server0, server_ack;
    cfg.url = argc > 1 ? argv[1] : "http://127.0.0.1:3000/";
    cfg.mode = SIO_MODE_SOCKETIO;
    cfg.reconnect = SIO_RECONNECT_OFF;
    if (sio_create(&cfg, &c) != SIO_OK) return 2;
    sio_start(c);
    if (!wait_for(c, &ev, SIO_EVENT_CONNECT, NULL)) return 1;

    /* receive path */
    snprintf(args, sizeof args, "[%ld]", n);
    cpu_us(&u0, &s0);
    sio_emit(c, NULL, "stream", args);
    while (got < n && wait_for(c, &ev, SIO_EVENT_EVENT, "tick")) got++;
    cpu_us(&u1, &s1);
    recv_user = (u1 - u0) / (double)n;
    recv_sys = (s1 - s0) / (double)n;

    /* receive path, burst: the events are already queued when reading starts,
     * so the cost is decoding, not one wake-up per server write */
    snprintf(args, sizeof args, "[%ld]", n);
    sio_emit(c, NULL, "stream", args);
    sio_poll(c, &ev, 0);                           /* send the request */
    {
        struct timespec pause = { 2, 0 };
        nanosleep(&pause, NULL);
    }
    got = 0;
    cpu_us(&u0, &s0);
    while (got < n && wait_for(c, &ev, SIO_EVENT_EVENT, "tick")) got++;
    cpu_us(&u1, &s1);
    burst_user = (u1 - u0) / (double)n;
    burst_sys = (s1 - s0) / (double)n;

    /* send path: queue as fast as the send limit allows */
    sio_emit(c, NULL, "expect", args);
    cpu_us(&u0, &s0);
    for (i = 0; i < n;) {
        snprintf(args, sizeof args, "[%ld]", i);
        if (sio_emit(c, NULL, "up", args) == SIO_OK) { i++; continue; }
        sio_poll(c, &ev, 0);                       /* queue full: let it drain */
    }
    if (!wait_for(c, &ev, SIO_EVENT_EVENT, "done")) return 1;
    cpu_us(&u1, &s1);
    send_user = (u1 - u0) / (double)n;
    send_sys = (s1 - s0) / (double)n;

    /* emit-to-ack round trip, one at a time; the server's CPU over the phase */
    server0 = server_cpu_us(c);
    for (i = 0; i < 2000; i++) {
        sio_emit_options o;
        double t0 = bench_now_s() * 1e6;
        memset(&o, 0, sizeof o);
        o.event = "echo";
        o.args = "[1]";
        o.ack = 1;
        sio_emit_ex(c, &o, NULL);
        if (!wait_for(c, &ev, SIO_EVENT_ACK, NULL)) return 1;
        samples[i] = bench_now_s() * 1e6 - t0;
    }
    server_ack = (server_cpu_us(c) - server0) / 2000.0;
    qsort(samples, 2000, sizeof samples[0], bench_cmp_double);
    printf("{\"client\":\"sio %s\",\"recv_user_us\":%.3f,\"recv_sys_us\":%.3f,\"burst_user_us\":%.3f,"
           "\"burst_sys_us\":%.3f,\"send_user_us\":%.3f,\"send_sys_us\":%.3f,\"ack_p50_us\":%.1f,"
           "\"ack_p99_us\":%.1f,\"server_ack_cpu_us\":%.1f}\n", sio_version(), recv_user, recv_sys, burst_user,
           burst_sys, send_user, send_sys, samples[1000], samples[1980], server_ack);
    sio_stop(c);
    while (sio_poll(c, &ev, 1000) > 0 && ev.type != SIO_EVENT_CLOSE) {}
    sio_destroy(c);
    return 0;
}
