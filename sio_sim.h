/* sio_sim.h - a deterministic simulator for testing programs that use sio.
 *
 * It runs the real client against in-process servers on a simulated
 * network and clock, so a program's reconnect, ack-timeout and error
 * handling can be tested in milliseconds, with faults drawn from a seed and
 * every run replaying exactly:
 *
 *   - the network (sio_sim_net): up to SIO_SIM_LINKS connections in memory,
 *     a clock that moves only when every client waits, a seeded random
 *     source, and knobs for faults (reads and writes split at any byte,
 *     connections reset, connects refused or slow, names not resolving);
 *   - a server model (sio_sim_server) per port: Engine.IO 4 + Socket.IO 5
 *     over long-polling, the upgrade probe and WebSocket, or Engine.IO 3 +
 *     Socket.IO 4 over WebSocket; namespaces, acks, binary attachments,
 *     server pings, restarts; or a plain WebSocket echo server;
 *   - a fault injector (sio_sim_faults, sio_sim_inject) that draws those
 *     faults, server restarts, namespace kicks and clock jumps from the seed;
 *     sio_sim_heal ends them, to check that everything completes after.
 *
 * Use it with any build of sio; the clients under test get the simulated
 * network through sio_config.platform, so the program's real clients are
 * untouched.  Linked with a platform file (sio_impl_posix.c, the library),
 * nothing more is needed; with only SIO_IMPLEMENTATION compiled in, define
 * sio_platform_default() too (returning sio_sim_platform(&net) will do).
 *
 *     #include "sio.h"
 *     #include "sio_sim.h"
 *
 *     static sio_sim_net net;           (about 800 KB: static or on the heap; never copied)
 *     static sio_sim_server server;     (about 100 KB; alive as long as the network)
 *     sio_sim_net_init(&net, seed);                (first: it forgets every server)
 *     sio_sim_server_init(&server, &net, 80, 1);   (socket.io on port 80, upgrades offered; 0 if served)
 *     cfg.url = "http://app.test/";  cfg.platform = sio_sim_platform(&net);
 *     sio_create(&cfg, &c); sio_start(c);
 *     for (step = 0; step < 1000; step++) {
 *         sio_sim_server_step(&server);                 (the server reads, answers, pings)
 *         sio_sim_inject(&net, &server, 1, &faults);    (optional: faults from the seed)
 *         while (sio_poll(c, &ev, 0) == 1) handle(&ev); (the program under test)
 *         sio_sim_idle(&net, 50);                       (the clock moves on)
 *     }
 *
 * Polling with a timeout moves the clock too: a sio_poll(c, &ev, 5000) with
 * nothing to read returns at once, 5 s later in simulated time, its waits
 * stopping at every server timer on the way (a program that blocks in
 * sio_poll sets net.on_wait to step its servers, so that they ping on
 * time).  Host names
 * are not resolved: every host reaches the server listening on the URL's
 * port (80 for http/ws, 443 for https/wss: the model speaks no TLS, so use
 * plain URLs).  A connection buffers 32 KiB each way: the server takes
 * packets, messages and POST bodies up to 24 KiB (SIO_SIM_MAX_PAYLOAD, its
 * maxPayload) and refuses larger ones as a real server would, and a client
 * that leaves 32 KiB unread has its connection reset (over polling, 24 KiB
 * of packets waiting end its session).  One client per server (a
 * polling client holds two or three connections); more clients take more
 * servers on other ports, and may share a sio_set.  Nothing here is global:
 * several networks may run side by side.  sio's own simulator (tests/sim.c)
 * is built on this header.
 *
 * Include after sio.h; every function is static.  C99. */
#ifndef SIO_SIM_H
#define SIO_SIM_H
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SIO_SIM_LINKS
#define SIO_SIM_LINKS 12              /* connections open at once, over all clients */
#endif
#define SIO_SIM_LINK_BYTES (1 << 15)  /* each direction of a connection buffers this much */
#define SIO_SIM_SOCKET_BASE 100       /* link i is socket SIO_SIM_SOCKET_BASE + i */
#define SIO_SIM_PORTS 8               /* servers on one network */

/* One connection: what the server wrote for the client to read (in), and
 * what the client wrote (out) for the server model to read. */
typedef struct sio_sim_link {
    unsigned char in[SIO_SIM_LINK_BYTES];
    size_t in_len, in_pos;
    unsigned char out[SIO_SIM_LINK_BYTES];
    size_t out_len;
    int open;                     /* the client has not closed it */
    int eof;                      /* the server closed it: reads end after what is there */
    int reset;                    /* reads and writes fail: "Connection reset by peer" */
    int gone;                     /* the server's end is closed: what the client writes is lost */
    unsigned serial;              /* sio_sim_net.opened when it was made */
    unsigned short port;          /* the port it was made to */
    uint64_t connected_at;        /* the connect completes at this time (a slow network) */
    char key[25];                 /* the Sec-WebSocket-Key of its handshake, if any */
} sio_sim_link;

struct sio_sim_server;

typedef struct sio_sim_net {
    uint64_t now;                 /* the clock, in ms; starts at 1000 */
    uint64_t rng;                 /* the seed's generator state for faults (sio_sim_rand) */
    uint64_t client_rng;          /* and for the clients' random bytes (masks, jitter), apart, so
                                     that a program's own draws do not move the faults */
    sio_sim_link link[SIO_SIM_LINKS];
    /* faults the program or sio_sim_inject sets */
    size_t max_read, max_write;   /* 0: no limit; else each recv/send moves at most this many bytes */
    int refuse_connects;          /* every connect is refused */
    int resolve_fail;             /* names do not resolve ("Temporary failure in name resolution") */
    uint64_t resolve_fail_until;  /* nor until this time */
    unsigned connect_ms;          /* new connections take this long to complete */
    int random_fail;              /* the random source fails */
    /* what happened */
    unsigned opened, closed, sockets;   /* connections made, closed by the client, open now */
    unsigned resets, restarts, jumps;   /* faults sio_sim_inject made */
    unsigned unresolved, slow;    /* connects that found no name, connects that took time */
    unsigned overflows;           /* connections reset (sessions ended, over polling) because the
                                     client left 32 KiB unread */
    unsigned sids;                /* sessions opened on the network: each sid is new */
    struct sio_sim_server *server[SIO_SIM_PORTS];   /* by sio_sim_server_init */
    /* optional: told each fault sio_sim_inject makes */
    void (*trace)(void *user, const char *what, long value);
    void *trace_user;
    /* optional: called by every wait of a client before it looks at the links, so that a
     * program blocking in sio_poll(c, &ev, -1) still has its servers answer */
    void (*on_wait)(void *user);
    void *on_wait_user;
    sio_platform platform;        /* sio_sim_platform(): user points here (do not copy the net) */
} sio_sim_net;

/* ---- the seeded generator ---- */

static inline uint32_t sio_sim_xorshift(uint64_t *state)
{
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    return (uint32_t)(*state >> 11);
}
/* The next 32 random bits of the network's seed (xorshift64). */
static inline uint32_t sio_sim_rand(sio_sim_net *n) { return sio_sim_xorshift(&n->rng); }
/* 1 with a chance of per_mille in 1000. */
static inline int sio_sim_chance(sio_sim_net *n, unsigned per_mille) { return sio_sim_rand(n) % 1000 < per_mille; }

static inline void sio_sim_trace(sio_sim_net *n, const char *what, long value)
{
    if (n->trace) n->trace(n->trace_user, what, value);
}

