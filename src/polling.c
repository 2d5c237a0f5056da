/* ---------------------------------------------------------------------- */
/* polling: Engine.IO's HTTP long-polling transport on links: the POST     */
/* body, the responses (head, cookies, body), their end                   */
/* ---------------------------------------------------------------------- */

/* An HTTP response being read on a link; offsets are from the link's rx_start. */
typedef struct sio__http_in {
    int head_done, status, closes;     /* closes: the server ends the connection after it */
    sio_http_body body;
    size_t body_at, raw, dec;          /* body start; undecoded bytes; end of the decoded body */
} sio__http_in;

#define SIO__MAX_COOKIES 16

/* Engine.IO over HTTP long-polling: one long-poll GET on the client's link,
 * at most one POST on a link of its own. */
typedef struct sio__polling {
    int active;                        /* this session runs over polling */
    sio__link post;
    sio__http_in get_in, post_in;
    int get_busy, post_busy;           /* a request is in flight */
    size_t pkt_pos, pkt_end;           /* packets of a GET body still to handle (ln.rx offsets) */
    unsigned char *out;                /* packets for the next POST, 0x1e-separated */
    size_t out_len, out_cap;
} sio__polling;

/* Appends an Engine.IO packet to the next POST body: packets are separated
 * by 0x1e, binary ones are "b" + base64. */
#if SIO__WITH_POLLING   /* SIO_NO_POLLING leaves the long-polling transport out */
static int sio__polling_append(sio__polling *pl, const sio_allocator *a, int binary, const void *const *pieces, const size_t *lens, size_t n)
{
    size_t total = 0, i, need;
    unsigned char *p;
    for (i = 0; i < n; i++) total += lens[i];
    need = 1 + (binary ? 1 + SIO_BASE64_SIZE(total) : total);
    if (sio__reserve(a, &pl->out, &pl->out_cap, pl->out_len + need) != SIO_OK) return SIO_ERR_NOMEM;
    p = pl->out + pl->out_len;
    if (pl->out_len) *p++ = 0x1e;
    if (!binary) {
        for (i = 0; i < n; i++) {
            if (lens[i]) memcpy(p, pieces[i], lens[i]);
            p += lens[i];
        }
    } else {                                    /* attachments come as one piece */
        *p++ = 'b';
        p += sio_base64_encode((const unsigned char *)pieces[0], lens[0], (char *)p);
    }
    pl->out_len = (size_t)(p - pl->out);
    return SIO_OK;
}

/* Keeps the name=value of every Set-Cookie (sticky-session load balancers
 * route by them) to send back on later requests of this client. */
static void sio__polling_take_cookies(const sio_allocator *a, char **cookies, const sio_http_response *r)
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
            if (!cookies[i]) { if (free_slot == SIO__MAX_COOKIES) free_slot = i; continue; }
            if (strncmp(cookies[i], hd->value, name_len) == 0) break;
        }
        if (i == SIO__MAX_COOKIES) i = free_slot;
        if (i == SIO__MAX_COOKIES) continue;              /* full: the first ones win */
        copy = (char *)sio__realloc(a, NULL, len + 1);
        if (!copy) continue;
        memcpy(copy, hd->value, len);
        copy[len] = 0;
        sio__free(a, cookies[i]);
        cookies[i] = copy;
    }
}

/* Reads one HTTP response on a link, keeping its cookies.  Returns 1 when
 * it is complete (the body at rx_start + body_at .. dec), 0 when more is
 * needed, or a negative status with text filled. */
static int sio__polling_receive(sio__system *sys, sio__link *l, sio__http_in *in, size_t max_head, uint64_t max_body,
                                char **cookies, char *text, size_t text_size)
{
    char err[128];
    int reads;
    for (reads = 0;; reads++) {
        long n;
        size_t have = l->rx_len - l->rx_start;
        if (!in->head_done && have && memchr(l->rx + l->rx_start, '\n', have)) {
            sio_http_response *resp;
            int r = sio__http_parse_response_heap(&sys->alloc, &resp, (const char *)l->rx + l->rx_start, have);
            const sio_http_header *h;
            if (r < 0) {
                snprintf(text, text_size, "%s", r == SIO_ERR_NOMEM ? "eio: out of memory reading a polling response"
                                                                   : "eio: polling response is not valid HTTP/1.1");
                return r == SIO_ERR_NOMEM ? SIO_ERR_NOMEM : SIO_ERR_PROTOCOL;
            }
            if (r == 1) {
                in->head_done = 1;
                in->status = resp->status;
                h = sio_http_find_header(resp, "Connection");
                in->closes = resp->minor_version == 0 || (h && sio_http_has_token(h->value, h->value_len, "close"));
                sio__polling_take_cookies(&sys->alloc, cookies, resp);
                r = sio_http_body_init(&in->body, resp, max_body);
                in->body_at = in->raw = in->dec = resp->head_len;
                sio__free(&sys->alloc, resp);
                if (r != SIO_OK) {
                    snprintf(text, text_size, "eio: polling response body is too big or badly framed (limit %lu bytes)",
                             (unsigned long)max_body);
                    return SIO_ERR_TOO_BIG;
                }
            }
        }
        if (!in->head_done && have >= max_head) {
            snprintf(text, text_size, "eio: polling response head exceeds %lu bytes", (unsigned long)max_head);
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
        if (reads == 3) return 0;                /* every read was looked at: what it brought is not left unread */
        err[0] = 0;
        n = sio__link_read(sys, l, 0, err, sizeof err);
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
}

/* An error status: the server's {"code","message"} body, or its first bytes. */
static void sio__polling_error_text(const sio__link *l, const sio__http_in *in, const char *what, char *text, size_t size)
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

/* Drops the response just handled.  Returns 1 when the server ends the
 * connection after it: its TLS session is closed and the caller closes the
 * socket (a new connection is opened for the next request). */
static int sio__polling_done(const sio__system *sys, sio__link *l, sio__http_in *in)
{
    int closes = in->closes;
    l->rx_start += in->raw;
    if (l->rx_start == l->rx_len) l->rx_start = l->rx_len = 0;
    if (closes) {
        if (l->tls) sys->tls->close(l->tls);
        l->tls = NULL;
        l->rx_start = l->rx_len = l->tx_sent = l->tx_len = 0;
    }
    memset(in, 0, sizeof *in);
    return closes;
}
#endif
