/* loadgen - load-test a Socket.IO server: N clients from one thread (sio_set),
 * each emitting an event with an ack at a fixed rate.  The clients start
 * over a ramp-up, the load runs for a fixed time, and every interval gives
 * connect-time and emit-to-ack latency percentiles as the run goes; a final
 * summary follows, and optionally a self-contained HTML report (inline SVG
 * charts, no scripts, nothing fetched).
 *
 *   loadgen [options] http://HOST:PORT/NAMESPACE
 *     --clients N        connections (default 10)
 *     --rate R           emits per second per client (default 10)
 *     --ramp S           start the clients evenly over S seconds (default 0: at once)
 *     --duration S       seconds of load after the ramp (default 10)
 *     --interval S       seconds per progress report (default 1)
 *     --event NAME       event to emit; the server must ack it (default "echo")
 *     --payload BYTES    size of the string argument (default 16)
 *     --transport T      websocket (default), polling or auto
 *     --json             JSON lines on stdout: {"type":"interval",...} per interval, then the
 *                        summary (the last line)
 *     --report FILE      write an HTML report: latency over time, connections, the summary
 *     --quiet            no progress on stderr
 *
 * Progress goes to stderr: one line rewritten in place on a terminal, one
 * line per interval otherwise.  Exit status: 0 when every client connected
 * and every emit went out and was acked (and the report was written), 1
 * otherwise, 2 for bad usage.  Percentiles come from fixed-size histograms
 * (exact to the microsecond below 1 ms, within 1.6% above; the maximum
 * exact), so memory does not grow with the length of the run. */
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
#include <io.h>
#define isatty _isatty
#define fileno _fileno
#else
#include <unistd.h>
#endif

#define RING 4096                     /* emit times by ack id, per client */
#define ACK_GRACE_S 15.0              /* after the load, how long acks are awaited */

typedef struct client {
    sio_client *c;
    int started, connected;
    double started_at, next_send;     /* seconds */
    double sent_at[RING];
    long outstanding;
} client;

/* Latencies as a log-linear histogram, so a run of any length takes the same
 * memory: whole microseconds exactly below 1,024 us, then 64 buckets per
 * power of two (each under 1.6% of its value wide) up to 2^36 us (19 h).
 * The largest value is kept exactly. */
#define HIST_EXACT 1024u
#define HIST_SUB_BITS 6
#define HIST_TOP_BITS 36
#define HIST_BUCKETS (HIST_EXACT + ((HIST_TOP_BITS - 10) << HIST_SUB_BITS))
typedef struct histogram {
    uint64_t count;
    double max;                       /* ms */
    uint64_t bucket[HIST_BUCKETS];
} histogram;

static size_t bucket_of(uint64_t us)
{
    unsigned bits = 10;
    if (us < HIST_EXACT) return (size_t)us;
    if (us >> HIST_TOP_BITS) return HIST_BUCKETS - 1;
    while (us >> (bits + 1)) bits++;               /* us is in [2^bits, 2^(bits+1)) */
    return HIST_EXACT + ((size_t)(bits - 10) << HIST_SUB_BITS) +
           (size_t)((us >> (bits - HIST_SUB_BITS)) & ((1u << HIST_SUB_BITS) - 1));
}

/* The middle of bucket b, in ms. */
static double bucket_ms(size_t b)
{
    size_t k, bits;
    double low, width;
    if (b < HIST_EXACT) return (double)b / 1000.0;
    k = b - HIST_EXACT;
    bits = 10 + (k >> HIST_SUB_BITS);
    width = (double)((uint64_t)1 << (bits - HIST_SUB_BITS));
    low = (double)(((uint64_t)1 << bits) + (uint64_t)(k & ((1u << HIST_SUB_BITS) - 1)) * (uint64_t)width);
    return (low + (width - 1) / 2) / 1000.0;
}

