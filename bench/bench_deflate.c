/* bench_deflate - the permessage-deflate codec against zlib, in one run.
 *   make bench-deflate        (needs zlib1g-dev: the benchmark only)
 * Three corpora made here (so every run sees the same bytes): English-like
 * text (sio.h itself), Socket.IO JSON events, and binary sensor records.
 * Each is cut into messages of 1 MiB and of 4 KiB, and every message is
 * compressed on its own, as permessage-deflate without context takeover
 * does (zlib: raw deflate level 1, sync flush, deflateReset per message).
 * Prints compressed size and throughput ratios, medians of RUNS runs:
 *   deflate size   sio bytes / zlib level 1 bytes   (goal <= 1.10)
 *   deflate speed  sio MB/s / zlib level 1 MB/s      (goal >= 1.0)
 *   inflate speed  sio MB/s / zlib MB/s, both inflating zlib's output (goal >= 1.0) */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "sio.h"
#include "bench_clock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define RUNS 9
#define CORPUS ((size_t)4 << 20)

static unsigned rnd_state = 12345;
static unsigned rnd(void)
{
    rnd_state = rnd_state * 1103515245u + 12345u;
    return rnd_state >> 8;
}

static size_t make_text(unsigned char *out, const char *path)
{
    size_t n = 0;
    FILE *f = fopen(path, "rb");
    if (!f) { perror(path); exit(2); }
    while (n < CORPUS) {
        size_t got = fread(out + n, 1, CORPUS - n, f);
        if (!got) rewind(f);
        n += got;
    }
    fclose(f);
    return n;
}

static size_t make_json(unsigned char *out)
{
    static const char *const symbols[] = {"ACME", "GLOBEX", "INITECH", "UMBRELLA", "HOOLI", "STARK"};
    size_t n = 0;
    unsigned i = 0;
    while (n + 200 < CORPUS) {
        n += (size_t)sprintf((char *)out + n,
                             "42[\"tick\",{\"id\":%u,\"symbol\":\"%s\",\"price\":%u.%02u,\"volume\":%u,"
                             "\"ts\":%u,\"open\":%s}]\n",
                             i, symbols[rnd() % 6], 100 + rnd() % 50, rnd() % 100, rnd() % 10000,
                             1733300000u + i * 7, rnd() % 2 ? "true" : "false");
        i++;
    }
    return n;
}

static size_t make_binary(unsigned char *out)
{
    size_t n = 0;
    unsigned t = 0;
    int v[4] = {1000, 2000, 3000, 4000};
    while (n + 16 <= CORPUS) {
        int k;
        t += 10 + rnd() % 3;
        out[n++] = (unsigned char)t; out[n++] = (unsigned char)(t >> 8);
        out[n++] = (unsigned char)(t >> 16); out[n++] = (unsigned char)(t >> 24);
        for (k = 0; k < 4; k++) {
            v[k] += (int)(rnd() % 21) - 10;
            out[n++] = (unsigned char)v[k];
            out[n++] = (unsigned char)(v[k] >> 8);
        }
        out[n++] = 0x55;
        out[n++] = (unsigned char)(rnd() % 4);
        out[n++] = 0;
        out[n++] = 0;
    }
    return n;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, bench_cmp_double);
    return v[n / 2];
}

