/* ---- Socket.IO over HTTP long-polling ------------------------------------ */

/* Appends an Engine.IO packet to the next POST body: packets are separated
 * by 0x1e, binary ones are "b" + base64. */
static int sio__poll_append(sio_client *c, int binary, const void *const *pieces, const size_t *lens, size_t n)
{
    size_t total = 0, i, need;
    unsigned char *p;
    for (i = 0; i < n; i++) total += lens[i];
    need = 1 + (binary ? 1 + SIO_BASE64_SIZE(total) : total);
    if (sio__reserve(&c->sys.alloc, &c->polling.out, &c->polling.out_cap, c->polling.out_len + need) != SIO_OK) return SIO_ERR_NOMEM;
    p = c->polling.out + c->polling.out_len;
    if (c->polling.out_len) *p++ = 0x1e;
    if (!binary) {
        for (i = 0; i < n; i++) {
            if (lens[i]) memcpy(p, pieces[i], lens[i]);
            p += lens[i];
        }
    } else {                                    /* attachments come as one piece */
        *p++ = 'b';
        p += sio_base64_encode((const unsigned char *)pieces[0], lens[0], (char *)p);
    }
    c->polling.out_len = (size_t)(p - c->polling.out);
    return SIO_OK;
}

/* Query values the server chose (the sid) are percent-encoded. */
static size_t sio__url_escape(char *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = 0;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || strchr("-_.~", ch)) {
            out[n++] = (char)ch;
        } else {
            out[n++] = '%';
            out[n++] = hex[ch >> 4];
            out[n++] = hex[ch & 15];
        }
    }
    out[n] = 0;
    return n;
}

/* Appends "METHOD target HTTP/1.1", Host, the application's headers and the
 * cookies to a link's output; the caller adds its own headers and the blank line. */
static int sio__http_head(sio_client *c, sio__link *l, const char *method, const char *transport, int with_sid)
{
    char sid[3 * sizeof c->eio.session.sid], stamp[12];
    unsigned char rnd[6];
    size_t need = 128 + strlen(c->eio.target) + strlen(c->eio.query) + strlen(c->request_head) + sizeof sid, i;
    char *p;
    for (i = 0; i < SIO__MAX_COOKIES; i++)
        if (c->eio.cookies[i]) need += strlen(c->eio.cookies[i]) + 2;
    if (sio__link_reserve(&c->sys, l, need) != SIO_OK) return SIO_ERR_NOMEM;
    sid[0] = 0;
    if (with_sid) sio__url_escape(sid, c->eio.session.sid);
    stamp[0] = 0;
    if (strcmp(transport, "polling") == 0 && sio__random(&c->sys, rnd, sizeof rnd) == SIO_OK) {
        sio_base64_encode(rnd, sizeof rnd, stamp);       /* the JS client's cache buster, URL-safe */
        for (i = 0; stamp[i]; i++) stamp[i] = stamp[i] == '+' ? '-' : stamp[i] == '/' ? '_' : stamp[i];
    }
    p = (char *)l->tx + l->tx_len;
    p += sprintf(p, "%s %s?EIO=%d&transport=%s%s%s%s%s%s%s HTTP/1.1\r\n%s", method, c->eio.target, c->eio.version, transport,
                 c->eio.query, stamp[0] ? "&t=" : "", stamp, c->eio.version == 3 && stamp[0] ? "&b64=1" : "",
                 with_sid ? "&sid=" : "", sid, c->request_head);
    for (i = 0; i < SIO__MAX_COOKIES; i++)
        if (c->eio.cookies[i]) {
            int first = 1;
            size_t k;
            for (k = 0; k < i; k++) if (c->eio.cookies[k]) first = 0;
            p += sprintf(p, "%s%s", first ? "Cookie: " : "; ", c->eio.cookies[i]);
        }
    for (i = 0; i < SIO__MAX_COOKIES; i++)
        if (c->eio.cookies[i]) { p += sprintf(p, "\r\n"); break; }
    l->tx_len = (size_t)((unsigned char *)p - l->tx);
    return SIO_OK;
}

/* Keeps the name=value of every Set-Cookie (sticky-session load balancers
 * route by them) to send back on later requests of this client. */
