/* ---- transport: the Engine.IO session's transports -----------------------
 * Packets out over the WebSocket or the next polling POST, the close of the
 * session, the GET and POST requests of long-polling, and the upgrade from
 * polling to WebSocket. */

#if SIO__WITH_SOCKETIO
/* Sends one Engine.IO packet made of the concatenated pieces: a WebSocket
 * frame, or an entry of the next polling POST.  Nothing follows our close
 * (RFC 6455 5.5.1; Engine.IO's close packet likewise): SIO_ERR_STATE. */
static int sio__eio_send(sio_client *c, int binary, const void *const *pieces, const size_t *lens, size_t n)
{
    sio__link *l = c->socketio.parts_to_send ? &c->socketio.held : &c->ln;   /* behind attachments in parts */
    if (c->websocket.close_sent) return SIO_ERR_STATE;
#if SIO__WITH_POLLING
    if (SIO__POLLING(c)) return sio__polling_append(&c->polling, &c->sys.alloc, binary, pieces, lens, n);
#endif
    if (binary && c->eio.version == 3) {              /* v3 binary frames start with the packet type */
        const void *p2[2];
        size_t l2[2];
        p2[0] = "\x04"; l2[0] = 1;
        p2[1] = pieces[0]; l2[1] = lens[0];
        return sio__websocket_frame(&c->websocket, &c->sys, l, SIO_WS_BINARY, p2, l2, 2);
    }
    return sio__websocket_frame(&c->websocket, &c->sys, l, binary ? SIO_WS_BINARY : SIO_WS_TEXT, pieces, lens, n);
}
#endif

/* Bytes accepted for sending but not yet handed to the kernel. */
static size_t sio__backlog(const sio_client *c)
{
#if SIO__WITH_POLLING
    return (c->ln.tx_len - c->ln.tx_sent) + c->polling.out_len + (c->polling.post.tx_len - c->polling.post.tx_sent) +
           c->socketio.held.tx_len;
#elif SIO__WITH_SOCKETIO
    return c->ln.tx_len - c->ln.tx_sent + c->socketio.held.tx_len;
#else
    return c->ln.tx_len - c->ln.tx_sent;
#endif
}

#if SIO__WITH_POLLING
static void sio__probe_fail(sio_client *c);
#endif

/* Ends the session from our side: a close frame, or Engine.IO's close
 * packet in the next POST.  CLOSING until it is delivered.  While an emit's
 * attachments are being sent in parts the close waits for the last to end
 * (sio__socketio_part_ended), behind what was accepted before it, as long
 * as parts keep coming (sio__socketio_parts_stalled). */
static int sio__eio_close(sio_client *c, int code, const char *reason)
{
    int r;
#if SIO__WITH_SOCKETIO
    if (c->socketio.parts_to_send) {
        size_t n = reason ? strlen(reason) : 0;
        if (n >= sizeof c->socketio.stop_reason) n = sizeof c->socketio.stop_reason - 1;
        c->socketio.stop_waits = 1;
        c->socketio.stop_deadline = sio__now(c) + (uint64_t)c->close_timeout;
        c->socketio.stop_code = code;
        if (n) memcpy(c->socketio.stop_reason, reason, n);
        c->socketio.stop_reason[n] = 0;
        return SIO_OK;
    }
#endif
#if SIO__WITH_POLLING
    if (SIO__POLLING(c)) {
        const void *piece = "1";
        size_t one = 1;
        if (c->upgrade.state != SIO__PROBE_NONE && c->upgrade.state != SIO__PROBE_FAILED)
            sio__probe_fail(c);          /* no upgrade now: polling resumes to deliver the close */
        r = sio__polling_append(&c->polling, &c->sys.alloc, 0, &piece, &one, 1);
        c->websocket.close_sent = 1;
    } else
#endif
    {
        r = sio__websocket_close(&c->websocket, &c->sys, &c->ln, code, reason);
    }
    c->phase = SIO__CLOSING;
    c->deadline = sio__now(c) + (uint64_t)c->close_timeout;
    return r;
}

#if SIO__WITH_POLLING   /* the polling requests and the upgrade */
/* A link of this client's server: connected, TLS started when the URL is secure. */
static int sio__link_connected(sio_client *c, sio__link *l, char *text, size_t text_size)
{
    return sio__link_ready(&c->sys, l, &c->route, sio__tunnel_target(c), text, text_size);
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
        snprintf(text, text_size, "%s: cannot connect to %.80s port %u: %s", sio__hop_word(c), sio__hop_host(c),
                 (unsigned)sio__hop_port(c),
                 err[0] ? err : sio_status_text(r));
        return r == SIO_ERR_NO_ADDRESS ? SIO_ERR_IO : r;
    }
    l->connecting = 1;
    l->may_read = 1;
    return SIO_OK;
}

