/* ---------------------------------------------------------------------- */
/* binary: a Socket.IO binary packet and the attachments that follow it    */
/* ---------------------------------------------------------------------- */

/* An engine without I/O.  The packet's text is kept until its attachments
 * have come (each its own message, or its parts in order); then the whole
 * is delivered, and its memory stays valid until sio__binary_release at
 * the next step.  With receive_parts the packet is delivered at once and
 * its attachments are only counted as their parts go by (in_parts). */
typedef struct sio__binary {
    char *text;                        /* the packet's text, NUL-terminated */
    size_t text_len;
    sio_bytes *parts;                  /* attachments so far (owned), room for slots */
    size_t slots, have, need;          /* need: the number announced, 0 once whole or abandoned;
                                          in_parts: have = the attachments ended */
    size_t filled, room;               /* the attachment parts[have] being put together from parts */
    size_t bytes;                      /* text and attachments so far: max_message at most */
    int done;                          /* delivered or abandoned: freed at the next release */
    int in_parts;                      /* its attachments are handed over in parts as they come */
    int deliver;                       /* in_parts: the packet was delivered, so its attachments are */
    const char *ns;                    /* in_parts and deliver: the packet's namespace's name (a
                                          namespace lives as long as its client) */
    int64_t id;                        /* in_parts and deliver: its ack id (-1 none) */
} sio__binary;

#if SIO__WITH_SOCKETIO   /* SIO_NO_SOCKETIO leaves Socket.IO out */
/* Frees a delivered or abandoned packet (nothing while one is collecting). */
static void sio__binary_release(sio__binary *b, const sio_allocator *alloc)
{
    size_t i;
    if (!b->done) return;
    for (i = 0; b->parts && i < b->have + (b->room ? 1 : 0); i++) sio__free(alloc, (void *)b->parts[i].data);
    sio__free(alloc, b->parts);
    sio__free(alloc, b->text);
    memset(b, 0, sizeof *b);
}

/* Stops collecting: what came is freed at the next release. */
static void sio__binary_abandon(sio__binary *b)
{
    b->need = 0;
    b->done = 1;
}

/* A packet delivered at once (deliver: in namespace ns, ack id id) or
 * dropped, whose count attachments are handed over in parts as they come.
 * SIO_ERR_STATE while another is still collecting. */
static int sio__binary_begin_parts(sio__binary *b, size_t count, int deliver, const char *ns, int64_t id)
{
    if (b->need) return SIO_ERR_STATE;
    b->ns = deliver ? ns : NULL;
    b->in_parts = 1;
    b->deliver = deliver;
    b->id = id;
    b->need = count;
    b->have = 0;
    b->done = 0;
    return SIO_OK;
}

/* One part of the attachment in parts: which one it is (from 0); the
 * packet is done after the final part of its last.  SIO_ERR_STATE when
 * no attachment was announced. */
static long sio__binary_part(sio__binary *b, int final)
{
    size_t index = b->have;
    if (!b->need || !b->in_parts) return SIO_ERR_STATE;
    if (final && ++b->have == b->need) sio__binary_abandon(b);   /* the last: freed at the next release */
    return (long)index;
}

/* A packet announcing count attachments (text[len], at most max_message).
 * SIO_ERR_STATE while another is still collecting; SIO_ERR_NOMEM. */
static int sio__binary_begin(sio__binary *b, const sio_allocator *alloc, const char *text, size_t len, size_t count)
{
    if (b->text) return SIO_ERR_STATE;
    b->text = (char *)sio__realloc(alloc, NULL, len + 1);
    b->parts = (sio_bytes *)sio__realloc(alloc, NULL, count * sizeof *b->parts);
    b->text_len = len;
    b->slots = b->parts ? count : 0;
    b->done = 1;                                 /* on failure, freed at the next release */
    if (!b->text || !b->parts) return SIO_ERR_NOMEM;
    memcpy(b->text, text, len);
    b->text[len] = 0;
    b->bytes = len;
    b->need = count;
    b->have = 0;
    b->done = 0;
    return SIO_OK;
}

/* Bytes of an attachment (all of it, or a part of it with final 0 until
 * its last).  Returns 1 when the packet is whole (text, parts, have), 0
 * when more is needed, SIO_ERR_STATE when no attachment was announced,
 * SIO_ERR_TOO_BIG when the packet would pass max_message (abandoned),
 * SIO_ERR_NOMEM. */
static int sio__binary_add(sio__binary *b, const sio_allocator *alloc, const unsigned char *data, size_t len,
                           int final, size_t max_message)
{
    unsigned char *at;
    if (!b->need || b->in_parts) return SIO_ERR_STATE;
    if (b->bytes > max_message || len > max_message - b->bytes) {   /* each fits; all must too */
        sio__binary_abandon(b);
        return SIO_ERR_TOO_BIG;
    }
    if (!b->room) b->parts[b->have].data = NULL;
    if (b->filled + len > b->room || !b->room) {  /* doubling: parts add up in linear time */
        size_t need = b->filled + len, room = final || b->room * 2 < need ? need : b->room * 2;
        if (room > max_message) room = need;
        if (!(at = (unsigned char *)sio__realloc(alloc, (void *)b->parts[b->have].data, room ? room : 1)))
            return SIO_ERR_NOMEM;
        b->parts[b->have].data = at;
        b->room = room ? room : 1;
    }
    at = (unsigned char *)b->parts[b->have].data;
    if (len) memcpy(at + b->filled, data, len);
    b->filled += len;
    b->bytes += len;
    if (!final) return 0;
    if (b->room > b->filled && b->filled &&     /* doubled past the end: give the rest back */
        (at = (unsigned char *)sio__realloc(alloc, (void *)b->parts[b->have].data, b->filled)) != NULL)
        b->parts[b->have].data = at;
    b->parts[b->have].len = b->filled;
    b->filled = b->room = 0;
    if (++b->have < b->need) return 0;
    sio__binary_abandon(b);                      /* whole: delivered now, freed at the next release */
    return 1;
}

/* Heap held, for sio_memory. */
static size_t sio__binary_memory(const sio__binary *b)
{
    size_t n = b->text ? b->text_len + 1 : 0, i;
    n += b->slots * sizeof(sio_bytes) + b->room;
    for (i = 0; i < b->have && b->parts; i++) n += b->parts[i].len ? b->parts[i].len : 1;
    return n;
}
#endif
