#if SIO__WITH_SOCKETIO   /* SIO_NO_SOCKETIO: the calls below answer SIO_ERR_STATE */
/* Engine.IO 3 with an attachment open (or what waited behind one still
 * draining): the client's ping waits behind it, so a WebSocket ping, which
 * may go between its fragments, asks whether the server is there (not when
 * the link is full: the server is not reading; nor after our close frame).
 * Whatever is read after it answers, and so does a server seen reading
 * (the ping may wait behind parts a slow reader is taking). */
static void sio__eio3_websocket_ping(sio_client *c, uint64_t now)
{
    sio__heartbeat_asked(&c->eio.heartbeat, now);
    if (c->websocket.close_sent) return;
    if (c->ln.tx_len - c->ln.tx_sent + 6 > c->max_send_queue + SIO__PONG_SLACK) return;   /* 6: the ping's frame */
    sio__websocket_send(&c->websocket, &c->sys, &c->ln, SIO_WS_PING, (const unsigned char *)"", 0, (size_t)-1);
    sio__eio3_mark_ping(c);
    c->output_now = 1;
}

/* Engine.IO 3 over WebSocket, at a ping timeout.  While the oldest
 * unanswered ping has not left (it waits behind attachments in parts, or
 * behind what waited behind them, or in a backlog a slow reader is taking)
 * no answer can be expected: a server read from or seen reading since the
 * ask is kept.  Once the socket took the ping (the link's mark), only a
 * whole packet (or WebSocket pong) read after that keeps it: bytes of a
 * frame still coming are no answer, a server could trickle them for ever. */
static int sio__eio3_alive_behind_backlog(const sio_client *c)
{
    uint64_t since = sio__heartbeat_asked_at(&c->eio.heartbeat);
    if (!c->eio.heartbeat.client_pings || SIO__POLLING(c)) return 0;
    if (c->ln.marked && c->ln.mark_taken_at) return c->eio.heartbeat.heard_at >= c->ln.mark_taken_at;
    return c->eio.heartbeat.heard_at >= since || c->ln.peer_reading >= since;
}

/* The oldest unanswered ping left the socket less than pingTimeout ago:
 * its answer has pingTimeout from then (not from the ask). */
static int sio__eio3_ping_left_lately(const sio_client *c, uint64_t now)
{
    return c->eio.heartbeat.client_pings && !SIO__POLLING(c) && c->ln.marked && c->ln.mark_taken_at &&
           c->eio.heartbeat.heard_at < c->ln.mark_taken_at && now < c->ln.mark_taken_at + sio__heartbeat_wait(&c->eio.heartbeat);
}

/* Engine.IO 3: the server's packets keep its session (any packet is a sign
 * of life), so a server that talks but reads nothing would be kept for
 * ever; one that took no byte for pingInterval + pingTimeout is given up.
 * (Engine.IO 4 drops it when its pong finds no room.)  0: no such wait. */
static uint64_t sio__eio3_write_deadline(const sio_client *c)
{
    uint64_t since;
    if (!c->eio.heartbeat.client_pings || !c->eio.heartbeat.deadline || SIO__POLLING(c) || !c->ln.write_blocked)
        return 0;
    since = c->ln.peer_reading > c->ln.blocked_since ? c->ln.peer_reading : c->ln.blocked_since;
    return since + c->eio.heartbeat.interval + c->eio.heartbeat.timeout;
}

