/* ---- Engine.IO and Socket.IO over the session's transport ---------------- */
#if SIO__WITH_SOCKETIO   /* SIO_NO_SOCKETIO leaves Socket.IO out */


static int sio__eio_send_text(sio_client *c, const char *a, size_t alen, const char *b, size_t blen)
{
    const void *pieces[2];
    size_t lens[2];
    pieces[0] = a; lens[0] = alen;
    pieces[1] = b; lens[1] = blen;
    return sio__eio_send(c, 0, pieces, lens, blen ? 2 : 1);
}


/* 1 if a small packet of the client's own (a pong of len payload bytes, a
 * CONNECT, a DISCONNECT) fits: within max_send_queue plus the pong slack,
 * so a queue the application filled with emits (whose frame headers the
 * emit check does not see) still answers the next ping.  While an emit's
 * attachments go in parts the packet waits behind them with the rest, and
 * that has a max_send_queue of its own: the parts on the link have theirs
 * (sio__parts_limit).  After them, what both took past max_send_queue is
 * allowed as it drains (drain_allowance shrinks with the backlog, never
 * regrows): only the slack is for the packets themselves. */
static int sio__small_packet_fits(sio_client *c, size_t len)
{
    size_t waiting = c->socketio.parts_to_send ? c->socketio.held.tx_len : sio__backlog(c);
    size_t *allowance = &c->socketio.drain_allowance;
    if (c->socketio.parts_to_send) {
        *allowance = 0;                          /* what waits behind parts has its own budget only */
    } else if (*allowance) {
        size_t excess = waiting > c->max_send_queue ? waiting - c->max_send_queue : 0;
        if (excess < *allowance) *allowance = excess;
    }
    return c->socketio.namespaces.queued_bytes + waiting + 1 + len <= c->max_send_queue + SIO__PONG_SLACK + *allowance;
}

/* Answers an Engine.IO ping.  The pong counts against the send queue: a
 * server that keeps pinging while it reads nothing is dropped rather than
 * allowed to grow the client's memory.  Returns 0 when the connection
 * failed. */
static int sio__eio_pong(sio_client *c, const char *payload, size_t len)
{
    if (c->websocket.close_sent) return 1;      /* we said goodbye: the server's pings go unanswered */
    if (!sio__small_packet_fits(c, len)) {
        snprintf(c->why, sizeof c->why, "eio: a ping of %lu bytes cannot be answered: the send queue is full "
                 "(max_send_queue %lu bytes); the server sends more than it reads",
                 (unsigned long)len, (unsigned long)c->max_send_queue);
        sio__fail(c, SIO_CLOSE_POLICY, SIO_ERR_TOO_BIG, c->why);
        return 0;
    }
    sio__eio_send_text(c, "3", 1, payload, len);
    return 1;
}

/* Finds or adds the namespace called name (NULL: the URL's): its index or a
 * negative status. */
static int sio__namespace(sio_client *c, const char *name)
{
    return sio__namespaces_add(&c->socketio.namespaces, &c->sys.alloc, name, c->max_namespaces);
}

/* The index of the namespace called name (NULL: the URL's), or -1. */
static int sio__namespace_index(const sio_client *c, const char *name)
{
    if (!name) return c->socketio.namespaces.count ? 0 : -1;
    return sio__namespaces_find(&c->socketio.namespaces, name, strlen(name));
}

/* Ends pending ack k with an ACK event carrying error and text. */
static void sio__end_ack(sio_client *c, size_t k, int error, const char *text)
{
    const sio__ack *a = &c->socketio.acks.list[k];
    sio__pending *p = sio__push(c, SIO_EVENT_ACK, 0, error, 0, text);
    if (p) { p->ns = a->ns; p->ack_id = (int64_t)a->id; }
    sio__acks_remove(&c->socketio.acks, k);
}

/* Reports emits that can no longer be sent, so nothing is lost silently. */
static void sio__ns_discard_queue(sio_client *c, int i, const char *why)
{
    sio__ns *ns = c->socketio.namespaces.list[i];
    const sio__queued *q;
    if (ns->queued) {
        char text[SIO__TEXT_SIZE];
        sio__pending *p;
        snprintf(text, sizeof text, "sio: %lu queued emit(s) on %.100s were dropped: %s",
                 (unsigned long)ns->queued, ns->name, why);
        p = sio__push(c, SIO_EVENT_ERROR, 0, SIO_ERR_CLOSED, 0, text);
        if (p) p->ns = i;
    }
    for (q = ns->queue_head; q; q = q->next) {         /* nothing will answer their acks */
        int k = q->ack_id >= 0 ? sio__acks_find(&c->socketio.acks, i, (uint64_t)q->ack_id) : -1;
        if (k >= 0) sio__end_ack(c, (size_t)k, SIO_ERR_CLOSED, "socket has been disconnected");
    }
    sio__namespaces_drop_queue(&c->socketio.namespaces, &c->sys.alloc, ns);
}

/* Ends the pending acks of one namespace (or all: ns < 0) with an error;
 * with only_sent, those of emits still queued for a reconnection stay. */
static void sio__fail_acks(sio_client *c, int ns, int error, const char *text, int only_sent)
{
    size_t i = 0;
    while (i < c->socketio.acks.count) {
        const sio__ack *a = &c->socketio.acks.list[i];
        if ((ns >= 0 && a->ns != ns) || (only_sent && !a->sent)) i++;
        else sio__end_ack(c, i, error, text);
    }
}

/* CONNECT with the auth object; after a session with state recovery the
 * server's pid and the last offset seen go first, as the JS client's
 * Object.assign({pid, offset}, auth) (keys of auth win). */
