/* ---------------------------------------------------------------------- */
/* websocket: one WebSocket connection on a link (RFC 6455): the opening  */
/* handshake, frames both ways, the close handshake                       */
/* ---------------------------------------------------------------------- */

/* Pongs (WebSocket and Engine.IO) may exceed the send queue's bound by this
 * much: an application that filled the queue must not lose its connection
 * to the next ping, yet a server that pings without reading still meets a
 * bound. */
#define SIO__PONG_SLACK ((size_t)4096)

/* What sio__websocket_receive found. */
enum { SIO__WS_MORE = 0, SIO__WS_MESSAGE = 1, SIO__WS_PEER_CLOSED = 2, SIO__WS_PONG = 3 };

/* Keepalive for a plain WebSocket (sio_config.ping_interval_ms): an engine
 * without I/O.  A ping goes out every interval; a connection from which
 * nothing at all (the pong, or anything else: a server busy with a burst
 * answers behind it) was read within timeout after a ping is dead, so a
 * dead one is found within interval + timeout.  The pings carry a
 * sequence number, so the pong answering the latest one gives the
 * round-trip time. */
typedef struct sio__keepalive {
    uint64_t interval, timeout;        /* ms; interval 0: off; timeout 0: never dead */
    uint64_t next_ping;                /* 0: not running */
    uint64_t ping_at;                  /* the latest ping (0: none unanswered) */
    uint32_t seq;                      /* its number, the payload of its pong */
} sio__keepalive;

enum { SIO__KEEPALIVE_NOTHING, SIO__KEEPALIVE_PING, SIO__KEEPALIVE_DEAD };

static void sio__keepalive_start(sio__keepalive *k, uint64_t now)
{
    k->ping_at = 0;
    k->next_ping = k->interval ? now + k->interval : 0;
}

static void sio__keepalive_stop(sio__keepalive *k) { k->next_ping = k->ping_at = 0; }

/* When the last ping is due to have been answered: 0 when no answer is awaited. */
static uint64_t sio__keepalive_dead_at(const sio__keepalive *k, uint64_t heard)
{
    if (!k->ping_at || !k->timeout || heard >= k->ping_at) return 0;
    return k->ping_at + k->timeout;
}

/* What is due at now, given when the link last read anything: a ping (its
 * number in k->seq; its pong is awaited from now on), or death. */
static int sio__keepalive_due(sio__keepalive *k, uint64_t now, uint64_t heard)
{
    uint64_t dead = sio__keepalive_dead_at(k, heard);
    if (!k->next_ping) return SIO__KEEPALIVE_NOTHING;
    if (dead && now >= dead) return SIO__KEEPALIVE_DEAD;
    if (now < k->next_ping) return SIO__KEEPALIVE_NOTHING;
    k->next_ping = now + k->interval;
    if (!dead) {                       /* an unanswered ping still has its own deadline */
        k->ping_at = now;
        k->seq++;
    }
    return SIO__KEEPALIVE_PING;
}

/* When sio__keepalive_due has something next; 0: never. */
static uint64_t sio__keepalive_deadline(const sio__keepalive *k, uint64_t heard)
{
    uint64_t dead = sio__keepalive_dead_at(k, heard);
    if (!k->next_ping) return 0;
    return dead && dead < k->next_ping ? dead : k->next_ping;
}

/* The latest ping's payload: its number, big-endian. */
#define SIO__KEEPALIVE_PAYLOAD 4
static void sio__keepalive_payload(const sio__keepalive *k, unsigned char out[SIO__KEEPALIVE_PAYLOAD])
{
    out[0] = (unsigned char)(k->seq >> 24);
    out[1] = (unsigned char)(k->seq >> 16);
    out[2] = (unsigned char)(k->seq >> 8);
    out[3] = (unsigned char)k->seq;
}

