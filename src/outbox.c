/* ---------------------------------------------------------------------- */
/* outbox: emits sent at least once (sio_config.retries)                   */
/* ---------------------------------------------------------------------- */

/* An engine without I/O: the emits a client with retries holds until the
 * server acknowledges them, in emit order.  A namespace has one try in
 * flight at a time, its first emit, so a resend never overtakes a later
 * emit.  The time comes in as an argument; the bytes can be saved as a
 * blob and read back after a restart. */
typedef struct sio__outgoing {
    struct sio__outgoing *next;
    uint64_t id;                   /* the application's handle: its ACK event carries it */
    uint64_t wire_id;              /* the ack id of the try in flight: each try has its own */
    uint64_t deadline;             /* of the try in flight; 0: none */
    uint64_t timeout;              /* how long each try waits for its answer; 0: no limit */
    int ns;                        /* the namespace's index */
    int tries;                     /* sends so far */
    int in_flight;
    const char *why;               /* why the last try ended without an answer (static text) */
    int want_ack;                  /* the answer is reported (a failure always is) */
    size_t body_len, count, total; /* the ["name",args...] text, the attachments, all bytes */
    size_t *lens;                  /* of the attachments */
    unsigned char *bytes;          /* the body, then the attachments */
} sio__outgoing;

typedef struct sio__outbox {
    sio__outgoing *head, *tail;
    size_t count, bytes;           /* entries, and the bytes they hold */
} sio__outbox;

/* A blob: "SIOQ", version 1, the count, then per emit its id, flags (1:
 * wants the answer), namespace, body and attachments, each length before
 * its bytes, all big-endian; last an FNV-1a hash of everything before it,
 * so that a file cut short or a flash page gone bad is refused. */
#define SIO__QUEUE_MAGIC "SIOQ"
#define SIO__QUEUE_VERSION 1

/* One emit as a blob holds it, pointing into the blob. */
typedef struct sio__saved_emit {
    uint64_t id;
    int want_ack;
    const char *ns;
    size_t ns_len;
    const char *body;
    size_t body_len;
    size_t count;                  /* attachments: count x (4-byte length, bytes) at atts */
    const unsigned char *atts;
} sio__saved_emit;

typedef struct sio__queue_reader {
    const unsigned char *p, *end;
    size_t left;                   /* emits not read yet */
} sio__queue_reader;

#if SIO__WITH_SOCKETIO   /* SIO_NO_SOCKETIO leaves Socket.IO out */
/* Appends an emit with room for body_len + the attachments' bytes (total
 * in all) and count lengths, for the caller to fill; NULL without memory. */
static sio__outgoing *sio__outbox_append(sio__outbox *o, const sio_allocator *a, int ns, uint64_t id, int want_ack,
                                         size_t body_len, size_t count, size_t total)
{
    sio__outgoing *e = (sio__outgoing *)sio__realloc(a, NULL, sizeof *e + count * sizeof(size_t) + total);
    if (!e) return NULL;
    memset(e, 0, sizeof *e);
    e->lens = (size_t *)(e + 1);
    e->bytes = (unsigned char *)(e->lens + count);
    e->id = id;
    e->ns = ns;
    e->want_ack = want_ack;
    e->body_len = body_len;
    e->count = count;
    e->total = total;
    if (o->tail) o->tail->next = e; else o->head = e;
    o->tail = e;
    o->count++;
    o->bytes += total;
    return e;
}

/* Appends an emit: its body as pieces, then count attachments. */
static int sio__outbox_add(sio__outbox *o, const sio_allocator *a, int ns, uint64_t id, int want_ack,
                           const void *const *pieces, const size_t *lens, size_t n,
                           const sio_bytes *atts, size_t count)
{
    size_t body, total = sio__packed_size(lens, n, atts, count, &body);
    sio__outgoing *e = sio__outbox_append(o, a, ns, id, want_ack, body, count, total);
    if (!e) return SIO_ERR_NOMEM;
    sio__pack(e->bytes, e->lens, pieces, lens, n, atts, count);
    return SIO_OK;
}

/* The first emit of namespace ns (the one that goes next), or NULL. */
static sio__outgoing *sio__outbox_first(const sio__outbox *o, int ns)
{
    sio__outgoing *e;
    for (e = o->head; e && e->ns != ns; e = e->next) {}
    return e;
}

/* The emit whose try in flight has ack id wire_id, or NULL: the answer to
 * an earlier try comes too late and is ignored. */
static sio__outgoing *sio__outbox_answered(const sio__outbox *o, int ns, uint64_t wire_id)
{
    sio__outgoing *e = sio__outbox_first(o, ns);
    return e && e->in_flight && e->wire_id == wire_id ? e : NULL;
}

/* An emit with this id, or NULL. */
static sio__outgoing *sio__outbox_find(const sio__outbox *o, uint64_t id)
{
    sio__outgoing *e;
    for (e = o->head; e && e->id != id; e = e->next) {}
    return e;
}