/* Drops the response just handled; closes the connection when the server ends it. */
static void sio__http_done(sio_client *c, sio__link *l, sio__http_in *in)
{
    if (sio__polling_done(&c->sys, l, in)) {
        sio__close_socket(c, l->sock);
        l->sock = SIO_INVALID_SOCKET;
    }
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


/* ---- Upgrade from polling to WebSocket (transport SIO_TRANSPORT_AUTO) ----
 * As Engine.IO requires: a WebSocket with the session's sid, "2probe" and
 * the server's "3probe", then polling pauses (the pending GET is answered
 * with a noop, the POST in flight completes), "5" goes over the WebSocket
 * and it becomes the transport.  Packets emitted meanwhile wait and follow
 * the "5".  Any failure keeps the session on polling. */

static void sio__probe_fail(sio_client *c)
{
    sio__link_close(c, &c->upgrade.link);
    c->upgrade.state = SIO__PROBE_FAILED;
}



/* The WebSocket becomes the transport: polling links closed, the packets
 * that waited sent as frames after the "5". */
static void sio__probe_commit(sio_client *c)
{
    size_t pos = 0;
    sio__nul_give_back(c);
    sio__link_close(c, &c->ln);
    sio__link_close(c, &c->polling.post);
    c->ln = c->upgrade.link;
    memset(&c->upgrade.link, 0, sizeof c->upgrade.link);
    c->upgrade.link.sock = SIO_INVALID_SOCKET;
    c->upgrade.state = SIO__PROBE_NONE;
    c->polling.active = 0;
    c->upgraded = 1;                                 /* remember_upgrade: reconnections start here */
    c->polling.get_busy = c->polling.post_busy = 0;
    memset(&c->polling.get_in, 0, sizeof c->polling.get_in);
    memset(&c->polling.post_in, 0, sizeof c->polling.post_in);
    sio__websocket_rx_reset(&c->websocket);          /* nothing peeked on the new link either */
    while (pos < c->polling.out_len) {
        unsigned char *p = c->polling.out + pos;
        unsigned char *sep = (unsigned char *)memchr(p, 0x1e, c->polling.out_len - pos);
        size_t len = sep ? (size_t)(sep - p) : c->polling.out_len - pos;
        const void *piece = p;
        pos += len + 1;
        if (len && p[0] == 'b') {               /* attachments go as binary frames again */
            size_t n = 0;
            if (sio_base64_decode((const char *)p + 1, len - 1, p, &n) != SIO_OK) continue;
            sio__eio_send(c, 1, &piece, &n, 1);
        } else {
            sio__eio_send(c, 0, &piece, &len, 1);
        }
    }
    c->polling.out_len = 0;
}

static void sio__probe_start(sio_client *c, uint64_t now)
{
    if (c->transport != SIO_TRANSPORT_AUTO || !c->eio.session.upgrade_websocket ||
        sio__link_open(c, &c->upgrade.link, c->why, sizeof c->why) != SIO_OK) {
        c->upgrade.state = SIO__PROBE_FAILED;          /* nothing to try, or it cannot */
        return;
    }
    sio__upgrade_begin(&c->upgrade, now, c->connect_timeout);
}

/* Advances the upgrade; returns 1 when the WebSocket took over. */
static int sio__probe_step(sio_client *c, uint64_t now)
{
    const void *upgrade = "5";
    size_t one = 1;
    int r;
    sio__link *l = &c->upgrade.link;
    if (sio__upgrade_expired(&c->upgrade, now)) {
        sio__probe_fail(c);
        return 0;
    }
    if (c->upgrade.state == SIO__PROBE_CONNECTING) {
        if ((r = sio__link_connected(c, l, c->why, sizeof c->why)) < 0) { sio__probe_fail(c); return 0; }
        if (r == 0) return 0;
        if (sio__build_request(c, l, 1) != SIO_OK) { sio__probe_fail(c); return 0; }
        c->upgrade.state = SIO__PROBE_HANDSHAKE;
    }
    if (sio__link_flush(&c->sys, l, c->why, sizeof c->why) != 0 ||
        (r = sio__upgrade_receive(&c->upgrade, &c->sys, &c->websocket, c->max_handshake)) < 0) {
        sio__probe_fail(c);
        return 0;
    }
    if (r == 0 || c->polling.get_busy || c->polling.pkt_end || c->polling.post_busy) return 0;
    if (sio__websocket_frame(&c->websocket, &c->sys, l, SIO_WS_TEXT, &upgrade, &one, 1) != SIO_OK) {
        sio__probe_fail(c);
        return 0;
    }
    sio__probe_commit(c);
    return 1;
}
#endif

#if SIO__WITH_SOCKETIO
/* Polling links and state of an ended session. */
static void sio__poll_reset(sio_client *c)
{
#if SIO__WITH_POLLING
    sio__link_close(c, &c->polling.post);
    sio__link_close(c, &c->upgrade.link);
    c->upgrade.state = SIO__PROBE_NONE;
    memset(&c->polling.get_in, 0, sizeof c->polling.get_in);
    memset(&c->polling.post_in, 0, sizeof c->polling.post_in);
    c->polling.get_busy = c->polling.post_busy = 0;
    c->polling.pkt_pos = c->polling.pkt_end = 0;
    c->polling.out_len = 0;
#endif
    c->ln.connecting = 0;
}
#endif
