/* ---------------------------------------------------------------------- */
/* link: one TCP connection, its TLS session and its buffers              */
/* ---------------------------------------------------------------------- */

#define SIO__TEXT_SIZE 256
#define SIO__READ_CHUNK ((size_t)SIO_READ_MAX)   /* largest read */
/* largest read when messages are handed over in parts */
#define SIO__PARTS_READ (SIO_READ_MAX < 16384 ? (size_t)SIO_READ_MAX : (size_t)16384)
/* first read of a link; doubles while reads fill it */
#define SIO__READ_FIRST (SIO_READ_MAX < 2048 ? (size_t)SIO_READ_MAX : (size_t)2048)
#define SIO__KEEP ((size_t)8192)               /* buffers up to this size stay allocated when idle */
#define SIO__IDLE_MS 1000                      /* a link this long without reads is idle */

/* What a client's links share: the allocator for their buffers, the
 * platform's sockets, clock and randomness, the TLS backend for secure
 * URLs.  The link is the only layer that calls them (the client pump
 * closes sockets, as a sio_set must forget them first). */
typedef struct sio__system {
    sio_allocator alloc;
    const sio_platform *pf;
    const sio_tls *tls;
    unsigned char random_pool[256];    /* CSPRNG bytes for masking keys, drawn in batches */
    size_t random_left;
    size_t read_max;                   /* largest read: 0 = SIO__READ_CHUNK */
} sio__system;

/* Where a link goes: the origin (TLS runs to it, with its name), directly
 * or through a tunnel the proxy opens to target (the origin's name, or for
 * socks5:// its address). */
typedef struct sio__route {
    const char *host;                  /* the origin */
    unsigned short port;
    int secure;                        /* TLS to the origin */
    const sio_proxy_url *proxy;        /* NULL: no proxy */
    size_t max_head;                   /* the longest HTTP answer from the proxy */
} sio__route;

/* The proxy stage of a link while its tunnel opens (after TCP, before TLS). */
typedef struct sio__tunnel {
#if SIO__WITH_PROXY
    sio_proxy_handshake shake;
    size_t out_len, out_sent;          /* the handshake's bytes for the proxy */
    unsigned char out[SIO_PROXY_OUT_SIZE];
#else
    size_t out_len, out_sent;          /* never allocated */
#endif
} sio__tunnel;

/* One TCP connection (with its TLS session) and its buffers. */
typedef struct sio__link {
    sio_socket sock;
    void *tls;                         /* TLS session, NULL when plain */
    unsigned char *rx;                 /* bytes from the socket */
    size_t rx_start, rx_len, rx_cap;
    unsigned char *tx;                 /* bytes for the socket */
    size_t tx_sent, tx_len, tx_cap;
    int may_read;                      /* 0 after a short or empty read, until wait() says readable */
    int connecting;                    /* TCP connect in progress (polling links) */
    size_t chunk;                      /* next read size: grows while reads fill the buffer */
    int streaming;                     /* the last read filled the buffer: more is coming */
    uint64_t last_read;                /* ms of the last bytes read */
    uint64_t peer_reading;             /* ms when the socket last took bytes after refusing some:
                                          the peer is reading (a socket that never refuses proves nothing) */
    int write_blocked;                 /* the last flush left bytes the socket refused */
    uint64_t blocked_since;            /* ms when the socket began refusing bytes (write_blocked) */
    uint64_t taken;                    /* bytes the socket (or the TLS engine) took in all */
    uint64_t mark;                     /* sio__link_mark: taken once the socket took this many */
    uint64_t mark_taken_at;            /* ms when it did (0: not yet, or no mark) */
    int marked;
    int cipher_waiting;                /* TLS: the socket refused ciphertext the engine holds */
    uint64_t cipher_sent;              /* TLS: ciphertext the socket took in all */
    uint64_t mark_cipher;              /* TLS: the mark is taken once cipher_sent reaches this (0: not known yet) */
    uint64_t drained_at;               /* ms when a read last found the socket empty */
    int truncated;                     /* TLS: TCP ended without close_notify (the end may be forged) */
    sio__tunnel *tunnel;               /* the proxy's handshake while it runs (connecting stays 1) */
} sio__link;

