/* The lwIP platform (sio_impl_lwip.c) against peers on the same lwIP stack,
 * in one process: lwIP's tcpip thread, a network interface whose own
 * address (10.0.0.1) loops back inside lwIP, a WebSocket and Engine.IO /
 * Socket.IO peer and a DNS responder on lwIP sockets in threads of their
 * own, and the client driven through the port from the main thread.  No
 * byte touches the host's network stack.
 *
 * Built with Debian's liblwip-dev (NO_SYS 0, poll, no LWIP_DNS: the
 * names go through sio's resolver with sio_config.dns_server). */

#define _DEFAULT_SOURCE
#include "../sio_impl_lwip.c"

#include "lwip/tcpip.h"
#include "lwip/netif.h"
#include "lwip/sys.h"
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include "test.h"

#define PEER_ADDRESS "10.0.0.1"
#define PEER_PORT 8080
#define DNS_PORT 5353

/* ---- the hooks the integrator supplies ---- */
uint64_t sio_lwip_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int sio_lwip_random(void *buf, size_t len)
{
    FILE *f = fopen("/dev/urandom", "rb");
    size_t n = f ? fread(buf, 1, len, f) : 0;
    if (f) fclose(f);
    return n == len ? SIO_OK : SIO_ERR_IO;
}

/* ---- lwIP with one interface that answers its own address ---- */
static struct netif test_netif;

static err_t netif_drop(struct netif *n, struct pbuf *p, const ip4_addr_t *a)
{
    (void)n; (void)p; (void)a;                 /* nothing leaves: only the own address is used */
    return ERR_OK;
}

static err_t netif_setup(struct netif *n)
{
    n->name[0] = 't';
    n->name[1] = 'n';
    n->output = netif_drop;
    n->mtu = 1500;
    n->flags = NETIF_FLAG_UP | NETIF_FLAG_LINK_UP;
    return ERR_OK;
}

static sys_sem_t lwip_ready;
static void on_lwip_ready(void *arg) { (void)arg; sys_sem_signal(&lwip_ready); }

static void lwip_start(void)
{
    ip4_addr_t ip, mask, gw;
    sys_sem_new(&lwip_ready, 0);
    tcpip_init(on_lwip_ready, NULL);
    sys_sem_wait(&lwip_ready);
    IP4_ADDR(&ip, 10, 0, 0, 1);
    IP4_ADDR(&mask, 255, 255, 255, 0);
    IP4_ADDR(&gw, 0, 0, 0, 0);
    LOCK_TCPIP_CORE();
    netif_add(&test_netif, &ip, &mask, &gw, NULL, netif_setup, tcpip_input);
    netif_set_default(&test_netif);
    netif_set_up(&test_netif);
    netif_set_link_up(&test_netif);
    UNLOCK_TCPIP_CORE();
}

static sys_sem_t listening;                 /* each peer thread signals it once it listens */

static int listen_on(int type, unsigned short port)
{
    struct sockaddr_in sa;
    int fd = lwip_socket(AF_INET, type, 0), one = 1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = lwip_htons(port);
    sa.sin_addr.s_addr = inet_addr(PEER_ADDRESS);
    lwip_setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (fd < 0 || lwip_bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || (type == SOCK_STREAM && lwip_listen(fd, 4) < 0)) {
        fprintf(stderr, "lwip: cannot listen on port %u\n", (unsigned)port);
        exit(2);
    }
    sys_sem_signal(&listening);
    return fd;
}

/* ---- the peer: WebSocket echo, or Engine.IO 4 + Socket.IO 5 ---- */
static unsigned char peer_in[400000], peer_out[400000];
static int peer_connections;

