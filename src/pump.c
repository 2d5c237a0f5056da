/* ---------------------------------------------------------------------- */
/* pump: one bounded round of a client's work, the events it yields       */
/* ---------------------------------------------------------------------- */

/* Whether a Socket.IO connection starts on long-polling: as configured;
 * AUTO goes straight to WebSocket after an upgrade with remember_upgrade;
 * a refused WebSocket falls back for the rest of the run. */
#if SIO__WITH_POLLING
static int sio__polling_first(const sio_client *c)
{
    if (!SIO__SOCKETIO(c)) return 0;
    if (c->fell_back || c->transport == SIO_TRANSPORT_POLLING) return 1;
    if (c->transport == SIO_TRANSPORT_AUTO) return !(c->remember_upgrade && c->upgraded);
    return 0;
}
#endif

static void sio__begin(sio_client *c);

/* A Socket.IO WebSocket refused in a way polling may get through (an HTTP
 * answer other than 101, or the connection dropped during the handshake:
 * a proxy or load balancer that does not pass upgrades): the attempt
 * starts over on polling, if the caller allowed it (try_all_transports, or
 * AUTO whose remembered upgrade failed).  Returns 1 when it did. */
static int sio__fall_back_to_polling(sio_client *c)
{
#if SIO__WITH_POLLING
    if (!SIO__SOCKETIO(c) || SIO__POLLING(c) || c->fell_back) return 0;
    if (c->transport == SIO_TRANSPORT_WEBSOCKET ? !c->try_all_transports : c->transport != SIO_TRANSPORT_AUTO) return 0;
    sio__drop_connection(c);
    c->fell_back = 1;
    c->upgraded = 0;
    sio__begin(c);
    return 1;
#else
    (void)c;
    return 0;
#endif
}

/* Starts one connection attempt (sio_start, or a reconnection). */
static void sio__begin(sio_client *c)
{
    int r;
    c->attempt = 0;
    c->first_error[0] = 0;
    sio__websocket_begin(&c->websocket);
    c->phase = SIO__CONNECTING;
    c->ln.may_read = 1;
#if SIO__WITH_SOCKETIO
    c->socketio.disconnect_reason = NULL;
#endif
#if SIO__WITH_POLLING
    c->polling.active = sio__polling_first(c);
#endif
    if (c->url.secure && (r = sio__need_tls(c, c->why, sizeof c->why)) != SIO_OK) {
        sio__abort(c, r, c->why);
        return;
    }
    if (!SIO__POLLING(c) && sio__build_request(c, &c->ln, 0) != SIO_OK) {
        sio__abort(c, SIO_ERR_IO, "ws: could not build the handshake (random source or memory failed)");
        return;
    }
    c->deadline = c->connect_timeout > 0 ? sio__now(c) + (uint64_t)c->connect_timeout : 0;
    c->redirects = 0;                     /* each attempt may follow max_redirects */
    sio__addresses_release(c, 0);
#if SIO__WITH_DNS && SIO__WITH_PROXY
    c->proxy_address[0][0] = c->proxy_address[1][0] = 0;
    c->proxy_attempt = 0;
#endif
#if SIO__WITH_DNS
    if (c->sys.pf->dns_open && c->sys.pf->hosts_lookup && !sio_ip_literal(sio__resolved_name(c))) {
        sio__resolve(c);
        return;
    }
#endif
    sio__start_next_address(c);
}

/* A redirect answer to the handshake on l: 1 when the client starts over at
 * its Location (the attempt's connections closed, no event), 0 when the
 * answer is no redirect, -1 when the client will not follow it (ERROR and
 * CLOSE queued). */
