/* ---------------------------------------------------------------------- */
/* proxy: the handshakes that open a tunnel through an HTTP proxy         */
/* (CONNECT) or a SOCKS5 proxy (RFC 1928, user/password RFC 1929)         */
/* ---------------------------------------------------------------------- */

typedef enum sio_proxy_kind {
    SIO_PROXY_HTTP = 1,      /* http://: CONNECT host:port, Basic Proxy-Authorization */
    SIO_PROXY_SOCKS5,        /* socks5://: the client resolves the name, the proxy gets an address */
    SIO_PROXY_SOCKS5H        /* socks5h://: the proxy resolves the name */
} sio_proxy_kind;

#define SIO_PROXY_MAX_CREDENTIAL 255   /* user name and password, each (RFC 1929's bound) */
#define SIO_PROXY_MAX_HOST 255         /* the origin's name (a SOCKS5 domain's bound) */
#define SIO_PROXY_OUT_SIZE 1536        /* room that any request of the handshake fits in */

/* Spans point into the parsed text; nothing is allocated. */
typedef struct sio_proxy_url {
    int kind;                               /* sio_proxy_kind */
    const char *host; size_t host_len;      /* IPv6 literals without brackets */
    const char *user; size_t user_len;      /* percent-encoded as written; user NULL: none */
    const char *password; size_t password_len;
    unsigned short port;                    /* explicit, or 80 (http) / 1080 (socks5, socks5h) */
    unsigned char ipv6;                     /* host was a bracketed literal */
} sio_proxy_url;

/* "http://[user[:password]@]host[:port][/]", "socks5://..." or
 * "socks5h://...".  Returns SIO_OK, or SIO_ERR_URL for anything else
 * (another scheme, a path, a bad percent escape, an empty user name, a
 * credential over SIO_PROXY_MAX_CREDENTIAL bytes once decoded or holding a
 * NUL, an empty SOCKS5 password (RFC 1929), a ':' in an HTTP user name
 * (RFC 7617)). */
SIO_API int sio_proxy_url_parse(sio_proxy_url *p, const char *text);

/* 1 when no_proxy (a list as in the no_proxy variable: names, ".suffix" or
 * "suffix" domains, IP literals, CIDR blocks, each optionally ":port";
 * "*" alone for all) says that host:port is reached directly. */
SIO_API int sio_proxy_excluded(const char *no_proxy, const char *host, unsigned short port);

/* One tunnel's handshake.  The strings it was begun with must outlive it. */
typedef struct sio_proxy_handshake {
    const sio_proxy_url *proxy;
    const char *host;                       /* the origin; for SOCKS5 an address literal */
    unsigned short port;
    int step, failed;                       /* failed: the status it failed with */
    size_t max_head;                        /* HTTP: the largest response head accepted */
    size_t scanned;                         /* HTTP: bytes of the head searched for its end */
} sio_proxy_handshake;

/* Begins the handshake for a tunnel to host:port: the first bytes to send
 * go to out.  Returns SIO_OK, or SIO_ERR_INVALID: cap under
 * SIO_PROXY_OUT_SIZE, port 0, host empty, over SIO_PROXY_MAX_HOST bytes,
 * neither an address literal nor a name of letters, digits, '-', '.' and
 * '_', or not an address literal for socks5:// (the client resolves). */
SIO_API int sio_proxy_begin(sio_proxy_handshake *h, const sio_proxy_url *proxy, const char *host,
                            unsigned short port, size_t max_head, unsigned char *out, size_t cap, size_t *out_len);

/* Takes the bytes received so far and not used yet; *used of them were the
 * proxy's (drop them before the next call).  Returns 0 while more are
 * needed (*out_len bytes, maybe 0, to send next), 1 when the tunnel is open
 * (what follows the used bytes is the origin's), or a negative status
 * with why filled, again at every later call: SIO_ERR_PROXY (refused:
 * "proxy: 407 authentication required (realm \"x\")", "proxy: SOCKS5 host
 * unreachable"), SIO_ERR_PROTOCOL (not the proxy protocol), SIO_ERR_TOO_BIG
 * (an HTTP response head over max_head bytes or SIO_HTTP_MAX_HEADERS
 * headers), SIO_ERR_INVALID (cap under SIO_PROXY_OUT_SIZE). */
SIO_API int sio_proxy_receive(sio_proxy_handshake *h, const unsigned char *in, size_t len, size_t *used,
                              unsigned char *out, size_t cap, size_t *out_len, char *why, size_t why_size);
