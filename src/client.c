/* ---------------------------------------------------------------------- */
/* client: glue between the platform socket, HTTP and WebSocket layers    */
/* ---------------------------------------------------------------------- */

enum sio__phase {
    SIO__IDLE,
    SIO__BACKOFF,        /* waiting to reconnect (deadline = the next attempt) */
    SIO__RESOLVING,      /* asking the nameserver (ln.sock is the UDP socket) */
    SIO__CONNECTING,     /* TCP connect in progress */
    SIO__HANDSHAKE,      /* request sent or being sent; waiting for 101 */
    SIO__OPEN,
    SIO__CLOSING,        /* we sent close; waiting for the server's */
    SIO__CLOSE_WAIT,     /* both close frames exchanged; waiting for TCP EOF */
    SIO__FAILING         /* protocol error: flushing our close, then dropping */
};

#define SIO__FAIL_LINGER_MS 1000
typedef struct sio__pending {
    int type, code, error, clean;
    int attempt, delay_ms;         /* RECONNECTING, RECONNECT, RECONNECT_FAILED */
    int ns;                        /* namespace index, -1 for the connection */
    int64_t ack_id;
    const char *reason;            /* static text (DISCONNECT reasons) */
    char text[SIO__TEXT_SIZE];     /* error message or close reason */
} sio__pending;

/* The events waiting to be returned, and the one returned last. */
typedef struct sio__events {
    sio__pending *ring;
    size_t cap, head, count;
    sio__pending current;              /* storage behind the last returned event */
    unsigned char *nul_at;             /* byte replaced by the NUL after a message */
    int close_owed, owed_code, owed_clean;   /* a CLOSE the ring had no room for: delivered last */
    unsigned char nul_saved;
} sio__events;

/* Socket.IO over an Engine.IO session: namespaces, acks, binary packets. */
typedef struct sio__socketio {
    sio__namespaces namespaces;        /* their queues and held events */
    const char *disconnect_reason;     /* for the DISCONNECT events of a lost connection */
    sio__acks acks;                    /* emits waiting for their answer */
    sio__outbox outbox;                /* emits with retries, until their answer */
    int outbox_stalled;                /* sending its next emit failed: the timers try again */
    sio__binary binary;                /* a binary packet collecting its attachments */
    int receive_parts;                 /* attachments are handed over in parts (ATTACHMENT events) */
    /* An emit whose attachments the application sends in parts: until the
     * last has ended the WebSocket carries nothing else, so every other
     * frame waits in held (only its send buffer is used), in order. */
    size_t parts_to_send;              /* its attachments not yet ended */
    uint64_t part_bytes;               /* of the attachment being sent, against maxPayload */
    sio__link held;
    int ping_held;                     /* Engine.IO 3: the client's "2" waits in held */
    int stop_waits;                    /* sio_stop came meanwhile: the close follows the last */
    uint64_t stop_deadline;            /* unless no part comes before this */
    size_t drain_allowance;            /* what the parts took past max_send_queue when what waited
                                          joined them: allowed as it drains (sio__small_packet_fits) */
    int stop_code;
    char stop_reason[124];
    char *scratch;                     /* event name and first argument, unescaped */
    size_t scratch_cap;
} sio__socketio;

#define SIO__SOCKETIO(c) (SIO__WITH_SOCKETIO && (c)->session != NULL)
#if SIO__WITH_POLLING
#define SIO__POLLING(c) ((c)->polling.active)
#else
#define SIO__POLLING(c) 0
#endif

/* The client's links: the main one; with polling also the POSTs' and the
 * upgrade probe's (sio__link_at). */
#define SIO__LINKS (SIO__WITH_POLLING ? 3 : 1)

/* A client's place in a sio_set: its ready list, its deadline in the
 * timer heap, and what the set's poller watches for it. */
typedef struct sio__membership {
    struct sio_set *set;               /* NULL: in none */
    sio_client *ready_next, *ready_prev, *all_next, *all_prev;
    size_t heap_pos;
    uint64_t set_deadline;
    sio_socket reg_sock[SIO__LINKS];   /* what the poller has for ln, post, probe */
    int reg_events[SIO__LINKS];
    int in_ready;
} sio__membership;

/* What the client's core calls of the Socket.IO session above it when a
 * connection ends.  socketio.c provides it for SIO_MODE_SOCKETIO, so the
 * core knows no session (and a WebSocket client has none). */
typedef struct sio__session_hooks {
    int (*retry_wanted)(const sio_client *c);              /* reconnect after this loss? */
    void (*teardown)(sio_client *c, int keep_queues);      /* DISCONNECTs, failed acks, dropped queues */
    void (*transports_reset)(sio_client *c);               /* polling links and the probe, after ln */
} sio__session_hooks;