static int sio__send_connect(sio_client *c, int i)
{
    sio__ns *ns = c->socketio.namespaces.list[i];
    char *head = c->why, recovery[160];           /* under 240 bytes: a namespace has at most 200 */
    const void *pieces[3];
    size_t lens[3], n = 1;
    const char *auth = ns->auth ? ns->auth : "";
    head[0] = '4';
    n += sio_packet_encode_header(head + 1, SIO_PACKET_CONNECT, 0, ns->name, 0, 0);
    ns->state = SIO__NS_CONNECTING;
    pieces[0] = head; lens[0] = n;
    if (c->eio.version == 3 && c->eio_query[0] && strcmp(ns->name, "/") != 0) {
        /* Socket.IO v4: the query goes in the namespace, "40/admin?token=1," */
        const void *q[4];
        size_t ql[4];
        q[0] = head; ql[0] = n - 1;                       /* without the ',' */
        q[1] = "?"; ql[1] = 1;
        q[2] = c->eio_query + 1; ql[2] = strlen(c->eio_query + 1);   /* past the leading '&' */
        q[3] = ","; ql[3] = 1;
        return sio__eio_send(c, 0, q, ql, 4);
    }
    pieces[1] = auth; lens[1] = c->eio.version == 3 ? 0 : strlen(auth);   /* Socket.IO v4 has no auth */
    if (ns->pid[0] && ns->offset[0] && c->eio.version == 4) {
        const char *inner = auth;
        while (*inner && *inner != '{') inner++;             /* auth is a validated object or "" */
        if (*inner) inner++;
        while (*inner == ' ' || *inner == '\t' || *inner == '\r' || *inner == '\n') inner++;
        lens[1] = (size_t)snprintf(recovery, sizeof recovery, "{\"pid\":%s,\"offset\":%s%s", ns->pid,
                                   ns->offset, *inner && *inner != '}' ? "," : "");
        pieces[1] = recovery;
        pieces[2] = *inner ? inner : "}";
        lens[2] = strlen((const char *)pieces[2]);
        return sio__eio_send(c, 0, pieces, lens, 3);
    }
    return sio__eio_send(c, 0, pieces, lens, lens[1] ? 2 : 1);
}

/* A server drops a packet over its maxPayload (which an Engine.IO 4
 * handshake states; it stays known while reconnecting) together with the
 * whole connection, seen by the application as a "transport close": such
 * a packet is refused before it goes, counted as it travels: over
 * polling binary as "b" and base64, in Engine.IO 3 with a length prefix. */
static int sio__packet_fits(const sio_client *c, size_t len, int binary)
{
    uint64_t max = c->eio.session.max_payload, n = (uint64_t)len, digits;
    int v3 = c->eio.version == 3;
    if (!max) return 1;
    if (binary && SIO__POLLING(c)) n = (v3 ? 2 : 1) + (n + 2) / 3 * 4;   /* "b" (v3: "b4") and base64 */
    else if (binary && v3) n++;                                           /* v3 frames start with the type */
    if (v3 && SIO__POLLING(c))                                            /* and "<length>:" before each */
        for (digits = n, n++; digits; digits /= 10) n++;
    return n <= max;
}

static int sio__queued_fits(const sio_client *c, const sio__queued *q)
{
    size_t i;
    if (!sio__packet_fits(c, q->text_len, 0)) return 0;
    for (i = 0; i < q->count; i++)
        if (!sio__packet_fits(c, q->lens[i], 1)) return 0;
    return 1;
}

/* Sends an encoded packet (text message + attachments) now. */
static int sio__send_queued(sio_client *c, const sio__queued *q)
{
    size_t i, off = q->text_len;
    const void *piece = q->bytes;
    int r = sio__eio_send(c, 0, &piece, &q->text_len, 1);
    for (i = 0; r == SIO_OK && i < q->count; i++) {
        piece = q->bytes + off;
        r = sio__eio_send(c, 1, &piece, &q->lens[i], 1);
        off += q->lens[i];
    }
    return r;
}


/* Ends an emit of the outbox with an ACK event carrying error and text. */
static void sio__outbox_give_up(sio_client *c, sio__outgoing *e, int error, const char *text)
{
    sio__pending *p = sio__push(c, SIO_EVENT_ACK, 0, error, 0, text);
    if (p) { p->ns = e->ns; p->ack_id = (int64_t)e->id; p->attempt = e->tries; }
    sio__outbox_remove(&c->socketio.outbox, &c->sys.alloc, e);
}

/* Gives up the outbox's emits on namespace ns (all: ns < 0). */
static void sio__outbox_fail(sio_client *c, int ns, int error, const char *text)
{
    sio__outgoing *e = c->socketio.outbox.head, *next;
    for (; e; e = next) {
        next = e->next;
        if (ns < 0 || e->ns == ns) sio__outbox_give_up(c, e, error, text);
    }
}

/* One try of an emit: 4<header with a new ack id><body>, then the
 * attachments.  The try counts once its text went. */
static int sio__outbox_send(sio_client *c, sio__outgoing *e, uint64_t now)
{
    char *head = c->why;                         /* under 240 bytes: a namespace has at most 200 */
    const void *pieces[2];
    size_t lens[2], k, off = e->body_len;
    uint64_t wire_id = c->socketio.acks.next_id;
    int r;
    head[0] = '4';
    pieces[0] = head;
    lens[0] = 1 + sio_packet_encode_header(head + 1, e->count ? SIO_PACKET_BINARY_EVENT : SIO_PACKET_EVENT,
                                           (unsigned)e->count, c->socketio.namespaces.list[e->ns]->name, 1, wire_id);
    pieces[1] = e->bytes;
    lens[1] = e->body_len;
    if ((r = sio__eio_send(c, 0, pieces, lens, 2)) != SIO_OK) return r;
    c->socketio.acks.next_id++;
    sio__outbox_sent(e, wire_id, now);
    for (k = 0; r == SIO_OK && k < e->count; k++) {
        pieces[0] = e->bytes + off;
        r = sio__eio_send(c, 1, pieces, &e->lens[k], 1);
        off += e->lens[k];
    }
    return SIO_OK;                               /* a lost attachment is a lost try: its deadline or the connection's end resends it */
}

/* Sends namespace i's next emit of the outbox when none is in flight and
 * the namespace is connected; an emit out of tries, or over the server's
 * maxPayload, is given up and the one after it goes. */
static void sio__outbox_next(sio_client *c, int i)
{
    sio__outgoing *e;
    uint64_t now = sio__now(c);
    if (c->phase != SIO__OPEN || !c->eio.open || c->socketio.namespaces.list[i]->state != SIO__NS_CONNECTED) return;
    while ((e = sio__outbox_first(&c->socketio.outbox, i)) != NULL && !e->in_flight) {
        size_t k, head = 1 + sio_packet_encode_header(c->why, e->count ? SIO_PACKET_BINARY_EVENT : SIO_PACKET_EVENT,
                                                      (unsigned)e->count, c->socketio.namespaces.list[i]->name, 1,
                                                      c->socketio.acks.next_id);
        int fits = sio__packet_fits(c, head + e->body_len, 0);
        for (k = 0; fits && k < e->count; k++) fits = sio__packet_fits(c, e->lens[k], 1);
        if (e->tries > c->emit_retries) {
            snprintf(c->why, sizeof c->why, "operation has timed out: no ack after %d tries", e->tries);
            sio__outbox_give_up(c, e, SIO_ERR_TIMEOUT, c->why);
        } else if (!fits) {
            snprintf(c->why, sizeof c->why, "sio: an emit on %.100s is larger than the server's maxPayload (%lu bytes): not sent",
                     c->socketio.namespaces.list[i]->name, (unsigned long)c->eio.session.max_payload);
            sio__outbox_give_up(c, e, SIO_ERR_TOO_BIG, c->why);
        } else if (sio__backlog(c) + e->total > c->max_send_queue) {
            c->socketio.outbox_stalled = 1;      /* the last try has not even left: no copy over the limit */
            return;
        } else if (sio__outbox_send(c, e, now) != SIO_OK) {
            c->socketio.outbox_stalled = 1;      /* memory or the random source failed: the timers try again */
            return;
        } else if (e->tries > 1) {
            sio__pending *p = sio__push(c, SIO_EVENT_RETRY, 0, 0, 0, NULL);
            if (p) { p->ns = i; p->ack_id = (int64_t)e->id; p->attempt = e->tries - 1; p->reason = e->why; }
        }
    }
}

