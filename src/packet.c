/* ---------------------------------------------------------------------- */
/* eio / sio packet codecs                                                 */
/* ---------------------------------------------------------------------- */

static int sio__json_ms(sio_json obj, const char *key, long *out)
{
    sio_json v;
    double d;
    if (!sio_json_find(obj, key, &v) || sio_json_number(v, &d) != SIO_OK) return 0;
    if (d < 0 || d > 86400000.0 || d != (double)(long)d) return 0;
    *out = (long)d;
    return 1;
}

SIO_API int sio_eio_parse_open(const char *json, size_t len, sio_eio_open *out, const char **why)
{
    sio_json obj, v;
    size_t n, i;
    double d;
    memset(out, 0, sizeof *out);
    if (sio_json_validate(json, len, 32, NULL) != SIO_OK || sio_json_typeof(obj = sio_json_make(json, len)) != SIO_JSON_OBJECT) {
        if (why) *why = "eio: open packet is not a JSON object";
        return SIO_ERR_PROTOCOL;
    }
    if (!sio_json_find(obj, "sid", &v) || sio_json_string(v, out->sid, sizeof out->sid, &n) != SIO_OK || n == 0) {
        if (why) *why = "eio: open packet has a missing, empty or over-long sid";
        return SIO_ERR_PROTOCOL;
    }
    for (i = 0; i < n; i++)
        if ((unsigned char)out->sid[i] < 0x20 || out->sid[i] == 0x7f) {
            if (why) *why = "eio: open packet sid contains control characters";
            return SIO_ERR_PROTOCOL;
        }
    if (!sio__json_ms(obj, "pingInterval", &out->ping_interval) || !sio__json_ms(obj, "pingTimeout", &out->ping_timeout)) {
        if (why) *why = "eio: open packet pingInterval/pingTimeout missing or not a duration in ms";
        return SIO_ERR_PROTOCOL;
    }
    if (sio_json_find(obj, "maxPayload", &v) && sio_json_number(v, &d) == SIO_OK && d > 0 && d < 1e15)
        out->max_payload = (uint64_t)d;
    if (sio_json_find(obj, "upgrades", &v) && sio_json_typeof(v) == SIO_JSON_ARRAY) {
        sio_json_iter it;
        sio_json u;
        sio_json_iter_init(&it, v);
        while (sio_json_iter_next(&it, NULL, &u))
            if (sio_json_string_equals(u, "websocket")) out->upgrade_websocket = 1;
    }
    return SIO_OK;
}

/* JS string length (UTF-16 code units) of UTF-8 text: Engine.IO 3 counts so. */
static size_t sio__utf16_units(const unsigned char *p, size_t len)
{
    size_t i, units = 0;
    for (i = 0; i < len; i++)
        if ((p[i] & 0xC0) != 0x80) units += p[i] >= 0xF0 ? 2 : 1;
    return units;
}

SIO_API size_t sio_eio_v3_encode(unsigned char *out, const unsigned char *in, size_t len)
{
    size_t pos = 0, n = 0;
    while (pos < len) {
        const unsigned char *sep = (const unsigned char *)memchr(in + pos, 0x1e, len - pos);
        size_t plen = sep ? (size_t)(sep - (in + pos)) : len - pos;
        int binary = plen && in[pos] == 'b';
        char digits[24];
        size_t d = (size_t)sprintf(digits, "%lu:", (unsigned long)(sio__utf16_units(in + pos, plen) + (size_t)binary));
        if (out) {
            memcpy(out + n, digits, d);
            if (binary) {
                out[n + d] = 'b';
                out[n + d + 1] = '4';
                memcpy(out + n + d + 2, in + pos + 1, plen - 1);
            } else if (plen) {
                memcpy(out + n + d, in + pos, plen);
            }
        }
        n += d + plen + (size_t)binary;
        pos += plen + 1;
    }
    return n;
}

SIO_API int sio_eio_payload_next(int eio, const unsigned char *body, size_t len, size_t *pos,
                                 size_t *off, size_t *plen)
{
    const unsigned char *p;
    size_t left, i = 0, units = 0, seen = 0, start;
    if (*pos >= len) return 0;
    p = body + *pos;
    left = len - *pos;
    if (eio != 3) {
        const unsigned char *sep = (const unsigned char *)memchr(p, 0x1e, left);
        *off = *pos;
        *plen = sep ? (size_t)(sep - p) : left;
        *pos += *plen + (sep ? 1 : 0);
        return 1;
    }
    while (i < left && i < 10 && p[i] >= '0' && p[i] <= '9') units = units * 10 + (size_t)(p[i++] - '0');
    if (i == 0 || i >= left || p[i] != ':') return SIO_ERR_PROTOCOL;
    start = ++i;
    while (seen < units && i < left) {
        unsigned char b = p[i];
        seen += b >= 0xF0 ? 2 : 1;
        i += b < 0xC0 ? 1 : b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2;
    }
    if (seen != units || i > left) return SIO_ERR_PROTOCOL;
    *off = *pos + start;
    *plen = i - start;
    *pos += i;
    return 1;
}

static const char *const sio__reserved_events[] = {
    "connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"
};

static int sio__reserved_event(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof sio__reserved_events / sizeof sio__reserved_events[0]; i++)
        if (strcmp(name, sio__reserved_events[i]) == 0) return 1;
    return 0;
}

static int sio__packet_fail(const char **why, const char *text, int status)
{
    if (why) *why = text;
    return status;
}