/* The client: its settings, the pump's own state, and one struct per
 * engine.  Data flows up from ln (and the polling and probe links) through
 * websocket or polling, eio, socketio, to the events. */
struct sio_client {
    /* settings (sio_create) */
    sio__system sys;                   /* allocator, platform, TLS backend for secure URLs */
#if defined(SIO_WITH_BEARSSL)
    sio_bearssl *default_tls;          /* sys.tls when sio_config.tls was NULL (sio__need_tls) */
#elif defined(SIO_WITH_OPENSSL)
    sio_openssl *default_tls;
#elif defined(SIO_WITH_MBEDTLS)
    sio_mbedtls *default_tls;
#endif
    void *user_data;
    char *name, *url_text, *host, *request_head;   /* request_head: all but the key line */
    sio_url url;
    size_t max_message, max_handshake, max_send_queue;
    size_t max_attachments, max_namespaces, max_pending_acks;
    int emit_retries;                  /* sio_config.retries */
    uint64_t emit_ack_timeout;         /* sio_config.ack_timeout_ms; 0: none */
    char *dns_server;
    char *eio_target, *eio_query;      /* the request target (Socket.IO: the Engine.IO path); extra query "&k=v..." */
    char *own_query;                   /* Socket.IO: the configured URL's query, which a redirect does not change */
    sio__route route;                  /* the origin, and the proxy on the way (links' TLS and tunnels) */
    char *proxy_setting, *no_proxy;    /* sio_config.proxy and .no_proxy: chosen from again after a redirect */
    int proxy_from_environment;
#if SIO__WITH_PROXY
    sio_proxy_url proxy;               /* spans into proxy_text; kind 0: none */
    char *proxy_text, *hop_host;       /* hop_host: the proxy's name (NULL: the first hop is the origin) */
    unsigned short hop_port;
#endif
    const sio__session_hooks *session; /* SIO_MODE_SOCKETIO: the session above; NULL: plain WebSocket */
    unsigned short port;
    int transport;                     /* sio_config.transport */
    int try_all_transports;            /* WebSocket refused: polling instead (sio_config) */
    int remember_upgrade;              /* AUTO: after an upgrade, reconnect on WebSocket (sio_config) */
    int fell_back;                     /* this run: the WebSocket was refused, polling took over */
    int upgraded;                      /* this run: an upgrade to WebSocket succeeded */
    unsigned max_json_depth;
    int connect_timeout, close_timeout;
    int max_redirects, redirects;      /* redirects: followed since the connection began */
    int keep_handshake;
    char *handshake;                   /* the kept answer to the handshake: head, then body */
    size_t handshake_head, handshake_body;
    int handshake_status;
    int reconnect;
    unsigned reconnect_attempts;
    int delay_min, delay_max, jitter_pct;
    int reconnect_queue;               /* WebSocket: SIO_RECONNECT_QUEUE or _REFUSE */

    /* the pump */
    int phase;
    unsigned attempt;                  /* the address tried */
    int user_stop;
    unsigned retries;                  /* reconnection attempts since the last open session */
    sio__link ln;                      /* the WebSocket, or the polling GETs */
    uint64_t deadline;                 /* 0: no timer */
    uint64_t stepped_at;               /* when the WebSocket was last stepped (ms) */
    uint64_t output_since;             /* output waiting since at least then; 0: none */
    int output_now;                    /* it must not wait for the bytes read to be worked through */
    char first_error[SIO__TEXT_SIZE];  /* of the first address tried */
    char why[SIO__TEXT_SIZE];          /* the sentence of an error being made on the pump's path, handed at once
                                          to a function that copies it before doing anything else (sio__push,
                                          sio__abort, sio__fail, sio__end_ack, sio__outbox_give_up): one
                                          buffer, not one per frame, keeps sio_poll's stack small */
#if SIO__WITH_DNS
    sio__address address;              /* the resolved address that connected ("": none) */
#if SIO__WITH_PROXY
    sio__address proxy_address[2];     /* socks5://: the proxy's first address of each family, resolved
                                          before the origin's ("": not yet) */
    unsigned proxy_attempt;            /* the one tried */
#endif
#endif
    sio__events events;                /* waiting to be returned by sio_poll */
    unsigned char *offline;            /* WebSocket: messages sent while not connected, each
                                          [opcode][size_t length][payload], for the next connection */
    size_t offline_len, offline_cap, offline_count;
#if SIO__WITH_POLLING
    char *cookies[SIO__MAX_COOKIES];   /* "name=value" from Set-Cookie of polling responses, sent back (sticky sessions) */
#endif
    unsigned long served;              /* events returned; rotates sio_poll_clients */

