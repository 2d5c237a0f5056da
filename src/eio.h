/* ---------------------------------------------------------------------- */
/* eio: Engine.IO v4 packets (carried one per WebSocket message)           */
/* ---------------------------------------------------------------------- */

enum {
    SIO_EIO_OPEN = 0,
    SIO_EIO_CLOSE = 1,
    SIO_EIO_PING = 2,
    SIO_EIO_PONG = 3,
    SIO_EIO_MESSAGE = 4,
    SIO_EIO_UPGRADE = 5,
    SIO_EIO_NOOP = 6
};

/* The open packet's JSON: {"sid","upgrades","pingInterval","pingTimeout","maxPayload"}. */
typedef struct sio_eio_open {
    char sid[64];                /* NUL-terminated */
    long ping_interval;          /* ms */
    long ping_timeout;           /* ms */
    uint64_t max_payload;        /* 0 when absent (Engine.IO v3) */
    int upgrade_websocket;       /* "websocket" listed in upgrades */
} sio_eio_open;

/* Parses the JSON after the '0' of an open packet.  Returns SIO_OK, or
 * SIO_ERR_PROTOCOL for invalid JSON, a missing/empty/over-long sid (or one
 * with control characters), or a missing, negative or absurd (> 1 day)
 * pingInterval/pingTimeout; *why names the field. */
SIO_API int sio_eio_parse_open(const char *json, size_t len, sio_eio_open *out, const char **why);

/* The next packet of a polling payload body[*pos..len).  Engine.IO 4
 * separates packets with 0x1e; Engine.IO 3 writes <length>:<packet>, the
 * length in UTF-16 code units (a JS string's length).  Returns 1 with the
 * packet at body + *off, *plen bytes long, and *pos moved past it; 0 when the
 * body is used up; SIO_ERR_PROTOCOL for a malformed v3 payload. */
SIO_API int sio_eio_payload_next(int eio, const unsigned char *body, size_t len, size_t *pos,
                                 size_t *off, size_t *plen);
/* An Engine.IO 3 payload from 0x1e-separated packets (binary ones written
 * "b<base64>" become "b4<base64>").  Returns its size; out NULL: size only. */
SIO_API size_t sio_eio_v3_encode(unsigned char *out, const unsigned char *in, size_t len);

