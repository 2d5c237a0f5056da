/* ---------------------------------------------------------------------- */
/* proxy                                                                   */
/* ---------------------------------------------------------------------- */

enum {   /* sio_proxy_handshake.step */
    SIO__PROXY_HTTP_REPLY,               /* CONNECT sent: the response head */
    SIO__PROXY_SOCKS_METHOD,             /* greeting sent: the method chosen */
    SIO__PROXY_SOCKS_AUTH,               /* user and password sent: their verdict */
    SIO__PROXY_SOCKS_REPLY,              /* CONNECT sent: the reply */
    SIO__PROXY_OPEN
};

/* Percent-decodes s[0..n) into out (NULL: only measures).  Returns the
 * decoded length, or (size_t)-1 for a bad escape or an escaped NUL. */
static size_t sio__proxy_unescape(const char *s, size_t n, char *out)
{
    size_t i, k = 0;
    for (i = 0; i < n; i++, k++) {
        int ch = (unsigned char)s[i];
        if (ch == '%') {
            int hi, lo;
            if (n - i < 3) return (size_t)-1;
            hi = sio__hex((unsigned char)s[i + 1]);
            lo = sio__hex((unsigned char)s[i + 2]);
            if (hi < 0 || lo < 0 || (hi | lo) == 0) return (size_t)-1;
            ch = hi * 16 + lo;
            i += 2;
        }
        if (out) out[k] = (char)ch;
    }
    return k;
}

SIO_API int sio_proxy_url_parse(sio_proxy_url *p, const char *text)
{
    const char *s, *auth, *at = NULL, *end;
    unsigned long port = 0;
    memset(p, 0, sizeof *p);
    if (!text || !(s = strstr(text, "://"))) return SIO_ERR_URL;
    if (sio__span_ieq(text, (size_t)(s - text), "http")) p->kind = SIO_PROXY_HTTP;
    else if (sio__span_ieq(text, (size_t)(s - text), "socks5")) p->kind = SIO_PROXY_SOCKS5;
    else if (sio__span_ieq(text, (size_t)(s - text), "socks5h")) p->kind = SIO_PROXY_SOCKS5H;
    else return SIO_ERR_URL;
    auth = s + 3;
    for (end = auth; *end && *end != '/'; end++) {
        if ((unsigned char)*end <= 0x20 || *end == 0x7f || *end == '?' || *end == '#') return SIO_ERR_URL;
        if (*end == '@') at = end;
    }
    if (*end == '/' && end[1]) return SIO_ERR_URL;                 /* a path means another kind of URL */
    if (at) {
        const char *colon = (const char *)memchr(auth, ':', (size_t)(at - auth));
        p->user = auth;
        p->user_len = (size_t)((colon ? colon : at) - auth);
        p->password = colon ? colon + 1 : at;
        p->password_len = (size_t)(at - p->password);
        char user[SIO_PROXY_MAX_CREDENTIAL + 1];
        size_t un = sio__proxy_unescape(p->user, p->user_len, NULL), pn;
        pn = sio__proxy_unescape(p->password, p->password_len, NULL);
        if (un == 0 || un > SIO_PROXY_MAX_CREDENTIAL || pn > SIO_PROXY_MAX_CREDENTIAL)
            return SIO_ERR_URL;                                     /* (size_t)-1 included */
        if (p->kind != SIO_PROXY_HTTP && pn == 0) return SIO_ERR_URL;   /* RFC 1929: 1 to 255 bytes each */
        sio__proxy_unescape(p->user, p->user_len, user);
        if (p->kind == SIO_PROXY_HTTP && memchr(user, ':', un)) return SIO_ERR_URL;   /* RFC 7617: no colon in a user-id */
        auth = at + 1;
    }
    if (*auth == '[') {
        const char *close = (const char *)memchr(auth, ']', (size_t)(end - auth));
        char literal[48];
        if (!close || (size_t)(close - auth - 1) >= sizeof literal) return SIO_ERR_URL;
        memcpy(literal, auth + 1, (size_t)(close - auth - 1));
        literal[close - auth - 1] = 0;
        if (sio_ip_parse(literal, (unsigned char *)literal) != 16) return SIO_ERR_URL;
        p->host = auth + 1;
        p->host_len = (size_t)(close - auth - 1);
        p->ipv6 = 1;
        s = close + 1;
    } else {
        for (s = auth; s < end && *s != ':'; s++)
            if (strchr("[]<>\"\\^`{|}%@", *s)) return SIO_ERR_URL;
        p->host = auth;
        p->host_len = (size_t)(s - auth);
        if (!p->host_len || p->host_len > SIO_PROXY_MAX_HOST || !sio__url_numeric_host_ok(p->host, p->host_len))
            return SIO_ERR_URL;
    }
    if (s < end && *s != ':') return SIO_ERR_URL;
    if (s < end) {
        if (++s == end) return SIO_ERR_URL;
        for (; s < end; s++) {
            if (*s < '0' || *s > '9' || (port = port * 10 + (unsigned long)(*s - '0')) > 65535) return SIO_ERR_URL;
        }
        if (port == 0) return SIO_ERR_URL;
    }
    p->port = (unsigned short)(port ? port : p->kind == SIO_PROXY_HTTP ? 80 : 1080);
    return SIO_OK;
}

