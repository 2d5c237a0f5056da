/* ---- TLS: ciphertext between the socket and the engine ---- */

/* Plaintext waiting inside the TLS engine (so no need to wait on the socket). */
static int sio__tls_buffered(const sio_client *c, const sio__link *l)
{
    size_t n = 0;
    return l->tls && c->tls->read_buf(l->tls, &n) && n > 0;
}

static int sio__tls_failed(sio_client *c, sio__link *l, char *err, size_t err_size)
{
    char why[SIO__TEXT_SIZE - 8];
    why[0] = 0;
    if (c->tls->status(l->tls, why, sizeof why) >= 0) return 0;
    snprintf(err, err_size, "tls: %s", why[0] ? why : "failure");
    return 1;
}

/* Sends the ciphertext the engine has; 0, or -1 when the socket failed. */
static int sio__tls_push_out(sio_client *c, sio__link *l, char *err, size_t err_size)
{
    for (;;) {
        size_t n = 0;
        const unsigned char *p = c->tls->send_buf(l->tls, &n);
        long w;
        if (!p || !n) return 0;
        w = c->pf->send(c->pf->user, l->sock, p, n, err, err_size);
        if (w == SIO_ERR_AGAIN) return 0;
        if (w <= 0) return -1;
        c->tls->send_done(l->tls, (size_t)w);
    }
}

/* A send failed (the peer closed): the reason may be a TLS alert still
 * waiting in the socket, so feed what can be read before blaming TCP.
 * Returns 1 (err filled with the TLS cause) if the engine failed. */
static int sio__tls_salvage(sio_client *c, sio__link *l, char *err, size_t err_size)
{
    int i;
    for (i = 0; i < 4; i++) {
        size_t n = 0;
        char ignored[64];
        unsigned char *in = c->tls->recv_buf(l->tls, &n);
        long r;
        if (!in || !n) break;
        r = c->pf->recv(c->pf->user, l->sock, in, n, ignored, sizeof ignored);
        if (r <= 0) break;
        c->tls->recv_done(l->tls, (size_t)r);
    }
    return sio__tls_failed(c, l, err, err_size);
}

/* Plaintext into dst: bytes, 0 at a clean end, SIO_ERR_AGAIN, or an error. */
static long sio__tls_read(sio_client *c, sio__link *l, unsigned char *dst, size_t room, char *err, size_t err_size)
{
    int round;
    for (round = 0; round < 16; round++) {
        size_t n = 0;
        const unsigned char *p = c->tls->read_buf(l->tls, &n);
        unsigned char *in;
        long r;
        if (p && n) {
            if (n > room) n = room;
            memcpy(dst, p, n);
            c->tls->read_done(l->tls, n);
            return (long)n;
        }
        if (sio__tls_failed(c, l, err, err_size)) return SIO_ERR_TLS;
        if (c->tls->status(l->tls, NULL, 0) == 1) return 0;
        if (sio__tls_push_out(c, l, err, err_size) < 0)                    /* handshake replies first */
            return sio__tls_salvage(c, l, err, err_size) ? SIO_ERR_TLS : SIO_ERR_IO;
        in = c->tls->recv_buf(l->tls, &n);
        if (!in || !n) return SIO_ERR_AGAIN;
        r = c->pf->recv(c->pf->user, l->sock, in, n, err, err_size);
        if (r <= 0) {
            if (r == SIO_ERR_AGAIN) l->may_read = 0;
            if (r == 0) l->truncated = 1;       /* no close_notify came first (that ends above) */
            return r;
        }
        c->tls->recv_done(l->tls, (size_t)r);
    }
    return SIO_ERR_AGAIN;
}

/* Plaintext from tx into the engine, then its ciphertext to the socket. */
static int sio__tls_flush(sio_client *c, sio__link *l, char *text, size_t text_size)
{
    char err[128];
    err[0] = 0;
    while (l->tx_sent < l->tx_len) {
        size_t room = 0, n = l->tx_len - l->tx_sent;
        unsigned char *w = c->tls->write_buf(l->tls, &room);
        if (!w || !room) break;                  /* handshake still running, or the engine is full */
        if (n > room) n = room;
        memcpy(w, l->tx + l->tx_sent, n);
        c->tls->write_done(l->tls, n);
        l->tx_sent += n;
    }
    if (l->tx_sent == l->tx_len) l->tx_sent = l->tx_len = 0;
    if (sio__tls_push_out(c, l, err, sizeof err) < 0) {
        if (sio__tls_salvage(c, l, text, text_size)) return SIO_ERR_TLS;
        snprintf(text, text_size, "tcp: send failed: %s", err[0] ? err : "error");
        return SIO_ERR_IO;
    }
    return sio__tls_failed(c, l, text, text_size) ? SIO_ERR_TLS : 0;
}

