/* bench_clock.h - what the POSIX benchmarks share: a monotonic clock and the
 * comparison for sorting samples (medians, percentiles). */
#ifndef BENCH_CLOCK_H
#define BENCH_CLOCK_H
#include <time.h>

/* Seconds on the monotonic clock. */
static double bench_now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int bench_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}
#endif