    /* the engines */
#if SIO__WITH_DNS
    sio__resolver resolver;            /* names without blocking; also the hosts file's addresses */
#endif
    sio__websocket websocket;          /* the WebSocket connection on ln */
#if SIO__WITH_POLLING
    sio__polling polling;              /* Engine.IO over HTTP long-polling: GETs on ln */
    sio__upgrade upgrade;              /* transport AUTO: the WebSocket being tried */
#endif
#if SIO__WITH_SOCKETIO
    sio__engineio eio;                 /* the Engine.IO session */
    sio__socketio socketio;            /* namespaces, acks, binary packets */
#endif
    sio__membership membership;        /* in a sio_set */
};

#define SIO__NO_POS ((size_t)-1)

/* The first hop of every connection: the proxy, or the origin itself.
 * Names are resolved and TCP connects go there; TLS goes to the origin. */
#if SIO__WITH_PROXY
static const char *sio__hop_host(const sio_client *c) { return c->hop_host ? c->hop_host : c->host; }
static unsigned short sio__hop_port(const sio_client *c) { return c->hop_host ? c->hop_port : c->port; }
static const char *sio__hop_word(const sio_client *c) { return c->hop_host ? "proxy" : "tcp"; }

/* socks5:// takes the origin's address, which the client resolves: the
 * name resolved is the origin's, while TCP goes to the proxy. */
static int sio__proxy_wants_address(const sio_client *c) { return c->proxy.kind == SIO_PROXY_SOCKS5; }
#else
static const char *sio__hop_host(const sio_client *c) { return c->host; }
static unsigned short sio__hop_port(const sio_client *c) { return c->port; }
static const char *sio__hop_word(const sio_client *c) { (void)c; return "tcp"; }
static int sio__proxy_wants_address(const sio_client *c) { (void)c; return 0; }
#endif
/* socks5:// by name: the proxy's name is resolved first, the origin's next. */
static int sio__resolving_proxy(const sio_client *c)
{
#if SIO__WITH_PROXY && SIO__WITH_DNS
    return sio__proxy_wants_address(c) && !c->proxy_address[0][0] && !sio_ip_literal(c->hop_host);
#else
    (void)c;
    return 0;
#endif
}

static const char *sio__resolved_name(const sio_client *c)
{
    return sio__proxy_wants_address(c) && !sio__resolving_proxy(c) ? c->host : sio__hop_host(c);
}

/* Where a link's tunnel goes: for socks5:// the origin's address (the one
 * being tried, or the one that worked for the session), else its name. */
static const char *sio__tunnel_target(const sio_client *c)
{
#if SIO__WITH_DNS
    if (!sio__proxy_wants_address(c)) return NULL;
    if (c->resolver.addrs && c->attempt < c->resolver.addr_count) return c->resolver.addrs[c->attempt];
    if (c->address[0]) return c->address;
#else
    (void)c;                                   /* the platform resolves: no address to give */
#endif
    return NULL;
}

/* Link i of the client (i < SIO__LINKS): 0 the main one, 1 polling's POSTs, 2 an upgrade's probe. */
static sio__link *sio__link_at(const sio_client *c, int i)
{
#if SIO__WITH_POLLING
    return (sio__link *)(i == 0 ? &c->ln : i == 1 ? &c->polling.post : &c->upgrade.link);
#else
    (void)i;
    return (sio__link *)&c->ln;
#endif
}

/* 1 while a Socket.IO client's connection is up but Engine.IO's open
 * packet has not come yet. */
static int sio__awaiting_session(const sio_client *c)
{
#if SIO__WITH_SOCKETIO
    return SIO__SOCKETIO(c) && !c->eio.open;
#else
    (void)c;
    return 0;
#endif
}

/* 1 while one of the client's links waits for its TCP connect. */
static int sio__links_connecting(const sio_client *c)
{
#if SIO__WITH_POLLING
    return c->ln.connecting || c->polling.post.connecting || c->upgrade.link.connecting;
#else
    return c->ln.connecting;
#endif
}

/* Readiness was seen but not told apart: every link tries to read. */
static void sio__links_may_read(sio_client *c)
{
    int i;
    for (i = 0; i < SIO__LINKS; i++) sio__link_at(c, i)->may_read = 1;
}

/* The byte after a message that its NUL borrowed goes back (the event's
 * data is no longer valid). */
static void sio__nul_give_back(sio_client *c)
{
    if (c->events.nul_at) *c->events.nul_at = c->events.nul_saved;
    c->events.nul_at = NULL;
}

static uint64_t sio__now(const sio_client *c) { return c->sys.pf->now_ms(c->sys.pf->user); }