/* A pong's round-trip time in ms if it answers the latest ping, else -1. */
static int sio__keepalive_pong(sio__keepalive *k, const unsigned char *p, size_t n, uint64_t now)
{
    uint64_t rtt;
    if (!k->ping_at || n != SIO__KEEPALIVE_PAYLOAD) return -1;
    if ((((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3]) != k->seq) return -1;
    rtt = now - k->ping_at;
    k->ping_at = 0;
    return rtt > (uint64_t)INT_MAX ? INT_MAX : (int)rtt;
}

/* A WebSocket connection's state; the link it runs on is an argument. */
typedef struct sio__websocket {
    sio_ws_rx rx;                      /* the frame receiver (with max_message and the allocator) */
    size_t rx_need, hs_scanned;        /* bytes wanted before parsing again; handshake bytes scanned */
    size_t fragment;                   /* payload bytes per outgoing data frame; 0: a frame per message */
    size_t peeked;                     /* bytes after the link's rx_start already seen by sio__websocket_peek */
    char **protocols;                  /* the Sec-WebSocket-Protocol offers (owned) */
    size_t protocol_count;
    int close_sent, close_code;
    char accept[29];                   /* the Sec-WebSocket-Accept expected */
    char protocol[SIO_MAX_PROTOCOL + 1]; /* negotiated subprotocol */
    char close_reason[128];
    /* permessage-deflate (RFC 7692): what the client offers, then what the
     * connection agreed.  Each message is compressed on its own; the
     * server's history is kept only when it keeps one (context takeover). */
    int deflate_offer;                 /* offer it (sio_config.deflate) */
    int deflate_bits;                  /* the server's window asked for, 9..15 (server_max_window_bits) */
    int deflate_no_takeover;           /* ask for server_no_context_takeover */
    size_t deflate_threshold;          /* shorter messages go out uncompressed */
    int deflate_on;                    /* agreed for this connection */
    sio_inflater inflater;
    sio_deflater deflater;
    sio__keepalive keepalive;          /* plain WebSocket only: Engine.IO has its heartbeat */
    int tx_parts;                      /* a message sent in parts is open */
    int tx_opcode;                     /* its next frame's: TEXT or BINARY, then CONTINUATION */
    int tx_text;
    sio_utf8 tx_utf8;                  /* its text so far */
    /* The last frame queued on the link, while it is the link's last bytes:
     * a part may grow it instead of adding a fragment (servers cap the
     * fragments of a message: npm ws at 16384). */
    int tail;                          /* a fragment of the message in parts, nothing after it */
    int tail_opcode;
    size_t tail_head, tail_payload;    /* header (with the mask) and payload bytes */
    unsigned char tail_key[4];
} sio__websocket;

/* Forgets a message in progress (a new connection, or a new transport). */
static void sio__websocket_rx_reset(sio__websocket *ws)
{
    sio_allocator a = ws->rx.allocator;
    size_t max = ws->rx.max_message;
    int parts = ws->rx.parts;
    sio_ws_rx_free(&ws->rx);
    memset(&ws->rx, 0, sizeof ws->rx);
    ws->rx.allocator = a;
    ws->rx.max_message = max;
    ws->rx.parts = parts;
    ws->rx.compression = ws->deflate_on;       /* a new transport keeps what its handshake agreed */
    ws->rx_need = 0;
    ws->peeked = 0;
}

/* A new connection: nothing received, nothing negotiated, no close yet. */
static void sio__websocket_begin(sio__websocket *ws)
{
    ws->deflate_on = 0;
    sio__websocket_rx_reset(ws);
#if SIO__WITH_DEFLATE
    sio_inflater_free(&ws->inflater);          /* no history from the last connection */
#endif
    ws->hs_scanned = 0;
    ws->tx_parts = ws->tail = 0;               /* a message sent in parts ended with its connection */
    ws->close_sent = 0;
    ws->close_code = SIO_CLOSE_ABNORMAL;
    ws->close_reason[0] = 0;
    ws->protocol[0] = 0;
}

/* An idle connection gives back a large message buffer. */
static void sio__websocket_trim(sio__websocket *ws)
{
    if (!ws->rx.in_message && ws->rx.buffer_cap > SIO__KEEP) sio_ws_rx_free(&ws->rx);
#if SIO__WITH_DEFLATE
    sio_inflater_trim(&ws->inflater);          /* kept only with the server's history */
#endif
}

/* The connection is gone: the server's history and any compression
 * buffers go with it. */
static void sio__websocket_forget(sio__websocket *ws)
{
#if SIO__WITH_DEFLATE
    sio_inflater_free(&ws->inflater);
    sio_deflater_free(&ws->deflater);
#else
    (void)ws;
#endif
}

/* The heap a connection holds beyond its struct and its link. */
static size_t sio__websocket_memory(const sio__websocket *ws)
{
    size_t i, n = ws->rx.buffer_cap + ws->protocol_count * sizeof(char *);
    for (i = 0; i < ws->protocol_count; i++) n += sio__str_size(ws->protocols[i]);
    return n + (ws->inflater.buffer ? ws->inflater.cap + 1 : 0) + ws->inflater.copy_cap + ws->deflater.out_cap;
}

/* Gives back everything; a is what the protocols were copied with. */
static void sio__websocket_free(sio__websocket *ws, const sio_allocator *a)
{
    size_t i;
    sio_ws_rx_free(&ws->rx);
    for (i = 0; i < ws->protocol_count; i++) sio__free(a, ws->protocols[i]);
    sio__free(a, ws->protocols);
    ws->protocols = NULL;
    ws->protocol_count = 0;
#if SIO__WITH_DEFLATE
    sio_inflater_free(&ws->inflater);
    sio_deflater_free(&ws->deflater);
#endif
}

/* Ends the opening handshake's request, begun by the caller on l, with the
 * WebSocket headers and a fresh key (RFC 6455 4.1). */
static int sio__websocket_request(sio__websocket *ws, sio__system *sys, sio__link *l)
{
    unsigned char nonce[16];
    char key[SIO_BASE64_SIZE(16)], *p;
    size_t need = 160, i;
    if (sio__random(sys, nonce, sizeof nonce) != SIO_OK) return SIO_ERR_IO;
    sio_base64_encode(nonce, sizeof nonce, key);
    sio_ws_accept_key(key, ws->accept);
    for (i = 0; i < ws->protocol_count; i++) need += strlen(ws->protocols[i]) + 2;
    if (sio__link_reserve(sys, l, need + 160) != SIO_OK) return SIO_ERR_NOMEM;
    p = (char *)l->tx + l->tx_len;
    p += sprintf(p, "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n");
#if SIO__WITH_DEFLATE
    /* We never refer back to earlier messages; the server may keep its
     * history (within the window asked for) unless told not to. */
    if (ws->deflate_offer) {
        p += sprintf(p, "Sec-WebSocket-Extensions: permessage-deflate; client_no_context_takeover; client_max_window_bits");
        if (ws->deflate_bits < 15) p += sprintf(p, "; server_max_window_bits=%d", ws->deflate_bits);
        if (ws->deflate_no_takeover) p += sprintf(p, "; server_no_context_takeover");
        p += sprintf(p, "\r\n");
    }
#endif
    for (i = 0; i < ws->protocol_count; i++)
        p += sprintf(p, "%s%s%s", i ? ", " : "Sec-WebSocket-Protocol: ", ws->protocols[i],
                     i + 1 == ws->protocol_count ? "\r\n" : "");
    p += sprintf(p, "Sec-WebSocket-Key: %s\r\n\r\n", key);
    l->tx_len = (size_t)((unsigned char *)p - l->tx);
    return SIO_OK;
}

/* How much of a header value is commas and blanks only: all of it for an
 * empty list. */
static size_t sio__list_blank(const char *v, size_t n)
{
    size_t i = 0;
    while (i < n && (v[i] == ',' || v[i] == ' ' || v[i] == '\t')) i++;
    return i;
}

#if SIO__WITH_DEFLATE
/* One parameter of an extension: name [= value], value a token or a
 * quoted string.  Returns the position after it, or NULL if malformed. */
static const char *sio__extension_param(const char *p, const char *end, const char **name, size_t *name_len,
                                        char *value, size_t value_size)
{
    size_t n = 0;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    *name = p;
    while (p < end && sio__is_tchar((unsigned char)*p)) p++;
    *name_len = (size_t)(p - *name);
    value[0] = 0;
    while (p < end && (*p == ' ' || *p == '\t')) p++;
    if (!*name_len) return NULL;
    if (p < end && *p == '=') {
        int quoted;
        p++;
        while (p < end && (*p == ' ' || *p == '\t')) p++;
        quoted = p < end && *p == '"';
        if (quoted) p++;
        while (p < end && (quoted ? *p != '"' : sio__is_tchar((unsigned char)*p))) {
            if (quoted && *p == '\\' && p + 1 < end) p++;
            if (n + 1 >= value_size) return NULL;
            value[n++] = *p++;
        }
        if (quoted && (p == end || *p++ != '"')) return NULL;
        value[n] = 0;
        if (!n) return NULL;
        while (p < end && (*p == ' ' || *p == '\t')) p++;
    }
    return p;
}
#endif

/* The server's Sec-WebSocket-Extensions: nothing, or permessage-deflate
 * within what was offered (RFC 7692 7.1); anything else fails the
 * handshake with why filled. */
static int sio__websocket_extensions(sio__websocket *ws, const sio_http_response *r, char *why, size_t why_size)
{
    size_t i, count = 0;
    const sio_http_header *h = NULL;
#if SIO__WITH_DEFLATE
    static const char *const names[4] = {"server_no_context_takeover", "client_no_context_takeover",
                                          "server_max_window_bits", "client_max_window_bits"};
    const char *p, *end, *name, *problem = NULL;
    size_t name_len;
    int seen[4] = {0, 0, 0, 0}, bits[4] = {0, 0, 15, 15};
    char value[8];
#endif
    for (i = 0; i < r->header_count; i++)     /* empty lists count as none (RFC 7230 7) */
        if (sio__span_ieq(r->headers[i].name, r->headers[i].name_len, "Sec-WebSocket-Extensions") &&
            r->headers[i].value_len > sio__list_blank(r->headers[i].value, r->headers[i].value_len)) {
            h = &r->headers[i];
            count++;
        }
    ws->deflate_on = 0;
    ws->rx.compression = 0;
    if (!h) return SIO_OK;
#if SIO__WITH_DEFLATE
    if (ws->deflate_offer && count == 1) {
        p = h->value;
        end = h->value + h->value_len;
        while (p < end && (*p == ',' || *p == ' ' || *p == '\t')) p++;              /* empty elements */
        while (end > p && (end[-1] == ',' || end[-1] == ' ' || end[-1] == '\t')) end--;
        p = sio__extension_param(p, end, &name, &name_len, value, sizeof value);
        if (!p || !sio__span_ieq(name, name_len, "permessage-deflate") || value[0])
            problem = "an extension the client did not offer";
        while (!problem && p < end) {
            int k;
            if (*p != ';') {
                problem = *p == ',' ? "more than one extension" : "a malformed permessage-deflate response";
                break;
            }
            if (!(p = sio__extension_param(p + 1, end, &name, &name_len, value, sizeof value))) {
                problem = "a malformed permessage-deflate response";
                break;
            }
            for (k = 0; k < 4 && !sio__span_ieq(name, name_len, names[k]); k++) {}
            if (k == 4) problem = "a permessage-deflate parameter the client did not offer";
            else if (seen[k]++) problem = "a permessage-deflate parameter twice";
            else if (k < 2 && value[0]) problem = "a value on a no_context_takeover parameter";
            else if (k >= 2) {
                /* 8..15 as plain digits, no sign, no leading zero */
                bits[k] = value[0] >= '1' && value[0] <= '9' && (!value[1] || (!value[2] && value[1] >= '0' && value[1] <= '9'))
                        ? atoi(value) : 0;
                if (bits[k] < 8 || bits[k] > 15) problem = "window bits missing or outside 8..15";
                else if (k == 2 && bits[k] > ws->deflate_bits) problem = "server_max_window_bits above the one offered";
            }
        }
        /* What the client asked of the server is accepted only by being
         * repeated (RFC 7692 7.1.1.1, 7.1.2.1). */
        if (!problem && ws->deflate_no_takeover && !seen[0]) problem = "server_no_context_takeover left out";
        if (!problem && ws->deflate_bits < 15 && !seen[2]) problem = "server_max_window_bits left out";
        if (!problem) {
            /* zlib makes a 512-byte window when a server says 8 */
            ws->deflate_on = 1;
            ws->rx.compression = 1;
            ws->inflater.window = seen[0] ? 0 : (size_t)1 << (bits[2] < 9 ? 9 : bits[2]);
            ws->inflater.allocator = ws->rx.allocator;
            ws->deflater.allocator = ws->rx.allocator;
            ws->deflater.window_bits = (unsigned)bits[3];
            return SIO_OK;
        }
        snprintf(why, why_size, "ws: server answered permessage-deflate with %s (RFC 7692 7.1)", problem);
        return SIO_ERR_HANDSHAKE;
    }
#endif
    snprintf(why, why_size, "ws: server selected an extension the client did not offer (RFC 6455 4.1)");
    return SIO_ERR_HANDSHAKE;
}

/* Checks the server's 101 answer (RFC 6455 4.1, client requirements 1-6). */
static int sio__websocket_check(sio__websocket *ws, const sio_http_response *r, char *why, size_t why_size)
{
    const sio_http_header *h;
    size_t i;
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
    if (!h || h->value_len != 28 || memcmp(h->value, ws->accept, 28) != 0) {
        snprintf(why, why_size, "ws: handshake response has a %s Sec-WebSocket-Accept (RFC 6455 4.1)",
                 h ? "wrong" : "missing");
        return SIO_ERR_HANDSHAKE;
    }
    if (sio__websocket_extensions(ws, r, why, why_size) != SIO_OK) return SIO_ERR_HANDSHAKE;
    ws->protocol[0] = 0;
    h = sio_http_find_header(r, "Sec-WebSocket-Protocol");
    if (!h) return SIO_OK;
    for (i = 0; i < ws->protocol_count; i++)
        if (strlen(ws->protocols[i]) == h->value_len && memcmp(ws->protocols[i], h->value, h->value_len) == 0)
            break;
    if (i == ws->protocol_count) {
        snprintf(why, why_size, "ws: server selected subprotocol '%.*s' that the client did not offer (RFC 6455 4.1)",
                 (int)(h->value_len > 60 ? 60 : h->value_len), h->value);
        return SIO_ERR_HANDSHAKE;
    }
    if (h->value_len >= sizeof ws->protocol) {   /* offers are bounded at sio_create; never trust that here */
        snprintf(why, why_size, "ws: server selected a subprotocol longer than %d bytes", SIO_MAX_PROTOCOL);
        return SIO_ERR_HANDSHAKE;
    }
    memcpy(ws->protocol, h->value, h->value_len);
    ws->protocol[h->value_len] = 0;
    return SIO_OK;
}

/* Looks for the server's answer to the opening handshake in l's bytes.
 * Returns 1 when a valid 101 came (its head consumed; frames after it stay
 * buffered), 0 while the head is incomplete, or a negative status with why
 * filled. */
static int sio__websocket_handshake(sio__websocket *ws, sio__link *l, size_t max_head, char *why, size_t why_size)
{
    size_t have = l->rx_len - l->rx_start, from = ws->hs_scanned > 3 ? ws->hs_scanned - 3 : 0;
    /* Parse only once a blank line can be there. */
    if (have > from && memchr(l->rx + l->rx_start + from, '\n', have - from)) {
        sio_http_response *resp;
        int r = sio__http_parse_response_heap(&ws->rx.allocator, &resp, (const char *)l->rx + l->rx_start, have);
        if (r < 0) {
            snprintf(why, why_size, "%s", r == SIO_ERR_NOMEM ? "ws: out of memory reading the handshake response"
                                          : r == SIO_ERR_TOO_BIG ? "ws: handshake response has too many headers"
                                                                 : "ws: handshake response is not valid HTTP/1.1");
            return r == SIO_ERR_NOMEM ? SIO_ERR_NOMEM : SIO_ERR_HANDSHAKE;
        }
        if (r == 1) {
            size_t head_len = resp->head_len;
            r = sio__websocket_check(ws, resp, why, why_size);
            sio__free(&ws->rx.allocator, resp);
            if (r != SIO_OK) return r;
            l->rx_start += head_len;
            return 1;
        }
    }
    ws->hs_scanned = have;
    if (have >= max_head) {
        snprintf(why, why_size, "ws: handshake response head exceeds %lu bytes (max_handshake)", (unsigned long)max_head);
        return SIO_ERR_TOO_BIG;
    }
    return 0;
}

/* A data message of at least the threshold, compressed when that makes
 * it shorter: 1 with *data and *len the compressed bytes (the deflater's,
 * until sio__websocket_compressed_sent), 0 to send it as it is, or
 * SIO_ERR_NOMEM. */
static int sio__websocket_compress(sio__websocket *ws, int opcode, const unsigned char **data, size_t *len)
{
#if SIO__WITH_DEFLATE
    const unsigned char *out;
    size_t n;
    int r;
    if (!ws->deflate_on || opcode > SIO_WS_BINARY || *len < ws->deflate_threshold) return 0;
    r = sio_deflate_message(&ws->deflater, *data, *len, *len, &out, &n);
    if (r == SIO_ERR_TOO_BIG) return 0;
    if (r != SIO_OK) return r;
    *data = out;
    *len = n;
    return 1;
#else
    (void)ws; (void)opcode; (void)data; (void)len;
    return 0;
#endif
}

/* The compressed bytes were framed: an idle sender holds no buffer. */
static void sio__websocket_compressed_sent(sio__websocket *ws)
{
#if SIO__WITH_DEFLATE
    sio_deflater_free(&ws->deflater);
#else
    (void)ws;
#endif
}

#if SIO__WITH_SOCKETIO   /* Engine.IO packets and the probe's frames */
/* Queues one masked frame on l whose payload is the pieces, one after the
 * other (compressed as one message when that was agreed and pays). */
static int sio__websocket_frame(sio__websocket *ws, sio__system *sys, sio__link *l, int opcode,
                                const void *const *pieces, const size_t *lens, size_t n)
{
    unsigned char key[4];
    size_t total = 0, i, off = 0, hl;
    const unsigned char *packed = NULL;
    unsigned char *joined = NULL;
    int compressed = 0, r = SIO_OK;
    for (i = 0; i < n; i++) total += lens[i];
    if (ws->deflate_on && opcode <= SIO_WS_BINARY && total >= ws->deflate_threshold) {
        joined = (unsigned char *)sio__realloc(&sys->alloc, NULL, total ? total : 1);
        if (!joined) return SIO_ERR_NOMEM;
        for (i = 0; i < n; i++) {
            if (lens[i]) memcpy(joined + off, pieces[i], lens[i]);
            off += lens[i];
        }
        off = 0;
        packed = joined;
        compressed = sio__websocket_compress(ws, opcode, &packed, &total);
        if (compressed < 0) {
            sio__free(&sys->alloc, joined);
            return compressed;
        }
        if (compressed) {
            sio__free(&sys->alloc, joined);
            joined = NULL;
        }
    }
    if (sio__link_reserve(sys, l, sio_ws_frame_size(total, 1)) != SIO_OK) r = SIO_ERR_NOMEM;
    else if (sio__random(sys, key, 4) != SIO_OK) r = SIO_ERR_IO;
    if (r != SIO_OK) {
        sio__free(&sys->alloc, joined);
        if (compressed) sio__websocket_compressed_sent(ws);
        return r;
    }
    hl = sio_ws_encode_header(l->tx + l->tx_len, 1, opcode, (uint64_t)total, key);
    if (compressed) l->tx[l->tx_len] |= 0x40;                 /* RSV1: compressed (RFC 7692 6) */
    if (packed) {
        sio__mask_copy(l->tx + l->tx_len + hl, packed, total, key, 0);
    } else {
        for (i = 0; i < n; i++) {
            sio__mask_copy(l->tx + l->tx_len + hl + off, (const unsigned char *)pieces[i], lens[i], key, off);
            off += lens[i];
        }
    }
    l->tx_len += hl + total;
    ws->tail = 0;
    sio__free(&sys->alloc, joined);
    if (compressed) sio__websocket_compressed_sent(ws);
    return SIO_OK;
}
#endif

/* Queues data as frames of at most ws->fragment payload bytes (control
 * frames whole): the first with opcode (and RSV1 when compressed), the
 * others continuations, the last with FIN when fin; all of them or none.
 * Refuses (SIO_ERR_FULL) when the bytes waiting on the link would pass
 * limit ((size_t)-1 for the close and pongs). */
static int sio__websocket_frames(sio__websocket *ws, sio__system *sys, sio__link *l, int opcode, int compressed,
                                 int fin_last, const unsigned char *data, size_t len, size_t limit)
{
    size_t frag, total = 0, off, start;
    int first = 1, r = SIO_OK;
    frag = (ws->fragment && opcode < 8) ? ws->fragment : (len ? len : 1);
    for (off = 0; off < len || first; off += frag, first = 0) {
        size_t n = len - off < frag ? len - off : frag;
        total += sio_ws_frame_size(n, 1);
        if (off + n >= len) break;
    }
    if ((l->tx_len - l->tx_sent) + total > limit) r = SIO_ERR_FULL;
    else if (sio__link_reserve(sys, l, total) != SIO_OK) r = SIO_ERR_NOMEM;
    off = 0;
    start = l->tx_len;                            /* after the reserve, which may move what is pending */
    if (r == SIO_OK) do {
        unsigned char key[4];
        size_t n = len - off < frag ? len - off : frag;
        int fin = off + n >= len && fin_last;
        if (sio__random(sys, key, 4) != SIO_OK) {
            l->tx_len = start;                    /* no fragment of a message that cannot be finished */
            r = SIO_ERR_IO;
            break;
        }
        ws->tail_opcode = off == 0 ? opcode : SIO_WS_CONTINUATION;
        ws->tail_payload = n;
        ws->tail_head = sio_ws_frame_size(n, 1) - n;
        memcpy(ws->tail_key, key, 4);
        l->tx_len += sio_ws_encode(l->tx + l->tx_len, fin, ws->tail_opcode, data + off, n, key);
        if (off == 0 && compressed) l->tx[start] |= 0x40;   /* RSV1 on the first frame only (RFC 7692 6) */
        off += n;
    } while (off < len);
    ws->tail = 0;                                 /* what comes after a fragment ends its growing */
    return r;
}

/* Grows the last fragment of the message in parts by a part, when that
 * fragment is the link's last bytes and none of it went yet (FIN too with
 * fin): 1 when done, 0 when a new fragment is needed, or SIO_ERR_FULL /
 * SIO_ERR_NOMEM.  The payload keeps its mask key, continued at its offset. */
static int sio__websocket_grow(sio__websocket *ws, sio__system *sys, sio__link *l, const unsigned char *data,
                               size_t len, int fin, size_t limit)
{
    size_t start, head, more;
    if (!ws->tail || l->tx_len - l->tx_sent < ws->tail_head + ws->tail_payload ||
        (ws->fragment && ws->tail_payload + len > ws->fragment))
        return 0;
    head = sio_ws_frame_size(ws->tail_payload + len, 1) - (ws->tail_payload + len);
    more = head - ws->tail_head + len;
    if ((l->tx_len - l->tx_sent) + more > limit) return SIO_ERR_FULL;
    if (sio__link_reserve(sys, l, more) != SIO_OK) return SIO_ERR_NOMEM;
    start = l->tx_len - ws->tail_head - ws->tail_payload;     /* the reserve may have moved it: from the end */
    if (head != ws->tail_head)
        memmove(l->tx + start + head, l->tx + start + ws->tail_head, ws->tail_payload);
    sio_ws_encode_header(l->tx + start, fin, ws->tail_opcode, ws->tail_payload + len, ws->tail_key);
    sio__mask_copy(l->tx + start + head + ws->tail_payload, data, len, ws->tail_key, ws->tail_payload);
    l->tx_len += more;
    ws->tail_head = head;
    ws->tail_payload += len;
    ws->tail = !fin;
    return 1;
}

/* A message sent in parts begins (sio_send_begin). */
static void sio__websocket_parts_begin(sio__websocket *ws, int binary)
{
    ws->tx_parts = 1;
    ws->tx_opcode = binary ? SIO_WS_BINARY : SIO_WS_TEXT;
    ws->tx_text = !binary;
    memset(&ws->tx_utf8, 0, sizeof ws->tx_utf8);
}

/* One part of the message sent in parts, as fragments (uncompressed: a
 * message is compressed whole or not at all), within limit; the last part
 * (fin) ends the message and is not held back by limit, the parts were.
 * Text must stay UTF-8 across the parts: SIO_ERR_INVALID, nothing sent. */
static int sio__websocket_part(sio__websocket *ws, sio__system *sys, sio__link *l, const unsigned char *data,
                               size_t len, int fin, size_t limit)
{
    sio_utf8 text = ws->tx_utf8;
    int r;
    if (!len && !fin) return SIO_OK;
    if (ws->tx_text && (sio_utf8_feed(&text, data, len) != SIO_OK || (fin && !sio_utf8_complete(&text))))
        return SIO_ERR_INVALID;
    if (fin) limit = (size_t)-1;
    if ((r = sio__websocket_grow(ws, sys, l, data, len, fin, limit)) == 0) {
        r = sio__websocket_frames(ws, sys, l, ws->tx_opcode, 0, fin, data, len, limit);
        ws->tail = r == SIO_OK && !fin;
    }
    if (r < 0) return r;
    ws->tx_parts = !fin;
    ws->tx_opcode = SIO_WS_CONTINUATION;
    ws->tx_utf8 = text;
    return SIO_OK;
}

/* Queues one message (compressed when that was agreed and pays). */
static int sio__websocket_send(sio__websocket *ws, sio__system *sys, sio__link *l, int opcode,
                               const unsigned char *data, size_t len, size_t limit)
{
    int r, compressed = sio__websocket_compress(ws, opcode, &data, &len);
    if (compressed < 0) return compressed;
    r = sio__websocket_frames(ws, sys, l, opcode, compressed, 1, data, len, limit);
    if (compressed) sio__websocket_compressed_sent(ws);
    return r;
}

/* Queues our close frame (code 0: none); nothing may be sent after it.
 * close_sent says it was queued: a close that could not be (no randomness
 * for its mask, no memory) leaves it 0, and the close is then not clean. */
static int sio__websocket_close(sio__websocket *ws, sio__system *sys, sio__link *l, int code, const char *reason)
{
    int r;
    unsigned char payload[125];
    size_t n = 0, rlen = reason ? strlen(reason) : 0;
    if (code) {
        payload[0] = (unsigned char)(code >> 8);
        payload[1] = (unsigned char)code;
        if (rlen > 123) rlen = 123;
        if (rlen) memcpy(payload + 2, reason, rlen);
        n = 2 + rlen;
    }
    r = sio__websocket_send(ws, sys, l, SIO_WS_CLOSE, payload, n, (size_t)-1);
    ws->close_sent = r == SIO_OK;
    return r;
}

/* A compressed message, inflated in place of m's data: SIO__WS_MESSAGE,
 * or a negative status with rx's error set (it sticks, as a frame error). */
static int sio__websocket_inflate(sio__websocket *ws, sio_ws_message *m)
{
#if SIO__WITH_DEFLATE
    const unsigned char *out;
    size_t n;
    int r = sio_inflate_message(&ws->inflater, m->data, m->len, 1,
                                ws->rx.max_message ? ws->rx.max_message : SIO__DEFAULT_MAX_MESSAGE, &out, &n);
    if (r == SIO_OK && m->opcode == SIO_WS_TEXT && !sio_utf8_valid(out, n)) {
        ws->inflater.error = "ws: text message is not valid UTF-8 (RFC 6455 8.1)";
        r = SIO_ERR_PROTOCOL;
    }
    if (r != SIO_OK) {
        ws->rx.fail_code = r == SIO_ERR_TOO_BIG ? SIO_CLOSE_TOO_BIG : r == SIO_ERR_NOMEM ? SIO_CLOSE_INTERNAL
                                                                    : SIO_CLOSE_INVALID_DATA;
        ws->rx.error = ws->inflater.error;
        return r;
    }
    m->data = out;
    m->len = n;
    m->compressed = 0;
    return SIO__WS_MESSAGE;
#else
    (void)m;
    ws->rx.fail_code = SIO_CLOSE_PROTOCOL_ERROR;
    return SIO_ERR_PROTOCOL;
#endif
}

/* The next message from the bytes buffered on l.  Pings are answered and
 * the server's close frame is recorded and echoed on the way.  Returns
 * SIO__WS_MESSAGE (a data message in m), SIO__WS_PONG (the server's pong
 * in m), SIO__WS_PEER_CLOSED, SIO__WS_MORE
 * (read, at least rx_need bytes when not 0), or a negative status when the
 * server broke the protocol (rx.fail_code and rx.error say how).  Pongs
 * are skipped once max_queue plus the slack wait on the link. */
static int sio__websocket_receive(sio__websocket *ws, sio__system *sys, sio__link *l, size_t max_queue,
                                  sio_ws_message *m)
{
    while (l->rx_start < l->rx_len) {
        size_t used, need;
        int r = sio_ws_rx_feed(&ws->rx, l->rx + l->rx_start, l->rx_len - l->rx_start, &used, &need, m);
        l->rx_start += used;
        ws->peeked = ws->peeked > used ? ws->peeked - used : 0;
        if (r < 0) return r;
        if (r == 0) {
            ws->rx_need = need;
            return SIO__WS_MORE;
        }
        ws->rx_need = 0;                              /* a whole frame: nothing pending any more */
        if (m->opcode == SIO_WS_TEXT || m->opcode == SIO_WS_BINARY)
            return m->compressed ? sio__websocket_inflate(ws, m) : SIO__WS_MESSAGE;
        if (m->opcode == SIO_WS_PING) {
            /* Beyond the slack pongs are skipped, which RFC 6455 5.5.3
             * allows for unanswered pings. */
            if (!ws->close_sent && (l->tx_len - l->tx_sent) < max_queue + SIO__PONG_SLACK)
                sio__websocket_send(ws, sys, l, SIO_WS_PONG, m->data, m->len, (size_t)-1);
        } else if (m->opcode == SIO_WS_PONG) {
            return SIO__WS_PONG;
        } else if (m->opcode == SIO_WS_CLOSE) {
            ws->close_code = m->close_code;
            snprintf(ws->close_reason, sizeof ws->close_reason, "%.*s", (int)m->reason_len, m->reason);
            if (!ws->close_sent)   /* echo the status code (RFC 6455 5.5.1) */
                sio__websocket_close(ws, sys, l, m->close_code == SIO_CLOSE_NO_STATUS ? 0 : m->close_code, "");
            return SIO__WS_PEER_CLOSED;
        }
    }
    return SIO__WS_MORE;
}

#if SIO__WITH_SOCKETIO   /* Engine.IO's look-ahead is its one user */
/* The next whole frame buffered on l behind what receive has reached and
 * what earlier peeks have seen, without consuming it: a layer above may
 * look ahead (Engine.IO answers pings waiting behind a burst).  Returns 1
 * with the frame; sio__websocket_peek_next moves past it. */
static int sio__websocket_peek(sio__websocket *ws, const sio__link *l, sio_ws_frame *f, const unsigned char **payload)
{
    size_t have = l->rx_len - l->rx_start;
    if (ws->rx.frame_left) return 0;             /* inside a frame handed over in parts: no header here */
    if (ws->peeked >= have) {
        ws->peeked = have;
        return 0;
    }
    return sio_ws_peek_frame(l->rx + l->rx_start + ws->peeked, have - ws->peeked, f, payload) == 1;
}

static void sio__websocket_peek_next(sio__websocket *ws, const sio_ws_frame *f)
{
    ws->peeked += f->header_len + (size_t)f->length;
}
#endif