static void sio__socketio_timers(sio_client *c, uint64_t now)
{
    int k = 0;
    size_t i;
    sio__outgoing *e;
    if (!SIO__SOCKETIO(c)) return;
    while ((e = sio__outbox_expired(&c->socketio.outbox, now)) != NULL)   /* ends: resent with a later deadline, or not in flight */
        sio__outbox_next(c, e->ns);
    if (c->socketio.outbox_stalled) {
        c->socketio.outbox_stalled = 0;
        for (i = 0; i < c->socketio.namespaces.count; i++) sio__outbox_next(c, (int)i);
    }
    while ((k = sio__acks_expired(&c->socketio.acks, (size_t)k, now)) >= 0) {   /* ack timers run while offline too */
        const sio__ack *a = &c->socketio.acks.list[k];
        if (!a->sent)
            sio__namespaces_unqueue(&c->socketio.namespaces, &c->sys.alloc, c->socketio.namespaces.list[a->ns], a->id);
        sio__end_ack(c, (size_t)k, SIO_ERR_TIMEOUT, "operation has timed out");
    }
    if (c->phase != SIO__OPEN) return;
    sio__socketio_parts_stalled(c, now);
    if (c->phase != SIO__OPEN) return;
    if (sio__eio3_write_deadline(c) && now >= sio__eio3_write_deadline(c)) {
        char text[SIO__TEXT_SIZE];
        snprintf(text, sizeof text, "eio: the server took no bytes for pingInterval + pingTimeout (%ld ms)",
                 c->eio.session.ping_interval + c->eio.session.ping_timeout);
        c->socketio.disconnect_reason = "ping timeout";
        sio__push(c, SIO_EVENT_ERROR, 0, SIO_ERR_TIMEOUT, 0, text);
        sio__finish(c, SIO_CLOSE_ABNORMAL, "ping timeout", 0);
        return;
    }
    switch (sio__eio_due(&c->eio, now)) {
    case SIO__HEARTBEAT_PING:                    /* Engine.IO 3: the client pings (a server reading nothing gets none) */
        if (sio__small_packet_fits(c, 0) && sio__eio_send_text(c, "2", 1, "", 0) == SIO_OK && !SIO__POLLING(c)) {
            if (c->socketio.parts_to_send) c->socketio.ping_held = 1;   /* it waits behind the parts */
            else sio__eio3_mark_ping(c);
        }
        if (c->socketio.parts_to_send) sio__eio3_websocket_ping(c, now);
        break;
    case SIO__HEARTBEAT_TIMEOUT: {
        char text[SIO__TEXT_SIZE];
        if (!SIO__POLLING(c) && !sio__silent_since(c, c->eio.heartbeat.deadline)) break;   /* unread bytes may hold the ping */
        if (sio__eio3_ping_left_lately(c, now)) {
            sio__heartbeat_asked(&c->eio.heartbeat, c->ln.mark_taken_at);
            break;
        }
        if (sio__eio3_alive_behind_backlog(c)) {
            sio__eio3_websocket_ping(c, now);   /* ask again */
            break;
        }
        snprintf(text, sizeof text, "eio: no ping from the server within pingInterval + pingTimeout (%ld ms)",
                 c->eio.session.ping_interval + c->eio.session.ping_timeout);
        c->socketio.disconnect_reason = "ping timeout";
        sio__push(c, SIO_EVENT_ERROR, 0, SIO_ERR_TIMEOUT, 0, text);
        sio__finish(c, SIO_CLOSE_ABNORMAL, "ping timeout", 0);   /* the server is gone: no close handshake */
        break;
    }
    default:
        break;
    }
}

/* When sio__socketio_timers has something to do: the acks' deadlines
 * always, the heartbeat's and a close's waiting for parts while the session
 * is open (closing, it has none: the close timeout runs). */
static uint64_t sio__socketio_deadline(const sio_client *c)
{
    uint64_t open = c->phase != SIO__OPEN ? 0 : sio__earliest(sio__earliest(sio__eio_deadline(&c->eio),
                                                                            sio__eio3_write_deadline(c)),
                                                              c->socketio.stop_waits ? c->socketio.stop_deadline : 0);
    return sio__earliest(sio__earliest(open, sio__acks_deadline(&c->socketio.acks)),
                         sio__outbox_deadline(&c->socketio.outbox));
}

/* The body of an event or ack as pieces, [<name>,<args>], pointing into
 * event, args and name_buf (or w, for a long name: sio_jw_free it). */
static int sio__emit_body(sio_client *c, const char *event, const char *args, sio_json_writer *w,
                          char *name_buf, size_t name_cap, const void **pieces, size_t *lens, size_t *n)
{
    const char *inner = "";
    size_t inner_len = 0;
    if (args && *args) {
        sio_json arr = sio_json_make(args, strlen(args));
        if (arr.len > 2) {
            inner = arr.text + 1;
            inner_len = arr.len - 2;
            while (inner_len && strchr(" \t\r\n", *inner)) { inner++; inner_len--; }
        }
    }
    pieces[*n] = "[";
    lens[(*n)++] = 1;
    sio_jw_init(w, name_buf, name_cap);   /* the escaped name: on the stack unless long */
    if (event) {
        sio_jw_cstring(w, event);
        if (w->error) {
            sio_jw_init(w, NULL, 0);
            w->allocator = c->sys.alloc;
            sio_jw_cstring(w, event);
            if (w->error) { sio_jw_free(w); return SIO_ERR_NOMEM; }
        }
        pieces[*n] = w->buf;
        lens[(*n)++] = w->len;
    }
    if (inner_len) {
        if (event) { pieces[*n] = ","; lens[(*n)++] = 1; }
        pieces[*n] = inner;
        lens[(*n)++] = inner_len;
    }
    pieces[*n] = "]";
    lens[(*n)++] = 1;
    return SIO_OK;
}