/* Writes a link's queued bytes until the socket would block.  Returns 0,
 * or SIO_ERR_IO / SIO_ERR_TLS with text saying why the connection failed. */
static int sio__link_flush(sio_client *c, sio__link *l, char *text, size_t text_size)
{
    char err[128];
    if (l->tls) return sio__tls_flush(c, l, text, text_size);
    while (l->tx_sent < l->tx_len) {
        size_t n = l->tx_len - l->tx_sent;
        long w;
        if (n > (size_t)1 << 30) n = (size_t)1 << 30;
        err[0] = 0;
        w = c->pf->send(c->pf->user, l->sock, l->tx + l->tx_sent, n, err, sizeof err);
        if (w == SIO_ERR_AGAIN) return 0;
        if (w <= 0) {
            snprintf(text, text_size, "tcp: send failed: %s", err[0] ? err : sio_status_text((int)w));
            return SIO_ERR_IO;
        }
        l->tx_sent += (size_t)w;
    }
    l->tx_sent = l->tx_len = 0;
    return 0;
}

/* The main link's flush.  Returns 0, or -1 when the connection was lost
 * (events queued). */
static int sio__flush(sio_client *c)
{
    char text[SIO__TEXT_SIZE];
    int r = sio__link_flush(c, &c->ln, text, sizeof text);
    if (r == 0) return 0;
    if (c->phase == SIO__CLOSE_WAIT || c->phase == SIO__FAILING)
        sio__finish(c, c->websocket.close_code, c->websocket.close_reason, c->phase == SIO__CLOSE_WAIT);
    else
        sio__abort(c, r, text);
    return -1;
}

/* Reads once into a link's receive buffer.  Returns bytes read, 0 on EOF,
 * SIO_ERR_AGAIN, or another negative status (err filled). */
static long sio__link_read(sio_client *c, sio__link *l, size_t need, char *err, size_t err_size)
{
    size_t want, room;
    long r;
    if (l->chunk < SIO__READ_FIRST) l->chunk = SIO__READ_FIRST;
    /* chunk - 1 plus the spare NUL byte: a power of two, so the largest
     * buffer stays under malloc's mmap threshold (no mmap/munmap per burst) */
    want = need > l->chunk - 1 ? need : l->chunk - 1;
    /* A short read means the socket is drained: skip the recv that would
     * only say EAGAIN and let the caller wait for readiness instead. */
    if (!l->may_read && !sio__tls_buffered(c, l)) return SIO_ERR_AGAIN;
    if (l->rx_start > 0 && l->rx_cap - l->rx_len < want + 1) {
        memmove(l->rx, l->rx + l->rx_start, l->rx_len - l->rx_start);
        l->rx_len -= l->rx_start;
        if (l == &c->ln) c->websocket.ping_scan = c->websocket.ping_scan > l->rx_start ? c->websocket.ping_scan - l->rx_start : 0;
        l->rx_start = 0;
    }
    if (l->rx_cap - l->rx_len < want + 1 &&
        sio__reserve(&c->alloc, &l->rx, &l->rx_cap, l->rx_len + want + 1) != SIO_OK)
        return SIO_ERR_NOMEM;
    /* Keep one spare byte so a message at the end can be NUL-terminated. */
    room = l->rx_cap - l->rx_len - 1;
    if (l->tls) {
        r = sio__tls_read(c, l, l->rx + l->rx_len, room, err, err_size);
    } else {
        r = c->pf->recv(c->pf->user, l->sock, l->rx + l->rx_len, room, err, err_size);
        if (r == SIO_ERR_AGAIN || (r > 0 && (size_t)r < room)) l->may_read = 0;
    }
    if (r > 0) {
        l->rx_len += (size_t)r;
        l->last_read = sio__now(c);
    }
    l->streaming = r > 0 && (size_t)r == room;
    if (l->streaming && l->chunk < SIO__READ_CHUNK) l->chunk *= 2;   /* a stream: read more at once */
    return r;
}

static long sio__read(sio_client *c, size_t need, char *err, size_t err_size)
{
    return sio__link_read(c, &c->ln, need, err, err_size);
}

static int sio__http_head(sio_client *c, sio__link *l, const char *method, const char *transport, int with_sid);

/* The WebSocket handshake request on the main link (with_sid: an upgrade
 * of a polling session). */
