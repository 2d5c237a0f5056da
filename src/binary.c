/* ---------------------------------------------------------------------- */
/* binary: a Socket.IO binary packet and the attachments that follow it    */
/* ---------------------------------------------------------------------- */

/* An engine without I/O.  The packet's text is kept until its attachments
 * have come (each its own message); then the whole is delivered, and its
 * memory stays valid until sio__binary_release at the next step. */
typedef struct sio__binary {
    char *text;                        /* the packet's text, NUL-terminated */
    size_t text_len;
    sio_bytes *parts;                  /* attachments so far (owned), room for slots */
    size_t slots, have, need;          /* need: the number announced, 0 once whole or abandoned */
    size_t bytes;                      /* text and attachments so far: max_message at most */
    int done;                          /* delivered or abandoned: freed at the next release */
} sio__binary;

#if SIO__WITH_SOCKETIO   /* SIO_NO_SOCKETIO leaves Socket.IO out */
/* Frees a delivered or abandoned packet (nothing while one is collecting). */
static void sio__binary_release(sio__binary *b, const sio_allocator *alloc)
{
    size_t i;
    if (!b->done) return;
    for (i = 0; i < b->have; i++) sio__free(alloc, (void *)b->parts[i].data);
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

/* One attachment.  Returns 1 when it was the last (the packet is whole:
 * text, parts, have), 0 when more are needed, SIO_ERR_STATE when none was
 * announced, SIO_ERR_TOO_BIG when the packet would pass max_message
 * (abandoned), SIO_ERR_NOMEM. */
static int sio__binary_add(sio__binary *b, const sio_allocator *alloc, const unsigned char *data, size_t len,
                           size_t max_message)
{
    unsigned char *copy;
    if (!b->need) return SIO_ERR_STATE;
    if (b->bytes > max_message || len > max_message - b->bytes) {   /* each fits; all must too */
        sio__binary_abandon(b);
        return SIO_ERR_TOO_BIG;
    }
    copy = (unsigned char *)sio__realloc(alloc, NULL, len ? len : 1);
    if (!copy) return SIO_ERR_NOMEM;
    if (len) memcpy(copy, data, len);
    b->bytes += len;
    b->parts[b->have].data = copy;
    b->parts[b->have].len = len;
    if (++b->have < b->need) return 0;
    sio__binary_abandon(b);                      /* whole: delivered now, freed at the next release */
    return 1;
}

/* Heap held, for sio_memory. */
static size_t sio__binary_memory(const sio__binary *b)
{
    size_t n = b->text ? b->text_len + 1 : 0, i;
    n += b->slots * sizeof(sio_bytes);
    for (i = 0; i < b->have; i++) n += b->parts[i].len ? b->parts[i].len : 1;
    return n;
}
#endif