/* ---- links ---- */

static inline sio_sim_link *sio_sim_link_of(sio_sim_net *n, sio_socket s)
{
    return s >= SIO_SIM_SOCKET_BASE && s < SIO_SIM_SOCKET_BASE + SIO_SIM_LINKS ? &n->link[s - SIO_SIM_SOCKET_BASE]
                                                                              : NULL;
}

/* A new connection to port in the first free link; -1 when all are open. */
static inline int sio_sim_link_open(sio_sim_net *n, unsigned short port)
{
    int i;
    for (i = 0; i < SIO_SIM_LINKS && n->link[i].open; i++) {}
    if (i == SIO_SIM_LINKS) return -1;
    memset(&n->link[i], 0, sizeof n->link[i]);
    n->link[i].open = 1;
    n->link[i].serial = ++n->opened;
    n->link[i].port = port;
    n->link[i].connected_at = n->now + n->connect_ms;
    n->sockets++;
    return i;
}

/* Bytes from the server on link i, in up to three parts that arrive
 * together or not at all.  A client that leaves more than the link holds
 * unread has its connection reset (a server dropping a slow reader), never
 * a message cut short: -1 then. */
static inline int sio_sim_link_send3(sio_sim_net *n, int i, const void *a, size_t a_len, const void *b, size_t b_len,
                                     const void *c, size_t c_len)
{
    sio_sim_link *x = &n->link[i];
    size_t room;
    if (x->reset) return -1;
    if (x->in_pos > 0) {                                      /* what was read makes room */
        memmove(x->in, x->in + x->in_pos, x->in_len - x->in_pos);
        x->in_len -= x->in_pos;
        x->in_pos = 0;
    }
    room = sizeof x->in - x->in_len;
    if (a_len > room || b_len > room - a_len || c_len > room - a_len - b_len) {
        x->reset = 1;
        n->overflows++;
        sio_sim_trace(n, "reset: the client left too much unread on connection", i);
        return -1;
    }
    if (a_len) memcpy(x->in + x->in_len, a, a_len);
    if (b_len) memcpy(x->in + x->in_len + a_len, b, b_len);
    if (c_len) memcpy(x->in + x->in_len + a_len + b_len, c, c_len);
    x->in_len += a_len + b_len + c_len;
    return 0;
}
static inline int sio_sim_link_send(sio_sim_net *n, int i, const void *p, size_t len)
{
    return sio_sim_link_send3(n, i, p, len, NULL, 0, NULL, 0);
}

/* An HTTP 200 answer carrying body on link i. */
static inline int sio_sim_link_http(sio_sim_net *n, int i, const void *body, size_t len)
{
    char head[128];
    snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %lu\r\n\r\n",
             (unsigned long)len);
    return sio_sim_link_send3(n, i, head, strlen(head), body, len, NULL, 0);
}

/* An HTTP error answer (400, 413) on link i; the server closes it. */
static inline void sio_sim_link_refuse(sio_sim_net *n, int i, const char *status, const char *body)
{
    char head[256];
    snprintf(head, sizeof head, "HTTP/1.1 %s\r\nContent-Type: application/json\r\nContent-Length: %lu\r\n"
             "Connection: close\r\n\r\n%s", status, (unsigned long)strlen(body), body);
    sio_sim_link_send(n, i, head, strlen(head));
    n->link[i].eof = 1;
    n->link[i].gone = 1;
}

