/* ====================================================================== */
/* Implementation                                                          */
/* ====================================================================== */
#ifdef SIO_IMPLEMENTATION
#ifndef SIO__IMPLEMENTED
#define SIO__IMPLEMENTED

#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <locale.h>

#if !defined(SIO_REALLOC) || !defined(SIO_FREE)
#include <stdlib.h>
#define SIO_REALLOC(p, n) realloc((p), (n))
#define SIO_FREE(p) free(p)
#endif
#ifndef SIO_ASSERT
#include <assert.h>
#define SIO_ASSERT(x) assert(x)
#endif
/* Masking 16 bytes at a time where the compiler offers SSE2 or NEON, 32
 * with AVX2 (-mavx2, -march=native); the word-at-a-time loop stays as the
 * fallback and for tails.  SIO_NO_SIMD turns it off. */
#if !defined(SIO_NO_SIMD) && defined(__AVX2__)
#include <immintrin.h>
#define SIO__SIMD_AVX2 1
#define SIO__SIMD_SSE2 1
#elif !defined(SIO_NO_SIMD) && (defined(__SSE2__) || defined(_M_X64) || (defined(_M_IX86_FP) && _M_IX86_FP >= 2))
#include <emmintrin.h>
#define SIO__SIMD_SSE2 1
#elif !defined(SIO_NO_SIMD) && defined(__ARM_NEON)
#include <arm_neon.h>
#define SIO__SIMD_NEON 1
#endif

/* Build options, defined where the implementation is compiled.
 * SIO_NO_SOCKETIO leaves the Socket.IO client out (a WebSocket-only build). */
#ifdef SIO_NO_SOCKETIO
#define SIO__WITH_SOCKETIO 0
#else
#define SIO__WITH_SOCKETIO 1
#endif
/* SIO_NO_POLLING leaves HTTP long-polling and the upgrade out (Socket.IO
 * over WebSocket only); SIO_NO_DNS leaves the client's own resolver out
 * (names go to the platform's connect, which may block): its code is in
 * #if SIO__WITH_DNS blocks. */
#if defined(SIO_NO_POLLING)
#define SIO__WITH_POLLING 0
#else
#define SIO__WITH_POLLING SIO__WITH_SOCKETIO
#endif
#if defined(SIO_NO_DNS)
#define SIO__WITH_DNS 0
#else
#define SIO__WITH_DNS 1
#endif
/* SIO_NO_PROXY leaves the links' proxy stage out (the proxy codecs stay,
 * unused): sio_create refuses a proxy instead of connecting around it. */
#if defined(SIO_NO_PROXY)
#define SIO__WITH_PROXY 0
#else
#define SIO__WITH_PROXY 1
#endif

/* SIO_NO_DEFLATE leaves permessage-deflate and its codec out. */
#if defined(SIO_NO_DEFLATE)
#define SIO__WITH_DEFLATE 0
#else
#define SIO__WITH_DEFLATE 1
#endif

#define SIO__DEFLATE_THRESHOLD 128   /* shorter messages rarely shrink enough to pay */
#define SIO__CONNECT_RECHECK_MS 250

/* The limits a zero in sio_config stands for.  Define any of these where the
 * implementation is compiled to change them (the ESP-IDF and Zephyr ports
 * take them from Kconfig); SIO_SMALL_TARGET picks limits for a device with a
 * few hundred KB of RAM.  SIO_READ_MAX is the largest single read (reads
 * start at 2 KiB and double while a stream fills them). */