/* Bytes the client holds to send later: the namespaces' queues and the
 * outbox. */
static size_t sio__to_send_later(const sio_client *c)
{
    return c->socketio.namespaces.queued_bytes + c->socketio.outbox.bytes;
}

/* Whether a packet of text_len bytes and count attachments may be taken:
 * SIO_ERR_TOO_BIG over the server's maxPayload, SIO_ERR_FULL when the bytes
 * waiting to go would pass max_send_queue, else SIO_OK. */
static int sio__emit_room(const sio_client *c, size_t text_len, const sio_bytes *atts, size_t count)
{
    size_t k, total = text_len;
    for (k = 0; k < count; k++) {
        if (!sio__packet_fits(c, atts[k].len, 1)) return SIO_ERR_TOO_BIG;
        total += atts[k].len;
    }
    if (!sio__packet_fits(c, text_len, 0)) return SIO_ERR_TOO_BIG;
    return sio__to_send_later(c) + sio__backlog(c) + total > c->max_send_queue ? SIO_ERR_FULL : SIO_OK;
}

/* Encodes an event or ack as pieces: 4<header>[<name>,<args>] and sends it
 * at once (no copy, no allocation: straight into the transport's buffer) or
 * copies it into the namespace's queue until the CONNECT reply.  atts NULL
 * with count: the attachments follow in parts (sent at once, see below). */
static int sio__socketio_emit(sio_client *c, int i, int type, int has_id, uint64_t id, const char *event,
                        const char *args, const sio_bytes *atts, size_t count)
{
    sio__ns *ns = c->socketio.namespaces.list[i];
    const void *pieces[6];
    size_t lens[6], n = 0, total = 0, k;
    char head[256], name_buf[256];
    sio_json_writer w;
    int r = SIO_OK;
    head[0] = '4';
    pieces[n] = head;
    lens[n++] = 1 + sio_packet_encode_header(head + 1, count ? type + 3 : type, (unsigned)count, ns->name, has_id, id);
    if ((r = sio__emit_body(c, event, args, &w, name_buf, sizeof name_buf, pieces, lens, &n)) != SIO_OK) return r;
    for (k = 0; k < n; k++) total += lens[k];
    if ((r = sio__emit_room(c, total, atts, atts ? count : 0)) != SIO_OK) {
        sio_jw_free(&w);
        return r;
    }
    if (ns->state == SIO__NS_CONNECTED && c->eio.open && !c->websocket.close_sent) {
        r = sio__eio_send(c, 0, pieces, lens, n);
        for (k = 0; r == SIO_OK && atts && k < count; k++) {
            const void *piece = atts[k].data;
            r = sio__eio_send(c, 1, &piece, &atts[k].len, 1);
        }
        sio_jw_free(&w);
        return r;
    }
    r = sio__namespaces_enqueue(&c->socketio.namespaces, &c->sys.alloc, ns, pieces, lens, n, atts, count,
                                type == SIO_PACKET_EVENT && has_id ? (int64_t)id : -1);
    sio_jw_free(&w);
    return r;
}

/* An emit with retries: kept in the outbox until the server answers it,
 * sent when its turn comes.  Its id is taken from the acks' ids, so that
 * every ACK event names one emit. */
static int sio__emit_at_least_once(sio_client *c, int i, const sio_emit_options *o, int64_t *ack_id)
{
    const void *pieces[5];
    size_t lens[5], n = 0, total = 0, k;
    char head[256], name_buf[256];
    sio_json_writer w;
    uint64_t id = c->socketio.acks.next_id;
    int r;
    if (c->socketio.outbox.count + c->socketio.acks.count >= c->max_pending_acks) return SIO_ERR_FULL;
    if ((r = sio__emit_body(c, o->event, o->args, &w, name_buf, sizeof name_buf, pieces, lens, &n)) != SIO_OK) return r;
    for (k = 0; k < n; k++) total += lens[k];
    total += 1 + sio_packet_encode_header(head, o->attachment_count ? SIO_PACKET_BINARY_EVENT : SIO_PACKET_EVENT,
                                          (unsigned)o->attachment_count, c->socketio.namespaces.list[i]->name, 1, id);
    r = sio__emit_room(c, total, o->attachments, o->attachment_count);
    if (r == SIO_OK)
        r = sio__outbox_add(&c->socketio.outbox, &c->sys.alloc, i, id, o->ack, pieces, lens, n,
                            o->attachments, o->attachment_count);
    sio_jw_free(&w);
    if (r != SIO_OK) return r;
    c->socketio.outbox.tail->timeout = o->ack_timeout_ms > 0 ? (uint64_t)o->ack_timeout_ms : c->emit_ack_timeout;
    c->socketio.acks.next_id++;
    if (ack_id) *ack_id = (int64_t)id;
    sio__outbox_next(c, i);
    return SIO_OK;
}