static uint64_t sio__link_now(const sio__system *sys) { return sys->pf->now_ms(sys->pf->user); }

/* CSPRNG bytes, drawn from the platform in batches; used bytes are wiped. */
static int sio__random(sio__system *sys, unsigned char *out, size_t n)
{
    while (n > 0) {
        size_t take;
        if (sys->random_left == 0) {
            if (sys->pf->random(sys->pf->user, sys->random_pool, sizeof sys->random_pool) != SIO_OK) return SIO_ERR_IO;
            sys->random_left = sizeof sys->random_pool;
        }
        take = n < sys->random_left ? n : sys->random_left;
        memcpy(out, sys->random_pool + sizeof sys->random_pool - sys->random_left, take);
        memset(sys->random_pool + sizeof sys->random_pool - sys->random_left, 0, take);
        sys->random_left -= take;
        out += take;
        n -= take;
    }
    return SIO_OK;
}

/* Plaintext waiting inside the TLS engine (so no need to wait on the socket). */
static int sio__tls_buffered(const sio__system *sys, const sio__link *l)
{
    size_t n = 0;
    return l->tls && sys->tls->read_buf(l->tls, &n) && n > 0;
}

/* After the socket said "would block": whether the engine still has
 * something for a read, plaintext in one of its next few records (records
 * that yield none, like TLS 1.3 session tickets, come in twos) or an end
 * it reached while looking (failed, or closed) that the read reports. */
static int sio__tls_pending(const sio__system *sys, const sio__link *l)
{
    char why[64];                                /* a backend may describe its failure here */
    int k;
    if (!l->tls) return 0;
    for (k = 0; k < 4; k++) {
        if (sio__tls_buffered(sys, l)) return 1;
        why[0] = 0;
        if (sys->tls->status(l->tls, why, sizeof why) != 0) return 1;
    }
    return 0;
}

static int sio__tls_failed(const sio__system *sys, sio__link *l, char *err, size_t err_size)
{
    char why[SIO__TEXT_SIZE - 8];
    why[0] = 0;
    if (sys->tls->status(l->tls, why, sizeof why) >= 0) return 0;
    snprintf(err, err_size, "tls: %s", why[0] ? why : "failure");
    return 1;
}

/* Sends the ciphertext the engine has; 0, or -1 when the socket failed. */
static int sio__tls_push_out(const sio__system *sys, sio__link *l, char *err, size_t err_size)
{
    for (;;) {
        size_t n = 0;
        const unsigned char *p = sys->tls->send_buf(l->tls, &n);
        long w;
        if (!p || !n) { l->cipher_waiting = 0; return 0; }
        w = sys->pf->send(sys->pf->user, l->sock, p, n, err, err_size);
        if (w == SIO_ERR_AGAIN) { l->cipher_waiting = 1; return 0; }
        if (w <= 0) return -1;
        /* the engine takes plaintext a record at a time: the peer is seen reading by its ciphertext */
        if (l->cipher_waiting) l->peer_reading = sio__link_now(sys);
        l->cipher_sent += (uint64_t)w;
        sys->tls->send_done(l->tls, (size_t)w);
    }
}

/* A send failed (the peer closed): the reason may be a TLS alert still
 * waiting in the socket, so feed what can be read before blaming TCP.
 * Returns 1 (err filled with the TLS cause) if the engine failed. */
static int sio__tls_salvage(const sio__system *sys, sio__link *l, char *err, size_t err_size)
{
    int i;
    for (i = 0; i < 4; i++) {
        size_t n = 0;
        char ignored[64];
        unsigned char *in = sys->tls->recv_buf(l->tls, &n);
        long r;
        if (!in || !n) break;
        r = sys->pf->recv(sys->pf->user, l->sock, in, n, ignored, sizeof ignored);
        if (r <= 0) break;
        sys->tls->recv_done(l->tls, (size_t)r);
    }
    return sio__tls_failed(sys, l, err, err_size);
}