static int sio__build_request(sio_client *c, sio__link *l, int with_sid)
{
    unsigned char nonce[16];
    char key[SIO_BASE64_SIZE(16)], *p;
    size_t need = 160, i;
    int r;
    if (sio__random(c, nonce, sizeof nonce) != SIO_OK) return SIO_ERR_IO;
    sio_base64_encode(nonce, sizeof nonce, key);
    sio_ws_accept_key(key, c->websocket.accept);
    if (SIO__IO(c)) {
        if ((r = sio__http_head(c, l, "GET", "websocket", with_sid)) != SIO_OK) return r;
    } else {
        need += strlen(c->eio.target) + strlen(c->request_head);
    }
    for (i = 0; i < c->protocol_count; i++) need += strlen(c->protocols[i]) + 2;
    if (sio__link_reserve(c, l, need) != SIO_OK) return SIO_ERR_NOMEM;
    p = (char *)l->tx + l->tx_len;
    if (!SIO__IO(c)) p += sprintf(p, "GET %s HTTP/1.1\r\n%s", c->eio.target, c->request_head);
    p += sprintf(p, "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n");
    for (i = 0; i < c->protocol_count; i++)
        p += sprintf(p, "%s%s%s", i ? ", " : "Sec-WebSocket-Protocol: ", c->protocols[i],
                     i + 1 == c->protocol_count ? "\r\n" : "");
    p += sprintf(p, "Sec-WebSocket-Key: %s\r\n\r\n", key);
    l->tx_len = (size_t)((unsigned char *)p - l->tx);
    return SIO_OK;
}

/* Checks the server's 101 answer (RFC 6455 4.1, client requirements 1-6). */
static int sio__check_response(sio_client *c, const sio_http_response *r, char *why, size_t why_size)
{
    const sio_http_header *h;
    if (r->status != 101) {
        snprintf(why, why_size, "ws: handshake refused: server answered HTTP %d %.*s", r->status,
                 (int)(r->reason_len > 80 ? 80 : r->reason_len), r->reason);
        return SIO_ERR_HANDSHAKE;
    }
    h = sio_http_find_header(r, "Upgrade");
    if (!h || !sio_http_has_token(h->value, h->value_len, "websocket")) {
        snprintf(why, why_size, "ws: handshake response lacks 'Upgrade: websocket' (RFC 6455 4.1)");
        return SIO_ERR_HANDSHAKE;
    }
    h = sio_http_find_header(r, "Connection");
    if (!h || !sio_http_has_token(h->value, h->value_len, "upgrade")) {
        snprintf(why, why_size, "ws: handshake response lacks 'Connection: upgrade' (RFC 6455 4.1)");
        return SIO_ERR_HANDSHAKE;
    }
    h = sio_http_find_header(r, "Sec-WebSocket-Accept");
    if (!h || h->value_len != 28 || memcmp(h->value, c->websocket.accept, 28) != 0) {
        snprintf(why, why_size, "ws: handshake response has a %s Sec-WebSocket-Accept (RFC 6455 4.1)",
                 h ? "wrong" : "missing");
        return SIO_ERR_HANDSHAKE;
    }
    if (sio_http_find_header(r, "Sec-WebSocket-Extensions")) {
        snprintf(why, why_size, "ws: server selected an extension the client did not offer (RFC 6455 4.1)");
        return SIO_ERR_HANDSHAKE;
    }
    c->websocket.protocol[0] = 0;
    h = sio_http_find_header(r, "Sec-WebSocket-Protocol");
    if (h) {
        size_t i;
        for (i = 0; i < c->protocol_count; i++)
            if (strlen(c->protocols[i]) == h->value_len && memcmp(c->protocols[i], h->value, h->value_len) == 0)
                break;
        if (i == c->protocol_count) {
            snprintf(why, why_size, "ws: server selected subprotocol '%.*s' that the client did not offer (RFC 6455 4.1)",
                     (int)(h->value_len > 60 ? 60 : h->value_len), h->value);
            return SIO_ERR_HANDSHAKE;
        }
        if (h->value_len >= sizeof c->websocket.protocol) {   /* offers are bounded at sio_create; never trust that here */
            snprintf(why, why_size, "ws: server selected a subprotocol longer than %d bytes", SIO_MAX_PROTOCOL);
            return SIO_ERR_HANDSHAKE;
        }
        memcpy(c->websocket.protocol, h->value, h->value_len);
        c->websocket.protocol[h->value_len] = 0;
    }
    return SIO_OK;
}

static void sio__start_next_address(sio_client *c);

/* Connects to the attempt-th address: one the client resolved itself, or
 * the platform's own lookup of the host. */
static int sio__connect_attempt(sio_client *c, sio_socket *sock, char *err, size_t err_size)
{
    if (c->resolver.addr_count) {
        if (c->attempt >= c->resolver.addr_count) return SIO_ERR_NO_ADDRESS;
        return c->pf->connect(c->pf->user, c->resolver.addrs[c->attempt], c->port, 0, sock, err, err_size);
    }
    return c->pf->connect(c->pf->user, c->host, c->port, c->attempt, sock, err, err_size);
}