static int sio__follow_redirect(sio_client *c, const sio__link *l)
{
    const char *value = NULL;
    size_t n = sio__redirect_location(&c->sys.alloc, l, &value);
    char *location, *url, *text;
    int r;
    if (!n) return 0;
    /* The Location, the URL made of it and the reason of a refusal live on
     * the heap for the moment: a small target's stack could not hold them
     * below the new attempt's frames. */
    location = (char *)sio__realloc(&c->sys.alloc, NULL, 2 * SIO__MAX_LOCATION + 16 + SIO__TEXT_SIZE);
    if (!location) {
        sio__abort(c, SIO_ERR_NOMEM, "redirect: out of memory");
        return -1;
    }
    memcpy(location, value, n);
    location[n] = 0;
    url = location + SIO__MAX_LOCATION;
    text = url + SIO__MAX_LOCATION + 16;
    r = sio__redirect_to(c, location, url, SIO__MAX_LOCATION + 16, text, SIO__TEXT_SIZE);
    if (r != SIO_OK) sio__abort(c, r, text);
    sio__free(&c->sys.alloc, location);
    if (r != SIO_OK) return -1;
    sio__drop_connection(c);
    r = c->redirects;
    sio__begin(c);
    c->redirects = r;                     /* the same attempt goes on */
    return 1;
}

/* A read on the main link ended (0) or failed (n < 0, err says why). */
static void sio__read_failed(sio_client *c, long n, const char *err, const char *when)
{
    char text[SIO__TEXT_SIZE];
    if (n == SIO_ERR_TLS) {
        sio__abort(c, SIO_ERR_TLS, err);
        return;
    }
    snprintf(text, sizeof text, "ws: connection %s %s%s%s", n == 0 ? "closed by the server" : "failed", when,
             n == 0 ? "" : ": ", n == 0 ? "" : err);
    sio__abort(c, n == 0 ? SIO_ERR_CLOSED : SIO_ERR_IO, text);
}

/* Returns 1 with the OPEN event when the handshake completed. */
static int sio__step_handshake(sio_client *c, sio_event *ev)
{
    char err[128];
    int reads;
    for (reads = 0;; reads++) {
        long n;
        size_t start = c->ln.rx_start;
        int r = sio__websocket_handshake(&c->websocket, &c->ln, c->max_handshake, err, sizeof err);
        if (r < 0) {
            if (r == SIO_ERR_HANDSHAKE && sio__follow_redirect(c, &c->ln) != 0) return 0;
            if (r == SIO_ERR_HANDSHAKE) sio__keep_refusal(c, &c->ln);
            if (r == SIO_ERR_HANDSHAKE && sio__fall_back_to_polling(c)) return 0;
            sio__abort(c, r, err);
            return 0;
        }
        if (r == 1) {
            c->phase = SIO__OPEN;
            if (!SIO__SOCKETIO(c)) sio__keepalive_start(&c->websocket.keepalive, sio__now(c));
            if (c->keep_handshake) sio__keep_handshake(c, 101, c->ln.rx + start, c->ln.rx_start - start, NULL, 0);
            if (!SIO__SOCKETIO(c)) {
                c->deadline = 0;                      /* Socket.IO: until the open packet */
                sio__offline_send(c);
            }
            ev->type = c->retries && !SIO__SOCKETIO(c) ? SIO_EVENT_RECONNECT : SIO_EVENT_OPEN;
            ev->attempt = (int)c->retries;
            if (!SIO__SOCKETIO(c)) c->retries = 0;    /* the backoff starts over */
            ev->protocol = c->websocket.protocol;
            return 1;
        }
        if (reads == 1) return 0;
        err[0] = 0;
        n = sio__link_read(&c->sys, &c->ln, 0, err, sizeof err);
        if (n == SIO_ERR_AGAIN) return 0;
        if (n <= 0) {
            if (n != SIO_ERR_TLS && sio__fall_back_to_polling(c)) return 0;
            sio__read_failed(c, n, err, "during the handshake");
            return 0;
        }
    }
}

/* Waits for the server to drop TCP after the close handshake or a failure. */
static void sio__step_drain(sio_client *c)
{
    char err[128];
    int i;
    if (c->ln.tx_sent < c->ln.tx_len) return;
    for (i = 0; i < 4; i++) {
        long n;
        c->ln.rx_start = c->ln.rx_len = 0;     /* whatever comes now is discarded */
        n = sio__link_read(&c->sys, &c->ln, 0, err, sizeof err);
        if (n == SIO_ERR_AGAIN) return;
        if (n <= 0) {
            sio__finish(c, c->websocket.close_code, c->websocket.close_reason, c->phase == SIO__CLOSE_WAIT);
            return;
        }
    }
}

