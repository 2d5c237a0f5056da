/* An in-memory platform for driving the whole client in tests: the test
 * plays the server, controls the clock and the random source, and reads
 * every byte the client writes.  Include after sio.h (with the
 * implementation) in exactly one test program. */
#ifndef SIO_MEM_PLATFORM_H
#define SIO_MEM_PLATFORM_H
#include <stdio.h>
#include <string.h>

/* ---- the in-memory platform ---- */

#include "sio_sim.h"

/* One stream (socket 7) whose every byte the test writes and reads, or with
 * multi the simulator's connections (sio_sim.h links, sockets 100 + i), one
 * per connection, for the polling transport's GET and POST, the upgrade
 * probe and the server model; what the client writes still goes to out too. */
typedef struct mem_net {
    unsigned char in[1 << 20];    /* server -> client */
    size_t in_len, in_pos, max_read;
    unsigned char out[1 << 20];   /* client -> server */
    size_t out_len, max_write;
    unsigned sends;               /* send() calls that wrote something */
    int eof, connect_fail, connected_after, closed, random_fail, sockets;
    unsigned addresses;           /* addresses the host has (0 = 1) */
    unsigned refuse_first;        /* the first N addresses refuse at once */
    unsigned async_refuse_first;  /* the first N addresses fail while connecting */
    unsigned attempt;             /* the attempt of the current socket */
    uint64_t now;
    unsigned char rnd;
    char last_host[64];           /* the host of the last connect() */
    const char *refuse_host;      /* connects to this host (an address) are refused at once */
    int dns_opens;                /* nameserver sockets opened (mem_platform_dns) */
    int multi;
    sio_sim_net sim;              /* multi: the connections (sim.link[i], sim.opened) */
} mem_net;

static mem_net net;