static void add(histogram *h, double ms)
{
    double us;
    if (!(ms >= 0)) ms = 0;                         /* NaN or a clock step back */
    us = ms * 1000.0 + 0.5;
    h->bucket[bucket_of(us >= (double)((uint64_t)1 << HIST_TOP_BITS) ? (uint64_t)1 << HIST_TOP_BITS : (uint64_t)us)]++;
    if (h->count++ == 0 || ms > h->max) h->max = ms;
}

/* The q-quantile (nearest rank), never above the largest value; 0 when empty. */
static double quantile(const histogram *h, double q)
{
    uint64_t rank, seen = 0;
    size_t b;
    double v;
    if (!h->count) return 0;
    rank = (uint64_t)(q * (double)(h->count - 1) + 0.5);
    for (b = 0; b < HIST_BUCKETS; b++) {
        seen += h->bucket[b];
        if (seen > rank) break;
    }
    v = bucket_ms(b < HIST_BUCKETS ? b : HIST_BUCKETS - 1);
    return v < h->max ? v : h->max;
}

static double max_of(const histogram *h) { return h->count ? h->max : 0.0; }

static void clear(histogram *h) { memset(h, 0, sizeof *h); }

/* What one interval saw, for the progress line, the JSON and the report. */
typedef struct interval {
    double t;                         /* end of the interval, seconds since the start */
    long connected, connects, sent, acked, failed;
    double lat[5];                    /* ack latency p50 p90 p99 p999 max (ms) */
    double conn[3];                   /* connect time p50 p99 max (ms) of the connects in it */
    double rate[2];                   /* acks and failures per second */
} interval;

typedef struct run {
    long n;
    double rate, ramp, duration, every;
    int json, quiet, tty;
    histogram lat, conn;              /* whole run */
    histogram lat_now, conn_now;      /* this interval */
    long sent, acked, failed, refused, connected, connects, closed;   /* connects: clients that ever connected */
    long i_sent, i_acked, i_failed, i_connects;
    interval *iv;
    size_t iv_count, iv_cap;
} run;

static const double QUANTILES[] = { 0.5, 0.9, 0.99, 0.999 };

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

/* Closes the interval ending at t: its figures, then the progress line or record. */
static void close_interval(run *r, double t)
{
    interval *v;
    size_t k;
    if (r->iv_count == r->iv_cap) {
        size_t cap = r->iv_cap ? r->iv_cap * 2 : 64;
        interval *p = (interval *)realloc(r->iv, cap * sizeof *p);
        if (!p) return;
        r->iv = p;
        r->iv_cap = cap;
    }
    v = &r->iv[r->iv_count++];
    memset(v, 0, sizeof *v);
    v->t = t;
    v->connected = r->connected;
    v->connects = r->i_connects;
    v->sent = r->i_sent;
    v->acked = r->i_acked;
    v->failed = r->i_failed;
    {   /* the last interval may be shorter */
        double len = r->iv_count > 1 ? t - r->iv[r->iv_count - 2].t : t;
        if (!(len > 0)) len = r->every;
        v->rate[0] = (double)v->acked / len;
        v->rate[1] = (double)v->failed / len;
    }
    for (k = 0; k < 4; k++) v->lat[k] = quantile(&r->lat_now, QUANTILES[k]);
    v->lat[4] = max_of(&r->lat_now);
    v->conn[0] = quantile(&r->conn_now, 0.5);
    v->conn[1] = quantile(&r->conn_now, 0.99);
    v->conn[2] = max_of(&r->conn_now);
    if (r->json)
        printf("{\"type\":\"interval\",\"t\":%.3f,\"connected\":%ld,\"connects\":%ld,\"sent\":%ld,\"acked\":%ld,"
               "\"failed\":%ld,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,\"p999_ms\":%.3f,\"max_ms\":%.3f,"
               "\"connect_p50_ms\":%.3f,\"connect_p99_ms\":%.3f}\n",
               t, v->connected, v->connects, v->sent, v->acked, v->failed, v->lat[0], v->lat[1], v->lat[2],
               v->lat[3], v->lat[4], v->conn[0], v->conn[1]);
    if (!r->quiet)
        fprintf(stderr, "%s[%6.1fs] %ld/%ld connected  %6.0f acks/s  ack ms p50 %.2f p90 %.2f p99 %.2f p999 %.2f max %.2f%s",
                r->tty ? "\r\033[K" : "", t, r->connected, r->n, v->rate[0], v->lat[0], v->lat[1],
                v->lat[2], v->lat[3], v->lat[4], r->tty ? "" : "\n");
    fflush(stdout);
    clear(&r->lat_now);
    clear(&r->conn_now);
    r->i_sent = r->i_acked = r->i_failed = r->i_connects = 0;
}

