/* ---------------------------------------------------------------------- */
/* namespaces: Socket.IO's namespaces, their queues and held events        */
/* ---------------------------------------------------------------------- */

/* An engine without I/O.  It keeps what each namespace is (wanted,
 * connecting, connected), the emits waiting for its CONNECT reply and the
 * events that came before it, and says what a received packet means for
 * it; the session above sends, delivers and reports. */

/* An encoded Socket.IO packet waiting for its namespace's CONNECT reply:
 * the text message, then each attachment (lengths in lens[]). */
typedef struct sio__queued {
    struct sio__queued *next;
    size_t text_len, count, total;
    int64_t ack_id;                /* the emit's ack id, -1 when it asks for none */
    size_t *lens;
    unsigned char *bytes;
} sio__queued;

/* An event that arrived before its namespace's CONNECT reply (a server
 * recovering a session sends the missed ones first): delivered after it. */
typedef struct sio__held {
    struct sio__held *next;
    int has_id;
    uint64_t id;
    size_t data_len, count, total;
    sio_bytes *atts;
    char *data;                    /* the JSON array, NUL-terminated */
} sio__held;

enum { SIO__NS_OFF, SIO__NS_WANTED, SIO__NS_CONNECTING, SIO__NS_CONNECTED };

typedef struct sio__ns {
    char *name;                    /* "/" or "/admin" */
    char *auth;                    /* CONNECT payload, NULL for none */
    int state;
    int joined;                    /* the application wants it connected */
    char sid[64];
    char pid[64], offset[64];      /* state recovery: JSON string tokens, "" when unknown */
    sio__queued *queue_head, *queue_tail;
    size_t queued;                 /* packets in the queue */
    sio__held *held_head, *held_tail;
    char **subs;                   /* subscribed event names */
    size_t sub_count, sub_cap;
} sio__ns;

typedef struct sio__namespaces {
    sio__ns **list;                /* pointers stay put while the array grows */
    size_t count;
    size_t queued_bytes;           /* held by the queues (sio__queued_cost) */
    size_t held_bytes;             /* in the held events */
    sio__held *replayed;           /* delivered last; freed at the next step */
} sio__namespaces;

/* What a received packet means for its namespace (sio__namespaces_receive). */
enum sio__ns_verdict {
    SIO__NS_IGNORED,               /* not ours, or not expected in its state: dropped, as the JS client does */
    SIO__NS_JOINED,                /* the CONNECT reply: connected; the queue goes out now */
    SIO__NS_NO_SID,                /* a CONNECT reply without a sid (a Socket.IO v2 server): refused; the held events are to go */
    SIO__NS_REFUSED,               /* CONNECT_ERROR: refused; the queue and the held events are to go */
    SIO__NS_LEFT,                  /* the server DISCONNECTed it */
    SIO__NS_EVENT,                 /* an event to deliver */
    SIO__NS_EARLY,                 /* an event before the CONNECT reply: to hold */
    SIO__NS_ACK                    /* an ack to match */
};

#if SIO__WITH_SOCKETIO   /* SIO_NO_SOCKETIO leaves Socket.IO out */
static int sio__namespace_name_ok(const char *name)
{
    const char *p;
    if (!name || name[0] != '/' || strlen(name) > 200) return 0;
    for (p = name; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == ',' || *p == 0x7f) return 0;
    return 1;
}

/* The index of the namespace called name (len bytes), or -1. */
static int sio__namespaces_find(const sio__namespaces *n, const char *name, size_t len)
{
    size_t i;
    for (i = 0; i < n->count; i++)
        if (strlen(n->list[i]->name) == len && memcmp(n->list[i]->name, name, len) == 0) return (int)i;
    return -1;
}

/* Finds or adds a namespace (NULL: the URL's, index 0), at most max of
 * them.  Returns the index or a negative status. */