/* Whether the address ip (n = 4 or 16 bytes) is in the block "addr/bits". */
static int sio__proxy_in_block(const unsigned char *ip, size_t n, char *block)
{
    unsigned char net[16];
    char *slash = strchr(block, '/'), *s;
    unsigned long bits = 0;
    size_t i;
    *slash = 0;
    if (sio_ip_parse(block, net) != n || !slash[1]) return 0;
    for (s = slash + 1; *s; s++)
        if (*s < '0' || *s > '9' || (bits = bits * 10 + (unsigned long)(*s - '0')) > n * 8) return 0;
    for (i = 0; i < n && bits > 0; i++, bits = bits > 8 ? bits - 8 : 0) {
        unsigned mask = bits >= 8 ? 0xffu : (0xffu << (8 - bits)) & 0xffu;
        if ((ip[i] & mask) != (net[i] & mask)) return 0;
    }
    return 1;
}

/* Whether one no_proxy entry (NUL-terminated, blanks removed) covers host:port. */
static int sio__proxy_entry_covers(char *e, const char *host, unsigned short port)
{
    unsigned char ip[16], other[16];
    size_t ip_len = sio_ip_parse(host, ip), hn = strlen(host), en;
    char *colon = strrchr(e, ':');
    if (e[0] == '*' && !e[1]) return 1;
    if (e[0] == '[') {                                  /* "[v6]" or "[v6]:port" */
        char *close = strchr(e, ']');
        if (!close || (close[1] && close[1] != ':')) return 0;
        colon = close[1] ? close + 1 : NULL;
        *close = 0;
        e++;
    } else if (colon && strchr(e, ':') != colon) {
        colon = NULL;                                   /* a bare IPv6 literal or block */
    }
    if (colon) {
        unsigned long want = 0;
        const char *d;
        *colon = 0;
        for (d = colon + 1; *d; d++)
            if (*d < '0' || *d > '9' || (want = want * 10 + (unsigned long)(*d - '0')) > 65535) return 0;
        if (want != port) return 0;
    }
    if (strchr(e, '/')) return ip_len && sio__proxy_in_block(ip, ip_len, e);
    if ((en = sio_ip_parse(e, other)) != 0) return en == ip_len && memcmp(ip, other, ip_len) == 0;
    if (e[0] == '*' && e[1] == '.') e++;               /* "*.example.com" as ".example.com" */
    if (e[0] == '.') e++;
    en = strlen(e);
    if (en && e[en - 1] == '.') e[--en] = 0;           /* "example.com." is example.com */
    if (hn && host[hn - 1] == '.') hn--;
    if (!en || ip_len || en > hn) return 0;
    return sio__span_ieq(host + hn - en, en, e) && (hn == en || host[hn - en - 1] == '.');
}

SIO_API int sio_proxy_excluded(const char *no_proxy, const char *host, unsigned short port)
{
    const char *p = no_proxy;
    if (!p || !host) return 0;
    while (*p) {
        char entry[SIO_PROXY_MAX_HOST + 16];
        size_t n = 0;
        while (*p == ',' || *p == ' ' || *p == '\t') p++;
        while (p[n] && p[n] != ',' && p[n] != ' ' && p[n] != '\t') n++;
        if (n && n < sizeof entry) {
            memcpy(entry, p, n);
            entry[n] = 0;
            if (sio__proxy_entry_covers(entry, host, port)) return 1;
        }
        p += n;
    }
    return 0;
}