static int sio__check_args(const sio_client *c, const char *args)
{
    sio_json v;
    if (!args || !*args) return SIO_OK;
    if (sio_json_validate(args, strlen(args), SIO__JSON_MAX_DEPTH, NULL) != SIO_OK) return SIO_ERR_INVALID;
    v = sio_json_make(args, strlen(args));
    (void)c;
    return sio_json_typeof(v) == SIO_JSON_ARRAY ? SIO_OK : SIO_ERR_INVALID;
}

/* A CONNECT or DISCONNECT that finds the send queue full (the server reads
 * nothing, as with pongs) ends the connection instead of growing it; the
 * namespace's new state holds for the next connection (so it is made
 * before this is called: over polling the connection ends at once). */
static void sio__namespace_packet_refused(sio_client *c)
{
    char text[SIO__TEXT_SIZE];
    snprintf(text, sizeof text, "sio: no room for a namespace's CONNECT or DISCONNECT: the send queue is full "
             "(max_send_queue %lu bytes); the server reads nothing", (unsigned long)c->max_send_queue);
    sio__fail(c, SIO_CLOSE_POLICY, SIO_ERR_FULL, text);
}

/* Joins a namespace: CONNECT now if the session is open, else after it
 * opens.  A close that waits for an emit's attachments because the last
 * namespace was left is called off: a namespace is wanted again. */
static int sio__join(sio_client *c, int i)
{
    sio__ns *ns = c->socketio.namespaces.list[i];
    sio__wake(c);
    ns->joined = 1;
    if (ns->state == SIO__NS_OFF) ns->state = SIO__NS_WANTED;
    if (ns->state == SIO__NS_WANTED && c->eio.open && c->phase == SIO__OPEN && !c->user_stop) {
        c->socketio.stop_waits = 0;
        if (!sio__small_packet_fits(c, 2 + strlen(ns->name) + (ns->auth ? strlen(ns->auth) : 0))) {
            sio__namespace_packet_refused(c);
            return SIO_OK;
        }
        return sio__send_connect(c, i);
    }
    return SIO_OK;
}

SIO_API int sio_join(sio_client *c, const char *ns, const char *auth_json)
{
    int i;
    if (!c) return SIO_ERR_INVALID;
    if (!SIO__SOCKETIO(c)) return SIO_ERR_STATE;
    if (sio__events_crowded(c)) return SIO_ERR_FULL;
    if (auth_json && *auth_json &&
        (sio_json_validate(auth_json, strlen(auth_json), SIO__JSON_MAX_DEPTH, NULL) != SIO_OK ||
         sio_json_typeof(sio_json_make(auth_json, strlen(auth_json))) != SIO_JSON_OBJECT))
        return SIO_ERR_INVALID;
    if ((i = sio__namespace(c, ns)) < 0) return i;
    if (auth_json && *auth_json) {
        char *copy = sio__strdup(&c->sys.alloc, auth_json);
        if (!copy) return SIO_ERR_NOMEM;
        sio__free(&c->sys.alloc, c->socketio.namespaces.list[i]->auth);
        c->socketio.namespaces.list[i]->auth = copy;
    }
    return sio__join(c, i);
}

SIO_API int sio_leave(sio_client *c, const char *name)
{
    int i, say, fits;
    sio__ns *ns;
    if (!c) return SIO_ERR_INVALID;
    if (!SIO__SOCKETIO(c)) return SIO_ERR_STATE;
    if (name && !sio__namespace_name_ok(name)) return SIO_ERR_INVALID;
    if ((i = sio__namespace_index(c, name)) < 0) return SIO_ERR_STATE;
    ns = c->socketio.namespaces.list[i];
    sio__wake(c);
    say = (ns->state == SIO__NS_CONNECTED || ns->state == SIO__NS_CONNECTING) && c->phase == SIO__OPEN &&
          !c->websocket.close_sent;
    if (ns->state == SIO__NS_CONNECTED) {
        sio__pending *p = sio__push(c, SIO_EVENT_DISCONNECT, 0, 0, 0, NULL);
        if (p) { p->ns = i; p->reason = "io client disconnect"; }
    }
    sio__fail_acks(c, i, SIO_ERR_CLOSED, "socket has been disconnected", 0);
    sio__outbox_fail(c, i, SIO_ERR_CLOSED, "the namespace was left");
    sio__ns_discard_queue(c, i, "the namespace was left");     /* first: its room is the DISCONNECT's */
    fits = !say || sio__small_packet_fits(c, 2 + strlen(ns->name));
    if (say && fits) {
        char head[256];
        size_t n = 1;
        head[0] = '4';
        n += sio_packet_encode_header(head + 1, SIO_PACKET_DISCONNECT, 0, ns->name, 0, 0);
        sio__eio_send_text(c, head, n, "", 0);
    }
    sio__namespaces_leave(&c->socketio.namespaces, &c->sys.alloc, i);
    if (!fits) sio__namespace_packet_refused(c);
    else sio__socketio_maybe_close(c);
    return SIO_OK;
}

