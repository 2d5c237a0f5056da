/* ---- sets: many clients driven from one thread ---------------------------
 * Readiness comes from the platform's poller (epoll on Linux, WSAPoll on
 * Windows), so a wake-up costs work only for the clients that have
 * something to do; timers sit in a binary heap.  Without a poller the set
 * falls back to wait() over every socket.  Clients are served first in,
 * first out.  A client's socket leaves the poller before it is closed. */

struct sio_set {
    sio__set_hooks hooks;              /* first: what its clients call (sio__set_of) */
    sio_allocator alloc;
    const sio_platform *pf;
    void *poller;
    size_t count;                      /* clients in the set */
    sio_client *ready_head, *ready_tail;
    sio_client **heap;                 /* by set_deadline, earliest first */
    size_t heap_count, heap_cap;
    sio_ready *events;
    size_t events_cap;
    sio_wait_item *items;              /* fallback without a poller */
    size_t items_cap;
    sio_client *all;                   /* every client, for the fallback */
};

static int sio__heap_less(const sio_set *s, size_t i, size_t j)
{
    return s->heap[i]->membership.set_deadline < s->heap[j]->membership.set_deadline;
}

static void sio__heap_swap(sio_set *s, size_t i, size_t j)
{
    sio_client *t = s->heap[i];
    s->heap[i] = s->heap[j];
    s->heap[j] = t;
    s->heap[i]->membership.heap_pos = i;
    s->heap[j]->membership.heap_pos = j;
}

static void sio__heap_fix(sio_set *s, size_t i)
{
    while (i > 0 && sio__heap_less(s, i, (i - 1) / 2)) {
        sio__heap_swap(s, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->heap_count && sio__heap_less(s, l, m)) m = l;
        if (r < s->heap_count && sio__heap_less(s, r, m)) m = r;
        if (m == i) return;
        sio__heap_swap(s, i, m);
        i = m;
    }
}

static void sio__heap_remove(sio_set *s, sio_client *c)
{
    size_t i = c->membership.heap_pos;
    if (i == SIO__NO_POS) return;
    s->heap_count--;
    if (i != s->heap_count) {
        s->heap[i] = s->heap[s->heap_count];
        s->heap[i]->membership.heap_pos = i;
        sio__heap_fix(s, i);
    }
    c->membership.heap_pos = SIO__NO_POS;
}

/* Puts the client's next deadline (0: none) into the heap. */
static int sio__heap_set(sio_set *s, sio_client *c, uint64_t deadline)
{
    if (!deadline) {
        sio__heap_remove(s, c);
        return SIO_OK;
    }
    c->membership.set_deadline = deadline;
    if (c->membership.heap_pos == SIO__NO_POS) {
        if (s->heap_count == s->heap_cap) {
            size_t cap = s->heap_cap ? s->heap_cap * 2 : 16;
            void *p = sio__realloc(&s->alloc, s->heap, cap * sizeof *s->heap);
            if (!p) return SIO_ERR_NOMEM;
            s->heap = (sio_client **)p;
            s->heap_cap = cap;
        }
        c->membership.heap_pos = s->heap_count;
        s->heap[s->heap_count++] = c;
    }
    sio__heap_fix(s, c->membership.heap_pos);
    return SIO_OK;
}

static void sio__ready_push(sio_set *s, sio_client *c)
{
    if (c->membership.in_ready) return;
    c->membership.in_ready = 1;
    c->membership.ready_next = NULL;
    c->membership.ready_prev = s->ready_tail;
    if (s->ready_tail) s->ready_tail->membership.ready_next = c;
    else s->ready_head = c;
    s->ready_tail = c;
}

static void sio__ready_unlink(sio_set *s, sio_client *c)
{
    if (!c->membership.in_ready) return;
    if (c->membership.ready_prev) c->membership.ready_prev->membership.ready_next = c->membership.ready_next;
    else s->ready_head = c->membership.ready_next;
    if (c->membership.ready_next) c->membership.ready_next->membership.ready_prev = c->membership.ready_prev;
    else s->ready_tail = c->membership.ready_prev;
    c->membership.in_ready = 0;
    c->membership.ready_next = c->membership.ready_prev = NULL;
}

/* A tag names a client's link for the poller: the client pointer with the
 * link's index in its low bits (clients are at least 4-byte aligned). */
static void *sio__tag(sio_client *c, int link) { return (void *)((uintptr_t)c | (uintptr_t)link); }

/* After a client had nothing more to say: registers its sockets' interest
 * with the poller and its next deadline with the heap. */
