/* ---- resolving names without blocking ---- */

static void sio__start_next_address(sio_client *c);

/* Connects to the attempt-th address: one the client resolved itself, or
 * the platform's own lookup of the host. */
static int sio__connect_attempt(sio_client *c, sio_socket *sock, char *err, size_t err_size)
{
#if SIO__WITH_DNS
    const char *address = c->address[0] ? c->address : NULL;
#if SIO__WITH_PROXY
    if (sio__proxy_wants_address(c)) {              /* the addresses are the origin's: TCP goes to the proxy */
        const char *proxy = c->proxy_address[c->proxy_attempt];
        /* one try per origin address; an origin given as an address (or one
         * that connected before) has one */
        if (c->resolver.addr_count ? c->attempt >= c->resolver.addr_count : c->attempt >= 1 && !c->address[0])
            return SIO_ERR_NO_ADDRESS;
        return c->sys.pf->connect(c->sys.pf->user, proxy[0] ? proxy : sio__hop_host(c), sio__hop_port(c), 0, sock,
                                  err, err_size);
    }
#endif
    if (c->resolver.addr_count) {
        if (c->attempt >= c->resolver.addr_count) return SIO_ERR_NO_ADDRESS;
        address = c->resolver.addrs[c->attempt];
    }
    if (address) return c->sys.pf->connect(c->sys.pf->user, address, sio__hop_port(c), 0, sock, err, err_size);
#endif
    return c->sys.pf->connect(c->sys.pf->user, sio__hop_host(c), sio__hop_port(c), c->attempt, sock, err, err_size);
}

#if SIO__WITH_DNS
/* The memory of the resolution under way (its addresses table is the first part). */
static sio__resolving *sio__resolving_of(const sio_client *c) { return (sio__resolving *)(void *)c->resolver.addrs; }

/* Sends the questions still unanswered to the nameserver's socket; -1
 * when there is no randomness for their ids. */
static int sio__dns_send(sio_client *c)
{
    unsigned char (*q)[300] = sio__resolving_of(c)->questions, id[4];
    size_t n[2];
    char err[64];
    int k;
    if (sio__random(&c->sys, id, sizeof id) != SIO_OK) return -1;
    sio__resolver_queries(&c->resolver, id, sio__now(c), q, n);
    for (k = 0; k < 2; k++)
        if (n[k]) c->sys.pf->send(c->sys.pf->user, c->ln.sock, q[k], n[k], err, sizeof err);
    return 0;
}

/* sio_config.dns_server ("IP", "IP:port", "[IPv6]:port") as the address and
 * the port (53 when none is given); 0, or -1 when the port is not 1-65535. */
static int sio__nameserver_split(const char *text, char *host, size_t host_size, unsigned short *port)
{
    const char *end = text + strlen(text), *colon = strrchr(text, ':'), *p;
    unsigned long v = 0;
    *port = 53;
    if (text[0] == '[' && (p = strchr(text, ']')) != NULL) {
        colon = p[1] == ':' ? p + 1 : NULL;
        end = p;
        text++;
    } else if (colon && strchr(text, ':') != colon) {
        colon = NULL;                                     /* IPv6 without a port */
    }
    if (colon) {
        if (end > colon) end = colon;
        for (p = colon + 1; *p >= '0' && *p <= '9' && v <= 65535; p++) v = v * 10 + (unsigned long)(*p - '0');
        if (*p || v == 0 || v > 65535) return -1;
        *port = (unsigned short)v;
    }
    snprintf(host, host_size, "%.*s", (int)(end - text), text);
    return 0;
}

/* Asks the resolver's current nameserver; -1 when there is none (err then
 * says why, if the platform could not open one). */