/* The 101 for the WebSocket handshake made on link i. */
static inline void sio_sim_link_accept(sio_sim_net *n, int i)
{
    char accept[29], head[256];
    sio_ws_accept_key(n->link[i].key, accept);
    snprintf(head, sizeof head, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", accept);
    sio_sim_link_send(n, i, head, strlen(head));
}

/* ---- the platform ---- */

static inline int sio_sim_listening(sio_sim_net *n, unsigned short port);
static inline uint64_t sio_sim_next_timer(sio_sim_net *n);

static inline int sio_sim_connect(void *u, const char *host, unsigned short port, unsigned attempt, sio_socket *s,
                           char *err, size_t size)
{
    sio_sim_net *n = (sio_sim_net *)u;
    int i;
    (void)host;
    if (n->resolve_fail || n->now < n->resolve_fail_until) {
        n->unresolved++;
        snprintf(err, size, "Temporary failure in name resolution");
        return SIO_ERR_NO_ADDRESS;
    }
    if (attempt > 0) return SIO_ERR_NO_ADDRESS;            /* every host has one address */
    if (n->refuse_connects || !sio_sim_listening(n, port)) {
        snprintf(err, size, "Connection refused");
        return SIO_ERR_IO;
    }
    i = sio_sim_link_open(n, port);
    if (i < 0) {
        snprintf(err, size, "no free simulated connection (SIO_SIM_LINKS)");
        return SIO_ERR_IO;
    }
    n->slow += n->connect_ms > 0;
    *s = (sio_socket)(SIO_SIM_SOCKET_BASE + i);
    return SIO_OK;
}

static inline int sio_sim_connect_result(void *u, sio_socket s, char *err, size_t size)
{
    sio_sim_link *x = sio_sim_link_of((sio_sim_net *)u, s);
    if (!x) { snprintf(err, size, "not a simulated socket"); return SIO_ERR_IO; }
    if (x->reset) { snprintf(err, size, "Connection refused"); return SIO_ERR_IO; }
    return ((sio_sim_net *)u)->now < x->connected_at ? 0 : 1;
}

static inline long sio_sim_send(void *u, sio_socket s, const void *b, size_t len, char *err, size_t size)
{
    sio_sim_net *n = (sio_sim_net *)u;
    sio_sim_link *x = sio_sim_link_of(n, s);
    if (!x) { snprintf(err, size, "not a simulated socket"); return SIO_ERR_IO; }
    if (x->reset) { snprintf(err, size, "Connection reset by peer"); return SIO_ERR_IO; }
    if (n->max_write && len > n->max_write) len = n->max_write;
    if (x->gone) return (long)len;                         /* sent into a closed connection: lost */
    if (len > sizeof x->out - x->out_len) len = sizeof x->out - x->out_len;
    if (len == 0) return SIO_ERR_AGAIN;                    /* the server model reads it at its next step */
    memcpy(x->out + x->out_len, b, len);
    x->out_len += len;
    return (long)len;
}

static inline long sio_sim_recv(void *u, sio_socket s, void *b, size_t len, char *err, size_t size)
{
    sio_sim_net *n = (sio_sim_net *)u;
    sio_sim_link *x = sio_sim_link_of(n, s);
    size_t avail;
    if (!x) { snprintf(err, size, "not a simulated socket"); return SIO_ERR_IO; }
    if (x->reset) { snprintf(err, size, "Connection reset by peer"); return SIO_ERR_IO; }
    avail = x->in_len - x->in_pos;
    if (avail == 0) return x->eof ? 0 : SIO_ERR_AGAIN;
    if (len > avail) len = avail;
    if (n->max_read && len > n->max_read) len = n->max_read;
    memcpy(b, x->in + x->in_pos, len);
    x->in_pos += len;
    return (long)len;
}

static inline void sio_sim_close(void *u, sio_socket s)
{
    sio_sim_net *n = (sio_sim_net *)u;
    sio_sim_link *x = sio_sim_link_of(n, s);
    if (!x || !x->open) return;
    x->open = 0;
    n->closed++;
    n->sockets--;
}

static inline int sio_sim_ready(sio_sim_net *n, sio_wait_item *items, size_t count)
{
    size_t i;
    int ready = 0;
    for (i = 0; i < count; i++) {
        sio_sim_link *x = sio_sim_link_of(n, items[i].socket);
        int readable = x && n->now >= x->connected_at && (x->in_pos < x->in_len || x->eof || x->reset);
        int writable = x && n->now >= x->connected_at && (x->reset || x->out_len < sizeof x->out);
        items[i].revents = ((items[i].events & SIO_WAIT_WRITE) && writable ? SIO_WAIT_WRITE : 0) |
                           ((items[i].events & SIO_WAIT_READ) && readable ? SIO_WAIT_READ : 0);
        if (items[i].revents) ready++;
    }
    return ready;
}

/* Ready now, or else the clock moves on: to the first thing due within
 * the timeout (a connect that completes, a server's ping or deadline, a
 * restart or a name failure that ends), or by the whole timeout (1 s for
 * "forever").  Nothing else can happen while every client waits. */
static inline int sio_sim_wait(void *u, sio_wait_item *items, size_t count, int timeout_ms)
{
    sio_sim_net *n = (sio_sim_net *)u;
    uint64_t until = n->now + (timeout_ms < 0 ? 1000u : (uint64_t)timeout_ms), timer;
    size_t i;
    int ready;
    if (n->on_wait) n->on_wait(n->on_wait_user);
    ready = sio_sim_ready(n, items, count);
    if (ready) return ready;
    for (i = 0; i < count; i++) {
        sio_sim_link *x = sio_sim_link_of(n, items[i].socket);
        if (x && x->connected_at > n->now && x->connected_at < until) until = x->connected_at;
    }
    timer = sio_sim_next_timer(n);
    if (timer && timer < until) until = timer;
    n->now = until;
    return sio_sim_ready(n, items, count);
}

static inline uint64_t sio_sim_now(void *u) { return ((sio_sim_net *)u)->now; }

static inline int sio_sim_random(void *u, void *b, size_t len)
{
    sio_sim_net *n = (sio_sim_net *)u;
    unsigned char *p = (unsigned char *)b;
    if (n->random_fail) return SIO_ERR_IO;
    while (len--) *p++ = (unsigned char)sio_sim_xorshift(&n->client_rng);
    return SIO_OK;
}

/* Sets up a network: the clock at 1000 ms, the generator from seed. */
static inline void sio_sim_net_init(sio_sim_net *n, uint64_t seed)
{
    memset(n, 0, sizeof *n);
    n->now = 1000;
    n->rng = seed * 0x9E3779B97F4A7C15ull + 1;
    if (!n->rng) n->rng = 1;                              /* xorshift stays at 0 */
    n->client_rng = (seed ^ 0x5DEECE66Dull) * 0xBF58476D1CE4E5B9ull + 1;
    if (!n->client_rng) n->client_rng = 1;
    n->platform.user = n;
    n->platform.connect = sio_sim_connect;
    n->platform.connect_result = sio_sim_connect_result;
    n->platform.send = sio_sim_send;
    n->platform.recv = sio_sim_recv;
    n->platform.close = sio_sim_close;
    n->platform.wait = sio_sim_wait;
    n->platform.now_ms = sio_sim_now;
    n->platform.random = sio_sim_random;
}

/* The platform for sio_config.platform (or sio_set's clients: one network per set). */
static inline const sio_platform *sio_sim_platform(sio_sim_net *n) { return &n->platform; }

/* Time passes with nothing to do (the program's own sleep). */
static inline void sio_sim_idle(sio_sim_net *n, unsigned ms) { n->now += ms; }

/* ---- the server model ---- */

#define SIO_SIM_PING_INTERVAL 25000   /* the server's heartbeat (socket.io's defaults), ms */
#define SIO_SIM_PING_TIMEOUT 20000
#define SIO_SIM_UPGRADE_TIMEOUT 10000 /* a probe without "5" is closed after this (socket.io's default) */
#define SIO_SIM_NOOP_INTERVAL 100     /* while probing, a held GET gets a noop this often, as engine.io */
#define SIO_SIM_MAX_PAYLOAD (SIO_SIM_LINK_BYTES - 8192)   /* the largest packet, message or POST body
                                                             taken (a request head fits beside it) */

/* A socket.io server (or a WebSocket echo server) on one port, for one
 * client at a time: it keeps one session, and a request for any other sid
 * is answered 400 "Session ID unknown", as socket.io does.  Every namespace
 * is accepted (unless refuse_namespaces) and greeted with a "welcome" event
 * and a binary "bin" event; an EVENT with an ack id is acked with ["ok"].
 * Engine.IO 4 sessions get a ping every 25 s, and end when the client does
 * not answer within 20 s; a session also ends when the client closes it
 * (a "1" packet, or its WebSocket transport closing).  A packet, message
 * or POST body larger than SIO_SIM_MAX_PAYLOAD is refused as a real server
 * would (close 1009 on WebSocket, 413 over polling); the open packet
 * announces it as maxPayload.  A client frame that breaks RFC 6455
 * (unmasked, reserved bits or opcodes, a control frame fragmented or over
 * 125 bytes, a length not in its shortest form, a continuation of nothing)
 * is answered with close 1002 and its connection ends. */
typedef struct sio_sim_server {
    sio_sim_net *net;
    unsigned short port;          /* 0: every link (a network with this one server) */
    int serving;                  /* sio_sim_server_init succeeded: it listens and answers */
    int sessions;                 /* handshakes answered */
    int live;                     /* a session is open (its sid is sid) */
    char sid[16];                 /* "S<n>", n counting the network's sessions */
    int ws_link;                  /* the link carrying the session's WebSocket frames, -1: none */
    int ws_upgraded;              /* "5" received: the WebSocket is the transport */
    int probing;                  /* "2probe" answered on probe_link: polling gets noops until "5" */
    int probe_link;
    uint64_t noop_due;            /* probing: a held GET is answered "6" from then (every 100 ms) */
    uint64_t probe_deadline;      /* probing: no "5" by then closes the probe (upgradeTimeout) */
    int held_get;                 /* a long-poll GET waiting for packets, -1: none */
    char pending[SIO_SIM_LINK_BYTES];   /* packets for the next long-poll answer, 0x1e between them */
    size_t pending_len;
    size_t read[SIO_SIM_LINKS];   /* how far each link's writes were read */
    unsigned serial[SIO_SIM_LINKS];   /* the connection read[] is about */
    int websocket[SIO_SIM_LINKS]; /* the link was switched to WebSocket */
    int events, acks_sent, connects, closes, upgrades, refused;
    int offer_upgrade;            /* "upgrades":["websocket"] in the open packet */
    void (*on_packet)(void *user, const char *p, size_t n);   /* sees every EVENT the client sent
                                                                 (NUL-terminated) */
    void *on_packet_user;
    int refuse_namespaces;        /* CONNECT to a namespace other than "/" gets CONNECT_ERROR */
    int echo;                     /* a plain WebSocket echo server instead (any path) */
    int eio3;                     /* the session is Engine.IO 3 (over WebSocket) */
    int pongs;                    /* Engine.IO 3: the client's pings answered */
    int echoed;                   /* messages echoed */
    int protocol_errors;          /* client frames that broke RFC 6455 (closed with 1002) */
    int pings, ping_timeouts;     /* Engine.IO 4: pings sent, sessions ended for a missing pong */
    uint64_t next_ping, pong_due; /* Engine.IO 4: when to ping; the pong's deadline (0: none) */
    uint64_t client_ping_due;     /* Engine.IO 3: the client's next ping is late after this */
    uint64_t down_until;          /* restarting: connects are refused until then */
    int message_opcode;           /* a fragmented message being assembled (0: none) */
    int message_link;             /* and the connection it comes on */
    size_t message_len;
    unsigned char frame[SIO_SIM_LINK_BYTES + 1];         /* a frame or packet being read */
    unsigned char message[SIO_SIM_LINK_BYTES + 1];       /* a fragmented message assembled */
} sio_sim_server;

/* 1 when a server listens on port and is not restarting. */
static inline int sio_sim_listening(sio_sim_net *n, unsigned short port)
{
    int i;
    for (i = 0; i < SIO_SIM_PORTS; i++) {
        sio_sim_server *s = n->server[i];
        if (s && (s->port == 0 || s->port == port)) return s->down_until <= n->now;
    }
    return 0;
}

/* The earliest time after now when something is due without a client
 * acting (a server's ping or deadline, a restart or a name failure that
 * ends), 0 for nothing: a waiting client's clock stops there. */
static inline uint64_t sio_sim_next_timer(sio_sim_net *n)
{
    uint64_t t[6], first = n->resolve_fail_until > n->now ? n->resolve_fail_until : 0;
    int i, k;
    for (i = 0; i < SIO_SIM_PORTS; i++) {
        sio_sim_server *s = n->server[i];
        if (!s) continue;
        t[0] = s->live ? s->next_ping : 0;
        t[1] = s->live ? s->pong_due : 0;
        t[2] = s->live ? s->client_ping_due : 0;
        t[3] = s->down_until;
        t[4] = s->probing ? s->noop_due : 0;
        t[5] = s->probing ? s->probe_deadline : 0;
        for (k = 0; k < 6; k++)
            if (t[k] > n->now && (!first || t[k] < first)) first = t[k];
    }
    return first;
}

static inline int sio_sim_server_owns(const sio_sim_server *s, int i)
{
    return s->port == 0 || s->net->link[i].port == s->port;
}

/* 1 while link i is still the connection the server saw (not closed or
 * reset, not reused since by another client, not ended by the server). */
static inline int sio_sim_server_has(const sio_sim_server *s, int i)
{
    return i >= 0 && s->net->link[i].open && !s->net->link[i].gone && !s->net->link[i].reset && sio_sim_server_owns(s, i) &&
           s->serial[i] == s->net->link[i].serial;
}

/* The session ends (its sid with it); its connections stay. */
static inline void sio_sim_server_forget(sio_sim_server *s)
{
    s->ws_link = s->held_get = -1;
    s->ws_upgraded = s->probing = 0;
    s->pending_len = 0;
    s->pong_due = s->next_ping = s->client_ping_due = 0;
    s->message_opcode = 0;
    s->live = 0;
}

/* The server ends its connections (what the client sends after is lost),
 * the session too. */
static inline void sio_sim_server_end(sio_sim_server *s)
{
    int i;
    if (!s->net) return;
    for (i = 0; i < SIO_SIM_LINKS; i++)
        if (s->net->link[i].open && sio_sim_server_owns(s, i)) s->net->link[i].eof = s->net->link[i].gone = 1;
    sio_sim_server_forget(s);
}

/* A server listening on port (0: any) of the network; offer_upgrade: the
 * polling transport may upgrade to WebSocket.  Call it after
 * sio_sim_net_init (which forgets every server).  -1 when the port is
 * served already (or port 0 and another server) or SIO_SIM_PORTS serve:
 * the server is then set up but not serving (it answers nothing, its
 * functions do nothing).  Called again on the same server: its session
 * ends and it starts afresh.  Keep it alive as long as the network (or
 * call sio_sim_net_init again). */
static inline int sio_sim_server_init(sio_sim_server *s, sio_sim_net *n, unsigned short port, int offer_upgrade)
{
    int i, slot = -1, taken = 0;
    for (i = 0; i < SIO_SIM_PORTS; i++) {
        sio_sim_server *o = n->server[i];
        if (o == s) slot = i;
        else if (o && (o->port == port || o->port == 0 || port == 0)) taken = 1;
        else if (!o && slot < 0) slot = i;
    }
    if (slot >= 0 && n->server[slot] == s) {
        sio_sim_server_end(s);
        if (taken) n->server[slot] = NULL;                    /* it no longer serves */
    }
    memset(s, 0, sizeof *s);
    s->net = n;
    s->port = port;
    s->ws_link = s->held_get = -1;
    s->offer_upgrade = offer_upgrade;
    if (taken || slot < 0) return -1;
    s->serving = 1;
    n->server[slot] = s;
    return 0;
}

/* A WebSocket frame from the server on link (a payload in two parts: a
 * prefix, then p).  -1 when the client's connection was reset for
 * leaving too much unread. */
static inline int sio_sim_server_frame2(sio_sim_server *s, int link, int opcode, const void *prefix, size_t prefix_len,
                                        const void *p, size_t len)
{
    unsigned char head[14];
    size_t total = prefix_len + len, h;
    if (total > SIO_SIM_MAX_PAYLOAD) return -1;                 /* never made by the model */
    h = sio_ws_encode_header(head, 1, opcode, (uint64_t)total, NULL);
    return sio_sim_link_send3(s->net, link, head, h, prefix, prefix_len, p, len);
}
static inline int sio_sim_server_frame(sio_sim_server *s, int link, int opcode, const void *p, size_t len)
{
    return sio_sim_server_frame2(s, link, opcode, NULL, 0, p, len);
}

/* Answers the long-poll GET held, if any, with body: 1 when one was
 * answered, -1 when the answer reset the connection (the client left too
 * much unread), 0 when no GET is held on a connection still open. */
static inline int sio_sim_server_reply(sio_sim_server *s, const void *body, size_t len)
{
    int r;
    if (!sio_sim_server_has(s, s->held_get)) return 0;
    r = sio_sim_link_http(s->net, s->held_get, body, len);
    s->held_get = -1;
    return r < 0 ? -1 : 1;
}

/* The packets waiting, to the GET held for them if any: -1 when the
 * answer reset its connection. */
static inline int sio_sim_server_answer(sio_sim_server *s)
{
    int r;
    if (!s->pending_len || (r = sio_sim_server_reply(s, s->pending, s->pending_len)) == 0) return 0;
    s->pending_len = 0;
    return r < 0 ? -1 : 0;
}

/* Room for a packet of len bytes in the next long-poll answer, or NULL
 * when the client left too many packets unread: its session ends. */
static inline char *sio_sim_server_queue(sio_sim_server *s, size_t len)
{
    size_t separator = s->pending_len ? 1 : 0;
    char *p;
    if (len > SIO_SIM_MAX_PAYLOAD || s->pending_len + separator + len > SIO_SIM_MAX_PAYLOAD) {
        sio_sim_trace(s->net, "server ends a session whose client left its packets unread", (long)s->port);
        s->net->overflows++;
        sio_sim_server_end(s);
        return NULL;
    }
    if (separator) s->pending[s->pending_len++] = 0x1e;
    p = s->pending + s->pending_len;
    s->pending_len += len;
    return p;
}

/* An Engine.IO packet for the client ("2" a ping, "42[...]" an event): on
 * the WebSocket once upgraded, else in the held GET's answer or the next.
 * -1 when it is dropped: no session (or an echo server), larger than
 * SIO_SIM_MAX_PAYLOAD, or a client that does not take its packets (its
 * connection reset, or over polling its session ended). */
static inline int sio_sim_server_send_n(sio_sim_server *s, const char *packet, size_t len)
{
    char *p;
    if (!s->live || s->echo || len > SIO_SIM_MAX_PAYLOAD) return -1;
    if (s->ws_upgraded)
        return sio_sim_server_has(s, s->ws_link) ? sio_sim_server_frame(s, s->ws_link, SIO_WS_TEXT, packet, len) : -1;
    p = sio_sim_server_queue(s, len);
    if (!p) return -1;
    memcpy(p, packet, len);
    return sio_sim_server_answer(s);
}
static inline int sio_sim_server_send(sio_sim_server *s, const char *packet)
{
    return sio_sim_server_send_n(s, packet, strlen(packet));
}

/* An attachment for the client (after the packet that announces it): a
 * binary frame, or "b<base64>" over polling.  -1 as sio_sim_server_send_n;
 * over polling its base64 text counts against SIO_SIM_MAX_PAYLOAD (so
 * 18 KiB is the most there). */
static inline int sio_sim_server_send_binary(sio_sim_server *s, const unsigned char *data, size_t len)
{
    static const unsigned char eio3_type = 4;                   /* Engine.IO 3: the packet type first */
    char *p;
    if (!s->live || s->echo || len > SIO_SIM_MAX_PAYLOAD) return -1;
    if (s->ws_upgraded) {
        if (!sio_sim_server_has(s, s->ws_link) || (s->eio3 && len == SIO_SIM_MAX_PAYLOAD)) return -1;
        return sio_sim_server_frame2(s, s->ws_link, SIO_WS_BINARY, &eio3_type, s->eio3 ? 1u : 0u, data, len);
    }
    if (1 + (len + 2) / 3 * 4 > SIO_SIM_MAX_PAYLOAD) return -1;    /* its base64 text is too large */
    p = sio_sim_server_queue(s, 1 + (len + 2) / 3 * 4);
    if (!p) return -1;
    p[0] = 'b';
    sio_base64_encode(data, len, p + 1);       /* its NUL lands inside pending: SIO_SIM_MAX_PAYLOAD < its size */
    return sio_sim_server_answer(s);
}

static inline void sio_sim_server_open(sio_sim_server *s, int link, int over_websocket, int eio3)
{
    char open[256];
    s->sessions++;
    s->live = 1;
    snprintf(s->sid, sizeof s->sid, "S%u", ++s->net->sids);
    s->ws_upgraded = over_websocket;        /* WebSocket only: it is the transport from the start */
    s->eio3 = eio3;
    s->pending_len = 0;
    s->held_get = -1;
    s->probing = 0;
    s->pong_due = 0;
    s->next_ping = eio3 ? 0 : s->net->now + SIO_SIM_PING_INTERVAL;   /* Engine.IO 3: the client pings */
    s->client_ping_due = eio3 ? s->net->now + SIO_SIM_PING_INTERVAL + SIO_SIM_PING_TIMEOUT : 0;
    if (eio3)                                                     /* no maxPayload in Engine.IO 3 */
        snprintf(open, sizeof open, "0{\"sid\":\"%s\",\"upgrades\":[],\"pingInterval\":%d,\"pingTimeout\":%d}",
                 s->sid, SIO_SIM_PING_INTERVAL, SIO_SIM_PING_TIMEOUT);
    else
        snprintf(open, sizeof open, "0{\"sid\":\"%s\",\"upgrades\":[%s],\"pingInterval\":%d,\"pingTimeout\":%d,"
                 "\"maxPayload\":%d}", s->sid, s->offer_upgrade && !over_websocket ? "\"websocket\"" : "",
                 SIO_SIM_PING_INTERVAL, SIO_SIM_PING_TIMEOUT, SIO_SIM_MAX_PAYLOAD);
    if (over_websocket) sio_sim_server_frame(s, link, SIO_WS_TEXT, open, strlen(open));
    else sio_sim_link_http(s->net, link, open, strlen(open));
    if (eio3) {                             /* Socket.IO 4: the server connects "/" itself */
        s->connects++;
        sio_sim_server_send(s, "40");
        snprintf(open, sizeof open, "42[\"welcome\",%d]", s->connects);
        sio_sim_server_send(s, open);
    }
}

/* A CONNECT ("40" or "40/ns,..."): accepted and greeted, or refused. */
static inline void sio_sim_server_connect(sio_sim_server *s, const char *p, size_t n)
{
    char reply[1024];
    size_t k = 2;
    int ns;
    s->connects++;
    while (k < n && p[k] != ',' && p[k] != '{') k++;
    if (k - 2 > 900) return;                                     /* a namespace name that long: ignored */
    ns = (int)(k - 2 + (k < n && p[k] == ','));                 /* "/name," or nothing */
    if (s->refuse_namespaces && k > 2) {
        snprintf(reply, sizeof reply, s->eio3 ? "44%.*s\"refused\"" : "44%.*s{\"message\":\"refused\"}", ns, p + 2);
        sio_sim_server_send(s, reply);
        return;
    }
    if (s->eio3) snprintf(reply, sizeof reply, "40%.*s", ns, p + 2);   /* Socket.IO 4: no sid in the reply */
    else snprintf(reply, sizeof reply, "40%.*s{\"sid\":\"N%d\"}", ns, p + 2, s->connects);
    sio_sim_server_send(s, reply);
    snprintf(reply, sizeof reply, "42%.*s[\"welcome\",%d]", ns, p + 2, s->connects);
    sio_sim_server_send(s, reply);
    snprintf(reply, sizeof reply, "451-%.*s[\"bin\",{\"_placeholder\":true,\"num\":0}]", ns, p + 2);
    sio_sim_server_send(s, reply);
    sio_sim_server_send_binary(s, (const unsigned char *)"\x01\x02\x03", 3);
}

/* An EVENT or BINARY_EVENT (4<type>[N-][/ns,][id][...]): counted, shown to
 * on_packet, acked with ["ok"] when it has an id. */
static inline void sio_sim_server_event(sio_sim_server *s, const char *p, size_t n)
{
    char reply[1024];
    size_t k = 2, ns, ns_end, id;
    s->events++;
    if (s->on_packet) s->on_packet(s->on_packet_user, p, n);
    if (p[1] == '5') {
        while (k < n && p[k] >= '0' && p[k] <= '9') k++;
        if (k < n && p[k] == '-') k++;
    }
    ns = ns_end = k;
    if (k < n && p[k] == '/') {
        while (k < n && p[k] != ',') k++;
        ns_end = k < n ? ++k : k;
    }
    id = k;
    while (k < n && p[k] >= '0' && p[k] <= '9') k++;
    if (k > id && k - id < 18 && ns_end - ns < 900) {
        snprintf(reply, sizeof reply, "43%.*s%.*s[\"ok\"]", (int)(ns_end - ns), p + ns, (int)(k - id), p + id);
        s->acks_sent++;
        sio_sim_server_send(s, reply);
    }
}

/* One Engine.IO packet from the client, NUL-terminated (text; binary
 * attachments are counted with their packet and otherwise ignored). */
static inline void sio_sim_server_packet(sio_sim_server *s, int link, const char *p, size_t n)
{
    char reply[128];
    if (n == 6 && memcmp(p, "2probe", 6) == 0 && s->websocket[link]) {
        sio_sim_server_frame(s, link, SIO_WS_TEXT, "3probe", 6);
        if (!s->live || s->ws_upgraded) return;
        s->probing = 1;                                            /* polling pauses: its GET ends */
        s->probe_link = link;
        s->noop_due = s->net->now + SIO_SIM_NOOP_INTERVAL;
        s->probe_deadline = s->net->now + SIO_SIM_UPGRADE_TIMEOUT;
        sio_sim_server_reply(s, "6", 1);
        return;
    }
    if (n == 1 && p[0] == '5') {
        size_t a = 0, b, waiting = s->pending_len;
        if (!s->live || !s->websocket[link]) return;
        s->ws_upgraded = 1;
        s->probing = 0;
        s->ws_link = link;
        s->upgrades++;
        s->pending_len = 0;
        for (b = 0; waiting && b <= waiting; b++)                  /* what waited goes on the WebSocket */
            if (b == waiting || s->pending[b] == 0x1e) {
                size_t len;                                         /* p is read: frame is free */
                if (b > a && s->pending[a] == 'b' && sio_base64_decode(s->pending + a + 1, b - a - 1, s->frame, &len) == SIO_OK)
                    sio_sim_server_send_binary(s, s->frame, len);
                else
                    sio_sim_server_frame(s, link, SIO_WS_TEXT, s->pending + a, b - a);
                a = b + 1;
            }
        return;
    }
    if (n == 1 && p[0] == '1') {                                   /* the client ends the session */
        s->closes++;
        if (!s->ws_upgraded) sio_sim_server_reply(s, "1", 1);     /* a waiting GET learns it */
        sio_sim_server_forget(s);
        return;
    }
    if (!s->eio3 && n >= 1 && p[0] == '3') { s->pong_due = 0; return; }   /* the pong of our ping */
    if (s->eio3 && n >= 1 && p[0] == '2') {                     /* Engine.IO 3: the client pings */
        snprintf(reply, sizeof reply, "3%.*s", (int)(n - 1 < 100 ? n - 1 : 100), p + 1);
        s->pongs++;
        s->client_ping_due = s->net->now + SIO_SIM_PING_INTERVAL + SIO_SIM_PING_TIMEOUT;
        sio_sim_server_send(s, reply);
        return;
    }
    if (n < 2 || p[0] != '4') return;                            /* noops */
    if (p[1] == '0') sio_sim_server_connect(s, p, n);
    else if (p[1] == '2' || p[1] == '5') sio_sim_server_event(s, p, n);
}

/* The body of a POST: packets separated by 0x1e ("b..." are binary). */
static inline void sio_sim_server_payload(sio_sim_server *s, int link, const char *body, size_t n)
{
    size_t a = 0, b;
    for (b = 0; b <= n; b++)
        if (b == n || body[b] == 0x1e) {
            if (b > a && body[a] != 'b') {                       /* each packet NUL-terminated, as on WebSocket */
                memcpy(s->frame, body + a, b - a);
                s->frame[b - a] = 0;
                sio_sim_server_packet(s, link, (const char *)s->frame, b - a);
            }
            a = b + 1;
        }
}

/* The server fails a client's WebSocket connection (RFC 6455 7.1.7): a
 * close frame with code, and the connection ends. */
static inline void sio_sim_server_fail(sio_sim_server *s, int link, int code, const char *why)
{
    unsigned char payload[2];
    payload[0] = (unsigned char)(code >> 8);
    payload[1] = (unsigned char)(code & 0xff);
    sio_sim_trace(s->net, why, link);
    sio_sim_server_frame(s, link, SIO_WS_CLOSE, payload, 2);
    s->net->link[link].eof = s->net->link[link].gone = 1;
    if (code == 1002) s->protocol_errors++;
    else s->refused++;
    if (s->message_link == link) s->message_opcode = 0;
}

/* A whole message from the client: echoed, or an Engine.IO packet. */
static inline void sio_sim_server_message(sio_sim_server *s, int link, int opcode, unsigned char *p, size_t len)
{
    p[len] = 0;
    if (s->echo) {
        sio_sim_server_frame(s, link, opcode, p, len);
        s->echoed++;
    } else if (opcode == SIO_WS_TEXT) {
        sio_sim_server_packet(s, link, (const char *)p, len);
    }                                     /* binary: an attachment, counted with its packet */
}

/* A data frame: a whole message, or a fragment assembled into one. */
static inline void sio_sim_server_data(sio_sim_server *s, int link, const sio_ws_frame *f, size_t len)
{
    int opcode;
    if (f->opcode != SIO_WS_CONTINUATION) {
        if (s->message_opcode && s->message_link == link) {
            sio_sim_server_fail(s, link, 1002, "ws: new data frame while a fragmented message is in progress (RFC 6455 5.4)");
            return;
        }
        if (f->fin) {                                         /* the common case: no copy */
            sio_sim_server_message(s, link, (int)f->opcode, s->frame, len);
            return;
        }
        if (s->message_opcode) {                              /* one client per server: one such message */
            sio_sim_server_fail(s, link, 1013, "server refuses a second fragmented message at once");
            return;
        }
        s->message_opcode = (int)f->opcode;
        s->message_link = link;
        s->message_len = 0;
    } else if (!s->message_opcode || s->message_link != link) {
        sio_sim_server_fail(s, link, 1002, "ws: continuation frame without a message in progress (RFC 6455 5.4)");
        return;
    }
    if (len > SIO_SIM_MAX_PAYLOAD - s->message_len) {         /* too big: refused as a server would */
        sio_sim_server_fail(s, link, 1009, "server refuses a message over its maxPayload");
        return;
    }
    memcpy(s->message + s->message_len, s->frame, len);
    s->message_len += len;
    if (!f->fin) return;
    opcode = s->message_opcode;
    s->message_opcode = 0;
    sio_sim_server_message(s, link, opcode, s->message, s->message_len);
}

/* WebSocket frames the client wrote on a link. */
static inline void sio_sim_server_frames(sio_sim_server *s, int link)
{
    sio_sim_link *x = &s->net->link[link];
    sio_ws_frame f;
    const char *broken = NULL;
    int r;
    while (!x->gone && s->read[link] < x->out_len &&
           (r = sio_ws_parse_header(&f, x->out + s->read[link], x->out_len - s->read[link], &broken)) != 0) {
        size_t len;
        if (r > 0) broken = sio_ws_frame_check(&f, 1, 0);     /* this server agrees no extension */
        if (broken) {
            sio_sim_server_fail(s, link, 1002, broken);
            return;
        }
        if (f.length > SIO_SIM_MAX_PAYLOAD) {                    /* more than the server takes: 1009 */
            sio_sim_server_fail(s, link, 1009, "server refuses a frame over its maxPayload");
            return;
        }
        len = (size_t)f.length;
        if (f.header_len + len > x->out_len - s->read[link]) return;   /* not all there yet */
        memcpy(s->frame, x->out + s->read[link] + f.header_len, len);
        sio_ws_mask(s->frame, len, f.mask, 0);
        s->frame[len] = 0;
        s->read[link] += f.header_len + len;
        if (f.opcode < 8) sio_sim_server_data(s, link, &f, len);
        else if (f.opcode == SIO_WS_PING) sio_sim_server_frame(s, link, SIO_WS_PONG, s->frame, len);
        else if (f.opcode == SIO_WS_CLOSE) {
            sio_sim_server_frame(s, link, SIO_WS_CLOSE, "\x03\xe8", 2);
            x->eof = x->gone = 1;
            s->closes++;
        }
    }
}

/* 1 when the request line (len bytes, not NUL-terminated) holds text. */
static inline int sio_sim_line_has(const char *line, size_t len, const char *text)
{
    size_t k, n = strlen(text);
    for (k = 0; k + n <= len; k++)
        if (memcmp(line + k, text, n) == 0) return 1;
    return 0;
}

/* The value of query parameter name in a request line ("GET /path?query
 * HTTP/1.1", len bytes), copied into out (cut to size - 1). */
static inline int sio_sim_query(const char *line, size_t len, const char *name, char *out, size_t size)
{
    const char *end = line + len, *q = (const char *)memchr(line, '?', len);
    size_t name_len = strlen(name);
    const char *target_end = (const char *)memchr(line, ' ', len);
    if (target_end) target_end = (const char *)memchr(target_end + 1, ' ', (size_t)(end - target_end - 1));
    if (target_end) end = target_end;
    while (q && q < end) {
        q++;
        if ((size_t)(end - q) > name_len && memcmp(q, name, name_len) == 0 && q[name_len] == '=') {
            size_t k = 0;
            q += name_len + 1;
            while (q + k < end && q[k] != '&' && k + 1 < size) { out[k] = q[k]; k++; }
            out[k] = 0;
            return 1;
        }
        while (q < end && *q != '&') q++;
    }
    return 0;
}

/* The Sec-WebSocket-Key of a request head, for the 101. */
static inline void sio_sim_take_key(sio_sim_link *x, const char *head, size_t len)
{
    size_t k;
    for (k = 0; k + 19 + 24 <= len; k++)
        if (memcmp(head + k, "Sec-WebSocket-Key: ", 19) == 0) {
            memcpy(x->key, head + k + 19, 24);
            x->key[24] = 0;
            return;
        }
}

/* One HTTP request of the session (a sid given): a POST, a long-poll GET, or
 * the upgrade probe; 400 for a sid that is not the session's. */
static inline void sio_sim_server_request(sio_sim_server *s, int link, const char *line, size_t line_len,
                                          int websocket, const char *sid, const char *body, size_t body_len)
{
    if (!s->live || strcmp(sid, s->sid) != 0) {
        s->refused++;
        sio_sim_link_refuse(s->net, link, "400 Bad Request", "{\"code\":1,\"message\":\"Session ID unknown\"}");
        return;
    }
    if (s->ws_upgraded && !websocket) {                           /* polling after the upgrade */
        s->refused++;
        sio_sim_link_refuse(s->net, link, "400 Bad Request", "{\"code\":3,\"message\":\"Bad request\"}");
        return;
    }
    if (line_len >= 5 && memcmp(line, "POST ", 5) == 0) {
        sio_sim_link_http(s->net, link, "ok", 2);
        sio_sim_server_payload(s, link, body, body_len);
    } else if (websocket) {                                       /* the upgrade probe */
        sio_sim_link_accept(s->net, link);
        s->websocket[link] = 1;
    } else if (s->pending_len) {            /* even on a connection the client closed: TCP delivered */
        sio_sim_link_http(s->net, link, s->pending, s->pending_len);   /* the GET, its answer is lost */
        s->pending_len = 0;
    } else {
        s->held_get = link;
    }
}

/* HTTP requests the client wrote on a link: the handshake, long-poll GETs,
 * POSTs and WebSocket handshakes (a probe when it carries the sid). */
static inline void sio_sim_server_requests(sio_sim_server *s, int link)
{
    sio_sim_link *x = &s->net->link[link];
    while (!x->gone && !s->websocket[link] && s->read[link] < x->out_len) {
        const char *req = (const char *)x->out + s->read[link];
        size_t avail = x->out_len - s->read[link], end, cl, head, body = 0, line_len;
        char sid[32];
        int websocket;
        for (end = 0; end + 4 <= avail && memcmp(req + end, "\r\n\r\n", 4) != 0; end++) {}
        if (end + 4 > avail) {                                    /* not all there yet */
            if (avail == sizeof x->out) sio_sim_link_refuse(s->net, link, "431 Request Header Fields Too Large", "");
            return;
        }
        head = end + 4;
        for (cl = 0; cl + 16 < end && memcmp(req + cl, "Content-Length: ", 16) != 0; cl++) {}
        if (cl + 16 < end) body = (size_t)strtoul(req + cl + 16, NULL, 10);
        if (body > SIO_SIM_MAX_PAYLOAD || body > sizeof x->out - head) {   /* more than the server takes */
            s->refused++;
            sio_sim_link_refuse(s->net, link, "413 Payload Too Large", "");
            return;
        }
        if (body > avail - head) return;
        line_len = (size_t)((const char *)memchr(req, '\r', head) - req);
        websocket = sio_sim_line_has(req, line_len, "transport=websocket");
        sio_sim_take_key(x, req, head);
        s->read[link] += head + body;
        if (s->echo) {
            sio_sim_link_accept(s->net, link);
            s->websocket[link] = 1;
            s->sessions++;
        } else if (sio_sim_query(req, line_len, "sid", sid, sizeof sid)) {
            sio_sim_server_request(s, link, req, line_len, websocket, sid, req + head, body);
        } else if (!websocket && sio_sim_line_has(req, line_len, "EIO=3")) {
            s->refused++;                                         /* Engine.IO 3 is modelled on WebSocket only */
            sio_sim_link_refuse(s->net, link, "400 Bad Request", "{\"code\":5,\"message\":\"Unsupported protocol version\"}");
        } else if (websocket) {
            sio_sim_link_accept(s->net, link);
            s->websocket[link] = 1;
            s->ws_link = link;
            sio_sim_server_open(s, link, 1, sio_sim_line_has(req, line_len, "EIO=3"));
        } else {
            sio_sim_server_open(s, link, 0, 0);
        }
    }
}

/* Engine.IO 4: the heartbeat; a session whose client does not answer ends. */
static inline void sio_sim_server_heartbeat(sio_sim_server *s)
{
    uint64_t now = s->net->now;
    if (s->live && s->client_ping_due && now >= s->client_ping_due) {   /* Engine.IO 3: the client went quiet */
        sio_sim_trace(s->net, "server ends a session: no ping", (long)s->port);
        s->ping_timeouts++;
        sio_sim_server_end(s);
        return;
    }
    if (!s->live || !s->next_ping) return;
    if (s->pong_due && now >= s->pong_due) {
        sio_sim_trace(s->net, "server ends a session: no pong", (long)s->port);
        s->ping_timeouts++;
        sio_sim_server_end(s);
        return;
    }
    if (now >= s->next_ping) {
        sio_sim_server_send(s, "2");
        s->pings++;
        if (!s->pong_due) s->pong_due = now + SIO_SIM_PING_TIMEOUT;
        s->next_ping = now + SIO_SIM_PING_INTERVAL;
    }
}

/* While a probe waits for "5": noops for polling every 100 ms; the probe
 * ends with its connection, or is closed after SIO_SIM_UPGRADE_TIMEOUT. */
static inline void sio_sim_server_probe(sio_sim_server *s)
{
    uint64_t now = s->net->now;
    if (!s->probing) return;
    if (!sio_sim_server_has(s, s->probe_link) || now >= s->probe_deadline) {
        if (sio_sim_server_has(s, s->probe_link)) {
            sio_sim_trace(s->net, "server closes a probe that did not upgrade", (long)s->port);
            sio_sim_server_frame(s, s->probe_link, SIO_WS_CLOSE, "\x03\xe8", 2);
            s->net->link[s->probe_link].eof = s->net->link[s->probe_link].gone = 1;
        }
        s->probing = 0;
        return;
    }
    if (now >= s->noop_due && sio_sim_server_reply(s, "6", 1)) s->noop_due = now + SIO_SIM_NOOP_INTERVAL;
}

/* The server reads and answers everything written to it since its last
 * step (also what a client wrote before it closed a connection, as TCP
 * delivers it), and keeps its heartbeat.  A session whose WebSocket
 * transport closed ends. */
static inline void sio_sim_server_step(sio_sim_server *s)
{
    int i;
    if (!s->serving) return;
    for (i = 0; i < SIO_SIM_LINKS; i++) {
        sio_sim_link *x = &s->net->link[i];
        if (!sio_sim_server_owns(s, i) || (!x->open && !x->out_len && s->ws_link != i)) continue;
        if (s->serial[i] != x->serial) {                          /* a new connection on this link */
            if (s->ws_link == i && s->live && s->ws_upgraded) {    /* the session's WebSocket closed */
                sio_sim_trace(s->net, "server ends a session: its WebSocket closed", (long)s->port);
                sio_sim_server_forget(s);
            }
            s->serial[i] = x->serial;
            s->read[i] = 0;
            s->websocket[i] = 0;
            if (s->ws_link == i) s->ws_link = -1;
            if (s->held_get == i) s->held_get = -1;
            if (s->message_link == i) s->message_opcode = 0;
        }
        if (!x->gone && !x->reset) {                              /* a reset loses what was sent */
            sio_sim_server_requests(s, i);
            if (s->websocket[i]) sio_sim_server_frames(s, i);
        }
        if (s->read[i]) {                                         /* what was read makes room */
            memmove(x->out, x->out + s->read[i], x->out_len - s->read[i]);
            x->out_len -= s->read[i];
            s->read[i] = 0;
        }
        if (!x->open || x->reset) x->out_len = 0;                 /* a part of a request never completes */
        if (s->live && s->ws_upgraded && s->ws_link == i && (!x->open || x->gone || x->reset)) {
            sio_sim_trace(s->net, "server ends a session: its WebSocket closed", (long)s->port);
            sio_sim_server_forget(s);
        }
    }
    sio_sim_server_probe(s);
    sio_sim_server_heartbeat(s);
}

/* The server disconnects a namespace ("/" or "/name"). */
static inline int sio_sim_server_kick(sio_sim_server *s, const char *ns)
{
    char packet[256];
    int root = strcmp(ns, "/") == 0;
    if (strlen(ns) > 200) return -1;
    snprintf(packet, sizeof packet, "41%s%s", root ? "" : ns, root ? "" : ",");
    return sio_sim_server_send(s, packet);
}

/* The server goes away (a restart): its connections end, the session too;
 * for down_ms it refuses connections. */
static inline void sio_sim_server_restart(sio_sim_server *s, unsigned down_ms)
{
    if (!s->serving) return;
    sio_sim_server_end(s);
    s->down_until = s->net->now + down_ms;
}

/* ---- faults from the seed ---- */

/* Chances per step, in 1/1000; 0 leaves a fault out. */
typedef struct sio_sim_faults {
    unsigned split;               /* reads and writes this step move 1..40 bytes at a time */
    unsigned reset;               /* a random link is reset */
    unsigned restart;             /* a server restarts, refusing connections for up to down_ms */
    unsigned down_ms;
    unsigned clock_jump;          /* the clock jumps up to jump_ms */
    unsigned jump_ms;
    unsigned ping;                /* a server pings its client */
    unsigned kick;                /* a server disconnects "/news" (or, one time in two, "/") */
    unsigned resolve;             /* names stop resolving for up to down_ms */
    unsigned slow;                /* connects start taking up to slow_ms (until drawn again) */
    unsigned slow_ms;
} sio_sim_faults;

/* The faults sio's own simulator uses. */
static inline sio_sim_faults sio_sim_default_faults(void)
{
    sio_sim_faults f;
    f.split = 300;
    f.reset = 8;
    f.restart = 3;
    f.down_ms = 3000;
    f.clock_jump = 5;
    f.jump_ms = 40000;
    f.ping = 20;
    f.kick = 3;
    f.resolve = 3;
    f.slow = 10;
    f.slow_ms = 5000;
    return f;
}

/* One step's faults for server s. */
static inline void sio_sim_inject_server(sio_sim_net *n, sio_sim_server *s, const sio_sim_faults *f)
{
    if (!s->serving) return;
    if (sio_sim_chance(n, f->restart)) {
        sio_sim_trace(n, "server restart", (long)s->port);
        n->restarts++;
        sio_sim_server_restart(s, f->down_ms ? sio_sim_rand(n) % f->down_ms : 0);
    }
    if (sio_sim_chance(n, f->ping)) sio_sim_server_send(s, "2");
    if (sio_sim_chance(n, f->kick)) {
        const char *ns = sio_sim_chance(n, 500) ? "/" : "/news";
        sio_sim_trace(n, "server disconnects a namespace", (long)s->port);
        sio_sim_server_kick(s, ns);
    }
}

/* One step's faults, drawn from the network's seed, on the network and
 * the count servers of the array servers (NULL: every server serving on
 * the network, count ignored). */
static inline void sio_sim_inject(sio_sim_net *n, sio_sim_server *servers, size_t count, const sio_sim_faults *f)
{
    size_t k;
    n->max_read = sio_sim_chance(n, f->split) ? 1 + sio_sim_rand(n) % 40 : 0;
    n->max_write = sio_sim_chance(n, f->split) ? 1 + sio_sim_rand(n) % 40 : 0;
    if (sio_sim_chance(n, f->reset)) {
        int i = (int)(sio_sim_rand(n) % SIO_SIM_LINKS);
        if (n->link[i].open && !n->link[i].reset) { sio_sim_trace(n, "reset connection", i); n->link[i].reset = 1; n->resets++; }
    }
    if (!servers) {
        for (k = 0; k < SIO_SIM_PORTS; k++)
            if (n->server[k]) sio_sim_inject_server(n, n->server[k], f);
    } else {
        for (k = 0; k < count; k++) sio_sim_inject_server(n, &servers[k], f);
    }
    if (sio_sim_chance(n, f->resolve)) {
        uint32_t ms = f->down_ms ? sio_sim_rand(n) % f->down_ms : 0;
        n->resolve_fail_until = n->now + ms;
        sio_sim_trace(n, "names stop resolving (ms)", (long)ms);
    }
    if (sio_sim_chance(n, f->slow)) {
        n->connect_ms = n->connect_ms || !f->slow_ms ? 0 : sio_sim_rand(n) % f->slow_ms;
        sio_sim_trace(n, "connects take (ms)", (long)n->connect_ms);
    }
    if (sio_sim_chance(n, f->clock_jump)) {
        uint32_t j = f->jump_ms ? sio_sim_rand(n) % f->jump_ms : 0;
        sio_sim_trace(n, "clock jump", (long)j);
        n->jumps++;
        n->now += j;
    }
}

/* The network heals: no more split reads and writes, refused connects,
 * unresolved names or slow connects, and the servers are up. */
static inline void sio_sim_heal(sio_sim_net *n)
{
    int i;
    n->max_read = n->max_write = 0;
    n->refuse_connects = n->resolve_fail = 0;
    n->resolve_fail_until = 0;
    n->connect_ms = 0;
    for (i = 0; i < SIO_SIM_PORTS; i++)
        if (n->server[i]) n->server[i]->down_until = 0;
}

#endif