/* When no namespace is wanted any more the connection closes, as the JS
 * client's Manager does. */
static void sio__socketio_maybe_close(sio_client *c)
{
    if (!sio__namespaces_wanted(&c->socketio.namespaces) && c->phase == SIO__OPEN && !c->websocket.close_sent &&
        !c->socketio.stop_waits && sio__eio_close(c, SIO_CLOSE_NORMAL, "") != SIO_OK)
        sio__abort(c, SIO_ERR_NOMEM, "ws: could not queue the close frame");
}

static void sio__socketio_parse_error(sio_client *c, const char *why)
{
    c->socketio.disconnect_reason = "parse error";
    sio__fail(c, SIO_CLOSE_PROTOCOL_ERROR, SIO_ERR_PROTOCOL, why);
}

/* ---- attachments sent in parts (sio_emit_ex without attachments, then
 * sio_send_begin/part/end for each) ---- */

/* The connection ended: what waited behind the attachments goes with it,
 * as frames already on its link do. */
static void sio__socketio_parts_drop(sio_client *c)
{
    sio__free(&c->sys.alloc, c->socketio.held.tx);
    memset(&c->socketio.held, 0, sizeof c->socketio.held);
    c->socketio.parts_to_send = 0;
    c->socketio.stop_waits = 0;
    c->socketio.drain_allowance = 0;
    c->socketio.ping_held = 0;
}

/* len more bytes of the attachment went: a close waiting for the last one
 * waits on (close_timeout from now). */
static void sio__socketio_part_sent(sio_client *c, size_t len)
{
    c->socketio.part_bytes += len;
    if (c->socketio.stop_waits) c->socketio.stop_deadline = sio__now(c) + (uint64_t)c->close_timeout;
}

/* The emit whose attachments go in parts is not sent after all, nor what
 * waits behind it; an ERROR says why. */
static void sio__socketio_parts_abandon(sio_client *c, const char *why)
{
    char text[SIO__TEXT_SIZE];
    snprintf(text, sizeof text, "sio: %s before the emit's attachments ended: it, and what waited behind it, was not sent",
             why);
    sio__socketio_parts_drop(c);
    sio__push(c, SIO_EVENT_ERROR, 0, SIO_ERR_CLOSED, 0, text);
}

/* A close waits for an emit's attachments only while parts come: after
 * close_timeout without one the emit is abandoned and the close goes. */
static void sio__socketio_parts_stalled(sio_client *c, uint64_t now)
{
    int code = c->socketio.stop_code;
    char reason[sizeof c->socketio.stop_reason], why[80];
    if (!c->socketio.stop_waits || now < c->socketio.stop_deadline) return;
    memcpy(reason, c->socketio.stop_reason, sizeof reason);
    snprintf(why, sizeof why, "no part came within close_timeout (%d ms) of the close", c->close_timeout);
    sio__socketio_parts_abandon(c, why);
    if (sio__eio_close(c, code, reason) != SIO_OK) sio__abort(c, SIO_ERR_NOMEM, "ws: could not queue the close frame");
}

/* sio_send_begin: the next attachment (binary; Engine.IO 3 puts the packet
 * type first). */
static int sio__socketio_parts_begin(sio_client *c, int binary)
{
    int r = SIO_OK;
    if (!c->socketio.parts_to_send || c->websocket.tx_parts || c->phase != SIO__OPEN || c->websocket.close_sent)
        return SIO_ERR_STATE;
    if (!binary) return SIO_ERR_INVALID;
    sio__websocket_parts_begin(&c->websocket, 1);
    sio__socketio_part_sent(c, 0);
    c->socketio.part_bytes = 0;
    if (c->eio.version == 3 &&
        (r = sio__websocket_part(&c->websocket, &c->sys, &c->ln, (const unsigned char *)"\x04", 1, 0, (size_t)-1)) != SIO_OK)
        c->websocket.tx_parts = 0;
    return r;
}

/* sio_send_part: whether the attachment stays within the server's
 * maxPayload with len more bytes (a larger one is dropped with the
 * connection). */
static int sio__socketio_part_fits(const sio_client *c, size_t len)
{
    uint64_t after = c->socketio.part_bytes + len;
    return after <= (uint64_t)((size_t)-1 - 8) && sio__packet_fits(c, (size_t)after, 1);
}

/* Engine.IO 3: a ping was just queued on the link; the link's mark says
 * when the socket took it.  A marked ping answered since (something read
 * after the socket took it) makes room for this one. */
static void sio__eio3_mark_ping(sio_client *c)
{
    sio__link *l = &c->ln;
    if (l->marked && l->mark_taken_at && c->eio.heartbeat.heard_at >= l->mark_taken_at) l->marked = 0;
    sio__link_mark(l);
}

/* sio_send_end: an attachment ended; after the last, what waited goes. */
static void sio__socketio_part_ended(sio_client *c)
{
    sio__link *held = &c->socketio.held;
    int stop = c->socketio.stop_waits, ping_held = c->socketio.ping_held;
    if (--c->socketio.parts_to_send) {
        sio__socketio_part_sent(c, 0);
        return;
    }
    if (held->tx_len && sio__link_reserve(&c->sys, &c->ln, held->tx_len) != SIO_OK) {
        sio__fail(c, SIO_CLOSE_INTERNAL, SIO_ERR_NOMEM, "sio: out of memory sending what waited behind attachments");
        return;
    }
    if (held->tx_len) memcpy(c->ln.tx + c->ln.tx_len, held->tx, held->tx_len);
    c->ln.tx_len += held->tx_len;
    sio__socketio_parts_drop(c);
    if (sio__backlog(c) > c->max_send_queue) c->socketio.drain_allowance = sio__backlog(c) - c->max_send_queue;
    if (stop && sio__eio_close(c, c->socketio.stop_code, c->socketio.stop_reason) != SIO_OK) {
        sio__abort(c, SIO_ERR_NOMEM, "ws: could not queue the close frame");
        return;
    }
    if (ping_held) {                             /* Engine.IO 3: the held ping leaves now; its pong's wait begins */
        sio__heartbeat_asked(&c->eio.heartbeat, sio__now(c));
        sio__eio3_mark_ping(c);
    }
}