static int sio__emit(sio_client *c, const sio_emit_options *o, int64_t *ack_id);

/* Whether an emit's attachments may follow in parts now: over an open
 * WebSocket, its namespace connected with nothing queued, no other
 * attachments in parts under way.  Without retries: a resend would need
 * the attachments again. */
static int sio__may_send_parts(const sio_client *c, int i)
{
    const sio__ns *ns = c->socketio.namespaces.list[i];
    return c->emit_retries == 0 && c->phase == SIO__OPEN && c->eio.open && !SIO__POLLING(c) &&
           !c->websocket.close_sent && !c->socketio.parts_to_send && !c->websocket.tx_parts &&
           ns->state == SIO__NS_CONNECTED && !ns->queue_head;
}

/* Queues the emit and lets a set know the client has work. */
SIO_API int sio_emit_ex(sio_client *c, const sio_emit_options *o, int64_t *ack_id)
{
    int r = sio__emit(c, o, ack_id);
    if (r == SIO_OK) sio__wake(c);
    return r;
}

static int sio__emit(sio_client *c, const sio_emit_options *o, int64_t *ack_id)
{
    int i, r, in_parts = o && o->attachment_count && !o->attachments;
    uint64_t id = 0;
    if (ack_id) *ack_id = -1;
    if (!c || !o || !o->event || !o->event[0]) return SIO_ERR_INVALID;
    if (!SIO__SOCKETIO(c)) return SIO_ERR_STATE;
    if (sio__events_crowded(c)) return SIO_ERR_FULL;
    if (sio__reserved_event(o->event) || !sio_utf8_valid(o->event, strlen(o->event))) return SIO_ERR_INVALID;
    if ((r = sio__check_args(c, o->args)) != SIO_OK) return r;
    if (o->attachment_count > c->max_attachments) return SIO_ERR_TOO_BIG;
    if ((i = sio__namespace(c, o->ns)) < 0) return i;
    if (!c->socketio.namespaces.list[i]->joined && (r = sio__join(c, i)) != SIO_OK) return r;
    if (in_parts && !sio__may_send_parts(c, i)) return SIO_ERR_STATE;
    if (o->is_volatile && !in_parts && (c->socketio.namespaces.list[i]->state != SIO__NS_CONNECTED ||
                                        c->websocket.close_sent || c->socketio.parts_to_send || sio__backlog(c) > 0))
        return SIO_OK;                          /* not connected, or busy: dropped */
    if (c->emit_retries > 0 && !o->is_volatile) return sio__emit_at_least_once(c, i, o, ack_id);
    if (o->ack) {
        if ((r = sio__acks_reserve(&c->socketio.acks, &c->sys.alloc, c->max_pending_acks)) != SIO_OK) return r;
        id = c->socketio.acks.next_id;
        r = sio__socketio_emit(c, i, SIO_PACKET_EVENT, 1, id, o->event, o->args, o->attachments, o->attachment_count);
        if (r != SIO_OK) return r;
        sio__acks_add(&c->socketio.acks, i, c->socketio.namespaces.list[i]->queue_head == NULL,   /* else it waits in the queue */
                      o->ack_timeout_ms > 0 ? sio__now(c) + (uint64_t)o->ack_timeout_ms : 0);
        if (ack_id) *ack_id = (int64_t)id;
    } else {
        r = sio__socketio_emit(c, i, SIO_PACKET_EVENT, 0, 0, o->event, o->args, o->attachments, o->attachment_count);
        if (r != SIO_OK) return r;
    }
    if (in_parts) c->socketio.parts_to_send = o->attachment_count;
    return SIO_OK;
}

SIO_API int sio_emit(sio_client *c, const char *ns, const char *event, const char *args_json)
{
    sio_emit_options o;
    memset(&o, 0, sizeof o);
    o.ns = ns;
    o.event = event;
    o.args = args_json;
    return sio_emit_ex(c, &o, NULL);
}