/* Queues an event.  The ring grows as needed; its size is bounded by the
 * namespaces and pending acks a connection can have, plus a few. */
static sio__pending *sio__push(sio_client *c, int type, int code, int error, int clean, const char *text)
{
    sio__pending *p;
    size_t n;
    if (c->events.count == c->events.cap) {
        size_t cap = c->events.cap ? c->events.cap * 2 : 4, i;
        sio__pending *q = (sio__pending *)sio__realloc(&c->sys.alloc, NULL, cap * sizeof *q);
        if (!q) {
            if (type == SIO_EVENT_CLOSE) {        /* every start still ends in exactly one CLOSE */
                c->events.close_owed = 1;
                c->events.owed_code = code;
                c->events.owed_clean = clean;
            }
            return NULL;
        }
        for (i = 0; i < c->events.count; i++) q[i] = c->events.ring[(c->events.head + i) % c->events.cap];
        sio__free(&c->sys.alloc, c->events.ring);
        c->events.ring = q;
        c->events.cap = cap;
        c->events.head = 0;
    }
    p = &c->events.ring[(c->events.head + c->events.count++) % c->events.cap];
    p->ns = -1;
    p->ack_id = -1;
    p->attempt = p->delay_ms = 0;
    p->reason = NULL;
    p->type = type;
    p->code = code;
    p->error = error;
    p->clean = clean;
    n = text ? strlen(text) : 0;
    if (n >= SIO__TEXT_SIZE) n = SIO__TEXT_SIZE - 1;
    if (n) memcpy(p->text, text, n);
    p->text[n] = 0;
    return p;
}

/* Whether so many events wait to be polled that new work (a start, a join,
 * an emit) is refused, SIO_ERR_FULL: each may end in events, and a program
 * that never polls would grow the queue without bound.  Room stays for the
 * events of what exists already (an ACK per pending ack, a few per
 * namespace, the connection's own), which sio_memory_bound counts. */
static int sio__events_crowded(const sio_client *c)
{
    size_t most = 8;
#if SIO__WITH_SOCKETIO
    if (SIO__SOCKETIO(c)) most += c->max_pending_acks + 4 * c->max_namespaces + 8;   /* a lost connection's */
#endif
    return c->events.count >= most;
}

static int sio__pop(sio_client *c, sio_event *ev)
{
    if (c->events.count) {
        c->events.current = c->events.ring[c->events.head];
        c->events.head = (c->events.head + 1) % c->events.cap;
        c->events.count--;
    } else {                                     /* only the owed CLOSE is left */
        memset(&c->events.current, 0, sizeof c->events.current);
        c->events.current.type = SIO_EVENT_CLOSE;
        c->events.current.code = c->events.owed_code;
        c->events.current.clean = c->events.owed_clean;
        c->events.current.ns = -1;
        c->events.current.ack_id = -1;
        c->events.close_owed = 0;
    }
    ev->type = (sio_event_type)c->events.current.type;
#if SIO__WITH_SOCKETIO
    if (c->events.current.ns >= 0) ev->ns = c->socketio.namespaces.list[c->events.current.ns]->name;
#endif
    ev->ack_id = c->events.current.ack_id;
    ev->attempt = c->events.current.attempt;
    ev->delay_ms = c->events.current.delay_ms;
    ev->error = c->events.current.error;
    ev->message = c->events.current.text;
    ev->reason = c->events.current.reason ? c->events.current.reason : c->events.current.text;
    if (ev->type == SIO_EVENT_CLOSE || ev->type == SIO_EVENT_RECONNECTING) {
        ev->code = c->events.current.code;
        ev->clean = c->events.current.clean;
    }
    if (ev->type == SIO_EVENT_ACK) ev->args = "[]";
    return 1;
}


/* The set a client belongs to, as the client sees it: set.c puts these
 * first in struct sio_set, so the client reaches its set without knowing
 * it (and programs without sets do not link them). */
typedef struct sio__set_hooks {
    void (*wake)(sio_set *s, sio_client *c);                      /* work was queued from outside */
    void (*forget)(sio_set *s, sio_client *c, sio_socket sock);   /* before one of c's sockets closes */
    int (*remove)(sio_set *s, sio_client *c);                     /* c is destroyed */
} sio__set_hooks;

static const sio__set_hooks *sio__set_of(const sio_client *c)
{
    return (const sio__set_hooks *)(const void *)c->membership.set;
}

/* Work queued from outside sio_set_poll (an emit, a send, a stop) makes the
 * client ready, so its set writes it out without waiting for the socket. */