/* The namespace DISCONNECTs, failed acks and dropped queues of a lost
 * connection; namespaces the application still wants go back to WANTED.
 * Before a reconnection (keep_queues) emits not sent yet stay queued. */
static void sio__socketio_teardown(sio_client *c, int keep_queues)
{
    sio__namespaces *n = &c->socketio.namespaces;
    size_t i;
    const char *reason = c->socketio.disconnect_reason ? c->socketio.disconnect_reason : "transport close";
    for (i = 0; i < n->count; i++) {
        if (n->list[i]->state == SIO__NS_CONNECTED) {
            sio__pending *p = sio__push(c, SIO_EVENT_DISCONNECT, 0, 0, 0, NULL);
            if (p) { p->ns = (int)i; p->reason = reason; }
        }
        if (!keep_queues || !n->list[i]->joined) {
            sio__ns_discard_queue(c, (int)i, "the connection closed before the namespace connected");
            sio__outbox_fail(c, (int)i, SIO_ERR_CLOSED, "socket has been disconnected");
        }
    }
    sio__outbox_land(&c->socketio.outbox);       /* the answers on the way are lost: resent on the next connection */
    sio__namespaces_end(n, &c->sys.alloc, keep_queues);
    sio__fail_acks(c, -1, SIO_ERR_CLOSED, "socket has been disconnected", keep_queues);
    sio__eio_end(&c->eio);
    sio__binary_abandon(&c->socketio.binary);     /* attachments collected so far are freed next step */
    sio__socketio_parts_drop(c);
}

/* As the JS client's Manager: reconnect after any loss except a stop by
 * the application or a namespace the server disconnected (left = not joined). */
static int sio__socketio_retry_wanted(const sio_client *c)
{
    if (c->reconnect == SIO_RECONNECT_OFF || c->user_stop) return 0;
    if (c->socketio.disconnect_reason && strcmp(c->socketio.disconnect_reason, "io client disconnect") == 0) return 0;
    return sio__namespaces_wanted(&c->socketio.namespaces);
}

/* The session the client's core ends through (sio__finish). */
static const sio__session_hooks sio__socketio_session = {
    sio__socketio_retry_wanted, sio__socketio_teardown, sio__poll_reset
};

/* What the last event lent out (a binary packet, replayed held events) is
 * given back at the next step. */
static void sio__socketio_release(sio_client *c)
{
    sio__binary_release(&c->socketio.binary, &c->sys.alloc);
    sio__namespaces_release(&c->socketio.namespaces, &c->sys.alloc);
}

/* An idle session gives back large buffers. */
static void sio__socketio_trim(sio_client *c)
{
    if (c->socketio.scratch_cap > SIO__KEEP) {
        sio__free(&c->sys.alloc, c->socketio.scratch);
        c->socketio.scratch = NULL;
        c->socketio.scratch_cap = 0;
    }
    sio__acks_trim(&c->socketio.acks, &c->sys.alloc);
}

static char *sio__scratch(sio_client *c, size_t need)
{
    if (need > c->socketio.scratch_cap) {
        /* doubling up to what trimming keeps, so that values growing a byte
         * at a time do not realloc each time; beyond that, the exact size */
        size_t cap = need < 64 ? 64 : need;
        if (need <= SIO__KEEP && 2 * c->socketio.scratch_cap > cap)
            cap = 2 * c->socketio.scratch_cap > SIO__KEEP ? SIO__KEEP : 2 * c->socketio.scratch_cap;
        char *p = (char *)sio__realloc(&c->sys.alloc, c->socketio.scratch, cap);
        if (!p) return NULL;
        c->socketio.scratch = p;
        c->socketio.scratch_cap = cap;
    }
    return c->socketio.scratch;
}

/* A value as text: strings unescaped, anything else as its JSON. */
static size_t sio__value_text(sio_json v, char *out, size_t cap)
{
    size_t n = 0;
    if (sio_json_typeof(v) == SIO_JSON_STRING) {
        sio_json_string(v, out, cap, &n);
        return n;
    }
    n = v.len < cap ? v.len : cap - 1;
    memcpy(out, v.text, n);
    out[n] = 0;
    return n;
}

/* Fills an EVENT from a validated ["name", args...] array held in writable
 * memory whose byte after the array may be overwritten with a NUL. */
static int sio__socketio_event(sio_client *c, int i, const sio_packet *pk, char *data, sio_event *ev)
{
    sio_json arr = sio_json_make(data, pk->data_len), first, second, last, v;
    sio_json_iter it;
    sio__ns *ns = c->socketio.namespaces.list[i];
    char *name, *msg, *cut = NULL;
    size_t need, count = 0;
    sio_json_iter_init(&it, arr);
    sio_json_iter_next(&it, NULL, &first);
    need = first.len + 1;
    if (sio_json_iter_next(&it, NULL, &second)) {
        last = second;
        count = 1;
        while (sio_json_iter_next(&it, NULL, &v)) { last = v; count++; }
    } else {
        second.len = 0;
    }
    /* With state recovery the server appends the offset to its broadcasts:
     * remember it for the next CONNECT and hand the event over without it. */
    if (ns->pid[0] && count && sio_json_typeof(last) == SIO_JSON_STRING) {
        if (last.len < sizeof ns->offset) {
            memcpy(ns->offset, last.text, last.len);
            ns->offset[last.len] = 0;
        }
        if (count == 1) second.len = 0;
        else for (cut = (char *)last.text - 1; *cut != ','; cut--) {}
    }
    need += second.len + 1;
    if (!(name = sio__scratch(c, need))) {
        sio__fail(c, SIO_CLOSE_INTERNAL, SIO_ERR_NOMEM, "sio: out of memory delivering an event");
        return 0;
    }
    sio__value_text(first, name, first.len + 1);
    if (!sio__namespace_subscribed(ns, name)) return 0;
    msg = name + first.len + 1;
    ev->len = second.len ? sio__value_text(second, msg, second.len + 1) : 0;
    msg[ev->len] = 0;
    ev->type = SIO_EVENT_EVENT;
    ev->ns = ns->name;
    ev->event_name = name;
    ev->data = (const unsigned char *)msg;
    if (second.len) {
        /* Zero-copy args: the comma before the second element becomes '['
         * (and the one before a stripped offset ']'). */
        char *comma = (char *)second.text - 1;
        while (*comma != ',') comma--;
        *comma = '[';
        ev->args = comma;
        if (cut) *cut = ']';
        ev->args_len = (size_t)((cut ? cut + 1 : arr.text + arr.len) - comma);
        comma[ev->args_len] = 0;
    } else {
        ev->args = "[]";
        ev->args_len = 2;
    }
    ev->ack_id = pk->has_id ? (int64_t)pk->id : -1;
    return 1;
}

