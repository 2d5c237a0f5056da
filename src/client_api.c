



SIO_API size_t sio_memory(const sio_client *c)
{
    size_t n, i;
    if (!c) return 0;
    n = sizeof *c + sio__str_size(c->name) + sio__str_size(c->url_text) + sio__str_size(c->host) +

        sio__str_size(c->request_head) + sio__str_size(c->eio_target) + sio__str_size(c->eio_query) +
        sio__str_size(c->own_query) + c->offline_cap;
#if SIO__WITH_PROXY
    n += sio__str_size(c->proxy_text) + sio__str_size(c->hop_host);
#endif
    n += sio__str_size(c->proxy_setting) + sio__str_size(c->no_proxy);
    if (c->handshake) n += c->handshake_head + c->handshake_body + 1;
    n += sio__websocket_memory(&c->websocket);
    for (i = 0; i < SIO__LINKS; i++) {
        const sio__link *l = sio__link_at(c, (int)i);
        n += l->rx_cap + l->tx_cap + (l->tunnel ? sizeof *l->tunnel : 0);
    }
    n += c->events.cap * sizeof(sio__pending);
#if SIO__WITH_POLLING
    n += c->polling.out_cap;
#endif
#if SIO__WITH_POLLING
    for (i = 0; i < SIO__MAX_COOKIES; i++) n += sio__str_size(c->cookies[i]);
#endif
#if SIO__WITH_DNS
    if (c->resolver.addrs) n += sizeof(sio__resolving);
#endif
#if SIO__WITH_SOCKETIO
    n += sio__socketio_memory(c);
#endif
    return n;
}

/* Saturating sums and products for sio_memory_bound. */
static size_t sio__bound_add(size_t a, size_t b) { return a > (size_t)-1 - b ? (size_t)-1 : a + b; }
static size_t sio__bound_mul(size_t a, size_t b) { return b && a > (size_t)-1 / b ? (size_t)-1 : a * b; }
/* A buffer that grows by doubling from 256 to hold n bytes (plus a NUL). */
static size_t sio__bound_grown(size_t n) { return sio__bound_add(sio__bound_mul(n, 2), 512); }