static void sio__take_cookies(sio_client *c, const sio_http_response *r)
{
    size_t h;
    for (h = 0; h < r->header_count; h++) {
        const sio_http_header *hd = &r->headers[h];
        size_t len = 0, name_len, i, free_slot = SIO__MAX_COOKIES;
        const char *eq;
        char *copy;
        if (!sio__span_ieq(hd->name, hd->name_len, "Set-Cookie")) continue;
        while (len < hd->value_len && hd->value[len] != ';') len++;
        while (len && (hd->value[len - 1] == ' ' || hd->value[len - 1] == '\t')) len--;
        eq = (const char *)memchr(hd->value, '=', len);
        if (!eq || eq == hd->value || len > 1024) continue;
        for (i = 0; i < len; i++)
            if ((unsigned char)hd->value[i] < 0x21 || hd->value[i] == 0x7f) break;
        if (i < len) continue;
        name_len = (size_t)(eq - hd->value) + 1;           /* with the '=' */
        for (i = 0; i < SIO__MAX_COOKIES; i++) {
            if (!c->eio.cookies[i]) { if (free_slot == SIO__MAX_COOKIES) free_slot = i; continue; }
            if (strncmp(c->eio.cookies[i], hd->value, name_len) == 0) break;
        }
        if (i == SIO__MAX_COOKIES) i = free_slot;
        if (i == SIO__MAX_COOKIES) continue;              /* full: the first ones win */
        copy = (char *)sio__realloc(&c->sys.alloc, NULL, len + 1);
        if (!copy) continue;
        memcpy(copy, hd->value, len);
        copy[len] = 0;
        sio__free(&c->sys.alloc, c->eio.cookies[i]);
        c->eio.cookies[i] = copy;
    }
}

/* Reads one HTTP response on a link.  Returns 1 when it is complete (the
 * body at rx_start + body_at .. dec), 0 when more is needed, or a negative
 * status with text filled. */
static int sio__http_receive(sio_client *c, sio__link *l, sio__http_in *in, uint64_t max_body,
                             char *text, size_t text_size)
{
    char err[128];
    int reads;
    for (reads = 0; reads < 3; reads++) {
        long n;
        size_t have = l->rx_len - l->rx_start;
        if (!in->head_done && have && memchr(l->rx + l->rx_start, '\n', have)) {
            sio_http_response resp;
            int r = sio_http_parse_response(&resp, (const char *)l->rx + l->rx_start, have);
            const sio_http_header *h;
            if (r < 0) {
                snprintf(text, text_size, "eio: polling response is not valid HTTP/1.1");
                return SIO_ERR_PROTOCOL;
            }
            if (r == 1) {
                in->head_done = 1;
                in->status = resp.status;
                h = sio_http_find_header(&resp, "Connection");
                in->closes = resp.minor_version == 0 || (h && sio_http_has_token(h->value, h->value_len, "close"));
                sio__take_cookies(c, &resp);
                if (sio_http_body_init(&in->body, &resp, max_body) != SIO_OK) {
                    snprintf(text, text_size, "eio: polling response body is too big or badly framed (limit %lu bytes)",
                             (unsigned long)max_body);
                    return SIO_ERR_TOO_BIG;
                }
                in->body_at = in->raw = in->dec = resp.head_len;
            }
        }
        if (!in->head_done && have >= c->max_handshake) {
            snprintf(text, text_size, "eio: polling response head exceeds %lu bytes", (unsigned long)c->max_handshake);
            return SIO_ERR_TOO_BIG;
        }
        if (in->head_done) {
            size_t used = 0, out = 0;
            int r = 1;
            if (in->body.mode != SIO_HTTP_BODY_NONE) {
                r = sio_http_body_decode(&in->body, l->rx + l->rx_start + in->raw, have - in->raw, &used, &out);
                if (r < 0) {
                    snprintf(text, text_size, "eio: polling response body is %s",
                             r == SIO_ERR_TOO_BIG ? "too big" : "badly chunked");
                    return r;
                }
                if (out && in->dec != in->raw) memmove(l->rx + l->rx_start + in->dec, l->rx + l->rx_start + in->raw, out);
                in->dec += out;
                in->raw += used;
            }
            if (r == 1) return 1;
        }
        err[0] = 0;
        n = sio__link_read(&c->sys, l, 0, err, sizeof err);
        if (n == SIO_ERR_AGAIN) return 0;
        if (n == 0 && in->head_done && in->body.mode == SIO_HTTP_BODY_UNTIL_CLOSE) {
            if (l->truncated) {                  /* the end is the body's length: it must be TLS's own */
                snprintf(text, text_size, "tls: the server ended a body delimited by the connection's end "
                         "without close_notify: it may have been cut short (truncation)");
                return SIO_ERR_TLS;
            }
            in->closes = 1;
            return 1;
        }
        if (n <= 0) {
            snprintf(text, text_size, "eio: polling connection %s%s%s", n == 0 ? "closed by the server" : "failed",
                     n == 0 ? "" : ": ", n == 0 ? "" : err);
            return n == 0 ? SIO_ERR_CLOSED : n == SIO_ERR_TLS ? SIO_ERR_TLS : SIO_ERR_IO;
        }
    }
    return 0;
}