/* Delivers the next event held back until its namespace connected. */
static int sio__socketio_replay(sio_client *c, sio_event *ev)
{
    const sio__held *h;
    int i;
    while ((h = sio__namespaces_next_held(&c->socketio.namespaces, &c->sys.alloc, &i)) != NULL) {
        sio_packet pk;
        memset(&pk, 0, sizeof pk);
        pk.type = SIO_PACKET_EVENT;
        pk.has_id = h->has_id;
        pk.id = h->id;
        pk.data = h->data;
        pk.data_len = h->data_len;
        if (sio__socketio_event(c, i, &pk, h->data, ev)) {    /* h is freed at the next step */
            if (h->count) {
                ev->attachments = h->atts;
                ev->attachment_count = h->count;
            }
            return 1;
        }
    }
    return 0;
}

/* The namespace connected (CONNECT reply): the emits made before it go
 * out in order; those that cannot are reported, as their acks. */
static int sio__ns_on_connect(sio_client *c, int i, int recovered, sio_event *ev)
{
    sio__ns *ns = c->socketio.namespaces.list[i];
    const sio__queued *q;
    unsigned long too_big = 0;                   /* without an ack: said once, not per emit */
    while ((q = ns->queue_head) != NULL) {
        int k = q->ack_id >= 0 ? sio__acks_find(&c->socketio.acks, i, (uint64_t)q->ack_id) : -1;
        if (!sio__queued_fits(c, q)) {       /* emitted before the server's maxPayload was known */
            snprintf(c->why, sizeof c->why, "sio: an emit on %.100s is larger than the server's maxPayload (%lu bytes): not sent",
                     ns->name, (unsigned long)c->eio.session.max_payload);
            if (k >= 0) sio__end_ack(c, (size_t)k, SIO_ERR_TOO_BIG, c->why);
            else too_big++;
        } else {
            if (sio__send_queued(c, q) != SIO_OK) break;
            if (k >= 0) c->socketio.acks.list[k].sent = 1;
        }
        sio__namespaces_shift(&c->socketio.namespaces, &c->sys.alloc, ns);
    }
    if (too_big) {
        sio__pending *p;
        snprintf(c->why, sizeof c->why, "sio: %lu emit(s) on %.100s larger than the server's maxPayload (%lu bytes) "
                 "were not sent", too_big, ns->name, (unsigned long)c->eio.session.max_payload);
        if ((p = sio__push(c, SIO_EVENT_ERROR, 0, SIO_ERR_TOO_BIG, 0, c->why)) != NULL) p->ns = i;
    }
    sio__ns_discard_queue(c, i, "they could not be sent (memory or the random source failed)");
    sio__outbox_next(c, i);
    ev->type = SIO_EVENT_CONNECT;
    ev->ns = ns->name;
    ev->sid = ns->sid;
    ev->recovered = recovered;
    return 1;
}

/* The namespace refused the connection: message and data for the event
 * (v4's ERROR packet carries the data alone); its queued emits fail.  A
 * CONNECT reply without a sid (why) refuses it too: the events held for
 * it go, its queue waits for a new join. */
static int sio__ns_on_connect_error(sio_client *c, int i, const sio_packet *pk, char *data, sio_event *ev,
                                    const char *why)
{
    sio_json payload = sio_json_make(data, pk->data_len), m, d;
    char *text;
    ev->type = SIO_EVENT_CONNECT_ERROR;
    ev->ns = c->socketio.namespaces.list[i]->name;
    ev->error = SIO_ERR_HANDSHAKE;
    ev->args = "null";
    ev->args_len = 4;
    if (why) {
        ev->message = why;
        sio__namespaces_drop_held(&c->socketio.namespaces, &c->sys.alloc, c->socketio.namespaces.list[i]);
        return 1;
    }
    if (sio_json_typeof(payload) == SIO_JSON_STRING) m = payload;
    else if (!sio_json_find(payload, "message", &m)) m.len = 0;
    if (c->eio.version == 3 && pk->data_len && sio_json_typeof(payload) != SIO_JSON_STRING) {
        data[pk->data_len] = 0;                 /* Socket.IO v4 ERROR: the payload is the data */
        ev->args = data;
        ev->args_len = pk->data_len;
    } else if (sio_json_typeof(payload) == SIO_JSON_OBJECT && sio_json_find(payload, "data", &d)) {
        ((char *)d.text)[d.len] = 0;            /* inside our buffer: the ',' or '}' after it */
        ev->args = d.text;
        ev->args_len = d.len;
    }
    text = sio__scratch(c, m.len + 1);
    if (text && m.len) sio__value_text(m, text, m.len + 1);
    else if (text) text[0] = 0;
    ev->message = text ? text : "";
    sio__ns_discard_queue(c, i, "the namespace refused the connection");
    sio__outbox_fail(c, i, SIO_ERR_CLOSED, "the namespace refused the connection");
    sio__namespaces_leave(&c->socketio.namespaces, &c->sys.alloc, i);
    return 1;
}

/* The server answered the try in flight of an outbox emit: the emit is
 * done (reported when it asked for the answer) and the next one goes. */
static int sio__outbox_on_ack(sio_client *c, sio__outgoing *e, char *data, size_t len, sio_event *ev)
{
    int i = e->ns, report = e->want_ack;
    if (report) {
        ev->type = SIO_EVENT_ACK;
        ev->ns = c->socketio.namespaces.list[i]->name;
        ev->ack_id = (int64_t)e->id;
        ev->attempt = e->tries;
        ev->args = data;
        ev->args_len = len;
        data[len] = 0;
    }
    sio__outbox_remove(&c->socketio.outbox, &c->sys.alloc, e);
    sio__outbox_next(c, i);
    return report;
}