/* "CONNECT host:port" with Basic credentials when the URL has them. */
static size_t sio__proxy_http_request(const sio_proxy_handshake *h, char *out)
{
    const sio_proxy_url *u = h->proxy;
    const char *open = strchr(h->host, ':') ? "[" : "", *close = *open ? "]" : "";
    char *p = out;
    p += sprintf(p, "CONNECT %s%s%s:%u HTTP/1.1\r\nHost: %s%s%s:%u\r\n", open, h->host, close, (unsigned)h->port,
                 open, h->host, close, (unsigned)h->port);
    if (u->user) {
        unsigned char plain[2 * SIO_PROXY_MAX_CREDENTIAL + 1];
        size_t n = sio__proxy_unescape(u->user, u->user_len, (char *)plain);
        plain[n++] = ':';
        n += sio__proxy_unescape(u->password, u->password_len, (char *)plain + n);
        p += sprintf(p, "Proxy-Authorization: Basic ");
        p += sio_base64_encode(plain, n, p);
        memset(plain, 0, sizeof plain);
        p += sprintf(p, "\r\n");
    }
    p += sprintf(p, "\r\n");
    return (size_t)(p - out);
}

/* SOCKS5's CONNECT: the address, or for socks5h the name (RFC 1928 4). */
static size_t sio__proxy_socks_request(const sio_proxy_handshake *h, unsigned char *out)
{
    unsigned char ip[16];
    size_t n = sio_ip_parse(h->host, ip), k = 4;
    out[0] = 5; out[1] = 1; out[2] = 0;
    if (n) {
        out[3] = n == 4 ? 1 : 4;
        memcpy(out + k, ip, n);
        k += n;
    } else {
        n = strlen(h->host);
        out[3] = 3;
        out[k++] = (unsigned char)n;
        memcpy(out + k, h->host, n);
        k += n;
    }
    out[k++] = (unsigned char)(h->port >> 8);
    out[k++] = (unsigned char)h->port;
    return k;
}

/* RFC 1929: version 1, then each credential with its length. */
static size_t sio__proxy_socks_credentials(const sio_proxy_url *u, unsigned char *out)
{
    size_t k = 1, n;
    out[0] = 1;
    n = sio__proxy_unescape(u->user, u->user_len, (char *)out + k + 1);
    out[k] = (unsigned char)n;
    k += 1 + n;
    n = sio__proxy_unescape(u->password, u->password_len, (char *)out + k + 1);
    out[k] = (unsigned char)n;
    return k + 1 + n;
}

SIO_API int sio_proxy_begin(sio_proxy_handshake *h, const sio_proxy_url *proxy, const char *host,
                            unsigned short port, size_t max_head, unsigned char *out, size_t cap, size_t *out_len)
{
    unsigned char ip[16];
    size_t n = host ? strlen(host) : 0, i;
    int literal = n && sio_ip_parse(host, ip) != 0;
    *out_len = 0;
    if (!n || n > SIO_PROXY_MAX_HOST || !proxy || !port || proxy->kind < SIO_PROXY_HTTP || proxy->kind > SIO_PROXY_SOCKS5H)
        return SIO_ERR_INVALID;
    if (proxy->kind == SIO_PROXY_SOCKS5 && !literal) return SIO_ERR_INVALID;   /* the client resolves it first */
    for (i = 0; !literal && i < n; i++) {     /* a name goes into the request as it is: letters, digits, - . _ */
        char ch = host[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || strchr("-._", ch)))
            return SIO_ERR_INVALID;
    }
    if (cap < SIO_PROXY_OUT_SIZE) return SIO_ERR_INVALID;
    memset(h, 0, sizeof *h);
    h->proxy = proxy;
    h->host = host;
    h->port = port;
    h->max_head = max_head;
    if (proxy->kind == SIO_PROXY_HTTP) {
        h->step = SIO__PROXY_HTTP_REPLY;
        *out_len = sio__proxy_http_request(h, (char *)out);
        return SIO_OK;
    }
    h->step = SIO__PROXY_SOCKS_METHOD;
    out[0] = 5;                                          /* no authentication, or user and password */
    out[1] = proxy->user ? 2 : 1;
    out[2] = 0;
    out[3] = 2;
    *out_len = proxy->user ? 4 : 3;
    return SIO_OK;
}

