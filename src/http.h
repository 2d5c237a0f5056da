/* ---------------------------------------------------------------------- */
/* http: HTTP/1.1 response head parser and body decoder                   */
/* ---------------------------------------------------------------------- */

#ifndef SIO_HTTP_MAX_HEADERS
#define SIO_HTTP_MAX_HEADERS 64
#endif

typedef struct sio_http_header {
    const char *name;  size_t name_len;
    const char *value; size_t value_len;   /* without surrounding blanks */
} sio_http_header;

typedef struct sio_http_response {
    int status;                            /* e.g. 101 */
    int minor_version;                     /* 1 for HTTP/1.1 */
    const char *reason; size_t reason_len;
    size_t header_count;
    sio_http_header headers[SIO_HTTP_MAX_HEADERS];
    size_t head_len;                       /* bytes up to and including the blank line */
} sio_http_response;

/* Parses a response head from buf[0..len).  Returns 1 when the head is
 * complete (fields set, spans point into buf), 0 when more bytes are needed,
 * SIO_ERR_PROTOCOL for a malformed head, SIO_ERR_TOO_BIG for more than
 * SIO_HTTP_MAX_HEADERS headers.  Obsolete line folding is rejected. */
SIO_API int sio_http_parse_response(sio_http_response *r, const char *buf, size_t len);
/* Case-insensitive header lookup; NULL if absent. */
SIO_API const sio_http_header *sio_http_find_header(const sio_http_response *r, const char *name);
/* 1 if a comma-separated header value holds token (case-insensitive). */
SIO_API int sio_http_has_token(const char *value, size_t len, const char *token);

typedef enum sio_http_body_mode {
    SIO_HTTP_BODY_NONE = 0,       /* 1xx, 204, 304: no body */
    SIO_HTTP_BODY_LENGTH,         /* Content-Length */
    SIO_HTTP_BODY_CHUNKED,        /* Transfer-Encoding: chunked */
    SIO_HTTP_BODY_UNTIL_CLOSE     /* neither: read until EOF */
} sio_http_body_mode;

typedef struct sio_http_body {
    int mode;                     /* sio_http_body_mode */
    int state;                    /* chunked decoder state */
    uint64_t remaining;           /* bytes left in the body or current chunk */
    uint64_t max_body;            /* limit; 0 = unlimited */
    uint64_t total;               /* body bytes decoded so far */
} sio_http_body;

/* Chooses the body framing from a parsed head.  Returns SIO_OK, or
 * SIO_ERR_PROTOCOL for a bad or conflicting Content-Length, or
 * SIO_ERR_TOO_BIG when Content-Length exceeds max_body (0 = no limit). */
SIO_API int sio_http_body_init(sio_http_body *b, const sio_http_response *r, uint64_t max_body);
/* Decodes body bytes in place.  data[0..len) holds raw bytes after the head;
 * on return data[0..*out_len) holds decoded body bytes and *consumed says
 * how many raw bytes were used (*out_len <= *consumed).  Returns 1 when the
 * body is complete, 0 when more bytes are needed, SIO_ERR_PROTOCOL for bad
 * chunk syntax, SIO_ERR_TOO_BIG past max_body. */
SIO_API int sio_http_body_decode(sio_http_body *b, unsigned char *data, size_t len,
                                 size_t *consumed, size_t *out_len);