#if defined(SIO_SMALL_TARGET)
#ifndef SIO_DEFAULT_MAX_MESSAGE
#define SIO_DEFAULT_MAX_MESSAGE 16384
#endif
#ifndef SIO_DEFAULT_MAX_HANDSHAKE
#define SIO_DEFAULT_MAX_HANDSHAKE 4096
#endif
#ifndef SIO_DEFAULT_MAX_SEND_QUEUE
#define SIO_DEFAULT_MAX_SEND_QUEUE 16384
#endif
#ifndef SIO_DEFAULT_MAX_ATTACHMENTS
#define SIO_DEFAULT_MAX_ATTACHMENTS 2
#endif
#ifndef SIO_DEFAULT_MAX_NAMESPACES
#define SIO_DEFAULT_MAX_NAMESPACES 4
#endif
#ifndef SIO_DEFAULT_MAX_PENDING_ACKS
#define SIO_DEFAULT_MAX_PENDING_ACKS 16
#endif
#ifndef SIO_DEFAULT_MAX_JSON_DEPTH
#define SIO_DEFAULT_MAX_JSON_DEPTH 16
#endif
#ifndef SIO_READ_MAX
#define SIO_READ_MAX 4096
#endif
#endif
#ifndef SIO_DEFAULT_MAX_MESSAGE
#define SIO_DEFAULT_MAX_MESSAGE 16777216
#endif
#ifndef SIO_DEFAULT_MAX_HANDSHAKE
#define SIO_DEFAULT_MAX_HANDSHAKE 16384
#endif
#ifndef SIO_DEFAULT_MAX_SEND_QUEUE
#define SIO_DEFAULT_MAX_SEND_QUEUE 67108864
#endif
#ifndef SIO_DEFAULT_MAX_ATTACHMENTS
#define SIO_DEFAULT_MAX_ATTACHMENTS 10   /* as socket.io-parser */
#endif
#ifndef SIO_DEFAULT_MAX_NAMESPACES
#define SIO_DEFAULT_MAX_NAMESPACES 32
#endif
#ifndef SIO_DEFAULT_MAX_PENDING_ACKS
#define SIO_DEFAULT_MAX_PENDING_ACKS 1024
#endif
#ifndef SIO_READ_MAX
#define SIO_READ_MAX 65536
#endif
#if SIO_DEFAULT_MAX_MESSAGE < 1 || SIO_DEFAULT_MAX_HANDSHAKE < 256 || SIO_DEFAULT_MAX_SEND_QUEUE < 1 || \
    SIO_DEFAULT_MAX_ATTACHMENTS < 1 || SIO_DEFAULT_MAX_NAMESPACES < 1 || SIO_DEFAULT_MAX_PENDING_ACKS < 1 || \
    SIO_READ_MAX < 512
#error "sio: a SIO_DEFAULT_MAX_* limit or SIO_READ_MAX is below its minimum"
#endif
#define SIO__DEFAULT_MAX_MESSAGE ((size_t)SIO_DEFAULT_MAX_MESSAGE)
#define SIO__DEFAULT_MAX_HANDSHAKE ((size_t)SIO_DEFAULT_MAX_HANDSHAKE)
#define SIO__DEFAULT_MAX_SEND_QUEUE ((size_t)SIO_DEFAULT_MAX_SEND_QUEUE)
#define SIO__DEFAULT_CONNECT_TIMEOUT 10000
#define SIO__DEFAULT_CLOSE_TIMEOUT 5000
#define SIO__DEFAULT_PONG_TIMEOUT 10000