/* Copies the proxy's text s[0..n) for a sentence: at most 60 bytes, and
 * '?' for anything but printable ASCII (no control bytes reach a log). */
static const char *sio__proxy_printable(const char *s, size_t n, char out[61])
{
    size_t i;
    if (n > 60) n = 60;
    for (i = 0; i < n; i++) out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
    out[n] = 0;
    return out;
}

/* The realm of a Proxy-Authenticate challenge, for the error sentence
 * ("" when there is none). */
static const char *sio__proxy_realm(const sio_http_header *hd, char out[61])
{
    size_t i;
    for (i = 0; hd && i + 6 <= hd->value_len; i++) {
        if (sio__span_ieq(hd->value + i, 6, "realm=") && (i == 0 || strchr(" ,\t", hd->value[i - 1]))) {
            const char *v = hd->value + i + 6, *end = hd->value + hd->value_len, *start;
            if (v < end && *v == '"') v++;
            for (start = v; v < end && *v != '"' && *v != ','; v++) {}
            return sio__proxy_printable(start, (size_t)(v - start), out);
        }
    }
    out[0] = 0;
    return out;
}

/* Where the head in[0..len) ends (just past its blank line), or 0 while it
 * does not.  Scanning resumes near where the last call stopped, so a head
 * that arrives a byte at a time costs one pass, not one parse per byte. */
static size_t sio__proxy_head_end(sio_proxy_handshake *h, const unsigned char *in, size_t len)
{
    size_t i;
    for (i = h->scanned > 2 ? h->scanned - 2 : 0; i < len; i++) {
        if (in[i] != '\n') continue;
        if (i + 1 < len && in[i + 1] == '\n') return i + 2;
        if (i + 2 < len && in[i + 1] == '\r' && in[i + 2] == '\n') return i + 3;
    }
    h->scanned = len;
    return 0;
}

/* The proxy's answer to CONNECT: interim 1xx heads are skipped, a 2xx
 * opens the tunnel, anything else is a refusal. */
static int sio__proxy_http_reply(sio_proxy_handshake *h, const unsigned char *in, size_t len, size_t *used,
                                 char *why, size_t why_size)
{
    char text[61];
    for (;;) {
        sio__http_status r;
        sio_http_header challenge;
        size_t limit = len - *used > h->max_head ? h->max_head : len - *used;
        const unsigned char *p = in + *used;
        int st;
        if (memcmp(p, "HTTP/", limit < 5 ? limit : 5) != 0) {   /* fails now, not at the connect timeout */
            snprintf(why, why_size, "proxy: the answer to CONNECT is not HTTP (is it an HTTP proxy?)");
            return SIO_ERR_PROTOCOL;
        }
        if (!sio__proxy_head_end(h, p, limit)) {
            if (len - *used < h->max_head) return 0;
            snprintf(why, why_size, "proxy: the response to CONNECT exceeds %lu bytes", (unsigned long)h->max_head);
            return SIO_ERR_TOO_BIG;
        }
        st = sio__http_parse(&r, &challenge, 1, "Proxy-Authenticate", (const char *)p, limit);
        if (st == SIO_ERR_TOO_BIG) {
            snprintf(why, why_size, "proxy: the response to CONNECT has more than %d headers", SIO_HTTP_MAX_HEADERS);
            return SIO_ERR_TOO_BIG;
        }
        if (st != 1) {
            snprintf(why, why_size, "proxy: the answer to CONNECT is not HTTP (is it an HTTP proxy?)");
            return SIO_ERR_PROTOCOL;
        }
        if (r.status >= 200 && r.status <= 299) {
            *used += r.head_len;
            h->step = SIO__PROXY_OPEN;
            return 1;
        }
        if (r.status == 407) {
            sio__proxy_realm(r.kept ? &challenge : NULL, text);
            snprintf(why, why_size, "proxy: 407 authentication %s%s%s%s", h->proxy->user ? "failed" : "required",
                     text[0] ? " (realm \"" : "", text, text[0] ? "\")" : "");
            return SIO_ERR_PROXY;
        }
        if (r.status < 100 || r.status > 199 || r.status == 101) {
            snprintf(why, why_size, "proxy: CONNECT to %.100s port %u refused: %d %s", h->host, (unsigned)h->port,
                     r.status, sio__proxy_printable(r.reason, r.reason_len, text));
            return SIO_ERR_PROXY;
        }
        *used += r.head_len;                       /* 100, 102, 103: the final answer follows (RFC 9110 15.2) */
        h->scanned = 0;
    }
}