static void sio__wake(sio_client *c)
{
    if (c->membership.set) sio__set_of(c)->wake(c->membership.set, c);
}

/* Closes one of the client's sockets; a set's poller forgets it first, so
 * that a handle the system hands out again is never reported for this
 * client (WSAPoll keeps closed handles; epoll would drop the new owner's
 * registration when this client later leaves the set). */
static void sio__close_socket(sio_client *c, sio_socket sock)
{
    if (c->membership.set) sio__set_of(c)->forget(c->membership.set, c, sock);
    c->sys.pf->close(c->sys.pf->user, sock);
}

static void sio__link_close(sio_client *c, sio__link *l)
{
    if (l->sock != SIO_INVALID_SOCKET) sio__close_socket(c, l->sock);
    sio__link_free(&c->sys, l);
}

/* The resolved addresses are given back once one connected (kept: the
 * session's other connections go to it) or the attempt is over. */
static void sio__addresses_release(sio_client *c, int connected)
{
#if !SIO__WITH_DNS
    (void)c;                                   /* the platform's connect resolves: nothing kept */
    (void)connected;
#else
    c->address[0] = 0;
    if (connected && c->resolver.addr_count && c->attempt < c->resolver.addr_count)
        memcpy(c->address, c->resolver.addrs[c->attempt], sizeof c->address);
    sio__free(&c->sys.alloc, c->resolver.addrs);
    c->resolver.addrs = NULL;
    c->resolver.addr_count = 0;
#endif
}

/* Keeps the server's answer to the handshake (head, and the start of a
 * refusal's body) for sio_handshake; without memory it is not kept. */
static void sio__keep_handshake(sio_client *c, int status, const unsigned char *head, size_t head_len,
                                const unsigned char *body, size_t body_len)
{
    if (body_len > SIO_HANDSHAKE_BODY_MAX) body_len = SIO_HANDSHAKE_BODY_MAX;
    sio__free(&c->sys.alloc, c->handshake);
    c->handshake_head = c->handshake_body = 0;
    c->handshake_status = 0;
    if (!(c->handshake = (char *)sio__realloc(&c->sys.alloc, NULL, head_len + body_len + 1))) return;
    memcpy(c->handshake, head, head_len);
    if (body_len) memcpy(c->handshake + head_len, body, body_len);
    c->handshake[head_len + body_len] = 0;
    c->handshake_head = head_len;
    c->handshake_body = body_len;
    c->handshake_status = status;
}

/* A refused answer at the start of l's received bytes, kept with what came
 * of its body. */
static void sio__keep_refusal(sio_client *c, const sio__link *l)
{
    sio_http_response *r;
    const unsigned char *p = l->rx ? l->rx + l->rx_start : NULL;
    size_t n = l->rx ? l->rx_len - l->rx_start : 0;
    if (p && sio__http_parse_response_heap(&c->sys.alloc, &r, (const char *)p, n) == 1) {
        sio__keep_handshake(c, r->status, p, r->head_len, p + r->head_len, n - r->head_len);
        sio__free(&c->sys.alloc, r);
    }
}

/* The request head's Host line for the client's server; its length. */
static size_t sio__host_line(const sio_client *c, char *out)
{
    char *p = out;
    p += sprintf(p, "Host: %s%s%s", c->url.ipv6 ? "[" : "", c->host, c->url.ipv6 ? "]" : "");
    if (c->port != (c->url.secure ? 443 : 80)) p += sprintf(p, ":%u", (unsigned)c->port);
    p += sprintf(p, "\r\n");
    return (size_t)(p - out);
}

/* A WebSocket client's request target: the URL's path ("/" when it has
 * none) and query; out holds path_len + query_len + 3 bytes. */
static void sio__websocket_target(const sio_client *c, char *out)
{
    sprintf(out, "%s%.*s%s%.*s", c->url.path_len ? "" : "/", (int)c->url.path_len, c->url.path,
            c->url.query_len ? "?" : "", (int)c->url.query_len, c->url.query);
}

/* The connection's sockets and buffers go (the session's other links too);
 * what happens next is the caller's. */
static void sio__drop_connection(sio_client *c)
{
    c->events.nul_at = NULL;                    /* the buffer it points into goes away */
    sio__link_close(c, &c->ln);
    sio__addresses_release(c, 0);
    if (SIO__SOCKETIO(c)) c->session->transports_reset(c);
    sio_ws_rx_free(&c->websocket.rx);
    sio__websocket_forget(&c->websocket);
}

/* Whether the server's silence since t is known: the socket was found
 * empty at t or later.  Else (the application was busy and what came
 * meanwhile is unread) the socket is read again first, and the verdict
 * waits for that step. */