/* Plaintext into dst: bytes, 0 at a clean end, SIO_ERR_AGAIN, or an error. */
static long sio__tls_read(const sio__system *sys, sio__link *l, unsigned char *dst, size_t room, char *err, size_t err_size)
{
    int round;
    for (round = 0; round < 16; round++) {
        size_t n = 0;
        const unsigned char *p = sys->tls->read_buf(l->tls, &n);
        unsigned char *in;
        long r;
        if (p && n) {
            if (n > room) n = room;
            memcpy(dst, p, n);
            sys->tls->read_done(l->tls, n);
            return (long)n;
        }
        if (sio__tls_failed(sys, l, err, err_size)) return SIO_ERR_TLS;
        if (sys->tls->status(l->tls, NULL, 0) == 1) return 0;
        if (sio__tls_push_out(sys, l, err, err_size) < 0)                    /* handshake replies first */
            return sio__tls_salvage(sys, l, err, err_size) ? SIO_ERR_TLS : SIO_ERR_IO;
        in = sys->tls->recv_buf(l->tls, &n);
        if (!in || !n) {
            if (sio__tls_pending(sys, l)) continue;
            return SIO_ERR_AGAIN;
        }
        r = sys->pf->recv(sys->pf->user, l->sock, in, n, err, err_size);
        if (r <= 0) {
            if (r == SIO_ERR_AGAIN) {
                l->may_read = 0;
                /* an engine may hold records it took earlier but gave no
                 * plaintext for (mbedTLS after a session ticket) */
                if (sio__tls_pending(sys, l)) continue;
            }
            if (r == 0) l->truncated = 1;       /* no close_notify came first (that ends above) */
            return r;
        }
        sys->tls->recv_done(l->tls, (size_t)r);
    }
    return SIO_ERR_AGAIN;
}

/* Plaintext from tx into the engine, then its ciphertext to the socket. */
static int sio__tls_flush(const sio__system *sys, sio__link *l, char *text, size_t text_size)
{
    char err[128];
    err[0] = 0;
    while (l->tx_sent < l->tx_len) {
        size_t room = 0, n = l->tx_len - l->tx_sent;
        unsigned char *w = sys->tls->write_buf(l->tls, &room);
        if (!w || !room) break;                  /* handshake still running, or the engine is full */
        if (n > room) n = room;
        memcpy(w, l->tx + l->tx_sent, n);
        sys->tls->write_done(l->tls, n);
        l->tx_sent += n;
    }
    if (l->tx_sent == l->tx_len) l->tx_sent = l->tx_len = 0;
    if (sio__tls_push_out(sys, l, err, sizeof err) < 0) {
        if (sio__tls_salvage(sys, l, text, text_size)) return SIO_ERR_TLS;
        snprintf(text, text_size, "tcp: send failed: %s", err[0] ? err : "error");
        return SIO_ERR_IO;
    }
    return sio__tls_failed(sys, l, text, text_size) ? SIO_ERR_TLS : 0;
}

/* The marked bytes are all in the socket, or (TLS) in the engine: then
 * they are taken once the ciphertext the engine held at that moment has
 * gone too (an engine that keeps taking plaintext is never empty). */
static void sio__link_mark_check(const sio__system *sys, sio__link *l)
{
    size_t held = 0;
    if (l->tls && !l->mark_cipher) {
        if (sys->tls->send_buf(l->tls, &held) && held) {
            l->mark_cipher = l->cipher_sent + held;
            return;
        }
    } else if (l->tls && l->cipher_sent < l->mark_cipher) {
        return;
    }
    l->mark_taken_at = sio__link_now(sys);
}

/* sio__link_flush without TLS. */
static int sio__link_write(const sio__system *sys, sio__link *l, char *text, size_t text_size)
{
    char err[128];
    while (l->tx_sent < l->tx_len) {
        size_t n = l->tx_len - l->tx_sent;
        long w;
        if (n > (size_t)1 << 30) n = (size_t)1 << 30;
        err[0] = 0;
        w = sys->pf->send(sys->pf->user, l->sock, l->tx + l->tx_sent, n, err, sizeof err);
        if (w == SIO_ERR_AGAIN) return 0;
        if (w <= 0) {
            snprintf(text, text_size, "tcp: send failed: %s", err[0] ? err : sio_status_text((int)w));
            return SIO_ERR_IO;
        }
        l->tx_sent += (size_t)w;
    }
    l->tx_sent = l->tx_len = 0;
    return 0;
}