SIO_API int sio_emit_string(sio_client *c, const char *ns, const char *event, const char *message)
{
    sio_json_writer w;
    int r;
    if (!c || !message) return SIO_ERR_INVALID;
    sio_jw_init(&w, NULL, 0);
    w.allocator = c->sys.alloc;
    sio_jw_array_begin(&w);
    sio_jw_cstring(&w, message);
    sio_jw_array_end(&w);
    r = w.error ? w.error : sio_emit(c, ns, event, w.buf);
    sio_jw_free(&w);
    return r;
}

SIO_API int sio_ack(sio_client *c, const sio_event *ev, const char *args_json,
                    const sio_bytes *attachments, size_t attachment_count)
{
    int i, r;
    if (!c || !ev || ev->type != SIO_EVENT_EVENT || ev->ack_id < 0 || !ev->ns) return SIO_ERR_INVALID;
    if (attachment_count && !attachments) return SIO_ERR_INVALID;
    if (attachment_count > c->max_attachments) return SIO_ERR_TOO_BIG;
    if ((r = sio__check_args(c, args_json)) != SIO_OK) return r;
    i = sio__namespace_index(c, ev->ns);
    if (i < 0 || c->socketio.namespaces.list[i]->state != SIO__NS_CONNECTED || c->phase != SIO__OPEN) return SIO_ERR_STATE;
    sio__wake(c);
    return sio__socketio_emit(c, i, SIO_PACKET_ACK, 1, (uint64_t)ev->ack_id, NULL, args_json, attachments, attachment_count);
}

SIO_API int sio_subscribe(sio_client *c, const char *name, const char *event)
{
    int i, r;
    if (!c || !event || !event[0]) return SIO_ERR_INVALID;
    if (!SIO__SOCKETIO(c)) return SIO_ERR_STATE;
    if ((i = sio__namespace(c, name)) < 0) return i;
    if ((r = sio__namespace_subscribe(c->socketio.namespaces.list[i], &c->sys.alloc, event)) != SIO_OK) return r;
    return c->socketio.namespaces.list[i]->joined ? SIO_OK : sio__join(c, i);
}

SIO_API int sio_unsubscribe(sio_client *c, const char *name, const char *event)
{
    int i;
    if (!c || !event) return SIO_ERR_INVALID;
    if (!SIO__SOCKETIO(c)) return SIO_ERR_STATE;
    if ((i = sio__namespace_index(c, name)) >= 0)
        sio__namespace_unsubscribe(c->socketio.namespaces.list[i], &c->sys.alloc, event);
    return SIO_OK;
}

static const char *sio__namespace_name_at(const void *ctx, int ns)
{
    return ((const sio_client *)ctx)->socketio.namespaces.list[ns]->name;
}

SIO_API int sio_queue_save(const sio_client *c, unsigned char *out, size_t cap, size_t *len)
{
    if (!c || !len) return SIO_ERR_INVALID;
    *len = 0;
    if (!SIO__SOCKETIO(c)) return SIO_ERR_STATE;
    return sio__outbox_save(&c->socketio.outbox, sio__namespace_name_at, c, out, cap, len);
}

/* Whether id names an emit the client holds (its outbox or its acks). */
static int sio__emit_id_taken(const sio_client *c, uint64_t id)
{
    size_t k;
    for (k = 0; k < c->socketio.acks.count; k++)
        if (c->socketio.acks.list[k].id == id) return 1;
    return sio__outbox_find(&c->socketio.outbox, id) != NULL;
}

/* Whether a saved emit's event name, still JSON, is one sio_emit refuses. */
static int sio__reserved_event_json(sio_json name)
{
    size_t i;
    for (i = 0; i < sizeof sio__reserved_events / sizeof sio__reserved_events[0]; i++)
        if (sio_json_string_equals(name, sio__reserved_events[i])) return 1;
    return sio_json_string_equals(name, "");
}

/* A saved emit the client can send: a namespace name, a body that is a
 * JSON array starting with the event's name (one sio_emit takes),
 * attachments within
 * max_attachments, an id no emit has.  Copies the name into name. */
static int sio__saved_emit_check(const sio_client *c, const sio__saved_emit *s, char *name, size_t cap)
{
    sio_json body, first;
    if (s->ns_len >= cap || s->id >= ((uint64_t)1 << 52)) return SIO_ERR_INVALID;   /* ids after it stay below 2^53 */
    memcpy(name, s->ns, s->ns_len);
    name[s->ns_len] = 0;
    if (strlen(name) != s->ns_len || !sio__namespace_name_ok(name) ||
        sio_json_validate(s->body, s->body_len, SIO__JSON_MAX_DEPTH, NULL) != SIO_OK ||
        sio_json_typeof(body = sio_json_make(s->body, s->body_len)) != SIO_JSON_ARRAY ||
        !sio_json_at(body, 0, &first) || sio_json_typeof(first) != SIO_JSON_STRING ||
        sio__reserved_event_json(first))
        return SIO_ERR_INVALID;
    if (s->count > c->max_attachments) return SIO_ERR_TOO_BIG;
    return sio__emit_id_taken(c, s->id) ? SIO_ERR_STATE : SIO_OK;
}