static int mem_connect(void *u, const char *host, unsigned short port, unsigned attempt, sio_socket *s,
                       char *err, size_t n)
{
    (void)u;
    snprintf(net.last_host, sizeof net.last_host, "%s", host);
    if (attempt >= (net.addresses ? net.addresses : 1)) return SIO_ERR_NO_ADDRESS;
    if (net.connect_fail || attempt < net.refuse_first || (net.refuse_host && strcmp(host, net.refuse_host) == 0)) {
        snprintf(err, n, "Connection refused");
        return SIO_ERR_IO;
    }
    net.attempt = attempt;
    net.sockets++;
    *s = 7;
    if (net.multi) {
        int i = sio_sim_link_open(&net.sim, port);
        if (i < 0 || i >= 4) {                       /* the tests look at four connections */
            if (i >= 0) { net.sim.link[i].open = 0; net.sim.sockets--; }
            net.sockets--;
            snprintf(err, n, "no free in-memory socket");
            return SIO_ERR_IO;
        }
        *s = SIO_SIM_SOCKET_BASE + i;
    }
    return SIO_OK;
}
static sio_sim_link *mem_box_of(sio_socket s)
{
    return net.multi ? sio_sim_link_of(&net.sim, s) : NULL;
}
static int mem_connect_result(void *u, sio_socket s, char *err, size_t n)
{
    (void)u; (void)s;
    if (net.attempt < net.async_refuse_first) { snprintf(err, n, "Network is unreachable"); return SIO_ERR_IO; }
    return net.connected_after == 0 ? 1 : (net.connected_after--, 0);
}
static long mem_send(void *u, sio_socket s, const void *b, size_t len, char *err, size_t n)
{
    sio_sim_link *x = mem_box_of(s);
    (void)u;
    if (x && x->reset) { snprintf(err, n, "Connection reset by peer"); return SIO_ERR_IO; }
    if (net.max_write && len > net.max_write) len = net.max_write;
    if (len > sizeof net.out - net.out_len) len = sizeof net.out - net.out_len;
    if (len == 0) return SIO_ERR_AGAIN;
    memcpy(net.out + net.out_len, b, len);
    net.out_len += len;
    net.sends++;
    if (x) {                                  /* the link keeps what fits, for the server model */
        size_t room = sizeof x->out - x->out_len, k = len < room ? len : room;
        memcpy(x->out + x->out_len, b, k);
        x->out_len += k;
        if (len > 19) {                       /* remember a handshake's key for the answer */
            const char *p = (const char *)b, *end = p + len - 19 - 24;
            for (; p <= end; p++)
                if (memcmp(p, "Sec-WebSocket-Key: ", 19) == 0) { memcpy(x->key, p + 19, 24); break; }
        }
    }
    return (long)len;
}
static long mem_recv(void *u, sio_socket s, void *b, size_t len, char *err, size_t n)
{
    size_t avail = net.in_len - net.in_pos;
    sio_sim_link *x = mem_box_of(s);
    (void)u; (void)err; (void)n;
    if (x) {
        avail = x->in_len - x->in_pos;
        if (x->reset) { snprintf(err, n, "Connection reset by peer"); return SIO_ERR_IO; }
        if (avail == 0) return x->eof ? 0 : SIO_ERR_AGAIN;
        if (len > avail) len = avail;
        if (net.max_read && len > net.max_read) len = net.max_read;
        memcpy(b, x->in + x->in_pos, len);
        x->in_pos += len;
        return (long)len;
    }
    if (avail == 0) return net.eof ? 0 : SIO_ERR_AGAIN;
    if (len > avail) len = avail;
    if (net.max_read && len > net.max_read) len = net.max_read;
    memcpy(b, net.in + net.in_pos, len);
    net.in_pos += len;
    return (long)len;
}
static void mem_close(void *u, sio_socket s)
{
    (void)u;
    if (mem_box_of(s)) { mem_box_of(s)->open = 0; net.sim.sockets--; }
    net.closed++;
    net.sockets--;
}
static int mem_wait(void *u, sio_wait_item *items, size_t count, int timeout_ms)
{
    size_t i;
    int ready = 0;
    (void)u;
    for (i = 0; i < count; i++) {
        sio_sim_link *x = mem_box_of(items[i].socket);
        int readable = x ? (x->in_pos < x->in_len || x->eof || x->reset) : (net.in_pos < net.in_len || net.eof);
        items[i].revents = (items[i].events & SIO_WAIT_WRITE) | (readable ? SIO_WAIT_READ : 0);
        if (items[i].revents) ready++;
    }
    if (ready) return ready;
    net.now += timeout_ms < 0 ? 1000 : (uint64_t)timeout_ms;
    return 0;
}
static uint64_t mem_now(void *u) { (void)u; return net.now; }
static int mem_random(void *u, void *b, size_t len)
{
    unsigned char *p = (unsigned char *)b;
    (void)u;
    if (net.random_fail) return SIO_ERR_IO;
    while (len--) *p++ = (unsigned char)(++net.rnd * 37 + 11);
    return SIO_OK;
}
static const sio_platform mem_platform = { NULL, mem_connect, mem_connect_result, mem_send, mem_recv,
                                           mem_close, mem_wait, mem_now, mem_random, NULL, NULL, NULL, NULL,
                                           NULL, NULL };
const sio_platform *sio_platform_default(void) { return &mem_platform; }

/* The same with name resolution hooks: the test plays the nameserver too
 * (queries land in net.out, answers come from net.in); "hosts.test" is in
 * the hosts file as 10.9.9.9, "two.test" as 10.9.9.9 and 10.9.9.8; only
 * one nameserver exists. */
