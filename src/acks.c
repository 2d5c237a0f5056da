/* ---------------------------------------------------------------------- */
/* acks: the emits waiting for the server's answer                         */
/* ---------------------------------------------------------------------- */

/* An engine without I/O: ids handed out in order, found again when the
 * answer comes, and timed out by the time passed in. */
typedef struct sio__ack {
    uint64_t id;
    int ns;                        /* the namespace's index */
    uint64_t deadline;             /* 0: none */
    int sent;                      /* the emit left the queue: a lost connection ends it */
} sio__ack;

typedef struct sio__acks {
    sio__ack *list;                /* in emit order */
    size_t count, cap;
    uint64_t next_id;
} sio__acks;

#if SIO__WITH_SOCKETIO   /* SIO_NO_SOCKETIO leaves Socket.IO out */
/* Room for one more, within max: SIO_OK, SIO_ERR_FULL or SIO_ERR_NOMEM. */
static int sio__acks_reserve(sio__acks *a, const sio_allocator *alloc, size_t max)
{
    if (a->count >= max) return SIO_ERR_FULL;
    if (a->count == a->cap) {
        size_t cap = a->cap ? a->cap * 2 : 8;
        void *p = sio__realloc(alloc, a->list, cap * sizeof *a->list);
        if (!p) return SIO_ERR_NOMEM;
        a->list = (sio__ack *)p;
        a->cap = cap;
    }
    return SIO_OK;
}

/* Takes the next id (after sio__acks_reserve). */
static uint64_t sio__acks_add(sio__acks *a, int ns, int sent, uint64_t deadline)
{
    sio__ack *k = &a->list[a->count++];
    k->id = a->next_id++;
    k->ns = ns;
    k->sent = sent;
    k->deadline = deadline;
    return k->id;
}

/* The index of the ack for id in namespace ns, or -1. */
static int sio__acks_find(const sio__acks *a, int ns, uint64_t id)
{
    size_t i;
    for (i = 0; i < a->count; i++)
        if (a->list[i].id == id && a->list[i].ns == ns) return (int)i;
    return -1;
}

/* Removes one, keeping the others in emit order. */
static void sio__acks_remove(sio__acks *a, size_t i)
{
    memmove(&a->list[i], &a->list[i + 1], (a->count - i - 1) * sizeof *a->list);
    a->count--;
}

/* The first ack at or after index from whose deadline has passed at now,
 * or -1. */
static int sio__acks_expired(const sio__acks *a, size_t from, uint64_t now)
{
    for (; from < a->count; from++)
        if (a->list[from].deadline && now >= a->list[from].deadline) return (int)from;
    return -1;
}

/* The earliest deadline, 0 when none. */
static uint64_t sio__acks_deadline(const sio__acks *a)
{
    uint64_t d = 0;
    size_t i;
    for (i = 0; i < a->count; i++) d = sio__earliest(a->list[i].deadline, d);
    return d;
}

/* An empty list gives back a large array. */
static void sio__acks_trim(sio__acks *a, const sio_allocator *alloc)
{
    if (!a->count && a->cap > 64) {
        sio__free(alloc, a->list);
        a->list = NULL;
        a->cap = 0;
    }
}
#endif
