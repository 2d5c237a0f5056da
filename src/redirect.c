/* ---- redirects of the handshake ------------------------------------------
 * A 301, 302, 303, 307 or 308 answer to the WebSocket handshake or to the
 * Engine.IO handshake sends the client to its Location, up to
 * max_redirects times per connection: never from a secure URL to a plain
 * one, and without the cookies and the Authorization header when the host
 * changes.  The URL reached is the client's from then on (sio_url_of), for
 * reconnections too. */

#define SIO__MAX_LOCATION 1024

/* The Location of a redirect whose head starts l's received bytes: its
 * length (under SIO__MAX_LOCATION) with *value pointing into the head, or 0
 * (not a redirect, or no usable Location). */
static size_t sio__redirect_location(const sio_allocator *a, const sio__link *l, const char **value)
{
    sio_http_response *r;
    const sio_http_header *h;
    size_t n = 0;
    if (!l->rx || sio__http_parse_response_heap(a, &r, (const char *)l->rx + l->rx_start, l->rx_len - l->rx_start) != 1)
        return 0;
    if ((r->status == 301 || r->status == 302 || r->status == 303 || r->status == 307 || r->status == 308) &&
        (h = sio_http_find_header(r, "Location")) != NULL && h->value_len && h->value_len < SIO__MAX_LOCATION) {
        *value = h->value;
        n = h->value_len;
    }
    sio__free(a, r);
    return n;
}

/* The absolute URL a Location names, in this client's kind of scheme (ws
 * and wss for WebSocket, http and https for Socket.IO), into out.  0, or
 * -1 for a Location that is neither absolute nor an absolute path. */
static int sio__redirect_target(const sio_client *c, const char *loc, char *out, size_t size)
{
    const char *rest = strstr(loc, "://");
    int secure, len;
    if (rest) {
        size_t n = (size_t)(rest - loc);
        if (sio__span_ieq(loc, n, "https") || sio__span_ieq(loc, n, "wss")) secure = 1;
        else if (sio__span_ieq(loc, n, "http") || sio__span_ieq(loc, n, "ws")) secure = 0;
        else return -1;
        rest += 3;
    } else if (loc[0] == '/' && loc[1] != '/') {        /* an absolute path on the same server */
        secure = c->url.secure;
    } else {
        return -1;
    }
    if (!rest) {                                       /* the port in use, which sio_config.port may have set */
        char port[8] = "";
        if (c->port != (secure ? 443 : 80)) snprintf(port, sizeof port, ":%u", (unsigned)c->port);
        len = snprintf(out, size, "%s://%s%.*s%s%s%s", SIO__SOCKETIO(c) ? (secure ? "https" : "http") : (secure ? "wss" : "ws"),
                       c->url.ipv6 ? "[" : "", (int)c->url.host_len, c->url.host, c->url.ipv6 ? "]" : "", port, loc);
    } else {
        len = snprintf(out, size, "%s://%s", SIO__SOCKETIO(c) ? (secure ? "https" : "http") : (secure ? "wss" : "ws"), rest);
    }
    return len >= 0 && (size_t)len < size ? 0 : -1;       /* a URL cut short is no URL */
}

/* The request head's lines for the new host (into head, room for the old
 * head and the new host's line): its Host line, then the caller's headers,
 * without Authorization and Cookie when the host changed. */
static void sio__redirect_head(sio_client *c, char *head, int other_host)
{
    const char *old = c->request_head, *line = strstr(old, "\r\n") + 2;
    char *p = head;
    p += sio__host_line(c, p);
    while (*line) {
        const char *end = strstr(line, "\r\n");
        size_t n = end ? (size_t)(end + 2 - line) : strlen(line);
        if (!other_host || !(sio__span_ieq(line, 14, "authorization:") || sio__span_ieq(line, 7, "cookie:"))) {
            memcpy(p, line, n);
            p += n;
        }
        line += n;
    }
    *p = 0;
    sio__free(&c->sys.alloc, c->request_head);
    c->request_head = head;
}

