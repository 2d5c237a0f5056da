/* ---------------------------------------------------------------------- */
/* eio: the Engine.IO open packet and polling payloads (v3 and v4)       */
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