static int sio__silent_since(sio_client *c, uint64_t t)
{
    if (c->ln.sock == SIO_INVALID_SOCKET || (!c->ln.may_read && c->ln.drained_at >= t)) return 1;
    c->ln.may_read = 1;
    return 0;
}

/* ---- messages sent while a reconnecting WebSocket is not connected ---- */

/* Keeps one for the next connection, within max_send_queue. */
static int sio__offline_add(sio_client *c, int opcode, const unsigned char *data, size_t len)
{
    size_t need = 1 + sizeof len + len;
    if (len > c->max_send_queue || need > c->max_send_queue - c->offline_len) return SIO_ERR_FULL;
    if (c->offline_len + need > c->offline_cap) {
        size_t cap = c->offline_cap ? c->offline_cap : 256;
        unsigned char *p;
        while (cap < c->offline_len + need) cap = cap > (size_t)-1 / 2 ? c->offline_len + need : cap * 2;
        if (cap > c->max_send_queue) cap = c->max_send_queue;      /* never more than the bound */
        p = (unsigned char *)sio__realloc(&c->sys.alloc, c->offline, cap);
        if (!p) return SIO_ERR_NOMEM;
        c->offline = p;
        c->offline_cap = cap;
    }
    c->offline[c->offline_len] = (unsigned char)opcode;
    memcpy(c->offline + c->offline_len + 1, &len, sizeof len);
    if (len) memcpy(c->offline + c->offline_len + 1 + sizeof len, data, len);
    c->offline_len += need;
    c->offline_count++;
    return SIO_OK;
}

static void sio__offline_clear(sio_client *c)
{
    sio__free(&c->sys.alloc, c->offline);
    c->offline = NULL;
    c->offline_len = c->offline_cap = c->offline_count = 0;
}

/* The connection opened: the kept messages go first, in order. */
static void sio__offline_send(sio_client *c)
{
    size_t pos = 0;
    while (pos < c->offline_len) {
        size_t len;
        int opcode = c->offline[pos];
        memcpy(&len, c->offline + pos + 1, sizeof len);
        if (sio__websocket_send(&c->websocket, &c->sys, &c->ln, opcode, c->offline + pos + 1 + sizeof len, len,
                                (size_t)-1) != SIO_OK) {
            snprintf(c->why, sizeof c->why, "ws: %lu messages kept while reconnecting were lost (out of memory)",
                     (unsigned long)c->offline_count);
            sio__push(c, SIO_EVENT_ERROR, 0, SIO_ERR_NOMEM, 0, c->why);
            break;
        }
        pos += 1 + sizeof len + len;
        c->offline_count--;
    }
    sio__offline_clear(c);
}

/* Exponential backoff with the JS client's randomization: delay_min *
 * 2^retries, moved up or down by up to jitter percent, capped at delay_max;
 * RECONNECTING says what ended the connection and when the next try is. */
static void sio__schedule_retry(sio_client *c, int code, const char *reason, int clean)
{
    uint64_t ms = (uint64_t)c->delay_min;
    unsigned i;
    unsigned char r[3];
    sio__pending *p;
    for (i = 0; i < c->retries && ms < (uint64_t)c->delay_max; i++) ms *= 2;
    if (c->jitter_pct > 0 && sio__random(&c->sys, r, sizeof r) == SIO_OK) {
        uint64_t deviation = ms * (uint64_t)c->jitter_pct * (((uint64_t)r[0] << 8) | r[1]) / (100u * 65536u);
        ms = (r[2] & 1) ? ms + deviation : ms - deviation;
    }
    if (ms > (uint64_t)c->delay_max) ms = (uint64_t)c->delay_max;
    c->retries++;
    c->phase = SIO__BACKOFF;
    c->deadline = sio__now(c) + ms;
    if (!c->deadline) c->deadline = 1;                    /* 0 means "no timer" */
    p = sio__push(c, SIO_EVENT_RECONNECTING, code, 0, clean, reason);
    if (p) { p->attempt = (int)c->retries; p->delay_ms = (int)ms; }
}

/* Ends the connection: socket closed, buffers released, CLOSE queued
 * (after the DISCONNECT events of a Socket.IO connection), unless the
 * client will reconnect: then RECONNECTING instead.  A WebSocket client
 * reconnects only when asked to (SIO_RECONNECT_ON), after any end the
 * application did not ask for. */