SIO_API int sio_packet_decode(sio_packet *pk, const char *text, size_t len, unsigned max_attachments,
                              unsigned max_depth, const char **why)
{
    const char *p = text, *end = text + len;
    sio_json data;
    sio_json_type t;
    int r;
    memset(pk, 0, sizeof *pk);
    pk->ns = "/";
    pk->ns_len = 1;
    if (len == 0) return sio__packet_fail(why, "sio: empty packet", SIO_ERR_PROTOCOL);
    if (*p < '0' || *p > '6') return sio__packet_fail(why, "sio: unknown packet type", SIO_ERR_PROTOCOL);
    pk->type = *p++ - '0';
    if (pk->type == SIO_PACKET_BINARY_EVENT || pk->type == SIO_PACKET_BINARY_ACK) {
        unsigned long n = 0;
        const char *d = p;
        while (p < end && *p >= '0' && *p <= '9') {
            n = n * 10 + (unsigned long)(*p++ - '0');
            if (n > 1000000) return sio__packet_fail(why, "sio: attachment count too large", SIO_ERR_TOO_BIG);
        }
        if (p == d || p >= end || *p != '-')
            return sio__packet_fail(why, "sio: binary packet without '<count>-'", SIO_ERR_PROTOCOL);
        p++;
        if (n > max_attachments)
            return sio__packet_fail(why, "sio: more attachments than max_attachments", SIO_ERR_TOO_BIG);
        pk->attachments = (unsigned)n;
    }
    if (p < end && *p == '/') {
        const char *comma = (const char *)memchr(p, ',', (size_t)(end - p));
        pk->ns = p;
        pk->ns_len = comma ? (size_t)(comma - p) : (size_t)(end - p);
        p = comma ? comma + 1 : end;
    }
    if (p < end && *p >= '0' && *p <= '9') {
        uint64_t id = 0;
        while (p < end && *p >= '0' && *p <= '9') {
            id = id * 10 + (uint64_t)(*p++ - '0');
            if (id > ((uint64_t)1 << 53)) return sio__packet_fail(why, "sio: ack id over 2^53", SIO_ERR_PROTOCOL);
        }
        pk->has_id = 1;
        pk->id = id;
    }
    pk->data = p;
    pk->data_len = (size_t)(end - p);
    t = SIO_JSON_INVALID;
    if (pk->data_len) {
        r = sio_json_validate(p, pk->data_len, max_depth, NULL);
        if (r != SIO_OK)
            return sio__packet_fail(why, r == SIO_ERR_TOO_BIG ? "sio: payload JSON nested too deep"
                                                              : "sio: payload is not valid JSON", r);
        data = sio_json_make(p, pk->data_len);
        t = sio_json_typeof(data);
    }
    switch (pk->type) {
    case SIO_PACKET_CONNECT:
        if (pk->data_len && t != SIO_JSON_OBJECT) return sio__packet_fail(why, "sio: CONNECT payload must be an object", SIO_ERR_PROTOCOL);
        break;
    case SIO_PACKET_DISCONNECT:
        if (pk->data_len) return sio__packet_fail(why, "sio: DISCONNECT must have no payload", SIO_ERR_PROTOCOL);
        break;
    case SIO_PACKET_EVENT:
    case SIO_PACKET_BINARY_EVENT: {
        sio_json first;
        char name[32];
        size_t n;
        if (t != SIO_JSON_ARRAY || !sio_json_at(data, 0, &first))
            return sio__packet_fail(why, "sio: EVENT payload must be a non-empty array", SIO_ERR_PROTOCOL);
        t = sio_json_typeof(first);
        if (t != SIO_JSON_STRING && t != SIO_JSON_NUMBER)
            return sio__packet_fail(why, "sio: event name must be a string or a number", SIO_ERR_PROTOCOL);
        if (t == SIO_JSON_STRING && sio_json_string(first, name, sizeof name, &n) == SIO_OK && n == strlen(name) &&
            sio__reserved_event(name))
            return sio__packet_fail(why, "sio: reserved event name", SIO_ERR_PROTOCOL);
        break;
    }
    case SIO_PACKET_ACK:
    case SIO_PACKET_BINARY_ACK:
        if (t != SIO_JSON_ARRAY) return sio__packet_fail(why, "sio: ACK payload must be an array", SIO_ERR_PROTOCOL);
        break;
    case SIO_PACKET_CONNECT_ERROR:
        if (pk->data_len && t != SIO_JSON_OBJECT && t != SIO_JSON_STRING)
            return sio__packet_fail(why, "sio: CONNECT_ERROR payload must be an object or a string", SIO_ERR_PROTOCOL);
        break;
    default:
        break;
    }
    return SIO_OK;
}

SIO_API size_t sio_packet_encode_header(char *out, int type, unsigned attachments, const char *ns,
                                        int has_id, uint64_t id)
{
    size_t n = 0;
    out[n++] = (char)('0' + type);
    if (type == SIO_PACKET_BINARY_EVENT || type == SIO_PACKET_BINARY_ACK)
        n += (size_t)sprintf(out + n, "%u-", attachments);
    if (ns && strcmp(ns, "/") != 0 && ns[0]) n += (size_t)sprintf(out + n, "%s,", ns);
    if (has_id) {
        char digits[24];
        int k = 0;
        do digits[k++] = (char)('0' + id % 10); while ((id /= 10) > 0);
        while (k) out[n++] = digits[--k];
    }
    out[n] = 0;
    return n;
}