static void sio__set_sync(sio_set *s, sio_client *c)
{
    sio_wait_item items[SIO_MAX_SOCKETS];
    /* the timeout first: looking for plaintext may leave a TLS engine
     * ciphertext to send (an alert), which the interest must include */
    int t = sio_next_timeout_ms(c);
    size_t n, k;
    int link;
    uint64_t d;
    if (t == 0) {                              /* buffered work: serve it at once */
        sio__ready_push(s, c);
        return;
    }
    n = sio_sockets(c, items, SIO_MAX_SOCKETS);
    if (s->poller) {
        for (link = 0; link < SIO__LINKS; link++) {
            sio_socket sock = sio__link_at(c, link)->sock;
            int events = 0;
            for (k = 0; k < n; k++)
                if (items[k].socket == sock) events = items[k].events;
            if (sock == SIO_INVALID_SOCKET) {
                c->membership.reg_sock[link] = SIO_INVALID_SOCKET;   /* closed: the poller forgot it already */
                continue;
            }
            if (sock != c->membership.reg_sock[link]) c->membership.reg_events[link] = 0;
            if (events != c->membership.reg_events[link] || sock != c->membership.reg_sock[link]) {
                if (s->pf->poller_update(s->pf->user, s->poller, sock, c->membership.reg_events[link], events,
                                         sio__tag(c, link)) == SIO_OK) {
                    c->membership.reg_sock[link] = sock;
                    c->membership.reg_events[link] = events;
                }
            }
        }
    }
    d = t < 0 ? 0 : sio__now(c) + (uint64_t)t;
    sio__heap_set(s, c, d);
}

/* A client's socket is about to close: the poller forgets it first. */
static void sio__set_forget(sio_set *s, sio_client *c, sio_socket sock)
{
    int i;
    for (i = 0; i < SIO__LINKS; i++) {
        if (c->membership.reg_sock[i] != sock) continue;
        if (s->poller && c->membership.reg_events[i]) s->pf->poller_update(s->pf->user, s->poller, sock, c->membership.reg_events[i], 0, NULL);
        c->membership.reg_sock[i] = SIO_INVALID_SOCKET;
        c->membership.reg_events[i] = 0;
    }
}

SIO_API int sio_set_add(sio_set *s, sio_client *c)
{
    int i;
    if (!s || !c) return SIO_ERR_INVALID;
    if (c->membership.set) return c->membership.set == s ? SIO_OK : SIO_ERR_STATE;
    if (!s->pf) {
        s->pf = c->sys.pf;
        if (s->pf->poller_open && !(s->poller = s->pf->poller_open(s->pf->user))) return SIO_ERR_IO;
    } else if (s->pf != c->sys.pf) {
        return SIO_ERR_INVALID;                 /* one platform per set */
    }
    c->membership.set = s;
    c->membership.heap_pos = SIO__NO_POS;
    for (i = 0; i < SIO__LINKS; i++) {
        c->membership.reg_sock[i] = SIO_INVALID_SOCKET;
        c->membership.reg_events[i] = 0;
    }
    c->membership.all_next = s->all;
    c->membership.all_prev = NULL;
    if (s->all) s->all->membership.all_prev = c;
    s->all = c;
    s->count++;
    sio__ready_push(s, c);
    return SIO_OK;
}

SIO_API int sio_set_remove(sio_set *s, sio_client *c)
{
    int i;
    if (!s || !c || c->membership.set != s) return SIO_ERR_INVALID;
    sio__ready_unlink(s, c);
    sio__heap_remove(s, c);
    for (i = 0; i < SIO__LINKS && s->poller; i++)
        if (c->membership.reg_sock[i] != SIO_INVALID_SOCKET)
            s->pf->poller_update(s->pf->user, s->poller, c->membership.reg_sock[i], c->membership.reg_events[i], 0, NULL);
    if (c->membership.all_prev) c->membership.all_prev->membership.all_next = c->membership.all_next;
    else s->all = c->membership.all_next;
    if (c->membership.all_next) c->membership.all_next->membership.all_prev = c->membership.all_prev;
    c->membership.set = NULL;
    s->count--;
    return SIO_OK;
}

SIO_API int sio_set_create(const sio_allocator *alloc, sio_set **out)
{
    sio_set *s;
    sio_allocator a;
    if (!out) return SIO_ERR_INVALID;
    *out = NULL;
    memset(&a, 0, sizeof a);
    if (alloc) a = *alloc;
    s = (sio_set *)sio__realloc(&a, NULL, sizeof *s);
    if (!s) return SIO_ERR_NOMEM;
    memset(s, 0, sizeof *s);
    s->hooks.wake = sio__ready_push;
    s->hooks.forget = sio__set_forget;
    s->hooks.remove = sio_set_remove;
    s->alloc = a;
    *out = s;
    return SIO_OK;
}