/* ---- the HTML report ---------------------------------------------------- */

/* A tick step for an axis up to top: 1, 2 or 5 times a power of ten, 4 to 10 ticks. */
static double tick_step(double top)
{
    double step = 1;
    while (step * 10 <= top) step *= 10;
    while (step > top) step /= 10;
    if (top / step < 2) step /= 5;
    else if (top / step < 5) step /= 2;
    return step;
}

/* One chart: a line per series over the intervals, axes with round ticks. */
static void svg_chart(FILE *f, const run *r, const char *title, const char *unit, int series,
                      const char *const *names, const char *const *colors, double (*value)(const interval *, int))
{
    const double W = 860, H = 240, L = 60, T = 30, R = 20, B = 44;
    double xmax = r->iv_count ? r->iv[r->iv_count - 1].t : 1, ymax = 0, step, xstep;
    size_t i;
    int s, k;
    for (i = 0; i < r->iv_count; i++)
        for (s = 0; s < series; s++)
            if (value(&r->iv[i], s) > ymax) ymax = value(&r->iv[i], s);
    if (!(ymax > 0)) ymax = 1;
    step = tick_step(ymax);
    ymax = step * (double)((long)(ymax / step) + 1);
    if (!(xmax > 0)) xmax = 1;
    xstep = tick_step(xmax);
    fprintf(f, "<h2>%s</h2>\n<svg class=\"chart\" width=\"%.0f\" height=\"%.0f\" "
               "viewBox=\"0 0 %.0f %.0f\">\n", title, W, H, W, H);
    fprintf(f, "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fafafa\" stroke=\"#999\"/>\n",
            L, T, W - L - R, H - T - B);
    for (k = 0; k * step <= ymax + step / 1e6; k++) {
        double y = T + (H - T - B) * (1 - k * step / ymax);
        fprintf(f, "<line x1=\"%.0f\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                   "<text x=\"%.0f\" y=\"%.1f\" font-size=\"11\" text-anchor=\"end\">%g</text>\n",
                L, y, W - R, y, L - 6, y + 4, k * step);
    }
    for (k = 0; k * xstep <= xmax + xstep / 1e6; k++) {
        double x = L + (W - L - R) * k * xstep / xmax;
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#999\"/>"
                   "<text x=\"%.1f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"middle\">%g</text>\n",
                x, H - B, x, H - B + 4, x, H - B + 16, k * xstep);
    }
    fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" font-size=\"11\" text-anchor=\"middle\">seconds (0 to %.1f)</text>\n"
               "<text x=\"14\" y=\"%.0f\" font-size=\"11\" transform=\"rotate(-90 14 %.0f)\" text-anchor=\"middle\">%s</text>\n",
            (L + W - R) / 2, H - 10, xmax, (T + H - B) / 2, (T + H - B) / 2, unit);
    for (s = 0; s < series; s++) {
        fprintf(f, "<polyline class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" points=\"", colors[s]);
        for (i = 0; i < r->iv_count; i++)             /* a negative value: none in that interval */
            if (value(&r->iv[i], s) >= 0)
                fprintf(f, "%.1f,%.1f ", L + (W - L - R) * r->iv[i].t / xmax,
                        T + (H - T - B) * (1 - value(&r->iv[i], s) / ymax));
        fprintf(f, "\"/>\n<rect x=\"%.0f\" y=\"%d\" width=\"12\" height=\"4\" fill=\"%s\"/>"
                   "<text x=\"%.0f\" y=\"%d\" font-size=\"11\">%s</text>\n",
                L + 10 + 110 * s, 14, colors[s], L + 26 + 110 * s, 18, names[s]);
    }
    fputs("</svg>\n", f);
}

