/* ---------------------------------------------------------------------- */
/* sha1 / base64                                                           */
/* ---------------------------------------------------------------------- */

typedef struct sio_sha1 {
    uint32_t state[5];
    uint64_t total;          /* bytes hashed so far */
    unsigned char block[64];
    size_t used;             /* bytes waiting in block */
} sio_sha1;

SIO_API void sio_sha1_init(sio_sha1 *s);
SIO_API void sio_sha1_update(sio_sha1 *s, const void *data, size_t len);
SIO_API void sio_sha1_final(sio_sha1 *s, unsigned char digest[20]);

/* Bytes needed for the base64 text of n bytes, including the NUL. */
#define SIO_BASE64_SIZE(n) ((((n) + 2) / 3) * 4 + 1)
/* Writes padded standard base64 and a NUL; returns the text length. */
SIO_API size_t sio_base64_encode(const void *data, size_t len, char *out);
/* Decodes standard base64 (padding optional).  out needs len/4*3+3 bytes.
 * Returns SIO_OK and *out_len, or SIO_ERR_INVALID for a bad character,
 * misplaced padding or an impossible length. */
SIO_API int sio_base64_decode(const char *text, size_t len, void *out, size_t *out_len);