static void sio__finish(sio_client *c, int code, const char *reason, int clean)
{
    const sio__session_hooks *session = SIO__SOCKETIO(c) ? c->session : NULL;   /* none in SIO_NO_SOCKETIO builds */
    int retry = session ? session->retry_wanted(c) : c->reconnect == SIO_RECONNECT_ON && !c->user_stop;
    int give_up = retry && c->reconnect_attempts && c->retries >= c->reconnect_attempts;
    if (session) session->teardown(c, retry && !give_up);
    sio__drop_connection(c);
    c->phase = SIO__IDLE;
    c->deadline = 0;
    if (give_up) {
        sio__pending *p = sio__push(c, SIO_EVENT_RECONNECT_FAILED, 0, SIO_ERR_CLOSED, 0,
                                    "sio: reconnection attempts exhausted");
        if (p) p->attempt = (int)c->retries;
    } else if (retry) {
        sio__schedule_retry(c, code, reason, clean);
        return;
    }
    if (c->offline_count) {                      /* the end: nothing will send them */
        snprintf(c->why, sizeof c->why, "ws: %lu messages kept while reconnecting were not sent: the client stopped",
                 (unsigned long)c->offline_count);
        sio__push(c, SIO_EVENT_ERROR, 0, SIO_ERR_CLOSED, 0, c->why);
        sio__offline_clear(c);
    }
    sio__push(c, SIO_EVENT_CLOSE, code, 0, clean, reason);
}

/* The TLS backend for a secure URL: the caller's (sio_config.tls), else in
 * a build with a bundled backend one the client makes the first time it needs it,
 * verifying against the system's trust store, so that a wss:// URL works
 * with no TLS code in the program.  Never plaintext instead. */
static int sio__need_tls(sio_client *c, char *text, size_t size)
{
    if (c->sys.tls) return SIO_OK;
#ifdef SIO_WITH_BEARSSL
    {
        sio_bearssl_config tc;
        memset(&tc, 0, sizeof tc);
        tc.allocator = c->sys.alloc;
        if (sio_bearssl_create(&tc, &c->default_tls, text, size) != SIO_OK) return SIO_ERR_TLS;
        c->sys.tls = sio_bearssl_tls(c->default_tls);
        return SIO_OK;
    }
#elif defined(SIO_WITH_OPENSSL)
    {
        sio_openssl_config tc;
        memset(&tc, 0, sizeof tc);
        tc.allocator = c->sys.alloc;
        if (sio_openssl_create(&tc, &c->default_tls, text, size) != SIO_OK) return SIO_ERR_TLS;
        c->sys.tls = sio_openssl_tls(c->default_tls);
        return SIO_OK;
    }
#elif defined(SIO_WITH_MBEDTLS)
    {
        sio_mbedtls_config tc;
        memset(&tc, 0, sizeof tc);
        tc.allocator = c->sys.alloc;
        if (sio_mbedtls_create(&tc, &c->default_tls, text, size) != SIO_OK) return SIO_ERR_TLS;
        c->sys.tls = sio_mbedtls_tls(c->default_tls);
        return SIO_OK;
    }
#else
    snprintf(text, size, "tls: TLS not available: this build has no TLS backend");
    return SIO_ERR_TLS;
#endif
}

/* An environment variable by its lower-case name, then its upper-case one;
 * NULL when neither is set to something. */
static const char *sio__env(const char *lower, const char *upper)
{
    const char *v = getenv(lower);
    if (!v || !v[0]) v = getenv(upper);
    return v && v[0] ? v : NULL;
}

/* The proxy for an origin, decided and parsed before the client uses it,
 * so that a refusal leaves the client as it was. */
typedef struct sio__proxy_plan {
    char *text;                        /* its URL; NULL: the origin directly */
#if SIO__WITH_PROXY
    sio_proxy_url parsed;              /* spans into text */
    char *hop_host;
#endif
} sio__proxy_plan;

static void sio__proxy_plan_free(sio_client *c, sio__proxy_plan *p)
{
    sio__free(&c->sys.alloc, p->text);
#if SIO__WITH_PROXY
    sio__free(&c->sys.alloc, p->hop_host);
#endif
    memset(p, 0, sizeof *p);
}

/* The proxy on the way to an origin, if any: the configured one, or the
 * environment's when asked (by the URL's scheme); none when no_proxy names
 * the origin (unless check_all: a configured proxy is checked even then).
 * SIO_ERR_INVALID: a proxy applies and this build has none; SIO_ERR_PROXY:
 * its URL is not usable; SIO_ERR_NOMEM. */