/* One Socket.IO packet; data is writable (see above).  Returns 1 with an
 * event. */
static int sio__socketio_packet(sio_client *c, const sio_packet *pk, char *data, sio_event *ev)
{
    sio__namespaces *n = &c->socketio.namespaces;
    int i, k, recovered = 0;
    sio__outgoing *e;
    int verdict;
    if (pk->type == SIO_PACKET_CONNECT && c->websocket.close_sent)
        return 0;                               /* too late: the namespace connects on the next connection */
    verdict = sio__namespaces_receive(n, c->eio.version, c->eio.session.sid, pk, sio_json_make(data, pk->data_len),
                                          &i, &recovered);
    switch (verdict) {
    case SIO__NS_JOINED:
        return sio__ns_on_connect(c, i, recovered, ev);
    case SIO__NS_NO_SID:
    case SIO__NS_REFUSED:
        return sio__ns_on_connect_error(c, i, pk, data, ev, verdict == SIO__NS_REFUSED ? NULL :
                                        "It seems you are trying to reach a Socket.IO server "
                                        "in v2.x with a v3.x client, but they are not compatible");
    case SIO__NS_LEFT:
        sio__fail_acks(c, i, SIO_ERR_CLOSED, "socket has been disconnected", 0);
        sio__outbox_fail(c, i, SIO_ERR_CLOSED, "socket has been disconnected");
        ev->type = SIO_EVENT_DISCONNECT;
        ev->ns = n->list[i]->name;
        ev->reason = "io server disconnect";
        sio__socketio_maybe_close(c);
        return 1;
    case SIO__NS_EARLY: {
        size_t count = pk->attachments ? c->socketio.binary.have : 0;
        if (sio__namespaces_hold(n, &c->sys.alloc, n->list[i], pk, data, count ? c->socketio.binary.parts : NULL, count,
                                 c->max_message) != SIO_OK)
            sio__fail(c, SIO_CLOSE_TOO_BIG, SIO_ERR_TOO_BIG, "sio: events before the CONNECT reply exceed max_message");
        return 0;
    }
    case SIO__NS_EVENT:
        return sio__socketio_event(c, i, pk, data, ev);
    case SIO__NS_ACK:   /* unknown ids are ignored, and those of emits still queued: the server cannot know them */
        if ((e = sio__outbox_answered(&c->socketio.outbox, i, pk->id)) != NULL)
            return sio__outbox_on_ack(c, e, data, pk->data_len, ev);
        if ((k = sio__acks_find(&c->socketio.acks, i, pk->id)) < 0 || !c->socketio.acks.list[k].sent) return 0;
        sio__acks_remove(&c->socketio.acks, (size_t)k);
        ev->type = SIO_EVENT_ACK;
        ev->ns = n->list[i]->name;
        ev->ack_id = (int64_t)pk->id;
        ev->args = data;
        ev->args_len = pk->data_len;
        data[pk->data_len] = 0;
        return 1;
    default:
        return 0;
    }
}

/* Whether a {"_placeholder":true,"num":N} object names an attachment that
 * exists.  The range first: converting 1e300 to an integer is undefined. */
static int sio__placeholder_num_ok(const char *text, size_t len, size_t count)
{
    double d;
    return sio_json_number(sio_json_make(text, len), &d) == SIO_OK && d >= 0 && d < (double)count &&
           d == (double)(size_t)d;
}

enum { SIO__PH_OBJECT = 1, SIO__PH_KEY = 2, SIO__PH_SEEN = 4, SIO__PH_TRUE = 8, SIO__PH_NUM_SEEN = 16,
       SIO__PH_NUM_OK = 32, SIO__PH_BAD = 64, SIO__PH_TWICE = 128 };

/* Every {"_placeholder":true,...} in a binary packet must name an
 * attachment that exists; what is inside a placeholder is not looked at.
 * An object with "_placeholder" that repeats it or "num" is refused: the
 * server's JSON.parse keeps the last value, this check would see the first.
 * One pass over the validated text with a state byte per open object or
 * array: linear in the size at any depth (walking each level again cost
 * size x depth).  Returns 1, 0, or SIO_ERR_NOMEM. */
static int sio__placeholders_ok(sio_client *c, const char *p, size_t n, size_t count)
{
    unsigned char small[64], *st = small;
    size_t i, depth = 0, max_depth = 0, d = 0;
    int pending = 0, ok = 1;                     /* 1: _placeholder's value next, 2: num's */
    for (i = 0; i < n; i++) {                    /* how deep, so the stack can be sized */
        if (p[i] == '"') { for (i++; i < n && p[i] != '"'; i++) if (p[i] == '\\') i++; }
        else if (p[i] == '{' || p[i] == '[') { if (++d > max_depth) max_depth = d; }
        else if (p[i] == '}' || p[i] == ']') d--;
    }
    if (max_depth > sizeof small && !(st = (unsigned char *)sio__realloc(&c->sys.alloc, NULL, max_depth))) return SIO_ERR_NOMEM;
    for (i = 0; i < n && ok; i++) {
        unsigned char *top = depth ? &st[depth - 1] : NULL;
        size_t start = i;
        switch (p[i]) {
        case ' ': case '\t': case '\r': case '\n': case ':':
            continue;
        case ',':
            if (top && (*top & SIO__PH_OBJECT)) *top |= SIO__PH_KEY;
            continue;
        case '{': case '[':
            if (pending == 1 && top) *top &= (unsigned char)~SIO__PH_TRUE;
            pending = 0;
            st[depth++] = p[i] == '{' ? SIO__PH_OBJECT | SIO__PH_KEY : 0;
            continue;
        case '}': case ']': {
            int good = ((*top & SIO__PH_SEEN) && (*top & SIO__PH_TWICE)) ? 0 :
                       (*top & SIO__PH_TRUE) ? (*top & SIO__PH_NUM_OK) != 0 : !(*top & SIO__PH_BAD);
            depth--;
            if (!good && depth) st[depth - 1] |= SIO__PH_BAD;
            else if (!good) ok = 0;
            continue;
        }
        case '"':
            for (i++; i < n && p[i] != '"'; i++) if (p[i] == '\\') i++;
            if (top && (*top & SIO__PH_KEY)) {   /* a key: _placeholder and num matter */
                sio_json k = sio_json_make(p + start, i + 1 - start);
                unsigned char seen = sio_json_string_equals(k, "_placeholder") ? SIO__PH_SEEN :
                                     sio_json_string_equals(k, "num") ? SIO__PH_NUM_SEEN : 0;
                *top &= (unsigned char)~SIO__PH_KEY;
                if (seen && (*top & seen)) *top |= SIO__PH_TWICE;
                else if (seen) { *top |= seen; pending = seen == SIO__PH_SEEN ? 1 : 2; }
                continue;
            }
            pending = 0;                         /* a string value */
            continue;
        default:                                 /* a number, true, false or null */
            while (i + 1 < n && p[i + 1] != ',' && p[i + 1] != '}' && p[i + 1] != ']' && p[i + 1] != ' ' &&
                   p[i + 1] != '\t' && p[i + 1] != '\r' && p[i + 1] != '\n')
                i++;
            if (top && pending == 1 && i + 1 - start == 4 && memcmp(p + start, "true", 4) == 0) *top |= SIO__PH_TRUE;
            if (top && pending == 2 && sio__placeholder_num_ok(p + start, i + 1 - start, count)) *top |= SIO__PH_NUM_OK;
            pending = 0;
            continue;
        }
    }
    if (st != small) sio__free(&c->sys.alloc, st);
    return ok;
}

