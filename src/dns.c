/* ---------------------------------------------------------------------- */
/* dns                                                                     */
/* ---------------------------------------------------------------------- */

SIO_API size_t sio_dns_query(unsigned char *buf, size_t cap, unsigned id, const char *name, int type)
{
    size_t n = strlen(name), pos = 12, label = 0, i;
    if (n == 0 || n > 253 || cap < n + 18 || name[0] == '.') return 0;
    buf[0] = (unsigned char)(id >> 8);
    buf[1] = (unsigned char)id;
    buf[2] = 0x01;                             /* recursion desired */
    buf[3] = 0;
    buf[4] = 0; buf[5] = 1;                    /* one question */
    memset(buf + 6, 0, 6);
    for (i = 0; i <= n; i++) {
        if (i == n || name[i] == '.') {
            size_t len = i - label;
            if (len == 0 && i == n && i > 0 && name[i - 1] == '.') break;   /* trailing dot */
            if (len == 0 || len > 63) return 0;
            buf[pos++] = (unsigned char)len;
            memcpy(buf + pos, name + label, len);
            pos += len;
            label = i + 1;
        } else {
            unsigned char ch = (unsigned char)name[i];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                  ch == '_'))
                return 0;
        }
    }
    buf[pos++] = 0;
    buf[pos++] = (unsigned char)(type >> 8);
    buf[pos++] = (unsigned char)type;
    buf[pos++] = 0;
    buf[pos++] = 1;                            /* class IN */
    return pos;
}

/* Skips a (possibly compressed) name; returns the offset after it in the
 * message, or 0 when it is malformed.  Pointers may only go backwards, so
 * the walk ends. */
static size_t sio__dns_skip_name(const unsigned char *m, size_t len, size_t pos)
{
    size_t end = 0, hops = 0;
    for (;;) {
        unsigned char b;
        if (pos >= len) return 0;
        b = m[pos];
        if (b == 0) return end ? end : pos + 1;
        if ((b & 0xC0) == 0xC0) {
            size_t target;
            if (pos + 1 >= len) return 0;
            target = ((size_t)(b & 0x3F) << 8) | m[pos + 1];
            if (!end) end = pos + 2;
            if (target >= pos || ++hops > 64) return 0;
            pos = target;
            continue;
        }
        if (b & 0xC0) return 0;                /* reserved label types */
        pos += 1 + (size_t)b;
    }
}

static unsigned sio__be16(const unsigned char *p) { return ((unsigned)p[0] << 8) | p[1]; }

/* The name at pos in its wire form, uncompressed and lower-cased (names
 * compare without case), into out.  Returns 1, or 0 when malformed. */