static void sio__outbox_remove(sio__outbox *o, const sio_allocator *a, sio__outgoing *e)
{
    sio__outgoing **link = &o->head, *prev = NULL;
    while (*link && *link != e) { prev = *link; link = &(*link)->next; }
    if (!*link) return;
    *link = e->next;
    if (o->tail == e) o->tail = prev;
    o->count--;
    o->bytes -= e->total;
    sio__free(a, e);
}

/* The try was sent now with ack id wire_id: its answer is due by now +
 * the emit's timeout (none: the connection's end decides). */
static void sio__outbox_sent(sio__outgoing *e, uint64_t wire_id, uint64_t now)
{
    e->tries++;
    e->in_flight = 1;
    e->wire_id = wire_id;
    e->deadline = e->timeout ? now + e->timeout : 0;
}

/* A try in flight whose deadline has passed at now, or NULL; the try is
 * over. */
static sio__outgoing *sio__outbox_expired(sio__outbox *o, uint64_t now)
{
    sio__outgoing *e;
    for (e = o->head; e; e = e->next)
        if (e->in_flight && e->deadline && now >= e->deadline) {
            e->in_flight = 0;
            e->why = "no ack within the ack timeout";
            return e;
        }
    return NULL;
}

/* The earliest deadline of a try in flight, 0 when none. */
static uint64_t sio__outbox_deadline(const sio__outbox *o)
{
    uint64_t d = 0;
    const sio__outgoing *e;
    for (e = o->head; e; e = e->next)
        if (e->in_flight) d = sio__earliest(e->deadline, d);
    return d;
}

/* The connection is gone and with it every answer on the way: the tries in
 * flight go again on the next one. */
static void sio__outbox_land(sio__outbox *o)
{
    sio__outgoing *e;
    for (e = o->head; e; e = e->next)
        if (e->in_flight) {
            e->in_flight = 0;
            e->why = "the connection was lost";
        }
}

static size_t sio__outbox_memory(const sio__outbox *o)
{
    const sio__outgoing *e;
    size_t n = 0;
    for (e = o->head; e; e = e->next) n += sizeof *e + e->count * sizeof(size_t) + e->total;
    return n;
}

static void sio__outbox_free(sio__outbox *o, const sio_allocator *a)
{
    while (o->head) sio__outbox_remove(o, a, o->head);
}

/* 1 if v fits a blob's 4-byte length (no comparison a 32-bit size_t makes
 * always true). */
static int sio__fits_u32(size_t v) { return (v >> 16 >> 16) == 0; }

static uint32_t sio__fnv1a(const unsigned char *p, size_t n)
{
    uint32_t h = 2166136261u;
    while (n--) h = (h ^ *p++) * 16777619u;
    return h;
}

static unsigned char *sio__put_be(unsigned char *p, uint64_t v, int bytes)
{
    while (bytes--) *p++ = (unsigned char)(v >> (8 * bytes));
    return p;
}

static uint64_t sio__get_be(const unsigned char *p, int bytes)
{
    uint64_t v = 0;
    while (bytes--) v = v << 8 | *p++;
    return v;
}

/* Writes the emits as a blob into out (cap bytes; out may be NULL to ask)
 * and says its size in *len.  name(ctx, ns) gives a namespace's name.
 * SIO_ERR_FULL when cap is too small; SIO_ERR_TOO_BIG for a piece that a
 * blob's lengths cannot say. */
static int sio__outbox_save(const sio__outbox *o, const char *(*name)(const void *ctx, int ns), const void *ctx,
                            unsigned char *out, size_t cap, size_t *len)
{
    const sio__outgoing *e;
    size_t need = 4 + 1 + 4 + 4, k;
    unsigned char *p = out;
    if (!sio__fits_u32(o->count)) return SIO_ERR_TOO_BIG;
    for (e = o->head; e; e = e->next) {
        size_t ns_len = strlen(name(ctx, e->ns)), more;
        if (ns_len > 0xFFFF || !sio__fits_u32(e->body_len) || e->count > 0xFFFF) return SIO_ERR_TOO_BIG;
        for (k = 0; k < e->count; k++)
            if (!sio__fits_u32(e->lens[k])) return SIO_ERR_TOO_BIG;
        more = 8 + 1 + 2 + ns_len + 4 + 2 + 4 * e->count;       /* the name is written once per emit: */
        if (more > (size_t)-1 - need || e->total > (size_t)-1 - need - more) return SIO_ERR_TOO_BIG;   /* count it */
        need += more + e->total;
    }
    *len = need;
    if (!out || cap < need) return SIO_ERR_FULL;
    memcpy(p, SIO__QUEUE_MAGIC, 4);
    p[4] = SIO__QUEUE_VERSION;
    p = sio__put_be(p + 5, o->count, 4);
    for (e = o->head; e; e = e->next) {
        const char *ns = name(ctx, e->ns);
        size_t ns_len = strlen(ns), off = e->body_len;
        p = sio__put_be(p, e->id, 8);
        *p++ = (unsigned char)(e->want_ack ? 1 : 0);
        p = sio__put_be(p, ns_len, 2);
        memcpy(p, ns, ns_len);
        p = sio__put_be(p + ns_len, e->body_len, 4);
        memcpy(p, e->bytes, e->body_len);
        p = sio__put_be(p + e->body_len, e->count, 2);
        for (k = 0; k < e->count; k++) {
            p = sio__put_be(p, e->lens[k], 4);
            if (e->lens[k]) memcpy(p, e->bytes + off, e->lens[k]);
            p += e->lens[k];
            off += e->lens[k];
        }
    }
    sio__put_be(p, sio__fnv1a(out, (size_t)(p - out)), 4);
    return SIO_OK;
}