/* m's payload ends with a NUL for the event: the byte after it is borrowed
 * (given back before the next frame is read). */
static void sio__terminate_payload(sio_client *c, const sio_ws_message *m)
{
    unsigned char *end = (unsigned char *)m->data + m->len;
    if (end >= c->ln.rx && end < c->ln.rx + c->ln.rx_cap) {   /* zero-copy: borrow the next byte */
        c->events.nul_at = end;
        c->events.nul_saved = *end;
    }
    *end = 0;
}

/* The server's pong: a PONG event on a plain WebSocket, with the round
 * trip when it answers the keepalive's latest ping.  Returns 1 with it. */
static int sio__ws_pong_event(sio_client *c, const sio_ws_message *m, sio_event *ev)
{
    if (SIO__SOCKETIO(c)) {
#if SIO__WITH_SOCKETIO
        sio__heartbeat_heard_frame(&c->eio.heartbeat, sio__now(c));
#endif
        return 0;
    }
    ev->rtt_ms = sio__keepalive_pong(&c->websocket.keepalive, m->data, m->len, sio__now(c));
    sio__terminate_payload(c, m);
    ev->type = SIO_EVENT_PONG;
    ev->binary = 1;
    ev->data = m->data;
    ev->len = m->len;
    return 1;
}

/* A data message from the WebSocket: the MESSAGE event, or for Socket.IO
 * the Engine.IO packet it carries.  Returns 1 with an event, 0 to go on
 * with the next frame, -1 when the connection stopped. */
static int sio__ws_message_event(sio_client *c, const sio_ws_message *m, sio_event *ev)
{
    sio__terminate_payload(c, m);
    if (!SIO__SOCKETIO(c)) {
        ev->type = SIO_EVENT_MESSAGE;
        ev->binary = m->opcode == SIO_WS_BINARY;
        ev->data = m->data;
        ev->len = m->len;
        ev->offset = m->offset;
        ev->final = m->final;
        return 1;
    }
#if SIO__WITH_SOCKETIO
    {
        uint64_t now = sio__now(c);
        if (sio__eio_message(c, now, m->opcode == SIO_WS_BINARY, (unsigned char *)m->data, m->len, m->offset,
                             m->final, ev)) {
            if (c->events.nul_at) *c->events.nul_at = c->events.nul_saved;   /* the next frame whole again */
            sio__eio_pings_ahead(c, now);
            if (c->events.nul_at) *c->events.nul_at = 0;
            return 1;
        }
    }
    if (c->phase == SIO__FAILING || c->phase < SIO__CONNECTING) return -1;
    sio__nul_give_back(c);                                    /* nothing borrowed any more */
#endif
    return 0;
}

/* Output waits while bytes already read still hold messages, so answers to
 * a burst leave in one write; it goes before the next read from the socket,
 * once it has waited SIO__OUTPUT_WAIT_MS (a caller taking one event per
 * frame), or at once when marked urgent (a pong answered ahead of a burst).
 * Returns 1 when it is due now. */
#define SIO__OUTPUT_WAIT_MS 1
static int sio__output_due(sio_client *c)
{
    uint64_t now = sio__now(c), last = c->stepped_at;
    c->stepped_at = now;
    if (c->ln.tx_sent >= c->ln.tx_len) {
        c->output_since = 0;
        c->output_now = 0;
        return 0;
    }
    if (!c->output_since) c->output_since = last ? last : now;   /* queued after the last step began */
    if (!c->output_now && now - c->output_since < SIO__OUTPUT_WAIT_MS) return 0;
    c->output_since = 0;                       /* it goes now: the next output waits anew */
    c->output_now = 0;
    return 1;
}