/* An error status: the server's {"code","message"} body, or its first bytes. */
static void sio__http_error_text(const sio__link *l, const sio__http_in *in, const char *what, char *text, size_t size)
{
    const char *body = (const char *)l->rx + l->rx_start + in->body_at;
    size_t len = in->dec - in->body_at;
    sio_json v = sio_json_make(body, len), m, code;
    char msg[120];
    double num = -1;
    msg[0] = 0;
    if (len && sio_json_validate(body, len, 8, NULL) == SIO_OK && sio_json_find(v, "message", &m))
        sio_json_string(m, msg, sizeof msg, NULL);
    if (len && sio_json_validate(body, len, 8, NULL) == SIO_OK && sio_json_find(v, "code", &code))
        sio_json_number(code, &num);
    if (msg[0] && num >= 0 && num <= 1e6 && num == (double)(long)num)   /* range first, then convert */
        snprintf(text, size, "eio: %s refused: HTTP %d: %s (code %ld)", what, in->status, msg, (long)num);
    else if (msg[0])
        snprintf(text, size, "eio: %s refused: HTTP %d: %s", what, in->status, msg);
    else
        snprintf(text, size, "eio: %s refused: HTTP %d%s%.*s", what, in->status, len ? ": " : "",
                 (int)(len > 80 ? 80 : len), len ? body : "");
    for (len = 0; text[len]; len++)
        if ((unsigned char)text[len] < 0x20) text[len] = ' ';
}

/* Opens a link to the address that worked for the session (polling POSTs,
 * or a GET connection the server closed). */
static int sio__link_open(sio_client *c, sio__link *l, char *text, size_t text_size)
{
    char err[128];
    int r;
    err[0] = 0;
    r = sio__connect_attempt(c, &l->sock, err, sizeof err);
    if (r != SIO_OK) {
        l->sock = SIO_INVALID_SOCKET;
        snprintf(text, text_size, "tcp: cannot connect to %.80s port %u: %s", c->host, (unsigned)c->port,
                 err[0] ? err : sio_status_text(r));
        return r == SIO_ERR_NO_ADDRESS ? SIO_ERR_IO : r;
    }
    l->connecting = 1;
    l->may_read = 1;
    return SIO_OK;
}

/* Drops the response just handled; a connection the server ends is closed
 * (a new one is opened for the next request). */
static void sio__http_done(sio_client *c, sio__link *l, sio__http_in *in)
{
    l->rx_start += in->raw;
    if (l->rx_start == l->rx_len) l->rx_start = l->rx_len = 0;
    if (in->closes) {
        if (l->tls) c->sys.tls->close(l->tls);
        sio__close_socket(c, l->sock);
        l->tls = NULL;
        l->sock = SIO_INVALID_SOCKET;
        l->rx_start = l->rx_len = l->tx_sent = l->tx_len = 0;
    }
    memset(in, 0, sizeof *in);
}

/* Starts the GET (the handshake, then the long poll) and the POST of the
 * packets waiting, each when none is in flight.  Returns 0 or a status. */