/* Writes a link's queued bytes until the socket would block.  Returns 0,
 * or SIO_ERR_IO / SIO_ERR_TLS with text saying why the connection failed. */
static int sio__link_flush(const sio__system *sys, sio__link *l, char *text, size_t text_size)
{
    size_t pending = l->tx_len - l->tx_sent;
    int r = l->tls ? sio__tls_flush(sys, l, text, text_size) : sio__link_write(sys, l, text, text_size);
    if (l->write_blocked && l->tx_len - l->tx_sent < pending) l->peer_reading = sio__link_now(sys);
    if (!l->write_blocked && l->tx_len > l->tx_sent) l->blocked_since = sio__link_now(sys);
    l->taken += pending - (l->tx_len - l->tx_sent);
    if (l->marked && !l->mark_taken_at && l->taken >= l->mark) sio__link_mark_check(sys, l);
    l->write_blocked = l->tx_len > l->tx_sent;
    return r;
}

/* Marks what is queued now (a ping just queued last): mark_taken_at says
 * when the socket took all of it.  An earlier mark stays until cleared (its
 * ping answered): it is the oldest unanswered ping. */
#if SIO__WITH_SOCKETIO   /* Engine.IO 3's pings */
static void sio__link_mark(sio__link *l)
{
    if (l->marked) return;               /* the oldest unanswered ping stays marked until cleared */
    l->marked = 1;
    l->mark = l->taken + (l->tx_len - l->tx_sent);
    l->mark_taken_at = 0;
    l->mark_cipher = 0;
}
#endif

/* Reads once into a link's receive buffer.  Returns bytes read, 0 on EOF,
 * SIO_ERR_AGAIN, or another negative status (err filled). */
static long sio__link_read(const sio__system *sys, sio__link *l, size_t need, char *err, size_t err_size)
{
    size_t want, room;
    long r;
    if (l->chunk < SIO__READ_FIRST) l->chunk = SIO__READ_FIRST;
    /* chunk - 1 plus the spare NUL byte: a power of two, so the largest
     * buffer stays under malloc's mmap threshold (no mmap/munmap per burst) */
    want = need > l->chunk - 1 ? need : l->chunk - 1;
    /* A short read means the socket is drained: skip the recv that would
     * only say EAGAIN and let the caller wait for readiness instead. */
    if (!l->may_read && !sio__tls_pending(sys, l)) return SIO_ERR_AGAIN;
    if (l->rx_start > 0 && l->rx_cap - l->rx_len < want + 1) {
        memmove(l->rx, l->rx + l->rx_start, l->rx_len - l->rx_start);
        l->rx_len -= l->rx_start;
        l->rx_start = 0;
    }
    if (l->rx_cap - l->rx_len < want + 1 &&
        sio__reserve(&sys->alloc, &l->rx, &l->rx_cap, l->rx_len + want + 1) != SIO_OK)
        return SIO_ERR_NOMEM;
    /* Keep one spare byte so a message at the end can be NUL-terminated. */
    room = l->rx_cap - l->rx_len - 1;
    if (l->tls) {
        r = sio__tls_read(sys, l, l->rx + l->rx_len, room, err, err_size);
    } else {
        r = sys->pf->recv(sys->pf->user, l->sock, l->rx + l->rx_len, room, err, err_size);
        if (r == SIO_ERR_AGAIN || (r > 0 && (size_t)r < room)) l->may_read = 0;
    }
    if (r > 0) {
        l->rx_len += (size_t)r;
        l->last_read = sio__link_now(sys);
    }
    if (!l->may_read) l->drained_at = sio__link_now(sys);   /* nothing more was there then */
    l->streaming = r > 0 && (size_t)r == room;
    if (l->streaming) {                  /* a stream: read more at once */
        size_t most = sys->read_max ? sys->read_max : SIO__READ_CHUNK;
        l->chunk = l->chunk < most / 2 ? l->chunk * 2 : most;
    }
    return r;
}

static int sio__link_reserve(const sio__system *sys, sio__link *l, size_t more)
{
    if (l->tx_sent > 0 && l->tx_cap - l->tx_len < more) {
        memmove(l->tx, l->tx + l->tx_sent, l->tx_len - l->tx_sent);
        l->tx_len -= l->tx_sent;
        l->tx_sent = 0;
    }
    return sio__reserve(&sys->alloc, &l->tx, &l->tx_cap, l->tx_len + more);
}