static double latency_of(const interval *v, int s) { return v->lat[s == 0 ? 0 : s == 1 ? 2 : s == 2 ? 3 : 4]; }
static double clients_of(const interval *v, int s) { (void)s; return (double)v->connected; }
static double connect_of(const interval *v, int s) { return v->connects ? v->conn[s] : -1; }
static double rate_of(const interval *v, int s) { return v->rate[s]; }

/* Text into HTML. */
static void html_text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '&') fputs("&amp;", f);
        else if (*s == '"') fputs("&quot;", f);
        else fputc(*s, f);
    }
}

static int write_report(const char *path, const run *r, const char *url, const char *summary)
{
    static const char *const lat_names[] = { "p50", "p99", "p999", "max" };
    static const char *const lat_colors[] = { "#1f77b4", "#ff7f0e", "#d62728", "#7f7f7f" };
    static const char *const cl_names[] = { "connected" };
    static const char *const cl_colors[] = { "#2ca02c" };
    static const char *const ct_names[] = { "p50", "p99", "max" };
    static const char *const ct_colors[] = { "#1f77b4", "#ff7f0e", "#7f7f7f" };
    static const char *const th_names[] = { "acked", "failed" };
    static const char *const th_colors[] = { "#17becf", "#d62728" };
    size_t i;
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>loadgen report</title>\n"
          "<style>body{font-family:sans-serif;margin:24px;color:#222}table{border-collapse:collapse}"
          "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right;font-size:12px}</style></head><body>\n"
          "<h1>loadgen report</h1>\n<p>", f);
    html_text(f, url);
    fprintf(f, ": %ld clients, %g emits/s each, ramp %g s, load %g s, intervals of %g s</p>\n<p id=\"summary\">",
            r->n, r->rate, r->ramp, r->duration, r->every);
    html_text(f, summary);
    fputs("</p>\n", f);
    svg_chart(f, r, "Emit-to-ack latency per interval", "ms", 4, lat_names, lat_colors, latency_of);
    svg_chart(f, r, "Acks per second", "acks/s", 2, th_names, th_colors, rate_of);
    svg_chart(f, r, "Connected clients", "clients", 1, cl_names, cl_colors, clients_of);
    svg_chart(f, r, "Connect time of the clients that connected in each interval", "ms", 3, ct_names, ct_colors,
              connect_of);
    fputs("<h2>Intervals</h2>\n<table><tr><th>t (s)</th><th>connected</th><th>connects</th><th>sent</th><th>acked</th>"
          "<th>failed</th><th>p50</th><th>p90</th><th>p99</th><th>p999</th><th>max</th><th>connect p50</th>"
          "<th>connect p99</th></tr>\n", f);
    for (i = 0; i < r->iv_count; i++) {
        const interval *v = &r->iv[i];
        fprintf(f, "<tr><td>%.1f</td><td>%ld</td><td>%ld</td><td>%ld</td><td>%ld</td><td>%ld</td><td>%.2f</td>"
                   "<td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td><td>%.2f</td></tr>\n",
                v->t, v->connected, v->connects, v->sent, v->acked, v->failed, v->lat[0], v->lat[1], v->lat[2],
                v->lat[3], v->lat[4], v->conn[0], v->conn[1]);
    }
    fputs("</table>\n</body></html>\n", f);
    return fclose(f) == 0 ? 0 : -1;
}

/* ---- the run -------------------------------------------------------------- */

static void usage(void)
{
    fprintf(stderr, "usage: loadgen [--clients N] [--rate R] [--ramp S] [--duration S] [--interval S] [--event NAME]\n"
                    "               [--payload BYTES] [--transport websocket|polling|auto] [--json] [--report FILE]\n"
                    "               [--quiet] http://HOST:PORT/NAMESPACE\n");
}