static int sio__namespaces_add(sio__namespaces *n, const sio_allocator *a, const char *name, size_t max)
{
    sio__ns *ns, **grown;
    int i;
    if (!name) return n->count ? 0 : SIO_ERR_STATE;
    if (!sio__namespace_name_ok(name)) return SIO_ERR_INVALID;
    i = sio__namespaces_find(n, name, strlen(name));
    if (i >= 0) return i;
    if (n->count >= max) return SIO_ERR_FULL;
    /* the list grows last, so that it never holds a slot without a namespace */
    if (!(ns = (sio__ns *)sio__realloc(a, NULL, sizeof *ns))) return SIO_ERR_NOMEM;
    memset(ns, 0, sizeof *ns);
    ns->name = sio__strdup(a, name);
    grown = ns->name ? (sio__ns **)sio__realloc(a, n->list, (n->count + 1) * sizeof *grown) : NULL;
    if (!grown) {
        sio__free(a, ns->name);
        sio__free(a, ns);
        return SIO_ERR_NOMEM;
    }
    n->list = grown;
    n->list[n->count] = ns;
    return (int)n->count++;
}

/* What a queued emit holds, counted against max_send_queue: its bytes and
 * its record (tiny emits would hold many times what their bytes say). */
static size_t sio__queued_cost(const sio__queued *q)
{
    return sizeof *q + q->count * sizeof(size_t) + q->total;
}

/* Copies a packet (text pieces, then attachments) to the end of the
 * namespace's queue, where it waits for the CONNECT reply. */
static int sio__namespaces_enqueue(sio__namespaces *n, const sio_allocator *a, sio__ns *ns, const void *const *pieces,
                                   const size_t *lens, size_t pieces_count, const sio_bytes *atts, size_t count,
                                   int64_t ack_id)
{
    size_t text_len, total = sio__packed_size(lens, pieces_count, atts, count, &text_len);
    sio__queued *q = (sio__queued *)sio__realloc(a, NULL, sizeof *q + count * sizeof(size_t) + total);
    if (!q) return SIO_ERR_NOMEM;
    q->lens = (size_t *)(q + 1);
    q->bytes = (unsigned char *)(q->lens + count);
    sio__pack(q->bytes, q->lens, pieces, lens, pieces_count, atts, count);
    q->next = NULL;
    q->ack_id = ack_id;
    q->text_len = text_len;
    q->count = count;
    q->total = total;
    if (ns->queue_tail) ns->queue_tail->next = q;
    else ns->queue_head = q;
    ns->queue_tail = q;
    ns->queued++;
    n->queued_bytes += sio__queued_cost(q);
    return SIO_OK;
}

/* An emit whose ack timed out while it still waited in the queue is not
 * sent any more (as the JS client drops it from its send buffer). */
static void sio__namespaces_unqueue(sio__namespaces *n, const sio_allocator *a, sio__ns *ns, uint64_t ack_id)
{
    sio__queued **link = &ns->queue_head, *prev = NULL;
    while (*link) {
        sio__queued *q = *link;
        if (q->ack_id == (int64_t)ack_id) {
            *link = q->next;
            if (ns->queue_tail == q) ns->queue_tail = prev;
            ns->queued--;
            n->queued_bytes -= sio__queued_cost(q);
            sio__free(a, q);
            return;
        }
        prev = q;
        link = &q->next;
    }
}

/* The first queued emit leaves the queue (it went out, or is dropped). */
static void sio__namespaces_shift(sio__namespaces *n, const sio_allocator *a, sio__ns *ns)
{
    sio__queued *q = ns->queue_head;
    ns->queue_head = q->next;
    if (!ns->queue_head) ns->queue_tail = NULL;
    ns->queued--;
    n->queued_bytes -= sio__queued_cost(q);
    sio__free(a, q);
}

static void sio__namespaces_drop_queue(sio__namespaces *n, const sio_allocator *a, sio__ns *ns)
{
    while (ns->queue_head) sio__namespaces_shift(n, a, ns);
}

static void sio__namespaces_drop_held(sio__namespaces *n, const sio_allocator *a, sio__ns *ns)
{
    while (ns->held_head) {
        sio__held *h = ns->held_head;
        ns->held_head = h->next;
        n->held_bytes -= h->total;
        sio__free(a, h);
    }
    ns->held_tail = NULL;
}