static int sio__plan_proxy(sio_client *c, int secure, const char *host, unsigned short port, int check_all,
                           sio__proxy_plan *p)
{
    const char *url = c->proxy_setting, *except = c->no_proxy;
    memset(p, 0, sizeof *p);
    if (!url && c->proxy_from_environment) {
        url = secure ? sio__env("https_proxy", "HTTPS_PROXY") : sio__env("http_proxy", "HTTP_PROXY");
        if (!url) url = sio__env("all_proxy", "ALL_PROXY");
        if (!except) except = sio__env("no_proxy", "NO_PROXY");
    }
    if (!url || !url[0] || (!check_all && sio_proxy_excluded(except, host, port))) return SIO_OK;
#if !SIO__WITH_PROXY
    return check_all ? SIO_OK : SIO_ERR_INVALID;     /* a proxy this build cannot use: never around it */
#else
    {   /* "host:port" alone means an HTTP proxy, as curl and wget read http_proxy */
        const char *scheme = strstr(url, "://") ? "" : "http://";
        size_t n = strlen(scheme) + strlen(url) + 1;
        if (!(p->text = (char *)sio__realloc(&c->sys.alloc, NULL, n))) return SIO_ERR_NOMEM;
        snprintf(p->text, n, "%s%s", scheme, url);
    }
    if (sio_proxy_url_parse(&p->parsed, p->text) != SIO_OK) {
        sio__proxy_plan_free(c, p);
        return SIO_ERR_PROXY;
    }
    if (!(p->hop_host = (char *)sio__realloc(&c->sys.alloc, NULL, p->parsed.host_len + 1))) {
        sio__proxy_plan_free(c, p);
        return SIO_ERR_NOMEM;
    }
    memcpy(p->hop_host, p->parsed.host, p->parsed.host_len);
    p->hop_host[p->parsed.host_len] = 0;
    return SIO_OK;
#endif
}

/* Makes plan the client's route to its origin (c->host, c->port), taking
 * the plan's memory. */
static void sio__use_proxy(sio_client *c, sio__proxy_plan *plan)
{
    c->route.host = c->host;
    c->route.port = c->port;
    c->route.secure = c->url.secure;
    c->route.max_head = c->max_handshake;
#if SIO__WITH_PROXY
    sio__free(&c->sys.alloc, c->proxy_text);
    sio__free(&c->sys.alloc, c->hop_host);
    c->proxy_text = plan->text;
    c->hop_host = plan->hop_host;
    c->proxy = plan->parsed;
    c->hop_port = plan->parsed.port;
    c->route.proxy = plan->text ? &c->proxy : NULL;
#else
    sio__free(&c->sys.alloc, plan->text);
#endif
    memset(plan, 0, sizeof *plan);
}

/* Connection lost or never made: ERROR then CLOSE 1006. */
static void sio__abort(sio_client *c, int error, const char *text)
{
#if SIO__WITH_SOCKETIO
    if (!c->socketio.disconnect_reason) c->socketio.disconnect_reason = error == SIO_ERR_CLOSED ? "transport close" : "transport error";
#endif
    sio__push(c, SIO_EVENT_ERROR, 0, error, 0, text);
    sio__finish(c, SIO_CLOSE_ABNORMAL, "", 0);
}

/* Fail the WebSocket connection (RFC 6455 7.1.7): report, send our close
 * frame, then give the server a moment to read it before dropping TCP. */
static void sio__fail(sio_client *c, int code, int error, const char *why)
{
    const char *reason = code == SIO_CLOSE_TOO_BIG ? "message too big"
                       : code == SIO_CLOSE_INVALID_DATA ? (why && strstr(why, "UTF-8") ? "invalid UTF-8" : "invalid compressed data")
                       : code == SIO_CLOSE_INTERNAL ? "internal error" : "protocol error";
    int linger = c->close_timeout < SIO__FAIL_LINGER_MS ? c->close_timeout : SIO__FAIL_LINGER_MS;
    sio__push(c, SIO_EVENT_ERROR, 0, error, 0, why);
    if (SIO__POLLING(c)) {                    /* no close frame to send: the session just ends */
        sio__finish(c, code, reason, 0);
        return;
    }
    if (!c->websocket.close_sent) sio__websocket_close(&c->websocket, &c->sys, &c->ln, code, reason);
    c->websocket.close_code = code;
    snprintf(c->websocket.close_reason, sizeof c->websocket.close_reason, "%s", reason);
    c->phase = SIO__FAILING;
    c->deadline = sio__now(c) + (uint64_t)linger;
}

/* The main link's flush.  Returns 0, or -1 when the connection was lost
 * (events queued). */
static int sio__flush(sio_client *c)
{
    int r = sio__link_flush(&c->sys, &c->ln, c->why, sizeof c->why);
    if (r == 0) return 0;
    if (c->phase == SIO__CLOSE_WAIT || c->phase == SIO__FAILING)
        sio__finish(c, c->websocket.close_code, c->websocket.close_reason, c->phase == SIO__CLOSE_WAIT);
    else
        sio__abort(c, r, c->why);
    return -1;
}