/* Returns 1 with a MESSAGE event. */
static int sio__step_frames(sio_client *c, sio_event *ev)
{
    char err[128];
    int reads;
    for (reads = 0;; reads++) {
        long n;
        if (c->phase == SIO__CLOSE_WAIT || c->phase == SIO__FAILING) {
            if (sio__flush(c) == 0) sio__step_drain(c);
            return 0;
        }
        if (reads == 0 && sio__output_due(c) && sio__flush(c) < 0) return 0;
        for (;;) {
            sio_ws_message m;
            int r = sio__websocket_receive(&c->websocket, &c->sys, &c->ln, c->max_send_queue, &m);
            if (r < 0) {
                sio__fail(c, c->websocket.rx.fail_code, r, c->websocket.rx.error);
                return 0;
            }
            if (r == SIO__WS_PEER_CLOSED) {
                if (!c->websocket.close_sent) {                        /* our answer could not be queued */
                    sio__abort(c, SIO_ERR_IO, "ws: could not answer the server's close frame (random source or memory failed)");
                    return 0;
                }
                c->phase = SIO__CLOSE_WAIT;
                c->deadline = sio__now(c) + (uint64_t)c->close_timeout;
            }
            if (r == SIO__WS_PONG) {
                if (sio__ws_pong_event(c, &m, ev)) return 1;
                continue;
            }
            if (r != SIO__WS_MESSAGE) break;
            if ((r = sio__ws_message_event(c, &m, ev)) != 0) return r > 0;
        }
        if (c->phase == SIO__CLOSE_WAIT) continue;   /* flush our close, then drain */
        if (sio__flush(c) < 0) return 0;              /* nothing read is left: the output goes */
        if (reads == 1) return 0;
        err[0] = 0;
        n = sio__link_read(&c->sys, &c->ln, c->websocket.rx_need, err, sizeof err);
        if (n == SIO_ERR_AGAIN) return 0;
        if (n == SIO_ERR_NOMEM) {
            sio__fail(c, SIO_CLOSE_INTERNAL, SIO_ERR_NOMEM, "ws: out of memory growing the receive buffer");
            return 0;
        }
        if (n <= 0) {
            if (c->phase == SIO__CLOSING && n != SIO_ERR_TLS)
                sio__finish(c, SIO_CLOSE_ABNORMAL, "", 0);   /* we wanted to close anyway */
            else
                sio__read_failed(c, n, err, "without a close frame");
            return 0;
        }
    }
}

#if SIO__WITH_POLLING   /* SIO_NO_POLLING leaves the long-polling transport out */
/* Hands the packets of a received GET body to the Engine.IO layer, one
 * event at a time.  Returns 1 with an event. */
static int sio__poll_packets(sio_client *c, sio_event *ev)
{
    unsigned char *p;
    size_t len;
    int r;
    while ((r = sio__poll_next(c, &p, &len)) == 1) {
        if (sio__eio_message(c, sio__now(c), 0, p, len, 0, 1, ev)) return 1;
        if (c->phase < SIO__OPEN || c->phase == SIO__FAILING) return 0;
        sio__nul_give_back(c);
    }
    if (r < 0) {
        sio__socketio_parse_error(c, "eio: malformed Engine.IO 3 payload (<length>:<packet> expected)");
        return 0;
    }
    if (c->polling.pkt_end) {                                         /* the body is handled */
        c->polling.pkt_pos = c->polling.pkt_end = 0;
        sio__http_done(c, &c->ln, &c->polling.get_in);
    }
    return 0;
}

/* A polling link's round: connected (TLS started), then what waits to go
 * out.  0, or a negative status with text saying why. */
static int sio__poll_link(sio_client *c, sio__link *l, char *text, size_t size)
{
    int r = sio__link_connected(c, l, text, size);
    return r > 0 ? sio__link_flush(&c->sys, l, text, size) : r;
}

/* Reads the response on a polling link: 1 when it is whole and a 200, 0
 * while it is not whole, 2 when the handshake was redirected (the client
 * started over, or failed with its events queued), or a negative status
 * with text saying why. */
