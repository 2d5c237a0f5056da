/* ---------------------------------------------------------------------- */
/* url                                                                     */
/* ---------------------------------------------------------------------- */

/* A host whose last label is a number is an IPv4 address to resolvers and
 * browsers, which also read "010.0.0.1" (octal), "0x7f.1" and "10.1"; they
 * disagree on those forms, so only four plain decimal parts are allowed. */
static int sio__url_numeric_host_ok(const char *h, size_t n)
{
    char text[16];
    size_t end = n && h[n - 1] == '.' ? n - 1 : n, start = end, hex = 0;
    while (start > 0 && h[start - 1] != '.') start--;
    if (start == end || !(h[start] >= '0' && h[start] <= '9')) return 1;
    if (end - start > 2 && h[start] == '0' && (h[start + 1] | 0x20) == 'x') hex = start += 2;
    for (; start < end; start++)
        if (!(h[start] >= '0' && h[start] <= '9') && !(hex && strchr("abcdefABCDEF", h[start]))) return 1;   /* a name */
    if (n >= sizeof text) return 0;
    memcpy(text, h, n);
    text[n] = 0;
    return sio_ip_literal(text);                 /* four decimal parts, no trailing dot */
}

SIO_API int sio_url_parse(sio_url *u, const char *text)
{
    const char *p, *auth, *auth_end, *s;
    size_t i;
    memset(u, 0, sizeof *u);
    if (!text) return SIO_ERR_URL;
    for (s = text; *s; s++)
        if ((unsigned char)*s <= 0x20 || *s == 0x7f) return SIO_ERR_URL;
    p = strstr(text, "://");
    if (!p) return SIO_ERR_URL;
    u->scheme = text;
    u->scheme_len = (size_t)(p - text);
    if (sio__span_ieq(text, u->scheme_len, "ws")) { u->websocket = 1; }
    else if (sio__span_ieq(text, u->scheme_len, "wss")) { u->websocket = 1; u->secure = 1; }
    else if (sio__span_ieq(text, u->scheme_len, "http")) { }
    else if (sio__span_ieq(text, u->scheme_len, "https")) { u->secure = 1; }
    else return SIO_ERR_URL;
    auth = p + 3;
    auth_end = auth + strcspn(auth, "/?#");
    for (s = auth; s < auth_end; s++)
        if (*s == '@') return SIO_ERR_URL;           /* user info is not supported */
    if (*auth == '[') {
        const char *close = (const char *)memchr(auth, ']', (size_t)(auth_end - auth));
        if (!close || close == auth + 1) return SIO_ERR_URL;
        for (s = auth + 1; s < close; s++)
            if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F') ||
                  *s == ':' || *s == '.'))
                return SIO_ERR_URL;
        u->host = auth + 1;
        u->host_len = (size_t)(close - auth - 1);
        u->ipv6 = 1;
        s = close + 1;
        if (s < auth_end && *s != ':') return SIO_ERR_URL;
    } else {
        s = auth;
        while (s < auth_end && *s != ':') s++;
        u->host = auth;
        u->host_len = (size_t)(s - auth);
        if (u->host_len == 0) return SIO_ERR_URL;
        for (i = 0; i < u->host_len; i++)
            if (strchr("[]<>\"\\^`{|}%", u->host[i])) return SIO_ERR_URL;
        if (!sio__url_numeric_host_ok(u->host, u->host_len)) return SIO_ERR_URL;
    }
    if (s < auth_end) {                                /* ":port" */
        unsigned long port = 0;
        s++;
        if (s == auth_end) return SIO_ERR_URL;
        for (; s < auth_end; s++) {
            if (*s < '0' || *s > '9') return SIO_ERR_URL;
            port = port * 10 + (unsigned long)(*s - '0');
            if (port > 65535) return SIO_ERR_URL;
        }
        if (port == 0) return SIO_ERR_URL;
        u->port = (unsigned short)port;
        u->has_port = 1;
    } else {
        u->port = u->secure ? 443 : 80;
    }
    p = auth_end;
    if (*p == '/') {
        u->path = p;
        u->path_len = strcspn(p, "?#");
        p += u->path_len;
    } else {
        u->path = p;
        u->path_len = 0;
    }
    if (*p == '?') {
        u->query = p + 1;
        u->query_len = strcspn(p + 1, "#");
    } else {
        u->query = p;
        u->query_len = 0;
    }
    return SIO_OK;
}