static void run(const char *name, const unsigned char *in, size_t len, size_t msg)
{
    double zd[RUNS], sd[RUNS], zi[RUNS], si[RUNS];
    size_t zbytes = 0, sbytes = 0, count = len / msg, cap = msg + msg / 2 + 1024, i;
    unsigned char *zout = (unsigned char *)malloc(count * cap), *back = (unsigned char *)malloc(msg + 1);
    size_t *zlen = (size_t *)malloc(count * sizeof *zlen);
    z_stream zs;
    sio_deflater d;
    sio_inflater z;
    int r;
    len = count * msg;
    memset(&d, 0, sizeof d);
    memset(&z, 0, sizeof z);
    for (r = 0; r < RUNS; r++) {
        double t0 = bench_now_s();
        memset(&zs, 0, sizeof zs);
        deflateInit2(&zs, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
        zbytes = 0;
        for (i = 0; i < count; i++) {
            deflateReset(&zs);
            zs.next_in = (unsigned char *)in + i * msg;
            zs.avail_in = (unsigned)msg;
            zs.next_out = zout + i * cap;
            zs.avail_out = (unsigned)cap;
            deflate(&zs, Z_SYNC_FLUSH);
            zlen[i] = cap - zs.avail_out - 4;                /* the 00 00 ff ff left off */
            zbytes += zlen[i];
        }
        deflateEnd(&zs);
        zd[r] = (double)len / (bench_now_s() - t0) / 1e6;
        t0 = bench_now_s();
        sbytes = 0;
        for (i = 0; i < count; i++) {
            const unsigned char *o;
            size_t n;
            if (sio_deflate_message(&d, in + i * msg, msg, msg + msg / 8 + 64, &o, &n) != SIO_OK) { fprintf(stderr, "deflate failed\n"); exit(1); }
            sbytes += n;
        }
        sd[r] = (double)len / (bench_now_s() - t0) / 1e6;
        t0 = bench_now_s();
        memset(&zs, 0, sizeof zs);
        inflateInit2(&zs, -15);
        for (i = 0; i < count; i++) {
            inflateReset(&zs);
            memcpy(zout + i * cap + zlen[i], "\0\0\xff\xff", 4);
            zs.next_in = zout + i * cap;
            zs.avail_in = (unsigned)(zlen[i] + 4);
            zs.next_out = back;
            zs.avail_out = (unsigned)msg + 1;
            inflate(&zs, Z_SYNC_FLUSH);
            if (zs.avail_out != 1) { fprintf(stderr, "zlib inflate failed\n"); exit(1); }
        }
        inflateEnd(&zs);
        zi[r] = (double)len / (bench_now_s() - t0) / 1e6;
        t0 = bench_now_s();
        for (i = 0; i < count; i++) {
            const unsigned char *o;
            size_t n;
            if (sio_inflate_message(&z, zout + i * cap, zlen[i], 1, msg, &o, &n) != SIO_OK || n != msg ||
                (r == 0 && memcmp(o, in + i * msg, msg) != 0)) { fprintf(stderr, "sio inflate failed\n"); exit(1); }
        }
        si[r] = (double)len / (bench_now_s() - t0) / 1e6;
    }
    printf("%-7s %7lu B msgs  size %5.3fx (%8lu vs %8lu B)  deflate %6.1f vs %6.1f MB/s %5.2fx  "
           "inflate %6.1f vs %6.1f MB/s %5.2fx\n", name, (unsigned long)msg, (double)sbytes / (double)zbytes,
           (unsigned long)sbytes, (unsigned long)zbytes, median(sd, RUNS), median(zd, RUNS),
           median(sd, RUNS) / median(zd, RUNS), median(si, RUNS), median(zi, RUNS), median(si, RUNS) / median(zi, RUNS));
    sio_deflater_free(&d);
    sio_inflater_free(&z);
    free(zout);
    free(back);
    free(zlen);
}

int main(int argc, char **argv)
{
    unsigned char *buf = (unsigned char *)malloc(CORPUS);
    size_t n;
    printf("sio %s vs zlib %s: each message compressed on its own; medians of %d runs; 4 MiB per corpus\n",
           sio_version(), zlibVersion(), RUNS);
    n = make_text(buf, argc > 1 ? argv[1] : "sio.h");
    run("text", buf, n, (size_t)1 << 20);
    run("text", buf, n, 4096);
    n = make_json(buf);
    run("json", buf, n, (size_t)1 << 20);
    run("json", buf, n, 4096);
    n = make_binary(buf);
    run("binary", buf, n, (size_t)1 << 20);
    run("binary", buf, n, 4096);
    free(buf);
    return 0;
}
