/* ---------------------------------------------------------------------- */
/* url: ws://, wss://, http://, https://                                  */
/* ---------------------------------------------------------------------- */

/* Spans point into the parsed text; nothing is allocated. */
typedef struct sio_url {
    const char *scheme; size_t scheme_len;  /* as written, e.g. "WS" */
    const char *host;   size_t host_len;    /* IPv6 literals without brackets */
    const char *path;   size_t path_len;    /* from the first '/', "" if absent */
    const char *query;  size_t query_len;   /* after '?', before '#' */
    unsigned short port;                    /* explicit, or 80 / 443 */
    unsigned char secure;                   /* wss or https */
    unsigned char websocket;                /* ws or wss (else http/https) */
    unsigned char ipv6;                     /* host was a bracketed literal */
    unsigned char has_port;                 /* the port was written */
} sio_url;

/* Returns SIO_OK, or SIO_ERR_URL for anything malformed or unsupported
 * (unknown scheme, empty host, port 0 or > 65535, user info, spaces or
 * control characters, a host ending in a number that is not four decimal
 * parts without leading zeros: "010.0.0.1", "10.1", "0x7f.0.0.1", which
 * resolvers read in different ways). */
SIO_API int sio_url_parse(sio_url *url, const char *text);

