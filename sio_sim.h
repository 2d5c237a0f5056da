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
 * Use it with any build of sio (the sio.h implementation compiled in one
 * file of the program); the clients under test get the simulated network
 * through sio_config.platform, so the program's real clients are untouched:
 *
 *     #define SIO_IMPLEMENTATION        (in one file, or link sio as usual)
 *     #include "sio.h"
 *     #include "sio_sim.h"
 *
 *     static sio_sim_net net;           (large: keep it static or on the heap)
 *     sio_sim_server server;            (also large, about 100 KB)
 *     sio_sim_net_init(&net, seed);
 *     sio_sim_server_init(&server, &net, 80, 0);   (Socket.IO on port 80)
 *     cfg.url = "http://app.test/";  cfg.platform = sio_sim_platform(&net);
 *     sio_create(&cfg, &c); sio_start(c);
 *     for (step = 0; step < 1000; step++) {
 *         sio_sim_server_step(&server);                 (the server reads and answers)
 *         sio_sim_inject(&net, &server, 1, &faults);    (optional: faults from the seed)
 *         while (sio_poll(c, &ev, 0) == 1) handle(&ev); (the program under test)
 *         sio_sim_idle(&net, 50);                       (the clock moves on)
 *     }
 *
 * Polling with a timeout moves the clock too: a sio_poll(c, &ev, 5000) with
 * nothing to read returns at once, 5 s later in simulated time.  Host names
 * are not resolved: every host reaches the server listening on the URL's
 * port (80 for http/ws, 443 for https/wss: the model speaks no TLS, so use
 * plain URLs).  Nothing here is global: several networks may run side by
 * side.  sio's own simulator (tests/sim.c) is built on this header.
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
    unsigned serial;              /* sio_sim_net.opened when it was made */
    unsigned short port;          /* the port it was made to */
    uint64_t connected_at;        /* the connect completes at this time (a slow network) */
    char key[25];                 /* the Sec-WebSocket-Key of its handshake, if any */
} sio_sim_link;

struct sio_sim_server;

typedef struct sio_sim_net {
    uint64_t now;                 /* the clock, in ms; starts at 1000 */
    uint64_t rng;                 /* the seed's generator state (sio_sim_rand) */
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
    struct sio_sim_server *server[SIO_SIM_PORTS];   /* by sio_sim_server_init */
    /* optional: told each fault sio_sim_inject makes */
    void (*trace)(void *user, const char *what, long value);
    void *trace_user;
    sio_platform platform;        /* sio_sim_platform(): user points here */
} sio_sim_net;

/* ---- the seeded generator ---- */

/* The next 32 random bits of the network's seed (xorshift64). */
static inline uint32_t sio_sim_rand(sio_sim_net *n)
{
    n->rng ^= n->rng << 13;
    n->rng ^= n->rng >> 7;
    n->rng ^= n->rng << 17;
    return (uint32_t)(n->rng >> 11);
}
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

/* Bytes from the server on link i (what does not fit is dropped). */
static inline void sio_sim_link_send(sio_sim_net *n, int i, const void *p, size_t len)
{
    sio_sim_link *x = &n->link[i];
    if (x->in_pos == x->in_len) x->in_pos = x->in_len = 0;
    if (len > sizeof x->in - x->in_len) len = sizeof x->in - x->in_len;
    memcpy(x->in + x->in_len, p, len);
    x->in_len += len;
}