static int sio__dns_next_server(sio_client *c, char *err, size_t err_size)
{
    char host[64];
    unsigned short port = 53;
    err[0] = 0;
    if (c->ln.sock != SIO_INVALID_SOCKET) sio__close_socket(c, c->ln.sock);
    c->ln.sock = SIO_INVALID_SOCKET;
    if (c->dns_server && c->resolver.server > 0) return -1;
    if (c->dns_server && sio__nameserver_split(c->dns_server, host, sizeof host, &port) < 0) {
        snprintf(err, err_size, "bad nameserver port '%s'", strrchr(c->dns_server, ':') + 1);
        return -1;
    }
    if (c->sys.pf->dns_open(c->sys.pf->user, c->dns_server ? host : NULL, port, c->resolver.server, &c->ln.sock, err,
                        err_size) != SIO_OK) {
        c->ln.sock = SIO_INVALID_SOCKET;
        return -1;
    }
    sio__resolver_new_server(&c->resolver);
    c->ln.may_read = 1;
    if (sio__dns_send(c) < 0) {
        snprintf(err, err_size, "no random source for query ids");
        return -1;
    }
    return 0;
}

/* A name is resolved.  When it was a socks5:// proxy's, its first address
 * (and one of the other family) is kept and 1 says the origin's name is to
 * be resolved in turn; else 0: connect. */
static int sio__proxy_resolved(sio_client *c)
{
#if SIO__WITH_PROXY
    if (sio__resolving_proxy(c)) {            /* IPv6 first when there is one, as for the origin */
        unsigned i;
        int v6 = strchr(c->resolver.addrs[0], ':') != NULL;
        memcpy(c->proxy_address[0], c->resolver.addrs[0], sizeof c->proxy_address[0]);
        for (i = 1; i < c->resolver.addr_count; i++)
            if ((strchr(c->resolver.addrs[i], ':') != NULL) != v6) {
                memcpy(c->proxy_address[1], c->resolver.addrs[i], sizeof c->proxy_address[1]);
                break;
            }
        sio__addresses_release(c, 0);
        return !sio_ip_literal(c->host);
    }
#endif
    (void)c;
    return 0;
}

/* Begins connecting by name: the hosts file first, then the nameservers.
 * Loops (rather than recursing) when a proxy's name found in the hosts
 * file is followed by the origin's, so the stack stays bounded. */
static void sio__resolve(sio_client *c)
{
    char why[128];
    sio__resolver *r = &c->resolver;
    do {
        sio__resolving *w = (sio__resolving *)sio__realloc(&c->sys.alloc, NULL, sizeof *w);
        if (!w) {
            sio__abort(c, SIO_ERR_NOMEM, "dns: out of memory for the addresses");
            return;
        }
        sio__resolver_begin(r, sio__resolved_name(c), w->addrs);
        while (r->addr_count < SIO__MAX_ADDRESSES &&
               c->sys.pf->hosts_lookup(c->sys.pf->user, sio__resolved_name(c), (unsigned)r->addr_count,
                                       r->addrs[r->addr_count], sizeof r->addrs[0]) == 1)
            r->addr_count++;
        if (!r->addr_count) {
            c->phase = SIO__RESOLVING;
            if (sio__dns_next_server(c, why, sizeof why) < 0) {
                snprintf(c->why, sizeof c->why, "dns: cannot resolve %.80s: %s", sio__resolved_name(c),
                         why[0] ? why : "no nameserver to ask");
                sio__abort(c, SIO_ERR_NO_ADDRESS, c->why);
            }
            return;
        }
    } while (sio__proxy_resolved(c));
    sio__start_next_address(c);
}

/* Resolving ended: connect to what was found, or fail saying why not. */
static void sio__dns_done(sio_client *c)
{
    int r = sio__resolver_finish(&c->resolver, c->why, sizeof c->why);
    sio__close_socket(c, c->ln.sock);
    c->ln.sock = SIO_INVALID_SOCKET;
    c->phase = SIO__CONNECTING;
    if (r != 0) sio__abort(c, r, c->why);
    else if (sio__proxy_resolved(c)) sio__resolve(c);
    else sio__start_next_address(c);
}

