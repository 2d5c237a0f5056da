/* ---------------------------------------------------------------------- */
/* utf8: incremental validator (RFC 3629: no overlongs, no surrogates,    */
/* nothing above U+10FFFF)                                                 */
/* ---------------------------------------------------------------------- */

typedef struct sio_utf8 {
    unsigned char need;      /* continuation bytes still expected */
    unsigned char lo, hi;    /* allowed range of the next continuation byte */
} sio_utf8;                  /* zero-initialised = at a character boundary */

/* Feeds bytes; returns SIO_OK while the text can still be valid, or
 * SIO_ERR_PROTOCOL as soon as it cannot (fail fast).  The state may end in
 * the middle of a character: use sio_utf8_complete() at the end. */
SIO_API int sio_utf8_feed(sio_utf8 *v, const void *data, size_t len);
SIO_API int sio_utf8_complete(const sio_utf8 *v);
SIO_API int sio_utf8_valid(const void *data, size_t len);   /* 1 or 0 */