SIO_API size_t sio_set_count(const sio_set *s) { return s ? s->count : 0; }

/* Waits for readiness; marks the ready links readable and queues their
 * clients.  Returns 0, or a negative status. */
static int sio__set_wait(sio_set *s, int wait_ms)
{
    size_t i;
    if (s->poller) {
        int n;
        if (s->events_cap < 256) {
            void *p = sio__realloc(&s->alloc, s->events, 256 * sizeof *s->events);
            if (!p) return SIO_ERR_NOMEM;
            s->events = (sio_ready *)p;
            s->events_cap = 256;
        }
        n = s->pf->poller_wait(s->pf->user, s->poller, s->events, s->events_cap, wait_ms);
        if (n > 0 && (size_t)n == s->events_cap && s->events_cap < SIO__LINKS * s->count) {
            /* a full batch: take more per call next time (a WSAPoll-style
             * poller pays for every registered socket on each call) */
            void *p = sio__realloc(&s->alloc, s->events, 2 * s->events_cap * sizeof *s->events);
            if (p) {
                s->events = (sio_ready *)p;       /* realloc kept this batch */
                s->events_cap *= 2;
            }
        }
        for (i = 0; n > 0 && i < (size_t)n; i++) {
            uintptr_t tag = (uintptr_t)s->events[i].tag;
            sio_client *c = (sio_client *)(tag & ~(uintptr_t)3);
            int link = (int)(tag & 3);
            if (c->membership.set != s) continue;
            sio__link_at(c, link)->may_read = 1;
            sio__ready_push(s, c);
        }
        return n < 0 ? n : 0;
    } else {
        size_t n = 0;
        sio_client *c;
        int r;
        if (s->items_cap < SIO__LINKS * s->count) {
            void *p = sio__realloc(&s->alloc, s->items, SIO__LINKS * s->count * sizeof *s->items);
            if (!p) return SIO_ERR_NOMEM;
            s->items = (sio_wait_item *)p;
            s->items_cap = SIO__LINKS * s->count;
        }
        for (c = s->all; c; c = c->membership.all_next) n += sio_sockets(c, s->items + n, SIO__LINKS);
        r = s->pf ? s->pf->wait(s->pf->user, s->items, n, wait_ms) : 0;
        if (r < 0) return r;
        for (c = s->all; c; c = c->membership.all_next) {    /* readiness is not mapped back: let everyone read */
            if (r == 0) break;
            sio__links_may_read(c);
            sio__ready_push(s, c);
        }
        return 0;
    }
}

SIO_API int sio_set_poll(sio_set *s, sio_event *ev, int timeout_ms)
{
    uint64_t start, now;
    int waited = 0;                           /* even with timeout 0, ask the poller once */
    if (!s || !ev) return SIO_ERR_INVALID;
    if (!s->pf) return 0;
    start = s->pf->now_ms(s->pf->user);
    for (;;) {
        size_t budget = s->count + 1;          /* each client once per round */
        int wait_ms = timeout_ms, r;
        while (s->ready_head && budget--) {
            sio_client *c = s->ready_head;
            sio__ready_unlink(s, c);
            if (sio__next_event(c, ev)) {
                sio__ready_push(s, c);          /* it may have more; others go first */
                return 1;
            }
            sio__set_sync(s, c);
        }
        memset(ev, 0, sizeof *ev);
        now = s->pf->now_ms(s->pf->user);
        while (s->heap_count && s->heap[0]->membership.set_deadline <= now) {   /* timers due */
            sio_client *c = s->heap[0];
            sio__heap_remove(s, c);
            sio__ready_push(s, c);
        }
        if (s->ready_head) continue;
        if (timeout_ms >= 0) {
            if (now - start >= (uint64_t)timeout_ms && waited) return 0;
            wait_ms = now - start >= (uint64_t)timeout_ms ? 0 : (int)((uint64_t)timeout_ms - (now - start));
        }
        if (s->heap_count) {
            uint64_t d = s->heap[0]->membership.set_deadline;
            int t = d <= now ? 0 : d - now > (uint64_t)INT_MAX ? INT_MAX : (int)(d - now);
            if (wait_ms < 0 || t < wait_ms) wait_ms = t;
        }
        if (!s->count) return 0;
        if ((r = sio__set_wait(s, wait_ms)) < 0) return r;
        waited = 1;
    }
}

SIO_API void sio_set_destroy(sio_set *s)
{
    if (!s) return;
    while (s->all) sio_set_remove(s, s->all);
    if (s->poller) s->pf->poller_close(s->pf->user, s->poller);
    sio__free(&s->alloc, s->heap);
    sio__free(&s->alloc, s->events);
    sio__free(&s->alloc, s->items);
    sio__free(&s->alloc, s);
}