/* Checks the placeholders of a binary packet against count attachments;
 * 0 (the connection failing) when one names none of them. */
static int sio__socketio_placeholders_check(sio_client *c, const sio_packet *pk, size_t count)
{
    int r = sio__placeholders_ok(c, pk->data, pk->data_len, count);
    if (r == SIO_ERR_NOMEM) {
        sio__fail(c, SIO_CLOSE_INTERNAL, SIO_ERR_NOMEM, "sio: out of memory checking attachment placeholders");
        return 0;
    }
    if (!r) sio__socketio_parse_error(c, "sio: attachment placeholder with a missing or out-of-range num");
    return r;
}

/* A part of an attachment handed over as it came (receive_parts): an
 * ATTACHMENT event when its packet was delivered.  Returns 1 with it. */
static int sio__socketio_attachment_part(sio_client *c, const unsigned char *data, size_t len, uint64_t offset,
                                         int final, sio_event *ev)
{
    sio__binary *b = &c->socketio.binary;
    size_t count = b->need;                      /* the last part ends the packet */
    long index = sio__binary_part(b, final);
    if (index < 0) {
        sio__socketio_parse_error(c, "sio: binary message without a binary packet announcing it");
        return 0;
    }
    if (!b->deliver || (!len && !final)) return 0;
    ev->type = SIO_EVENT_ATTACHMENT;
    ev->ns = b->ns;
    ev->ack_id = b->id;
    ev->attachment_index = (size_t)index;
    ev->attachment_count = count;
    ev->binary = 1;
    ev->data = data;
    ev->len = len;
    ev->offset = offset;
    ev->final = final;
    return 1;
}

/* Bytes of an attachment (a part of it when final is 0): kept until its
 * packet is whole, or with receive_parts handed over at once.  Returns 1
 * with an event. */
static int sio__socketio_attachment(sio_client *c, const unsigned char *data, size_t len, uint64_t offset,
                                    int final, sio_event *ev)
{
    sio__binary *b = &c->socketio.binary;
    sio_packet pk;
    const char *why = NULL;
    if (b->in_parts) return sio__socketio_attachment_part(c, data, len, offset, final, ev);
    switch (sio__binary_add(b, &c->sys.alloc, data, len, final, c->max_message)) {
    case 0:
        return 0;
    case 1:
        break;
    case SIO_ERR_STATE:
        sio__socketio_parse_error(c, "sio: binary message without a binary packet announcing it");
        return 0;
    case SIO_ERR_TOO_BIG:
        snprintf(c->why, sizeof c->why, "sio: the attachments of one binary packet exceed max_message (%lu bytes)",
                 (unsigned long)c->max_message);
        sio__fail(c, SIO_CLOSE_TOO_BIG, SIO_ERR_TOO_BIG, c->why);
        return 0;
    default:
        sio__fail(c, SIO_CLOSE_INTERNAL, SIO_ERR_NOMEM, "sio: out of memory storing an attachment");
        return 0;
    }
    /* All attachments are here: deliver the packet that announced them. */
    sio_packet_decode(&pk, b->text, b->text_len, (unsigned)c->max_attachments, c->max_json_depth, &why);
    if (!sio__socketio_placeholders_check(c, &pk, b->have)) return 0;
    if (!sio__socketio_packet(c, &pk, (char *)pk.data, ev)) {
        sio__binary_release(&c->socketio.binary, &c->sys.alloc);   /* not delivered: the next binary packet may follow in this read */
        return 0;
    }
    ev->attachments = b->parts;
    ev->attachment_count = b->have;
    return 1;
}

/* Answers Engine.IO pings that wait behind other frames on the WebSocket,
 * so a burst of events the application is still working through cannot
 * make the server's pingTimeout expire.  Each frame is looked at once.
 * The pings answered ahead are skipped in their turn by count, so they
 * must be the next ones in the stream: the look-ahead stops at a ping it
 * cannot answer now (fragmented, over-long, or no room for the pong). */
static void sio__eio_pings_ahead(sio_client *c, uint64_t now)
{
    sio_ws_frame f;
    const unsigned char *payload;
    if (SIO__POLLING(c) || c->websocket.close_sent || !sio__eio_looks_ahead(&c->eio)) return;
    while (sio__websocket_peek(&c->websocket, &c->ln, &f, &payload)) {
        size_t n = (size_t)f.length;
        if (f.rsv) break;                       /* compressed: only its turn can read it */
        if (f.opcode == SIO_WS_TEXT && sio__eio_is_ping(payload, n)) {
            if (!f.fin || f.masked || n > 125 || !sio__small_packet_fits(c, n - 1))
                break;                          /* its own turn answers it (or reports the full queue) */
            sio__eio_send_text(c, "3", 1, (const char *)payload + 1, n - 1);
            sio__eio_ping_ahead(&c->eio, now);
            c->output_now = 1;                  /* the point is to answer before the burst is worked through */
        }
        sio__websocket_peek_next(&c->websocket, &f);
    }
}

/* The Engine.IO session opened: the joined namespaces connect. */
static int sio__eio_on_open(sio_client *c, sio_event *ev)
{
    size_t i;
    c->deadline = 0;                        /* connected: the connect timeout is over */
    for (i = 0; i < c->socketio.namespaces.count; i++) {
        sio__ns *ns = c->socketio.namespaces.list[i];
        if (!ns->joined) continue;
        if (c->eio.version == 3 && strcmp(ns->name, "/") == 0)
            ns->state = SIO__NS_CONNECTING;   /* Socket.IO v4: the server connects "/" itself */
        else
            sio__send_connect(c, (int)i);
    }
    ev->type = c->retries ? SIO_EVENT_RECONNECT : SIO_EVENT_OPEN;
    ev->attempt = (int)c->retries;
    ev->sid = c->eio.session.sid;
    c->retries = 0;                         /* the backoff starts over */
    return 1;
}