/* Reads nameserver answers. */
static void sio__step_resolve(sio_client *c)
{
    char err[128];
    int i;
    for (i = 0; i < 8 && c->resolver.waiting; i++) {
        unsigned char *msg = sio__resolving_of(c)->answer;
        long n;
        err[0] = 0;
        if (!c->ln.may_read) return;
        n = c->sys.pf->recv(c->sys.pf->user, c->ln.sock, msg, sizeof sio__resolving_of(c)->answer, err, sizeof err);
        if (n == SIO_ERR_AGAIN) { c->ln.may_read = 0; return; }
        if (n <= 0) {                                    /* e.g. ICMP port unreachable: next server */
            sio__resolver_server_failed(&c->resolver);
            if (sio__dns_next_server(c, err, sizeof err) < 0) sio__dns_done(c);
            return;
        }
        sio__resolver_answer(&c->resolver, msg, (size_t)n);
    }
    if (!c->resolver.waiting) sio__dns_done(c);
}

/* No answer in time: ask again, then the next nameserver. */
static void sio__resolve_timer(sio_client *c)
{
    char why[128];
    switch (sio__resolver_due(&c->resolver, sio__now(c))) {
    case SIO__RESOLVER_ASK_AGAIN:
        if (sio__dns_send(c) == 0) return;
        c->resolver.tries = 2;                        /* no randomness: as if no answer came */
        sio__resolve_timer(c);
        return;
    case SIO__RESOLVER_DONE:
        sio__dns_done(c);
        return;
    case SIO__RESOLVER_NEXT_SERVER:
        if (sio__dns_next_server(c, why, sizeof why) == 0) return;
        snprintf(c->why, sizeof c->why, "dns: no answer for %.80s from the nameservers", sio__resolved_name(c));
        c->phase = SIO__CONNECTING;
        sio__abort(c, SIO_ERR_TIMEOUT, c->why);
        return;
    default:
        return;
    }
}
#endif /* SIO__WITH_DNS */

/* socks5:// by name: after a failure to reach the proxy at one address, its
 * other family's (1), before the origin's next address is given a turn. */
static int sio__next_proxy_address(sio_client *c)
{
#if SIO__WITH_PROXY && SIO__WITH_DNS
    if (!sio__proxy_wants_address(c) || c->proxy_attempt > 0 || !c->proxy_address[1][0]) return 0;
    c->proxy_attempt = 1;
    return 1;
#else
    (void)c;
    return 0;
#endif
}

/* Addresses of the origin left after the one being tried. */
static int sio__more_addresses(const sio_client *c)
{
#if SIO__WITH_DNS
    return c->attempt + 1 < c->resolver.addr_count;
#else
    (void)c;
    return 0;
#endif
}

static void sio__step_connect(sio_client *c)
{
    int r = sio__link_ready(&c->sys, &c->ln, &c->route, sio__tunnel_target(c), c->why, sizeof c->why);
    if (r == 0) return;
    if (r > 0) {
        c->phase = SIO__POLLING(c) ? SIO__OPEN : SIO__HANDSHAKE;   /* polling: HTTP requests follow */
        sio__addresses_release(c, 1);
        return;
    }
    /* TCP is up: TLS or the proxy said no, not the address; but socks5://
     * is asked for one of the origin's addresses, and the next may work */
    if (r != SIO_ERR_IO && !(r == SIO_ERR_PROXY && sio__proxy_wants_address(c) && sio__more_addresses(c))) {
        sio__abort(c, r, c->why);
        return;
    }
    if (!c->first_error[0]) memcpy(c->first_error, c->why, sizeof c->first_error);
    sio__close_socket(c, c->ln.sock);
    c->ln.sock = SIO_INVALID_SOCKET;
    sio__link_retry(&c->sys, &c->ln);
    if (!(r == SIO_ERR_IO && sio__next_proxy_address(c))) c->attempt++;
    sio__start_next_address(c);
}


/* Starts a connection to the next address of the host that does not fail
 * at once (IPv6/IPv4 fallback); reports the first failure when none is left. */
