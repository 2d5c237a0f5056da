/* ---- deflate: raw DEFLATE (RFC 1951) for permessage-deflate ------------- */

#if SIO__WITH_DEFLATE

/* Lengths and distances: base values and extra bits (RFC 1951 3.2.5). */
static const unsigned short sio__len_base[29] = {
    3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
    131, 163, 195, 227, 258};
static const unsigned char sio__len_extra[29] = {
    0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const unsigned short sio__dist_base[30] = {
    1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
    2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
static const unsigned char sio__dist_extra[30] = {
    0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};
/* The order code length code lengths come in (RFC 1951 3.2.7). */
static const unsigned char sio__clen_order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

static unsigned sio__reverse_bits(unsigned code, unsigned len)
{
    unsigned r = 0;
    while (len--) {
        r = (r << 1) | (code & 1);
        code >>= 1;
    }
    return r;
}

/* ---- inflate ------------------------------------------------------------ */

#define SIO__FAST_BITS 10
/* A Huffman code for decoding: codes up to SIO__FAST_BITS long are found
 * with one look-up of the next bits; longer ones by walking the canonical
 * code one bit at a time. */
typedef struct sio__huffman {
    uint16_t fast[1u << SIO__FAST_BITS];   /* next bits -> symbol << 4 | length; 0: a longer code or none */
    uint16_t count[16];                    /* codes of each length */
    uint16_t symbol[288];                  /* symbols in code order */
} sio__huffman;

typedef struct sio__inflate_tables {
    sio__huffman lit, dist;
} sio__inflate_tables;

static const unsigned char sio__sync_tail[4] = {0, 0, 0xff, 0xff};

/* The input as bits, lowest first, with the sync tail after it. */
typedef struct sio__bits {
    const unsigned char *in;
    size_t len, total, pos;    /* total: len plus the tail */
    uint64_t buf;
    unsigned cnt;
} sio__bits;

/* Fills buf to at least 57 bits.  Past the end come zero bytes, counted in
 * pos so that sio__bits_over can tell the data ended early. */
static void sio__bits_refill(sio__bits *b)
{
    if (b->pos + 8 <= b->len) {
        /* Eight bytes at once; the bits of the byte only partly taken are
         * taken again next time, so the two ORs agree. */
        const unsigned char *p = b->in + b->pos;
        uint64_t v = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
                     (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 | (uint64_t)p[7] << 56;
        b->buf |= v << b->cnt;
        b->pos += (63 - b->cnt) >> 3;
        b->cnt |= 56;
        return;
    }
    while (b->cnt <= 56) {
        unsigned byte = b->pos < b->len ? b->in[b->pos] : b->pos < b->total ? sio__sync_tail[b->pos - b->len] : 0;
        b->buf |= (uint64_t)byte << b->cnt;
        b->cnt += 8;
        b->pos++;
    }
}

/* 1 once more bits were used than the input has. */
static int sio__bits_over(const sio__bits *b)
{
    return b->pos * 8 - b->cnt > b->total * 8;
}

static unsigned sio__bits_take(sio__bits *b, unsigned n)   /* n <= 32, after a refill */
{
    unsigned v = (unsigned)(b->buf & ((((uint64_t)1) << n) - 1));
    b->buf >>= n;
    b->cnt -= n;
    return v;
}

/* Builds a decoding code from code lengths.  Returns the number of unused
 * codes (0: complete), or -1 when the lengths over-subscribe the code. */
static int sio__huffman_build(sio__huffman *h, const unsigned char *lengths, unsigned n)
{
    uint16_t offs[16], next[16];
    unsigned s, len;
    int left = 1;
    memset(h->count, 0, sizeof h->count);
    memset(h->fast, 0, sizeof h->fast);
    for (s = 0; s < n; s++) h->count[lengths[s]]++;
    h->count[0] = 0;
    for (len = 1; len < 16; len++) {
        left = left * 2 - h->count[len];
        if (left < 0) return -1;
    }
    offs[1] = 0;
    next[1] = 0;
    for (len = 1; len < 15; len++) {
        offs[len + 1] = (uint16_t)(offs[len] + h->count[len]);
        next[len + 1] = (uint16_t)((next[len] + h->count[len]) << 1);
    }
    for (s = 0; s < n; s++) {
        unsigned l = lengths[s], code, i;
        if (!l) continue;
        h->symbol[offs[l]++] = (uint16_t)s;
        code = next[l]++;
        if (l > SIO__FAST_BITS) continue;
        for (i = sio__reverse_bits(code, l); i < (1u << SIO__FAST_BITS); i += 1u << l)
            h->fast[i] = (uint16_t)(s << 4 | l);
    }
    return left;
}

/* A code may be incomplete only when it has a single code of one bit
 * (RFC 1951 3.2.7 allows one distance code; zlib allows the same for
 * literals). */
static int sio__huffman_usable(const sio__huffman *h, int left)
{
    unsigned len, used = 0;
    if (left == 0) return 1;
    if (left < 0) return 0;
    for (len = 1; len < 16; len++) used += h->count[len];
    return used == 1 && h->count[1] == 1;
}

/* The next symbol, after a refill; -1 for bits that are no code. */
static int sio__huffman_decode(sio__bits *b, const sio__huffman *h)
{
    unsigned e = h->fast[b->buf & ((1u << SIO__FAST_BITS) - 1)];
    unsigned code = 0, first = 0, index = 0, len;
    uint64_t bits = b->buf;
    if (e) {
        b->buf >>= e & 15;
        b->cnt -= e & 15;
        return (int)(e >> 4);
    }
    for (len = 1; len < 16; len++) {     /* the canonical code, most significant bit first */
        unsigned count = h->count[len];
        code |= (unsigned)(bits & 1);
        bits >>= 1;
        if (code - first < count) {
            b->buf >>= len;
            b->cnt -= len;
            return h->symbol[index + code - first];
        }
        index += count;
        first = (first + count) << 1;
        code <<= 1;
    }
    return -1;
}

static int sio__inflate_fail(sio_inflater *z, int status, const char *why)
{
    z->error = why;
    return status;
}

/* Room for need more bytes at out position o, growing the buffer by
 * doubling but never past limit (history plus max). */
static int sio__inflate_room(sio_inflater *z, size_t o, size_t need, size_t limit)
{
    size_t cap;
    void *p;
    if (need > limit - o) return SIO_ERR_TOO_BIG;
    if (o + need <= z->cap && z->buffer) return SIO_OK;
    cap = z->cap < 256 ? 256 : z->cap;
    while (cap < o + need) cap = cap > limit / 2 ? limit : cap * 2;
    if (cap > limit) cap = limit;
    p = sio__realloc(&z->allocator, z->buffer, cap + 1);   /* + 1: the NUL after a message */
    if (!p) return SIO_ERR_NOMEM;
    z->buffer = (unsigned char *)p;
    z->cap = cap;
    return SIO_OK;
}

/* Code lengths of a dynamic block (RFC 1951 3.2.7) into lit and dist. */
static int sio__inflate_dynamic_codes(sio_inflater *z, sio__bits *b, sio__inflate_tables *t)
{
    unsigned char lengths[286 + 30], clen[19];
    unsigned nlit, ndist, ncode, i = 0, k;
    int left;
    sio__bits_refill(b);
    nlit = sio__bits_take(b, 5) + 257;
    ndist = sio__bits_take(b, 5) + 1;
    ncode = sio__bits_take(b, 4) + 4;
    if (nlit > 286 || ndist > 30)
        return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: a dynamic block has too many length or distance codes");
    memset(clen, 0, sizeof clen);
    for (k = 0; k < ncode; k++) {
        sio__bits_refill(b);
        clen[sio__clen_order[k]] = (unsigned char)sio__bits_take(b, 3);
    }
    left = sio__huffman_build(&t->lit, clen, 19);   /* lit holds the code length code for a while */
    if (left != 0)
        return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: a dynamic block's code length code is not complete");
    while (i < nlit + ndist) {
        int sym;
        unsigned repeat, value = 0;
        sio__bits_refill(b);
        sym = sio__huffman_decode(b, &t->lit);
        if (sym < 0) return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: invalid code length code");
        if (sym < 16) {
            lengths[i++] = (unsigned char)sym;
            continue;
        }
        if (sym == 16) {
            if (i == 0) return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: code length repeat with no previous length");
            value = lengths[i - 1];
            repeat = 3 + sio__bits_take(b, 2);
        } else if (sym == 17) {
            repeat = 3 + sio__bits_take(b, 3);
        } else {
            repeat = 11 + sio__bits_take(b, 7);
        }
        if (repeat > nlit + ndist - i)
            return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: code lengths repeat past the end of the block's codes");
        while (repeat--) lengths[i++] = (unsigned char)value;
    }
    if (sio__bits_over(b)) return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: compressed data ends early");
    if (!lengths[256]) return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: a dynamic block has no end-of-block code");
    if (!sio__huffman_usable(&t->lit, sio__huffman_build(&t->lit, lengths, nlit)))
        return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: invalid literal/length code lengths");
    left = sio__huffman_build(&t->dist, lengths + nlit, ndist);
    if (left != 1 << 15 && !sio__huffman_usable(&t->dist, left))   /* none at all: literals only */
        return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: invalid distance code lengths");
    return SIO_OK;
}

static void sio__inflate_fixed_codes(sio__inflate_tables *t)
{
    unsigned char lengths[288];
    unsigned i;
    for (i = 0; i < 144; i++) lengths[i] = 8;
    for (; i < 256; i++) lengths[i] = 9;
    for (; i < 280; i++) lengths[i] = 7;
    for (; i < 288; i++) lengths[i] = 8;
    sio__huffman_build(&t->lit, lengths, 288);
    for (i = 0; i < 30; i++) lengths[i] = 5;
    sio__huffman_build(&t->dist, lengths, 30);
}

/* The symbols of one Huffman-coded block, up to its end-of-block code;
 * *o is where output goes, start where this message began (the history
 * before it may be referred to), limit where max bytes would be passed. */
static int sio__inflate_codes(sio_inflater *z, sio__bits *bits, const sio__inflate_tables *t, size_t *o_io, size_t limit)
{
    /* Local copies: stores into the output could alias the structs. */
    sio__bits b = *bits;
    unsigned char *buf = z->buffer;
    size_t o = *o_io, end = z->cap < limit ? z->cap : limit;   /* output may go up to end without a check */
    size_t reach = z->window ? z->window : 32768;                 /* the farthest a match may refer back */
    int r = SIO_OK;
    const char *why = NULL;
    for (;;) {
        int sym;
        unsigned len, dist;
        sio__bits_refill(&b);
        if (b.pos > b.total + 8) {
            why = "deflate: compressed data ends early";
            break;
        }
        sym = sio__huffman_decode(&b, &t->lit);
        if (sym < 256) {
            if (sym < 0) {
                why = "deflate: invalid literal/length code";
                break;
            }
            if (o >= end) {
                if ((r = sio__inflate_room(z, o, 1, limit)) != SIO_OK) break;
                buf = z->buffer;
                end = z->cap < limit ? z->cap : limit;
            }
            buf[o++] = (unsigned char)sym;
            continue;
        }
        if (sym == 256) break;
        sym -= 257;
        if (sym >= 29) {
            why = "deflate: invalid length code";
            break;
        }
        len = sio__len_base[sym] + sio__bits_take(&b, sio__len_extra[sym]);
        sym = sio__huffman_decode(&b, &t->dist);      /* 15 + 5 + 15 + 13 bits fit in one refill */
        if (sym < 0 || sym >= 30) {
            why = "deflate: invalid distance code";
            break;
        }
        dist = sio__dist_base[sym] + sio__bits_take(&b, sio__dist_extra[sym]);
        if (dist > o || dist > reach) {
            why = dist > o ? "deflate: distance refers to before the start of the data"
                           : "deflate: distance reaches beyond the agreed window";
            break;
        }
        if (len > end - o) {
            if ((r = sio__inflate_room(z, o, len, limit)) != SIO_OK) break;
            buf = z->buffer;
            end = z->cap < limit ? z->cap : limit;
        }
        {
            unsigned char *dst = buf + o;
            const unsigned char *src = dst - dist;
            o += len;
            if (dist >= len) {
                memcpy(dst, src, len);
            } else if (dist >= 8) {                   /* overlapping: in steps that do not */
                while (len >= 8) {
                    memcpy(dst, src, 8);
                    dst += 8;
                    src += 8;
                    len -= 8;
                }
                while (len--) *dst++ = *src++;
            } else {
                while (len--) *dst++ = *src++;        /* a short repeat */
            }
        }
    }
    *bits = b;
    *o_io = o;
    if (r != SIO_OK)
        return sio__inflate_fail(z, r, r == SIO_ERR_NOMEM ? "deflate: out of memory" : "deflate: message inflates past max_message");
    return why ? sio__inflate_fail(z, SIO_ERR_PROTOCOL, why) : SIO_OK;
}

/* A stored block: its header was read; the bits left in the byte are skipped. */
static int sio__inflate_stored(sio_inflater *z, sio__bits *b, size_t *o, size_t limit)
{
    unsigned n, nn;
    size_t at, from_in;
    int r;
    sio__bits_take(b, b->cnt & 7);
    sio__bits_refill(b);
    n = sio__bits_take(b, 16);
    nn = sio__bits_take(b, 16);
    if (sio__bits_over(b)) return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: compressed data ends early");
    if ((n ^ 0xffffu) != nn) return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: stored block length does not match its complement");
    at = b->pos - b->cnt / 8;              /* the bytes still in buf go back to the input */
    b->buf = 0;
    b->cnt = 0;
    if (n > b->total - at) return sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: compressed data ends early");
    if ((r = sio__inflate_room(z, *o, n, limit)) != SIO_OK)
        return sio__inflate_fail(z, r, r == SIO_ERR_NOMEM ? "deflate: out of memory" : "deflate: message inflates past max_message");
    from_in = at < b->len ? (b->len - at < n ? b->len - at : n) : 0;
    if (from_in) memcpy(z->buffer + *o, b->in + at, from_in);
    if (n > from_in) memcpy(z->buffer + *o + from_in, sio__sync_tail + (at + from_in - b->len), n - from_in);
    *o += n;
    b->pos = at + n;
    return SIO_OK;
}

SIO_API int sio_inflate_message(sio_inflater *z, const unsigned char *in, size_t len, int sync_tail,
                                size_t max, const unsigned char **out, size_t *out_len)
{
    sio__bits b;
    sio__inflate_tables *t;
    size_t start, o, limit;
    int final = 0, closed = 0, r = SIO_OK;
    *out = NULL;
    *out_len = 0;
    z->error = NULL;
    /* The next message may refer back a window: what lies before it is
     * dropped only once twice the window has piled up. */
    if (z->window && z->history > 2 * z->window) {
        memmove(z->buffer, z->buffer + z->history - z->window, z->window);
        z->history = z->window;
    }
    if (!z->window) z->history = 0;
    start = o = z->history;
    limit = max > (size_t)-1 - start - 1 ? (size_t)-2 : start + max;
    if (sio__inflate_room(z, o, 0, limit) != SIO_OK) return sio__inflate_fail(z, SIO_ERR_NOMEM, "deflate: out of memory");
    if (len == 0) {                      /* no data at all: an empty message, leniently */
        z->buffer[o] = 0;
        *out = z->buffer + o;
        return SIO_OK;
    }
    t = (sio__inflate_tables *)sio__realloc(&z->allocator, NULL, sizeof *t);
    if (!t) return sio__inflate_fail(z, SIO_ERR_NOMEM, "deflate: out of memory");
    memset(&b, 0, sizeof b);
    b.in = in;
    b.len = len;
    b.total = len + (sync_tail ? 4 : 0);
    while (!final && r == SIO_OK) {
        unsigned type;
        if ((b.pos * 8 - b.cnt + 7) / 8 >= b.total) break;   /* only the last byte's padding is left */
        sio__bits_refill(&b);
        final = (int)sio__bits_take(&b, 1);
        type = sio__bits_take(&b, 2);
        closed = 0;
        if (type == 0) {
            size_t before = o;
            r = sio__inflate_stored(z, &b, &o, limit);
            closed = r == SIO_OK && o == before && b.pos == b.total;   /* the sync flush's empty block */
        } else if (type == 3) {
            r = sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: invalid block type 3");
        } else {
            if (type == 1) sio__inflate_fixed_codes(t);
            else r = sio__inflate_dynamic_codes(z, &b, t);
            if (r == SIO_OK) r = sio__inflate_codes(z, &b, t, &o, limit);
        }
        if (r == SIO_OK && sio__bits_over(&b))
            r = sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: compressed data ends early");
    }
    /* With the tail appended, a message that is not final must end exactly
     * with it as an empty stored block: else the tail was taken as data. */
    if (r == SIO_OK && sync_tail && !final && !closed)
        r = sio__inflate_fail(z, SIO_ERR_PROTOCOL, "deflate: the data does not end with a sync flush (RFC 7692 7.2.2)");
    sio__free(&z->allocator, t);
    if (r != SIO_OK) {
        z->history = 0;
        return r;
    }
    z->buffer[o] = 0;                                   /* room for it was kept (cap + 1) */
    *out = z->buffer + start;
    *out_len = o - start;
    if (z->window) {
        /* The caller may write into what it gets (a parser that works in
         * place); the history the next message refers to must not change. */
        if (o - start + 1 > z->copy_cap) {
            void *p = sio__realloc(&z->allocator, z->copy, o - start + 1);
            if (!p) {
                z->history = 0;
                return sio__inflate_fail(z, SIO_ERR_NOMEM, "deflate: out of memory");
            }
            z->copy = (unsigned char *)p;
            z->copy_cap = o - start + 1;
        }
        memcpy(z->copy, z->buffer + start, o - start + 1);
        *out = z->copy;
    }
    z->history = z->window ? o : 0;
    return SIO_OK;
}

SIO_API void sio_inflater_trim(sio_inflater *z)
{
    sio__free(&z->allocator, z->copy);
    z->copy = NULL;
    z->copy_cap = 0;
    if (!z->window) {
        sio__free(&z->allocator, z->buffer);
        z->buffer = NULL;
        z->cap = z->history = 0;
    } else if (z->cap > z->window) {               /* only the window stays */
        void *p;
        size_t keep = z->history < z->window ? z->history : z->window;
        memmove(z->buffer, z->buffer + z->history - keep, keep);
        z->history = keep;
        p = sio__realloc(&z->allocator, z->buffer, z->window + 1);
        if (p) {
            z->buffer = (unsigned char *)p;
            z->cap = z->window;
        }
    }
}

SIO_API void sio_inflater_free(sio_inflater *z)
{
    sio__free(&z->allocator, z->buffer);
    sio__free(&z->allocator, z->copy);
    z->buffer = z->copy = NULL;
    z->cap = z->history = z->copy_cap = 0;
}

/* ---- deflate ------------------------------------------------------------ */

#define SIO__BLOCK_SYMBOLS 16384     /* symbols per block: each block gets its own codes */
#define SIO__MAX_CHAIN 4             /* candidates tried per position: a fast level */
#define SIO__NICE_MATCH 32           /* a match this long is taken without looking further */
#define SIO__INSERT_MAX 4           /* positions inside matches up to this long are hashed */

/* Bits out, lowest first; gives up (full) rather than pass cap. */
typedef struct sio__bitwriter {
    unsigned char *out;
    size_t pos, cap;
    uint64_t buf;
    unsigned cnt;
    int full;
} sio__bitwriter;

/* Writes out the low 32 bits that are full. */
static void sio__put_word(sio__bitwriter *w)
{
    if (w->pos + 4 > w->cap) {
        w->full = 1;
        w->pos = 0;                      /* keep writing in place: the result is dropped */
    }
    w->out[w->pos++] = (unsigned char)w->buf;
    w->out[w->pos++] = (unsigned char)(w->buf >> 8);
    w->out[w->pos++] = (unsigned char)(w->buf >> 16);
    w->out[w->pos++] = (unsigned char)(w->buf >> 24);
    w->buf >>= 32;
    w->cnt -= 32;
}

static void sio__put_bits(sio__bitwriter *w, unsigned bits, unsigned n)   /* n <= 32 */
{
    w->buf |= (uint64_t)bits << w->cnt;
    w->cnt += n;
    if (w->cnt >= 32) sio__put_word(w);
}

/* Pads to a whole byte and writes out everything pending. */
static void sio__put_align(sio__bitwriter *w)
{
    while (w->cnt > 0) {
        if (w->pos + 1 > w->cap) {
            w->full = 1;
            w->pos = 0;
        }
        w->out[w->pos++] = (unsigned char)w->buf;
        w->buf >>= 8;
        w->cnt = w->cnt > 8 ? w->cnt - 8 : 0;
    }
    w->buf = 0;
}

/* The tree building's tables (on the heap with the message's other work
 * tables: a small target's stack could not hold them). */
typedef struct sio__huffman_work {
    uint16_t order[288], parent[2 * 288];
    uint32_t weight[2 * 288];
    uint16_t depth[2 * 288];
} sio__huffman_work;

/* Code lengths of at most limit bits for the symbols' frequencies: a
 * Huffman tree, then the longest codes pushed back under the limit by
 * moving leaves while keeping the code complete.  At least two symbols get
 * a code, so every code is complete (some inflaters refuse others). */
static void sio__huffman_lengths(const uint32_t *freq, unsigned n, unsigned limit, unsigned char *lengths,
                                 sio__huffman_work *t)
{
    uint16_t *order = t->order, *parent = t->parent, *depth = t->depth;
    uint32_t *weight = t->weight;
    unsigned counts[16] = {0};
    unsigned used = 0, i, j, leaf, node, next, total, len;
    memset(lengths, 0, n);
    for (i = 0; i < n; i++)
        if (freq[i]) order[used++] = (uint16_t)i;
    for (i = 0; used < 2 && i < n; i++)              /* too few symbols: add a zero-weight one */
        if (!freq[i] && (used == 0 || order[0] != i)) order[used++] = (uint16_t)i;
    for (i = 1; i < used; i++) {                      /* ascending frequency (insertion sort: n <= 288) */
        uint16_t s = order[i];
        for (j = i; j > 0 && (freq[order[j - 1]] > freq[s] || (freq[order[j - 1]] == freq[s] && order[j - 1] > s)); j--)
            order[j] = order[j - 1];
        order[j] = s;
    }
    /* Two queues: leaves in order, then internal nodes as they are made
     * (made in ascending weight).  Nodes 0..used-1 are leaves. */
    for (i = 0; i < used; i++) weight[i] = freq[order[i]];
    leaf = 0;
    next = used;
    for (node = used; node < 2 * used - 1; node++) {
        unsigned pick[2], k;
        for (k = 0; k < 2; k++) {
            if (leaf < used && (next >= node || weight[leaf] <= weight[next])) pick[k] = leaf++;
            else pick[k] = next++;
        }
        weight[node] = weight[pick[0]] + weight[pick[1]];
        parent[pick[0]] = parent[pick[1]] = (uint16_t)node;
    }
    depth[2 * used - 2] = 0;
    for (node = 2 * used - 2; node-- > 0;) {
        depth[node] = (uint16_t)(depth[parent[node]] + 1);
        if (node < used) counts[depth[node] > limit ? limit : depth[node]]++;
    }
    total = 0;
    for (len = 1; len <= limit; len++) total += counts[len] << (limit - len);
    while (total > (1u << limit)) {                   /* over the limit: move leaves up */
        counts[limit]--;
        for (len = limit - 1; len > 0; len--)
            if (counts[len]) {
                counts[len]--;
                counts[len + 1] += 2;
                break;
            }
        total--;
    }
    /* The rarest symbols get the longest codes. */
    i = 0;
    for (len = limit; len > 0; len--)
        for (j = 0; j < counts[len]; j++) lengths[order[i++]] = (unsigned char)len;
}

/* Canonical codes for the lengths, bit-reversed for writing lowest first. */
static void sio__huffman_codes(const unsigned char *lengths, unsigned n, uint16_t *codes)
{
    unsigned count[16] = {0}, next[16], len, code = 0, s;
    for (s = 0; s < n; s++) count[lengths[s]]++;
    count[0] = 0;
    for (len = 1; len < 16; len++) {
        code = (code + count[len - 1]) << 1;
        next[len] = code;
    }
    for (s = 0; s < n; s++)
        codes[s] = lengths[s] ? (uint16_t)sio__reverse_bits(next[lengths[s]]++, lengths[s]) : 0;
}

static unsigned sio__top_bit(unsigned v)          /* 0 < v < 65536 */
{
    unsigned n = 0;
    if (v >= 1u << 8) { v >>= 8; n += 8; }
    if (v >= 1u << 4) { v >>= 4; n += 4; }
    if (v >= 1u << 2) { v >>= 2; n += 2; }
    return n + (v >= 2);
}

/* The length symbol (0..28) of a match length - 3 (0..255), and the
 * distance symbol (0..29) of a distance - 1 (0..32767): each four (two)
 * symbols share a count of extra bits that grows by one per power of two. */
static unsigned sio__len_symbol(unsigned n)
{
    unsigned top;
    if (n < 8) return n;
    if (n == 255) return 28;
    top = sio__top_bit(n);
    return 4 * (top - 1) + ((n >> (top - 2)) & 3);
}

static unsigned sio__dist_symbol(unsigned d)
{
    unsigned top;
    if (d < 4) return d;
    top = sio__top_bit(d);
    return 2 * top + ((d >> (top - 1)) & 1);
}

/* A block's symbols: a literal byte, or a match: the top bit, then the
 * length symbol and its extra value (5 bits each), the distance symbol (5)
 * and the distance - 1 (15). */
#define SIO__MATCH 0x80000000u
/* A block's counts, code lengths and codes. */
typedef struct sio__block_tables {
    sio__huffman_work huffman;
    uint32_t lit_freq[286], dist_freq[30], clen_freq[19];
    unsigned char lengths[286 + 30], clen_len[19], fixed_len[288], fixed_dist[30];
    uint16_t lit_codes[288], dist_codes[30], clen_codes[19], rle[286 + 30];
} sio__block_tables;

typedef struct sio__block {
    const unsigned char *in;
    size_t start, end;                 /* the input bytes it covers */
    uint32_t *symbols;
    size_t count;
    sio__block_tables *t;
} sio__block;

/* The code length codes for lit/dist lengths: (symbol, extra) pairs. */
static unsigned sio__rle_lengths(const unsigned char *lengths, unsigned n, uint16_t *out)
{
    unsigned i = 0, m = 0;
    while (i < n) {
        unsigned v = lengths[i], run = 1;
        while (i + run < n && lengths[i + run] == v) run++;
        i += run;
        if (v == 0) {
            while (run >= 11) {
                unsigned r = run > 138 ? 138 : run;
                out[m++] = (uint16_t)(18 | (r - 11) << 5);
                run -= r;
            }
            if (run >= 3) {
                out[m++] = (uint16_t)(17 | (run - 3) << 5);
                run = 0;
            }
        } else {
            out[m++] = (uint16_t)v;
            run--;
            while (run >= 3) {
                unsigned r = run > 6 ? 6 : run;
                out[m++] = (uint16_t)(16 | (r - 3) << 5);
                run -= r;
            }
        }
        while (run--) out[m++] = (uint16_t)v;
    }
    return m;
}

/* Writes one block, dynamic, fixed or stored, whichever is shortest. */
static void sio__write_block(sio__bitwriter *w, const sio__block *k)
{
    sio__block_tables *t = k->t;
    uint32_t *lit_freq = t->lit_freq, *dist_freq = t->dist_freq, *clen_freq = t->clen_freq;
    unsigned char *lengths = t->lengths, *clen_len = t->clen_len, *fixed_len = t->fixed_len, *fixed_dist = t->fixed_dist;
    uint16_t *lit_codes = t->lit_codes, *dist_codes = t->dist_codes, *clen_codes = t->clen_codes, *rle = t->rle;
    const unsigned char *lit_len, *dist_len;
    unsigned nlit = 286, ndist = 30, nclen = 19, nrle, i;
    size_t extra = 0, dyn = 0, fix = 0, stored, raw = k->end - k->start;
    memset(t->lit_freq, 0, sizeof t->lit_freq);
    memset(t->dist_freq, 0, sizeof t->dist_freq);
    memset(t->clen_freq, 0, sizeof t->clen_freq);
    for (i = 0; i < k->count; i++) {
        uint32_t s = k->symbols[i];
        if (s < 256) {
            lit_freq[s]++;
        } else {
            unsigned ls = s & 31, ds = (s >> 10) & 31;
            lit_freq[257 + ls]++;
            dist_freq[ds]++;
            extra += sio__len_extra[ls] + sio__dist_extra[ds];
        }
    }
    lit_freq[256] = 1;
    sio__huffman_lengths(lit_freq, 286, 15, lengths, &t->huffman);
    sio__huffman_lengths(dist_freq, 30, 15, lengths + 286, &t->huffman);
    while (nlit > 257 && !lengths[nlit - 1]) nlit--;
    while (ndist > 1 && !lengths[286 + ndist - 1]) ndist--;
    memmove(lengths + nlit, lengths + 286, ndist);
    nrle = sio__rle_lengths(lengths, nlit + ndist, rle);
    for (i = 0; i < nrle; i++) clen_freq[rle[i] & 31]++;
    sio__huffman_lengths(clen_freq, 19, 7, clen_len, &t->huffman);
    while (nclen > 4 && !clen_len[sio__clen_order[nclen - 1]]) nclen--;
    /* What each choice costs in bits. */
    dyn = 3 + 14 + 3 * nclen;
    for (i = 0; i < nrle; i++) {
        unsigned s = rle[i] & 31;
        dyn += (size_t)clen_len[s] + (s == 16 ? 2u : s == 17 ? 3u : s == 18 ? 7u : 0u);
    }
    for (i = 0; i < 144; i++) fixed_len[i] = 8;
    for (; i < 256; i++) fixed_len[i] = 9;
    for (; i < 280; i++) fixed_len[i] = 7;
    for (; i < 288; i++) fixed_len[i] = 8;
    memset(fixed_dist, 5, sizeof t->fixed_dist);
    fix = 3 + extra;
    dyn += extra;
    for (i = 0; i < 286; i++) {
        fix += (size_t)lit_freq[i] * fixed_len[i];
        dyn += (size_t)lit_freq[i] * (i < nlit ? lengths[i] : 0);
    }
    for (i = 0; i < 30; i++) {
        fix += (size_t)dist_freq[i] * 5;
        dyn += (size_t)dist_freq[i] * (i < ndist ? lengths[nlit + i] : 0);
    }
    stored = (raw + 5 * (raw / 65535 + 1)) * 8 + 7;
    if (stored < dyn && stored < fix) {
        size_t at = k->start;
        do {
            size_t n = k->end - at > 65535 ? 65535 : k->end - at, j;
            sio__put_bits(w, 0, 3);
            sio__put_align(w);
            sio__put_bits(w, (unsigned)(n | (n ^ 0xffff) << 16), 32);
            for (j = 0; j < n; j++) sio__put_bits(w, k->in[at + j], 8);
            at += n;
        } while (at < k->end);
        return;
    }
    if (fix <= dyn) {
        lit_len = fixed_len;
        dist_len = fixed_dist;
        sio__huffman_codes(fixed_len, 288, lit_codes);
        sio__huffman_codes(fixed_dist, 30, dist_codes);
        sio__put_bits(w, 1 << 1, 3);
    } else {
        lit_len = lengths;
        dist_len = lengths + nlit;
        sio__huffman_codes(lengths, nlit, lit_codes);
        sio__huffman_codes(lengths + nlit, ndist, dist_codes);
        sio__huffman_codes(clen_len, 19, clen_codes);
        sio__put_bits(w, 2 << 1, 3);
        sio__put_bits(w, (nlit - 257) | (ndist - 1) << 5 | (nclen - 4) << 10, 14);
        for (i = 0; i < nclen; i++) sio__put_bits(w, clen_len[sio__clen_order[i]], 3);
        for (i = 0; i < nrle; i++) {
            unsigned s = rle[i] & 31, x = rle[i] >> 5;
            sio__put_bits(w, clen_codes[s], clen_len[s]);
            if (s >= 16) sio__put_bits(w, x, s == 16 ? 2 : s == 17 ? 3 : 7);
        }
    }
    {
        sio__bitwriter lw = *w;                    /* a local copy: output stores could alias it */
        for (i = 0; i < k->count && !lw.full; i++) {
            uint32_t s = k->symbols[i];
            if (s < 256) {
                sio__put_bits(&lw, lit_codes[s], lit_len[s]);
            } else {
                unsigned ls = s & 31, ds = (s >> 10) & 31;
                unsigned dx = ((s >> 15) & 0x7fff) - (sio__dist_base[ds] - 1u);
                sio__put_bits(&lw, lit_codes[257 + ls] | ((s >> 5) & 31) << lit_len[257 + ls],
                              lit_len[257 + ls] + sio__len_extra[ls]);
                sio__put_bits(&lw, dist_codes[ds] | dx << dist_len[ds], dist_len[ds] + sio__dist_extra[ds]);
            }
        }
        *w = lw;
    }
    sio__put_bits(w, lit_codes[256], lit_len[256]);
}

static uint32_t sio__hash3(const unsigned char *p, unsigned bits)
{
    return (((uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2]) * 2654435761u) >> (32 - bits);
}

/* Work tables for one message, sized by it: small messages need little. */
typedef struct sio__lz {
    uint32_t *head, *prev;       /* position + 1 of the last and the previous occurrence of a hash */
    unsigned hash_bits;
    size_t prev_mask, window;
} sio__lz;

/* The longest match for position i within the window, 0 when under 3. */
static unsigned sio__lz_match(const sio__lz *z, const unsigned char *in, size_t len, size_t i, uint32_t cand, unsigned *dist)
{
    unsigned best = 2, chain = SIO__MAX_CHAIN;
    size_t max = len - i > 258 ? 258 : len - i;
    while (cand && chain--) {
        size_t c = cand - 1, n = 0;
        uint32_t older;
        if (i - c > z->window) break;
        if (in[c + best] == in[i + best]) {
            while (n + 8 <= max && memcmp(in + c + n, in + i + n, 8) == 0) n += 8;
            while (n < max && in[c + n] == in[i + n]) n++;
            if (n > best) {
                best = (unsigned)n;
                *dist = (unsigned)(i - c);
                if (n >= SIO__NICE_MATCH || n == max) break;
            }
        }
        older = z->prev[c & z->prev_mask];
        if (older >= cand) break;                  /* the slot was reused by a newer position */
        cand = older;
    }
    return best >= 3 ? best : 0;
}

static void sio__lz_insert(sio__lz *z, const unsigned char *in, size_t i)
{
    uint32_t h = sio__hash3(in + i, z->hash_bits);
    z->prev[i & z->prev_mask] = z->head[h];
    z->head[h] = (uint32_t)i + 1;
}

SIO_API int sio_deflate_message(sio_deflater *d, const unsigned char *in, size_t len, size_t limit,
                                const unsigned char **out, size_t *out_len)
{
    sio__lz z;
    sio__block k;
    sio__bitwriter w;
    size_t i = 0, cap, prev_size = 1, table;
    unsigned bits = d->window_bits >= 8 && d->window_bits <= 15 ? d->window_bits : 15;
    void *mem;
    *out = NULL;
    *out_len = 0;
    if (limit == 0 || len > (size_t)0xffffffffu - 1) return SIO_ERR_TOO_BIG;
    cap = (limit < len + len / 1024 + 64 ? limit : len + len / 1024 + 64) + 8;
    if (d->out_cap < cap) {
        void *p = sio__realloc(&d->allocator, d->out, cap);
        if (!p) return SIO_ERR_NOMEM;
        d->out = (unsigned char *)p;
        d->out_cap = cap;
    }
    memset(&z, 0, sizeof z);
    z.window = (size_t)1 << bits;
    z.hash_bits = 8;
    while (z.hash_bits < 15 && ((size_t)1 << z.hash_bits) < len) z.hash_bits++;
    while (prev_size < z.window && prev_size < len) prev_size <<= 1;
    z.prev_mask = prev_size - 1;
    table = ((size_t)1 << z.hash_bits) + prev_size;
    mem = sio__realloc(&d->allocator, NULL, sizeof(sio__block_tables) + table * sizeof(uint32_t) +
                                            SIO__BLOCK_SYMBOLS * sizeof(uint32_t));
    if (!mem) return SIO_ERR_NOMEM;
    z.head = (uint32_t *)((sio__block_tables *)mem + 1);
    z.prev = z.head + ((size_t)1 << z.hash_bits);
    memset(z.head, 0, ((size_t)1 << z.hash_bits) * sizeof(uint32_t));
    memset(&k, 0, sizeof k);
    k.in = in;
    k.symbols = z.prev + prev_size;
    k.t = (sio__block_tables *)mem;
    memset(&w, 0, sizeof w);
    w.out = d->out;
    w.cap = d->out_cap - 8;
    while (i < len && !w.full) {
        unsigned mlen = 0, dist = 0;
        if (i + 3 <= len) {
            uint32_t h = sio__hash3(in + i, z.hash_bits);
            mlen = sio__lz_match(&z, in, len, i, z.head[h], &dist);
            z.prev[i & z.prev_mask] = z.head[h];
            z.head[h] = (uint32_t)i + 1;
        }
        if (mlen) {
            size_t j, end = i + mlen;
            unsigned ls = sio__len_symbol(mlen - 3), ds = sio__dist_symbol(dist - 1);
            k.symbols[k.count++] = SIO__MATCH | ls | (mlen - sio__len_base[ls]) << 5 | ds << 10 | (uint32_t)(dist - 1) << 15;
            /* Short matches hash every position inside them; long ones
             * only their last few, so that the next match is near. */
            for (j = mlen <= SIO__INSERT_MAX ? i + 1 : end - 3; j < end && j + 3 <= len; j++) sio__lz_insert(&z, in, j);
            i = end;
        } else {
            k.symbols[k.count++] = in[i++];
        }
        if (k.count == SIO__BLOCK_SYMBOLS || i == len) {
            k.end = i;
            sio__write_block(&w, &k);
            k.start = i;
            k.count = 0;
        }
    }
    sio__put_bits(&w, 0, 3);              /* the empty stored block of the sync flush */
    sio__put_align(&w);
    sio__free(&d->allocator, mem);
    if (w.full || w.pos >= limit) return SIO_ERR_TOO_BIG;
    *out = d->out;
    *out_len = w.pos;
    return SIO_OK;
}

SIO_API void sio_deflater_free(sio_deflater *d)
{
    sio__free(&d->allocator, d->out);
    d->out = NULL;
    d->out_cap = 0;
}

#endif