/* Gives back what an idle link holds beyond SIO__KEEP: the receive buffer
 * once it is empty and nothing was read for SIO__IDLE_MS (traffic keeps its
 * buffer: freeing it per wake-up would cost an allocation and, for big
 * buffers, system calls each time), the send buffer once it is flushed. */
static void sio__link_trim(const sio__system *sys, sio__link *l, int receiving)
{
    if (!receiving && l->rx_start == l->rx_len && l->rx_cap > SIO__KEEP &&
        sio__link_now(sys) - l->last_read >= SIO__IDLE_MS) {
        sio__free(&sys->alloc, l->rx);
        l->rx = NULL;
        l->rx_start = l->rx_len = l->rx_cap = 0;
        l->chunk /= 2;                   /* a burst after a pause still reads big */
    }
    if (l->tx_sent == l->tx_len && l->tx_cap > SIO__KEEP) {
        sio__free(&sys->alloc, l->tx);
        l->tx = NULL;
        l->tx_sent = l->tx_len = l->tx_cap = 0;
    }
}

static int sio__link_wants_write(const sio__system *sys, const sio__link *l)
{
    size_t n = 0;
    if (l->sock == SIO_INVALID_SOCKET) return 0;
    if (l->tunnel) return l->tunnel->out_sent < l->tunnel->out_len;
    if (l->tls && sys->tls->send_buf(l->tls, &n) && n) return 1;
    return l->connecting || l->tx_sent < l->tx_len;
}

/* What the link waits for (SIO_WAIT_READ, SIO_WAIT_WRITE): a connect in
 * progress only its completion (writable), else the peer's bytes (the
 * proxy's while the tunnel opens), and room while it has bytes to send. */
static int sio__link_wants(const sio__system *sys, const sio__link *l)
{
    if (l->sock == SIO_INVALID_SOCKET) return 0;
    return (l->connecting && !l->tunnel ? 0 : SIO_WAIT_READ) | (sio__link_wants_write(sys, l) ? SIO_WAIT_WRITE : 0);
}

#if SIO__WITH_PROXY
/* Runs the proxy's handshake: its bytes out, its answers in, until the
 * tunnel is open (1), more is awaited (0), or it failed (negative, text
 * says why).  The answers are read into the link's receive buffer, whose
 * growth the codec bounds (max_head); what follows them is the origin's. */
static int sio__link_tunnel(const sio__system *sys, sio__link *l, const sio__route *route, char *text, size_t text_size)
{
    sio__tunnel *t = l->tunnel;
    char err[SIO__TEXT_SIZE - 32];
    int reads = 0, steps;
    /* a step either takes buffered bytes or answers, so the steps end with
     * what is buffered; the cap only guards against a codec that did neither */
    for (steps = 0;; steps++) {
        size_t used = 0;
        long n;
        int r;
        while (t->out_sent < t->out_len) {
            err[0] = 0;
            n = sys->pf->send(sys->pf->user, l->sock, t->out + t->out_sent, t->out_len - t->out_sent, err, sizeof err);
            if (n == SIO_ERR_AGAIN) return 0;
            if (n <= 0) {
                snprintf(text, text_size, "proxy: send failed: %s", err[0] ? err : sio_status_text((int)n));
                return SIO_ERR_IO;
            }
            t->out_sent += (size_t)n;
        }
        r = sio_proxy_receive(&t->shake, l->rx ? l->rx + l->rx_start : NULL, l->rx_len - l->rx_start, &used, t->out,
                              sizeof t->out, &t->out_len, err, sizeof err);
        l->rx_start += used;
        t->out_sent = 0;
        if (r < 0) {
            snprintf(text, text_size, "%s", err);
            return r;
        }
        if (r == 1) break;
        if (steps >= 4096) return 0;
        if (used || t->out_len) continue;                 /* a step done: the next may be buffered already */
        if (reads++ == 16) return 0;                      /* after a look at what the last read brought */
        err[0] = 0;
        n = sio__link_read(sys, l, 0, err, sizeof err);
        if (n == SIO_ERR_AGAIN) return 0;
        if (n <= 0) {
            snprintf(text, text_size, "proxy: %s during its handshake%s%.160s", n == 0 ? "the proxy closed the connection"
                     : "reading failed", n == 0 ? "" : ": ", n == 0 ? "" : err[0] ? err : sio_status_text((int)n));
            return n == 0 ? SIO_ERR_PROXY : (int)n;
        }
    }
    if (route->secure && l->rx_len > l->rx_start) {        /* TLS starts with our hello: nothing may come first */
        snprintf(text, text_size, "proxy: bytes came through the tunnel before TLS started");
        return SIO_ERR_PROXY;
    }
    sio__free(&sys->alloc, t);
    l->tunnel = NULL;
    return 1;
}