static int sio__poll_response(sio_client *c, sio__link *l, sio__http_in *in, uint64_t max_body, const char *what,
                              char *text, size_t size)
{
    int r = sio__polling_receive(&c->sys, l, in, c->max_handshake, max_body, c->cookies, text, size);
    if (r != 1 || in->status == 200) return r;
    if (l == &c->ln && !c->eio.open && sio__follow_redirect(c, l) != 0) return 2;   /* started over, or failed */
    if (l == &c->ln && !c->eio.open)
        sio__keep_handshake(c, in->status, l->rx + l->rx_start, in->body_at, l->rx + l->rx_start + in->body_at,
                            in->dec - in->body_at);
    sio__polling_error_text(l, in, what, text, size);
    return l == &c->ln && !c->eio.open ? SIO_ERR_HANDSHAKE : SIO_ERR_PROTOCOL;
}

/* Rounds of the polling transport while they make progress, at most
 * four with responses; returns 1 with an event.  The last round only
 * sends: a response that ended the fourth leaves its next request on its
 * way, not a client that waits on sockets that will never speak. */
static int sio__step_polling(sio_client *c, sio_event *ev)
{
    int round, r;
    uint64_t max_body = (uint64_t)c->max_message + 4096;
    for (round = 0;; round++) {
        int progress = 0;
        if (sio__poll_packets(c, ev)) return 1;
        if (c->phase < SIO__OPEN) return 0;
        if (c->eio.open && c->phase == SIO__OPEN) {
            uint64_t now = sio__now(c);
            if (c->upgrade.state == SIO__PROBE_NONE) sio__probe_start(c, now);
            if (c->upgrade.state != SIO__PROBE_FAILED && sio__probe_step(c, now)) return 0;
        }
        if (c->phase == SIO__CLOSING && !c->polling.post_busy && !c->polling.out_len) {
            sio__finish(c, SIO_CLOSE_NORMAL, "", 1);          /* our close packet was delivered */
            return 0;
        }
        c->why[0] = 0;
        if ((r = sio__poll_requests(c, c->why, sizeof c->why)) != 0) break;
        if ((r = sio__poll_link(c, &c->ln, c->why, sizeof c->why)) != 0) break;
        if (c->polling.post.sock != SIO_INVALID_SOCKET && (r = sio__poll_link(c, &c->polling.post, c->why, sizeof c->why)) != 0)
            break;
        if (round == 4) return 0;
        if (c->polling.get_busy && !c->ln.connecting && c->polling.pkt_end == 0) {
            r = sio__poll_response(c, &c->ln, &c->polling.get_in, max_body, c->eio.open ? "polling GET" : "handshake", c->why,
                                   sizeof c->why);
            if (r == 2) return 0;
            if (r < 0) break;
            if (r == 1 && !c->eio.open && c->keep_handshake)
                sio__keep_handshake(c, 200, c->ln.rx + c->ln.rx_start, c->polling.get_in.body_at, NULL, 0);
            if (r == 1) {
                c->polling.get_busy = 0;
                c->polling.pkt_pos = c->polling.get_in.body_at;
                c->polling.pkt_end = c->polling.get_in.dec;
                if (c->polling.pkt_end == c->polling.pkt_pos) sio__http_done(c, &c->ln, &c->polling.get_in);
                progress = 1;
            }
        }
        if (c->polling.post_busy && c->polling.post.sock != SIO_INVALID_SOCKET && !c->polling.post.connecting) {
            r = sio__poll_response(c, &c->polling.post, &c->polling.post_in, 4096, "polling POST", c->why, sizeof c->why);
            if (r < 0) break;
            if (r == 1) {
                sio__http_done(c, &c->polling.post, &c->polling.post_in);
                c->polling.post_busy = 0;
                progress = 1;
            }
        }
        if (!progress) return 0;
    }
    if (r < 0) {
        if (c->phase == SIO__CLOSING) sio__finish(c, SIO_CLOSE_ABNORMAL, "", 0);
        else sio__abort(c, r == SIO_ERR_CLOSED || r == SIO_ERR_TLS || r == SIO_ERR_HANDSHAKE || r == SIO_ERR_TOO_BIG ||
                            r == SIO_ERR_PROTOCOL || r == SIO_ERR_PROXY || r == SIO_ERR_NOMEM ? r : SIO_ERR_IO, c->why);
    }
    return 0;
}
#endif

/* The plain WebSocket's keepalive at now: a ping, or the verdict that the
 * connection is dead (nothing read for pong_timeout after a ping). */