static int mem_hosts_lookup(void *u, const char *name, unsigned index, char *out, size_t size)
{
    (void)u;
    if (size < 9) return 0;
    if (strcmp(name, "hosts.test") == 0 && index == 0) { strcpy(out, "10.9.9.9"); return 1; }
    if (strcmp(name, "two.test") == 0 && index < 2) { strcpy(out, index ? "10.9.9.8" : "10.9.9.9"); return 1; }
    if (strcmp(name, "dual.test") == 0 && index < 2) { strcpy(out, index ? "10.9.9.7" : "fd00::7"); return 1; }
    return 0;
}
static int mem_dns_open(void *u, const char *server, unsigned short port, unsigned index, sio_socket *s, char *err,
                        size_t n)
{
    (void)u; (void)server; (void)port; (void)err; (void)n;
    if (index > 0) return SIO_ERR_NO_ADDRESS;
    net.dns_opens++;
    net.sockets++;
    *s = 9;
    return SIO_OK;
}
static const sio_platform mem_platform_dns = { NULL, mem_connect, mem_connect_result, mem_send, mem_recv,
                                               mem_close, mem_wait, mem_now, mem_random, NULL, NULL, NULL, NULL,
                                               mem_hosts_lookup, mem_dns_open };

/* ---- helpers ---- */

static void net_reset(void) { memset(&net, 0, sizeof net); net.now = 1000; sio_sim_net_init(&net.sim, 0); }
static void server_send(const void *p, size_t n) { memcpy(net.in + net.in_len, p, n); net.in_len += n; }
static inline void server_frame(int fin, int op, const void *p, size_t n)
{
    net.in_len += sio_ws_encode(net.in + net.in_len, fin, op, p, n, NULL);
}

/* The accept value for the key in the request the client wrote. */
static void accept_for_request(char out[29])
{
    char key[25];
    const char *k = strstr((const char *)net.out, "Sec-WebSocket-Key: ");
    memset(key, 0, sizeof key);
    if (k) memcpy(key, k + 19, 24);
    sio_ws_accept_key(key, out);
}

static void server_accept(const char *extra)
{
    char accept[29], head[2048];
    accept_for_request(accept);
    snprintf(head, sizeof head, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
             "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n%s\r\n", accept, extra ? extra : "");
    server_send(head, strlen(head));
}

/* multi: bytes from the server on one connection (box 0..3). */
static inline void box_send(int i, const void *p, size_t n) { sio_sim_link_send(&net.sim, i & 3, p, n); }
/* multi: an HTTP 200 answer carrying body on one connection. */
static inline void box_http(int i, const void *body, size_t n) { sio_sim_link_http(&net.sim, i & 3, body, n); }
/* multi: the 101 for the WebSocket handshake made on that connection. */
static inline void box_accept(int i) { sio_sim_link_accept(&net.sim, i & 3); }

static int poll_type(sio_client *c, sio_event *ev) { return sio_poll(c, ev, 100) == 1 ? (int)ev->type : -1; }

static inline sio_client *open_client(sio_config *cfg)
{
    sio_client *c = NULL;
    sio_event ev;
    sio_config def;
    if (!cfg) { memset(&def, 0, sizeof def); def.url = "ws://example.test:8080/chat?room=1"; cfg = &def; }
    net_reset();
    if (sio_create(cfg, &c) != SIO_OK) return NULL;
    sio_start(c);
    sio_poll(c, &ev, 0);               /* connects and writes the request */
    server_accept(NULL);
    if (poll_type(c, &ev) != SIO_EVENT_OPEN) { sio_destroy(c); return NULL; }
    net.out_len = 0;                   /* forget the request */
    return c;
}

/* Decodes the n-th client frame in net.out (unmasking a copy). */
static inline int client_frame(size_t index, sio_ws_frame *f, unsigned char *payload)
{
    size_t pos = 0, i;
    for (i = 0;; i++) {
        if (sio_ws_parse_header(f, net.out + pos, net.out_len - pos, NULL) != 1) return 0;
        if (pos + f->header_len + f->length > net.out_len) return 0;
        if (i == index) {
            memcpy(payload, net.out + pos + f->header_len, (size_t)f->length);
            sio_ws_mask(payload, (size_t)f->length, f->mask, 0);
            return 1;
        }
        pos += f->header_len + (size_t)f->length;
    }
}

#endif