/* Keeps an event of a namespace still waiting for its CONNECT reply, all
 * held events together within max bytes. */
static int sio__namespaces_hold(sio__namespaces *n, const sio_allocator *a, sio__ns *ns, const sio_packet *pk,
                                const char *data, const sio_bytes *atts, size_t count, size_t max)
{
    size_t total = sizeof(sio__held) + count * sizeof(sio_bytes) + pk->data_len + 1, k;
    sio__held *h;
    unsigned char *p;
    for (k = 0; k < count; k++) total += atts[k].len;
    if (n->held_bytes + total > max) return SIO_ERR_TOO_BIG;
    if (!(h = (sio__held *)sio__realloc(a, NULL, total))) return SIO_ERR_NOMEM;
    h->next = NULL;
    h->has_id = pk->has_id;
    h->id = pk->id;
    h->data_len = pk->data_len;
    h->count = count;
    h->total = total;
    h->atts = (sio_bytes *)(h + 1);
    h->data = (char *)(h->atts + count);
    memcpy(h->data, data, pk->data_len);
    h->data[pk->data_len] = 0;
    p = (unsigned char *)h->data + pk->data_len + 1;
    for (k = 0; k < count; k++) {
        if (atts[k].len) memcpy(p, atts[k].data, atts[k].len);
        h->atts[k].data = p;
        h->atts[k].len = atts[k].len;
        p += atts[k].len;
    }
    if (ns->held_tail) ns->held_tail->next = h;
    else ns->held_head = h;
    ns->held_tail = h;
    n->held_bytes += total;
    return SIO_OK;
}

/* 1 when a held event can be delivered now: its namespace is connected. */
static int sio__namespaces_deliverable(const sio__namespaces *n)
{
    size_t i;
    for (i = 0; i < n->count && n->held_bytes; i++)
        if (n->list[i]->state == SIO__NS_CONNECTED && n->list[i]->held_head) return 1;
    return 0;
}

/* The next held event of a connected namespace (*i its index), or NULL.
 * It stays valid until the next call or sio__namespaces_release. */
static const sio__held *sio__namespaces_next_held(sio__namespaces *n, const sio_allocator *a, int *i)
{
    size_t k;
    sio__free(a, n->replayed);
    n->replayed = NULL;
    for (k = 0; k < n->count && n->held_bytes; k++) {
        sio__ns *ns = n->list[k];
        sio__held *h = ns->held_head;
        if (ns->state != SIO__NS_CONNECTED || !h) continue;
        ns->held_head = h->next;
        if (!ns->held_head) ns->held_tail = NULL;
        n->held_bytes -= h->total;
        n->replayed = h;
        *i = (int)k;
        return h;
    }
    return NULL;
}

/* Gives back the event delivered last. */
static void sio__namespaces_release(sio__namespaces *n, const sio_allocator *a)
{
    sio__free(a, n->replayed);
    n->replayed = NULL;
}

/* 1 while the application wants a namespace connected. */
static int sio__namespaces_wanted(const sio__namespaces *n)
{
    size_t i;
    for (i = 0; i < n->count; i++)
        if (n->list[i]->joined) return 1;
    return 0;
}

/* A new start: the URL's namespace (index 0) and those joined are wanted. */
static void sio__namespaces_start(sio__namespaces *n)
{
    size_t i;
    n->list[0]->joined = 1;                                /* as io(url) */
    for (i = 0; i < n->count; i++) n->list[i]->state = n->list[i]->joined ? SIO__NS_WANTED : SIO__NS_OFF;
}

/* The application or the server ended namespace i: what it held goes. */
static void sio__namespaces_leave(sio__namespaces *n, const sio_allocator *a, int i)
{
    sio__ns *ns = n->list[i];
    sio__namespaces_drop_queue(n, a, ns);
    sio__namespaces_drop_held(n, a, ns);
    ns->state = SIO__NS_OFF;
    ns->joined = 0;
}