static void sio__keepalive_timer(sio_client *c, uint64_t now)
{
    sio__keepalive *k = &c->websocket.keepalive;
    unsigned char payload[SIO__KEEPALIVE_PAYLOAD];
    switch (sio__keepalive_due(k, now, c->ln.last_read)) {
    case SIO__KEEPALIVE_PING:
        if (c->ln.tx_len - c->ln.tx_sent >= c->max_send_queue + SIO__PONG_SLACK) break;   /* stuck: its deadline tells */
        sio__keepalive_payload(k, payload);
        sio__websocket_send(&c->websocket, &c->sys, &c->ln, SIO_WS_PING, payload, sizeof payload, (size_t)-1);
        c->output_now = 1;
        break;
    case SIO__KEEPALIVE_DEAD:
        if (!sio__silent_since(c, sio__keepalive_dead_at(k, c->ln.last_read))) break;
        snprintf(c->why, sizeof c->why, "ws: nothing from %.80s port %u within %lu ms of a ping: the connection is dead",
                 c->host, (unsigned)c->port, (unsigned long)k->timeout);
        sio__keepalive_stop(k);
        sio__abort(c, SIO_ERR_TIMEOUT, c->why);
        break;
    default:
        break;
    }
}

static void sio__check_timer(sio_client *c)
{
    uint64_t now = sio__now(c);
#if SIO__WITH_SOCKETIO
    sio__socketio_timers(c, now);
#endif
#if SIO__WITH_DNS
    if (c->phase == SIO__RESOLVING) sio__resolve_timer(c);
#endif
    if (c->phase == SIO__OPEN && !SIO__SOCKETIO(c)) sio__keepalive_timer(c, now);
    if (!c->deadline || now < c->deadline || c->phase == SIO__IDLE) return;
    switch (c->phase) {
    case SIO__CONNECTING:
    case SIO__HANDSHAKE:
    case SIO__OPEN:                      /* Socket.IO: no Engine.IO open packet yet */
        snprintf(c->why, sizeof c->why, c->phase == SIO__OPEN ? "eio: no open packet from %.80s port %u within %d ms"
                                                          : "ws: connecting to %.80s port %u timed out after %d ms",
                 c->host, (unsigned)c->port, c->connect_timeout);
#if SIO__WITH_PROXY
        if (c->ln.connecting && c->route.proxy)   /* the proxy has not let it through: say so, not the origin */
            snprintf(c->why, sizeof c->why, "proxy: no tunnel from %.80s port %u to %.80s port %u within %d ms",
                     c->hop_host, (unsigned)c->hop_port, c->host, (unsigned)c->port, c->connect_timeout);
#endif
        sio__abort(c, SIO_ERR_TIMEOUT, c->why);
        break;
    case SIO__CLOSING:
        sio__finish(c, SIO_CLOSE_ABNORMAL, "close handshake timed out", 0);
        break;
    case SIO__BACKOFF:
        sio__begin(c);
        break;
    case SIO__RESOLVING:
        snprintf(c->why, sizeof c->why, "dns: resolving %.80s timed out after %d ms", sio__resolved_name(c), c->connect_timeout);
        sio__abort(c, SIO_ERR_TIMEOUT, c->why);
        break;
    case SIO__CLOSE_WAIT:
    case SIO__FAILING:
        sio__finish(c, c->websocket.close_code, c->websocket.close_reason, c->phase == SIO__CLOSE_WAIT);
        break;
    default:
        c->deadline = 0;
    }
}

/* Idle clients shrink back to small buffers (called when the data of the
 * last event is no longer valid). */