#endif

/* 1 when the link is connected (through the proxy's tunnel when the route
 * has one, TLS started when it is secure), 0 while connecting, or a
 * negative status with text saying why.  target: where the tunnel goes
 * (NULL: the origin's name). */
static int sio__link_ready(const sio__system *sys, sio__link *l, const sio__route *route, const char *target,
                           char *text, size_t text_size)
{
    char err[128];
    int r;
    if (!l->connecting) return 1;
    if (!l->tunnel) {
        const sio_proxy_url *p = route->proxy;
        err[0] = 0;
        r = sys->pf->connect_result(sys->pf->user, l->sock, err, sizeof err);
        if (r == 0) return 0;
        if (r < 0) {
            size_t n = p ? p->host_len : strlen(route->host);     /* the proxy's host is a span of its URL */
            snprintf(text, text_size, "%s: cannot connect to %.*s port %u: %s", p ? "proxy" : "tcp",
                     (int)(n > 80 ? 80 : n), p ? p->host : route->host, (unsigned)(p ? p->port : route->port),
                     err[0] ? err : sio_status_text(r));
            return SIO_ERR_IO;
        }
#if SIO__WITH_PROXY
        if (p && !(l->tunnel = (sio__tunnel *)sio__realloc(&sys->alloc, NULL, sizeof *l->tunnel))) {
            snprintf(text, text_size, "proxy: out of memory for the handshake");
            return SIO_ERR_NOMEM;
        }
        if (p && sio_proxy_begin(&l->tunnel->shake, p, target ? target : route->host, route->port, route->max_head,
                                 l->tunnel->out, sizeof l->tunnel->out, &l->tunnel->out_len) != SIO_OK) {
            snprintf(text, text_size, "proxy: cannot ask for a tunnel to %.80s%s", target ? target : route->host,
                     !target && p->kind == SIO_PROXY_SOCKS5 ? " (socks5:// needs its address, which this client "
                     "cannot resolve itself: use socks5h://)" : "");
            return SIO_ERR_INVALID;
        }
        if (p) l->tunnel->out_sent = 0;
#else
        (void)target;
#endif
    }
#if SIO__WITH_PROXY
    if (l->tunnel && (r = sio__link_tunnel(sys, l, route, text, text_size)) <= 0) return r;
#endif
    l->connecting = 0;
    if (route->secure) {
        char why[SIO__TEXT_SIZE - 8];
        why[0] = 0;
        l->tls = sys->tls->open(sys->tls->user, route->host, why, sizeof why);
        l->truncated = 0;
        if (!l->tls) {
            snprintf(text, text_size, "tls: %s", why[0] ? why : "could not start a session");
            return SIO_ERR_TLS;
        }
    }
    return 1;
}

/* After a failed connect attempt (its socket closed by the client): no
 * tunnel state and none of the proxy's bytes are left for the next. */
static void sio__link_retry(const sio__system *sys, sio__link *l)
{
    sio__free(&sys->alloc, l->tunnel);
    l->tunnel = NULL;
    l->rx_start = l->rx_len = 0;
}

/* Ends the TLS session and frees the buffers; the socket must be closed
 * already (by the client, which tells its set first). */
static void sio__link_free(const sio__system *sys, sio__link *l)
{
    if (l->tls) sys->tls->close(l->tls);
    sio__free(&sys->alloc, l->tunnel);
    sio__free(&sys->alloc, l->rx);
    sio__free(&sys->alloc, l->tx);
    memset(l, 0, sizeof *l);
    l->sock = SIO_INVALID_SOCKET;
}