/* The server closes the session. */
static void sio__eio_on_close(sio_client *c, uint64_t now)
{
    c->socketio.disconnect_reason = "transport close";
    if (SIO__POLLING(c)) {
        sio__finish(c, SIO_CLOSE_NORMAL, "", 1);
        return;
    }
    if (!c->websocket.close_sent) {
        sio__websocket_close(&c->websocket, &c->sys, &c->ln, SIO_CLOSE_NORMAL, "");
        c->phase = SIO__CLOSING;
        c->deadline = now + (uint64_t)c->close_timeout;
    }
}

/* A base64 attachment (polling), decoded where it lies: the bytes are
 * written behind the text being read, never ahead of it. */
static int sio__socketio_base64_attachment(sio_client *c, unsigned char *text, size_t len, sio_event *ev)
{
    size_t n = 0;
    if (sio_base64_decode((const char *)text, len, text, &n) != SIO_OK) {
        sio__socketio_parse_error(c, "eio: bad base64 in a binary packet");
        return 0;
    }
    text[n] = 0;
    return sio__socketio_attachment(c, text, n, 0, 1, ev);
}

/* A binary packet whose attachments are handed over in parts as they come
 * (receive_parts): delivered now, with attachment_count and no
 * attachments; or dropped (an unknown ack, an event not subscribed to),
 * its attachments then too.  Returns 1 with an event. */
static int sio__socketio_packet_in_parts(sio_client *c, const sio_packet *pk, sio_event *ev)
{
    int delivered;
    if (!sio__socketio_placeholders_check(c, pk, pk->attachments)) return 0;
    if (c->socketio.binary.need) {               /* before anything is delivered (text in between fails earlier) */
        sio__socketio_parse_error(c, "sio: binary packet while another one's attachments were expected");
        return 0;
    }
    sio__binary_release(&c->socketio.binary, &c->sys.alloc);   /* a packet delivered earlier in this step */
    delivered = sio__socketio_packet(c, pk, (char *)pk->data, ev);
    if (c->phase == SIO__FAILING || c->phase < SIO__CONNECTING) return 0;
    sio__binary_begin_parts(&c->socketio.binary, pk->attachments, delivered, delivered ? ev->ns : NULL,
                            delivered ? ev->ack_id : -1);
    if (delivered) ev->attachment_count = pk->attachments;
    return delivered;
}

/* A Socket.IO packet (the text after Engine.IO's "4"); a binary one is
 * kept until its attachments arrive.  text[len] is writable. */
static int sio__socketio_text_packet(sio_client *c, unsigned char *text, size_t len, sio_event *ev)
{
    const char *why = NULL;
    sio_packet pk;
    int r;
    if (sio_packet_decode(&pk, (const char *)text, len, (unsigned)c->max_attachments,
                          c->max_json_depth, &why) != SIO_OK) {
        sio__socketio_parse_error(c, why);
        return 0;
    }
    if (pk.attachments && c->socketio.receive_parts &&
        !sio__namespaces_early(&c->socketio.namespaces, &pk))   /* held events need their attachments whole */
        return sio__socketio_packet_in_parts(c, &pk, ev);
    if (pk.attachments) {                       /* keep the header until its attachments arrive */
        sio__binary_release(&c->socketio.binary, &c->sys.alloc);   /* a packet delivered earlier in this step */
        r = sio__binary_begin(&c->socketio.binary, &c->sys.alloc, (const char *)text, len, pk.attachments);
        if (r == SIO_ERR_STATE)                          /* never overwrite one still collecting */
            sio__socketio_parse_error(c, "sio: binary packet while another one's attachments were expected");
        else if (r != SIO_OK)
            sio__fail(c, SIO_CLOSE_INTERNAL, SIO_ERR_NOMEM, "sio: out of memory for a binary packet");
        return 0;
    }
    if ((pk.type == SIO_PACKET_BINARY_EVENT || pk.type == SIO_PACKET_BINARY_ACK) &&
        !sio__socketio_placeholders_check(c, &pk, 0))  /* "0-": no placeholder can be right */
        return 0;
    return sio__socketio_packet(c, &pk, (char *)pk.data, ev);
}

/* One message of the transport at time now: what Engine.IO makes of it,
 * and the Socket.IO packet or attachment it carries.  Returns 1 with an
 * event.  data[len] is writable. */
static int sio__eio_message(sio_client *c, uint64_t now, int binary, unsigned char *data, size_t len,
                            uint64_t offset, int final, sio_event *ev)
{
    const unsigned char *p = data;
    const char *why = NULL;
    if (binary && offset > 0) {                 /* the rest of an attachment in parts: Engine.IO saw its start */
        if (final) sio__heartbeat_heard(&c->eio.heartbeat, now);
        else sio__heartbeat_heard_part(&c->eio.heartbeat, now, len);
        return sio__socketio_attachment(c, data, len, offset - (c->eio.version == 3), final, ev);
    }
    if (!binary && c->socketio.binary.need && len > 0 && data[0] == '0' + SIO_EIO_MESSAGE) {
        sio__binary_abandon(&c->socketio.binary);  /* Engine.IO pings and noops may come between */
        sio__socketio_parse_error(c, "sio: text message while binary attachments were expected");
        return 0;
    }
    switch (sio__eio_receive(&c->eio, binary, final, &p, &len, now, &why)) {
    case SIO__EIO_OPENED:
        return sio__eio_on_open(c, ev);
    case SIO__EIO_CLOSED:
        sio__eio_on_close(c, now);
        return 0;
    case SIO__EIO_PONG_WANTED:
        sio__eio_pong(c, (const char *)p, len);
        return 0;
    case SIO__EIO_PACKET:
        return sio__socketio_text_packet(c, (unsigned char *)p, len, ev);
    case SIO__EIO_ATTACHMENT:
        return sio__socketio_attachment(c, p, len, 0, final, ev);
    case SIO__EIO_BASE64_ATTACHMENT:
        return sio__socketio_base64_attachment(c, (unsigned char *)p, len, ev);
    case SIO__EIO_ERROR:
        sio__socketio_parse_error(c, why);
        return 0;
    default:
        return 0;
    }
}
#endif