static int sio__dns_name_wire(const unsigned char *m, size_t len, size_t pos, unsigned char out[256])
{
    size_t n = 0, hops = 0, i;
    for (;;) {
        unsigned char b;
        if (pos >= len) return 0;
        b = m[pos];
        if ((b & 0xC0) == 0xC0) {
            size_t target;
            if (pos + 1 >= len) return 0;
            target = ((size_t)(b & 0x3F) << 8) | m[pos + 1];
            if (target >= pos || ++hops > 64) return 0;
            pos = target;
            continue;
        }
        if ((b & 0xC0) || n + 1 + b > 255 || pos + 1 + b > len) return 0;
        out[n++] = b;
        if (b == 0) return 1;
        for (i = 0; i < b; i++) {
            unsigned char ch = m[pos + 1 + i];
            out[n++] = (unsigned char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
        }
        pos += 1 + (size_t)b;
    }
}

static int sio__dns_names_equal(const unsigned char *a, const unsigned char *b)
{
    size_t n = 0;
    while (a[n]) n += 1 + a[n];
    return memcmp(a, b, n + 1) == 0;
}

/* Walks the answer records once: the index-th record's owner name, type,
 * class and data.  Returns 1, 0 past the last, or -1 (*why set). */
static int sio__dns_record(const unsigned char *m, size_t len, size_t first, size_t an, size_t index,
                           size_t *owner, unsigned *rtype, unsigned *rclass, size_t *rdata, size_t *rlen,
                           const char **why)
{
    size_t pos = first, i;
    for (i = 0; i < an; i++) {
        *owner = pos;
        if (!(pos = sio__dns_skip_name(m, len, pos)) || pos + 10 > len) {
            *why = "dns: malformed answer record";
            return -1;
        }
        *rtype = sio__be16(m + pos);
        *rclass = sio__be16(m + pos + 2);
        *rlen = sio__be16(m + pos + 8);
        *rdata = pos + 10;
        if (*rdata + *rlen > len) {
            *why = "dns: answer record runs past the message";
            return -1;
        }
        if (i == index) return 1;
        pos = *rdata + *rlen;
    }
    return 0;
}

SIO_API int sio_dns_parse(const unsigned char *m, size_t len, unsigned id, const char *name, int type,
                          sio_dns_addr *out, size_t max, size_t *count, const char **why)
{
    unsigned char asked[300], owner_name[256], current[256];
    size_t pos = 12, an, i, qlen, hop;
    unsigned rcode;
    const char *dummy;
    if (!why) why = &dummy;
    *why = NULL;
    *count = 0;
    if (len < 12) { *why = "dns: answer shorter than its header"; return SIO_ERR_PROTOCOL; }
    if (sio__be16(m) != (id & 0xFFFF) || !(m[2] & 0x80)) return SIO_ERR_AGAIN;   /* not our answer */
    /* The question must be ours too: one question, the same name, type and class. */
    qlen = name ? sio_dns_query(asked, sizeof asked, id, name, type) : 0;
    if (!qlen || !sio__dns_name_wire(asked, qlen, 12, current) || sio__be16(m + 4) != 1 ||
        !sio__dns_name_wire(m, len, 12, owner_name) || !sio__dns_names_equal(owner_name, current))
        return SIO_ERR_AGAIN;
    if (!(pos = sio__dns_skip_name(m, len, 12)) || pos + 4 > len || (int)sio__be16(m + pos) != type ||
        sio__be16(m + pos + 2) != 1)
        return SIO_ERR_AGAIN;
    pos += 4;
    if (m[2] & 0x02) { *why = "dns: truncated answer (TCP fallback is not supported)"; return SIO_ERR_PROTOCOL; }
    rcode = m[3] & 0x0F;
    if (rcode == 3) return SIO_ERR_NO_ADDRESS;
    if (rcode != 0) { *why = "dns: the nameserver answered with an error"; return SIO_ERR_PROTOCOL; }
    an = sio__be16(m + 6);
    for (i = 0; i < an; i++) {                   /* every record well-formed, or nothing is taken */
        size_t o, d, l;
        unsigned t, k;
        if (sio__dns_record(m, len, pos, an, i, &o, &t, &k, &d, &l, why) < 0) return SIO_ERR_PROTOCOL;
    }
    /* Only records for the asked name count, following its CNAME chain
     * (a few hops); addresses for any other owner are ignored. */
    for (hop = 0; hop < 8; hop++) {
        size_t next = 0, next_end = 0;           /* where the CNAME's target name is */
        for (i = 0; i < an; i++) {
            size_t o, d, l;
            unsigned t, k;
            if (sio__dns_record(m, len, pos, an, i, &o, &t, &k, &d, &l, why) < 0) return SIO_ERR_PROTOCOL;
            if (k != 1 || !sio__dns_name_wire(m, len, o, owner_name) || !sio__dns_names_equal(owner_name, current))
                continue;
            if ((int)t == type && l == (type == SIO_DNS_A ? 4u : 16u) && *count < max) {
                out[*count].family = type == SIO_DNS_A ? 4 : 6;
                memset(out[*count].bytes, 0, 16);
                memcpy(out[*count].bytes, m + d, l);
                (*count)++;
            } else if (t == 5 && !next) {        /* CNAME: the chain goes on at its target */
                next = d;
                next_end = d + l;
            }
        }
        if (*count || !next) break;
        if (!sio__dns_name_wire(m, next_end, next, current)) {
            *why = "dns: malformed CNAME record";
            return SIO_ERR_PROTOCOL;
        }
    }
    return SIO_OK;
}

SIO_API size_t sio_dns_addr_text(const sio_dns_addr *a, char *out)
{
    const unsigned char *b = a->bytes;
    size_t n = 0;
    int i, best = -1, best_len = 0;
    if (a->family == 4) return (size_t)sprintf(out, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
    for (i = 0; i < 8;) {                       /* the longest run of zero groups becomes "::" */
        int j = i;
        while (j < 8 && b[2 * j] == 0 && b[2 * j + 1] == 0) j++;
        if (j - i > best_len && j - i > 1) { best = i; best_len = j - i; }
        i = j > i ? j : i + 1;
    }
    for (i = 0; i < 8; i++) {
        if (i == best) {
            n += (size_t)sprintf(out + n, "::");
            i += best_len - 1;
            continue;
        }
        n += (size_t)sprintf(out + n, "%s%x", n && out[n - 1] != ':' ? ":" : "", sio__be16(b + 2 * i));
    }
    return n;
}

/* IPv4: four decimal parts, each 0-255, and nothing after; 4 or 0. */
static size_t sio__ipv4_parse(const char *p, unsigned char out[4])
{
    int i;
    for (i = 0; i < 4; i++) {
        unsigned v = 0, digits = 0;
        if (p[0] == '0' && p[1] >= '0' && p[1] <= '9') return 0;   /* inet_aton reads "010" as octal 8 */
        while (*p >= '0' && *p <= '9' && digits < 4) v = v * 10 + (unsigned)(*p++ - '0'), digits++;
        if (!digits || digits > 3 || v > 255 || *p != (i < 3 ? '.' : 0)) return 0;
        out[i] = (unsigned char)v;
        if (i < 3) p++;
    }
    return 4;
}

SIO_API size_t sio_ip_parse(const char *t, unsigned char out[16])
{
    unsigned groups[8];
    int n = 0, gap = -1, i;
    const char *p = t;
    if (!t || !*t) return 0;
    if (!strchr(t, ':')) return sio__ipv4_parse(t, out);
    if (p[0] == ':' && p[1] == ':') { gap = 0; p += 2; }
    else if (p[0] == ':') return 0;
    while (*p && n < 8) {
        unsigned v = 0, digits = 0;
        if (strchr(p, ':') == NULL && strchr(p, '.') != NULL) {   /* a dotted IPv4 tail */
            unsigned char v4[4];
            if (n > 6 || sio__ipv4_parse(p, v4) != 4) return 0;
            groups[n++] = ((unsigned)v4[0] << 8) | v4[1];
            groups[n++] = ((unsigned)v4[2] << 8) | v4[3];
            p += strlen(p);
            break;
        }
        while (digits < 5 && ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F'))) {
            v = v * 16 + (unsigned)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
            p++;
            digits++;
        }
        if (!digits || digits > 4) return 0;
        groups[n++] = v;
        if (*p == 0) break;
        if (*p != ':') return 0;
        p++;
        if (*p == ':') {
            if (gap >= 0) return 0;             /* "::" only once */
            gap = n;
            p++;
        } else if (*p == 0) {
            return 0;                           /* a trailing single ':' */
        }
    }
    if (*p || (gap < 0 && n != 8) || (gap >= 0 && n > 7)) return 0;
    memset(out, 0, 16);
    for (i = 0; i < n; i++) {
        int at = gap >= 0 && i >= gap ? 8 - (n - i) : i;
        out[2 * at] = (unsigned char)(groups[i] >> 8);
        out[2 * at + 1] = (unsigned char)groups[i];
    }
    return 16;
}

SIO_API int sio_ip_literal(const char *t)
{
    int dots = 0, digits = 0, value = 0;
    const char *p;
    if (!t || !*t) return 0;
    if (strchr(t, ':')) {                       /* IPv6: hex groups and colons (a dotted tail allowed) */
        for (p = t; *p; p++)
            if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f') || (*p >= 'A' && *p <= 'F') ||
                  *p == ':' || *p == '.'))
                return 0;
        return 1;
    }
    for (p = t; *p; p++) {                      /* IPv4: sio_ip_parse's rule, without its code */
        if (*p == '.') {
            if (!digits) return 0;
            dots++;
            digits = value = 0;
        } else if (*p >= '0' && *p <= '9') {
            value = value * 10 + (*p - '0');
            if (++digits > 3 || value > 255 || (digits == 2 && p[-1] == '0')) return 0;   /* no leading zero */
        } else {
            return 0;
        }
    }
    return dots == 3 && digits > 0;
}