/* Two passes over the blob: every emit is checked before any is taken, so
 * that a blob goes in whole or not at all. */
SIO_API int sio_queue_load(sio_client *c, const unsigned char *blob, size_t len)
{
    sio__queue_reader r;
    sio__saved_emit s;
    sio__outgoing *last;
    char name[256];
    size_t count = 0, bytes = 0, i;
    int k, ns = 0, st = SIO_OK;
    if (!c) return SIO_ERR_INVALID;
    if (!SIO__SOCKETIO(c) || c->emit_retries <= 0) return SIO_ERR_STATE;
    if (sio__events_crowded(c)) return SIO_ERR_FULL;
    if (sio__queue_read_begin(&r, blob, len) != SIO_OK) return SIO_ERR_INVALID;
    while ((k = sio__queue_read_next(&r, &s)) == 1) {
        if ((st = sio__saved_emit_check(c, &s, name, sizeof name)) != SIO_OK) return st;
        count++;
        bytes += sio__saved_size(&s);
        if (c->socketio.outbox.count + c->socketio.acks.count + count > c->max_pending_acks ||
            sio__to_send_later(c) + bytes > c->max_send_queue)
            return SIO_ERR_FULL;                 /* said as soon as known: a huge blob is not read through */
    }
    if (k < 0) return SIO_ERR_INVALID;
    last = c->socketio.outbox.tail;
    sio__queue_read_begin(&r, blob, len);
    while (st == SIO_OK && sio__queue_read_next(&r, &s) == 1) {
        if (sio__saved_emit_check(c, &s, name, sizeof name) != SIO_OK) st = SIO_ERR_INVALID;   /* an id twice in the blob */
        else if ((ns = sio__namespace(c, name)) < 0) st = ns;
        else st = sio__outbox_add_saved(&c->socketio.outbox, &c->sys.alloc, ns, &s);
        if (st == SIO_OK) c->socketio.outbox.tail->timeout = c->emit_ack_timeout;
        if (st == SIO_OK && s.id >= c->socketio.acks.next_id) c->socketio.acks.next_id = s.id + 1;
    }
    if (st != SIO_OK) {
        sio__outbox_cut(&c->socketio.outbox, &c->sys.alloc, last);
        return st;
    }
    for (i = 0; i < c->socketio.namespaces.count; i++)
        if (sio__outbox_first(&c->socketio.outbox, (int)i)) {
            if (!c->socketio.namespaces.list[i]->joined && (st = sio__join(c, (int)i)) != SIO_OK) return st;
            sio__outbox_next(c, (int)i);
        }
    sio__wake(c);
    return SIO_OK;
}

/* Heap held by the session, for sio_memory. */
static size_t sio__socketio_memory(const sio_client *c)
{
    return c->socketio.acks.cap * sizeof(sio__ack) + c->socketio.scratch_cap + sio__outbox_memory(&c->socketio.outbox) +
           sio__namespaces_memory(&c->socketio.namespaces) + sio__binary_memory(&c->socketio.binary) +
           c->socketio.held.tx_cap;
}

static void sio__socketio_free(sio_client *c)
{
    sio__free(&c->sys.alloc, c->socketio.held.tx);
    sio__binary_abandon(&c->socketio.binary);
    sio__socketio_release(c);
    sio__namespaces_free(&c->socketio.namespaces, &c->sys.alloc);
    sio__free(&c->sys.alloc, c->socketio.acks.list);
    sio__free(&c->sys.alloc, c->socketio.scratch);
    sio__outbox_free(&c->socketio.outbox, &c->sys.alloc);
}

/* Socket.IO part of sio_create: the URL's namespace and its auth. */
static int sio__socketio_configure(sio_client *c, const sio_config *cfg)
{
    size_t i;
    int r;
    char ns[256];
    if (cfg->path)
        for (i = 0; cfg->path[i]; i++)
            if ((unsigned char)cfg->path[i] <= 0x20 || strchr("?#", cfg->path[i])) return SIO_ERR_INVALID;
    if (c->url.path_len >= sizeof ns) return SIO_ERR_URL;
    if (c->url.path_len <= 1) strcpy(ns, "/");
    else {
        memcpy(ns, c->url.path, c->url.path_len);
        ns[c->url.path_len] = 0;
    }
    if ((r = sio__namespace(c, ns)) < 0) return r == SIO_ERR_INVALID ? SIO_ERR_URL : r;
    return sio_join(c, ns, cfg->auth);
}

