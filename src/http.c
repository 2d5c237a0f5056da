/* ---------------------------------------------------------------------- */
/* http                                                                    */
/* ---------------------------------------------------------------------- */

static int sio__is_tchar(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Finds the end of the line starting at p; returns the index of '\n' or -1. */
static long sio__line_end(const char *buf, size_t from, size_t len)
{
    const char *nl = (const char *)memchr(buf + from, '\n', len - from);
    return nl ? (long)(nl - buf) : -1;
}

/* A response head without its headers: what sio__http_parse keeps. */
typedef struct sio__http_status {
    int status, minor_version;
    const char *reason; size_t reason_len;
    size_t header_count;                   /* all of them (at most SIO_HTTP_MAX_HEADERS) */
    size_t kept;                           /* those stored */
    size_t head_len;
} sio__http_status;

/* Parses a response head (see sio_http_parse_response), storing up to cap
 * of its headers (only those called keep when it is not NULL): a caller
 * that wants one header needs no room for sixty-four. */
static int sio__http_parse(sio__http_status *r, sio_http_header *headers, size_t cap, const char *keep, const char *buf,
                           size_t len)
{
    size_t pos, line_start, line_len;
    long nl;
    const char *line;
    int i;
    memset(r, 0, sizeof *r);
    /* Find the blank line first so partial input costs one scan. */
    for (pos = 0;; pos = (size_t)nl + 1) {
        nl = sio__line_end(buf, pos, len);
        if (nl < 0) return 0;
        if ((size_t)nl == pos || ((size_t)nl == pos + 1 && buf[pos] == '\r')) {
            if (pos == 0) return SIO_ERR_PROTOCOL;      /* empty status line */
            r->head_len = (size_t)nl + 1;
            break;
        }
    }
    /* Status line: HTTP/1.x SP 3DIGIT [SP reason] */
    nl = sio__line_end(buf, 0, len);
    line = buf;
    line_len = (size_t)nl;
    if (line_len > 0 && line[line_len - 1] == '\r') line_len--;
    if (line_len < 12 || memcmp(line, "HTTP/1.", 7) != 0 || line[7] < '0' || line[7] > '9' ||
        line[8] != ' ')
        return SIO_ERR_PROTOCOL;
    r->minor_version = line[7] - '0';
    for (i = 9; i < 12; i++)
        if (line[i] < '0' || line[i] > '9') return SIO_ERR_PROTOCOL;
    r->status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
    if (line_len > 12 && line[12] != ' ') return SIO_ERR_PROTOCOL;
    r->reason = line + (line_len > 12 ? 13 : 12);
    r->reason_len = line_len > 12 ? line_len - 13 : 0;
    /* Header fields */
    for (line_start = (size_t)nl + 1; line_start < r->head_len;) {
        sio_http_header *h, scratch;
        const char *colon, *v, *vend;
        nl = sio__line_end(buf, line_start, len);
        line = buf + line_start;
        line_len = (size_t)nl - line_start;
        if (line_len > 0 && line[line_len - 1] == '\r') line_len--;
        if (line_len == 0) break;
        if (line[0] == ' ' || line[0] == '\t') return SIO_ERR_PROTOCOL;   /* obs-fold */
        colon = (const char *)memchr(line, ':', line_len);
        if (!colon || colon == line) return SIO_ERR_PROTOCOL;
        for (v = line; v < colon; v++)
            if (!sio__is_tchar((unsigned char)*v)) return SIO_ERR_PROTOCOL;
        if (r->header_count == SIO_HTTP_MAX_HEADERS) return SIO_ERR_TOO_BIG;
        r->header_count++;
        h = r->kept < cap ? &headers[r->kept] : &scratch;
        h->name = line;
        h->name_len = (size_t)(colon - line);
        if (h != &scratch && (!keep || sio__span_ieq(line, h->name_len, keep))) r->kept++;
        v = colon + 1;
        vend = line + line_len;
        while (v < vend && (*v == ' ' || *v == '\t')) v++;
        while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t')) vend--;
        for (h->value = v; v < vend; v++)
            if (((unsigned char)*v < 0x20 && *v != '\t') || *v == 0x7f) return SIO_ERR_PROTOCOL;
        h->value_len = (size_t)(vend - h->value);
        line_start = (size_t)nl + 1;
    }
    return 1;
}

SIO_API int sio_http_parse_response(sio_http_response *r, const char *buf, size_t len)
{
    sio__http_status head;
    int st = sio__http_parse(&head, r->headers, SIO_HTTP_MAX_HEADERS, NULL, buf, len);
    r->status = head.status;
    r->minor_version = head.minor_version;
    r->reason = head.reason;
    r->reason_len = head.reason_len;
    r->header_count = head.kept;
    r->head_len = head.head_len;
    return st;
}

/* sio_http_parse_response into a response on the heap, for the client's
 * layers: its header array is too big for a small target's stack.  *out
 * is set (free it) only when the result is 1; SIO_ERR_NOMEM when there was
 * no memory for it. */
static int sio__http_parse_response_heap(const sio_allocator *a, sio_http_response **out, const char *buf, size_t len)
{
    sio_http_response *r = (sio_http_response *)sio__realloc(a, NULL, sizeof *r);
    int st;
    *out = NULL;
    if (!r) return SIO_ERR_NOMEM;
    st = sio_http_parse_response(r, buf, len);
    if (st == 1) *out = r;
    else sio__free(a, r);
    return st;
}

SIO_API const sio_http_header *sio_http_find_header(const sio_http_response *r, const char *name)
{
    size_t i;
    for (i = 0; i < r->header_count; i++)
        if (sio__span_ieq(r->headers[i].name, r->headers[i].name_len, name)) return &r->headers[i];
    return NULL;
}

SIO_API int sio_http_has_token(const char *value, size_t len, const char *token)
{
    size_t i = 0;
    while (i < len) {
        size_t start, end;
        while (i < len && (value[i] == ' ' || value[i] == '\t' || value[i] == ',')) i++;
        start = i;
        while (i < len && value[i] != ',') i++;
        end = i;
        while (end > start && (value[end - 1] == ' ' || value[end - 1] == '\t')) end--;
        if (end > start && sio__span_ieq(value + start, end - start, token)) return 1;
    }
    return 0;
}

enum { SIO__CHUNK_SIZE, SIO__CHUNK_SIZE_MORE, SIO__CHUNK_EXT, SIO__CHUNK_SIZE_LF, SIO__CHUNK_DATA, SIO__CHUNK_DATA_CR,
       SIO__CHUNK_DATA_LF, SIO__CHUNK_TRAILER_START, SIO__CHUNK_TRAILER_LINE, SIO__CHUNK_TRAILER_LF,
       SIO__CHUNK_LAST_LF, SIO__CHUNK_DONE };

SIO_API int sio_http_body_init(sio_http_body *b, const sio_http_response *r, uint64_t max_body)
{
    const sio_http_header *te, *cl;
    memset(b, 0, sizeof *b);
    b->max_body = max_body;
    if ((r->status >= 100 && r->status < 200) || r->status == 204 || r->status == 304) {
        b->mode = SIO_HTTP_BODY_NONE;
        return SIO_OK;
    }
    te = sio_http_find_header(r, "Transfer-Encoding");
    cl = sio_http_find_header(r, "Content-Length");
    if (te) {
        if (!sio_http_has_token(te->value, te->value_len, "chunked")) {
            b->mode = SIO_HTTP_BODY_UNTIL_CLOSE;
            return SIO_OK;
        }
        b->mode = SIO_HTTP_BODY_CHUNKED;
        b->state = SIO__CHUNK_SIZE;
        return SIO_OK;
    }
    if (cl) {
        uint64_t n = 0;
        size_t i;
        size_t k;
        if (cl->value_len == 0) return SIO_ERR_PROTOCOL;
        for (i = 0; i < cl->value_len; i++) {
            char ch = cl->value[i];
            if (ch < '0' || ch > '9') return SIO_ERR_PROTOCOL;
            if (n > (UINT64_MAX - 9) / 10) return SIO_ERR_TOO_BIG;
            n = n * 10 + (uint64_t)(ch - '0');
        }
        /* Several Content-Length headers must agree (RFC 9112 6.3). */
        for (k = 0; k < r->header_count; k++) {
            const sio_http_header *h = &r->headers[k];
            if (h != cl && sio__span_ieq(h->name, h->name_len, "Content-Length") &&
                (h->value_len != cl->value_len || memcmp(h->value, cl->value, h->value_len) != 0))
                return SIO_ERR_PROTOCOL;
        }
        if (max_body && n > max_body) return SIO_ERR_TOO_BIG;
        b->mode = SIO_HTTP_BODY_LENGTH;
        b->remaining = n;
        return SIO_OK;
    }
    b->mode = SIO_HTTP_BODY_UNTIL_CLOSE;
    return SIO_OK;
}

static int sio__hex(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int sio__body_add(sio_http_body *b, uint64_t n)
{
    if (n > UINT64_MAX - b->total) return SIO_ERR_TOO_BIG;
    b->total += n;
    return (b->max_body && b->total > b->max_body) ? SIO_ERR_TOO_BIG : SIO_OK;
}

/* One byte of a chunk-size line ("1a;ext\r\n"): a negative status, 1 when
 * the line ended, else 0. */
static int sio__chunk_size_byte(sio_http_body *b, int c)
{
    int h = sio__hex(c);
    if (b->state == SIO__CHUNK_SIZE) {          /* the first hex digit is required */
        if (h < 0) return SIO_ERR_PROTOCOL;
        b->state = SIO__CHUNK_SIZE_MORE;
    }
    if (b->state == SIO__CHUNK_SIZE_MORE) {
        if (h >= 0) {
            if (b->remaining > (UINT64_MAX >> 4)) return SIO_ERR_TOO_BIG;
            b->remaining = b->remaining * 16 + (uint64_t)h;
            return 0;
        }
        if (c == ';' || c == ' ' || c == '\t') { b->state = SIO__CHUNK_EXT; return 0; }
        if (c == '\r') { b->state = SIO__CHUNK_SIZE_LF; return 0; }
        return c == '\n' ? 1 : SIO_ERR_PROTOCOL;
    }
    if (b->state == SIO__CHUNK_EXT) {
        if (c == '\r') { b->state = SIO__CHUNK_SIZE_LF; return 0; }
        if (c == '\n') return 1;
        return c < 0x20 && c != '\t' ? SIO_ERR_PROTOCOL : 0;
    }
    return c == '\n' ? 1 : SIO_ERR_PROTOCOL;    /* SIO__CHUNK_SIZE_LF */
}

/* The size line ended: the chunk's data next, or the trailers after the
 * last (empty) chunk. */
static int sio__chunk_size_done(sio_http_body *b)
{
    if (b->remaining == 0) {
        b->state = SIO__CHUNK_TRAILER_START;
        return 0;
    }
    if (b->max_body && (b->total > b->max_body || b->remaining > b->max_body - b->total))
        return SIO_ERR_TOO_BIG;                 /* compared, never summed: a size near 2^64 would wrap */
    b->state = SIO__CHUNK_DATA;
    return 0;
}

SIO_API int sio_http_body_decode(sio_http_body *b, unsigned char *data, size_t len,
                                 size_t *consumed, size_t *out_len)
{
    size_t in = 0, out = 0;
    int rc = 0;
    *consumed = 0;
    *out_len = 0;
    if (b->mode == SIO_HTTP_BODY_NONE) return 1;
    if (b->mode == SIO_HTTP_BODY_UNTIL_CLOSE || b->mode == SIO_HTTP_BODY_LENGTH) {
        size_t take = len;
        if (b->mode == SIO_HTTP_BODY_LENGTH && take > b->remaining) take = (size_t)b->remaining;
        if (sio__body_add(b, take) != SIO_OK) return SIO_ERR_TOO_BIG;
        if (b->mode == SIO_HTTP_BODY_LENGTH) b->remaining -= take;
        *consumed = take;
        *out_len = take;
        return (b->mode == SIO_HTTP_BODY_LENGTH && b->remaining == 0) ? 1 : 0;
    }
    while (in < len && rc == 0) {
        int c = data[in];
        switch (b->state) {
        case SIO__CHUNK_SIZE: case SIO__CHUNK_SIZE_MORE: case SIO__CHUNK_EXT: case SIO__CHUNK_SIZE_LF: {
            int r = sio__chunk_size_byte(b, c);
            if (r < 0) return r;
            in++;
            if (r == 1 && (r = sio__chunk_size_done(b)) < 0) return r;
            break;
        }
        case SIO__CHUNK_DATA: {
            size_t take = len - in;
            if (take > b->remaining) take = (size_t)b->remaining;
            memmove(data + out, data + in, take);
            out += take;
            in += take;
            b->remaining -= take;
            if (sio__body_add(b, take) != SIO_OK) return SIO_ERR_TOO_BIG;
            if (b->remaining == 0) b->state = SIO__CHUNK_DATA_CR;
            break;
        }
        case SIO__CHUNK_DATA_CR:
            if (c == '\r') { b->state = SIO__CHUNK_DATA_LF; in++; break; }
            if (c == '\n') { b->state = SIO__CHUNK_SIZE; in++; break; }
            return SIO_ERR_PROTOCOL;
        case SIO__CHUNK_DATA_LF:
            if (c != '\n') return SIO_ERR_PROTOCOL;
            b->state = SIO__CHUNK_SIZE;
            in++;
            break;
        case SIO__CHUNK_TRAILER_START:      /* after the last chunk: trailers or the blank line */
            if (c == '\r') { b->state = SIO__CHUNK_LAST_LF; in++; break; }
            if (c == '\n') { in++; b->state = SIO__CHUNK_DONE; rc = 1; break; }
            b->state = SIO__CHUNK_TRAILER_LINE;
            break;
        case SIO__CHUNK_TRAILER_LINE:
            if (c == '\n') b->state = SIO__CHUNK_TRAILER_START;
            in++;
            break;
        case SIO__CHUNK_LAST_LF:
            if (c != '\n') return SIO_ERR_PROTOCOL;
            in++;
            b->state = SIO__CHUNK_DONE;
            rc = 1;
            break;
        case SIO__CHUNK_DONE:
            rc = 1;
            break;
        default:
            return SIO_ERR_PROTOCOL;
        }
    }
    if (b->state == SIO__CHUNK_DONE) rc = 1;
    *consumed = in;
    *out_len = out;
    return rc;
}

