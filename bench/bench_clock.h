/* bench_clock.h - what the POSIX benchmarks share: a monotonic clock, the
 * comparison for sorting samples (medians, percentiles), and for the memory
 * benchmarks a counting allocator and the resident set. */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Seconds on the monotonic clock. */
static inline double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Bytes held through bench_count_realloc (sio_allocator.user), and their peak. */
typedef struct bench_counter {
    size_t bytes, peak;
} bench_counter;

/* Counts payload bytes; a small header keeps each block's size. */
static inline void *bench_count_realloc(void *user, void *p, size_t n)
{
    bench_counter *k = (bench_counter *)user;
    size_t *h = p ? (size_t *)p - 2 : NULL, old = h ? h[0] : 0;
    if (n == 0) {
        k->bytes -= old;
        free(h);
        return NULL;
    }
    h = (size_t *)realloc(h, n + 2 * sizeof(size_t));
    if (!h) return NULL;                        /* the old block stays, and its count */
    h[0] = n;
    k->bytes = k->bytes - old + n;
    if (k->bytes > k->peak) k->peak = k->bytes;
    return h + 2;
}

/* The process's resident set in KiB (Linux), -1 if unknown. */
static inline long bench_rss_kb(void)
{
    char line[256];
    long kb = -1;
    FILE *f = fopen("/proc/self/status", "r");
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kb = atol(line + 6);
    fclose(f);
    return kb;
}
#endif