/* Checks a blob's frame (magic, version, hash) and gets ready to read its
 * emits: SIO_OK or SIO_ERR_INVALID. */
static int sio__queue_read_begin(sio__queue_reader *r, const unsigned char *blob, size_t len)
{
    if (!blob || len < 13 || memcmp(blob, SIO__QUEUE_MAGIC, 4) != 0 || blob[4] != SIO__QUEUE_VERSION ||
        sio__get_be(blob + len - 4, 4) != sio__fnv1a(blob, len - 4))
        return SIO_ERR_INVALID;
    r->left = (size_t)sio__get_be(blob + 5, 4);
    r->p = blob + 9;
    r->end = blob + len - 4;
    return SIO_OK;
}

/* Takes n bytes of the blob (NULL when fewer are left). */
static const unsigned char *sio__queue_take(sio__queue_reader *r, size_t n)
{
    const unsigned char *p = r->p;
    if ((size_t)(r->end - r->p) < n) return NULL;
    r->p += n;
    return p;
}

/* The next emit: 1, 0 after the last (with every byte read), or
 * SIO_ERR_INVALID for a blob whose lengths do not add up. */
static int sio__queue_read_next(sio__queue_reader *r, sio__saved_emit *s)
{
    const unsigned char *p;
    size_t k;
    if (!r->left) return r->p == r->end ? 0 : SIO_ERR_INVALID;
    if (!(p = sio__queue_take(r, 11))) return SIO_ERR_INVALID;
    s->id = sio__get_be(p, 8);
    if (p[8] > 1) return SIO_ERR_INVALID;
    s->want_ack = p[8];
    s->ns_len = (size_t)sio__get_be(p + 9, 2);
    if (!(s->ns = (const char *)sio__queue_take(r, s->ns_len)) || !(p = sio__queue_take(r, 4))) return SIO_ERR_INVALID;
    s->body_len = (size_t)sio__get_be(p, 4);
    if (!(s->body = (const char *)sio__queue_take(r, s->body_len)) || !(p = sio__queue_take(r, 2))) return SIO_ERR_INVALID;
    s->count = (size_t)sio__get_be(p, 2);
    s->atts = r->p;
    for (k = 0; k < s->count; k++)
        if (!(p = sio__queue_take(r, 4)) || !sio__queue_take(r, (size_t)sio__get_be(p, 4))) return SIO_ERR_INVALID;
    r->left--;
    return 1;
}

/* The bytes a saved emit holds. */
static size_t sio__saved_size(const sio__saved_emit *s)
{
    const unsigned char *p = s->atts;
    size_t k, n = s->body_len;
    for (k = 0; k < s->count; k++) {
        size_t len = (size_t)sio__get_be(p, 4);
        n += len;
        p += 4 + len;
    }
    return n;
}

/* Appends a saved emit (read from a blob) to namespace ns. */
static int sio__outbox_add_saved(sio__outbox *o, const sio_allocator *a, int ns, const sio__saved_emit *s)
{
    const unsigned char *p = s->atts;
    size_t k, off = s->body_len;
    sio__outgoing *e = sio__outbox_append(o, a, ns, s->id, s->want_ack, s->body_len, s->count, sio__saved_size(s));
    if (!e) return SIO_ERR_NOMEM;
    memcpy(e->bytes, s->body, s->body_len);
    for (k = 0; k < s->count; k++) {
        e->lens[k] = (size_t)sio__get_be(p, 4);
        if (e->lens[k]) memcpy(e->bytes + off, p + 4, e->lens[k]);
        off += e->lens[k];
        p += 4 + e->lens[k];
    }
    return SIO_OK;
}

/* Removes the emits after last (all: last NULL), newest first. */
static void sio__outbox_cut(sio__outbox *o, const sio_allocator *a, sio__outgoing *last)
{
    while (o->tail && o->tail != last) sio__outbox_remove(o, a, o->tail);
}
#endif
