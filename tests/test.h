/* Tiny test harness shared by the C test programs.
 * A test is a function; CHECK records a failure and goes on. Each program
 * ends with TEST_REPORT(), which prints "N passed, N failed" (counting
 * tests, not checks) and returns the exit status. */
#ifndef SIO_TEST_H
#define SIO_TEST_H
#include <stdio.h>
#include <string.h>

static int test_passed, test_failed, test_current_failed;

#define CHECK(cond) do { if (!(cond)) { test_current_failed = 1; \
    fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); } } while (0)
/* A failure that no condition expresses better, e.g. a loop that made no progress. */
#define FAIL(why) do { test_current_failed = 1; \
    fprintf(stderr, "  %s:%d: %s\n", __FILE__, __LINE__, why); } while (0)
#define CHECK_INT(a, b) do { long long va_ = (long long)(a), vb_ = (long long)(b); if (va_ != vb_) { \
    test_current_failed = 1; fprintf(stderr, "  %s:%d: %s == %lld, expected %s == %lld\n", \
    __FILE__, __LINE__, #a, va_, #b, vb_); } } while (0)
#define CHECK_STR(a, b) do { const char *sa_ = (a), *sb_ = (b); if (!sa_ || !sb_ || strcmp(sa_, sb_) != 0) { \
    test_current_failed = 1; fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n", \
    __FILE__, __LINE__, #a, sa_ ? sa_ : "(null)", sb_ ? sb_ : "(null)"); } } while (0)
#define CHECK_SPAN(ptr, len, str) do { size_t l_ = strlen(str); if ((size_t)(len) != l_ || \
    memcmp((ptr), (str), l_) != 0) { test_current_failed = 1; fprintf(stderr, \
    "  %s:%d: %s is \"%.*s\", expected \"%s\"\n", __FILE__, __LINE__, #ptr, (int)(len), \
    (const char *)(ptr), str); } } while (0)
#define CHECK_MEM(a, b, n) do { if (memcmp((a), (b), (n)) != 0) { test_current_failed = 1; \
    fprintf(stderr, "  %s:%d: %s differs from %s\n", __FILE__, __LINE__, #a, #b); } } while (0)

#define RUN(fn) do { test_current_failed = 0; fn(); if (test_current_failed) { test_failed++; \
    fprintf(stderr, "FAIL %s\n", #fn); } else { test_passed++; } } while (0)
#define TEST_REPORT() (printf("%d passed, %d failed\n", test_passed, test_failed), test_failed ? 1 : 0)
#endif