static int send_all(int fd, const void *buf, size_t len)
{
    const unsigned char *p = (const unsigned char *)buf;
    while (len) {
        ssize_t n = lwip_send(fd, p, len, 0);
        if (n <= 0) return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static int peer_frame(int fd, int opcode, const void *payload, size_t len)
{
    return send_all(fd, peer_out, sio_ws_encode(peer_out, 1, opcode, payload, len, NULL));
}

static int peer_text(int fd, const char *text) { return peer_frame(fd, SIO_WS_TEXT, text, strlen(text)); }

/* An Engine.IO/Socket.IO packet from the client: the answers a server gives. */
static int peer_socketio(int fd, const char *payload, size_t n)
{
    char reply[256], m[256];
    if (n >= sizeof m) n = sizeof m - 1;                     /* the test's packets are short */
    memcpy(m, payload, n);
    m[n] = 0;
    if (strcmp(m, "40") == 0) return peer_text(fd, "40{\"sid\":\"N1\"}") || peer_text(fd, "42[\"hi\",\"from lwip\"]");
    if (strncmp(m, "42", 2) == 0 && m[2] >= '0' && m[2] <= '9') {    /* an emit with an ack id: answered */
        long id = strtol(m + 2, NULL, 10);
        snprintf(reply, sizeof reply, "43%ld[\"ok\",%lu]", id, (unsigned long)n);
        return peer_text(fd, reply);
    }
    return 0;
}

static void peer_serve(int fd)
{
    size_t have = 0, used;
    char *end, *key, accept[29], head[256];
    int socketio;
    for (;;) {                                               /* the handshake request */
        ssize_t n = lwip_recv(fd, peer_in + have, sizeof peer_in - 1 - have, 0);
        if (n <= 0) return;
        have += (size_t)n;
        peer_in[have] = 0;
        if ((end = strstr((char *)peer_in, "\r\n\r\n")) != NULL) break;
    }
    key = strstr((char *)peer_in, "Sec-WebSocket-Key: ");
    if (!key) return;
    key += 19;
    key[strcspn(key, "\r")] = 0;
    sio_ws_accept_key(key, accept);
    socketio = strstr((char *)peer_in, "EIO=4") != NULL;
    used = (size_t)(end + 4 - (char *)peer_in);
    snprintf(head, sizeof head, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Accept: %s\r\n\r\n", accept);
    if (send_all(fd, head, strlen(head))) return;
    if (socketio && peer_text(fd, "0{\"sid\":\"L1\",\"upgrades\":[],\"pingInterval\":25000,\"pingTimeout\":20000,"
                                  "\"maxPayload\":1000000}")) return;
    memmove(peer_in, peer_in + used, have - used);
    have -= used;
    for (;;) {
        sio_ws_frame f;
        const unsigned char *payload;
        int r;
        while ((r = sio_ws_peek_frame(peer_in, have, &f, &payload)) == 1) {
            size_t n = (size_t)f.length, size = f.header_len + n;
            unsigned char *p = (unsigned char *)payload;
            if (f.masked) sio_ws_mask(p, n, f.mask, 0);
            if (f.opcode == SIO_WS_CLOSE) {
                peer_frame(fd, SIO_WS_CLOSE, p, n < 2 ? n : 2);
                return;
            }
            if (socketio ? f.opcode == SIO_WS_TEXT && peer_socketio(fd, (const char *)p, n)
                         : f.opcode <= SIO_WS_BINARY && peer_frame(fd, (int)f.opcode, p, n))
                return;
            memmove(peer_in, peer_in + size, have - size);
            have -= size;
        }
        if (r < 0 || have >= sizeof peer_in - 1) return;
        {
            ssize_t n = lwip_recv(fd, peer_in + have, sizeof peer_in - 1 - have, 0);
            if (n <= 0) return;
            have += (size_t)n;
        }
    }
}

static void *peer_thread(void *arg)
{
    int ls = listen_on(SOCK_STREAM, PEER_PORT);
    (void)arg;
    for (;;) {
        int fd = lwip_accept(ls, NULL, NULL), one = 1;
        if (fd < 0) continue;
        lwip_setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);   /* its replies come in pieces */
        peer_connections++;
        peer_serve(fd);
        lwip_close(fd);
    }
    return NULL;
}

/* ---- a DNS responder: peer.test is 10.0.0.1, every other name is unknown ---- */
static int dns_queries;

static void *dns_thread(void *arg)
{
    int fd = listen_on(SOCK_DGRAM, DNS_PORT);
    unsigned char q[512];
    static const unsigned char name[] = "\x04peer\x04test";
    (void)arg;
    for (;;) {
        struct sockaddr_in from;
        socklen_t from_len = sizeof from;
        ssize_t n = lwip_recvfrom(fd, q, sizeof q - 32, 0, (struct sockaddr *)&from, &from_len);
        size_t len = n > 0 ? (size_t)n : 0, qname_end = 12;
        int known, type_a;
        if (len < 17) continue;
        dns_queries++;
        while (qname_end < len && q[qname_end]) qname_end += (size_t)q[qname_end] + 1;
        if (qname_end + 5 > len) continue;
        known = qname_end - 12 == sizeof name - 1 && memcmp(q + 12, name, sizeof name - 1) == 0;
        type_a = q[qname_end + 1] == 0 && q[qname_end + 2] == 1;
        len = qname_end + 5;                                  /* the question, then the answer */
        q[2] = 0x81;
        q[3] = known ? 0x80 : 0x83;                           /* NXDOMAIN for other names */
        q[6] = 0; q[7] = known && type_a;
        q[8] = q[9] = q[10] = q[11] = 0;
        if (known && type_a) {
            static const unsigned char answer[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 0, 0, 1};
            memcpy(q + len, answer, sizeof answer);
            len += sizeof answer;
        }
        lwip_sendto(fd, q, len, 0, (struct sockaddr *)&from, from_len);
    }
    return NULL;
}

/* ---- the client through the port ---- */
static sio_client *client_for(const char *url, int mode)
{
    sio_config cfg;
    sio_client *c = NULL;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = url;
    cfg.mode = mode;
    cfg.reconnect = SIO_RECONNECT_OFF;
    cfg.transport = SIO_TRANSPORT_WEBSOCKET;
    cfg.dns_server = PEER_ADDRESS ":5353";
    cfg.connect_timeout_ms = 5000;
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    if (c) CHECK_INT(sio_start(c), SIO_OK);
    return c;
}

/* The next event within 5 s (its type; SIO_EVENT_NONE when none came). */
static int next_event(sio_client *c, sio_event *ev)
{
    uint64_t until = sio_lwip_now_ms() + 5000;
    while (sio_lwip_now_ms() < until)
        if (sio_poll(c, ev, 100) == 1) return (int)ev->type;
    ev->type = SIO_EVENT_NONE;
    return SIO_EVENT_NONE;
}

static void websocket_echo(const char *url)
{
    static unsigned char big[200000];
    sio_client *c = client_for(url, SIO_MODE_WEBSOCKET);
    sio_event ev;
    size_t i;
    if (!c) return;
    CHECK_INT(next_event(c, &ev), SIO_EVENT_OPEN);
    CHECK_INT(sio_send_text(c, "hello over lwIP", 15), SIO_OK);
    CHECK_INT(next_event(c, &ev), SIO_EVENT_MESSAGE);
    CHECK_SPAN(ev.data, ev.len, "hello over lwIP");
    for (i = 0; i < sizeof big; i++) big[i] = (unsigned char)(i * 7 + i / 251);
    CHECK_INT(sio_send_binary(c, big, sizeof big), SIO_OK);   /* more than lwIP's send window */
    CHECK_INT(next_event(c, &ev), SIO_EVENT_MESSAGE);
    CHECK(ev.binary && ev.len == sizeof big && memcmp(ev.data, big, sizeof big) == 0);
    CHECK_INT(sio_stop(c), SIO_OK);
    CHECK_INT(next_event(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(ev.code, SIO_CLOSE_NORMAL);
    sio_destroy(c);
}

static void test_lwip_websocket_by_address(void) { websocket_echo("ws://" PEER_ADDRESS ":8080/echo"); }

static void test_lwip_websocket_by_name_through_the_resolver(void)
{
    int before = dns_queries;
    websocket_echo("ws://peer.test:8080/echo");
    CHECK(dns_queries > before);
}

static void test_lwip_socketio(void)
{
    sio_client *c = client_for("http://" PEER_ADDRESS ":8080/", SIO_MODE_SOCKETIO);
    sio_emit_options o;
    sio_event ev;
    int64_t id = -1;
    int k, got_hi = 0, got_connect = 0;
    if (!c) return;
    CHECK_INT(next_event(c, &ev), SIO_EVENT_OPEN);
    for (k = 0; k < 2; k++) {                                 /* CONNECT, then the server's event */
        int t = next_event(c, &ev);
        got_connect += t == SIO_EVENT_CONNECT;
        got_hi += t == SIO_EVENT_EVENT && strcmp(ev.event_name, "hi") == 0;
    }
    CHECK(got_connect == 1 && got_hi == 1);
    memset(&o, 0, sizeof o);
    o.event = "echo";
    o.args = "[\"ping\",42]";
    o.ack = 1;
    CHECK_INT(sio_emit_ex(c, &o, &id), SIO_OK);
    CHECK_INT(next_event(c, &ev), SIO_EVENT_ACK);
    CHECK_INT(ev.ack_id, id);
    CHECK_INT(ev.error, SIO_OK);
    CHECK(ev.args && strncmp(ev.args, "[\"ok\",", 6) == 0);
    CHECK_INT(sio_stop(c), SIO_OK);
    CHECK_INT(next_event(c, &ev), SIO_EVENT_DISCONNECT);
    CHECK_INT(next_event(c, &ev), SIO_EVENT_CLOSE);
    CHECK_INT(ev.code, SIO_CLOSE_NORMAL);                     /* the close handshake completed */
    sio_destroy(c);
}

/* What a device meets: nobody listening, a name nobody knows, no
 * nameserver at all: each ends in one clear error and one CLOSE. */
static void test_lwip_failures_are_reported(void)
{
    sio_client *c = client_for("ws://" PEER_ADDRESS ":8081/", SIO_MODE_WEBSOCKET);
    sio_config cfg;
    sio_event ev;
    if (c) {
        CHECK_INT(next_event(c, &ev), SIO_EVENT_ERROR);
        CHECK(strstr(ev.message, "refused") != NULL);
        CHECK_INT(next_event(c, &ev), SIO_EVENT_CLOSE);
        sio_destroy(c);
    }
    c = client_for("ws://nobody.test:8080/", SIO_MODE_WEBSOCKET);
    if (c) {
        CHECK_INT(next_event(c, &ev), SIO_EVENT_ERROR);
        CHECK(strstr(ev.message, "nobody.test") != NULL);
        CHECK_INT(next_event(c, &ev), SIO_EVENT_CLOSE);
        sio_destroy(c);
    }
    memset(&cfg, 0, sizeof cfg);                              /* lwIP here has no DNS module */
    cfg.url = "ws://peer.test:8080/";
    cfg.reconnect = SIO_RECONNECT_OFF;
    c = NULL;
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    if (c) {
        CHECK_INT(sio_start(c), SIO_OK);
        CHECK_INT(next_event(c, &ev), SIO_EVENT_ERROR);
        CHECK(strstr(ev.message, "nameserver") != NULL);
        CHECK_INT(next_event(c, &ev), SIO_EVENT_CLOSE);
        sio_destroy(c);
    }
}

/* The platform with its wait() counted. */
static sio_platform counted;
static long waits;
static int counted_wait(void *user, sio_wait_item *items, size_t count, int timeout_ms)
{
    waits++;
    return sio_platform_default()->wait(user, items, count, timeout_ms);
}

/* Between reconnection attempts the client has no socket: wait() then
 * sleeps on nothing for the timeout (lwip_poll refuses an array with no
 * entries, which made it return at once and the caller spin). */
static void test_lwip_waiting_without_sockets_sleeps(void)
{
    sio_config cfg;
    sio_client *c = NULL;
    sio_event ev;
    uint64_t until;
    counted = *sio_platform_default();
    counted.wait = counted_wait;
    memset(&cfg, 0, sizeof cfg);
    cfg.url = "ws://" PEER_ADDRESS ":8081/";                   /* refused, again and again */
    cfg.reconnect = SIO_RECONNECT_ON;
    cfg.reconnect_delay_ms = 400;
    cfg.reconnect_delay_max_ms = 400;
    cfg.reconnect_jitter_pct = -1;
    cfg.platform = &counted;
    CHECK_INT(sio_create(&cfg, &c), SIO_OK);
    if (!c) return;
    CHECK_INT(sio_start(c), SIO_OK);
    waits = 0;
    until = sio_lwip_now_ms() + 1000;
    while (sio_lwip_now_ms() < until) sio_poll(c, &ev, 100);
    CHECK(waits > 3 && waits < 100);                           /* about one per 100 ms, not thousands */
    sio_destroy(c);
}

int main(void)
{
    pthread_t peer, dns;
    setvbuf(stdout, NULL, _IONBF, 0);
    lwip_start();
    sys_sem_new(&listening, 0);
    pthread_create(&peer, NULL, peer_thread, NULL);
    sys_sem_wait(&listening);                  /* lwIP's semaphores are binary here: one at a time */
    pthread_create(&dns, NULL, dns_thread, NULL);
    sys_sem_wait(&listening);
    RUN(test_lwip_websocket_by_address);
    RUN(test_lwip_websocket_by_name_through_the_resolver);
    RUN(test_lwip_socketio);
    RUN(test_lwip_failures_are_reported);
    RUN(test_lwip_waiting_without_sockets_sleeps);
    CHECK(peer_connections >= 3);
    return TEST_REPORT();
}