static size_t sio__bound_strings(const sio_config *cfg)
{
    size_t n = 0, i;
    const char *const one[] = { cfg->url, cfg->name, cfg->path, cfg->auth, cfg->dns_server, cfg->proxy, cfg->no_proxy };
    for (i = 0; i < sizeof one / sizeof one[0]; i++) n = sio__bound_add(n, one[i] ? strlen(one[i]) + 1 : 0);
    for (i = 0; cfg->headers && i < cfg->header_count; i++)
        n = sio__bound_add(n, cfg->headers[i] ? strlen(cfg->headers[i]) + 4 : 0);
    for (i = 0; cfg->query && i < cfg->query_count; i++)
        n = sio__bound_add(n, cfg->query[i] ? 3 * strlen(cfg->query[i]) + 2 : 0);   /* percent-encoded */
    for (i = 0; cfg->protocols && i < cfg->protocol_count; i++)
        n = sio__bound_add(n, (cfg->protocols[i] ? strlen(cfg->protocols[i]) + 3 : 0) + sizeof(char *));
    if (cfg->proxy_from_environment) {                /* what the client will read there */
        const char *const env[] = { "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                                    "no_proxy", "NO_PROXY" };
        for (i = 0; i < sizeof env / sizeof env[0]; i++) {
            const char *v = getenv(env[i]);
            n = sio__bound_add(n, v ? strlen(v) + 8 : 0);
        }
    }
    return n;
}

/* The limits sio_memory_bound works from, defaults for zeros. */
typedef struct sio__bound_limits {
    size_t m, h, q, k, ns, acks, read, strings;
} sio__bound_limits;

/* The links' buffers: on the main link a message (or a polling response,
 * head and body) and a read after it, what goes out (an attachment in
 * parts on top of a full queue), the receiver's assembled message, the
 * handshake kept, and what waits while not connected (WebSocket) or
 * behind attachments in parts (Socket.IO); with polling the POST link,
 * the packets waiting (v3 binary as base64), the probe's link and the
 * cookies; the proxies' tunnels. */
static size_t sio__bound_links(const sio_config *cfg, const sio__bound_limits *b)
{
    size_t n = sio__bound_grown(sio__bound_add(sio__bound_add(b->m, b->h), 4096 + 64 + b->read)), q2 = b->q;
    /* the messages kept while reconnecting go out at once, framed: send_fragment_size adds a
     * header of up to 14 bytes per fragment */
    if (cfg->send_fragment_size) q2 = sio__bound_add(q2, sio__bound_mul(b->q / cfg->send_fragment_size + 1, 14));
    n = sio__bound_add(n, sio__bound_grown(sio__bound_add(sio__bound_mul(q2, 2), SIO__PONG_SLACK + 1024)));
    n = sio__bound_add(n, sio__bound_grown(b->m));
    n = sio__bound_add(n, sio__bound_add(sio__bound_add(b->m, b->h), 4096 + 1));
    n = sio__bound_add(n, sio__bound_grown(sio__bound_add(b->q, 1024)));
#if SIO__WITH_POLLING
    if (cfg->mode == SIO_MODE_SOCKETIO && (cfg->transport != SIO_TRANSPORT_WEBSOCKET || cfg->try_all_transports)) {
        size_t post = sio__bound_grown(sio__bound_add(sio__bound_add(b->q, b->q / 2), 1024));
        n = sio__bound_add(n, sio__bound_mul(post, 2));
        n = sio__bound_add(n, sio__bound_mul(sio__bound_grown(sio__bound_add(b->h, 4096 + b->read)), 2));
        /* the cookies kept (1,024 bytes each at most), and sent on the GET, the POST and the
         * probe's handshake */
        n = sio__bound_add(n, SIO__MAX_COOKIES * 1025);
        n = sio__bound_add(n, sio__bound_mul(sio__bound_grown(sio__bound_add(b->strings, SIO__MAX_COOKIES * 1026 + 1024)), 3));
    }
#endif
    if (cfg->proxy || cfg->proxy_from_environment) n = sio__bound_add(n, SIO__LINKS * sizeof(sio__tunnel));
    return n;
}

/* permessage-deflate: the history and a message inflated, its copy; a
 * message deflated (at most max_send_queue), the joined pieces, and for a
 * moment the tables: a hash head and chain of the message's size up to the
 * 32 KiB window, and a block's symbols. */
static size_t sio__bound_deflate(const sio_config *cfg, const sio__bound_limits *b)
{
#if SIO__WITH_DEFLATE
    size_t n, table = 256;
    if (cfg->deflate != SIO_DEFLATE_ON) return 0;
    while (table < b->q && table < 32768) table *= 2;
    n = sio__bound_mul(sio__bound_add(b->m, 32768 + 16), 2);
    n = sio__bound_add(n, sio__bound_mul(sio__bound_add(b->q, b->q / 1024 + 1024), 2));
    return sio__bound_add(n, sizeof(sio__block_tables) + (2 * table + SIO__BLOCK_SYMBOLS) * sizeof(uint32_t));
#else
    (void)cfg; (void)b;
    return 0;
#endif
}

/* Socket.IO: acks and emits kept (their bytes within max_send_queue),
 * namespaces, events held before a CONNECT reply (within max_message),
 * attachments being assembled (the old and the grown block for a moment),
 * the text scratch, the JSON walk's stack. */
static size_t sio__bound_socketio(const sio_config *cfg, const sio__bound_limits *b)
{
#if SIO__WITH_SOCKETIO
    size_t n;
    if (cfg->mode != SIO_MODE_SOCKETIO) return 0;
    n = sio__bound_mul(sio__bound_mul(b->acks, 2), sizeof(sio__ack));
    n = sio__bound_add(n, sio__bound_mul(b->acks, sizeof(sio__outgoing) + sizeof(sio__queued) + 2 * b->k * sizeof(size_t)));
    n = sio__bound_add(n, sio__bound_mul(b->q, 2));
    n = sio__bound_add(n, sio__bound_mul(b->ns, sizeof(sio__ns) + 2 * sizeof(void *) + 512));
    n = sio__bound_add(n, sio__bound_add(b->m, sio__bound_mul(b->k, sizeof(sio_bytes) + 64)));
    n = sio__bound_add(n, sio__bound_add(sio__bound_mul(b->m, 3), sio__bound_mul(b->k, 2 * sizeof(sio_bytes))));
    n = sio__bound_add(n, sio__bound_add(b->m, SIO__KEEP + 1));
    return sio__bound_add(n, cfg->max_json_depth ? cfg->max_json_depth : 1024);
#else
    (void)cfg; (void)b;
    return 0;
#endif
}

SIO_API size_t sio_memory_bound(const sio_config *cfg)
{
    sio__bound_limits b;
    size_t n, events;
    if (!cfg) return 0;
    b.m = cfg->max_message ? cfg->max_message : SIO__DEFAULT_MAX_MESSAGE;
    b.h = cfg->max_handshake ? cfg->max_handshake : SIO__DEFAULT_MAX_HANDSHAKE;
    b.q = cfg->max_send_queue ? cfg->max_send_queue : SIO__DEFAULT_MAX_SEND_QUEUE;
    b.k = cfg->max_attachments ? cfg->max_attachments : (size_t)SIO_DEFAULT_MAX_ATTACHMENTS;
    b.ns = cfg->max_namespaces ? cfg->max_namespaces : (size_t)SIO_DEFAULT_MAX_NAMESPACES;
    b.acks = cfg->max_pending_acks ? cfg->max_pending_acks : (size_t)SIO_DEFAULT_MAX_PENDING_ACKS;
    b.read = SIO__READ_CHUNK > SIO__PARTS_READ ? SIO__READ_CHUNK : SIO__PARTS_READ;
    b.strings = sio__bound_strings(cfg);
    /* the client and its strings, copied a few times (URL parts, the request head) */
    n = sio__bound_add(sizeof(sio_client) + 4096, sio__bound_mul(b.strings, 4));
    n = sio__bound_add(n, sio__bound_links(cfg, &b));
    n = sio__bound_add(n, sio__bound_deflate(cfg, &b));
    n = sio__bound_add(n, sio__bound_socketio(cfg, &b));
    /* events waiting: every ack failed at once, a few per namespace, and the connection's own
     * (ERROR, CLOSE, RECONNECTING...), in a ring that doubles */
    events = 16;
    if (cfg->mode == SIO_MODE_SOCKETIO)
        events = sio__bound_add(events, sio__bound_add(sio__bound_mul(b.acks, 2), sio__bound_mul(b.ns, 8) + 48));
    n = sio__bound_add(n, sio__bound_mul(sio__bound_mul(events, 2), sizeof(sio__pending)));
    /* for a moment: a response head parsed, a redirect's URL and head, the resolver */
    n = sio__bound_add(n, sizeof(sio_http_response) + 2 * 1024 + 16 + SIO__TEXT_SIZE + 1024);
    n = sio__bound_add(n, sio__bound_mul(b.strings, 2));
#if SIO__WITH_DNS
    n = sio__bound_add(n, sizeof(sio__resolving));
#endif
    return n;
}

static int sio__add_string(const sio_allocator *a, char **dst, const char *s)
{
    *dst = sio__strdup(a, s);
    return *dst ? SIO_OK : SIO_ERR_NOMEM;
}

static int sio__header_ok(const char *h)
{
    const char *colon = strchr(h, ':'), *p;
    if (!colon || colon == h) return 0;
    for (p = h; p < colon; p++)
        if (!sio__is_tchar((unsigned char)*p)) return 0;
    for (p = colon; *p; p++)
        if (*p == '\r' || *p == '\n') return 0;
    return 1;
}

static void sio__shrink(const sio_allocator *a, char **s)
{
    char *p = (char *)sio__realloc(a, *s, strlen(*s) + 1);
    if (p) *s = p;
}

static int sio__query_ok(const char *const *query, size_t count)
{
    size_t i;
    for (i = 0; i < count; i++) {
        const char *p;
        if (!query || !query[i] || !strchr(query[i], '=')) return 0;
        for (p = query[i]; *p; p++)
            if ((unsigned char)*p <= 0x20 || *p == '#' || *p == 0x7f) return 0;
    }
    return 1;
}

static int sio__headers_ok(const char *const *headers, size_t count)
{
    size_t i;
    for (i = 0; i < count; i++)
        if (!headers || !headers[i] || !sio__header_ok(headers[i])) return 0;
    return 1;
}

/* The query every handshake adds, "&k=v..." (Socket.IO: after the URL's
 * own, which goes there since the URL's path is the namespace). */
static char *sio__make_query(sio_client *c, const char *const *query, size_t count)
{
    size_t size = 2 + (c->own_query ? strlen(c->own_query) : 0), i;
    char *q, *p;
    for (i = 0; i < count; i++) size += strlen(query[i]) + 1;
    p = q = (char *)sio__realloc(&c->sys.alloc, NULL, size);
    if (!q) return NULL;
    *p = 0;
    if (c->own_query && c->own_query[0]) p += sprintf(p, "&%s", c->own_query);
    for (i = 0; i < count; i++) p += sprintf(p, "&%s", query[i]);
    sio__shrink(&c->sys.alloc, &q);
    return q;
}

/* The request head's lines but the request line: Host, then the caller's headers. */
static char *sio__make_head(sio_client *c, const char *const *headers, size_t count)
{
    size_t size = 64 + strlen(c->host), i;
    char *head, *p;
    for (i = 0; i < count; i++) size += strlen(headers[i]) + 2;
    p = head = (char *)sio__realloc(&c->sys.alloc, NULL, size);
    if (!head) return NULL;
    p += sio__host_line(c, p);
    for (i = 0; i < count; i++) p += sprintf(p, "%s\r\n", headers[i]);
    sio__shrink(&c->sys.alloc, &head);            /* exact sizes, so that sio_memory() can count them */
    return head;
}

/* The parts of every request built once: the target (the URL's path and
 * query, or the Engine.IO path), the extra query, then Host and the
 * application's headers. */
static int sio__make_request_head(sio_client *c, const sio_config *cfg)
{
    const char *path = cfg->path && cfg->path[0] ? cfg->path : "/socket.io/";   /* "" too: the default */
    if (SIO__SOCKETIO(c) && c->url.query_len) {
        c->own_query = (char *)sio__realloc(&c->sys.alloc, NULL, c->url.query_len + 1);
        if (!c->own_query) return SIO_ERR_NOMEM;
        memcpy(c->own_query, c->url.query, c->url.query_len);
        c->own_query[c->url.query_len] = 0;
    }
    c->eio_target = (char *)sio__realloc(&c->sys.alloc, NULL, 3 + c->url.path_len + c->url.query_len + strlen(path));
    c->eio_query = sio__make_query(c, cfg->query, cfg->query_count);
    c->request_head = sio__make_head(c, cfg->headers, cfg->header_count);
    if (!c->request_head || !c->eio_target || !c->eio_query) return SIO_ERR_NOMEM;
    if (SIO__SOCKETIO(c))       /* Engine.IO path; the URL path is the namespace */
        sprintf(c->eio_target, "%s%s", path[0] == '/' ? "" : "/", path);
    else
        sio__websocket_target(c, c->eio_target);
    sio__shrink(&c->sys.alloc, &c->eio_target);
    return SIO_OK;
}

SIO_API int sio_set_headers(sio_client *c, const char *const *headers, size_t count)
{
    char *head;
    if (!c || !sio__headers_ok(headers, count)) return SIO_ERR_INVALID;
    if (!(head = sio__make_head(c, headers, count))) return SIO_ERR_NOMEM;
    sio__free(&c->sys.alloc, c->request_head);
    c->request_head = head;
    return SIO_OK;
}

SIO_API int sio_set_query(sio_client *c, const char *const *query, size_t count)
{
    char *q;
    if (!c || !sio__query_ok(query, count)) return SIO_ERR_INVALID;
    if (!(q = sio__make_query(c, query, count))) return SIO_ERR_NOMEM;
    sio__free(&c->sys.alloc, c->eio_query);
    c->eio_query = q;
    return SIO_OK;
}

/* The caller's headers and subprotocols: SIO_OK or why not. */
static int sio__config_strings_ok(const sio_config *cfg)
{
    size_t i;
    if (!sio__headers_ok(cfg->headers, cfg->header_count) || !sio__query_ok(cfg->query, cfg->query_count))
        return SIO_ERR_INVALID;
    for (i = 0; i < cfg->protocol_count; i++) {
        const char *p;
        if (!cfg->protocols || !cfg->protocols[i] || !cfg->protocols[i][0]) return SIO_ERR_INVALID;
        for (p = cfg->protocols[i]; *p; p++)
            if (!sio__is_tchar((unsigned char)*p)) return SIO_ERR_INVALID;
        if (p - cfg->protocols[i] > SIO_MAX_PROTOCOL) return SIO_ERR_TOO_BIG;   /* the event's field holds no more */
    }
    return SIO_OK;
}

#ifndef SIO_DEFAULT_MAX_JSON_DEPTH                 /* SIO_SMALL_TARGET's is in common.c */
#define SIO_DEFAULT_MAX_JSON_DEPTH SIO_JSON_DEFAULT_DEPTH
#endif
#if SIO_DEFAULT_MAX_JSON_DEPTH < 2
#error "sio: SIO_DEFAULT_MAX_JSON_DEPTH is below 2"
#endif

/* The limits, timeouts and reconnection settings, defaults for zeros. */
static void sio__config_numbers(sio_client *c, const sio_config *cfg)
{
    c->max_message = cfg->max_message ? cfg->max_message : SIO__DEFAULT_MAX_MESSAGE;
    c->max_handshake = cfg->max_handshake ? cfg->max_handshake : SIO__DEFAULT_MAX_HANDSHAKE;
    c->max_send_queue = cfg->max_send_queue ? cfg->max_send_queue : SIO__DEFAULT_MAX_SEND_QUEUE;
    if (c->max_send_queue > (size_t)-1 - SIO__PONG_SLACK)      /* "no bound": the pongs' slack must not wrap */
        c->max_send_queue = (size_t)-1 - SIO__PONG_SLACK;
    c->websocket.fragment = cfg->send_fragment_size;
    c->websocket.deflate_offer = SIO__WITH_DEFLATE && cfg->deflate == SIO_DEFLATE_ON;
    c->websocket.deflate_bits = cfg->deflate_window_bits ? cfg->deflate_window_bits : 15;
    c->websocket.deflate_no_takeover = cfg->deflate_no_context_takeover != 0;
    c->websocket.deflate_threshold = cfg->deflate_threshold ? cfg->deflate_threshold : SIO__DEFLATE_THRESHOLD;
    c->connect_timeout = cfg->connect_timeout_ms ? cfg->connect_timeout_ms : SIO__DEFAULT_CONNECT_TIMEOUT;
    c->close_timeout = cfg->close_timeout_ms > 0 ? cfg->close_timeout_ms : SIO__DEFAULT_CLOSE_TIMEOUT;
    c->websocket.keepalive.interval = cfg->ping_interval_ms > 0 ? (uint64_t)cfg->ping_interval_ms : 0;
    c->websocket.keepalive.timeout = cfg->pong_timeout_ms == 0 ? SIO__DEFAULT_PONG_TIMEOUT
                                   : cfg->pong_timeout_ms < 0 ? 0 : (uint64_t)cfg->pong_timeout_ms;
    c->max_attachments = cfg->max_attachments ? cfg->max_attachments : (size_t)SIO_DEFAULT_MAX_ATTACHMENTS;
    c->max_namespaces = cfg->max_namespaces ? cfg->max_namespaces : (size_t)SIO_DEFAULT_MAX_NAMESPACES;
    c->max_pending_acks = cfg->max_pending_acks ? cfg->max_pending_acks : (size_t)SIO_DEFAULT_MAX_PENDING_ACKS;
    c->emit_retries = cfg->retries > 0 ? cfg->retries : 0;
    c->emit_ack_timeout = cfg->ack_timeout_ms > 0 ? (uint64_t)cfg->ack_timeout_ms : 0;
    c->max_json_depth = cfg->max_json_depth ? cfg->max_json_depth : (unsigned)SIO_DEFAULT_MAX_JSON_DEPTH;
    c->max_redirects = cfg->max_redirects == 0 ? 5 : cfg->max_redirects < 0 ? 0 : cfg->max_redirects;
    c->keep_handshake = cfg->keep_handshake;
    c->reconnect = cfg->reconnect;
    c->reconnect_attempts = cfg->reconnect_attempts;
    c->delay_min = cfg->reconnect_delay_ms > 0 ? cfg->reconnect_delay_ms : 1000;
    c->delay_max = cfg->reconnect_delay_max_ms > 0 ? cfg->reconnect_delay_max_ms : 5000;
    if (c->delay_max < c->delay_min) c->delay_max = c->delay_min;
    c->jitter_pct = cfg->reconnect_jitter_pct == 0 ? 50 : cfg->reconnect_jitter_pct > 100 ? 100 : cfg->reconnect_jitter_pct;
    c->reconnect_queue = cfg->reconnect_queue;
}

SIO_API int sio_create(const sio_config *cfg, sio_client **out)
{
    sio_client *c;
    sio_allocator a;
    size_t i;
    int r;
    if (!cfg || !out || !cfg->url) return SIO_ERR_INVALID;
    *out = NULL;
    a = cfg->allocator;
    if ((r = sio__config_strings_ok(cfg)) != SIO_OK) return r;
    c = (sio_client *)sio__realloc(&a, NULL, sizeof *c);
    if (!c) return SIO_ERR_NOMEM;
    memset(c, 0, sizeof *c);
    c->sys.alloc = a;
    c->ln.sock = SIO_INVALID_SOCKET;
    c->sys.pf = cfg->platform ? cfg->platform : sio_platform_default();
    c->user_data = cfg->user_data;
    sio__config_numbers(c, cfg);
    r = sio__add_string(&a, &c->name, cfg->name ? cfg->name : "");
    if (r == SIO_OK) r = sio__add_string(&a, &c->url_text, cfg->url);
    if (r == SIO_OK && cfg->dns_server) r = sio__add_string(&a, &c->dns_server, cfg->dns_server);
    if (r == SIO_OK && sio_url_parse(&c->url, c->url_text) != SIO_OK) r = SIO_ERR_URL;
    if (r == SIO_OK) {
        c->host = (char *)sio__realloc(&a, NULL, c->url.host_len + 1);
        if (!c->host) r = SIO_ERR_NOMEM;
        else {
            memcpy(c->host, c->url.host, c->url.host_len);
            c->host[c->url.host_len] = 0;
        }
    }
#if SIO__WITH_SOCKETIO
    if (cfg->mode == SIO_MODE_SOCKETIO) c->session = &sio__socketio_session;
#endif
    if (r == SIO_OK && cfg->mode != SIO_MODE_WEBSOCKET && !SIO__SOCKETIO(c)) r = SIO_ERR_INVALID;
    c->sys.tls = cfg->tls;
#if !SIO__WITH_TLS
    if (r == SIO_OK && c->url.secure && !c->sys.tls) r = SIO_ERR_TLS;   /* never plaintext instead */
#endif
    c->port = cfg->port ? cfg->port : c->url.port;
    c->transport = cfg->transport;
    c->try_all_transports = cfg->try_all_transports != 0;
    c->remember_upgrade = cfg->remember_upgrade != 0;
    if (r == SIO_OK && cfg->eio && cfg->eio != 3 && cfg->eio != 4) r = SIO_ERR_INVALID;
    if (r == SIO_OK && ((cfg->deflate != SIO_DEFLATE_OFF && cfg->deflate != SIO_DEFLATE_ON) ||
                        (cfg->deflate_window_bits && (cfg->deflate_window_bits < 9 || cfg->deflate_window_bits > 15))))
        r = SIO_ERR_INVALID;
#if SIO__WITH_SOCKETIO
    c->eio.version = cfg->eio ? cfg->eio : 4;
#endif
#if SIO__WITH_POLLING
    c->polling.post.sock = c->upgrade.link.sock = SIO_INVALID_SOCKET;
#endif
    if (r == SIO_OK && (c->transport < SIO_TRANSPORT_WEBSOCKET || c->transport > SIO_TRANSPORT_AUTO ||
                        (!SIO__WITH_POLLING && SIO__SOCKETIO(c) && c->transport != SIO_TRANSPORT_WEBSOCKET)))
        r = SIO_ERR_INVALID;
    if (r == SIO_OK && !SIO__WITH_DNS && cfg->dns_server) r = SIO_ERR_INVALID;   /* no resolver to give it to */
    if (r == SIO_OK && cfg->dns_server && strlen(cfg->dns_server) > 63) r = SIO_ERR_INVALID;   /* "[v6]:port" fits */
#if SIO__WITH_SOCKETIO
    if (r == SIO_OK && SIO__SOCKETIO(c)) r = sio__socketio_configure(c, cfg);
#endif
    if (r == SIO_OK && cfg->protocol_count) {
        c->websocket.protocols = (char **)sio__realloc(&a, NULL, cfg->protocol_count * sizeof(char *));
        if (!c->websocket.protocols) r = SIO_ERR_NOMEM;
        else memset(c->websocket.protocols, 0, cfg->protocol_count * sizeof(char *));
        for (i = 0; r == SIO_OK && i < cfg->protocol_count; i++) {
            r = sio__add_string(&a, &c->websocket.protocols[i], cfg->protocols[i]);
            c->websocket.protocol_count = i + 1;
        }
    }
    if (r == SIO_OK && cfg->proxy) r = sio__add_string(&a, &c->proxy_setting, cfg->proxy);
    if (r == SIO_OK && cfg->no_proxy) r = sio__add_string(&a, &c->no_proxy, cfg->no_proxy);
    c->proxy_from_environment = cfg->proxy_from_environment;
    if (r == SIO_OK) {
        sio__proxy_plan plan;
        /* a configured proxy must be usable even where no_proxy leaves it out:
         * a redirect may lead to an origin it serves */
        if (cfg->proxy && cfg->proxy[0] && (r = sio__plan_proxy(c, c->url.secure, c->host, c->port, 1, &plan)) == SIO_OK)
            sio__proxy_plan_free(c, &plan);
        if (r == SIO_OK && (r = sio__plan_proxy(c, c->url.secure, c->host, c->port, 0, &plan)) == SIO_OK)
            sio__use_proxy(c, &plan);
    }
    if (r == SIO_OK) r = sio__make_request_head(c, cfg);
    c->websocket.rx.allocator = a;
    c->websocket.rx.max_message = c->max_message;
    if (cfg->receive_parts) {                    /* Engine.IO's text packets still come whole */
        c->websocket.rx.parts = SIO__SOCKETIO(c) ? SIO_WS_PARTS_BINARY : SIO_WS_PARTS_ALL;
        c->sys.read_max = SIO__PARTS_READ;
#if SIO__WITH_SOCKETIO
        c->socketio.receive_parts = SIO__SOCKETIO(c);
#endif
    }
    if (r != SIO_OK) {
        sio_destroy(c);
        return r;
    }
    *out = c;
    return SIO_OK;
}

SIO_API void sio_destroy(sio_client *c)
{
    sio_allocator a;
    if (!c) return;
    if (c->membership.set) sio__set_of(c)->remove(c->membership.set, c);
    a = c->sys.alloc;
    sio__link_close(c, &c->ln);
    sio__addresses_release(c, 0);
    sio__free(&a, c->name);
    sio__free(&a, c->url_text);
    sio__free(&a, c->dns_server);
    sio__free(&a, c->host);
    sio__free(&a, c->handshake);
    sio__free(&a, c->offline);
    sio__free(&a, c->own_query);
#if SIO__WITH_PROXY
    sio__free(&a, c->proxy_text);
    sio__free(&a, c->hop_host);
#endif
    sio__free(&a, c->proxy_setting);
    sio__free(&a, c->no_proxy);
    sio__free(&a, c->request_head);
    sio__free(&a, c->eio_target);
    sio__free(&a, c->eio_query);
#if SIO__WITH_POLLING
    sio__link_close(c, &c->polling.post);
    sio__link_close(c, &c->upgrade.link);
    sio__free(&a, c->polling.out);
#endif
#if SIO__WITH_POLLING
    {
        size_t i;
        for (i = 0; i < SIO__MAX_COOKIES; i++) sio__free(&a, c->cookies[i]);
    }
#endif
    sio__websocket_free(&c->websocket, &a);
#if SIO__WITH_SOCKETIO
    sio__socketio_free(c);
#endif
    sio__free(&a, c->events.ring);
#if defined(SIO_WITH_BEARSSL)
    sio_bearssl_destroy(c->default_tls);
#elif defined(SIO_WITH_OPENSSL)
    sio_openssl_destroy(c->default_tls);
#elif defined(SIO_WITH_MBEDTLS)
    sio_mbedtls_destroy(c->default_tls);
#endif
    sio__free(&a, c);
}


SIO_API int sio_start(sio_client *c)
{
    if (!c) return SIO_ERR_INVALID;
    if (c->phase != SIO__IDLE || c->events.close_owed) return SIO_ERR_STATE;   /* the last run's CLOSE first */
    if (sio__events_crowded(c)) return SIO_ERR_FULL;
    c->user_stop = 0;
    c->retries = 0;
    c->fell_back = c->upgraded = 0;                  /* a new run tries the configured transport again */
    sio__free(&c->sys.alloc, c->handshake);          /* this run's answer replaces the last one's */
    c->handshake = NULL;
#if SIO__WITH_SOCKETIO
    if (SIO__SOCKETIO(c)) sio__namespaces_start(&c->socketio.namespaces);
#endif
    sio__begin(c);
    sio__wake(c);
    return SIO_OK;
}

SIO_API int sio_close(sio_client *c, int code, const char *reason)
{
    size_t rlen;
    if (!c) return SIO_ERR_INVALID;
    rlen = reason ? strlen(reason) : 0;
    if ((code && !sio_ws_close_code_valid(code)) || rlen > 123 || (!code && rlen) ||
        (rlen && !sio_utf8_valid(reason, rlen)))
        return SIO_ERR_INVALID;
    sio__wake(c);
    switch (c->phase) {
    case SIO__IDLE:
        return SIO_ERR_STATE;
    case SIO__BACKOFF:
        c->user_stop = 1;
        sio__finish(c, SIO_CLOSE_ABNORMAL, "stopped while waiting to reconnect", 0);
        return SIO_OK;
    case SIO__RESOLVING:
    case SIO__CONNECTING:
    case SIO__HANDSHAKE:
        c->user_stop = 1;
        sio__finish(c, SIO_CLOSE_ABNORMAL, "stopped before the connection was open", 0);
        return SIO_OK;
    case SIO__OPEN:
#if SIO__WITH_SOCKETIO
        if (SIO__SOCKETIO(c)) sio__socketio_stop(c);
#endif
        c->user_stop = 1;
        if (SIO__POLLING(c) && sio__awaiting_session(c)) {
            sio__finish(c, SIO_CLOSE_ABNORMAL, "stopped before the connection was open", 0);
            return SIO_OK;
        }
        if (sio__eio_close(c, code, reason) != SIO_OK) {
            sio__abort(c, SIO_ERR_NOMEM, "ws: could not queue the close frame");
            return SIO_OK;
        }
        return SIO_OK;
    default:                                 /* already closing: it ends there, without a reconnection */
        c->user_stop = 1;
        return SIO_OK;
    }
}

SIO_API int sio_stop(sio_client *c) { return sio_close(c, SIO_CLOSE_NORMAL, ""); }

/* While a reconnecting WebSocket is not connected (between sio_start and
 * the end, the server's close or a failure included), messages wait for
 * the next connection, unless refused. */
static int sio__sends_kept(const sio_client *c, int opcode)
{
    int between = (c->phase != SIO__IDLE && c->phase < SIO__OPEN) || c->phase == SIO__CLOSE_WAIT ||
                  c->phase == SIO__FAILING;
    return c->reconnect == SIO_RECONNECT_ON && c->reconnect_queue == SIO_RECONNECT_QUEUE && !c->user_stop &&
           opcode != SIO_WS_PING && between;
}

/* A message in parts goes out as fragments on this connection: between
 * its frames only control frames may go (RFC 6455 5.4). */
static int sio__sending_parts(const sio_client *c)
{
    return c->websocket.tx_parts && c->phase == SIO__OPEN && !c->websocket.close_sent;
}

static int sio__send_data(sio_client *c, int opcode, const void *data, size_t len)
{
    if (!c || (!data && len)) return SIO_ERR_INVALID;
    if (SIO__SOCKETIO(c) || (opcode != SIO_WS_PING && sio__sending_parts(c))) return SIO_ERR_STATE;
    if (sio__sends_kept(c, opcode)) return sio__offline_add(c, opcode, (const unsigned char *)data, len);
    if (c->phase != SIO__OPEN || c->websocket.close_sent) return SIO_ERR_STATE;
    sio__wake(c);
    return sio__websocket_send(&c->websocket, &c->sys, &c->ln, opcode, (const unsigned char *)data, len, c->max_send_queue);
}

SIO_API int sio_send_text(sio_client *c, const char *text, size_t len)
{
    if (text && !sio_utf8_valid(text, len)) return SIO_ERR_INVALID;
    return sio__send_data(c, SIO_WS_TEXT, text, len);
}

SIO_API int sio_send_binary(sio_client *c, const void *data, size_t len)
{
    return sio__send_data(c, SIO_WS_BINARY, data, len);
}

SIO_API int sio_send_ping(sio_client *c, const void *data, size_t len)
{
    if (len > 125) return SIO_ERR_INVALID;
    return sio__send_data(c, SIO_WS_PING, data, len);
}

SIO_API int sio_send_begin(sio_client *c, int binary)
{
    if (!c) return SIO_ERR_INVALID;
#if SIO__WITH_SOCKETIO
    if (SIO__SOCKETIO(c)) return sio__socketio_parts_begin(c, binary);   /* an emit's next attachment */
#endif
    if (SIO__SOCKETIO(c) || c->phase != SIO__OPEN || c->websocket.close_sent || sio__sending_parts(c))
        return SIO_ERR_STATE;
    sio__websocket_parts_begin(&c->websocket, binary);
    return SIO_OK;
}

/* Room on the link for a part: max_send_queue less what an emit's
 * attachments hold back (their packet and what waits behind them), but all
 * of it once the link is empty: what is held back goes only after the last
 * attachment, so the attachment must always be able to move.  The parts and
 * what waits behind them may so take twice max_send_queue in all. */
static size_t sio__parts_limit(const sio_client *c)
{
#if SIO__WITH_SOCKETIO
    size_t behind = c->socketio.held.tx_len + c->socketio.namespaces.queued_bytes;
    if (c->ln.tx_len == c->ln.tx_sent) return c->max_send_queue;
    return behind < c->max_send_queue ? c->max_send_queue - behind : 0;
#else
    return c->max_send_queue;
#endif
}

SIO_API int sio_send_part(sio_client *c, const void *data, size_t len)
{
    int r;
    if (!c || (!data && len)) return SIO_ERR_INVALID;
    if (!sio__sending_parts(c)) return SIO_ERR_STATE;
#if SIO__WITH_SOCKETIO
    if (SIO__SOCKETIO(c) && !sio__socketio_part_fits(c, len)) return SIO_ERR_TOO_BIG;
#endif
    r = sio__websocket_part(&c->websocket, &c->sys, &c->ln, (const unsigned char *)data, len, 0, sio__parts_limit(c));
    if (r != SIO_OK) return r;
#if SIO__WITH_SOCKETIO
    if (SIO__SOCKETIO(c) && len) sio__socketio_part_sent(c, len);
#endif
    sio__wake(c);
    return SIO_OK;
}

SIO_API int sio_send_end(sio_client *c)
{
    int r;
    if (!c) return SIO_ERR_INVALID;
    if (!sio__sending_parts(c)) return SIO_ERR_STATE;
    r = sio__websocket_part(&c->websocket, &c->sys, &c->ln, (const unsigned char *)"", 0, 1, c->max_send_queue);
    if (r != SIO_OK) return r;
#if SIO__WITH_SOCKETIO
    if (SIO__SOCKETIO(c)) sio__socketio_part_ended(c);
#endif
    sio__wake(c);
    return SIO_OK;
}

SIO_API sio_socket sio_socket_of(const sio_client *c) { return c ? c->ln.sock : SIO_INVALID_SOCKET; }

/* What link i waits for (SIO_WAIT_*).  While resolving, the main link's
 * socket is the nameserver's: its answers are read, the request waits. */
static int sio__wants(const sio_client *c, int i)
{
    if (i == 0 && c->phase == SIO__RESOLVING) return c->ln.sock == SIO_INVALID_SOCKET ? 0 : SIO_WAIT_READ;
    return sio__link_wants(&c->sys, sio__link_at(c, i));
}

SIO_API int sio_wants_write(const sio_client *c)
{
    return c && (sio__wants(c, 0) & SIO_WAIT_WRITE) != 0;
}

SIO_API size_t sio_sockets(const sio_client *c, sio_wait_item *items, size_t max)
{
    size_t n = 0;
    int i;
    if (!c || !items) return 0;
    for (i = 0; i < SIO__LINKS && n < max; i++) {
        const sio__link *l = sio__link_at(c, i);
        if (l->sock == SIO_INVALID_SOCKET) continue;
        items[n].socket = l->sock;
        items[n].events = sio__wants(c, i);
        items[n++].revents = 0;
    }
    return n;
}

/* The minimum of what the pump's timer and the engines' deadlines ask for. */
SIO_API int sio_next_timeout_ms(const sio_client *c)
{
    uint64_t now;
    uint64_t deadline;
    int i;
    if (!c) return -1;
    if (c->events.count || c->events.close_owed) return 0;   /* work waiting */
    for (i = 0; i < SIO__LINKS; i++)              /* plaintext the socket no longer shows: the probe's too */
        if (sio__tls_buffered(&c->sys, sio__link_at(c, i))) return 0;
#if SIO__WITH_POLLING
    if (c->polling.pkt_end > c->polling.pkt_pos) return 0;
#endif
#if SIO__WITH_SOCKETIO
    if (sio__namespaces_deliverable(&c->socketio.namespaces)) return 0;
#endif
    deadline = c->deadline;
#if SIO__WITH_POLLING
    deadline = sio__earliest(deadline, sio__upgrade_deadline(&c->upgrade));
#endif
#if SIO__WITH_DNS
    deadline = sio__earliest(deadline, sio__resolver_deadline(&c->resolver));
#endif
#if SIO__WITH_SOCKETIO
    if (SIO__SOCKETIO(c)) deadline = sio__earliest(deadline, sio__socketio_deadline(c));
#endif
    if (c->phase == SIO__OPEN && !SIO__SOCKETIO(c))
        deadline = sio__earliest(deadline, sio__keepalive_deadline(&c->websocket.keepalive, c->ln.last_read));
    now = sio__now(c);
    /* A connect in progress is also asked now and then: a poller may never
     * report a refused one (WSAPoll before Windows 10 2004). */
    if (sio__links_connecting(c)) deadline = sio__earliest(deadline, now + SIO__CONNECT_RECHECK_MS);
    if (!deadline) return -1;
    if (now >= deadline) return 0;
    return deadline - now > (uint64_t)INT_MAX ? INT_MAX : (int)(deadline - now);
}

SIO_API sio_state sio_get_state(const sio_client *c)
{
    if (!c) return SIO_STATE_IDLE;
    switch (c->phase) {
    case SIO__RESOLVING:
    case SIO__CONNECTING:
    case SIO__HANDSHAKE: return SIO_STATE_CONNECTING;
    case SIO__OPEN: return sio__awaiting_session(c) ? SIO_STATE_CONNECTING : SIO_STATE_OPEN;
    case SIO__IDLE: return SIO_STATE_IDLE;
    case SIO__BACKOFF: return SIO_STATE_RECONNECTING;
    default: return SIO_STATE_CLOSING;
    }
}

SIO_API const char *sio_name(const sio_client *c) { return c ? c->name : ""; }
SIO_API const char *sio_url_of(const sio_client *c) { return c ? c->url_text : ""; }

SIO_API int sio_handshake(const sio_client *c, sio_handshake_response *out)
{
    if (!c || !out) return SIO_ERR_INVALID;
    memset(out, 0, sizeof *out);
    if (!c->handshake) return SIO_ERR_STATE;
    out->status = c->handshake_status;
    out->head = c->handshake;
    out->head_len = c->handshake_head;
    out->body = c->handshake + c->handshake_head;
    out->body_len = c->handshake_body;
    return SIO_OK;
}

SIO_API size_t sio_queued_bytes(const sio_client *c) { return c ? sio__backlog(c) : 0; }

SIO_API int sio_poll(sio_client *c, sio_event *ev, int timeout_ms)
{
    if (!c) return SIO_ERR_INVALID;
    return sio_poll_clients(&c, 1, ev, timeout_ms);
}

#define SIO__WAIT_STACK 16


SIO_API int sio_poll_set(sio_client *const *clients, size_t count, sio_event *ev, int timeout_ms)
{
    return sio_poll_clients(clients, count, ev, timeout_ms);
}

SIO_API int sio_poll_clients(sio_client *const *clients, size_t count, sio_event *ev, int timeout_ms)
{
    const sio_platform *pf;
    uint64_t start;
    size_t i;
    if (!clients || !ev || count == 0) return SIO_ERR_INVALID;
    for (i = 0; i < count; i++)
        if (!clients[i]) return SIO_ERR_INVALID;
    pf = clients[0]->sys.pf;
    start = pf->now_ms(pf->user);
    if (timeout_ms == 0)                      /* an external loop saw readiness: try to read */
        for (i = 0; i < count; i++) sio__links_may_read(clients[i]);
    for (;;) {
        sio_wait_item stack_items[SIO__WAIT_STACK], *items = stack_items;
        size_t rotate = 0, n = 0;
        int wait_ms = timeout_ms, r;
        uint64_t now;
        for (i = 0; i < count; i++) rotate += clients[i]->served;
        for (i = 0; i < count; i++) {
            sio_client *c = clients[(rotate + i) % count];
            if (sio__next_event(c, ev)) {
                c->served++;
                return 1;
            }
        }
        memset(ev, 0, sizeof *ev);
        now = pf->now_ms(pf->user);
        if (timeout_ms >= 0) {
            if (now - start >= (uint64_t)timeout_ms) return 0;
            wait_ms = (int)((uint64_t)timeout_ms - (now - start));
        }
        if (SIO__LINKS * count > SIO__WAIT_STACK) {
            items = (sio_wait_item *)sio__realloc(&clients[0]->sys.alloc, NULL, SIO__LINKS * count * sizeof *items);
            if (!items) return SIO_ERR_NOMEM;
        }
        for (i = 0; i < count; i++) {
            const sio_client *c = clients[i];
            int t = sio_next_timeout_ms(c);
            if (t >= 0 && (wait_ms < 0 || t < wait_ms)) wait_ms = t;
            n += sio_sockets(c, items + n, SIO__LINKS);
        }
        if (n == 0 && wait_ms < 0) {          /* nothing could ever happen */
            if (items != stack_items) sio__free(&clients[0]->sys.alloc, items);
            return 0;
        }
        r = pf->wait(pf->user, items, n, wait_ms);
        if (r > 0) {                          /* readiness: allow reads again (items follow clients' order) */
            size_t k = 0, marked = 0;
            for (i = 0; i < count && k < n; i++) {
                int m;
                for (m = 0; m < SIO__LINKS && k < n; m++) {
                    sio__link *l = sio__link_at(clients[i], m);
                    if (l->sock == SIO_INVALID_SOCKET) continue;
                    if (items[k].revents) { l->may_read = 1; marked++; }
                    k++;
                }
            }
            if (!marked)                      /* a platform that reports no revents: try everyone */
                for (i = 0; i < count; i++) sio__links_may_read(clients[i]);
        }
        if (items != stack_items) sio__free(&clients[0]->sys.alloc, items);
        if (r < 0) return 0;
    }
}


