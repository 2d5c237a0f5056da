/* ---------------------------------------------------------------------- */
/* utf8                                                                    */
/* ---------------------------------------------------------------------- */

/* Classifies a lead byte: number of continuation bytes and the range the
 * first one must fall in (this is where overlongs, surrogates and values
 * above U+10FFFF are excluded). */
static int sio__utf8_lead(unsigned char b, sio_utf8 *v)
{
    if (b >= 0xC2 && b <= 0xDF) { v->need = 1; v->lo = 0x80; v->hi = 0xBF; return 1; }
    if (b == 0xE0) { v->need = 2; v->lo = 0xA0; v->hi = 0xBF; return 1; }
    if ((b >= 0xE1 && b <= 0xEC) || b == 0xEE || b == 0xEF) { v->need = 2; v->lo = 0x80; v->hi = 0xBF; return 1; }
    if (b == 0xED) { v->need = 2; v->lo = 0x80; v->hi = 0x9F; return 1; }
    if (b == 0xF0) { v->need = 3; v->lo = 0x90; v->hi = 0xBF; return 1; }
    if (b >= 0xF1 && b <= 0xF3) { v->need = 3; v->lo = 0x80; v->hi = 0xBF; return 1; }
    if (b == 0xF4) { v->need = 3; v->lo = 0x80; v->hi = 0x8F; return 1; }
    return 0;
}

SIO_API int sio_utf8_feed(sio_utf8 *v, const void *data, size_t len)
{
    const unsigned char *p = (const unsigned char *)data, *end = p + len;
    while (p < end) {
        if (v->need == 0) {
            /* ASCII fast path: 32 bytes, then 8 bytes at a time */
            while (end - p >= 32) {
                uint64_t a, b, c, d;
                memcpy(&a, p, 8); memcpy(&b, p + 8, 8); memcpy(&c, p + 16, 8); memcpy(&d, p + 24, 8);
                if ((a | b | c | d) & UINT64_C(0x8080808080808080)) break;
                p += 32;
            }
            while (end - p >= 8) {
                uint64_t w;
                memcpy(&w, p, 8);
                if (w & UINT64_C(0x8080808080808080)) break;
                p += 8;
            }
            if (p == end) break;
            if (*p < 0x80) { p++; continue; }
            if (!sio__utf8_lead(*p, v)) return SIO_ERR_PROTOCOL;
            p++;
        } else {
            if (*p < v->lo || *p > v->hi) return SIO_ERR_PROTOCOL;
            v->lo = 0x80;
            v->hi = 0xBF;
            v->need--;
            p++;
        }
    }
    return SIO_OK;
}

SIO_API int sio_utf8_complete(const sio_utf8 *v) { return v->need == 0; }

SIO_API int sio_utf8_valid(const void *data, size_t len)
{
    sio_utf8 v;
    memset(&v, 0, sizeof v);
    return sio_utf8_feed(&v, data, len) == SIO_OK && v.need == 0;
}