static void sio__trim(sio_client *c)
{
#if SIO__WITH_POLLING
    sio__link_trim(&c->sys, &c->ln, c->websocket.rx.in_message || c->polling.pkt_end != 0 || c->polling.get_in.head_done);
    sio__link_trim(&c->sys, &c->polling.post, c->polling.post_in.head_done);
    if (!c->polling.out_len && c->polling.out_cap > SIO__KEEP) {
        sio__free(&c->sys.alloc, c->polling.out);
        c->polling.out = NULL;
        c->polling.out_cap = 0;
    }
#else
    sio__link_trim(&c->sys, &c->ln, c->websocket.rx.in_message);
#endif
    sio__websocket_trim(&c->websocket);
    if (!c->events.count && c->events.cap > 16) {
        sio__free(&c->sys.alloc, c->events.ring);
        c->events.ring = NULL;
        c->events.cap = c->events.head = 0;
    }
#if SIO__WITH_SOCKETIO
    sio__socketio_trim(c);
#endif
}

/* The WebSocket transport's round: the handshake, then frames, the timers,
 * and the pongs and acks queued while reading.  Returns 1 with an event. */
static int sio__step_websocket_transport(sio_client *c, sio_event *ev)
{
    int got = 0;
    if (c->phase == SIO__HANDSHAKE && sio__flush(c) == 0 && c->phase == SIO__HANDSHAKE) {
        got = sio__step_handshake(c, ev);
        if (got && SIO__SOCKETIO(c)) {   /* the session opens with Engine.IO's open packet */
            got = 0;
            memset(ev, 0, sizeof *ev);
        }
    }
    if (!got && !c->events.count && c->phase >= SIO__OPEN) got = sio__step_frames(c, ev);
    if (!got && !c->events.count) sio__check_timer(c);
    if (!got && c->ln.sock != SIO_INVALID_SOCKET && c->phase >= SIO__OPEN && c->ln.tx_len > c->ln.tx_sent)
        sio__flush(c);
    return got;
}

#if SIO__WITH_POLLING
/* The polling transport's round, then the timers.  Returns 1 with an
 * event, 0, or -1 when the session moved to WebSocket just now (its
 * frames may be waiting already). */
static int sio__step_polling_transport(sio_client *c, sio_event *ev)
{
    if (c->phase >= SIO__OPEN && sio__step_polling(c, ev)) return 1;
    if (c->events.count) return 0;
    if (!SIO__POLLING(c)) return -1;
    sio__check_timer(c);
    /* a ping the timer queued goes out now, not at the next wake-up */
    if (SIO__POLLING(c) && c->phase >= SIO__OPEN && c->polling.out_len && !c->polling.post_busy && !c->events.count)
        return sio__step_polling(c, ev);
    return 0;
}
#endif

/* One bounded round of work: what the last event lent is given back, the
 * waiting events first, then the phase's work and the transport's round.
 * Returns 1 with *ev filled, else 0. */
static int sio__step(sio_client *c, sio_event *ev)
{
    int got = -1;
    sio__nul_give_back(c);
#if SIO__WITH_SOCKETIO
    if (SIO__SOCKETIO(c)) sio__socketio_release(c);
#endif
    sio__trim(c);
    if (c->events.count || c->events.close_owed) return sio__pop(c, ev);
#if SIO__WITH_SOCKETIO
    if (sio__namespaces_deliverable(&c->socketio.namespaces) && sio__socketio_replay(c, ev)) return 1;
#endif
#if SIO__WITH_DNS
    if (c->phase == SIO__RESOLVING) sio__step_resolve(c);
#endif
    if (c->phase == SIO__CONNECTING) sio__step_connect(c);
#if SIO__WITH_POLLING
    if (SIO__POLLING(c)) got = sio__step_polling_transport(c, ev);
#endif
    if (got < 0) got = sio__step_websocket_transport(c, ev);
    if (got) return 1;
    if (c->events.count || c->events.close_owed) return sio__pop(c, ev);
    sio__websocket_trim(&c->websocket);   /* nothing lent out: what a compressed ping needed goes now */
    return 0;
}

/* One step of the client; 1 with ev filled in (never NULL strings) when it
 * has an event. */
static int sio__next_event(sio_client *c, sio_event *ev)
{
    memset(ev, 0, sizeof *ev);
    if (!sio__step(c, ev)) return 0;
    ev->client = c;
    ev->name = c->name;
    ev->user_data = c->user_data;
    if (!ev->reason) ev->reason = "";
    if (!ev->message) ev->message = "";
    if (!ev->protocol) ev->protocol = "";
    return 1;
}