/* sio_stop on a Socket.IO connection: every namespace connected or
 * awaiting its CONNECT reply is DISCONNECTed (a late reply is then
 * ignored), acks and retried emits fail, queues are dropped. */
static void sio__fail_acks_and_leave_all(sio_client *c)
{
    size_t i;
    for (i = 0; i < c->socketio.namespaces.count; i++) {
        sio__ns *ns = c->socketio.namespaces.list[i];
        if (ns->state == SIO__NS_CONNECTED || ns->state == SIO__NS_CONNECTING) {
            char head[256];
            size_t n = 1;
            head[0] = '4';
            n += sio_packet_encode_header(head + 1, SIO_PACKET_DISCONNECT, 0, ns->name, 0, 0);
            sio__eio_send_text(c, head, n, "", 0);
        }
        if (ns->state == SIO__NS_CONNECTED) {
            sio__pending *p = sio__push(c, SIO_EVENT_DISCONNECT, 0, 0, 0, NULL);
            if (p) { p->ns = (int)i; p->reason = "io client disconnect"; }
        }
        if (ns->state == SIO__NS_CONNECTED || ns->state == SIO__NS_CONNECTING) ns->state = SIO__NS_WANTED;
        sio__ns_discard_queue(c, (int)i, "the connection was stopped");
    }
    sio__fail_acks(c, -1, SIO_ERR_CLOSED, "socket has been disconnected", 0);
    sio__outbox_fail(c, -1, SIO_ERR_CLOSED, "the connection was stopped");
    c->socketio.disconnect_reason = "io client disconnect";
}

/* sio_close on an open Socket.IO connection, before the session's close
 * (which waits for an emit's attachments still being sent): the first
 * leaves every namespace; a second, while the close still waits, abandons
 * the emit and what waits behind it, and says so. */
static void sio__socketio_stop(sio_client *c)
{
    if (c->user_stop && c->socketio.stop_waits) {
        sio__socketio_parts_abandon(c, "stopped again");
        return;
    }
    sio__fail_acks_and_leave_all(c);
}
#else
/* SIO_NO_SOCKETIO: the Socket.IO calls exist, and no client is a Socket.IO
 * client (sio_create refuses the mode). */
SIO_API int sio_join(sio_client *c, const char *ns, const char *auth_json)
{
    (void)ns; (void)auth_json;
    return c ? SIO_ERR_STATE : SIO_ERR_INVALID;
}
SIO_API int sio_leave(sio_client *c, const char *name) { return sio_join(c, name, NULL); }
SIO_API int sio_emit_ex(sio_client *c, const sio_emit_options *o, int64_t *ack_id)
{
    if (ack_id) *ack_id = -1;
    if (!o || !o->event || !o->event[0]) return SIO_ERR_INVALID;
    return sio_join(c, NULL, NULL);
}
SIO_API int sio_emit(sio_client *c, const char *ns, const char *event, const char *args_json)
{
    (void)args_json;
    return event && event[0] ? sio_join(c, ns, NULL) : SIO_ERR_INVALID;
}
SIO_API int sio_emit_string(sio_client *c, const char *ns, const char *event, const char *message)
{
    return message ? sio_emit(c, ns, event, NULL) : SIO_ERR_INVALID;
}
SIO_API int sio_ack(sio_client *c, const sio_event *ev, const char *args_json,
                    const sio_bytes *attachments, size_t attachment_count)
{
    (void)args_json;
    if (!ev || ev->type != SIO_EVENT_EVENT || ev->ack_id < 0 || !ev->ns || (attachment_count && !attachments))
        return SIO_ERR_INVALID;
    return sio_join(c, NULL, NULL);
}
SIO_API int sio_subscribe(sio_client *c, const char *name, const char *event) { return sio_emit(c, name, event, NULL); }
SIO_API int sio_unsubscribe(sio_client *c, const char *name, const char *event)
{
    return event ? sio_join(c, name, NULL) : SIO_ERR_INVALID;
}
SIO_API int sio_queue_save(const sio_client *c, unsigned char *out, size_t cap, size_t *len)
{
    (void)out; (void)cap;
    if (len) *len = 0;
    return c && len ? SIO_ERR_STATE : SIO_ERR_INVALID;
}
SIO_API int sio_queue_load(sio_client *c, const unsigned char *blob, size_t len)
{
    (void)blob; (void)len;
    return c ? SIO_ERR_STATE : SIO_ERR_INVALID;
}
#endif
