/* ---------------------------------------------------------------------- */
/* json                                                                    */
/* ---------------------------------------------------------------------- */

#define SIO__JSON_MAX_DEPTH 1024

static const char *sio__json_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')) p++;
    return p;
}

/* Scans a string starting at the opening quote; returns the byte after the
 * closing quote, or NULL when invalid (control character, bad escape, bad
 * UTF-8, unterminated). */
static const char *sio__json_scan_string(const char *p, const char *end)
{
    p++;
    while (p < end) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '"') return p + 1;
        if (ch < 0x20) return NULL;
        if (ch == '\\') {
            if (++p >= end) return NULL;
            if (*p == 'u') {
                int i;
                for (i = 1; i <= 4; i++)
                    if (p + i >= end || sio__hex((unsigned char)p[i]) < 0) return NULL;
                p += 5;
            } else if (strchr("\"\\/bfnrt", *p) && *p) {
                p++;
            } else {
                return NULL;
            }
        } else if (ch < 0x80) {
            p++;
        } else {
            sio_utf8 v;
            memset(&v, 0, sizeof v);
            if (!sio__utf8_lead(ch, &v)) return NULL;
            for (p++; v.need; v.need--, p++) {
                if (p >= end || (unsigned char)*p < v.lo || (unsigned char)*p > v.hi) return NULL;
                v.lo = 0x80;
                v.hi = 0xBF;
            }
        }
    }
    return NULL;
}

static const char *sio__json_scan_number(const char *p, const char *end)
{
    if (p < end && *p == '-') p++;
    if (p >= end) return NULL;
    if (*p == '0') p++;
    else if (*p >= '1' && *p <= '9') while (p < end && *p >= '0' && *p <= '9') p++;
    else return NULL;
    if (p < end && *p == '.') {
        const char *d = ++p;
        while (p < end && *p >= '0' && *p <= '9') p++;
        if (p == d) return NULL;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        const char *d;
        p++;
        if (p < end && (*p == '+' || *p == '-')) p++;
        d = p;
        while (p < end && *p >= '0' && *p <= '9') p++;
        if (p == d) return NULL;
    }
    return p;
}

static const char *sio__json_scan_literal(const char *p, const char *end)
{
    static const char *const words[] = { "true", "false", "null" };
    int i;
    for (i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if ((size_t)(end - p) >= n && memcmp(p, words[i], n) == 0) return p + n;
    }
    return NULL;
}

SIO_API int sio_json_validate(const char *text, size_t len, unsigned max_depth, size_t *error_at)
{
    /* One bit per level: 1 = object.  Iterative, so depth costs no stack. */
    unsigned char kinds[SIO__JSON_MAX_DEPTH / 8];
    const char *p = text, *end = text + len;
    unsigned depth = 0;
    enum { VALUE, KEY, AFTER } state = VALUE;
    int status = SIO_ERR_PROTOCOL;
    if (max_depth == 0) max_depth = SIO_JSON_DEFAULT_DEPTH;
    if (max_depth > SIO__JSON_MAX_DEPTH) max_depth = SIO__JSON_MAX_DEPTH;
    if (!text) goto fail;
    for (;;) {
        p = sio__json_ws(p, end);
        if (state == AFTER) {
            int in_object;
            if (depth == 0) {
                if (p == end) return SIO_OK;
                goto fail;
            }
            if (p >= end) goto fail;
            in_object = (kinds[(depth - 1) / 8] >> ((depth - 1) % 8)) & 1;
            if (*p == ',') { p++; state = in_object ? KEY : VALUE; continue; }
            if (*p == (in_object ? '}' : ']')) { p++; depth--; continue; }
            goto fail;
        }
        if (p >= end) goto fail;
        if (state == KEY) {
            const char *at = p;
            if (*p != '"' || !(p = sio__json_scan_string(p, end))) { p = at; goto fail; }
            p = sio__json_ws(p, end);
            if (p >= end || *p != ':') goto fail;
            p++;
            state = VALUE;
            continue;
        }
        /* VALUE */
        if (*p == '{' || *p == '[') {
            int object = *p == '{';
            if (depth >= max_depth) { status = SIO_ERR_TOO_BIG; goto fail; }
            if (object) kinds[depth / 8] = (unsigned char)(kinds[depth / 8] | (1u << (depth % 8)));
            else kinds[depth / 8] = (unsigned char)(kinds[depth / 8] & ~(1u << (depth % 8)));
            depth++;
            p = sio__json_ws(p + 1, end);
            if (p < end && *p == (object ? '}' : ']')) { p++; depth--; state = AFTER; continue; }
            state = object ? KEY : VALUE;
            continue;
        }
        {
            const char *at = p;
            if (*p == '"') p = sio__json_scan_string(p, end);
            else if (*p == '-' || (*p >= '0' && *p <= '9')) p = sio__json_scan_number(p, end);
            else p = sio__json_scan_literal(p, end);
            if (!p) { p = at; goto fail; }
        }
        state = AFTER;
    }
fail:
    if (error_at) *error_at = p ? (size_t)(p - text) : 0;
    return status;
}

