/* ---------------------------------------------------------------------- */
/* deflate: raw DEFLATE (RFC 1951) both ways, a whole message at a time,  */
/* for permessage-deflate (RFC 7692); SIO_NO_DEFLATE leaves it out        */
/* ---------------------------------------------------------------------- */

/* The receiving side.  Inflated bytes go into one flat buffer after the
 * history the sender may refer to (context takeover), so a match is a copy
 * within the buffer and no separate window is kept. */
typedef struct sio_inflater {
    sio_allocator allocator;
    size_t window;               /* history kept between messages: 0 (no context takeover) or 1 << bits */
    /* state (zero-initialise, then set allocator and window) */
    unsigned char *buffer;       /* buffer[0..history) is the history, then the message being inflated */
    size_t history, cap;
    unsigned char *copy;         /* with a window: the message handed out, which its user may change
                                    while the history must stay as the sender has it */
    size_t copy_cap;
    const char *error;           /* sentence naming what was wrong with the last message */
} sio_inflater;

/* Inflates one message: the raw DEFLATE data in[0..len), followed (when
 * sync_tail is 1) by the 00 00 ff ff that RFC 7692 7.2.2 has a receiver
 * append.  Never produces more than max bytes.  Returns SIO_OK with
 * *out and *out_len (valid until the next call, sio_inflater_trim or
 * sio_inflater_free), or SIO_ERR_PROTOCOL (the data is not valid DEFLATE or
 * ends early), SIO_ERR_TOO_BIG (it inflates to more than max bytes) or
 * SIO_ERR_NOMEM, with z->error saying which rule broke.  After an error the
 * history is gone: the connection cannot go on. */
SIO_API int sio_inflate_message(sio_inflater *z, const unsigned char *in, size_t len, int sync_tail,
                                size_t max, const unsigned char **out, size_t *out_len);
/* Idle: gives back all but the history (with a window), or everything. */
SIO_API void sio_inflater_trim(sio_inflater *z);
SIO_API void sio_inflater_free(sio_inflater *z);

/* The sending side: each message is compressed on its own (no context
 * takeover), so nothing is kept between messages. */
typedef struct sio_deflater {
    sio_allocator allocator;
    unsigned window_bits;        /* matches reach back at most 1 << window_bits bytes (8..15; 0 = 15) */
    /* state (zero-initialise, then set allocator and window_bits) */
    unsigned char *out;          /* the last message's compressed bytes */
    size_t out_cap;
} sio_deflater;

/* Compresses in[0..len) as raw DEFLATE that ends with an empty non-final
 * stored block whose 00 00 ff ff is left off (RFC 7692 7.2.1).  Returns
 * SIO_OK with *out and *out_len (valid until the next call or
 * sio_deflater_free), SIO_ERR_TOO_BIG when the result would take limit
 * bytes or more (send the message as it is), or SIO_ERR_NOMEM.  Work
 * tables live only during the call. */
SIO_API int sio_deflate_message(sio_deflater *d, const unsigned char *in, size_t len, size_t limit,
                                const unsigned char **out, size_t *out_len);
SIO_API void sio_deflater_free(sio_deflater *d);