#ifdef __cplusplus
extern "C" {
#endif

#define SIO__TEXT_OF(x) #x
#define SIO__VERSION_TEXT(a, b, c) SIO__TEXT_OF(a) "." SIO__TEXT_OF(b) "." SIO__TEXT_OF(c)
SIO_API const char *sio_version(void)
{
    return SIO__VERSION_TEXT(SIO_VERSION_MAJOR, SIO_VERSION_MINOR, SIO_VERSION_PATCH);
}

SIO_API const char *sio_status_text(int status)
{
    switch (status) {
    case SIO_OK: return "ok";
    case SIO_ERR_INVALID: return "invalid argument";
    case SIO_ERR_NOMEM: return "out of memory";
    case SIO_ERR_STATE: return "not possible in the current state";
    case SIO_ERR_FULL: return "send queue full";
    case SIO_ERR_URL: return "bad or unsupported URL";
    case SIO_ERR_TLS: return "TLS failure or TLS not available";
    case SIO_ERR_PROTOCOL: return "protocol violation by the peer";
    case SIO_ERR_AGAIN: return "operation would block";
    case SIO_ERR_IO: return "I/O error";
    case SIO_ERR_TIMEOUT: return "timed out";
    case SIO_ERR_HANDSHAKE: return "handshake failed";
    case SIO_ERR_TOO_BIG: return "size limit exceeded";
    case SIO_ERR_CLOSED: return "connection closed";
    case SIO_ERR_NO_ADDRESS: return "no address for host";
    case SIO_ERR_PROXY: return "the proxy refused the tunnel, or its URL is unusable";
    default: return "unknown status";
    }
}

/* Allocation through the configured allocator or SIO_REALLOC/SIO_FREE. */
static void *sio__realloc(const sio_allocator *a, void *ptr, size_t size)
{
    if (a && a->realloc) return a->realloc(a->user, ptr, size);
    if (size == 0) { SIO_FREE(ptr); return NULL; }
    return SIO_REALLOC(ptr, size);
}

static int sio__lower(int ch) { return (ch >= 'A' && ch <= 'Z') ? ch + 32 : ch; }

static int sio__span_ieq(const char *a, size_t alen, const char *b)
{
    size_t i;
    for (i = 0; i < alen; i++)
        if (b[i] == '\0' || sio__lower((unsigned char)a[i]) != sio__lower((unsigned char)b[i])) return 0;
    return b[alen] == '\0';
}

static void sio__free(const sio_allocator *a, void *p)
{
    if (p) sio__realloc(a, p, 0);
}

static char *sio__strdup(const sio_allocator *a, const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = (char *)sio__realloc(a, NULL, n);
    if (p) memcpy(p, s, n);
    return p;
}

static size_t sio__str_size(const char *s) { return s ? strlen(s) + 1 : 0; }

/* The earlier of two deadlines, 0 standing for none. */
static uint64_t sio__earliest(uint64_t a, uint64_t b)
{
    return a && (!b || a < b) ? a : b;
}

/* Grows *buf so it holds at least need bytes (doubling, bounded by need). */
#if SIO__WITH_SOCKETIO
/* A Socket.IO packet kept to send later, in one block: its text as pieces,
 * then its attachments.  sio__packed_size says the bytes (and *text_len the
 * text's); sio__pack copies them to out and the attachments' lengths to
 * att_lens. */
static size_t sio__packed_size(const size_t *lens, size_t n, const sio_bytes *atts, size_t count, size_t *text_len)
{
    size_t k, total = 0;
    for (k = 0; k < n; k++) total += lens[k];
    *text_len = total;
    for (k = 0; k < count; k++) total += atts[k].len;
    return total;
}

static void sio__pack(unsigned char *out, size_t *att_lens, const void *const *pieces, const size_t *lens, size_t n,
                      const sio_bytes *atts, size_t count)
{
    size_t k, off = 0;
    for (k = 0; k < n; k++) {
        memcpy(out + off, pieces[k], lens[k]);
        off += lens[k];
    }
    for (k = 0; k < count; k++) {
        att_lens[k] = atts[k].len;
        if (atts[k].len) memcpy(out + off, atts[k].data, atts[k].len);
        off += atts[k].len;
    }
}
#endif

static int sio__reserve(const sio_allocator *a, unsigned char **buf, size_t *cap, size_t need)
{
    size_t ncap;
    void *p;
    if (need <= *cap) return SIO_OK;
    ncap = *cap ? *cap : 256;
    while (ncap < need) ncap = (ncap > ((size_t)-1) / 2) ? need : ncap * 2;
    p = sio__realloc(a, *buf, ncap);
    if (!p) return SIO_ERR_NOMEM;
    *buf = (unsigned char *)p;
    *cap = ncap;
    return SIO_OK;
}

