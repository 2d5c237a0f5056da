/* bench_ws - WebSocket hot paths against memcpy of the same bytes, in one run.
 *   make bench            (builds with -O2 and runs)
 * Prints the median of 15 runs for each case and its ratio to memcpy
 * (>1.0 means faster than copying the bytes once). */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif
#include "sio.h"
#include "bench_clock.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RUNS 15

/* which masking loop sio.h compiled (its SIMD switch, see sio.h) */
#if defined(SIO_NO_SIMD)
#define SIO_MASK_KIND "portable (SIO_NO_SIMD)"
#elif defined(__AVX2__)
#define SIO_MASK_KIND "AVX2"
#elif defined(__SSE2__)
#define SIO_MASK_KIND "SSE2"
#elif defined(__ARM_NEON)
#define SIO_MASK_KIND "NEON"
#else
#define SIO_MASK_KIND "portable"
#endif

static volatile size_t sink;

/* Decodes every frame of buf; returns the payload bytes seen. */
static size_t decode_all(const unsigned char *buf, size_t len)
{
    sio_ws_rx rx;
    sio_ws_message m;
    size_t pos = 0, used, total = 0;
    memset(&rx, 0, sizeof rx);
    rx.max_message = (size_t)64 << 20;
    while (pos < len && sio_ws_rx_feed(&rx, buf + pos, len - pos, &used, NULL, &m) == 1) {
        pos += used;
        total += m.len;
    }
    sio_ws_rx_free(&rx);
    return total;
}

typedef struct frames { unsigned char *buf; size_t len, payload; int repeat; } frames;

static frames make_frames(size_t payload, size_t total, int opcode)
{
    frames f;
    unsigned char *p = (unsigned char *)malloc(payload);
    size_t count = total / payload, i;
    for (i = 0; i < payload; i++) p[i] = (unsigned char)('a' + i % 26);
    f.buf = (unsigned char *)malloc(count * sio_ws_frame_size(payload, 0));
    f.len = 0;
    for (i = 0; i < count; i++) f.len += sio_ws_encode(f.buf + f.len, 1, opcode, p, payload, NULL);
    f.payload = count * payload;
    f.repeat = 1;
    free(p);
    return f;
}

static double median_rate(int which, const frames *f, unsigned char *dst)
{
    double t[RUNS];
    int r;
    static const unsigned char key[4] = { 0x37, 0xfa, 0x21, 0x3d };
    for (r = 0; r < RUNS; r++) {
        double t0 = bench_now_s();
        int k;
        for (k = 0; k < f->repeat; k++) {
            if (which == 0) { memcpy(dst, f->buf, f->len); sink += dst[f->len / 2]; }
            else if (which == 1) sink += decode_all(f->buf, f->len);
            else { sio_ws_mask(f->buf, f->len, key, 0); sink += f->buf[f->len / 2]; }
        }
        t[r] = bench_now_s() - t0;
    }
    qsort(t, RUNS, sizeof t[0], bench_cmp_double);
    return (double)f->len * f->repeat / t[RUNS / 2] / 1e6;   /* MB/s of wire bytes */
}

static void row(const char *name, const frames *f, unsigned char *dst, int which)
{
    double base = median_rate(0, f, dst), rate = median_rate(which, f, dst);
    printf("%-34s %10.0f MB/s   memcpy %8.0f MB/s   ratio %6.2fx\n", name, rate, base, rate / base);
}

int main(void)
{
    size_t total = (size_t)32 << 20;
    frames small_bin = make_frames(16, total, SIO_WS_BINARY);
    frames small_txt = make_frames(16, total, SIO_WS_TEXT);
    frames big_bin = make_frames((size_t)1 << 20, total, SIO_WS_BINARY);
    frames big_txt = make_frames((size_t)1 << 20, total, SIO_WS_TEXT);
    frames cached = make_frames((size_t)16 << 10, (size_t)16 << 10, SIO_WS_BINARY);
    unsigned char *dst = (unsigned char *)malloc(small_txt.len);   /* the largest buffer */
    cached.repeat = 2048;                                          /* 32 MiB in all, in cache */
    printf("sio %s: frame decode and masking vs memcpy, %d runs, medians, 32 MiB per run, %s masking\n", sio_version(),
           RUNS, SIO_MASK_KIND);
    row("decode 16 B binary frames", &small_bin, dst, 1);
    row("decode 16 B text frames (UTF-8)", &small_txt, dst, 1);
    row("decode 1 MiB binary frames", &big_bin, dst, 1);
    row("decode 1 MiB text frames (UTF-8)", &big_txt, dst, 1);
    row("mask 32 MiB in place", &big_bin, dst, 2);
    row("mask 16 KiB in place (in cache) x2048", &cached, dst, 2);
    free(cached.buf);
    free(small_bin.buf); free(small_txt.buf); free(big_bin.buf); free(big_txt.buf); free(dst);
    return 0;
}