/* An HTTP 200 answer carrying body on link i. */
static inline void sio_sim_link_http(sio_sim_net *n, int i, const void *body, size_t len)
{
    char head[128];
    snprintf(head, sizeof head, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %lu\r\n\r\n",
             (unsigned long)len);
    sio_sim_link_send(n, i, head, strlen(head));
    sio_sim_link_send(n, i, body, len);
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
    if (len > sizeof x->out - x->out_len) len = sizeof x->out - x->out_len;
    if (len == 0) return SIO_ERR_AGAIN;                    /* the server model reads it at its next step */
    memcpy(x->out + x->out_len, b, len);
    x->out_len += len;
    if (len > 19) {                                        /* remember a handshake's key for the 101 */
        const char *k = (const char *)b, *end = k + len - 19 - 24;
        for (; k <= end; k++)
            if (memcmp(k, "Sec-WebSocket-Key: ", 19) == 0) { memcpy(x->key, k + 19, 24); break; }
    }
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

/* Ready now, or else the clock moves on: to the first connect that
 * completes within the timeout, or by the whole timeout (1 s for "forever");
 * nothing else can happen while every client waits. */
static inline int sio_sim_wait(void *u, sio_wait_item *items, size_t count, int timeout_ms)
{
    sio_sim_net *n = (sio_sim_net *)u;
    uint64_t until = n->now + (timeout_ms < 0 ? 1000u : (uint64_t)timeout_ms);
    size_t i;
    int ready = sio_sim_ready(n, items, count);
    if (ready) return ready;
    for (i = 0; i < count; i++) {
        sio_sim_link *x = sio_sim_link_of(n, items[i].socket);
        if (x && x->connected_at > n->now && x->connected_at < until) until = x->connected_at;
    }
    n->now = until;
    return sio_sim_ready(n, items, count);
}

static inline uint64_t sio_sim_now(void *u) { return ((sio_sim_net *)u)->now; }

static inline int sio_sim_random(void *u, void *b, size_t len)
{
    sio_sim_net *n = (sio_sim_net *)u;
    unsigned char *p = (unsigned char *)b;
    if (n->random_fail) return SIO_ERR_IO;
    while (len--) *p++ = (unsigned char)sio_sim_rand(n);
    return SIO_OK;
}

/* Sets up a network: the clock at 1000 ms, the generator from seed. */
static inline void sio_sim_net_init(sio_sim_net *n, uint64_t seed)
{
    memset(n, 0, sizeof *n);
    n->now = 1000;
    n->rng = seed * 0x9E3779B97F4A7C15ull + 1;
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

/* A socket.io server (or a WebSocket echo server) on one port.  One session
 * at a time per server: a second client needs a second server on another
 * port.  Every namespace is accepted (unless refuse_namespaces) and greeted
 * with "welcome" and a binary "bin" event (ack id 1); an EVENT with an ack
 * id is acked with ["ok"]. */
typedef struct sio_sim_server {
    sio_sim_net *net;
    unsigned short port;          /* 0: every link (a network with this one server) */
    int sessions;                 /* handshakes answered (the sid is "S<n>") */
    int ws_link;                  /* the link carrying the session's WebSocket frames, -1: none */
    int ws_upgraded;              /* "5" received: the WebSocket is the transport */
    int held_get;                 /* a long-poll GET waiting for packets, -1: none */
    char pending[8192];           /* packets for the next long-poll answer, 0x1e between them */
    size_t pending_len;
    size_t read[SIO_SIM_LINKS];   /* how far each link's writes were read */
    unsigned serial[SIO_SIM_LINKS];   /* the connection read[] is about */
    int websocket[SIO_SIM_LINKS]; /* the link was switched to WebSocket */
    int events, acks_sent, connects, closes, upgrades;
    int offer_upgrade;            /* "upgrades":["websocket"] in the open packet */
    void (*on_packet)(void *user, const char *p, size_t n);   /* sees every EVENT the client sent
                                                                 (NUL-terminated) */
    void *on_packet_user;
    int refuse_namespaces;        /* CONNECT to a namespace other than "/" gets CONNECT_ERROR */
    int echo;                     /* a plain WebSocket echo server instead (any path) */
    int eio3;                     /* the session is Engine.IO 3 (over WebSocket) */
    int pongs;                    /* Engine.IO 3: the client's pings answered */
    int echoed;                   /* messages echoed */
    uint64_t down_until;          /* restarting: connects are refused until then */
    unsigned char frame[SIO_SIM_LINK_BYTES + 1];    /* a frame being read */
    unsigned char echo_frame[SIO_SIM_LINK_BYTES + 16];   /* and its echo */
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

/* A server listening on port (0: any) of the network; offer_upgrade: the
 * polling transport may upgrade to WebSocket. */
static inline int sio_sim_server_init(sio_sim_server *s, sio_sim_net *n, unsigned short port, int offer_upgrade)
{
    int i;
    memset(s, 0, sizeof *s);
    s->net = n;
    s->port = port;
    s->ws_link = s->held_get = -1;
    s->offer_upgrade = offer_upgrade;
    for (i = 0; i < SIO_SIM_PORTS && n->server[i] && n->server[i] != s; i++) {}
    if (i == SIO_SIM_PORTS) return -1;
    n->server[i] = s;
    return 0;
}

static inline int sio_sim_server_owns(const sio_sim_server *s, int i)
{
    return s->port == 0 || s->net->link[i].port == s->port;
}

/* 1 while link i is still the connection the server saw (not closed, not
 * reused since by another client). */
static inline int sio_sim_server_has(const sio_sim_server *s, int i)
{
    return i >= 0 && s->net->link[i].open && sio_sim_server_owns(s, i) && s->serial[i] == s->net->link[i].serial;
}

static inline void sio_sim_server_text(sio_sim_server *s, int link, const char *text)
{
    unsigned char f[1024];
    size_t len = strlen(text);
    if (len > sizeof f - 16) return;
    sio_sim_link_send(s->net, link, f, sio_ws_encode(f, 1, SIO_WS_TEXT, text, len, NULL));
}

/* An Engine.IO packet for the client ("2" a ping, "42[...]" an event): on
 * the WebSocket once upgraded, else in the held GET's answer or the next. */
static inline void sio_sim_server_send(sio_sim_server *s, const char *packet)
{
    size_t len = strlen(packet);
    if (s->ws_upgraded && sio_sim_server_has(s, s->ws_link)) { sio_sim_server_text(s, s->ws_link, packet); return; }
    if (s->pending_len + len + 1 > sizeof s->pending) return;   /* a slow reader loses packets */
    if (s->pending_len) s->pending[s->pending_len++] = 0x1e;
    memcpy(s->pending + s->pending_len, packet, len);
    s->pending_len += len;
    if (sio_sim_server_has(s, s->held_get)) {
        sio_sim_link_http(s->net, s->held_get, s->pending, s->pending_len);
        s->pending_len = 0;
        s->held_get = -1;
    }
}

/* An attachment for the client: a binary frame, or "b<base64>" over polling. */
static inline void sio_sim_server_send_binary(sio_sim_server *s, const unsigned char *data, size_t len)
{
    char text[128];
    if (len > 64) return;
    if (s->ws_upgraded && sio_sim_server_has(s, s->ws_link)) {
        unsigned char f[128], v3[72];
        if (s->eio3) {                                          /* the packet type first */
            v3[0] = 4;
            memcpy(v3 + 1, data, len);
            data = v3;
            len++;
        }
        sio_sim_link_send(s->net, s->ws_link, f, sio_ws_encode(f, 1, SIO_WS_BINARY, data, len, NULL));
        return;
    }
    text[0] = 'b';
    text[1 + sio_base64_encode(data, len, text + 1)] = 0;
    sio_sim_server_send(s, text);
}

static inline void sio_sim_server_open(sio_sim_server *s, int link, int over_websocket, int eio3)
{
    char open[256];
    s->sessions++;
    s->ws_upgraded = over_websocket;        /* WebSocket only: it is the transport from the start */
    s->eio3 = eio3;
    s->pending_len = 0;
    s->held_get = -1;
    snprintf(open, sizeof open, "0{\"sid\":\"S%d\",\"upgrades\":[%s],\"pingInterval\":25000,\"pingTimeout\":20000%s}",
             s->sessions, s->offer_upgrade && !over_websocket ? "\"websocket\"" : "", eio3 ? "" : ",\"maxPayload\":1000000");
    if (over_websocket) sio_sim_server_text(s, link, open);
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
    char reply[128];
    size_t k = 2;
    int ns;
    s->connects++;
    while (k < n && p[k] != ',' && p[k] != '{') k++;
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
    char reply[128];
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
    if (k > id && k - id < 18) {
        snprintf(reply, sizeof reply, "43%.*s%.*s[\"ok\"]", (int)(ns_end - ns), p + ns, (int)(k - id), p + id);
        s->acks_sent++;
        sio_sim_server_send(s, reply);
    }
}

/* One Engine.IO packet from the client (text; binary attachments are
 * counted with their packet and otherwise ignored). */
static inline void sio_sim_server_packet(sio_sim_server *s, int link, const char *p, size_t n)
{
    char reply[128];
    if (n == 6 && memcmp(p, "2probe", 6) == 0) {
        sio_sim_server_text(s, link, "3probe");
        if (sio_sim_server_has(s, s->held_get)) {                  /* polling pauses: its GET ends */
            sio_sim_link_http(s->net, s->held_get, "6", 1);
            s->held_get = -1;
        }
        return;
    }
    if (n == 1 && p[0] == '5') {
        size_t a = 0, b;
        s->ws_upgraded = 1;
        s->upgrades++;
        for (b = 0; s->pending_len && b <= s->pending_len; b++)     /* what waited goes on the WebSocket */
            if (b == s->pending_len || s->pending[b] == 0x1e) {
                char one[1024];
                if (b - a < sizeof one) { memcpy(one, s->pending + a, b - a); one[b - a] = 0; sio_sim_server_text(s, link, one); }
                a = b + 1;
            }
        s->pending_len = 0;
        return;
    }
    if (n == 1 && p[0] == '1') { s->closes++; sio_sim_server_send(s, "1"); return; }
    if (s->eio3 && n >= 1 && p[0] == '2') {                     /* Engine.IO 3: the client pings */
        snprintf(reply, sizeof reply, "3%.*s", (int)(n - 1 < 100 ? n - 1 : 100), p + 1);
        s->pongs++;
        sio_sim_server_send(s, reply);
        return;
    }
    if (n < 2 || p[0] != '4') return;                            /* pongs, noops */
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

/* WebSocket frames the client wrote on a link (masked). */
static inline void sio_sim_server_frames(sio_sim_server *s, int link)
{
    sio_sim_link *x = &s->net->link[link];
    sio_ws_frame f;
    unsigned char reply[160];
    while (s->read[link] < x->out_len &&
           sio_ws_parse_header(&f, x->out + s->read[link], x->out_len - s->read[link], NULL) == 1 &&
           f.header_len + f.length <= x->out_len - s->read[link]) {
        size_t len = (size_t)f.length;
        memcpy(s->frame, x->out + s->read[link] + f.header_len, len);
        sio_ws_mask(s->frame, len, f.mask, 0);
        s->frame[len] = 0;
        s->read[link] += f.header_len + len;
        if (s->echo && (f.opcode == SIO_WS_TEXT || f.opcode == SIO_WS_BINARY)) {
            if (f.fin) {                                         /* whole messages only */
                sio_sim_link_send(s->net, link, s->echo_frame,
                                  sio_ws_encode(s->echo_frame, 1, (int)f.opcode, s->frame, len, NULL));
                s->echoed++;
            }
        } else if (f.opcode == SIO_WS_TEXT) sio_sim_server_packet(s, link, (const char *)s->frame, len);
        else if (f.opcode == SIO_WS_PING && len <= 125) {
            sio_sim_link_send(s->net, link, reply, sio_ws_encode(reply, 1, SIO_WS_PONG, s->frame, len, NULL));
        } else if (f.opcode == SIO_WS_CLOSE) {
            sio_sim_link_send(s->net, link, reply, sio_ws_encode(reply, 1, SIO_WS_CLOSE, "\x03\xe8", 2, NULL));
            x->eof = 1;
            s->closes++;
        }
    }
}

/* HTTP requests the client wrote on a link: the handshake, long-poll GETs,
 * POSTs and WebSocket handshakes (a probe when it carries the sid). */
static inline void sio_sim_server_requests(sio_sim_server *s, int link)
{
    sio_sim_link *x = &s->net->link[link];
    while (!s->websocket[link] && s->read[link] < x->out_len) {
        const char *req = (const char *)x->out + s->read[link], *end, *cl;
        size_t avail = x->out_len - s->read[link], head, body = 0;
        char line[256];
        for (end = req; end + 4 <= req + avail && memcmp(end, "\r\n\r\n", 4) != 0; end++) {}
        if (end + 4 > req + avail) return;                       /* not all there yet */
        head = (size_t)(end - req) + 4;
        for (cl = req; cl + 16 < end && memcmp(cl, "Content-Length: ", 16) != 0; cl++) {}
        if (cl + 16 < end) body = (size_t)strtoul(cl + 16, NULL, 10);
        if (body > avail - head) return;
        snprintf(line, sizeof line, "%.*s", (int)((const char *)memchr(req, '\r', head) - req), req);
        s->read[link] += head + body;
        if (strncmp(line, "POST ", 5) == 0) {
            sio_sim_link_http(s->net, link, "ok", 2);
            sio_sim_server_payload(s, link, req + head, body);
        } else if (s->echo) {
            sio_sim_link_accept(s->net, link);
            s->websocket[link] = 1;
            s->sessions++;
        } else if (strstr(line, "transport=websocket")) {
            sio_sim_link_accept(s->net, link);
            s->websocket[link] = 1;
            s->ws_link = link;
            if (!strstr(line, "sid=")) sio_sim_server_open(s, link, 1, strstr(line, "EIO=3") != NULL);
        } else if (!strstr(line, "sid=")) {
            sio_sim_server_open(s, link, 0, 0);
        } else if (s->pending_len) {
            sio_sim_link_http(s->net, link, s->pending, s->pending_len);
            s->pending_len = 0;
        } else {
            s->held_get = link;
        }
    }
}

/* The server reads and answers everything written to it since its last step. */
static inline void sio_sim_server_step(sio_sim_server *s)
{
    int i;
    for (i = 0; i < SIO_SIM_LINKS; i++) {
        sio_sim_link *x = &s->net->link[i];
        if (!x->open || !sio_sim_server_owns(s, i)) continue;
        if (s->serial[i] != x->serial) {                          /* a new connection on this link */
            s->serial[i] = x->serial;
            s->read[i] = 0;
            s->websocket[i] = 0;
            if (s->ws_link == i) s->ws_link = -1;
            if (s->held_get == i) s->held_get = -1;
        }
        sio_sim_server_requests(s, i);
        if (s->websocket[i]) sio_sim_server_frames(s, i);
        if (s->read[i]) {                                         /* what was read makes room */
            memmove(x->out, x->out + s->read[i], x->out_len - s->read[i]);
            x->out_len -= s->read[i];
            s->read[i] = 0;
        }
    }
}

/* The server disconnects a namespace ("/" or "/name"). */
static inline void sio_sim_server_kick(sio_sim_server *s, const char *ns)
{
    char packet[128];
    int root = strcmp(ns, "/") == 0;
    snprintf(packet, sizeof packet, "41%s%s", root ? "" : ns, root ? "" : ",");
    sio_sim_server_send(s, packet);
}

/* The server goes away (a restart): its connections end, the session too;
 * for down_ms it refuses connections. */
static inline void sio_sim_server_restart(sio_sim_server *s, unsigned down_ms)
{
    int i;
    for (i = 0; i < SIO_SIM_LINKS; i++)
        if (s->net->link[i].open && sio_sim_server_owns(s, i)) s->net->link[i].eof = 1;
    s->ws_link = s->held_get = -1;
    s->ws_upgraded = 0;
    s->pending_len = 0;
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

/* One step's faults, drawn from the network's seed, on the network and
 * the count servers in servers. */
static inline void sio_sim_inject(sio_sim_net *n, sio_sim_server *servers, size_t count, const sio_sim_faults *f)
{
    size_t k;
    n->max_read = sio_sim_chance(n, f->split) ? 1 + sio_sim_rand(n) % 40 : 0;
    n->max_write = sio_sim_chance(n, f->split) ? 1 + sio_sim_rand(n) % 40 : 0;
    if (sio_sim_chance(n, f->reset)) {
        int i = (int)(sio_sim_rand(n) % SIO_SIM_LINKS);
        if (n->link[i].open && !n->link[i].reset) { sio_sim_trace(n, "reset connection", i); n->link[i].reset = 1; n->resets++; }
    }
    for (k = 0; k < count; k++) {
        sio_sim_server *s = &servers[k];
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