/* Events of the set until none is ready within wait_ms. */
static void handle_events(run *r, sio_set *set, int wait_ms)
{
    sio_event ev;
    while (sio_set_poll(set, &ev, wait_ms) == 1) {
        client *k = (client *)ev.user_data;
        double now = now_s();
        wait_ms = 0;
        if (ev.type == SIO_EVENT_CONNECT && !k->connected) {
            k->connected = 1;
            r->connected++;
            r->connects++;
            r->i_connects++;
            add(&r->conn, (now - k->started_at) * 1000.0);
            add(&r->conn_now, (now - k->started_at) * 1000.0);
            if (k->next_send < now) k->next_send = now;
        } else if (ev.type == SIO_EVENT_ACK && ev.ack_id >= 0) {
            k->outstanding--;
            if (ev.error) {
                r->failed++;
                r->i_failed++;
            } else {
                double ms = (now - k->sent_at[ev.ack_id % RING]) * 1000.0;
                r->acked++;
                r->i_acked++;
                add(&r->lat, ms);
                add(&r->lat_now, ms);
            }
        } else if (ev.type == SIO_EVENT_DISCONNECT || ev.type == SIO_EVENT_CLOSE) {
            if (k->connected) r->connected--;
            k->connected = 0;
            if (ev.type == SIO_EVENT_CLOSE) r->closed++;
        }
    }
}