/* Points the client at location (url: room for the URL made of it).
 * SIO_OK, or a negative status with text saying why it will not go there. */
static int sio__redirect_to(sio_client *c, const char *location, char *url, size_t url_size, char *text, size_t size)
{
    char why[SIO__TEXT_SIZE], *url_text, *host, *head, *target = NULL;
    sio_url u;
    sio__proxy_plan plan;
    int other_host, i, r;
    if (c->redirects >= c->max_redirects) {
        snprintf(text, size, "%s: too many redirects (%d; last to %.120s)", SIO__SOCKETIO(c) ? "eio" : "ws",
                 c->redirects, location);
        return SIO_ERR_HANDSHAKE;
    }
    if (sio__redirect_target(c, location, url, url_size) < 0 || sio_url_parse(&u, url) != SIO_OK) {
        snprintf(text, size, "redirect: unusable Location '%.120s'", location);
        return SIO_ERR_HANDSHAKE;
    }
    if (c->url.secure && !u.secure) {
        snprintf(text, size, "redirect: from a secure URL to a plain one refused (Location '%.120s')", location);
        return SIO_ERR_HANDSHAKE;
    }
    if (u.secure && sio__need_tls(c, why, sizeof why) != SIO_OK) {
        snprintf(text, size, "redirect: to '%.80s': %.150s", location, why);
        return SIO_ERR_TLS;
    }
    /* Everything that can fail comes before the client changes: a refusal
     * leaves it as it was (its URL, proxy and headers) for a reconnection. */
    url_text = sio__strdup(&c->sys.alloc, url);
    host = (char *)sio__realloc(&c->sys.alloc, NULL, u.host_len + 1);
    head = (char *)sio__realloc(&c->sys.alloc, NULL, strlen(c->request_head) + u.host_len + 16);
    if (!SIO__SOCKETIO(c)) target = (char *)sio__realloc(&c->sys.alloc, NULL, u.path_len + u.query_len + 3);
    r = url_text && host && head && (SIO__SOCKETIO(c) || target) ? SIO_OK : SIO_ERR_NOMEM;
    if (r == SIO_OK) {
        sio_url_parse(&u, url_text);                      /* spans into the client's own copy */
        memcpy(host, u.host, u.host_len);
        host[u.host_len] = 0;
        r = sio__plan_proxy(c, u.secure, host, u.port, 0, &plan);   /* another origin: maybe another proxy, or none */
    }
    if (r != SIO_OK) {
        sio__free(&c->sys.alloc, url_text);
        sio__free(&c->sys.alloc, host);
        sio__free(&c->sys.alloc, head);
        sio__free(&c->sys.alloc, target);
        snprintf(text, size, "redirect: to '%.80s': %s", location, r == SIO_ERR_INVALID
                 ? "this origin is reached through a proxy, and this build has none (SIO_NO_PROXY)"
                 : r == SIO_ERR_PROXY ? "the proxy URL is not usable" : "out of memory");
        return r;
    }
    other_host = strlen(host) != strlen(c->host) || !sio__span_ieq(host, strlen(host), c->host) || u.port != c->port;
    sio__free(&c->sys.alloc, c->url_text);
    sio__free(&c->sys.alloc, c->host);
    c->url_text = url_text;
    c->url = u;
    c->host = host;
    c->port = u.port;
    c->redirects++;
    sio__use_proxy(c, &plan);
#if SIO__WITH_POLLING
    for (i = 0; other_host && i < SIO__MAX_COOKIES; i++) {   /* cookies stay with their host */
        sio__free(&c->sys.alloc, c->cookies[i]);
        c->cookies[i] = NULL;
    }
#else
    (void)i;
#endif
    sio__redirect_head(c, head, other_host);
    if (target) {                                         /* a WebSocket client's request target: path and query */
        sio__websocket_target(c, target);
        sio__free(&c->sys.alloc, c->eio_target);
        c->eio_target = target;
    }
    return SIO_OK;
}