/* The connection ended: the held events go, and the queues too unless
 * keep_queues (a reconnection follows) and the namespace is still wanted;
 * those go back to WANTED. */
static void sio__namespaces_end(sio__namespaces *n, const sio_allocator *a, int keep_queues)
{
    size_t i;
    for (i = 0; i < n->count; i++) {
        sio__ns *ns = n->list[i];
        if (!keep_queues || !ns->joined) sio__namespaces_drop_queue(n, a, ns);
        sio__namespaces_drop_held(n, a, ns);
        ns->state = ns->joined ? SIO__NS_WANTED : SIO__NS_OFF;
    }
}

/* The session's CONNECT reply: the socket id (Engine.IO 3 has none and
 * takes the engine's, "sid" or "/admin#sid") and the recovery pid.
 * *recovered is 1 when the server resumed the last session. */
static int sio__namespaces_joined(sio__ns *ns, int eio_version, const char *engine_sid, sio_json payload,
                                  int *recovered)
{
    sio_json sid, pid;
    if (eio_version == 3) {
        size_t k = 0;
        const char *part[3], *src;
        int m;
        part[0] = strcmp(ns->name, "/") ? ns->name : "";
        part[1] = strcmp(ns->name, "/") ? "#" : "";
        part[2] = engine_sid;
        for (m = 0; m < 3; m++)
            for (src = part[m]; *src && k + 1 < sizeof ns->sid; src++) ns->sid[k++] = *src;
        ns->sid[k] = 0;
    } else if (!sio_json_find(payload, "sid", &sid) || sio_json_string(sid, ns->sid, sizeof ns->sid, NULL) != SIO_OK) {
        ns->state = SIO__NS_OFF;
        ns->joined = 0;
        return SIO__NS_NO_SID;
    }
    ns->state = SIO__NS_CONNECTED;
    *recovered = 0;
    if (sio_json_find(payload, "pid", &pid) && sio_json_typeof(pid) == SIO_JSON_STRING &&
        pid.len < sizeof ns->pid) {             /* state recovery (Socket.IO 4.6+) */
        *recovered = ns->pid[0] && strlen(ns->pid) == pid.len && memcmp(ns->pid, pid.text, pid.len) == 0;
        if (!*recovered) ns->offset[0] = 0;
        memcpy(ns->pid, pid.text, pid.len);
        ns->pid[pid.len] = 0;
    } else {
        ns->pid[0] = ns->offset[0] = 0;
    }
    return SIO__NS_JOINED;
}

/* What a received packet means for its namespace (*i: its index; for
 * JOINED, *recovered as above).  The state changes here; the queue, the
 * held events, the acks and the events are the caller's to handle. */
static int sio__namespaces_receive(sio__namespaces *n, int eio_version, const char *engine_sid, const sio_packet *pk,
                                   sio_json payload, int *i, int *recovered)
{
    sio__ns *ns;
    if ((*i = sio__namespaces_find(n, pk->ns, pk->ns_len)) < 0) return SIO__NS_IGNORED;
    ns = n->list[*i];
    switch (pk->type) {
    case SIO_PACKET_CONNECT:
        if (ns->state != SIO__NS_CONNECTING) return SIO__NS_IGNORED;
        return sio__namespaces_joined(ns, eio_version, engine_sid, payload, recovered);
    case SIO_PACKET_CONNECT_ERROR:
        if (ns->state != SIO__NS_CONNECTING) return SIO__NS_IGNORED;
        ns->state = SIO__NS_OFF;
        ns->joined = 0;
        return SIO__NS_REFUSED;
    case SIO_PACKET_DISCONNECT:
        if (ns->state != SIO__NS_CONNECTED) return SIO__NS_IGNORED;
        ns->state = SIO__NS_OFF;
        ns->joined = 0;
        return SIO__NS_LEFT;
    case SIO_PACKET_EVENT:
    case SIO_PACKET_BINARY_EVENT:
        if (ns->state == SIO__NS_CONNECTING) return SIO__NS_EARLY;   /* delivered after the CONNECT reply */
        return ns->state == SIO__NS_CONNECTED ? SIO__NS_EVENT : SIO__NS_IGNORED;
    case SIO_PACKET_ACK:
    case SIO_PACKET_BINARY_ACK:
        return pk->has_id ? SIO__NS_ACK : SIO__NS_IGNORED;
    default:
        return SIO__NS_IGNORED;
    }
}