static void sio__start_next_address(sio_client *c)
{
    char err[128];
    int r = SIO_ERR_NO_ADDRESS;
    while (c->attempt < SIO__MAX_ADDRESSES) {
        err[0] = 0;
        r = sio__connect_attempt(c, &c->ln.sock, err, sizeof err);
        if (r == SIO_OK) {
            c->ln.connecting = 1;
            return;
        }
        c->ln.sock = SIO_INVALID_SOCKET;
        if (r == SIO_ERR_NO_ADDRESS) break;
        if (!c->first_error[0])
            snprintf(c->first_error, sizeof c->first_error, "%s: cannot connect to %.80s port %u: %s", sio__hop_word(c),
                     sio__hop_host(c), (unsigned)sio__hop_port(c), err[0] ? err : sio_status_text(r));
        if (!sio__next_proxy_address(c)) c->attempt++;
    }
    if (c->first_error[0]) {
        sio__abort(c, SIO_ERR_IO, c->first_error);
    } else {
        snprintf(c->why, sizeof c->why, "%s: cannot connect to %.80s port %u: %s", sio__hop_word(c), sio__hop_host(c),
                 (unsigned)sio__hop_port(c),
                 err[0] ? err : "no address");
        sio__abort(c, SIO_ERR_NO_ADDRESS, c->why);
    }
}


#if SIO__WITH_SOCKETIO
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
    size_t need = 128 + strlen(c->eio_target) + strlen(c->eio_query) + strlen(c->request_head) + sizeof sid, i;
    char *p;
#if SIO__WITH_POLLING
    const char *sep = "Cookie: ";
    for (i = 0; i < SIO__MAX_COOKIES; i++)
        if (c->cookies[i]) need += strlen(c->cookies[i]) + 2;
#endif
    if (sio__link_reserve(&c->sys, l, need) != SIO_OK) return SIO_ERR_NOMEM;
    sid[0] = 0;
    if (with_sid) sio__url_escape(sid, c->eio.session.sid);
    stamp[0] = 0;
    if (strcmp(transport, "polling") == 0 && sio__random(&c->sys, rnd, sizeof rnd) == SIO_OK) {
        sio_base64_encode(rnd, sizeof rnd, stamp);       /* the JS client's cache buster, URL-safe */
        for (i = 0; stamp[i]; i++) stamp[i] = stamp[i] == '+' ? '-' : stamp[i] == '/' ? '_' : stamp[i];
    }
    p = (char *)l->tx + l->tx_len;
    p += sprintf(p, "%s %s?EIO=%d&transport=%s%s%s%s%s%s%s HTTP/1.1\r\n%s", method, c->eio_target, c->eio.version, transport,
                 c->eio_query, stamp[0] ? "&t=" : "", stamp, c->eio.version == 3 && stamp[0] ? "&b64=1" : "",
                 with_sid ? "&sid=" : "", sid, c->request_head);
#if SIO__WITH_POLLING
    for (i = 0; i < SIO__MAX_COOKIES; i++)
        if (c->cookies[i]) {
            p += sprintf(p, "%s%s", sep, c->cookies[i]);
            sep = "; ";
        }
    if (sep[0] == ';') p += sprintf(p, "\r\n");
#endif
    l->tx_len = (size_t)((unsigned char *)p - l->tx);
    return SIO_OK;
}

#endif

/* The WebSocket handshake request on l (with_sid: an upgrade of a polling
 * session): the request line and the client's headers, then the
 * connection's own. */
static int sio__build_request(sio_client *c, sio__link *l, int with_sid)
{
#if SIO__WITH_SOCKETIO
    int r;
    if (SIO__SOCKETIO(c)) {
        if ((r = sio__http_head(c, l, "GET", "websocket", with_sid)) != SIO_OK) return r;
        return sio__websocket_request(&c->websocket, &c->sys, l);
    }
#endif
    (void)with_sid;
    if (sio__link_reserve(&c->sys, l, strlen(c->eio_target) + strlen(c->eio_query) + strlen(c->request_head) + 16) != SIO_OK)
        return SIO_ERR_NOMEM;
    l->tx_len += (size_t)sprintf((char *)l->tx + l->tx_len, "GET %s%s%s HTTP/1.1\r\n%s", c->eio_target,
                                 !c->eio_query[0] ? "" : strchr(c->eio_target, '?') ? "&" : "?",
                                 c->eio_query[0] ? c->eio_query + 1 : "", c->request_head);
    return sio__websocket_request(&c->websocket, &c->sys, l);
}