/* RFC 1928 6: what a SOCKS5 reply code means. */
static const char *sio__proxy_socks_error(int code)
{
    static const char *const text[] = {
        "succeeded", "general SOCKS server failure", "connection not allowed by ruleset", "network unreachable",
        "host unreachable", "connection refused", "TTL expired", "command not supported",
        "address type not supported"
    };
    return code >= 0 && code < (int)(sizeof text / sizeof text[0]) ? text[code] : "unknown error";
}

/* The SOCKS5 replies: the method, the credentials' verdict, the CONNECT's. */
static int sio__proxy_socks_reply(sio_proxy_handshake *h, const unsigned char *in, size_t len, size_t *used,
                                  unsigned char *out, size_t *out_len, char *why, size_t why_size)
{
    size_t need;
    if (len < 2) return 0;
    if (h->step == SIO__PROXY_SOCKS_METHOD) {
        if (in[0] != 5 || (in[1] != 0 && in[1] != 2 && in[1] != 0xff) || (in[1] == 2 && !h->proxy->user)) {
            snprintf(why, why_size, "proxy: the answer to the greeting is not SOCKS5 (is it a SOCKS5 proxy?)");
            return SIO_ERR_PROTOCOL;
        }
        if (in[1] == 0xff) {
            snprintf(why, why_size, "proxy: SOCKS5 accepts none of our methods (%s)",
                     h->proxy->user ? "no authentication, user and password" : "it may want a user and password");
            return SIO_ERR_PROXY;
        }
        *used = 2;
        h->step = in[1] == 2 ? SIO__PROXY_SOCKS_AUTH : SIO__PROXY_SOCKS_REPLY;
        *out_len = in[1] == 2 ? sio__proxy_socks_credentials(h->proxy, out) : sio__proxy_socks_request(h, out);
        return 0;
    }
    if (h->step == SIO__PROXY_SOCKS_AUTH) {
        if (in[1] != 0) {
            snprintf(why, why_size, "proxy: SOCKS5 authentication failed (user name or password refused)");
            return SIO_ERR_PROXY;
        }
        *used = 2;
        h->step = SIO__PROXY_SOCKS_REPLY;
        *out_len = sio__proxy_socks_request(h, out);
        return 0;
    }
    if (in[0] != 5) {
        snprintf(why, why_size, "proxy: the answer to CONNECT is not SOCKS5");
        return SIO_ERR_PROTOCOL;
    }
    if (in[1] != 0) {
        snprintf(why, why_size, "proxy: SOCKS5 %s", sio__proxy_socks_error(in[1]));
        return SIO_ERR_PROXY;
    }
    if (len < 5) return 0;
    need = in[3] == 1 ? 10 : in[3] == 4 ? 22 : in[3] == 3 ? 7 + (size_t)in[4] : 0;
    if (!need || in[2] != 0) {
        snprintf(why, why_size, "proxy: the answer to CONNECT is not SOCKS5 (%s %u)", in[2] ? "reserved byte" : "address type",
                 (unsigned)(in[2] ? in[2] : in[3]));
        return SIO_ERR_PROTOCOL;
    }
    if (len < need) return 0;
    *used = need;
    h->step = SIO__PROXY_OPEN;
    return 1;
}

SIO_API int sio_proxy_receive(sio_proxy_handshake *h, const unsigned char *in, size_t len, size_t *used,
                              unsigned char *out, size_t cap, size_t *out_len, char *why, size_t why_size)
{
    int r;
    *used = *out_len = 0;
    if (why_size) why[0] = 0;
    if (h->step == SIO__PROXY_OPEN) return 1;
    if (h->failed) {
        snprintf(why, why_size, "proxy: the handshake has failed already");
        return h->failed;
    }
    if (cap < SIO_PROXY_OUT_SIZE) {
        snprintf(why, why_size, "proxy: the room for the replies is smaller than SIO_PROXY_OUT_SIZE");
        return SIO_ERR_INVALID;
    }
    if (len == 0) return 0;
    r = h->step == SIO__PROXY_HTTP_REPLY ? sio__proxy_http_reply(h, in, len, used, why, why_size)
                                         : sio__proxy_socks_reply(h, in, len, used, out, out_len, why, why_size);
    if (r < 0) h->failed = r;
    return r;
}