/* 1 when pk is an event sio__namespaces_receive would hold until its
 * namespace's CONNECT reply (SIO__NS_EARLY). */
static int sio__namespaces_early(const sio__namespaces *n, const sio_packet *pk)
{
    int i = sio__namespaces_find(n, pk->ns, pk->ns_len);
    return i >= 0 && (pk->type == SIO_PACKET_EVENT || pk->type == SIO_PACKET_BINARY_EVENT) &&
           n->list[i]->state == SIO__NS_CONNECTING;
}

/* 1 when events called name reach the application (no subscription: all). */
static int sio__namespace_subscribed(const sio__ns *ns, const char *name)
{
    size_t i;
    if (ns->sub_count == 0) return 1;
    for (i = 0; i < ns->sub_count; i++)
        if (strcmp(ns->subs[i], name) == 0) return 1;
    return 0;
}

/* Adds event to the namespace's subscriptions, at most 1,024 of them. */
static int sio__namespace_subscribe(sio__ns *ns, const sio_allocator *a, const char *event)
{
    char *copy;
    if (ns->sub_count && sio__namespace_subscribed(ns, event)) return SIO_OK;
    if (ns->sub_count >= 1024) return SIO_ERR_FULL;
    if (ns->sub_count == ns->sub_cap) {
        size_t cap = ns->sub_cap ? ns->sub_cap * 2 : 4;
        void *p = sio__realloc(a, ns->subs, cap * sizeof(char *));
        if (!p) return SIO_ERR_NOMEM;
        ns->subs = (char **)p;
        ns->sub_cap = cap;
    }
    if (!(copy = sio__strdup(a, event))) return SIO_ERR_NOMEM;
    ns->subs[ns->sub_count++] = copy;
    return SIO_OK;
}

static void sio__namespace_unsubscribe(sio__ns *ns, const sio_allocator *a, const char *event)
{
    size_t k;
    for (k = 0; k < ns->sub_count; k++)
        if (strcmp(ns->subs[k], event) == 0) {
            sio__free(a, ns->subs[k]);
            ns->subs[k] = ns->subs[--ns->sub_count];
            return;
        }
}

/* Heap held by the namespaces, for sio_memory. */
static size_t sio__namespaces_memory(const sio__namespaces *n)
{
    size_t bytes = n->count * sizeof(sio__ns *), i, k;
    for (i = 0; i < n->count; i++) {
        const sio__ns *ns = n->list[i];
        const sio__queued *q;
        const sio__held *h;
        bytes += sizeof *ns + sio__str_size(ns->name) + sio__str_size(ns->auth) + ns->sub_cap * sizeof(char *);
        for (k = 0; k < ns->sub_count; k++) bytes += sio__str_size(ns->subs[k]);
        for (q = ns->queue_head; q; q = q->next) bytes += sizeof *q + q->count * sizeof(size_t) + q->total;
        for (h = ns->held_head; h; h = h->next) bytes += h->total;
    }
    return bytes + (n->replayed ? n->replayed->total : 0);
}

static void sio__namespaces_free(sio__namespaces *n, const sio_allocator *a)
{
    size_t i, k;
    sio__namespaces_release(n, a);
    for (i = 0; i < n->count; i++) {
        sio__ns *ns = n->list[i];
        sio__namespaces_drop_queue(n, a, ns);
        sio__namespaces_drop_held(n, a, ns);
        for (k = 0; k < ns->sub_count; k++) sio__free(a, ns->subs[k]);
        sio__free(a, ns->subs);
        sio__free(a, ns->auth);
        sio__free(a, ns->name);
        sio__free(a, ns);
    }
    sio__free(a, n->list);
    n->list = NULL;
    n->count = 0;
}
#endif