int main(int argc, char **argv)
{
    long i, next_start = 0;
    double t0, t_load_end, next_report, elapsed;
    size_t payload = 16;
    const char *event = "echo", *url = NULL, *report = NULL;
    int transport = SIO_TRANSPORT_WEBSOCKET, a, k, report_failed = 0;
    char *args, summary[512];
    client *cl;
    run r;
    sio_set *set;
    memset(&r, 0, sizeof r);
    r.n = 10;
    r.rate = 10;
    r.duration = 10;
    r.every = 1;
    for (a = 1; a < argc; a++) {
        const char *next = a + 1 < argc ? argv[a + 1] : NULL;
        if (strcmp(argv[a], "--json") == 0) { r.json = 1; continue; }
        if (strcmp(argv[a], "--quiet") == 0) { r.quiet = 1; continue; }
        if (argv[a][0] != '-') { url = argv[a]; continue; }
        if (!next) { usage(); return 2; }
        if (strcmp(argv[a], "--clients") == 0) r.n = strtol(next, NULL, 10);     /* range-checked below */
        else if (strcmp(argv[a], "--rate") == 0) r.rate = atof(next);
        else if (strcmp(argv[a], "--ramp") == 0) r.ramp = atof(next);
        else if (strcmp(argv[a], "--duration") == 0) r.duration = atof(next);
        else if (strcmp(argv[a], "--interval") == 0) r.every = atof(next);
        else if (strcmp(argv[a], "--event") == 0) event = next;
        else if (strcmp(argv[a], "--report") == 0) report = next;
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
    /* every number range-checked before it is used (the NaN checks: x == x) */
    if (!url || r.n <= 0 || r.n > 100000 || !(r.rate > 0 && r.rate <= 1e6) || !(r.duration > 0 && r.duration <= 1e6) ||
        !(r.ramp >= 0 && r.ramp <= 1e6) || !(r.every >= 0.05 && r.every <= 3600) || payload > (1u << 20)) {
        usage();
        return 2;
    }
    r.tty = isatty(fileno(stderr));
    cl = (client *)calloc((size_t)r.n, sizeof *cl);
    args = (char *)malloc(payload + 8);
    if (!cl || !args || sio_set_create(NULL, &set) != SIO_OK) return 1;
    args[0] = '[';
    args[1] = '"';
    memset(args + 2, 'x', payload);
    strcpy(args + 2 + payload, "\"]");
    for (i = 0; i < r.n; i++) {
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
    }
    t0 = now_s();
    t_load_end = t0 + r.ramp + r.duration;
    next_report = t0 + r.every;
    for (;;) {
        double now = now_s(), next = next_report;
        int busy = 0, wait_ms;
        while (next_start < r.n && (r.ramp <= 0 || now >= t0 + r.ramp * (double)next_start / (double)r.n)) {
            client *c = &cl[next_start++];                   /* the ramp: client i at ramp * i / n */
            c->started = 1;
            c->started_at = now;
            c->next_send = now;
            sio_start(c->c);
        }
        if (next_start < r.n && t0 + r.ramp * (double)next_start / (double)r.n < next)
            next = t0 + r.ramp * (double)next_start / (double)r.n;
        for (i = 0; i < r.n; i++) {
            client *c = &cl[i];
            while (c->connected && now < t_load_end && c->next_send <= now) {
                sio_emit_options o;
                int64_t id = -1;
                memset(&o, 0, sizeof o);
                o.event = event;
                o.args = args;
                o.ack = 1;
                o.ack_timeout_ms = 10000;
                if (c->outstanding < RING && sio_emit_ex(c->c, &o, &id) == SIO_OK && id >= 0) {
                    c->sent_at[id % RING] = now_s();
                    c->outstanding++;
                    r.sent++;
                    r.i_sent++;
                } else {
                    r.refused++;
                }
                c->next_send += 1.0 / r.rate;
            }
            if (c->outstanding) busy = 1;
            if (c->connected && now < t_load_end && c->next_send < next) next = c->next_send;
        }
        if (now >= next_report) {
            close_interval(&r, next_report - t0);
            next_report += r.every;
            continue;
        }
        if (now >= t_load_end && (!busy || now >= t_load_end + ACK_GRACE_S)) break;
        {
            double w = (next - now) * 1000;                /* bounded before it becomes an int */
            wait_ms = w > 1000 ? 1000 : w > 0 ? (int)w : 0;
        }
        handle_events(&r, set, wait_ms);
    }
    elapsed = now_s() - t0;
    if (r.i_sent || r.i_acked || r.i_failed || r.i_connects) close_interval(&r, elapsed);
    if (!r.quiet && r.tty) fputc('\n', stderr);
    {
        double q[4];
        for (k = 0; k < 4; k++) q[k] = quantile(&r.lat, QUANTILES[k]);
        snprintf(summary, sizeof summary,
                 "%ld clients (%ld connected), %ld emits, %ld acked, %ld failed, %ld refused in %.1f s: %.0f acks/s; "
                 "emit-to-ack ms p50 %.3f p90 %.3f p99 %.3f p999 %.3f max %.3f; connect ms p50 %.3f p99 %.3f max %.3f",
                 r.n, r.connects, r.sent, r.acked, r.failed, r.refused, elapsed, (double)r.acked / elapsed,
                 q[0], q[1], q[2], q[3], max_of(&r.lat), quantile(&r.conn, 0.5), quantile(&r.conn, 0.99),
                 max_of(&r.conn));
        if (r.json)
            printf("{\"type\":\"summary\",\"clients\":%ld,\"connected\":%ld,\"sent\":%ld,\"acked\":%ld,\"failed\":%ld,"
                   "\"refused\":%ld,\"seconds\":%.3f,\"acks_per_s\":%.1f,\"p50_ms\":%.3f,\"p90_ms\":%.3f,\"p99_ms\":%.3f,"
                   "\"p999_ms\":%.3f,\"max_ms\":%.3f,\"connect_p50_ms\":%.3f,\"connect_p99_ms\":%.3f,"
                   "\"connect_max_ms\":%.3f}\n",
                   r.n, r.connects, r.sent, r.acked, r.failed, r.refused, elapsed, (double)r.acked / elapsed,
                   q[0], q[1], q[2], q[3], max_of(&r.lat), quantile(&r.conn, 0.5), quantile(&r.conn, 0.99),
                   max_of(&r.conn));
        else
            printf("%s\n", summary);
    }
    if (report && write_report(report, &r, url, summary) != 0) {
        fprintf(stderr, "loadgen: cannot write %s\n", report);
        report_failed = 1;
    }
    for (i = 0; i < r.n; i++) sio_destroy(cl[i].c);
    sio_set_destroy(set);
    free(cl);
    free(args);
    free(r.iv);
    return r.connects == r.n && r.sent > 0 && r.acked == r.sent && !r.refused && !report_failed ? 0 : 1;
}
