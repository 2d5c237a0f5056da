/* ---------------------------------------------------------------------- */
/* handshake: the WebSocket opening handshake (RFC 6455 4.1)             */
/* ---------------------------------------------------------------------- */

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
    if (sio__link_reserve(&c->sys, l, need) != SIO_OK) return SIO_ERR_NOMEM;
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