/* End of the value starting at p (validated text). */
static const char *sio__json_skip(const char *p, const char *end)
{
    if (p >= end) return p;
    if (*p == '"') return sio__json_scan_string(p, end);
    if (*p == '{' || *p == '[') {
        unsigned depth = 0;
        while (p < end) {
            if (*p == '"') { p = sio__json_scan_string(p, end); if (!p) return end; continue; }
            if (*p == '{' || *p == '[') depth++;
            else if (*p == '}' || *p == ']') { if (--depth == 0) return p + 1; }
            p++;
        }
        return end;
    }
    while (p < end && !strchr(",]} \t\r\n", *p)) p++;
    return p;
}

SIO_API sio_json sio_json_make(const char *text, size_t len)
{
    sio_json v;
    const char *end = text + len;
    text = sio__json_ws(text, end);
    while (end > text && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\n' || end[-1] == '\r')) end--;
    v.text = text;
    v.len = (size_t)(end - text);
    return v;
}

SIO_API sio_json_type sio_json_typeof(sio_json v)
{
    if (!v.text || v.len == 0) return SIO_JSON_INVALID;
    switch (v.text[0]) {
    case 'n': return SIO_JSON_NULL;
    case 'f': return SIO_JSON_FALSE;
    case 't': return SIO_JSON_TRUE;
    case '"': return SIO_JSON_STRING;
    case '[': return SIO_JSON_ARRAY;
    case '{': return SIO_JSON_OBJECT;
    default: return (v.text[0] == '-' || (v.text[0] >= '0' && v.text[0] <= '9')) ? SIO_JSON_NUMBER : SIO_JSON_INVALID;
    }
}

SIO_API int sio_json_iter_init(sio_json_iter *it, sio_json v)
{
    sio_json_type t = sio_json_typeof(v);
    if ((t != SIO_JSON_ARRAY && t != SIO_JSON_OBJECT) || v.len < 2) return SIO_ERR_INVALID;
    it->p = v.text + 1;
    it->end = v.text + v.len - 1;
    it->object = t == SIO_JSON_OBJECT;
    return SIO_OK;
}

SIO_API int sio_json_iter_next(sio_json_iter *it, sio_json *key, sio_json *value)
{
    const char *p = sio__json_ws(it->p, it->end), *q;
    if (p >= it->end) return 0;
    if (key) { key->text = p; key->len = 0; }
    if (it->object) {
        q = sio__json_skip(p, it->end);
        if (key) key->len = (size_t)(q - p);
        p = sio__json_ws(q, it->end);
        if (p < it->end && *p == ':') p++;
        p = sio__json_ws(p, it->end);
    }
    q = sio__json_skip(p, it->end);
    if (value) { value->text = p; value->len = (size_t)(q - p); }
    p = sio__json_ws(q, it->end);
    if (p < it->end && *p == ',') p++;
    it->p = p;
    return 1;
}

SIO_API int sio_json_find(sio_json object, const char *key, sio_json *value)
{
    sio_json_iter it;
    sio_json k, v;
    if (sio_json_typeof(object) != SIO_JSON_OBJECT || sio_json_iter_init(&it, object) != SIO_OK) return 0;
    while (sio_json_iter_next(&it, &k, &v))
        if (sio_json_string_equals(k, key)) {
            if (value) *value = v;
            return 1;
        }
    return 0;
}

SIO_API int sio_json_at(sio_json array, size_t index, sio_json *value)
{
    sio_json_iter it;
    sio_json v;
    size_t i = 0;
    if (sio_json_typeof(array) != SIO_JSON_ARRAY || sio_json_iter_init(&it, array) != SIO_OK) return 0;
    while (sio_json_iter_next(&it, NULL, &v))
        if (i++ == index) {
            if (value) *value = v;
            return 1;
        }
    return 0;
}

static size_t sio__utf8_put(unsigned long cp, char *out)
{
    if (cp < 0x80) { out[0] = (char)cp; return 1; }
    if (cp < 0x800) { out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static unsigned long sio__hex4(const char *p)
{
    return ((unsigned long)sio__hex((unsigned char)p[0]) << 12) | ((unsigned long)sio__hex((unsigned char)p[1]) << 8) |
           ((unsigned long)sio__hex((unsigned char)p[2]) << 4) | (unsigned long)sio__hex((unsigned char)p[3]);
}

/* Decodes the next piece of string content at *pp: a run of plain bytes
 * (returned in place through *piece) or one escape (decoded into tmp). */
static size_t sio__json_next_piece(const char **pp, const char *end, char tmp[4], const char **piece)
{
    const char *p = *pp;
    size_t k = 1;
    if (*p != '\\') {
        const char *q = p;
        while (q < end && *q != '\\') q++;
        *piece = p;
        *pp = q;
        return (size_t)(q - p);
    }
    *piece = tmp;
    p++;
    switch (*p) {
    case 'b': tmp[0] = '\b'; break;
    case 'f': tmp[0] = '\f'; break;
    case 'n': tmp[0] = '\n'; break;
    case 'r': tmp[0] = '\r'; break;
    case 't': tmp[0] = '\t'; break;
    case 'u': {
        unsigned long cp = sio__hex4(p + 1);
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && end - p >= 7 && p[1] == '\\' && p[2] == 'u') {
            unsigned long lo = sio__hex4(p + 3);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;   /* lone surrogate */
        k = sio__utf8_put(cp, tmp);
        break;
    }
    default: tmp[0] = *p; break;
    }
    *pp = p + 1;
    return k;
}

SIO_API int sio_json_string(sio_json v, char *out, size_t cap, size_t *len)
{
    const char *p, *end;
    size_t n = 0;
    if (sio_json_typeof(v) != SIO_JSON_STRING || v.len < 2) return SIO_ERR_INVALID;
    p = v.text + 1;
    end = v.text + v.len - 1;
    while (p < end) {
        char tmp[4];
        const char *piece;
        size_t k = sio__json_next_piece(&p, end, tmp, &piece);
        if (out && n < cap) memcpy(out + n, piece, n + k < cap ? k : cap - n);
        n += k;
    }
    if (len) *len = n;
    if (out && cap) out[n < cap ? n : cap - 1] = 0;
    return (out && n < cap) || (!out && !cap) ? SIO_OK : SIO_ERR_TOO_BIG;
}

SIO_API int sio_json_string_equals(sio_json v, const char *s)
{
    const char *p, *end;
    size_t n = strlen(s), at = 0;
    if (sio_json_typeof(v) != SIO_JSON_STRING || v.len < 2) return 0;
    p = v.text + 1;
    end = v.text + v.len - 1;
    while (p < end) {
        char tmp[4];
        const char *piece;
        size_t k = sio__json_next_piece(&p, end, tmp, &piece);
        if (at + k > n || memcmp(s + at, piece, k) != 0) return 0;
        at += k;
    }
    return at == n;
}

/* Fallback for numbers too long for strtod's buffer below: exact for up to
 * 19 significant digits and powers of ten up to 1e22, close otherwise. */
static int sio__json_number_long(sio_json v, double *out)
{
    const char *p = v.text, *end = v.text + v.len;
    uint64_t mant = 0;
    int exp10 = 0, neg = 0, digits = 0;
    double r;
    long e = 0;
    if (sio_json_typeof(v) != SIO_JSON_NUMBER || !sio__json_scan_number(p, end)) return SIO_ERR_INVALID;
    if (*p == '-') { neg = 1; p++; }
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        if (digits < 19) { mant = mant * 10 + (uint64_t)(*p - '0'); if (mant) digits++; }
        else exp10++;
    }
    if (p < end && *p == '.')
        for (p++; p < end && *p >= '0' && *p <= '9'; p++)
            if (digits < 19) { mant = mant * 10 + (uint64_t)(*p - '0'); if (mant) digits++; exp10--; }
    if (p < end && (*p == 'e' || *p == 'E')) {
        int eneg = 0;
        p++;
        if (*p == '+' || *p == '-') eneg = *p++ == '-';
        for (; p < end && *p >= '0' && *p <= '9'; p++) if (e < 100000) e = e * 10 + (*p - '0');
        exp10 += (int)(eneg ? -e : e);
    }
    r = (double)mant;
    if (mant != 0) {
        /* Scale in exact steps (10^k is exact for k <= 22), so huge or tiny
         * exponents neither overflow nor underflow on the way. */
        static const double pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
                                        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
        int negative_exp = exp10 < 0;
        if (negative_exp) exp10 = -exp10;
        if (exp10 > 800) exp10 = 800;
        while (exp10 > 0 && r != 0 && r - r == 0) {
            int k = exp10 > 22 ? 22 : exp10;
            r = negative_exp ? r / pow10[k] : r * pow10[k];
            exp10 -= k;
        }
    }
    *out = neg ? -r : r;
    return SIO_OK;
}

/* strtod rounds correctly (even with x87 excess precision), but reads the
 * locale's decimal point: the JSON '.' is swapped for it first. */
SIO_API int sio_json_number(sio_json v, double *out)
{
    char buf[128], *end;
    const char *point = localeconv()->decimal_point;
    size_t i;
    if (sio_json_typeof(v) != SIO_JSON_NUMBER || !sio__json_scan_number(v.text, v.text + v.len)) return SIO_ERR_INVALID;
    if (v.len >= sizeof buf || !point || !point[0] || point[1]) return sio__json_number_long(v, out);
    memcpy(buf, v.text, v.len);
    buf[v.len] = 0;
    for (i = 0; i < v.len; i++)
        if (buf[i] == '.') buf[i] = point[0];
    *out = strtod(buf, &end);
    return SIO_OK;
}

/* writer */

SIO_API void sio_jw_init(sio_json_writer *w, char *buf, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->buf = buf;
    w->cap = buf ? cap : 0;
    w->growable = buf == NULL;
    if (buf && cap) buf[0] = 0;
}

SIO_API void sio_jw_free(sio_json_writer *w)
{
    if (w->growable && w->buf) sio__realloc(&w->allocator, w->buf, 0);
    w->buf = NULL;
    w->len = w->cap = 0;
}

static void sio__jw_put(sio_json_writer *w, const char *s, size_t n)
{
    if (w->error) return;
    if (w->len + n + 1 > w->cap) {
        size_t cap;
        void *p;
        if (!w->growable) { w->error = SIO_ERR_TOO_BIG; return; }
        cap = w->cap ? w->cap : 256;
        while (cap < w->len + n + 1) cap *= 2;
        p = sio__realloc(&w->allocator, w->buf, cap);
        if (!p) { w->error = SIO_ERR_NOMEM; return; }
        w->buf = (char *)p;
        w->cap = cap;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = 0;
}

/* Comma before a value, unless it follows a key or opens its container. */
static void sio__jw_value(sio_json_writer *w)
{
    if (w->depth == 0) return;
    if (w->need_comma[w->depth] == 1) sio__jw_put(w, ",", 1);
    w->need_comma[w->depth] = 1;
}

static void sio__jw_open(sio_json_writer *w, const char *bracket)
{
    sio__jw_value(w);
    sio__jw_put(w, bracket, 1);
    if (w->depth + 1 >= sizeof w->need_comma) { w->error = SIO_ERR_TOO_BIG; return; }
    w->need_comma[++w->depth] = 0;
}

static void sio__jw_close(sio_json_writer *w, const char *bracket)
{
    if (w->depth == 0) { w->error = SIO_ERR_INVALID; return; }
    w->depth--;
    sio__jw_put(w, bracket, 1);
}

SIO_API void sio_jw_array_begin(sio_json_writer *w) { sio__jw_open(w, "["); }
SIO_API void sio_jw_array_end(sio_json_writer *w) { sio__jw_close(w, "]"); }
SIO_API void sio_jw_object_begin(sio_json_writer *w) { sio__jw_open(w, "{"); }
SIO_API void sio_jw_object_end(sio_json_writer *w) { sio__jw_close(w, "}"); }

static void sio__jw_escaped(sio_json_writer *w, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;
    sio__jw_put(w, "\"", 1);
    while (p < end) {
        unsigned char ch = *p;
        char esc[8];
        const char *rep = NULL;
        size_t skip = 1;
        if (ch >= 0x20 && ch < 0x80 && ch != '"' && ch != '\\') { p++; continue; }
        if (ch >= 0x80) {
            sio_utf8 v;
            size_t k;
            memset(&v, 0, sizeof v);
            if (sio__utf8_lead(ch, &v) && (size_t)(end - p) > v.need) {
                for (k = 1; k <= v.need; k++) {
                    if (p[k] < v.lo || p[k] > v.hi) break;
                    v.lo = 0x80; v.hi = 0xBF;
                }
                if (k > v.need) { p += k; continue; }
            }
            rep = "\\ufffd";
        } else if (ch == '"') rep = "\\\"";
        else if (ch == '\\') rep = "\\\\";
        else if (ch == '\n') rep = "\\n";
        else if (ch == '\r') rep = "\\r";
        else if (ch == '\t') rep = "\\t";
        else { snprintf(esc, sizeof esc, "\\u%04x", ch); rep = esc; }
        sio__jw_put(w, (const char *)run, (size_t)(p - run));
        sio__jw_put(w, rep, strlen(rep));
        p += skip;
        run = p;
    }
    sio__jw_put(w, (const char *)run, (size_t)(p - run));
    sio__jw_put(w, "\"", 1);
}

SIO_API void sio_jw_key(sio_json_writer *w, const char *key)
{
    sio__jw_value(w);
    sio__jw_escaped(w, key, strlen(key));
    sio__jw_put(w, ":", 1);
    w->need_comma[w->depth] = 2;     /* the value that follows writes no comma */
}

SIO_API void sio_jw_string(sio_json_writer *w, const char *s, size_t len)
{
    sio__jw_value(w);
    sio__jw_escaped(w, s, len);
}

SIO_API void sio_jw_cstring(sio_json_writer *w, const char *s) { sio_jw_string(w, s, strlen(s)); }

SIO_API void sio_jw_raw(sio_json_writer *w, const char *json, size_t len)
{
    sio__jw_value(w);
    sio__jw_put(w, json, len);
}

SIO_API void sio_jw_integer(sio_json_writer *w, long long v)
{
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", v);
    sio_jw_raw(w, buf, strlen(buf));
}

SIO_API void sio_jw_number(sio_json_writer *w, double v)
{
    char buf[40];
    int prec;
    size_t i;
    if (v != v || v - v != 0) { sio_jw_raw(w, "null", 4); return; }   /* NaN, +-Inf */
    if (v < 9007199254740992.0 && v > -9007199254740992.0 && v == (double)(long long)v) {
        sio_jw_integer(w, (long long)v);
        return;
    }
    /* Shortest precision that reads back exactly (checked with our parser,
     * which is locale-independent; the decimal point is forced to '.'). */
    for (prec = 15; prec <= 17; prec++) {
        double back;
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        for (i = 0; buf[i]; i++) if (buf[i] == ',') buf[i] = '.';
        if (sio_json_number(sio_json_make(buf, strlen(buf)), &back) == SIO_OK && back == v) break;
    }
    sio_jw_raw(w, buf, strlen(buf));
}

SIO_API void sio_jw_bool(sio_json_writer *w, int v) { sio_jw_raw(w, v ? "true" : "false", v ? 4 : 5); }
SIO_API void sio_jw_null(sio_json_writer *w) { sio_jw_raw(w, "null", 4); }

SIO_API void sio_jw_placeholder(sio_json_writer *w, unsigned num)
{
    char buf[48];
    snprintf(buf, sizeof buf, "{\"_placeholder\":true,\"num\":%u}", num);
    sio_jw_raw(w, buf, strlen(buf));
}

SIO_API const char *sio_jw_result(const sio_json_writer *w, size_t *len)
{
    if (w->error) return NULL;
    if (len) *len = w->len;
    return w->buf ? w->buf : "";
}