static int sio__poll_requests(sio_client *c, char *text, size_t text_size)
{
    int r;
    if (c->upgrade.state == SIO__PROBE_PAUSE) return 0;       /* upgrading: polling is paused */
    if (!c->polling.get_busy && c->polling.pkt_end == 0 && c->phase == SIO__OPEN) {
        if (c->ln.sock == SIO_INVALID_SOCKET && (r = sio__link_open(c, &c->ln, text, text_size)) != SIO_OK) return r;
        if ((r = sio__http_head(c, &c->ln, "GET", "polling", c->eio.open)) != SIO_OK) return r;
        if (sio__link_reserve(&c->sys, &c->ln, 32) != SIO_OK) return SIO_ERR_NOMEM;
        c->ln.tx_len += (size_t)sprintf((char *)c->ln.tx + c->ln.tx_len, "Accept: */*\r\n\r\n");
        c->polling.get_busy = 1;
    }
    if (!c->polling.post_busy && c->polling.out_len && c->eio.open) {
        size_t max = c->eio.session.max_payload ? (size_t)c->eio.session.max_payload : 1000000, take = 0, next, body;
        if (c->eio.version == 3) max /= 2;                        /* room for the length prefixes */
        /* Whole packets while they fit under the server's maxPayload (at least one). */
        for (;;) {
            const unsigned char *sep = (const unsigned char *)memchr(c->polling.out + take + (take ? 1 : 0), 0x1e,
                                                                     c->polling.out_len - take - (take ? 1 : 0));
            next = sep ? (size_t)(sep - c->polling.out) : c->polling.out_len;
            if (take && next > max) break;
            take = next;
            if (!sep || take >= max) break;
        }
        if (c->polling.post.sock == SIO_INVALID_SOCKET && (r = sio__link_open(c, &c->polling.post, text, text_size)) != SIO_OK) return r;
        if ((r = sio__http_head(c, &c->polling.post, "POST", "polling", 1)) != SIO_OK) return r;
        body = c->eio.version == 3 ? sio_eio_v3_encode(NULL, c->polling.out, take) : take;
        if (sio__link_reserve(&c->sys, &c->polling.post, 96 + body) != SIO_OK) return SIO_ERR_NOMEM;
        c->polling.post.tx_len += (size_t)sprintf((char *)c->polling.post.tx + c->polling.post.tx_len,
                                          "Content-Type: text/plain;charset=UTF-8\r\nContent-Length: %lu\r\n\r\n",
                                          (unsigned long)body);
        if (c->eio.version == 3) sio_eio_v3_encode(c->polling.post.tx + c->polling.post.tx_len, c->polling.out, take);
        else memcpy(c->polling.post.tx + c->polling.post.tx_len, c->polling.out, take);
        c->polling.post.tx_len += body;
        if (take < c->polling.out_len) take++;                      /* the separator after the batch */
        memmove(c->polling.out, c->polling.out + take, c->polling.out_len - take);
        c->polling.out_len -= take;
        c->polling.post_busy = 1;
    }
    return 0;
}

/* The next packet of a GET body, NUL-terminated in place (v4: on the
 * separator; v3: the byte after it is borrowed).  Returns 1, 0 at the end,
 * or SIO_ERR_PROTOCOL for a malformed v3 payload. */
static int sio__poll_next(sio_client *c, unsigned char **out, size_t *out_len)
{
    unsigned char *body, *p;
    size_t off = 0, len = 0;
    int r;
    if (!c->ln.rx) return 0;                      /* released (the connection failed): nothing left */
    body = c->ln.rx + c->ln.rx_start;
    r = sio_eio_payload_next(c->eio.version, body, c->polling.pkt_end, &c->polling.pkt_pos, &off, &len);
    if (r != 1) return r;
    p = body + off;
    if (c->eio.version == 3) {
        c->events.nul_at = p + len;
        c->events.nul_saved = p[len];
    }
    p[len] = 0;                                   /* the separator, the next length, or the spare byte */
    if (c->eio.version == 3 && len >= 2 && p[0] == 'b') {   /* "b4<base64>": drop the type */
        p[1] = 'b';
        p++;
        len--;
    }
    *out = p;
    *out_len = len;
    return 1;
}

/* Hands the packets of a received GET body to the Engine.IO layer, one
 * event at a time.  Returns 1 with an event. */
static int sio__poll_packets(sio_client *c, sio_event *ev)
{
    unsigned char *p;
    size_t len;
    int r;
    while ((r = sio__poll_next(c, &p, &len)) == 1) {
        if (sio__io_message(c, 0, p, len, ev)) return 1;
        if (c->phase < SIO__OPEN || c->phase == SIO__FAILING) return 0;
        if (c->events.nul_at) {
            *c->events.nul_at = c->events.nul_saved;
            c->events.nul_at = NULL;
        }
    }
    if (r < 0) {
        sio__io_parse_error(c, "eio: malformed Engine.IO 3 payload (<length>:<packet> expected)");
        return 0;
    }
    if (c->polling.pkt_end) {                                         /* the body is handled */
        c->polling.pkt_pos = c->polling.pkt_end = 0;
        sio__http_done(c, &c->ln, &c->polling.get_in);
    }
    return 0;
}

